"""Reference values for the risk-inference kernels (test/ml/calibration, calibrate, logistic-inference,
collinearity, multiple-testing, bootstrap, special-functions tests).

Run with Debian's Python (scikit-learn 1.2, statsmodels 0.13, scipy 1.10, numpy 1.24):
    /usr/bin/python3 test/reference/risk_inference.py
It writes test/reference/risk_inference.json next to this file (a few minutes: the profile intervals of the
LMPD-shaped design are found by brentq over constrained refits).

Firth's penalized logistic regression is written here in numpy from its definition (Firth 1993; Heinze &
Schemper 2002): maximise l(b) + 0.5 log det(X'WX) by Newton steps on the modified score with step-halving. The
script checks the modified score against a finite-difference gradient of the penalized log-likelihood, the
closed forms for an intercept-only model and a 2x2 table, and that the gradient at the optimum is ~0.
"""
import json
import os
import warnings

import numpy as np
import scipy
import sklearn
import statsmodels
import statsmodels.api as sm
from scipy import stats
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.calibration import _sigmoid_calibration, calibration_curve
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import brier_score_loss, roc_auc_score, average_precision_score
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.outliers_influence import variance_inflation_factor

warnings.simplefilter("ignore")
out = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
                    "statsmodels": statsmodels.__version__}}
CHI2_95 = stats.chi2.ppf(0.95, 1)


def arr(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def logit(p):
    return np.log(p) - np.log1p(-p)


# ---------------------------------------------------------------- calibration metrics
r = np.random.RandomState(20240)
n = 2000
z = r.normal(-2.5, 1.2, size=n)
y = (r.uniform(size=n) < expit(z)).astype(float)
p = expit(0.8 + 1.6 * z)  # too high and too extreme, like scores from a model trained on SMOTE-balanced data
w = r.uniform(0.5, 2.0, size=n)
fw = r.randint(1, 4, size=n).astype(float)
lp = logit(p)


def glm_params(yv, X, offset=None, weights=None):
    res = sm.GLM(yv, X, family=sm.families.Binomial(), offset=offset, freq_weights=weights).fit(tol=1e-14, maxiter=100)
    return res


def reliability(yv, pv, bins):
    prob_true, prob_pred = calibration_curve(yv, pv, n_bins=bins, strategy="quantile")
    # calibration_curve does not return counts; they come from its own binning rule (percentile edges,
    # searchsorted on the inner edges), repeated here.
    edges = np.percentile(pv, np.linspace(0, 1, bins + 1) * 100)
    ids = np.searchsorted(edges[1:-1], pv)
    counts = np.bincount(ids, minlength=bins)
    nz = np.flatnonzero(counts)
    ece = float(np.sum(counts[nz] * np.abs(prob_true - prob_pred)) / counts.sum())
    return {"bins": bins, "bin": nz.tolist(), "n": counts[nz].tolist(), "observed": arr(prob_true),
            "mean_predicted": arr(prob_pred), "ece": ece}


slope_fit = glm_params(y, sm.add_constant(lp))
int_fit = glm_params(y, np.ones((n, 1)), offset=lp)
slope_fit_w = glm_params(y, sm.add_constant(lp), weights=fw)
int_fit_w = glm_params(y, np.ones((n, 1)), offset=lp, weights=fw)
p_ties = np.round(p, 1)
p_ties = np.clip(p_ties, 0.05, 0.95)
out["calibration"] = {
    "y": arr(y), "p": arr(p), "w": arr(w), "freq_w": arr(fw), "p_ties": arr(p_ties),
    "brier": float(brier_score_loss(y, p)),
    "brier_weighted": float(brier_score_loss(y, p, sample_weight=w)),
    "slope": float(slope_fit.params[1]), "slope_intercept": float(slope_fit.params[0]),
    "intercept": float(int_fit.params[0]),
    "slope_weighted": float(slope_fit_w.params[1]), "intercept_weighted": float(int_fit_w.params[0]),
    "curves": [reliability(y, p, 10), reliability(y, p, 7), reliability(y, p_ties, 10)],
}

# ---------------------------------------------------------------- Platt scaling, isotonic, prior shift
r = np.random.RandomState(7)
n = 600
F = r.normal(size=n) * 2 - 1  # decision values (logits)
yp = (r.uniform(size=n) < expit(0.7 * F - 0.4)).astype(float)
swp = r.uniform(0.2, 3.0, size=n)


def platt_opt(F, yv, sw):
    """Exact minimiser of scikit-learn's Platt objective (same smoothed targets) by Newton's method."""
    sw = np.ones_like(F) if sw is None else sw
    prior0 = sw[yv <= 0].sum()
    prior1 = sw[yv > 0].sum()
    T = np.where(yv > 0, (prior1 + 1) / (prior1 + 2), 1 / (prior0 + 2))
    ab = np.array([0.0, np.log((prior0 + 1) / (prior1 + 1))])
    for _ in range(100):
        zz = ab[0] * F + ab[1]
        P = expit(-zz)
        g = sw * (T - P)
        grad = np.array([g @ F, g.sum()])
        h = sw * P * (1 - P)
        H = np.array([[h @ (F * F), h @ F], [h @ F, h.sum()]])
        step = np.linalg.solve(H, grad)
        ab = ab - step
        if np.max(np.abs(step)) < 1e-14:
            break
    return ab


platt = []
for name, sw in [("unweighted", None), ("weighted", swp)]:
    a, b = _sigmoid_calibration(F, yp, sw)
    ao, bo = platt_opt(F, yp, sw)
    Fn = np.linspace(-6, 6, 13)
    platt.append({"name": name, "sample_weight": None if sw is None else arr(sw), "a": float(a), "b": float(b),
                  "opt_a": float(ao), "opt_b": float(bo), "grid": arr(Fn), "grid_proba": arr(expit(-(ao * Fn + bo))),
                  "sklearn_vs_opt": float(max(abs(a - ao), abs(b - bo)))})
out["platt"] = {"F": arr(F), "y": arr(yp), "fits": platt}

# isotonic: scores with ties, weights, and new points outside the fitted range
xs = np.round(r.uniform(size=300), 2)
ys = (r.uniform(size=300) < xs ** 2).astype(float)
swi = r.uniform(0.1, 2.0, size=300)
swi[:5] = 0.0
xnew = np.concatenate([[-0.5, 0.0, 1.5], np.linspace(0, 1, 41), xs[:20]])
iso = []
for name, sw in [("unweighted", None), ("weighted", swi)]:
    m = IsotonicRegression(out_of_bounds="clip").fit(xs, ys, sample_weight=sw)
    iso.append({"name": name, "sample_weight": None if sw is None else arr(sw), "x_thresholds": arr(m.X_thresholds_),
                "y_thresholds": arr(m.y_thresholds_), "predict": arr(m.predict(xnew))})
out["isotonic"] = {"x": arr(xs), "y": arr(ys), "x_new": arr(xnew), "fits": iso}

pp = np.array([1e-9, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-9])
prior = []
for pi, pis in [(0.029, 0.5), (0.1, 0.3), (0.5, 0.2)]:
    odds = pp / (1 - pp) * (pi / (1 - pi)) / (pis / (1 - pis))
    prior.append({"original_rate": pi, "resampled_rate": pis, "p": arr(pp), "corrected": arr(odds / (1 + odds))})
out["prior_shift"] = prior

# ---------------------------------------------------------------- multiple testing, exact tests
r = np.random.RandomState(3)
pv = r.uniform(size=65) ** 3
pv[[3, 9]] = pv[5]
pv[10] = 0.0
pv[11] = 1.0
pv[12] = 1e-300
out["multiple_testing"] = {
    "p": arr(pv),
    "fdr_bh": arr(multipletests(pv, method="fdr_bh")[1]),
    "bonferroni": arr(multipletests(pv, method="bonferroni")[1]),
}
tables = [[[8, 2], [1, 5]], [[0, 5], [10, 3]], [[3, 3], [3, 3]], [[100, 2000], [900, 30000]],
          [[954, 31000], [20, 40]], [[12000, 15000], [11000, 16000]], [[0, 0], [5, 5]], [[25, 5], [930, 31000]],
          [[3, 0], [951, 31046]], [[6, 0], [948, 31040]], [[5, 20], [949, 31026]], [[1, 1], [1, 1]],
          [[20000, 10000], [10000, 20000]], [[40, 7], [914, 31039]], [[0, 120], [954, 30926]]]
out["fisher"] = [{"table": t, "p": float(stats.fisher_exact(t)[1])} for t in tables]
btests = [(3, 10, 0.5), (25, 30, 0.029), (0, 50, 0.03), (954, 32000, 0.03), (300, 10000, 0.029), (10, 10, 0.5),
          (5, 100, 0.05), (17000, 30000, 0.55), (1, 2, 0.5), (7, 7, 0.029), (40, 1000, 0.029), (12, 1000, 0.029)]
out["binomtest"] = [{"k": k, "n": nn, "p": pr, "pvalue": float(stats.binomtest(k, nn, pr).pvalue)} for k, nn, pr in btests]
out["chi2_sf"] = [{"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))}
                  for x in [0.0, 1e-6, 0.5, 1.0, 3.841458820694124, 7.5, 20.0, 60.0, 200.0, 800.0]
                  for df in [1, 2, 3, 5, 11, 23, 35]]
out["log_gamma"] = [{"x": x, "lgamma": float(scipy.special.gammaln(x))} for x in [0.1, 0.5, 1.0, 1.5, 2.0, 7.3, 30.0, 1e4]]


# ---------------------------------------------------------------- logistic inference
def loglik(D, yv, wv, b, off):
    eta = D @ b + off
    return float(np.sum(wv * (yv * -np.logaddexp(0, -eta) + (1 - yv) * -np.logaddexp(0, eta))))


def pen_loglik(D, yv, wv, b, off):
    eta = D @ b + off
    pr = expit(eta)
    I = D.T @ ((wv * pr * (1 - pr))[:, None] * D)
    sign, logdet = np.linalg.slogdet(I)
    return loglik(D, yv, wv, b, off) + 0.5 * logdet if sign > 0 else -np.inf


def firth_pieces(D, yv, wv, b, off, firth):
    eta = D @ b + off
    pr = expit(eta)
    W = wv * pr * (1 - pr)
    I = D.T @ (W[:, None] * D)
    C = np.linalg.inv(I)
    resid = wv * (yv - pr)
    if firth:
        h = W * np.sum((D @ C) * D, axis=1)
        resid = resid + h * (0.5 - pr)
    return D.T @ resid, I, C


def fit(D, yv, wv, firth=True, off=None, fixed=None, b0=None, tol=1e-13, maxit=500):
    """Newton on the free parameters (fixed: {index: value}); returns (b, objective, iterations)."""
    q = D.shape[1]
    off = np.zeros(len(yv)) if off is None else off
    obj = pen_loglik if firth else loglik
    b = np.zeros(q) if b0 is None else b0.astype(float).copy()
    fixed = fixed or {}
    for k, v in fixed.items():
        b[k] = v
    free = np.array([k for k in range(q) if k not in fixed], dtype=int)
    f0 = obj(D, yv, wv, b, off)
    for it in range(maxit):
        U, I, _ = firth_pieces(D, yv, wv, b, off, firth)
        step = np.linalg.solve(I[np.ix_(free, free)], U[free])
        mx = np.max(np.abs(step)) if len(step) else 0.0
        if mx < tol:
            return b, f0, it
        t = min(1.0, 5.0 / mx)
        for _ in range(40):
            bn = b.copy()
            bn[free] += t * step
            f1 = obj(D, yv, wv, bn, off)
            if f1 >= f0 - 1e-12 * (1 + abs(f0)):
                break
            t /= 2
        b, f0 = bn, f1
    raise RuntimeError("no convergence")


def profile(D, yv, wv, b, fmax, cov, j, direction, firth=True):
    state = {"b": b.copy()}

    def g(t):
        bb, f, _ = fit(D, yv, wv, firth, fixed={j: t}, b0=state["b"])
        state["b"] = bb
        return 2 * (fmax - f) - CHI2_95

    step = direction * np.sqrt(CHI2_95 * cov[j, j])
    a = b[j]
    t = a + step
    while g(t) < 0:
        a, t = t, t + step
        step *= 2
    lo, hi = sorted([a, t])
    state["b"] = b.copy()
    return brentq(g, lo, hi, xtol=1e-13, rtol=1e-14, maxiter=200)


def check_firth(D, yv, wv, b):
    U, _, _ = firth_pieces(D, yv, wv, b, np.zeros(len(yv)), True)
    eps = 1e-6
    fd = np.array([(pen_loglik(D, yv, wv, b + eps * e, 0) - pen_loglik(D, yv, wv, b - eps * e, 0)) / (2 * eps)
                   for e in np.eye(len(b))])
    b1 = b + 0.01
    U1, _, _ = firth_pieces(D, yv, wv, b1, np.zeros(len(yv)), True)
    fd1 = np.array([(pen_loglik(D, yv, wv, b1 + eps * e, 0) - pen_loglik(D, yv, wv, b1 - eps * e, 0)) / (2 * eps)
                    for e in np.eye(len(b))])
    return {"grad_inf": float(np.max(np.abs(U))), "fd_grad_inf": float(np.max(np.abs(fd))),
            "modified_score_vs_fd_off_optimum": float(np.max(np.abs(U1 - fd1)) / max(1.0, np.max(np.abs(fd1))))}


def firth_report(D, yv, wv, blocks, profile_all=True, firth=True):
    b, f, it = fit(D, yv, wv, firth)
    U, I, C = firth_pieces(D, yv, wv, b, np.zeros(len(yv)), firth)
    res = {"params": arr(b), "objective": f, "loglik": loglik(D, yv, wv, b, 0), "se": arr(np.sqrt(np.diag(C))),
           "iterations": it}
    if firth:
        res["check"] = check_firth(D, yv, wv, b)
    if profile_all:
        lo, hi = [], []
        for j in range(D.shape[1]):
            lo.append(profile(D, yv, wv, b, f, C, j, -1, firth))
            hi.append(profile(D, yv, wv, b, f, C, j, 1, firth))
        res["profile_lower"] = arr(lo)
        res["profile_upper"] = arr(hi)
    tests = []
    for name, cols in blocks:
        # columns of X are parameters 1.. (parameter 0 is the intercept)
        fixed = {c + 1: 0.0 for c in cols}
        b0 = b.copy()
        for k in fixed:
            b0[k] = 0.0
        br, fr, _ = fit(D, yv, wv, firth, fixed=fixed, b0=b0)
        stat = 2 * (f - fr)
        tests.append({"name": name, "columns": list(cols), "statistic": stat, "df": len(cols),
                      "p": float(stats.chi2.sf(stat, len(cols))), "restricted": fr})
    res["lr_tests"] = tests
    return res


def onehot_ref(codes, levels, reference):
    """Reference coding: one 0/1 column per non-reference level, levels ascending, variables in order."""
    cols, names, blocks = [], [], []
    for v in range(codes.shape[1]):
        start = len(cols)
        for lv in range(levels[v]):
            if lv == reference[v]:
                continue
            cols.append((codes[:, v] == lv).astype(float))
            names.append(f"v{v}={lv}")
        blocks.append((f"v{v}", list(range(start, len(cols)))))
    return np.column_stack(cols), names, blocks


# (a) dense: continuous and categorical columns, integer frequency weights; MLE against statsmodels
r = np.random.RandomState(11)
n = 400
Xc = r.normal(size=(n, 3))
cat = r.choice(4, size=n, p=[0.4, 0.3, 0.2, 0.1])
Xcat, _, cat_blocks = onehot_ref(cat[:, None], [4], [0])
Xa = np.column_stack([Xc, Xcat])
eta = -1.2 + Xc @ np.array([0.8, -0.5, 0.0]) + Xcat @ np.array([0.4, -0.6, 1.1])
ya = (r.uniform(size=n) < expit(eta)).astype(float)
wa = r.randint(1, 5, size=n).astype(float)
Da = np.column_stack([np.ones(n), Xa])
glm = sm.GLM(ya, Da, family=sm.families.Binomial(), freq_weights=wa).fit(tol=1e-14, maxiter=100)
rep = np.repeat(np.arange(n), wa.astype(int))
logit_exp = sm.Logit(ya[rep], Da[rep]).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
blocks_a = [("x2", [2]), ("cat", [3, 4, 5]), ("x0_x1", [0, 1])]
mle_tests = []
for name, cols in blocks_a:
    keep = [c for c in range(Da.shape[1]) if c - 1 not in cols]
    g0 = sm.GLM(ya, Da[:, keep], family=sm.families.Binomial(), freq_weights=wa).fit(tol=1e-14, maxiter=100)
    stat = 2 * (glm.llf - g0.llf)
    mle_tests.append({"name": name, "columns": cols, "statistic": float(stat), "df": len(cols),
                      "p": float(stats.chi2.sf(stat, len(cols)))})
ci = glm.conf_int(alpha=0.05)
mle_prof = firth_report(Da, ya, wa, [], profile_all=True, firth=False)
out["dense"] = {
    "X": arr(Xa), "rows": n, "cols": Xa.shape[1], "y": arr(ya), "w": arr(wa),
    "mle": {"params": arr(glm.params), "bse": arr(glm.bse), "llf": float(glm.llf), "wald_lower": arr(ci[:, 0]),
            "wald_upper": arr(ci[:, 1]), "expanded_params": arr(logit_exp.params), "expanded_bse": arr(logit_exp.bse),
            "expanded_llf": float(logit_exp.llf), "lr_tests": mle_tests,
            "profile_lower": mle_prof["profile_lower"], "profile_upper": mle_prof["profile_upper"]},
    "firth": firth_report(Da, ya, wa, blocks_a),
}

# (b) hand-made separation: level c of factor A has no events; a numeric x; frequency weights
A = np.array([0] * 6 + [1] * 5 + [2] * 4 + [0] * 4 + [1] * 3)
yb = np.array([1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], dtype=float)
xb = np.array([0.5, -1.0, 1.2, 0.3, -0.4, 0.0, 1.5, 0.2, -0.3, 0.8, 1.1, -1.2, 0.4, 0.9, -0.1, 2.0, -0.5, 0.6, -0.8,
               0.1, 1.4, -0.2])
wb = np.array([2, 3, 1, 4, 2, 1, 1, 2, 3, 1, 2, 1, 5, 2, 3, 1, 2, 2, 1, 3, 1, 2], dtype=float)
XA, _, _ = onehot_ref(A[:, None], [3], [0])
Xb = np.column_stack([XA, xb])
Db = np.column_stack([np.ones(len(yb)), Xb])
# complete separation: x > 0 exactly when y = 1
xs_ = np.array([-2.0, -1.5, -1.0, -0.5, -0.2, 0.3, 0.7, 1.1, 1.6, 2.2])
ys_ = (xs_ > 0).astype(float)
Ds = np.column_stack([np.ones(10), xs_])
# closed forms: intercept-only Firth logit((k + 1/2) / (n + 1)); 2x2 Firth = log OR with 1/2 added to each cell
b_int, _, _ = fit(np.ones((10, 1)), np.array([1, 1, 1] + [0] * 7, dtype=float), np.ones(10))
assert abs(b_int[0] - logit(3.5 / 11)) < 1e-10
b22, _, _ = fit(np.column_stack([np.ones(4), [0, 0, 1, 1]]), np.array([1.0, 0, 1, 0]), np.array([10.0, 20, 0, 15]))
assert abs(b22[1] - np.log(0.5 * 20.5 / (15.5 * 10.5))) < 1e-10
out["separation"] = {
    "X": arr(Xb), "rows": len(yb), "cols": Xb.shape[1], "y": arr(yb), "w": arr(wb),
    "firth": firth_report(Db, yb, wb, [("A", [0, 1]), ("x", [2])]),
    "complete": {"x": arr(xs_), "y": arr(ys_), "firth": firth_report(Ds, ys_, np.ones(10), [("x", [0])])},
}

# (c) LMPD-shaped: ten categoricals, reference = most frequent level, weighted distinct rows, one level with no events
r = np.random.RandomState(2024)
levels = [24, 7, 12, 9, 8, 36, 16, 3, 3, 6]
m_patterns = 1100
codes = np.empty((m_patterns, len(levels)), dtype=int)
for v, L in enumerate(levels):
    prob = 1.0 / np.arange(1, L + 1) ** 0.9
    prob = r.permutation(prob / prob.sum())
    codes[:, v] = r.choice(L, size=m_patterns, p=prob)
    codes[:L, v] = np.arange(L)  # every level occurs
count = 1 + r.geometric(0.06, size=m_patterns)
effects = [r.normal(scale=0.5, size=L) for L in levels]
eta = -3.9 + sum(effects[v][codes[:, v]] for v in range(len(levels)))
pr = expit(eta)
events = r.binomial(count, pr)
zero_level = int(np.argmin(np.bincount(codes[:, 5], weights=count, minlength=levels[5])))
events[codes[:, 5] == zero_level] = 0
rows_codes, rows_y, rows_w = [], [], []
for i in range(m_patterns):
    if events[i] > 0:
        rows_codes.append(codes[i]); rows_y.append(1.0); rows_w.append(float(events[i]))
    if count[i] - events[i] > 0:
        rows_codes.append(codes[i]); rows_y.append(0.0); rows_w.append(float(count[i] - events[i]))
rows_codes = np.array(rows_codes)
yc = np.array(rows_y)
wc = np.array(rows_w)
reference = [int(np.argmax(np.bincount(rows_codes[:, v], weights=wc, minlength=L))) for v, L in enumerate(levels)]
Xl, names_l, blocks_l = onehot_ref(rows_codes, levels, reference)
Dl = np.column_stack([np.ones(len(yc)), Xl])
lmpd_firth = firth_report(Dl, yc, wc, blocks_l)
Xl_c = Xl - np.average(Xl, axis=0, weights=wc)
vif_l = []
for j in range(Xl.shape[1]):
    others = np.column_stack([np.ones(len(yc)), np.delete(Xl, j, axis=1)])
    wls = sm.WLS(Xl[:, j], others, weights=wc).fit()
    vif_l.append(1.0 / (1.0 - wls.rsquared))
out["lmpd"] = {
    "codes": rows_codes.ravel().tolist(), "n_vars": len(levels), "levels": levels, "reference": reference,
    "zero_event_level": {"variable": 5, "level": zero_level}, "rows": len(yc), "cols": Xl.shape[1],
    "y": arr(yc), "w": arr(wc), "events": float(wc[yc == 1].sum()), "non_events": float(wc[yc == 0].sum()),
    "firth": lmpd_firth, "vif": arr(vif_l),
}

# aliasing: a constant column, a duplicate of a level, a sum of two columns, and weights that hide a row
r = np.random.RandomState(5)
n = 200
x0 = r.normal(size=n)
g = r.choice(4, size=n)
G, _, _ = onehot_ref(g[:, None], [4], [0])
x1 = r.normal(size=n)
const = np.full(n, 2.0)
dup = G[:, 1].copy()
comb = 0.5 * x0 - 2.0 * x1
z_hidden = np.zeros(n)
z_hidden[0] = 1.0  # non-zero only on a row with weight 0
Xal = np.column_stack([x0, G, const, x1, dup, comb, z_hidden])
wal = r.uniform(0.5, 2.0, size=n)
wal[0] = 0.0


def aliased_reference(X, wv):
    """Columns that least squares (with weights, intercept first) reproduces from the kept earlier ones."""
    sw = np.sqrt(wv)
    kept = [np.ones(len(wv))]
    kept_idx = [-1]
    res = []
    for j in range(X.shape[1]):
        B = np.column_stack(kept) * sw[:, None]
        xj = X[:, j] * sw
        coef, *_ = np.linalg.lstsq(B, xj, rcond=None)
        resid = xj - B @ coef
        if xj @ xj == 0 or resid @ resid <= 1e-10 * (xj @ xj):
            terms = [{"column": kept_idx[a], "coefficient": float(coef[a])} for a in range(len(coef))
                     if abs(coef[a]) > 1e-9 * max(1e-300, np.max(np.abs(coef)))] if xj @ xj > 0 else []
            res.append({"column": j, "combination": terms})
        else:
            kept.append(X[:, j])
            kept_idx.append(j)
    return res, [k for k in kept_idx if k >= 0]


al, kept_cols = aliased_reference(Xal, wal)
Xk = np.column_stack([np.ones(n), Xal[:, kept_cols]])
vif_unweighted = [variance_inflation_factor(np.column_stack([np.ones(n), Xal[:, kept_cols]]), a + 1)
                  for a in range(len(kept_cols))]
vif_weighted = []
for a in range(len(kept_cols)):
    others = np.delete(Xk, a + 1, axis=1)
    wls = sm.WLS(Xk[:, a + 1], others, weights=wal).fit()
    vif_weighted.append(1.0 / (1.0 - wls.rsquared))
al_unw, kept_unw = aliased_reference(Xal, np.ones(n))
vif_unw = [variance_inflation_factor(np.column_stack([np.ones(n), Xal[:, kept_unw]]), a + 1) for a in range(len(kept_unw))]
out["aliasing"] = {"X": arr(Xal), "rows": n, "cols": Xal.shape[1], "w": arr(wal),
                   "weighted": {"aliased": al, "kept": kept_cols, "vif": arr(vif_weighted)},
                   "unweighted": {"aliased": al_unw, "kept": kept_unw, "vif": arr(vif_unw)}}

# ---------------------------------------------------------------- stratified bootstrap (numpy RandomState draws)
r = np.random.RandomState(9)
n = 400
yb_ = (r.uniform(size=n) < 0.12).astype(float)
sb_ = np.round(expit(1.5 * yb_ + r.normal(size=n) - 1.0), 2)
pos = np.flatnonzero(yb_ == 1)
neg = np.flatnonzero(yb_ == 0)
boots = {}
for stat_name, fn in [("roc_auc", roc_auc_score), ("average_precision", average_precision_score)]:
    rs = np.random.RandomState(11)
    vals = []
    for _ in range(200):
        ip = pos[rs.randint(0, len(pos), len(pos))]
        ineg = neg[rs.randint(0, len(neg), len(neg))]
        idx = np.concatenate([ip, ineg])
        vals.append(fn(yb_[idx], sb_[idx]))
    vals = np.array(vals)
    boots[stat_name] = {"estimate": float(fn(yb_, sb_)), "replicates": arr(vals),
                        "lower": float(np.percentile(vals, 2.5)), "upper": float(np.percentile(vals, 97.5))}
out["bootstrap"] = {"y": arr(yb_), "score": arr(sb_), "B": 200, "seed": 11, "level": 0.95, "stats": boots}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "risk_inference.json")
with open(path, "w") as fh:
    json.dump(out, fh, separators=(",", ":"))
print("wrote", path, f"lmpd: {len(yc)} rows x {Xl.shape[1]} columns, events {wc[yc == 1].sum():.0f}",
      "firth check", lmpd_firth["check"], "dense check", out["dense"]["firth"]["check"])
