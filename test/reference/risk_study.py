"""Study-level reference for the risk study (test/studies/risk/study-reference.test.ts).

Run with Debian's Python (scikit-learn 1.2, statsmodels 0.13, scipy 1.10, numpy 1.24, pandas 1.5):
    /usr/bin/python3 test/reference/risk_study.py
It generates test/fixtures/risk-study/incidents.csv (synthetic, seeded), runs the study in
test/fixtures/risk-study/study.yaml through openbeat (npx tsx test/reference/risk_study_run.ts) to get its
out-of-fold scores, and writes test/reference/risk_study.json with what an independent implementation says the
study's numbers must be:
- calibration of the out-of-fold calibrated scores: scikit-learn brier_score_loss and calibration_curve
  (quantile bins, with counts), statsmodels GLM calibration intercept (logit offset) and slope with Wald intervals;
- the inference model: the reference-coded design (most frequent level as reference) built with pandas, Firth's
  penalized likelihood written here in numpy from its definition, profile-likelihood intervals by brentq over
  constrained refits, penalized likelihood-ratio tests per predictor (refit with the block fixed at 0, the penalty
  of the full design, as logistf's logistftest), and the events per variable;
- findings: Wilson intervals (statsmodels proportion_confint), scipy fisher_exact of each group against the rest,
  statsmodels multipletests fdr_bh q-values over all groups;
- the drift check: scipy chi2_contingency (no continuity correction) over quarters with at least 100 rows;
- leakage: the levels whose Wilson interval reaches 0.8 with a lower bound whose odds are 10x the base odds.

With --csv FILE --target T --categorical A,B [--numeric X] [--min-cell N] [--out FILE] it computes the inference
model and findings of any analysis table exported as CSV (e.g. a real study's prepared.parquet, outside the
repository) and writes them to --out instead; nothing is written into the repository then.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd
import scipy
import sklearn
import statsmodels
import statsmodels.api as sm
from scipy import stats
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

warnings.simplefilter("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(ROOT, "test", "fixtures", "risk-study")
CHI2_95 = stats.chi2.ppf(0.95, 1)


def arr(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


# ---------------------------------------------------------------- the generated study
def generate(path):
    r = np.random.RandomState(2026)
    n = 3000
    premises = ["HOME", "STREET", "STORE", "BAR", "PARK", "VACANT LOT"]
    p_prem = np.array([0.45, 0.25, 0.15, 0.08, 0.066, 0.004])
    offenses = ["ASSAULT 4", "THREAT", "MENACING", "ASSAULT 2"]
    p_off = np.array([0.5, 0.25, 0.15, 0.1])
    premise = r.choice(premises, size=n, p=p_prem / p_prem.sum()).astype(object)
    offense = r.choice(offenses, size=n, p=p_off / p_off.sum()).astype(object)
    age = np.round(r.normal(34, 11, size=n).clip(14, 90))
    days = r.randint(0, 3 * 365, size=n)
    occurred = pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D") + pd.to_timedelta(r.randint(0, 24 * 60, size=n), unit="m")
    eff_p = {"HOME": 0.0, "STREET": 1.2, "STORE": 0.5, "BAR": 1.0, "PARK": -0.3, "VACANT LOT": -1.5}
    eff_o = {"ASSAULT 4": 0.0, "THREAT": 0.4, "MENACING": 1.6, "ASSAULT 2": -0.6}
    trend = -0.5 * days / 365.0
    z = -3.0 + np.array([eff_p[v] for v in premise]) + np.array([eff_o[v] for v in offense]) + 0.02 * (age - 34) + trend
    outcome = (r.uniform(size=n) < expit(z)).astype(int)
    # a level seen once (no event), and an offence code that records the outcome (every row positive)
    premise[7] = "ROOFTOP"
    outcome[7] = 0
    leak = np.flatnonzero(outcome == 1)[:6]
    offense[leak] = "ASSAULT ON OFFICER"
    # VACANT LOT has no event at all
    outcome[premise == "VACANT LOT"] = 0
    late = r.uniform(size=n) < np.where(outcome == 1, 0.15, 0.02)
    df = pd.DataFrame({
        "id": [f"G-{i:05d}" for i in range(n)],
        "occurred": occurred.strftime("%Y-%m-%d %H:%M:%S"),
        "premise": premise,
        "offense": offense,
        "age": age.astype(int),
        "outcome": outcome,
        "late_report": np.where(late, "true", "false"),
    })
    df.loc[11, "occurred"] = ""  # one blank date: kept, its label window unknown
    df.to_csv(path, index=False)
    return df


# ---------------------------------------------------------------- Firth logistic regression in numpy
W8 = None  # frequency weights of the rows (None: every row counts once); set for weighted distinct rows


def wts(y):
    return np.ones(len(y)) if W8 is None else W8


def loglik(D, y, b):
    eta = D @ b
    return float(np.sum(wts(y) * (y * eta - np.logaddexp(0, eta))))


def pen_loglik(D, y, b):
    p = expit(D @ b)
    W = wts(y) * p * (1 - p)
    sign, logdet = np.linalg.slogdet(D.T @ (D * W[:, None]))
    return loglik(D, y, b) + 0.5 * logdet


def firth(D, y, fixed=None, b0=None, tol=1e-12, maxit=1000):
    """Maximise l(b) + 1/2 log det(D'WD) over the free parameters (fixed ones stay at b0) by Fisher scoring on
    the modified score U* = D'(y - p + h(1/2 - p)) with step-halving; a step that gains nothing is halved too
    (the mirror point of a level seen once)."""
    q = D.shape[1]
    b = np.zeros(q) if b0 is None else b0.copy()
    free = np.ones(q, bool) if fixed is None else ~fixed
    f = pen_loglik(D, y, b)
    w = wts(y)
    for _ in range(maxit):
        p = expit(D @ b)
        W = w * p * (1 - p)
        I = D.T @ (D * W[:, None])
        Iinv = np.linalg.inv(I)
        h = W * np.einsum("ij,jk,ik->i", D, Iinv, D)
        U = D.T @ (w * (y - p) + h * (0.5 - p))
        Isub = I[np.ix_(free, free)]
        step = np.zeros(q)
        step[free] = np.linalg.solve(Isub, U[free])
        if np.max(np.abs(step)) < tol:
            break
        t = 1.0
        while t > 1e-10:
            fn = pen_loglik(D, y, b + t * step)
            if fn >= f - 1e-12 * (1 + abs(f)):
                break
            t /= 2
        if pen_loglik(D, y, b + t * step) - f <= 1e-12 * (1 + abs(f)):
            half = pen_loglik(D, y, b + 0.5 * t * step)
            if half > pen_loglik(D, y, b + t * step):
                t /= 2
        b = b + t * step
        f = pen_loglik(D, y, b)
    p = expit(D @ b)
    W = w * p * (1 - p)
    I = D.T @ (D * W[:, None])
    h = W * np.einsum("ij,jk,ik->i", D, np.linalg.inv(I), D)
    grad = D.T @ (w * (y - p) + h * (0.5 - p))
    return b, f, float(np.max(np.abs(grad[free])))


def profile_bound(D, y, b, fmax, j, direction, se):
    target = fmax - CHI2_95 / 2

    def g(t):
        fixed = np.zeros(D.shape[1], bool)
        fixed[j] = True
        b0 = b.copy()
        b0[j] = t
        _, f, _ = firth(D, y, fixed=fixed, b0=b0, tol=1e-11)
        return f - target

    step = direction * max(se, 0.1) * 2
    a, lo = b[j], b[j] + step
    for _ in range(60):
        if g(lo) < 0:
            break
        a, lo = lo, lo + step
        step *= 2
    x0, x1 = (a, lo) if a < lo else (lo, a)
    return brentq(g, x0, x1, xtol=1e-10)


def inference_reference(df, target, categorical, numeric, min_cell, profile_every=1):
    y = df[target].to_numpy(float)
    cols, names, blocks, refs = [], [], [], {}
    for c in categorical:
        v = df[c].fillna("(missing)").astype(str)
        counts = pd.Series(wts(y), index=v.values).groupby(level=0).sum()
        levels = sorted(counts.index)
        ref = [l for l in levels if counts[l] == counts.max()][0]  # most frequent; ties: first in code-point order
        refs[c] = {"reference": ref, "count": int(counts[ref])}
        block = []
        for l in levels:
            if l == ref:
                continue
            block.append(len(cols))
            cols.append((v == l).to_numpy(float))
            names.append(f"{c}={l}")
        blocks.append((c, block))
    for c in numeric:
        x = df[c].to_numpy(float)
        m = np.average(x, weights=wts(y))
        s = np.sqrt(np.average((x - m) ** 2, weights=wts(y)))
        blocks.append((c, [len(cols)]))
        cols.append((x - m) / (s if s > 0 else 1))
        names.append(c)
    X = np.column_stack(cols)
    D = np.column_stack([np.ones(len(y)), X])
    b, fmax, grad = firth(D, y)
    p = expit(D @ b)
    W = wts(y) * p * (1 - p)
    cov = np.linalg.inv(D.T @ (D * W[:, None]))
    se = np.sqrt(np.diag(cov))
    counts = [int(wts(y)[X[:, k] != 0].sum()) for k in range(X.shape[1])]
    profiled = [0] + [k + 1 for k in range(X.shape[1]) if counts[k] >= min_cell and names[k] not in numeric] + \
               [k + 1 for k in range(X.shape[1]) if names[k] in numeric]
    lower = [None] * D.shape[1]
    upper = [None] * D.shape[1]
    for j in profiled[::profile_every]:
        lower[j] = profile_bound(D, y, b, fmax, j, -1, se[j])
        upper[j] = profile_bound(D, y, b, fmax, j, 1, se[j])
    tests = []
    for c, block in blocks:
        fixed = np.zeros(D.shape[1], bool)
        for k in block:
            fixed[k + 1] = True
        b0 = b.copy()
        b0[fixed] = 0
        _, f0, _ = firth(D, y, fixed=fixed, b0=b0, tol=1e-11)
        stat = max(0.0, 2 * (fmax - f0))
        tests.append({"column": c, "statistic": stat, "df": len(block), "p": float(stats.chi2.sf(stat, len(block)))})
    events = float((wts(y) * y).sum())
    return {
        "names": names,
        "params": arr(b),
        "se": arr(se),
        "penalized_loglik": fmax,
        "loglik": loglik(D, y, b),
        "grad_inf": grad,
        "profile_lower": [None if v is None else float(v) for v in lower],
        "profile_upper": [None if v is None else float(v) for v in upper],
        "counts": counts,
        "references": refs,
        "lr_tests": tests,
        "epv": min(events, wts(y).sum() - events) / X.shape[1],
    }


# ---------------------------------------------------------------- findings, calibration, drift, leakage
def findings_reference(df, target, by, min_count):
    y = df[target].to_numpy(int)
    n, P = len(y), int(y.sum())
    rows = []
    for c in by:
        v = df[c].fillna("(missing)").astype(str)
        for level, g in df.groupby(v):
            k, m = int(g[target].sum()), len(g)
            if m < min_count:
                continue
            lo, hi = proportion_confint(k, m, alpha=0.05, method="wilson")
            _, pv = stats.fisher_exact([[k, m - k], [P - k, n - m - (P - k)]])
            rows.append({"by": c, "value": level, "count": m, "positives": k, "rate": k / m, "ci95": [lo, hi], "p": float(pv)})
    q = multipletests([r["p"] for r in rows], method="fdr_bh")[1] if rows else []
    bonf = multipletests([r["p"] for r in rows], method="bonferroni")[1] if rows else []
    for r, qv, bv in zip(rows, q, bonf):
        r["q"] = float(qv)
        r["bonferroni"] = float(bv)
    return rows


def calibration_reference(y, s, bins=10):
    lp = np.log(np.clip(s, 1e-15, 1 - 1e-15)) - np.log1p(-np.clip(s, 1e-15, 1 - 1e-15))
    large = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=lp).fit(tol=1e-14, maxiter=100)
    line = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit(tol=1e-14, maxiter=100)
    prob_true, prob_pred = calibration_curve(y, s, n_bins=bins, strategy="quantile")
    edges = np.percentile(s, np.linspace(0, 1, bins + 1) * 100)
    ids = np.searchsorted(edges[1:-1], s)
    counts = np.bincount(ids, minlength=bins)
    nz = np.flatnonzero(counts)
    return {
        "brier": float(brier_score_loss(y, s)),
        "mean_predicted": float(s.mean()),
        "observed_rate": float(y.mean()),
        "intercept": float(large.params[0]),
        "intercept_ci95": arr(large.conf_int()[0]),
        "slope": float(line.params[1]),
        "slope_ci95": arr(line.conf_int()[1]),
        "ece": float(np.sum(counts[nz] * np.abs(prob_true - prob_pred)) / counts.sum()),
        "curve": [{"bin": int(b) + 1, "n": int(c), "mean_predicted": float(mp), "observed": float(ob)}
                  for b, c, mp, ob in zip(nz, counts[nz], prob_pred, prob_true)],
    }


def drift_reference(df, target, date, min_rows=100):
    d = pd.to_datetime(df[date], errors="coerce")
    dated = df[d.notna()]
    q = d[d.notna()].dt.year.astype(str) + "-Q" + d[d.notna()].dt.quarter.astype(str)
    table = dated.groupby(q)[target].agg(["count", "sum"])
    compared = table[table["count"] >= min_rows]
    chi2, p, dof, _ = stats.chi2_contingency(np.column_stack([compared["sum"], compared["count"] - compared["sum"]]), correction=False)
    rates = compared["sum"] / compared["count"]
    return {"periods": list(table.index), "rows": [int(v) for v in table["count"]], "positives": [int(v) for v in table["sum"]],
            "statistic": float(chi2), "df": int(dof), "p_value": float(p), "highest": float(rates.max()), "lowest": float(rates.min())}


def leakage_reference(df, target, categorical, rate=0.8, odds_ratio=10):
    y = df[target].to_numpy(float)
    base = y.mean()
    base_odds = base / (1 - base)
    flagged = []
    for c in categorical:
        for level, g in df.groupby(df[c].fillna("(missing)").astype(str)):
            k, m = int(g[target].sum()), len(g)
            lo, hi = proportion_confint(k, m, alpha=0.05, method="wilson")
            if hi >= rate and lo / (1 - lo) >= odds_ratio * base_odds:
                flagged.append({"column": c, "value": level, "wilson_lower": lo})
    return flagged


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv")
    ap.add_argument("--target")
    ap.add_argument("--categorical", default="")
    ap.add_argument("--numeric", default="")
    ap.add_argument("--min-cell", type=int, default=10)
    ap.add_argument("--min-count", type=int, default=30)
    ap.add_argument("--out")
    ap.add_argument("--profile-every", type=int, default=1)
    a = ap.parse_args()
    versions = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
                "statsmodels": statsmodels.__version__, "pandas": pd.__version__}
    if a.csv:
        df = pd.read_csv(a.csv, keep_default_na=False, na_values=[""])
        cat = [c for c in a.categorical.split(",") if c]
        num = [c for c in a.numeric.split(",") if c]
        df = df[df[a.target].notna()].dropna(subset=cat + num)
        findings = findings_reference(df, a.target, cat, a.min_count)
        # weighted distinct rows: the same likelihood, far fewer rows to profile
        global W8
        distinct = df.groupby(cat + num + [a.target], dropna=False).size().reset_index(name="_w")
        W8 = distinct["_w"].to_numpy(float)
        out = {"versions": versions, "inference": inference_reference(distinct, a.target, cat, num, a.min_cell, a.profile_every),
               "findings": findings}
        with open(a.out, "w") as f:
            json.dump(out, f)
        return

    df_all = generate(os.path.join(FIXTURE, "incidents.csv"))
    with tempfile.TemporaryDirectory() as tmp:
        res = os.path.join(tmp, "results")
        subprocess.run(["npx", "tsx", os.path.join(HERE, "risk_study_run.ts"), os.path.join(FIXTURE, "study.yaml"), FIXTURE, res],
                       check=True, cwd=ROOT)
        scores = pd.read_csv(os.path.join(res, "scores.csv"))
    occurred = pd.to_datetime(df_all["occurred"], errors="coerce")
    keep = occurred.isna() | (occurred < pd.Timestamp("2021-07-01"))
    df = df_all[keep].reset_index(drop=True)
    censored_after = int((~keep).sum())
    merged = df.merge(scores, on="id", how="left")
    assert merged["_score"].notna().all(), "every kept row has an out-of-fold score"
    y = merged["outcome"].to_numpy(float)
    out = {
        "versions": versions,
        "rows": len(df),
        "positives": int(df["outcome"].sum()),
        "censored_after": censored_after,
        "undated": int(df["occurred"].isna().sum() + (df["occurred"] == "").sum()),
        "score_sum": float(merged["_score"].sum()),
        "calibration": calibration_reference(y, merged["_score"].to_numpy(float)),
        "calibration_raw": calibration_reference(y, merged["_score_raw"].to_numpy(float)),
        "inference": inference_reference(df, "outcome", ["premise", "offense"], ["age"], 10),
        "findings": findings_reference(df, "outcome", ["premise", "offense"], 30),
        "drift": drift_reference(df, "outcome", "occurred"),
        "leakage": leakage_reference(df, "outcome", ["premise", "offense"]),
        "late_report": {"positives": int(((df["late_report"] == "true") & (df["outcome"] == 1)).sum()),
                        "negatives": int(((df["late_report"] == "true") & (df["outcome"] == 0)).sum())},
    }
    with open(os.path.join(HERE, "risk_study.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", os.path.join(HERE, "risk_study.json"), file=sys.stderr)


if __name__ == "__main__":
    main()
