"""The pandas / scikit-learn / imbalanced-learn equivalent of openbeat's LMPD officer-assault risk study.

/usr/bin/python3 bench/python/risk.py --data DIR --out results.json [--seed 42]

DIR holds AssaultedOfficerData.csv and Crime.csv (the LMPD exports or src/synthetic/lmpd.ts output). Officer
incidents since 2019 are full-outer-joined to the crime reports on INCIDENT_NUMBER; the label is "an officer was
assaulted"; UOR_DESC and PREMISE_TYPE (crime-report values first, else the officer file's; rows with neither are
dropped, as the study file's `missing: { categorical: drop }`) are one-hot encoded; a
5-fold stratified cross-validation runs SMOTE then LogisticRegression(C=1, lbfgs) inside each training fold.
"""
import argparse
import json
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from imblearn.over_sampling import SMOTE  # noqa: E402
from imblearn.pipeline import Pipeline  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    average_precision_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold  # noqa: E402

FEATURES = ["UOR_DESC", "PREMISE_TYPE"]


def prepare(data_dir):
    officers = pd.read_csv(f"{data_dir}/AssaultedOfficerData.csv", dtype=str, keep_default_na=False)
    crimes = pd.read_csv(f"{data_dir}/Crime.csv", dtype=str, keep_default_na=False)
    occurred = pd.to_datetime(officers["DATE_OCCURED"], format="%m/%d/%Y %H:%M", errors="coerce")
    recent = officers.loc[occurred >= "2019-01-01", ["INCIDENT_NUMBER"] + FEATURES]
    table = crimes[["INCIDENT_NUMBER"] + FEATURES].merge(
        recent, on="INCIDENT_NUMBER", how="outer", suffixes=("", "_officer"), indicator=True
    )
    table["officer_assaulted"] = (table["_merge"] != "left_only").astype(int)
    for c in FEATURES:
        value = table[c].where(table[c].notna() & (table[c] != ""), table[f"{c}_officer"])
        table[c] = value.where(value != "")
    # as the study file's `missing: { categorical: drop }`: rows without a premise or offence are left out
    table = table.dropna(subset=FEATURES)
    return table[["INCIDENT_NUMBER", "officer_assaulted"] + FEATURES], len(officers), len(crimes)


def metrics(y, pred, proba):
    return {
        "balanced_accuracy": balanced_accuracy_score(y, pred),
        "precision": precision_score(y, pred, zero_division=0),
        "recall": recall_score(y, pred),
        "f1": f1_score(y, pred),
        "roc_auc": roc_auc_score(y, proba),
        "pr_auc": average_precision_score(y, proba),
    }


def pipeline(seed):
    return Pipeline(
        [
            ("smote", SMOTE(k_neighbors=5, random_state=seed)),
            ("model", LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000)),
        ]
    )


def rates(table, column, min_count=30):
    g = table.groupby(column)["officer_assaulted"].agg(["size", "sum"])
    g = g[g["size"] >= min_count]
    base = table["officer_assaulted"].mean()
    out = [
        {"by": column, "value": v, "count": int(r["size"]), "positives": int(r["sum"]),
         "rate": r["sum"] / r["size"], "lift": (r["sum"] / r["size"]) / base}
        for v, r in g.iterrows()
    ]
    return sorted(out, key=lambda f: -f["rate"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    timings = {}

    t = time.perf_counter()
    table, n_officers, n_crimes = prepare(args.data)
    X_frame = pd.get_dummies(table[FEATURES], columns=FEATURES, prefix_sep="=", dtype=np.float64)
    X = X_frame.to_numpy()
    y = table["officer_assaulted"].to_numpy()
    timings["prepare_s"] = time.perf_counter() - t

    t = time.perf_counter()
    folds = []
    cm = np.zeros((2, 2), dtype=int)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=args.seed)
    for train, test in cv.split(X, y):
        model = pipeline(args.seed).fit(X[train], y[train])
        proba = model.predict_proba(X[test])[:, 1]
        pred = (proba >= 0.5).astype(int)
        folds.append(metrics(y[test], pred, proba))
        cm += confusion_matrix(y[test], pred, labels=[0, 1])
    timings["cross_validation_s"] = time.perf_counter() - t

    t = time.perf_counter()
    final = pipeline(args.seed).fit(X, y)
    lr = final.named_steps["model"]
    factors = sorted(
        ({"feature": n, "coefficient": c, "odds_ratio": float(np.exp(c))} for n, c in zip(X_frame.columns, lr.coef_[0])),
        key=lambda f: -f["coefficient"],
    )
    timings["final_fit_s"] = time.perf_counter() - t

    summary = {k: {"mean": float(np.mean([f[k] for f in folds])), "sd": float(np.std([f[k] for f in folds], ddof=1))}
               for k in folds[0]}
    findings = rates(table, "PREMISE_TYPE") + rates(table, "UOR_DESC")
    timings["total_s"] = time.perf_counter() - T0
    result = {
        "study": "risk",
        "tool": "python",
        "data": {"rows": int(len(y)), "positives": int(y.sum()), "features": int(X.shape[1]),
                 "officer_rows": n_officers, "crime_rows": n_crimes},
        "validation": {"method": "stratified_kfold", "folds": 5, "resample": "smote"},
        "metrics": {**summary, "confusion_matrix": cm.tolist()},
        "folds": folds,
        "factors": factors,
        "intercept": float(lr.intercept_[0]),
        "findings": findings,
        "seed": args.seed,
        "timings": timings,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, default=float)

    def rate_of(by, value):
        return next((r["rate"] for r in findings if r["by"] == by and r["value"] == value), float("nan"))

    print(json.dumps({
        "rows": int(len(y)), "positives": int(y.sum()),
        "balanced_accuracy": summary["balanced_accuracy"]["mean"],
        "precision": summary["precision"]["mean"],
        "recall": summary["recall"]["mean"],
        "roc_auc": summary["roc_auc"]["mean"],
        "pr_auc": summary["pr_auc"]["mean"],
        "rate_highway_road_alley": rate_of("PREMISE_TYPE", "HIGHWAY / ROAD / ALLEY"),
        "rate_menacing": rate_of("UOR_DESC", "MENACING"),
        "total_s": timings["total_s"],
    }))


if __name__ == "__main__":
    main()
