"""The pandas / scikit-learn / imbalanced-learn equivalent of openbeat's LMPD officer-assault risk study, written as
a careful Python user would: sparse one-hot (OneHotEncoder -> CSR), scikit-learn's default threads, and the
settings of the study file itself.

/usr/bin/python3 bench/python/risk.py --study examples/lmpd-officer-assaults.yaml --data DIR --out results.json

DIR holds AssaultedOfficerData.csv and Crime.csv (the LMPD exports or src/synthetic/lmpd.ts output). The steps,
each timed (results.json `timings`), mirror openbeat's risk study:
- prepare: officer incidents since 2019 full-outer-joined to the crime reports on INCIDENT_NUMBER; the label is
  "an officer was assaulted"; UOR_DESC / PREMISE_TYPE from the crime report, else the officer file; rows missing
  either dropped (the study's `missing: { categorical: drop }`);
- encode: OneHotEncoder to CSR (levels of every value, as openbeat's encoder with min_frequency 1);
- leakage: categories with at least leakage.min_count rows and a positive rate >= leakage.rate;
- cross_validation: StratifiedKFold(folds, shuffle, seed); per fold imblearn SMOTE(k_neighbors, random_state=seed
  + fold) then LogisticRegression(C, lbfgs, max_iter, tol) on the training rows, scored on the test rows
  (balanced accuracy, precision, recall, F1, ROC AUC, PR AUC, confusion matrix);
- out_of_fold: ROC and PR curves and imblearn's classification_report_imbalanced over the out-of-fold scores,
  recall/precision when flagging the top 1..50% of rows;
- final_model: SMOTE + LogisticRegression on all rows (the scoring model openbeat writes to model.json);
- factors: LogisticRegression on all rows without resampling, Wald standard errors from the inverse Hessian
  X'WX + I/C, odds ratios with 95% intervals;
- findings: positive rate by each `findings.by` value with >= min_count rows, Wilson 95% intervals and lift.
openbeat also writes report.html, features.parquet, prepared.parquet, model.json and manifest.json; this script
writes results.json only (no pyarrow on this machine), which is the difference in work left.
"""
import argparse

from common import Steps, study_settings, wilson, write_json

steps = Steps()
with steps("imports"):
    import numpy as np
    import pandas as pd
    from imblearn.metrics import classification_report_imbalanced
    from imblearn.over_sampling import SMOTE
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


def prepare(data_dir, features):
    officers = pd.read_csv(f"{data_dir}/AssaultedOfficerData.csv", dtype=str, keep_default_na=False)
    crimes = pd.read_csv(f"{data_dir}/Crime.csv", dtype=str, keep_default_na=False)
    occurred = pd.to_datetime(officers["DATE_OCCURED"], format="%m/%d/%Y %H:%M", errors="coerce")
    recent = officers.loc[occurred >= "2019-01-01", ["INCIDENT_NUMBER"] + features]
    table = crimes[["INCIDENT_NUMBER"] + features].merge(
        recent, on="INCIDENT_NUMBER", how="outer", suffixes=("", "_officer"), indicator=True
    )
    table["officer_assaulted"] = (table["_merge"] != "left_only").astype(int)
    for c in features:
        value = table[c].where(table[c].notna() & (table[c] != ""), table[f"{c}_officer"])
        table[c] = value.where(value != "")
    table = table.dropna(subset=features)
    return table[["INCIDENT_NUMBER", "officer_assaulted"] + features].reset_index(drop=True), len(officers), len(crimes)


def model(risk, seed):
    m = risk.get("model", {})
    return LogisticRegression(C=m.get("C", 1.0), solver="lbfgs", max_iter=m.get("max_iter", 1000), tol=m.get("tol", 1e-4))


def resample(X, y, risk, seed):
    k = risk.get("resample", {}).get("k_neighbors", 5)
    return SMOTE(k_neighbors=k, random_state=seed).fit_resample(X, y)


def fold_metrics(y, pred, proba):
    return {
        "balanced_accuracy": balanced_accuracy_score(y, pred),
        "precision": precision_score(y, pred, zero_division=0),
        "recall": recall_score(y, pred),
        "f1": f1_score(y, pred),
        "roc_auc": roc_auc_score(y, proba),
        "pr_auc": average_precision_score(y, proba),
    }


def group_rates(table, column, target):
    g = table.groupby(column, sort=True)[target].agg(["size", "sum"])
    return [(v, int(r["size"]), int(r["sum"])) for v, r in g.iterrows()]


def wald_factors(X, y, lr, names, C):
    """Standard errors from the inverse Hessian of the penalised log-likelihood, as openbeat's coefficientStandardErrors."""
    Xa = X.tocsc()
    p = 1 / (1 + np.exp(-(X @ lr.coef_[0] + lr.intercept_[0])))
    w = p * (1 - p)
    H = np.empty((X.shape[1] + 1, X.shape[1] + 1))
    H[:-1, :-1] = (Xa.T @ Xa.multiply(w[:, None])).toarray()
    H[:-1, -1] = H[-1, :-1] = Xa.T @ w
    H[-1, -1] = w.sum()
    H[np.arange(X.shape[1]), np.arange(X.shape[1])] += 1 / C
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    out = []
    for j, name in enumerate(names):
        b, s = float(lr.coef_[0][j]), float(se[j])
        out.append({"feature": name, "coefficient": b, "std_error": s, "odds_ratio": float(np.exp(b)),
                    "ci95": [float(np.exp(b - 1.959963984540054 * s)), float(np.exp(b + 1.959963984540054 * s))]})
    return sorted(out, key=lambda f: (-f["coefficient"], f["feature"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--study", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    study, risk = study_settings(args.study, "risk")
    seed = study.get("seed", 42)
    target = risk["target"]
    features = risk["features"]["categorical"]
    folds = risk.get("validation", {}).get("folds", 5)
    threshold = risk.get("threshold", 0.5)

    with steps("prepare"):
        table, n_officers, n_crimes = prepare(args.data, features)
    with steps("encode"):
        encoder = OneHotEncoder(dtype=np.float64, handle_unknown="ignore")
        X = encoder.fit_transform(table[features]).tocsr()
        y = table[target].to_numpy()
        names = [f"{c}={v}" for c, vs in zip(features, encoder.categories_) for v in vs]
    with steps("leakage"):
        leak = risk.get("leakage", {})
        warnings = [{"code": "risk.leakage", "column": c, "value": v, "count": n, "positives": s}
                    for c in features for v, n, s in group_rates(table, c, target)
                    if n >= leak.get("min_count", 10) and s / n >= leak.get("rate", 0.8)]

    with steps("cross_validation"):
        per, cm = [], np.zeros((2, 2), dtype=int)
        scores = np.full(len(y), np.nan)
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for f, (train, test) in enumerate(cv.split(X, y)):
            Xr, yr = resample(X[train], y[train], risk, seed + f)
            lr = model(risk, seed).fit(Xr, yr)
            proba = lr.predict_proba(X[test])[:, 1]
            pred = (proba >= threshold).astype(int)
            scores[test] = proba
            per.append(fold_metrics(y[test], pred, proba))
            cm += confusion_matrix(y[test], pred, labels=[0, 1])
    with steps("out_of_fold"):
        pred = (scores >= threshold).astype(int)
        fpr, tpr, _ = roc_curve(y, scores)
        prec, rec, _ = precision_recall_curve(y, scores)
        report = {str(k): v for k, v in classification_report_imbalanced(y, pred, output_dict=True, zero_division=0).items()}
        order = np.argsort(-scores, kind="stable")
        top = []
        for share in [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5]:
            m = max(1, round(share * len(order)))
            tp = int(y[order[:m]].sum())
            top.append({"share": share, "threshold": float(scores[order[m - 1]]), "recall": tp / y.sum(), "precision": tp / m})
    with steps("final_model"):
        Xr, yr = resample(X, y, risk, seed)
        final = model(risk, seed).fit(Xr, yr)
    with steps("factors"):
        plain = model(risk, seed).fit(X, y)
        factors = wald_factors(X, y, plain, names, risk.get("model", {}).get("C", 1.0))
    with steps("findings"):
        base = y.mean()
        by = risk.get("findings", {}).get("by", features)
        min_count = risk.get("findings", {}).get("min_count", 30)
        findings = []
        for c in by:
            rows = [{"by": c, "value": v, "count": n, "positives": s, "rate": s / n, "ci95": wilson(s, n), "lift": s / n / base}
                    for v, n, s in group_rates(table, c, target) if n >= min_count]
            findings += sorted(rows, key=lambda r: (-r["rate"], -r["count"], r["value"]))

    summary = {k: {"mean": float(np.mean([f[k] for f in per])), "sd": float(np.std([f[k] for f in per], ddof=1))} for k in per[0]}
    result = {
        "study": "risk",
        "tool": "python",
        "data": {"rows": int(len(y)), "positives": int(y.sum()), "features": int(X.shape[1]),
                 "officer_rows": n_officers, "crime_rows": n_crimes},
        "validation": {"method": "stratified_kfold", "folds": folds, "resample": "smote"},
        "metrics": {**summary, "confusion_matrix": cm.tolist(), "classification_report": report},
        "curves": {"roc_points": int(len(fpr)), "pr_points": int(len(prec)), "top_share": top},
        "model": {"converged": bool(final.n_iter_[0] < final.max_iter), "n_iter": int(final.n_iter_[0])},
        "factors": factors,
        "findings": findings,
        "warnings": warnings,
        "seed": seed,
        "timings": steps.finish(),
    }
    write_json(args.out, result)


if __name__ == "__main__":
    main()
