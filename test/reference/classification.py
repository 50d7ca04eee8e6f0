"""Reference values for test/ml/*: scikit-learn / imbalanced-learn / numpy on seeded data.

Run with Debian's Python (scikit-learn 1.2, imbalanced-learn 0.10, numpy 1.24):
    /usr/bin/python3 test/reference/classification.py
It writes test/reference/classification.json next to this file.
"""
import json
import os
import warnings

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
import imblearn
from scipy.stats import norm
from sklearn.linear_model import LogisticRegression
from sklearn import metrics as skm
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from imblearn.metrics import classification_report_imbalanced, geometric_mean_score, specificity_score

warnings.simplefilter("ignore")
out = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
                    "imblearn": imblearn.__version__}}


def arr(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def csr(S):
    S = sp.csr_matrix(S)
    S.sort_indices()
    return {"rows": S.shape[0], "cols": S.shape[1], "indptr": S.indptr.tolist(), "indices": S.indices.tolist(),
            "values": arr(S.data)}


# numpy legacy RandomState
rs_out = []
for seed in [0, 42, 12345, 2**32 - 1]:
    r = np.random.RandomState(seed)
    rs_out.append({
        "seed": seed,
        "random_sample": arr(r.random_sample(5)),
        "randint_7": r.randint(0, 7, 10).tolist(),
        "randint_1000": r.randint(0, 1000, 5).tolist(),
        "randint_big": r.randint(0, 2**40 + 3, 4).tolist(),
        "uniform": arr(r.uniform(size=3)),
        "randint_2pow32": r.randint(0, 2**32, 3).tolist(),
        "permutation_9": r.permutation(9).tolist(),
        "choice_replace": r.choice([3, 5, 8, 13], 6, replace=True).tolist(),
        "choice_noreplace": r.choice(10, 4, replace=False).tolist(),
    })
out["random_state"] = rs_out

# Dense continuous data set
r = np.random.RandomState(0)
n, p = 300, 5
Xd = r.normal(size=(n, p))
beta = np.array([1.5, -2.0, 0.5, 0.0, 1.0])
yd = (r.uniform(size=n) < 1 / (1 + np.exp(-(Xd @ beta - 1.0)))).astype(float)
swd = r.uniform(0.5, 2.0, size=n)
out["dense"] = {"X": arr(Xd), "rows": n, "cols": p, "y": arr(yd), "sample_weight": arr(swd)}

# Sparse one-hot data set with a rare positive class (~3%)
r = np.random.RandomState(1)
ns = 2000
levels = [12, 8, 5]
codes = np.column_stack([r.randint(0, L, ns) for L in levels])
offsets = np.cumsum([0] + levels[:-1])
rows = np.repeat(np.arange(ns), len(levels))
cols = (codes + offsets).ravel()
Xs = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(ns, sum(levels)))
effects = r.normal(scale=0.8, size=sum(levels))
logit = -4.0 + Xs @ effects
ys = (r.uniform(size=ns) < 1 / (1 + np.exp(-logit))).astype(float)
out["onehot"] = {"X": csr(Xs), "y": arr(ys), "positives": int(ys.sum())}


def hessian_se(X, y, coef, intercept, C, sw, fit_intercept=True):
    Xa = X.toarray() if sp.issparse(X) else np.asarray(X)
    if fit_intercept:
        Xa = np.column_stack([Xa, np.ones(Xa.shape[0])])
        w = np.r_[coef, intercept]
    else:
        w = coef
    pr = 1 / (1 + np.exp(-(Xa @ w)))
    W = pr * (1 - pr) * (np.ones(len(y)) if sw is None else sw)
    H = Xa.T @ (Xa * W[:, None])
    pen = np.full(Xa.shape[1], 1 / C)
    if fit_intercept:
        pen[-1] = 0
    H += np.diag(pen)
    return np.sqrt(np.diag(np.linalg.inv(H)))


def grad_inf(X, y, coef, intercept, C, sw, fit_intercept=True):
    Xa = X.toarray() if sp.issparse(X) else np.asarray(X)
    sw = np.ones(len(y)) if sw is None else sw
    z = Xa @ coef + intercept
    res = sw * (1 / (1 + np.exp(-z)) - y)
    g = np.abs(Xa.T @ res + coef / C).max()
    return float(max(g, abs(res.sum())) if fit_intercept else g)


def newton_polish(X, y, coef, intercept, C, sw, fit_intercept=True):
    """Newton steps on sklearn's objective from its solution: scipy's L-BFGS-B stops on its relative
    function-decrease test (ftol 2.2e-9) before the gradient reaches tol, so this gives the exact minimiser."""
    Xa = X.toarray() if sp.issparse(X) else np.asarray(X)
    if fit_intercept:
        Xa = np.column_stack([Xa, np.ones(Xa.shape[0])])
        w = np.r_[coef, intercept]
    else:
        w = np.array(coef, dtype=float)
    sw = np.ones(len(y)) if sw is None else sw
    pen = np.full(Xa.shape[1], 1 / C)
    if fit_intercept:
        pen[-1] = 0
    for _ in range(50):
        pr = 1 / (1 + np.exp(-(Xa @ w)))
        g = Xa.T @ (sw * (pr - y)) + pen * w
        if np.abs(g).max() < 1e-11:
            break
        H = Xa.T @ (Xa * (sw * pr * (1 - pr))[:, None]) + np.diag(pen)
        w = w - np.linalg.solve(H, g)
    return (w[:-1], float(w[-1])) if fit_intercept else (w, 0.0)


fits = []
for name, X, y, C, sw, fi in [
    ("dense_C1", Xd, yd, 1.0, None, True),
    ("dense_C0.1_weighted", Xd, yd, 0.1, swd, True),
    ("dense_C1_no_intercept", Xd, yd, 1.0, None, False),
    ("onehot_C1", Xs, ys, 1.0, None, True),
    ("onehot_C0.5_balanced", Xs, ys, 0.5, np.where(ys == 1, ns / (2 * ys.sum()), ns / (2 * (ns - ys.sum()))), True),
]:
    m = LogisticRegression(C=C, fit_intercept=fi, tol=1e-10, max_iter=10000, solver="lbfgs")
    m.fit(X, y, sample_weight=sw)
    coef = m.coef_.ravel()
    b = float(m.intercept_[0]) if fi else 0.0
    se = hessian_se(X, y, coef, b, C, sw, fi)
    opt_coef, opt_b = newton_polish(X, y, coef, b, C, sw, fi)
    fits.append({
        "name": name, "data": "dense" if name.startswith("dense") else "onehot", "C": C, "fit_intercept": fi,
        "weighted": sw is not None, "sample_weight": arr(sw) if (sw is not None and name.startswith("onehot")) else None,
        "coef": arr(coef), "intercept": b, "n_iter": int(m.n_iter_[0]),
        "grad_inf": grad_inf(X, y, coef, b, C, sw, fi),
        "opt_coef": arr(opt_coef), "opt_intercept": opt_b, "opt_grad_inf": grad_inf(X, y, opt_coef, opt_b, C, sw, fi),
        "sklearn_vs_opt": float(max(np.abs(coef - opt_coef).max(), abs(b - opt_b))),
        "proba_head": arr(m.predict_proba(X[:10])[:, 1]),
        "se_coef": arr(se[:len(coef)]), "se_intercept": float(se[-1]) if fi else None,
    })
out["logistic"] = fits

# SMOTE on dense continuous data (no distance ties)
smotes = []
for seed, k, strategy in [(0, 5, "auto"), (7, 3, "auto"), (11, 5, 0.8)]:
    Xr, yr = SMOTE(random_state=seed, k_neighbors=k, sampling_strategy=strategy).fit_resample(Xd, yd)
    assert np.array_equal(Xr[:n], Xd)
    smotes.append({"seed": seed, "k": k, "strategy": strategy, "rows": int(Xr.shape[0]),
                   "synthetic": arr(Xr[n:]), "y": arr(yr)})
out["smote_dense"] = smotes

# SMOTE on sparse continuous data (CSR in, CSR out; no distance ties)
r = np.random.RandomState(5)
nsc, psc = 120, 10
Xsc = sp.random(nsc, psc, density=0.3, format="csr", random_state=r, data_rvs=r.standard_normal)
ysc = np.zeros(nsc)
ysc[r.choice(nsc, 25, replace=False)] = 1
Xr, yr = SMOTE(random_state=3).fit_resample(Xsc, ysc)
assert sp.issparse(Xr)
out["smote_sparse"] = {"X": csr(Xsc), "y": arr(ysc), "seed": 3, "resampled": csr(Xr), "y_resampled": arr(yr)}

# SMOTE on one-hot data: counts only (distance ties make neighbour choice implementation-defined)
Xr, yr = SMOTE(random_state=0).fit_resample(Xs, ys)
out["smote_onehot"] = {"rows": int(Xr.shape[0]), "positives": int(yr.sum())}

# Random over/under-sampling
rsm = []
for seed, strategy in [(1, "auto"), (2, 0.75)]:
    ros = RandomOverSampler(random_state=seed, sampling_strategy=strategy)
    ros.fit_resample(Xd, yd)
    rus = RandomUnderSampler(random_state=seed, sampling_strategy=strategy)
    rus.fit_resample(Xd, yd)
    rsm.append({"seed": seed, "strategy": strategy, "over": ros.sample_indices_.tolist(),
                "under": rus.sample_indices_.tolist()})
out["random_resample"] = rsm

# Metrics on fixed predictions and tied scores
r = np.random.RandomState(3)
mt = []
yt = (r.uniform(size=200) < 0.3).astype(float)
scores = np.round(r.uniform(size=200) * 0.6 + 0.35 * yt, 1)
cases = [("tied_scores", yt, scores, (scores >= 0.5).astype(float)),
         ("no_predicted_positive", yt, scores, np.zeros(200)),
         ("rare", (r.uniform(size=60) < 0.1).astype(float), None, None)]
yr_ = cases[2][1]
sr_ = np.round(r.uniform(size=60) * 0.5 + 0.3 * yr_, 2)
cases[2] = ("rare", yr_, sr_, (sr_ >= 0.45).astype(float))
for name, y_true, y_score, y_pred in cases:
    fpr, tpr, th = skm.roc_curve(y_true, y_score, drop_intermediate=False)
    pr, rc, pth = skm.precision_recall_curve(y_true, y_score)
    rep = classification_report_imbalanced(y_true, y_pred, labels=[0, 1], output_dict=True)
    mt.append({
        "name": name, "y_true": arr(y_true), "scores": arr(y_score), "y_pred": arr(y_pred),
        "confusion_matrix": skm.confusion_matrix(y_true, y_pred, labels=[0, 1]).tolist(),
        "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
        "precision": skm.precision_score(y_true, y_pred, zero_division="warn"),
        "recall": skm.recall_score(y_true, y_pred),
        "f1": skm.f1_score(y_true, y_pred),
        "specificity": specificity_score(y_true, y_pred),
        "geometric_mean": geometric_mean_score(y_true, y_pred, average="binary"),
        "roc_auc": skm.roc_auc_score(y_true, y_score),
        "average_precision": skm.average_precision_score(y_true, y_score),
        "roc_curve": {"fpr": arr(fpr), "tpr": arr(tpr), "thresholds": arr(th)},
        "pr_curve": {"precision": arr(pr), "recall": arr(rc), "thresholds": arr(pth)},
        "report": {str(k): ({kk: float(vv) for kk, vv in v.items()} if isinstance(v, dict) else float(v))
                   for k, v in rep.items()},
    })
out["metrics"] = mt

# Statistics
out["stats"] = {
    "norm_ppf": [[q, float(norm.ppf(q))] for q in [1e-10, 0.001, 0.01, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999, 1 - 1e-9]],
    "sd": {"x": [2.5, 1.0, 7.25, 3.0, 3.0, -4.5], "sd": float(np.std([2.5, 1.0, 7.25, 3.0, 3.0, -4.5], ddof=1))},
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "classification.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {path} ({os.path.getsize(path)} bytes)")
for fit in fits:
    print(fit["name"], "n_iter", fit["n_iter"], "grad_inf", fit["grad_inf"], "opt_grad_inf", fit["opt_grad_inf"],
          "max |sklearn - optimum|", fit["sklearn_vs_opt"])
