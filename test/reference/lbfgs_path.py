"""scipy's L-BFGS-B as scikit-learn 1.2.1 calls it, for test/ml/lbfgs.test.ts: iterations, evaluations and the
final point on the data of classification.json and on the Rosenbrock function.

Run with Debian's Python (scipy 1.10, scikit-learn 1.2.1):
    /usr/bin/python3 test/reference/lbfgs_path.py
It writes test/reference/lbfgs_path.json next to this file.
"""
import json
import os
import warnings

import numpy as np
import scipy
import scipy.optimize as opt
import scipy.sparse as sp
import sklearn
from sklearn._loss.loss import HalfBinomialLoss
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._linear_loss import LinearModelLoss

warnings.simplefilter("ignore")
here = os.path.dirname(os.path.abspath(__file__))
ref = json.load(open(os.path.join(here, "classification.json")))
d = ref["dense"]
Xd = np.array(d["X"]).reshape(d["rows"], d["cols"])
yd = np.array(d["y"])
swd = np.array(d["sample_weight"])
o = ref["onehot"]["X"]
Xs = sp.csr_matrix((o["values"], o["indices"], o["indptr"]), shape=(o["rows"], o["cols"]))
ys = np.array(ref["onehot"]["y"])


def run(X, y, C, sw, fit_intercept, tol, max_iter):
    """scikit-learn 1.2.1's _logistic_regression_path call for binary lbfgs, with scipy's result kept."""
    loss = LinearModelLoss(base_loss=HalfBinomialLoss(), fit_intercept=fit_intercept)
    w0 = np.zeros(X.shape[1] + int(fit_intercept))
    sw_ = np.ones(X.shape[0]) if sw is None else sw
    res = opt.minimize(loss.loss_gradient, w0, method="L-BFGS-B", jac=True,
                       args=(X, y, sw_, 1.0 / C, 1), options={"gtol": tol, "maxiter": max_iter})
    m = LogisticRegression(C=C, fit_intercept=fit_intercept, tol=tol, max_iter=max_iter).fit(X, y, sample_weight=sw)
    assert np.allclose(np.r_[m.coef_[0], m.intercept_] if fit_intercept else m.coef_[0], res.x, rtol=0, atol=1e-12)
    return {"nit": int(res.nit), "nfev": int(res.nfev), "status": int(res.status), "message": str(res.message),
            "fun": float(res.fun), "x": [float(v) for v in res.x], "sklearn_n_iter": int(m.n_iter_[0])}


fits = []
for name, X, y, C, sw, fi in [
    ("dense_C1", Xd, yd, 1.0, None, True),
    ("dense_C0.1_weighted", Xd, yd, 0.1, swd, True),
    ("dense_C1_no_intercept", Xd, yd, 1.0, None, False),
    ("onehot_C1", Xs, ys, 1.0, None, True),
    # class_weight="balanced" as sample weights n / (2 n_c), as classification.py and openbeat's balancedSampleWeights
    ("onehot_C0.5_balanced", Xs, ys, 0.5, np.where(ys == 1, len(ys) / (2 * ys.sum()), len(ys) / (2 * (len(ys) - ys.sum()))), True),
]:
    for tol, max_iter in [(1e-4, 100), (1e-4, 1000), (1e-6, 1000), (1e-4, 5)]:
        r = run(X, y, C, sw, fi, tol, max_iter)
        r.update(name=name, data="dense" if name.startswith("dense") else "onehot", C=C, fit_intercept=fi,
                 weighted=sw is not None, balanced=name.endswith("balanced"),
                 tol=tol, max_iter=max_iter)
        fits.append(r)


def rosen(x):
    a, b = x
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2, np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])


r = opt.minimize(rosen, np.array([-1.2, 1.0]), method="L-BFGS-B", jac=True, options={"gtol": 1e-10, "maxiter": 1000})
rosenbrock = {"nit": int(r.nit), "nfev": int(r.nfev), "status": int(r.status), "message": str(r.message), "fun": float(r.fun),
              "x": [float(v) for v in r.x]}

out = {"versions": {"scipy": scipy.__version__, "sklearn": sklearn.__version__, "numpy": np.__version__},
       "ftol": 2.2204460492503131e-09, "fits": fits, "rosenbrock": rosenbrock}
path = os.path.join(here, "lbfgs_path.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {path} ({os.path.getsize(path)} bytes)")
for f_ in fits:
    print(f_["name"], f_["tol"], f_["max_iter"], "nit", f_["nit"], "nfev", f_["nfev"], "status", f_["status"], f_["message"])
print("rosenbrock", rosenbrock["nit"], rosenbrock["nfev"], rosenbrock["message"])
