"""Reference values for test/ml/lca.test.ts: an independent numpy EM for latent class analysis.

Run with Debian's Python: /usr/bin/python3 test/reference/lca.py
Writes test/reference/lca.json next to this file.

The model is poLCA's (Linzer & Lewis 2011) with optional Gaussian numeric indicators (as StepMix): classes with
shares pi_c; within a class the indicators are independent, categorical ones with response probabilities and
numeric ones normal with a class mean and variance (floored at floor * overall variance). A missing indicator
(code -1 or NaN) is left out of its row's likelihood (full-information ML); rows with nothing observed get weight
0. EM starts from the given parameters, and stops when the weighted log-likelihood changes by at most tol in one
iteration or after max_iter iterations; classes are then ordered by share (largest first, stable). The cases that
check the maximum run with tol = -1 (never stop early) for 2,000 iterations, to the fixed point of EM in double
precision: the log-likelihood stops resolving parameter steps below about 1e-8 (a change of one ulp of logL), so
two implementations stopped by a tolerance on its change can stop a few iterations apart and differ by more than
the 1e-8 compared. One case stops after 25 iterations to check the trajectory step by step.
"""
import json
import os

import numpy as np
from scipy.special import logsumexp
from scipy.stats import norm


def fit(cat, levels, num, w, start, tol=1e-10, max_iter=1000, floor=1e-3):
    n = len(w)
    q = 0 if num is None else num.shape[1]
    observed = np.zeros(n, dtype=bool)
    for c in cat:
        observed |= c >= 0
    if q:
        observed |= (~np.isnan(num)).any(axis=1)
    weff = np.where(observed, w, 0.0)
    onehot = [(c[:, None] == np.arange(L)[None, :]).astype(float) for c, L in zip(cat, levels)]
    floors = np.ones(q)
    for t in range(q):
        ok = ~np.isnan(num[:, t]) & (weff > 0)
        m = np.average(num[ok, t], weights=weff[ok])
        v = np.average((num[ok, t] - m) ** 2, weights=weff[ok])
        floors[t] = floor * (v if v > 0 else 1.0)

    shares = np.array(start["shares"], dtype=float)
    probs = [np.array(p, dtype=float) for p in start["probabilities"]]  # K x L each
    means = np.array(start["means"], dtype=float).reshape(len(shares), q)
    variances = np.array(start["variances"], dtype=float).reshape(len(shares), q)

    def e_step():
        logj = np.tile(np.log(shares), (n, 1))
        for c, P in zip(cat, probs):
            ok = c >= 0
            logj[ok] += np.log(P).T[c[ok]]
        for t in range(q):
            ok = ~np.isnan(num[:, t])
            logj[ok] += norm.logpdf(num[ok, t][:, None], loc=means[:, t][None, :], scale=np.sqrt(variances[:, t])[None, :])
        lse = logsumexp(logj, axis=1)
        post = np.exp(logj - lse[:, None])
        return float(np.sum(weff * lse)), post

    ll, post = e_step()
    iterations = 0
    converged = False
    while iterations < max_iter:
        R = post * weff[:, None]
        shares = R.sum(axis=0) / R.sum()
        probs = []
        for H in onehot:
            counts = R.T @ H  # K x L
            probs.append(counts / counts.sum(axis=1, keepdims=True))
        for t in range(q):
            ok = ~np.isnan(num[:, t])
            Rt = R[ok]
            x = num[ok, t]
            sw = Rt.sum(axis=0)
            means[:, t] = (Rt * x[:, None]).sum(axis=0) / sw
            variances[:, t] = np.maximum((Rt * (x[:, None] - means[:, t][None, :]) ** 2).sum(axis=0) / sw, floors[t])
        iterations += 1
        new, post = e_step()
        change = abs(new - ll)
        ll = new
        if change <= tol:
            converged = True
            break

    K = len(shares)
    order = np.argsort(-shares, kind="stable")
    shares = shares[order]
    probs = [P[order] for P in probs]
    means = means[order]
    variances = variances[order]
    post = post[:, order]
    nobs = float(weff.sum())
    npar = (K - 1) + K * sum(L - 1 for L in levels) + 2 * K * q
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(post > 0, post * np.log(post), 0.0)
    h = -float(np.sum(weff[:, None] * plogp))
    return {
        "log_likelihood": ll,
        "iterations": iterations,
        "converged": converged,
        "shares": shares.tolist(),
        "probabilities": [P.ravel().tolist() for P in probs],
        "means": means.ravel().tolist(),
        "variances": variances.ravel().tolist(),
        "posterior": post.ravel().tolist(),
        "modal": np.argmax(post, axis=1).tolist(),
        "n": nobs,
        "n_parameters": npar,
        "aic": -2 * ll + 2 * npar,
        "bic": -2 * ll + npar * np.log(nobs),
        "sabic": -2 * ll + npar * np.log((nobs + 2) / 24),
        "entropy": 1 - h / (nobs * np.log(K)) if K > 1 else None,
    }


rng = np.random.RandomState(2024)


def simulate(n, shares, probs, num_params=None):
    """Rows from a latent class model: class memberships, then indicators given the class."""
    z = rng.choice(len(shares), size=n, p=shares)
    cat = [np.array([rng.choice(P.shape[1], p=P[zi]) for zi in z]) for P in probs]
    num = None
    if num_params is not None:
        mu, sd = num_params
        num = mu[z] + sd[z] * rng.normal(size=(n, mu.shape[1]))
    return z, cat, num


def random_start(K, levels, q, num):
    start = {
        "shares": (np.ones(K) / K).tolist(),
        "probabilities": [],
        "means": [],
        "variances": [],
    }
    for L in levels:
        P = rng.uniform(0.05, 1.0, size=(K, L))
        start["probabilities"].append((P / P.sum(axis=1, keepdims=True)).tolist())
    if q:
        m = np.nanmean(num, axis=0)
        s = np.nanstd(num, axis=0)
        start["means"] = (m[None, :] + s[None, :] * rng.uniform(-1.5, 1.5, size=(K, q))).tolist()
        start["variances"] = np.tile(s**2, (K, 1)).tolist()
    return start


def case(name, cat, levels, num, w, K, start=None, **kw):
    if start is None:
        start = random_start(K, levels, 0 if num is None else num.shape[1], num)
    out = fit(cat, levels, num, w, start, **kw)
    print(name, "K", K, "iterations", out["iterations"], "converged", out["converged"], "logL", out["log_likelihood"])
    return {
        "name": name,
        "k": K,
        "levels": levels,
        "categorical": [c.tolist() for c in cat],
        "numeric": None if num is None else [[None if np.isnan(v) else v for v in row] for row in num.tolist()],
        "numeric_cols": 0 if num is None else num.shape[1],
        "weights": w.tolist(),
        "start": {
            "shares": start["shares"],
            "probabilities": [np.ravel(P).tolist() for P in start["probabilities"]],
            "means": np.ravel(start["means"]).tolist(),
            "variances": np.ravel(start["variances"]).tolist(),
        },
        "options": {"tol": kw.get("tol", 1e-10), "max_iter": kw.get("max_iter", 1000), "floor": kw.get("floor", 1e-3)},
        "result": out,
    }


def with_missing(cat, share):
    out = []
    for c in cat:
        c = c.copy()
        c[rng.uniform(size=len(c)) < share] = -1
        out.append(c)
    return out


cases = []

# Categorical only, 3 classes, 8% missing at random, integer weights (as counts of distinct rows).
P1 = [
    np.array([[0.9, 0.1], [0.15, 0.85], [0.6, 0.4]]),
    np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.2, 0.7]]),
    np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.1, 0.1, 0.1, 0.7]]),
    np.array([[0.1, 0.1, 0.8], [0.8, 0.1, 0.1], [0.2, 0.7, 0.1]]),
    np.array([[0.85, 0.15], [0.5, 0.5], [0.1, 0.9]]),
]
_, cat1, _ = simulate(500, [0.5, 0.3, 0.2], P1)
cat1 = with_missing(cat1, 0.08)
# one row with every indicator missing: weight 0, posterior = shares
for c in cat1:
    c[7] = -1
w1 = rng.randint(1, 4, size=500).astype(float)
cases.append(case("categorical", cat1, [2, 3, 4, 3, 2], None, w1, 3, tol=-1.0, max_iter=2000))

# Mixed: 3 categorical + 2 numeric indicators (one with missing values), 2 classes, fractional weights.
P2 = [
    np.array([[0.8, 0.1, 0.1], [0.2, 0.3, 0.5]]),
    np.array([[0.3, 0.7], [0.75, 0.25]]),
    np.array([[0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4]]),
]
_, cat2, num2 = simulate(400, [0.6, 0.4], P2, (np.array([[30.0, 0.0], [45.0, 1.0]]), np.array([[8.0, 1.0], [12.0, 0.7]])))
cat2 = with_missing(cat2, 0.05)
num2[rng.uniform(size=400) < 0.1, 1] = np.nan
w2 = rng.uniform(0.5, 2.0, size=400)
cases.append(case("mixed", cat2, [3, 2, 4], num2, w2, 2, tol=-1.0, max_iter=2000))

# A class whose numeric indicator is one repeated value: its variance stops at the floor.
z3 = (rng.uniform(size=300) < 0.4).astype(int)
cat3 = [np.where(rng.uniform(size=300) < 0.85, z3, 1 - z3), rng.randint(0, 3, size=300)]
num3 = np.where(z3[:, None] == 1, 3.0, rng.normal(size=(300, 1)))
start3 = {
    "shares": [0.5, 0.5],
    "probabilities": [[[0.7, 0.3], [0.3, 0.7]], [[1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3]]],
    "means": [[0.0], [2.5]],
    "variances": [[1.0], [1.0]],
}
cases.append(case("variance_floor", cat3, [2, 3], num3, np.ones(300), 2, start=start3, tol=-1.0, max_iter=2000))

# Stopped by max_iter before convergence, 4 classes.
cases.append(case("max_iter", cat1, [2, 3, 4, 3, 2], None, w1, 4, tol=0.0, max_iter=25))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lca.json")
with open(path, "w") as f:
    json.dump({"numpy_version": np.__version__, "cases": cases}, f)
print(path, os.path.getsize(path), "bytes")
