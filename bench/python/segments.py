"""The pandas / scikit-learn equivalent of openbeat's Baltimore victim-segments study, with the settings of the study
file (examples/baltimore-victim-segments.yaml, bench/studies/baltimore-bench.yaml): the same features, k range,
initialisations, silhouette sample, stability bootstraps and k-prototypes comparison.

/usr/bin/python3 bench/python/segments.py --study STUDY.yaml --crimes FILE.csv [--boundaries FILE.geojson] --out results.json

FILE is the Part 1 crime export (the Open Baltimore file or src/synthetic/baltimore.ts output). The steps, each
timed (results.json `timings`), mirror openbeat's segments study:
- prepare: the study's prepare SQL in pandas: the most recent year, Weapon missing -> NONE, Gender M/MALE -> M,
  F/FEMALE -> F, else U, Age outside 0..100 -> missing, Race missing -> UNKNOWN, rows with a person victim;
- encode: one-hot of the categorical features and the hour of CrimeDateTime (levels with fewer than
  min_frequency rows -> "(other)", missing as its own level), numeric features median-imputed and standardized;
- kmeans: KMeans(k, n_init, max_iter, random_state=seed) for each k, with inertia, silhouette (sampled above
  silhouette_sample rows, seeded), Calinski-Harabasz and Davies-Bouldin; k by openbeat's documented rule (lowest
  mean rank over the four criteria, the inertia knee by Kneedle);
- stability: stability_resamples bootstrap resamples, KMeans(k, n_init=3) on each, every row assigned to the
  nearest resampled centre, adjusted Rand index against the full-data labels;
- compare_methods: Huang's k-prototypes at the chosen k (numpy; standardized numeric columns, categorical codes,
  gamma = half the mean numeric standard deviation, k-means++ seeding on the mixed dissimilarity, min(n_init, 5)
  runs, at most 100 iterations), both methods scored by silhouette, Calinski-Harabasz and Davies-Bouldin;
- profiles: per-cluster means of every feature in data units with lift, the `describe` columns' top values, the
  `distribution` column's quartiles and histogram;
- areas: per-area cluster shares joined to the boundary GeoJSON, written as areas.geojson;
- pca_sample: a 2-component PCA of the design and 2,000 seeded rows for the scatter chart.
openbeat also writes report.html, features.parquet, prepared.parquet and manifest.json; this script writes
results.json and areas.geojson only (no pyarrow on this machine), which is the difference in work left. It clusters
all rows, where openbeat clusters the distinct rows with their counts as weights (the same Lloyd steps).
"""
import argparse
import json
import os

from common import Steps, study_settings, write_json

steps = Steps()
with steps("imports"):
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score

MISSING = "(missing)"
OTHER = "(other)"


def prepare(path):
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], low_memory=False)
    raw.columns = [c.lstrip("\ufeff") for c in raw.columns]
    when = pd.to_datetime(raw["CrimeDateTime"], format="%Y/%m/%d %H:%M:%S%z", errors="coerce", utc=True)
    year = when.dt.year
    person = raw["Gender"].notna() | raw["Age"].notna() | raw["Race"].notna()
    t = raw[(year == year.max()) & person].copy()
    t["hour"] = when[t.index].dt.hour.map(lambda h: f"{int(h):02d}" if h == h else None)
    t["Weapon"] = t["Weapon"].fillna("NONE")
    g = t["Gender"].str.strip().str.upper()
    t["Gender"] = np.where(g.isin(["M", "MALE"]), "M", np.where(g.isin(["F", "FEMALE"]), "F", "U"))
    age = pd.to_numeric(t["Age"], errors="coerce")
    t["Age"] = age.where((age >= 0) & (age <= 100))
    t["Race"] = t["Race"].fillna("UNKNOWN")
    return t.reset_index(drop=True), len(raw)


def encode(table, categorical, numeric, min_frequency):
    blocks, names, codes = [], [], []
    for c in categorical:
        v = table[c].fillna(MISSING)
        counts = v.value_counts()
        rare = counts.index[counts < min_frequency]
        v = v.where(~v.isin(rare), OTHER)
        levels = sorted(v.unique())
        blocks.append((v.to_numpy()[:, None] == np.array(levels)[None, :]).astype(np.float64))
        names += [f"{c}={lv}" for lv in levels]
        codes.append(pd.factorize(table[c].fillna(MISSING))[0].astype(np.int64))
    num, scales = [], []
    for c in numeric:
        x = table[c].to_numpy(dtype=np.float64)
        x = np.where(np.isnan(x), np.nanmedian(x), x)
        mean, sd = x.mean(), x.std()
        scales.append((mean, sd if sd > 0 else 1.0))
        num.append((x - mean) / (sd if sd > 0 else 1.0))
        names.append(c)
    X = np.column_stack(blocks + [np.column_stack(num)] if num else blocks)
    return X, names, codes, scales


def knee(ks, inertia):
    x = (np.array(ks) - ks[0]) / (ks[-1] - ks[0])
    y = (np.array(inertia) - inertia[-1]) / (inertia[0] - inertia[-1]) if inertia[0] != inertia[-1] else np.zeros(len(ks))
    return ks[int(np.argmax(1 - x - y))]


def choose_k(rows):
    ks = [r["k"] for r in rows]
    kn = knee(ks, [r["inertia"] for r in rows])
    def rank(score):
        order = sorted(rows, key=lambda r: (score(r), r["k"]))
        return {r["k"]: i + 1 for i, r in enumerate(order)}
    ranks = [rank(lambda r: -r["silhouette"]), rank(lambda r: -r["calinski_harabasz"]), rank(lambda r: r["davies_bouldin"]),
             rank(lambda r: abs(r["k"] - kn))]
    return min(ks, key=lambda k: (sum(m[k] for m in ranks) / 4, k))


def criteria(X, labels, sample, seed):
    return {
        "silhouette": float(silhouette_score(X, labels, sample_size=sample if len(X) > sample else None, random_state=seed)),
        "calinski_harabasz": float(calinski_harabasz_score(X, labels)),
        "davies_bouldin": float(davies_bouldin_score(X, labels)),
    }


def k_prototypes(Xnum, Xcat, k, n_init, seed, max_iter=100):
    """Huang's k-prototypes, the algorithm of openbeat's kPrototypes (its random draws are not numpy's)."""
    rs = np.random.RandomState(seed)
    n, q = Xcat.shape
    gamma = 0.5 * Xnum.std(axis=0).mean() if Xnum.shape[1] else 1.0
    gamma = gamma if gamma > 0 else 1.0
    levels = Xcat.max(axis=0) + 1

    def dissim(P, M):
        d = ((Xnum[:, None, :] - P[None, :, :]) ** 2).sum(axis=2)
        return d + gamma * (Xcat[:, None, :] != M[None, :, :]).sum(axis=2)

    best = None
    for _ in range(n_init):
        first = rs.randint(n)
        P, M = Xnum[[first]].copy(), Xcat[[first]].copy()
        closest = np.full(n, np.inf)
        for c in range(1, k):
            closest = np.minimum(closest, dissim(P[-1:], M[-1:])[:, 0])
            pick = rs.choice(n, p=closest / closest.sum()) if closest.sum() > 0 else rs.randint(n)
            P, M = np.vstack([P, Xnum[pick]]), np.vstack([M, Xcat[pick]])
        labels = np.full(n, -1)
        for _ in range(max_iter):
            D = dissim(P, M)
            new = D.argmin(axis=1)
            cost = D[np.arange(n), new]
            sizes = np.bincount(new, minlength=k)
            for c in np.flatnonzero(sizes == 0):
                spare = np.flatnonzero(sizes[new] > 1)
                far = spare[np.argmax(cost[spare])]
                sizes[new[far]] -= 1
                new[far], sizes[c], cost[far] = c, 1, 0
            if np.array_equal(new, labels):
                break
            labels = new
            P = np.vstack([Xnum[labels == c].mean(axis=0) for c in range(k)])
            for j in range(q):
                counts = np.zeros((k, levels[j]), dtype=np.int64)
                np.add.at(counts, (labels, Xcat[:, j]), 1)
                M[:, j] = counts.argmax(axis=1)
        total = dissim(P, M)[np.arange(n), labels].sum()
        if best is None or total < best[0]:
            best = (total, labels.copy())
    return best[1]


def profiles(X, names, numeric_scales, labels, k, table, describe, dist):
    raw = X.copy()
    for c, (mean, sd) in enumerate(numeric_scales):
        j = X.shape[1] - len(numeric_scales) + c
        raw[:, j] = raw[:, j] * sd + mean
    overall = raw.mean(axis=0)
    sdv = raw.std(axis=0)
    out = []
    for c in range(k):
        rows = labels == c
        cm = raw[rows].mean(axis=0)
        z = np.where(sdv > 0, (cm - overall) / np.where(sdv > 0, sdv, 1), 0)
        order = sorted(range(len(names)), key=lambda j: (-abs(z[j]), names[j]))
        cluster = {"id": c, "size": int(rows.sum()), "share": float(rows.mean()),
                   "profile": [{"feature": names[j], "cluster_mean": float(cm[j]), "overall_mean": float(overall[j]),
                                "lift": float(cm[j] / overall[j]) if overall[j] else None} for j in order],
                   "top_values": {col: table.loc[rows, col].fillna(MISSING).value_counts().head(5).to_dict() for col in describe}}
        if dist:
            v = table.loc[rows, dist].dropna().to_numpy()
            cluster["distribution"] = {"column": dist, "mean": float(v.mean()) if len(v) else None,
                                       "quartiles": np.quantile(v, [0.25, 0.5, 0.75], method="lower").tolist() if len(v) else None,
                                       "histogram": np.histogram(v, bins=8)[0].tolist() if len(v) else None}
        out.append(cluster)
    return out


def area_shares(table, labels, k, column, boundaries, name_property, out_dir):
    counts = pd.crosstab(table[column].str.upper().str.strip(), labels).reindex(columns=range(k), fill_value=0)
    with open(boundaries) as f:
        shapes = json.load(f)
    for feat in shapes["features"]:
        name = str(feat["properties"].get(name_property, ""))
        c = counts.loc[name.upper().strip()].to_numpy() if name.upper().strip() in counts.index else np.zeros(k, dtype=int)
        total = int(c.sum())
        feat["properties"] = {"name": name, "rows": total, **{f"share_{j}": (c[j] / total if total else None) for j in range(k)},
                              "dominant": int(c.argmax()) if total else None}
    with open(os.path.join(out_dir, "areas.geojson"), "w") as f:
        json.dump(shapes, f)
    return {"column": column, "matched": int(counts.loc[counts.index.isin([str(ft["properties"]["name"]).upper() for ft in shapes["features"]])].to_numpy().sum())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--study", required=True)
    ap.add_argument("--crimes", required=True)
    ap.add_argument("--boundaries")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    study, seg = study_settings(args.study, "segments")
    seed = study.get("seed", 42)
    feats = seg["features"]
    categorical = feats.get("categorical", []) + [d["column"] + ".hour" for d in feats.get("dates", []) if "hour" in d.get("parts", [])]
    numeric = feats.get("numeric", [])
    k_min, k_max = seg.get("k", {}).get("min", 2), seg.get("k", {}).get("max", 10)
    n_init, max_iter = seg.get("n_init", 10), seg.get("max_iter", 300)
    sample = seg.get("silhouette_sample", 10000)

    with steps("prepare"):
        table, n_raw = prepare(args.crimes)
        for d in feats.get("dates", []):
            table[d["column"] + ".hour"] = table["hour"]
    with steps("encode"):
        X, names, codes, scales = encode(table, categorical, numeric, feats.get("min_frequency", 1))
    with steps("kmeans"):
        selection, runs = [], {}
        for k in range(k_min, k_max + 1):
            km = KMeans(n_clusters=k, n_init=n_init, max_iter=max_iter, random_state=seed).fit(X)
            runs[k] = km
            selection.append({"k": k, "inertia": float(km.inertia_), **criteria(X, km.labels_, sample, seed)})
        k = choose_k(selection)
        labels = runs[k].labels_
    with steps("stability"):
        rs = np.random.RandomState(seed + 7919)
        aris = []
        for b in range(seg.get("stability_resamples", 20)):
            idx = rs.randint(0, len(X), len(X))
            km = KMeans(n_clusters=k, n_init=3, random_state=seed + b + 1).fit(X[idx])
            aris.append(adjusted_rand_score(labels, km.predict(X)))
    comparison = None
    if seg.get("compare_methods", True):
        with steps("compare_methods"):
            Xnum = np.column_stack([((lambda x: np.where(np.isnan(x), 0, (x - np.nanmean(x)) / (np.nanstd(x) or 1)))(
                table[c].to_numpy(dtype=np.float64))) for c in numeric]) if numeric else np.zeros((len(X), 0))
            kp = k_prototypes(Xnum, np.column_stack(codes), k, min(n_init, 5), seed)
            comparison = [{"method": "kmeans", "k": k, **criteria(X, labels, sample, seed)},
                          {"method": "kprototypes", "k": k, **criteria(X, kp, sample, seed)}]
    with steps("profiles"):
        clusters = profiles(X, names, scales, labels, k, table, seg.get("describe", []), seg.get("distribution"))
    areas = None
    if seg.get("areas") and args.boundaries:
        with steps("areas"):
            areas = area_shares(table, labels, k, seg["areas"]["column"], args.boundaries, seg["areas"].get("name_property", "name"),
                                os.path.dirname(os.path.abspath(args.out)))
    with steps("pca_sample"):
        P = PCA(n_components=min(2, X.shape[1])).fit_transform(X)
        pick = np.sort(np.random.RandomState(seed + 17).permutation(len(P))[:2000])
        sample_points = [{"pc1": float(P[i, 0]), "pc2": float(P[i, 1]), "cluster": int(labels[i])} for i in pick]

    result = {
        "study": "segments",
        "tool": "python",
        "data": {"rows": int(len(X)), "features": int(X.shape[1]), "input_rows": n_raw},
        "k_selection": selection,
        "k": int(k),
        "stability": {"resamples": len(aris), "mean_ari": float(np.mean(aris)) if aris else None},
        "comparison": comparison,
        "clusters": clusters,
        "areas": areas,
        "pca_sample": sample_points,
        "seed": seed,
        "timings": steps.finish(),
    }
    write_json(args.out, result)


if __name__ == "__main__":
    main()
