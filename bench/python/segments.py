"""The pandas / scikit-learn equivalent of openbeat's Baltimore victim-segments benchmark study
(bench/studies/baltimore-bench.yaml).

/usr/bin/python3 bench/python/segments.py --data FILE.csv --out results.json [--seed 42]

FILE is the full 20-column Part 1 crime export (or src/synthetic/baltimore.ts output). Keeps the most recent year,
normalises Gender (Male -> M, Female -> F; keeps M and F), keeps ages 0..100 and recorded races, one-hot encodes
Gender, Race and Description, standardizes Age, and runs KMeans(n_init=10) for k = 2..10 with inertia, silhouette
(sample_size=10000, seeded), Calinski-Harabasz and Davies-Bouldin.
"""
import argparse
import json
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score  # noqa: E402

CATEGORICAL = ["Gender", "Race", "Description"]


def prepare(path):
    raw = pd.read_csv(path, dtype={"Gender": str, "Race": str, "Description": str}, keep_default_na=False,
                      na_values={"Age": [""]}, low_memory=False)
    when = pd.to_datetime(raw["CrimeDateTime"], format="%Y/%m/%d %H:%M:%S%z", errors="coerce", utc=True)
    year = when.dt.year
    latest = raw[year == year.max()].copy()
    gender = latest["Gender"].str.strip().str.upper().replace({"MALE": "M", "FEMALE": "F"})
    latest["Gender"] = gender
    age = pd.to_numeric(latest["Age"], errors="coerce")
    latest["Age"] = age
    keep = gender.isin(["M", "F"]) & age.between(0, 100) & (latest["Race"].str.strip() != "")
    return latest[keep], len(raw), int(year.max())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--k-min", type=int, default=2)
    ap.add_argument("--k-max", type=int, default=10)
    args = ap.parse_args()
    timings = {}

    t = time.perf_counter()
    table, n_raw, year = prepare(args.data)
    onehot = pd.get_dummies(table[CATEGORICAL], columns=CATEGORICAL, prefix_sep="=", dtype=np.float64)
    age = table["Age"].to_numpy(dtype=np.float64)
    age = (age - age.mean()) / age.std()
    X = np.column_stack([onehot.to_numpy(), age])
    timings["prepare_s"] = time.perf_counter() - t

    t = time.perf_counter()
    selection = []
    for k in range(args.k_min, args.k_max + 1):
        km = KMeans(n_clusters=k, n_init=10, random_state=args.seed).fit(X)
        labels = km.labels_
        selection.append({
            "k": k,
            "inertia": float(km.inertia_),
            "silhouette": float(silhouette_score(X, labels, sample_size=min(10_000, len(X)), random_state=args.seed)),
            "calinski_harabasz": float(calinski_harabasz_score(X, labels)),
            "davies_bouldin": float(davies_bouldin_score(X, labels)),
        })
    timings["kmeans_s"] = time.perf_counter() - t
    best = max(selection, key=lambda s: s["silhouette"])
    timings["total_s"] = time.perf_counter() - T0
    result = {
        "study": "segments",
        "tool": "python",
        "data": {"rows": int(len(X)), "features": int(X.shape[1]), "input_rows": n_raw, "year": year},
        "k_selection": selection,
        "k": best["k"],
        "seed": args.seed,
        "timings": timings,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps({"rows": int(len(X)), "year": year, "k": best["k"], "silhouette": best["silhouette"],
                      "total_s": timings["total_s"]}))


if __name__ == "__main__":
    main()
