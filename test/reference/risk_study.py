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

The inference model treats aliased columns and levels with no events as openbeat documents them
(src/studies/risk/inference.ts, src/ml/collinearity.ts), by its own means: aliased columns (exact combinations of
the intercept and earlier columns, in column order) are found by weighted least squares with numpy and left out of
the fit (no estimate, df without them, as R's glm); levels with no events need nothing special, Firth's estimate
being finite. Steps are capped at 5 (logistf's `maxstep`).

Real examples (test/e2e/risk-reference-real.e2e.test.ts): after `npm run build`,
    /usr/bin/python3 test/reference/risk_study.py --real [lmpd lmpd_no_leak orlando] [--full-out /tmp]
runs each example (node dist/cli/main.js run STUDY --data ../shared/data/... into a temporary folder), exports the
rows its model was fitted on (test/reference/risk_real_export.ts, to the temporary folder, never the repository),
reads features, date parts, min_frequency, references and min_cell from the study file, and writes
test/reference/risk_real_<example>.json: rows, events, the penalized and plain log-likelihood at the optimum, the
intercept, the reference level of each categorical, the aliased levels, the LR test of each variable, and for each
level whose rows, events and non-events are all >= min_cell its estimate, standard error and profile bounds (other
levels by name only; no per-level counts). About 3 minutes for the three. --full-out DIR also writes everything,
counts included, to DIR (keep it outside the repository).

With --csv FILE --target T --categorical A,B [--numeric X] [--min-frequency N] [--min-cell N] [--out FILE] it
computes the inference model and findings of any analysis table exported as CSV (outside the repository) and writes
them to --out instead; nothing is written into the repository then.
"""
import argparse
import json
import os

# The matrices here are at most a few thousand rows by ~100 columns: BLAS threads cost more than they give.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
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
from scipy.linalg import cho_solve
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
class Firth:
    """Firth's penalized logistic likelihood l*(b) = l(b) + 1/2 log det(D'WD) of a design D (intercept first) with
    frequency weights w, maximised by Fisher scoring on the modified score U* = D'(w(y - p) + h(1/2 - p)) with
    step-halving (Firth 1993; Heinze & Schemper 2002). Parameters can be held fixed (profile refits and LR tests).
    A point where D'WD is not positive definite has l* = -inf, so step-halving backs away from it."""

    def __init__(self, D, y, w):
        self.D, self.y, self.w = D, y, w

    def objective(self, b):
        eta = self.D @ b
        p = expit(eta)
        W = self.w * p * (1 - p)
        I = self.D.T @ (self.D * W[:, None])
        try:
            L = np.linalg.cholesky(I)
        except np.linalg.LinAlgError:
            return -np.inf, None
        ll = float(np.sum(self.w * (self.y * eta - np.logaddexp(0, eta))))
        return ll + float(np.sum(np.log(np.diag(L)))), (p, W, I, L, ll)

    def score(self, state):
        p, W, I, L, _ = state
        Iinv = cho_solve((L, True), np.eye(I.shape[0]))
        h = W * np.sum((self.D @ Iinv) * self.D, axis=1)  # hat values: diagonal of W^1/2 D I^-1 D' W^1/2
        return self.D.T @ (self.w * (self.y - p) + h * (0.5 - p))

    def fit(self, b0, fixed=None, tol=1e-10, maxit=500, maxstep=5.0):
        """Maximise over the parameters not in `fixed` (a boolean mask) from b0; returns (b, l*, state). No parameter
        moves by more than maxstep in one step (logistf's `maxstep`): an uncapped first step from the intercept-only
        start sends the levels with no or only events to |b| ~ 40, where their rows' weights underflow and the
        information matrix is singular to working precision, and scoring stalls there."""
        q = self.D.shape[1]
        free = np.ones(q, bool) if fixed is None else ~fixed
        b = b0.copy()
        f, state = self.objective(b)
        if state is None:
            raise ValueError("the information matrix is singular at the start: is the design rank deficient?")
        for _ in range(maxit):
            U = self.score(state)
            I = state[2]
            step = np.zeros(q)
            step[free] = np.linalg.solve(I[np.ix_(free, free)], U[free])
            big = np.max(np.abs(step))
            if big <= tol:
                break
            slack = 1e-12 * (1 + abs(f))
            t = min(1.0, maxstep / big)
            while t > 1e-10:
                fn, sn = self.objective(b + t * step)
                if fn >= f - slack:
                    break
                t /= 2
            else:
                raise ValueError(f"Firth fit: no step along the scoring direction raises l* (last step {big:.3g})")
            if fn - f <= slack:
                # a parameter only one row informs: the scoring step lands on the mirror point; half of it is the top
                fh, sh = self.objective(b + 0.5 * t * step)
                if fh > fn:
                    t, fn, sn = 0.5 * t, fh, sh
            b = b + t * step
            f, state = fn, sn
        else:
            raise ValueError(f"Firth fit did not converge in {maxit} steps (last step {big:.3g})")
        return b, f, state


def aliased_columns(D, w, tol=1e-10):
    """Columns of D (intercept first) whose weighted least-squares residual on the kept earlier columns has a squared
    norm <= tol times their own: each is an exact combination of earlier ones (R's lm/glm aliasing, taken in column
    order, so the later member of a dependency is the one dropped). Returns {column: {earlier column: coefficient}}."""
    A = D * np.sqrt(w)[:, None]
    kept, out = [], {}
    for j in range(D.shape[1]):
        x = A[:, j]
        nx = float(x @ x)
        coef = np.zeros(0)
        if kept:
            coef = np.linalg.lstsq(A[:, kept], x, rcond=None)[0]
            r = x - A[:, kept] @ coef
            rr = float(r @ r)
        else:
            rr = nx
        if nx > 0 and rr > tol * nx:
            kept.append(j)
        else:
            scale = max([abs(c) for c in coef] + [0.0])
            out[j] = {k: float(c) for k, c in zip(kept, coef) if abs(c) > 1e-9 * scale}
    return out


def profile_bound(model, b, fmax, j, direction, se):
    """The value t of parameter j where 2[l*(b) - max l* with b_j = t] = chi2_1(0.95), by brentq over constrained
    refits, each started from the previous refit (a warm start)."""
    target = fmax - CHI2_95 / 2
    fixed = np.zeros(len(b), bool)
    fixed[j] = True
    warm = [b.copy()]

    def g(t):
        b0 = warm[0].copy()
        b0[j] = t
        bt, f, _ = model.fit(b0, fixed=fixed, tol=1e-11)
        warm[0] = bt
        return f - target

    step = direction * np.sqrt(CHI2_95) * max(se, 0.05)
    a, x = b[j], b[j] + step
    for _ in range(60):
        if g(x) < 0:
            break
        a, x = x, x + step
        step *= 2
    else:
        return direction * np.inf
    lo, hi = (a, x) if a < x else (x, a)
    return brentq(g, lo, hi, xtol=1e-10)


def encode_reference(df, w, categorical, numeric, min_frequency=1, references=None):
    """The reference-coded design as openbeat documents it, built with pandas: each categorical's levels are the
    values seen at least min_frequency times in code-point order, then "(other)" for rarer ones; missing values are
    the level "(missing)"; the reference is `references[column]` or the most frequent level (ties: the first in that
    order) and gets no column; numeric columns are standardised (population sd)."""
    references = references or {}
    cols, names, columns, blocks, refs = [], [], [], [], {}
    for c in categorical:
        v = df[c].astype(object).where(df[c].notna(), "(missing)").astype(str)
        counts = pd.Series(w, index=v.values).groupby(level=0).sum()
        rare = sorted(l for l in counts.index if counts[l] < min_frequency)
        if rare:
            v = v.where(~v.isin(rare), "(other)")
            counts = pd.Series(w, index=v.values).groupby(level=0).sum()
        levels = sorted(l for l in counts.index if l != "(other)" or not rare) + (["(other)"] if rare else [])
        if c in references:
            ref = references[c]
        else:
            ref = next(l for l in levels if counts[l] == counts.max())
        refs[c] = {"reference": ref, "count": float(counts[ref]), "rule": "study_file" if c in references else "most_frequent"}
        block = []
        for l in levels:
            if l == ref:
                continue
            block.append(len(cols))
            cols.append((v == l).to_numpy(float))
            names.append(f"{c}={l}")
            columns.append(c)
        blocks.append((c, block))
    for c in numeric:
        x = df[c].to_numpy(float)
        m = np.average(x, weights=w)
        s = np.sqrt(np.average((x - m) ** 2, weights=w))
        blocks.append((c, [len(cols)]))
        cols.append((x - m) / (s if s > 0 else 1))
        names.append(c)
        columns.append(c)
    return np.column_stack(cols), names, columns, blocks, refs


def inference_reference(df, target, categorical, numeric, min_cell, profile_every=1, weights=None, min_frequency=1,
                        references=None):
    """The inference model: the reference-coded design, aliased columns found and left out (no estimate, as R's glm),
    Firth's fit, profile-likelihood intervals of the intercept and of every level with at least min_cell rows, and a
    penalized likelihood-ratio test per variable (its non-aliased columns fixed at 0, the others refitted with the
    penalty of the full design, as logistf's logistftest). Levels with no events need nothing special: Firth's
    estimate is finite. profile_every > 1 profiles only every so many of those parameters (faster, for a look)."""
    y = df[target].to_numpy(float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, float)
    X, names, columns, blocks, refs = encode_reference(df, w, categorical, numeric, min_frequency, references)
    Dall = np.column_stack([np.ones(len(y)), X])
    alias = aliased_columns(Dall, w)
    keep = [j for j in range(Dall.shape[1]) if j not in alias]
    D = Dall[:, keep]
    pos = {j: k for k, j in enumerate(keep)}  # column of Dall -> column of D
    model = Firth(D, y, w)
    b0 = np.zeros(D.shape[1])
    b0[0] = np.log((np.sum(w * y) + 0.5) / (np.sum(w * (1 - y)) + 0.5))
    b, fmax, state = model.fit(b0)
    grad = float(np.max(np.abs(model.score(state))))
    cov = np.linalg.inv(state[2])
    se = np.sqrt(np.diag(cov))
    counts = [float(w[X[:, k] != 0].sum()) for k in range(X.shape[1])]
    positives = [float((w * y)[X[:, k] != 0].sum()) for k in range(X.shape[1])]
    profiled = [0] + [pos[k + 1] for k in range(X.shape[1]) if k + 1 in pos and (counts[k] >= min_cell or names[k] in numeric)]
    lower = np.full(D.shape[1], np.nan)
    upper = np.full(D.shape[1], np.nan)
    for j in profiled[::profile_every]:
        lower[j] = profile_bound(model, b, fmax, j, -1, se[j])
        upper[j] = profile_bound(model, b, fmax, j, 1, se[j])
    tests = []
    for c, block in blocks:
        fixed = np.zeros(D.shape[1], bool)
        for k in block:
            if k + 1 in pos:
                fixed[pos[k + 1]] = True
        df_ = int(fixed.sum())
        if df_ == 0:
            tests.append({"column": c, "statistic": 0.0, "df": 0, "p": 1.0})
            continue
        bf = b.copy()
        bf[fixed] = 0
        _, f0, _ = model.fit(bf, fixed=fixed, tol=1e-11)
        stat = max(0.0, 2 * (fmax - f0))
        tests.append({"column": c, "statistic": stat, "df": df_, "p": float(stats.chi2.sf(stat, df_))})

    def full(v, k):  # value of design column k (0 = intercept) or None when aliased / not computed
        return None if k not in pos or np.isnan(v[pos[k]]) else float(v[pos[k]])

    nm = lambda k: "1" if k == 0 else names[k - 1]
    events = float((w * y).sum())
    return {
        "names": names,
        "columns": columns,
        "params": [full(b, k) for k in range(Dall.shape[1])],
        "se": [full(se, k) for k in range(Dall.shape[1])],
        "penalized_loglik": fmax,
        "loglik": state[4],
        "grad_inf": grad,
        "profile_lower": [full(lower, k) for k in range(Dall.shape[1])],
        "profile_upper": [full(upper, k) for k in range(Dall.shape[1])],
        "counts": counts,
        "positives": positives,
        "references": refs,
        "aliased": [{"feature": nm(k), "combination": {nm(t): c for t, c in comb.items()}} for k, comb in sorted(alias.items())],
        "lr_tests": tests,
        "rows": float(w.sum()),
        "events": events,
        "distinct_rows": len(y),
        "parameters": D.shape[1] - 1,
        "epv": min(events, w.sum() - events) / (D.shape[1] - 1),
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


# ---------------------------------------------------------------- the real examples
REAL = {
    "lmpd": ("examples/lmpd-officer-assaults.yaml", "../shared/data/lmpd-assaulted-officers"),
    "lmpd_no_leak": ("examples/lmpd-officer-assaults-no-leak.yaml", "../shared/data/lmpd-assaulted-officers"),
    "orlando": ("examples/orlando-officer-battered.yaml", "../shared/data/orlando-response-to-resistance"),
}
DATE_PARTS = {
    "hour": lambda d: d.dt.hour.map("{:02d}".format),
    "weekday": lambda d: d.dt.strftime("%u-%a"),
    "month": lambda d: d.dt.month.map("{:02d}".format),
    "year": lambda d: d.dt.year.astype(str),
    "day_of_year": lambda d: d.dt.dayofyear.map("{:03d}".format),
}


def study_features(path):
    """What the inference model of a risk study file reads: target, features, date parts, rare-level rule, references
    and the small-cell threshold. Refuses options this reference does not reproduce."""
    import yaml

    spec = yaml.safe_load(open(os.path.join(ROOT, path)))
    risk = spec["risk"]
    feats = risk.get("features", {})
    factors = risk.get("factors", {}) or {}
    if feats.get("exclude_values") or any((feats.get("fold") or {}).values()):
        raise SystemExit(f"{path}: features.exclude_values / fold are not reproduced by this reference")
    if factors.get("method", "firth") != "firth" or factors.get("intervals", "profile") != "profile":
        raise SystemExit(f"{path}: only factors.method firth with profile intervals is reproduced")
    min_cell = (spec.get("disclosure") or {}).get("min_cell", (spec.get("report") or {}).get("min_cell", 10))
    return {
        "target": risk["target"],
        "categorical": feats.get("categorical", []),
        "numeric": feats.get("numeric", []),
        "dates": [(d["column"], d["parts"]) for d in feats.get("dates", [])],
        "min_frequency": feats.get("min_frequency", 1),
        "missing": (feats.get("missing") or {}).get("categorical", "category"),
        "references": factors.get("reference", {}),
        "min_cell": min_cell,
    }


def real_table(csv, f):
    """The exported rows with each date part as a categorical column `COLUMN.part`; returns (table, categoricals)."""
    df = pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])
    cat = list(f["categorical"])
    for col, parts in f["dates"]:
        d = pd.to_datetime(df[col], format="%Y-%m-%d %H:%M:%S", errors="coerce")
        for p in parts:
            name = f"{col}.{p}"
            df[name] = pd.Series(np.nan, index=df.index, dtype=object)
            df.loc[d.notna(), name] = DATE_PARTS[p](d[d.notna()])
            cat.append(name)
    df[f["target"]] = df[f["target"]].astype(float)
    for c in f["numeric"]:
        df[c] = pd.to_numeric(df[c])
    if f["missing"] == "drop":
        # the model's rows were exported, and missing categories drop a row: none may be left
        assert not df[cat].isna().any().any(), f"{csv}: missing categories in the rows of a study that drops them"
    return df, cat


def public_reference(inf, numeric, min_cell):
    """What may be committed: no per-level counts, and a level's estimate and interval only when its rows, events and
    non-events are each at least min_cell (openbeat's disclosure rule for a published rate); other levels by name."""
    m = max(min_cell, 1)
    levels = []
    for k, name in enumerate(inf["names"]):
        c, e = inf["counts"][k], inf["positives"][k]
        entry = {"feature": name, "column": inf["columns"][k]}
        if inf["params"][k + 1] is None:
            entry["status"] = "aliased"
        elif name in numeric or (c >= m and e >= m and c - e >= m):
            entry.update(status="estimated", coefficient=inf["params"][k + 1], se=inf["se"][k + 1],
                         profile_lower=inf["profile_lower"][k + 1], profile_upper=inf["profile_upper"][k + 1])
        else:
            entry["status"] = "small"
        levels.append(entry)
    return {
        "rows": inf["rows"],
        "events": inf["events"],
        "distinct_rows": inf["distinct_rows"],
        "parameters": inf["parameters"],
        "epv": inf["epv"],
        "penalized_loglik": inf["penalized_loglik"],
        "loglik": inf["loglik"],
        "grad_inf": inf["grad_inf"],
        "intercept": {"coefficient": inf["params"][0], "se": inf["se"][0],
                      "profile_lower": inf["profile_lower"][0], "profile_upper": inf["profile_upper"][0]},
        "references": {c: {"reference": r["reference"], "rule": r["rule"]} for c, r in inf["references"].items()},
        "aliased": [{"feature": a["feature"], "combination": sorted(a["combination"])} for a in inf["aliased"]],
        "lr_tests": inf["lr_tests"],
        "levels": levels,
    }


def real_main(names, profile_every, full_dir):
    import time

    for name in names:
        study, data = REAL[name]
        f = study_features(study)
        with tempfile.TemporaryDirectory() as tmp:
            res, csv = os.path.join(tmp, "results"), os.path.join(tmp, "rows.csv")
            subprocess.run(["node", "dist/cli/main.js", "run", study, "--data", data, "--out", res, "--quiet"], check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL)
            subprocess.run(["npx", "tsx", os.path.join(HERE, "risk_real_export.ts"), res, csv], check=True, cwd=ROOT)
            df, cat = real_table(csv, f)
        t0 = time.time()
        # weighted distinct rows: the same likelihood, far fewer rows to refit
        distinct = df.groupby(cat + f["numeric"] + [f["target"]], dropna=False).size().reset_index(name="_w")
        inf = inference_reference(distinct, f["target"], cat, f["numeric"], f["min_cell"], profile_every,
                                  weights=distinct["_w"].to_numpy(float), min_frequency=f["min_frequency"],
                                  references=f["references"])
        seconds = time.time() - t0
        if full_dir:
            with open(os.path.join(full_dir, f"risk_real_{name}.full.json"), "w") as fh:
                json.dump(inf, fh)
        out = {"example": name, "study": study, "versions": VERSIONS, "method": "firth", "intervals": "profile",
               "min_cell": f["min_cell"], "profile_every": profile_every, **public_reference(inf, f["numeric"], f["min_cell"])}
        path = os.path.join(HERE, f"risk_real_{name}.json")
        with open(path, "w") as fh:
            json.dump(out, fh, indent=1)
            fh.write("\n")
        print(f"wrote {path} ({inf['distinct_rows']} distinct rows, {inf['parameters']} parameters, "
              f"{len(inf['aliased'])} aliased, {seconds:.1f} s)", file=sys.stderr)


# ---------------------------------------------------------------- main
VERSIONS = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
            "statsmodels": statsmodels.__version__, "pandas": pd.__version__}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", nargs="*", choices=sorted(REAL), help="the real examples to run (none named: all)")
    ap.add_argument("--full-out", help="also write the unfiltered reference of each real example to this directory")
    ap.add_argument("--csv")
    ap.add_argument("--target")
    ap.add_argument("--categorical", default="")
    ap.add_argument("--numeric", default="")
    ap.add_argument("--min-frequency", type=int, default=1)
    ap.add_argument("--min-cell", type=int, default=10)
    ap.add_argument("--min-count", type=int, default=30)
    ap.add_argument("--out")
    ap.add_argument("--profile-every", type=int, default=1)
    a = ap.parse_args()
    versions = VERSIONS
    if a.real is not None:
        real_main(a.real or sorted(REAL), a.profile_every, a.full_out)
        return
    if a.csv:
        df = pd.read_csv(a.csv, keep_default_na=False, na_values=[""])
        cat = [c for c in a.categorical.split(",") if c]
        num = [c for c in a.numeric.split(",") if c]
        df = df[df[a.target].notna()].dropna(subset=cat + num)
        findings = findings_reference(df, a.target, cat, a.min_count)
        # weighted distinct rows: the same likelihood, far fewer rows to profile
        distinct = df.groupby(cat + num + [a.target], dropna=False).size().reset_index(name="_w")
        inf = inference_reference(distinct, a.target, cat, num, a.min_cell, a.profile_every, weights=distinct["_w"].to_numpy(float),
                                  min_frequency=a.min_frequency)
        with open(a.out, "w") as f:
            json.dump({"versions": versions, "inference": inf, "findings": findings}, f)
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
