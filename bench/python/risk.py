"""The pandas / scikit-learn / imbalanced-learn / statsmodels equivalent of openbeat's LMPD officer-assault risk study,
written as a careful Python user would: sparse one-hot (OneHotEncoder -> CSR), the libraries' default threads, and
the settings of the study file itself. It does the work `openbeat run examples/lmpd-officer-assaults.yaml` does
(src/studies/risk/run-risk.ts), step for step, so the time ratio of bench/run.ts compares like with like.

/usr/bin/python3 bench/python/risk.py --study examples/lmpd-officer-assaults.yaml --data DIR --out results.json

DIR holds AssaultedOfficerData.csv and Crime.csv (the LMPD exports or src/synthetic/lmpd.ts output). The steps,
each timed (results.json `timings`):
- prepare: officer incidents since 2019 full-outer-joined to the crime reports on INCIDENT_NUMBER; the label is
  "an officer was assaulted"; DATE_OCCURED / UOR_DESC / PREMISE_TYPE from the crime report, else the officer file;
  `no_crime_report` for officer incidents missing from the crime extract; the label window (risk.label.censor_before
  / censor_after on risk.date: rows outside are left out, undated rows kept), then rows missing a feature dropped
  (`missing: { categorical: drop }`); duplicate ids counted;
- encode: OneHotEncoder to CSR (every value a level, as openbeat's encoder with min_frequency 1);
- label: the positive rate by quarter and the chi-squared test of equal rates over quarters with >= drift.min_rows
  rows (scipy chi2_contingency), and each label.checks count by class (the `no_crime_report` rows);
- leakage: levels whose Wilson interval reaches leakage.rate with a lower bound whose odds are leakage.odds_ratio
  times the base odds (statsmodels proportion_confint);
- cross_validation: StratifiedKFold(folds, shuffle, seed); per fold imblearn SMOTE(k_neighbors, random_state=seed
  + fold) then LogisticRegression(C, lbfgs, max_iter, tol) on the training rows; the test rows' raw scores are
  prior-shift corrected from the resampled rate back to the fold's training rate, and flagged at the cost/balanced
  threshold (1 / (1 + negatives/positives of the training rows)); balanced accuracy, precision, recall, F1, ROC AUC,
  PR AUC, confusion matrix per fold;
- out_of_fold: imblearn's classification_report_imbalanced, ROC and PR curves, recall/precision when flagging the
  top 1..50% of rows, and the calibration summary of the calibrated and of the raw scores (Brier, mean prediction,
  statsmodels GLM calibration intercept and slope with Wald intervals, ECE and reliability curve over 10 quantile bins);
- compare_resampling: the same folds twice more, resample `none` (no calibration) and `class_weight` (balanced
  weights, prior shift), each with its calibration summaries (compare_resampling: true, the default);
- final_model: SMOTE + LogisticRegression on all rows (the scoring model of model.json), its prior-shift calibrator
  and the threshold on all rows;
- inference: Firth's penalised logistic regression on the reference-coded design of the real rows (never
  resampled), merged into weighted distinct rows, aliased columns, profile-likelihood 95% intervals of the intercept
  and of every level with >= min_cell rows, a penalised likelihood-ratio test per variable, events per variable and
  variance inflation factors; the numpy/scipy implementation of test/reference/risk_study.py
  (inference_reference), imported, not copied;
- findings: positive rate by each `findings.by` value with >= min_count rows, Wilson 95% intervals, lift, scipy
  fisher_exact of the group against the rest, statsmodels multipletests fdr_bh q-values over all groups
  (risk_study.findings_reference).
openbeat also writes report.html, features.parquet, prepared.parquet, model.json, the CSV tables and manifest.json,
and applies the disclosure rule (small cells suppressed) to what it writes; this script writes results.json only (no
pyarrow on this machine), which is the difference in work left.
"""
import argparse
import os
import sys

from common import Steps, study_settings, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "test", "reference")

steps = Steps()
with steps("imports"):
    import numpy as np
    import pandas as pd
    from imblearn.metrics import classification_report_imbalanced
    from imblearn.over_sampling import SMOTE
    from scipy.special import expit, logit
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import (
        average_precision_score,
        balanced_accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_curve,
        precision_score,
        recall_score,
        roc_auc_score,
        roc_curve,
    )
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.utils.class_weight import compute_sample_weight

    # The study-level reference implementations (Firth with profile bounds, findings, calibration, drift, leakage).
    # risk_study sets OPENBLAS_NUM_THREADS=1 for its own small matrices; numpy is loaded already, so BLAS keeps its
    # default threads, and the variable is put back as it was.
    _blas = os.environ.get("OPENBLAS_NUM_THREADS")
    sys.path.insert(0, REFERENCE)
    import risk_study as ref

    if _blas is None:
        os.environ.pop("OPENBLAS_NUM_THREADS", None)


# ---------------------------------------------------------------- data
def prepare(data_dir, features, date):
    """The study's two prepare steps: officer incidents since 2019, full-outer-joined to the crime reports."""
    officers = pd.read_csv(f"{data_dir}/AssaultedOfficerData.csv", dtype=str, keep_default_na=False)
    crimes = pd.read_csv(f"{data_dir}/Crime.csv", dtype=str, keep_default_na=False)
    fmt = "%m/%d/%Y %H:%M"
    officers[date] = pd.to_datetime(officers[date], format=fmt, errors="coerce")
    recent = officers.loc[officers[date] >= "2019-01-01", ["INCIDENT_NUMBER", date] + features]
    crimes = crimes[["INCIDENT_NUMBER", date] + features].copy()
    crimes[date] = pd.to_datetime(crimes[date], format=fmt, errors="coerce")
    table = crimes.merge(recent, on="INCIDENT_NUMBER", how="outer", suffixes=("", "_officer"), indicator=True)
    table["officer_assaulted"] = (table["_merge"] != "left_only").astype(int)
    table["no_crime_report"] = table["_merge"] == "right_only"
    table[date] = table[date].fillna(table[f"{date}_officer"])
    for c in features:
        value = table[c].where(table[c].notna() & (table[c] != ""), table[f"{c}_officer"])
        table[c] = value.where(value != "")
    table = table[["INCIDENT_NUMBER", date, "officer_assaulted", "no_crime_report"] + features].reset_index(drop=True)
    return table, len(officers), len(crimes)


def label_window(table, date, label):
    """Rows dated before censor_before or after censor_after (a plain date: after its end) are left out; undated kept."""
    dropped, keep = {}, pd.Series(True, index=table.index)
    d = table[date]
    before, after = label.get("censor_before"), label.get("censor_after")
    if before:
        out = d < pd.Timestamp(str(before))
        dropped[f"dated before {before} (label.censor_before)"] = int((out & keep).sum())
        keep &= ~out
    if after:
        s = str(after)
        hi = pd.Timestamp(s) if any(ch in s for ch in " T") else pd.Timestamp(s) + pd.Timedelta(days=1)
        out = d > hi if any(ch in s for ch in " T") else d >= hi
        dropped[f"dated after {after} (label.censor_after)"] = int((out & keep).sum())
        keep &= ~out
    return keep, dropped


# ---------------------------------------------------------------- model pieces
def model(risk, class_weight=None):
    m = risk.get("model", {})
    return LogisticRegression(C=m.get("C", 1.0), solver="lbfgs", max_iter=m.get("max_iter", 1000), tol=m.get("tol", 1e-4),
                              class_weight=class_weight)


def calibration_for(resample, spec):
    """The calibration a setting gets: `auto` is the prior-shift correction unless nothing was resampled."""
    method = spec.get("method", "auto")
    if method != "auto":
        return method
    return "none" if resample == "none" else "prior_shift"


def train(X, y, resample, risk, seed, fits):
    """Resamples (or weights) the training rows and fits; returns the model and the positive rate it was trained at."""
    if resample == "smote":
        k = risk.get("resample", {}).get("k_neighbors", 5)
        Xr, yr = SMOTE(k_neighbors=k, random_state=seed).fit_resample(X, y)
        lr, rate = model(risk).fit(Xr, yr), float(yr.mean())
    elif resample == "class_weight":
        lr = model(risk, class_weight="balanced").fit(X, y)
        w = compute_sample_weight("balanced", y)
        rate = float(np.sum(w * y) / np.sum(w))
    elif resample == "none":
        lr, rate = model(risk).fit(X, y), float(y.mean())
    else:
        raise SystemExit(f"resample {resample!r} is not reproduced by this benchmark")
    fits.append(bool(lr.n_iter_[0] >= lr.max_iter))
    return lr, rate


def prior_shift(p, original, resampled):
    """Scores of a model trained at positive rate `resampled` moved to rate `original` (Elkan 2001): a logit shift."""
    if original == resampled:
        return p.copy()
    shift = logit(original) - logit(resampled)
    out = expit(logit(p) + shift)
    return np.where((p == 0) | (p == 1), p, out)


def rule_threshold(rule, rate, scores):
    """The threshold of the study's rule on calibrated scores (run-risk.ts ruleThreshold)."""
    if isinstance(rule, (int, float)):
        return float(rule)
    if rule["method"] == "fixed":
        return float(rule["value"])
    if rule["method"] == "top_share":
        s = np.sort(scores)
        return float(s[len(s) - min(len(s), max(1, round(rule["share"] * len(s))))])
    ratio = rule.get("cost_ratio", "balanced")
    ratio = (1 - rate) / rate if ratio == "balanced" else ratio
    return 1 / (1 + ratio)


def fold_metrics(y, p, threshold):
    pred = (p >= threshold).astype(int)
    return {
        "balanced_accuracy": balanced_accuracy_score(y, pred),
        "precision": precision_score(y, pred, zero_division=0),
        "recall": recall_score(y, pred),
        "f1": f1_score(y, pred),
        "roc_auc": roc_auc_score(y, p),
        "pr_auc": average_precision_score(y, p),
        "confusion": confusion_matrix(y, pred, labels=[0, 1]),
    }


def cross_validate(X, y, splits, resample, calibration, risk, seed, rule, fits):
    """Every split: resample and fit on the training rows, calibrate from the training rows' rates, score the test rows."""
    raw, cal = np.full(len(y), np.nan), np.full(len(y), np.nan)
    folds = []
    for f, (tr, te) in enumerate(splits):
        rate = float(y[tr].mean())
        lr, resampled = train(X[tr], y[tr], resample, risk, seed + f, fits)
        p = lr.predict_proba(X[te])[:, 1]
        if calibration == "prior_shift":
            c = prior_shift(p, rate, resampled)
        elif calibration == "none":
            c = p
        else:
            raise SystemExit(f"calibration {calibration!r} is not reproduced by this benchmark")
        raw[te], cal[te] = p, c
        t = rule_threshold(rule, rate, c)
        folds.append({"test": te, "train_rate": rate, "resampled_rate": resampled, "threshold": t,
                      "metrics": fold_metrics(y[te], c, t)})
    return {"resample": resample, "calibration": calibration, "raw": raw, "calibrated": cal, "folds": folds}


def mean_sd(values):
    return {"mean": float(np.mean(values)), "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0}


def calibration_summary(y, p, bins):
    """risk_study.calibration_reference: brier_score_loss, calibration_curve (quantile bins), statsmodels GLM fits.
    Intercept and slope are NaN where statsmodels cannot fit them (openbeat's "no estimate")."""
    try:
        return ref.calibration_reference(y, p, bins)
    except Exception as e:  # noqa: BLE001 - a perfect separation or a singular fit: no estimate
        print(f"calibration summary: {e}", file=sys.stderr)
        return {"brier": float(np.mean((p - y) ** 2)), "mean_predicted": float(p.mean()), "intercept": float("nan"),
                "slope": float("nan"), "ece": float("nan")}


def comparison_row(y, cv, bins, chosen):
    cal = calibration_summary(y, cv["calibrated"], bins)
    raw = calibration_summary(y, cv["raw"], bins)
    m = [f["metrics"] for f in cv["folds"]]
    return {
        "resample": cv["resample"], "calibration": cv["calibration"], "chosen": chosen,
        **{k: mean_sd([f[k] for f in m]) for k in ("roc_auc", "pr_auc", "balanced_accuracy")},
        "brier": cal["brier"], "mean_predicted": cal["mean_predicted"], "calibration_intercept": cal["intercept"],
        "calibration_slope": cal["slope"], "ece": cal["ece"],
        "raw_brier": raw["brier"], "raw_mean_predicted": raw["mean_predicted"], "raw_calibration_slope": raw["slope"],
    }


# ---------------------------------------------------------------- inference
def weighted_vif(D, w):
    """Variance inflation factors S_jj (S^-1)_jj from the weighted covariance of the design columns (no intercept)."""
    mu = np.average(D, axis=0, weights=w)
    dev = D - mu
    S = (dev * w[:, None]).T @ dev / w.sum()
    return np.diag(S) * np.diag(np.linalg.inv(S))


def inference(table, target, features, min_cell, references):
    """Firth model on weighted distinct rows (risk_study.inference_reference), with openbeat's ranking of its factors."""
    distinct = table.groupby(features + [target], dropna=False).size().reset_index(name="_w")
    w = distinct["_w"].to_numpy(float)
    inf = ref.inference_reference(distinct, target, features, [], min_cell, weights=w, references=references)
    X = ref.encode_reference(distinct, w, features, [], 1, references)[0]
    alias = {a["feature"] for a in inf["aliased"]}
    free = [k for k, name in enumerate(inf["names"]) if name not in alias]
    vif = np.full(len(inf["names"]), np.inf)
    vif[free] = weighted_vif(X[:, free], w)
    tests = {t["column"]: t for t in inf["lr_tests"]}
    order = sorted(tests, key=lambda c: (tests[c]["p"], -tests[c]["statistic"], c))
    variables = [{"column": c, "reference": inf["references"][c]["reference"],
                  "reference_count": inf["references"][c]["count"], "reference_rule": inf["references"][c]["rule"],
                  "df": tests[c]["df"], "statistic": tests[c]["statistic"], "p_value": tests[c]["p"], "rank": r + 1}
                 for r, c in enumerate(order)]

    def evidence(f):
        lo, hi = f["ci95"]
        return np.log(lo) if lo > 1 else -np.log(hi) if hi < 1 else 0.0

    factors, rank = [], 0
    for c in order:
        rows = []
        for k, name in enumerate(inf["names"]):
            if inf["columns"][k] != c:
                continue
            b, se, lo, hi = (inf[key][k + 1] for key in ("params", "se", "profile_lower", "profile_upper"))
            status = "aliased" if b is None else "below_min_cell" if inf["counts"][k] < min_cell else "ranked"
            nan = float("nan")
            rows.append({"feature": name, "column": c, "value": name[len(c) + 1:], "reference": inf["references"][c]["reference"],
                         "coefficient": b if b is not None else nan, "std_error": se if se is not None else nan,
                         "odds_ratio": float(np.exp(b)) if b is not None else nan,
                         "ci95": [float(np.exp(lo)) if lo is not None else nan, float(np.exp(hi)) if hi is not None else nan],
                         "count": inf["counts"][k], "positives": inf["positives"][k], "rank": None, "status": status})
        ranked = sorted((r for r in rows if r["status"] == "ranked"),
                        key=lambda r: (-evidence(r), -abs(r["coefficient"]), r["feature"]))
        for r in ranked:
            rank += 1
            r["rank"] = rank
        factors += ranked + sorted((r for r in rows if r["status"] != "ranked"), key=lambda r: r["feature"])
    summary = {
        "method": "firth", "intervals": "profile",
        "intercept": {"coefficient": inf["params"][0], "ci95": [inf["profile_lower"][0], inf["profile_upper"][0]]},
        "log_likelihood": inf["loglik"], "penalized_log_likelihood": inf["penalized_loglik"], "grad_inf": inf["grad_inf"],
        "distinct_rows": inf["distinct_rows"], "rows": inf["rows"], "events": inf["events"],
        "non_events": inf["rows"] - inf["events"], "parameters": inf["parameters"], "epv": inf["epv"],
        "aliased": inf["aliased"],
        "high_vif": [{"feature": inf["names"][k], "vif": float(vif[k])} for k in free if vif[k] > 10],
        "variables": variables,
    }
    return summary, factors


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--study", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--skip-inference", action="store_true",
                    help="leave out the Firth inference step (its profile intervals are the reference's plain numpy code, "
                         "not a tuned library, and take most of the time)")
    args = ap.parse_args()
    study, risk = study_settings(args.study, "risk")
    seed = study.get("seed", 42)
    target, date, id_col = risk["target"], risk.get("date"), risk.get("id")
    features = risk["features"]["categorical"]
    folds = risk.get("validation", {}).get("folds", 5)
    rule = risk.get("threshold", {"method": "cost", "cost_ratio": "balanced"})
    resample = risk.get("resample", {}).get("method", "smote")
    cal_spec = risk.get("calibration", {})
    bins = cal_spec.get("bins", 10)
    label = risk.get("label", {})
    drift_spec = {"ratio": 2, "alpha": 0.01, "min_rows": 100, **(label.get("drift") or {})}
    leak = {"rate": 0.8, "odds_ratio": 10, **risk.get("leakage", {})}
    find = {"min_count": 30, "alpha": 0.05, "by": features, **risk.get("findings", {})}
    min_cell = (study.get("disclosure") or {}).get("min_cell", (study.get("report") or {}).get("min_cell", 10))
    warnings = []

    with steps("prepare"):
        table, n_officers, n_crimes = prepare(args.data, features, date)
        table_rows = len(table)
        date_range = [str(table[date].min()), str(table[date].max())]
        undated = int(table[date].isna().sum())
        duplicate_ids = int(table[id_col].duplicated(keep=False).sum()) if id_col else 0
        if duplicate_ids:
            warnings.append({"code": "data.duplicate_ids", "column": id_col, "rows": duplicate_ids})
        keep, dropped = label_window(table, date, label)
        table = table[keep]
        for c in features:
            miss = table[c].isna()
            if miss.any():
                dropped[f"missing {c}"] = int(miss.sum())
            table = table[~miss]
        table = table.reset_index(drop=True)
        for reason, count in dropped.items():
            warnings.append({"code": "data.rows_dropped", "reason": reason, "rows": count})
    with steps("encode"):
        encoder = OneHotEncoder(dtype=np.float64, handle_unknown="ignore")
        X = encoder.fit_transform(table[features]).tocsr()
        y = table[target].to_numpy()
        names = [f"{c}={v}" for c, vs in zip(features, encoder.categories_) for v in vs]
        base = float(y.mean())
    with steps("label"):
        drift = ref.drift_reference(table, target, date, drift_spec["min_rows"])
        compared = [(p, n, s) for p, n, s in zip(drift["periods"], drift["rows"], drift["positives"]) if n >= drift_spec["min_rows"]]
        drift["first"], drift["last"] = compared[0][0], compared[-1][0]
        drift["ratio"] = drift["highest"] / drift["lowest"] if drift["lowest"] > 0 else float("inf")
        drift["drifts"] = bool(drift["ratio"] >= drift_spec["ratio"] and drift["p_value"] < drift_spec["alpha"])
        if drift["drifts"]:
            warnings.append({"code": "risk.label_drift", "ratio": drift["ratio"], "p_value": drift["p_value"]})
        checks = []
        for check in label.get("checks", []):
            # the study's checks are SQL conditions over the analysis table; the LMPD one is a boolean column
            matched = table.eval(check["where"]).fillna(False).astype(bool)
            pos = int(table.loc[matched, target].sum())
            checks.append({"name": check["name"], "where": check["where"], "rows": int(matched.sum()), "positives": pos,
                           "negatives": int(matched.sum()) - pos})
            if matched.any():
                warnings.append({"code": "risk.label_check", "check": check["name"]})
        label_out = {"censor_before": str(label["censor_before"]) if label.get("censor_before") else None,
                     "censor_after": str(label["censor_after"]) if label.get("censor_after") else None,
                     "censored_before": next((v for k, v in dropped.items() if "censor_before" in k), 0),
                     "censored_after": next((v for k, v in dropped.items() if "censor_after" in k), 0),
                     "undated": undated, "drift": drift, "checks": checks}
    with steps("leakage"):
        for f in ref.leakage_reference(table, target, features, leak["rate"], leak["odds_ratio"]):
            warnings.append({"code": "risk.leakage", **f})

    fits = []
    splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(X, y))
    calibration = calibration_for(resample, cal_spec)
    with steps("cross_validation"):
        cv = cross_validate(X, y, splits, resample, calibration, risk, seed, rule, fits)
        per = [f["metrics"] for f in cv["folds"]]
        cm = sum(m["confusion"] for m in per)
    with steps("out_of_fold"):
        scores = cv["calibrated"]
        pred = np.zeros(len(y), dtype=int)
        for f in cv["folds"]:
            pred[f["test"]] = scores[f["test"]] >= f["threshold"]
        report = {str(k): v for k, v in classification_report_imbalanced(y, pred, output_dict=True, zero_division=0).items()}
        fpr, tpr, _ = roc_curve(y, scores)
        prec, rec, _ = precision_recall_curve(y, scores)
        order = np.argsort(-scores, kind="stable")
        top = []
        for share in [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5]:
            m = max(1, round(share * len(order)))
            tp = int(y[order[:m]].sum())
            top.append({"share": share, "threshold": float(scores[order[m - 1]]), "recall": tp / y.sum(), "precision": tp / m})
        cal = calibration_summary(y, scores, bins)
        cal_raw = calibration_summary(y, cv["raw"], bins)
    with steps("compare_resampling"):
        comparison = []
        if risk.get("compare_resampling", True):
            comparison.append(comparison_row(y, cv, bins, True))
            for other in ("none", "class_weight"):
                if other == resample:
                    continue
                other_cal = calibration if cal_spec.get("method") in ("platt", "isotonic") else calibration_for(other, {})
                run = cross_validate(X, y, splits, other, other_cal, risk, seed, rule, fits)
                comparison.append(comparison_row(y, run, bins, False))
    with steps("final_model"):
        final, final_rate = train(X, y, resample, risk, seed, fits)
        calibrator = ({"method": "prior_shift", "original_rate": base, "resampled_rate": final_rate}
                      if calibration == "prior_shift" else {"method": calibration})
        threshold = rule_threshold(rule, base, scores)
        if any(fits):
            warnings.append({"code": "risk.model_not_converged", "fits": len(fits), "not_converged": int(sum(fits))})
    inf, factors = None, []
    with steps("inference"):
        if not args.skip_inference:
            inf, factors = inference(table, target, features, min_cell, (risk.get("factors") or {}).get("reference", {}))
    if inf is not None:
        if inf["epv"] < 10:
            warnings.append({"code": "risk.low_epv", "epv": inf["epv"]})
        if inf["aliased"]:
            warnings.append({"code": "risk.aliased", "columns": [a["feature"] for a in inf["aliased"]]})
        if inf["high_vif"]:
            warnings.append({"code": "risk.collinear", "columns": [a["feature"] for a in inf["high_vif"]]})
    with steps("findings"):
        rows = ref.findings_reference(table, target, find["by"], find["min_count"])
        adjust = "q" if find.get("adjust", "bh") == "bh" else "bonferroni"
        findings = []
        for c in find["by"]:
            group = [r for r in rows if r["by"] == c]
            group.sort(key=lambda r: (-r["rate"], -r["count"], r["value"]))
            findings += [{"by": r["by"], "value": r["value"], "count": r["count"], "positives": r["positives"], "rate": r["rate"],
                          "ci95": r["ci95"], "lift": r["rate"] / base, "p_value": r["p"], "q_value": r[adjust]} for r in group]
        significant = [f for f in findings if f["q_value"] < find["alpha"]]
        tests = {"test": "fisher_exact", "adjust": find.get("adjust", "bh"), "tested": len(findings), "alpha": find["alpha"],
                 "significant": len(significant), "significant_above": sum(f["rate"] > base for f in significant)}

    summary = {k: mean_sd([f[k] for f in per]) for k in per[0] if k != "confusion"}
    result = {
        "study": "risk",
        "tool": "python",
        "data": {"rows": int(len(y)), "positives": int(y.sum()), "features": int(X.shape[1]), "table_rows": table_rows,
                 "dropped": dropped, "officer_rows": n_officers, "crime_rows": n_crimes,
                 "date_range": {"column": date, "min": date_range[0], "max": date_range[1]}},
        "label": label_out,
        "validation": {"method": "stratified_kfold", "folds": folds, "resample": resample, "calibration": calibration},
        "threshold": threshold,
        "threshold_rule": {**(rule if isinstance(rule, dict) else {"method": "fixed", "value": rule}),
                           "folds": [f["threshold"] for f in cv["folds"]]},
        "metrics": {**summary, "confusion_matrix": cm.tolist(), "classification_report": report,
                    "calibration": {"method": calibration, **cal, "raw": cal_raw}},
        "resampling_comparison": comparison,
        "curves": {"roc_points": int(len(fpr)), "pr_points": int(len(prec)), "top_share": top},
        "model": {"converged": not fits[-1], "n_iter": int(final.n_iter_[0]), "resampled_rate": final_rate,
                  "calibration": calibrator, "intercept": float(final.intercept_[0]),
                  "coefficients": [{"feature": n, "coefficient": float(b)} for n, b in zip(names, final.coef_[0])]},
        "inference": inf,
        "factors": factors,
        "findings": findings,
        "multiple_testing": tests,
        "base_rate": base,
        "warnings": warnings,
        "seed": seed,
        "timings": steps.finish(),
    }
    write_json(args.out, result)
    print(" ".join(f"{k} {v:.2f}" for k, v in result["timings"].items()), file=sys.stderr)


if __name__ == "__main__":
    main()
