"""The pandas / scikit-learn equivalent of openbeat's Baltimore victim-segments study, with the settings of the study
file (examples/baltimore-victim-segments.yaml, bench/studies/baltimore-bench.yaml) and openbeat's defaults for what
the file leaves out (segments.weights, structure, k.seeds, max_init, stability_resamples, compare_methods).

/usr/bin/python3 bench/python/segments.py --study STUDY.yaml --crimes FILE.csv [--boundaries FILE.geojson] --out results.json

FILE is the Part 1 crime export (the Open Baltimore file or src/synthetic/baltimore.ts output). The steps, each
timed (results.json `timings`), mirror openbeat's segments study:
- prepare: the study's prepare SQL in pandas: the most recent year, Weapon missing -> NONE, Gender M/MALE -> M,
  F/FEMALE -> F, else U, Age outside 0..100 -> missing, Race missing -> UNKNOWN, rows with a person victim;
- encode: one-hot of the categorical features and the hour of CrimeDateTime (levels with fewer than
  min_frequency rows -> "(other)", missing as its own level), numeric features median-imputed and standardized;
- weights: segments.weights "variables" (the default): each variable's columns (a one-hot block, a numeric column)
  multiplied by 1/sqrt(their summed population variance), so that every variable holds the same share of the
  variance k-means partitions; the clustering below runs on this weighted design Z;
- structure: the structure test against chance: at every k, KMeans(n_init=structure.n_init) on Z and on
  structure.draws permuted references (each variable's block of columns shuffled independently), the silhouette
  on the same seeded sample of structure.silhouette_sample rows, the null's mean, sd, quantiles and z, the gap
  statistic (log W against the references, Tibshirani's choice of k) and the clear / weak / none verdict;
- kmeans: at every k, single-start KMeans runs (k-means++, seeds drawn from the study seed) in batches of n_init,
  doubling up to max_init until the best inertia is reached twice, with inertia, silhouette (sampled above
  silhouette_sample rows, seeded), Calinski-Harabasz and Davies-Bouldin;
- stability: per k, stability_resamples subsamples of 80% of the rows without replacement (the same for every k),
  KMeans(k, n_init=3) on each, every row assigned to the nearest centre, adjusted Rand index against the sweep's
  labels; k by openbeat's documented rule: among the k with mean ARI >= 0.75, the lowest mean rank over
  silhouette, Calinski-Harabasz, Davies-Bouldin, distance to the inertia knee (Kneedle) and stability;
- k_seeds: the sweep and the rule repeated with seeds seed+1 .. seed+k.seeds-1 (stability from the study seed);
  k is the most frequent choice (ties to the smaller), with the spread of every criterion over the seeds;
- compare_methods: Huang's k-prototypes at the chosen k (numpy; standardized numeric columns, categorical codes,
  gamma = half the mean numeric standard deviation, k-means++ seeding on the mixed dissimilarity, min(n_init, 5)
  runs, at most 100 iterations), both partitions scored on Z by silhouette, Calinski-Harabasz and Davies-Bouldin,
  and their agreement (ARI) with the k-means partition;
- profiles: per-cluster means of every feature in data units with lift, count and evidence (two-proportion z for
  a level, Welch's z for a numeric column), ranked by |evidence| (levels with fewer than report.min_cell rows
  unranked), numeric quartiles, a label per cluster, the `describe` columns' top values, the `distribution`
  column's quartiles and histogram;
- variance_shares: each variable's share of Z's variance and of the between-cluster sum of squares;
- areas: per-area cluster shares joined to the boundary GeoJSON, written as areas.geojson;
- pca_sample: a 2-component PCA of the (unweighted) design and 2,000 seeded rows for the scatter chart.
openbeat also compares latent class analysis (compare_methods: true includes lca), applies disclosure control to
its results (min_cell suppression, the PCA sample as a density grid) and writes report.html, features.parquet,
prepared.parquet, CSVs and manifest.json; this script does none of those and writes results.json and areas.geojson
only (no pyarrow on this machine), which is the difference in work left. It clusters all rows, where openbeat
clusters the distinct rows with their counts as weights (the same Lloyd steps; scikit-learn 1.2.1 ignores
sample_weight in its k-means++ seeding, so weighted distinct rows would not seed alike).
"""
import argparse
import json
import math
import os

from common import Steps, study_settings, write_json

steps = Steps()
with steps("imports"):
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, pairwise_distances, silhouette_score

MISSING = "(missing)"
OTHER = "(other)"
# openbeat's constants: src/studies/segments/sweep.ts (STABILITY_STARTS, STABILITY_FRACTION), choose-k.ts
# (MIN_STABILITY), src/ml/cluster-stability.ts (kmeansUntilRepeat's rtol), src/ml/cluster-null.ts (structureVerdict)
STABILITY_STARTS = 3
STABILITY_FRACTION = 0.8
MIN_STABILITY = 0.75
REPEAT_RTOL = 1e-6
CLEAR_MARGIN, CLEAR_Z, WEAK_MARGIN, WEAK_Z = 0.10, 3.0, 0.02, 2.0


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
    """The one-hot and standardized design, its column names, the variables' column blocks and categorical codes."""
    blocks, names, codes, variables = [], [], [], []
    for c in categorical:
        v = table[c].fillna(MISSING)
        counts = v.value_counts()
        rare = counts.index[counts < min_frequency]
        v = v.where(~v.isin(rare), OTHER)
        levels = sorted(v.unique())
        blocks.append((v.to_numpy()[:, None] == np.array(levels)[None, :]).astype(np.float64))
        variables.append({"name": c, "kind": "categorical", "columns": list(range(len(names), len(names) + len(levels)))})
        names += [f"{c}={lv}" for lv in levels]
        codes.append(pd.factorize(table[c].fillna(MISSING))[0].astype(np.int64))
    num, scales = [], []
    for c in numeric:
        x = table[c].to_numpy(dtype=np.float64)
        x = np.where(np.isnan(x), np.nanmedian(x), x)
        mean, sd = x.mean(), x.std()
        scales.append((mean, sd if sd > 0 else 1.0))
        num.append((x - mean) / (sd if sd > 0 else 1.0))
        variables.append({"name": c, "kind": "numeric", "columns": [len(names)]})
        names.append(c)
    X = np.column_stack(blocks + [np.column_stack(num)] if num else blocks)
    return X, names, variables, codes, scales


def weight_variables(X, variables):
    """segments.weights: "variables": every variable's columns scaled to a summed population variance of 1."""
    v = X.var(axis=0)
    m = np.ones(X.shape[1])
    for var in variables:
        V = v[var["columns"]].sum()
        var["multiplier"] = float(1 / np.sqrt(V)) if V > 0 else 1.0
        m[var["columns"]] = var["multiplier"]
    return X * m


class Silhouette:
    """silhouette_score of partitions of the same rows, on the seeded sample scikit-learn's sample_size would draw
    (RandomState(seed).permutation(n)[:sample]); with few enough rows the sample's distances are computed once."""

    def __init__(self, Z, sample, seed, precompute_rows=4000):
        n = len(Z)
        self.idx = np.random.RandomState(seed).permutation(n)[:sample] if n > sample else slice(None)
        self.P = Z[self.idx]
        self.D = pairwise_distances(self.P) if len(self.P) <= precompute_rows else None

    def __call__(self, labels):
        L = np.asarray(labels)[self.idx]
        if len(np.unique(L)) < 2:
            return float("nan")
        return float(silhouette_score(self.D, L, metric="precomputed") if self.D is not None else silhouette_score(self.P, L))


def sample_sd(x):
    return float(np.std(x, ddof=1)) if len(x) > 1 else float("nan")


def structure_test(Z, variables, ks, draws, n_init, max_iter, sample, seed, reference="permuted"):
    """openbeat's testStructure / compareWithNull / structureVerdict (src/studies/segments/structure.ts,
    src/ml/cluster-null.ts): the silhouette and log W of k-means on the data against `draws` permuted references."""
    if reference != "permuted":
        raise SystemExit(f"structure.reference {reference!r}: only the permuted reference is mirrored")
    n = len(Z)

    def run(D, k, s):
        km = KMeans(n_clusters=k, n_init=n_init, max_iter=max_iter, random_state=s).fit(D)
        return km.labels_, km.inertia_

    def tss(D):
        return float(((D - D.mean(axis=0)) ** 2).sum())

    def score(sil, labels):
        v = sil(labels)
        return v if math.isfinite(v) else 0.0  # one cluster found: no structure

    sil = Silhouette(Z, sample, seed)
    observed = []
    for k in ks:
        labels, inertia = run(Z, k, seed)
        observed.append((math.log(inertia), score(sil, labels)))
    log_w1 = math.log(tss(Z))
    null_logw = np.empty((len(ks), draws))
    null_sil = np.empty((len(ks), draws))
    null_logw1 = np.empty(draws)
    rs = np.random.RandomState(seed)
    for b in range(draws):
        R = np.empty_like(Z)
        for var in variables:
            cols = var["columns"]
            R[:, cols] = Z[np.ix_(rs.permutation(n), cols)]
        null_logw1[b] = math.log(tss(R))
        sil_b = Silhouette(R, sample, seed)
        for t, k in enumerate(ks):
            labels, inertia = run(R, k, seed + 1 + b)
            null_logw[t, b] = math.log(inertia)
            null_sil[t, b] = score(sil_b, labels)
    root = math.sqrt(1 + 1 / draws)
    per_k = []
    for t, k in enumerate(ks):
        m, s = float(null_sil[t].mean()), sample_sd(null_sil[t])
        excess = observed[t][1] - m
        z = excess / s if s > 0 else (0.0 if excess == 0 else math.copysign(math.inf, excess))
        gap = float(null_logw[t].mean()) - observed[t][0]
        per_k.append({"k": k, "observed": observed[t][1], "null_mean": m, "null_sd": s,
                      "null_quantiles": np.quantile(null_sil[t], [0.05, 0.5, 0.95]).tolist(), "excess": excess, "z": z,
                      "gap": gap, "gap_sd": sample_sd(null_logw[t]) * root})
    curve = [(1, float(null_logw1.mean()) - log_w1, sample_sd(null_logw1) * root)] + [(r["k"], r["gap"], r["gap_sd"]) for r in per_k]
    curve.sort(key=lambda c: c[0])
    gap_k = curve[-1][0]
    for a, b in zip(curve, curve[1:]):
        if a[1] >= b[1] - b[2]:
            gap_k = a[0]
            break

    def best(ok):
        rows = [r for r in per_k if math.isfinite(r["excess"]) and ok(r)]
        return max(rows, key=lambda r: r["excess"]) if rows else None

    clear = best(lambda r: r["excess"] >= CLEAR_MARGIN and r["z"] >= CLEAR_Z) if gap_k >= 2 else None
    weak = best(lambda r: r["excess"] >= WEAK_MARGIN and r["z"] >= WEAK_Z)
    top = clear or weak or best(lambda r: True)
    return {
        "null": {"method": reference, "draws": draws, "n_init": n_init, "silhouette_sample": sample, "per_k": per_k, "gap_k": gap_k},
        "verdict": "clear" if clear else "weak" if weak else "no structure beyond chance",
        "k": top["k"], "excess": top["excess"], "z": top["z"],
    }


def kmeans_until_repeat(Z, k, n_init, max_init, max_iter, seed):
    """openbeat's kmeansUntilRepeat (src/ml/cluster-stability.ts): single k-means++ starts, seeds drawn from `seed`,
    in batches of n_init doubling up to max_init, until two starts reach the best inertia (relative 1e-6)."""
    seeds = np.random.RandomState(seed)
    inertias, best, target = [], None, n_init
    while True:
        while len(inertias) < target:
            km = KMeans(n_clusters=k, n_init=1, max_iter=max_iter, random_state=int(seeds.randint(0, 2**32, dtype=np.uint64))).fit(Z)
            inertias.append(km.inertia_)
            if best is None or km.inertia_ < best.inertia_:
                best = km
        count = sum(v <= best.inertia_ * (1 + REPEAT_RTOL) for v in inertias)
        if count >= 2 or target >= max_init:
            return best, {"used": len(inertias), "repeated": count >= 2, "best_count": int(count)}
        target = min(2 * target, max_init)


def sweep(Z, ks, n_init, max_init, max_iter, silhouette, seed):
    """openbeat's sweepK (src/studies/segments/sweep.ts): the k-means partition and the four criteria at every k."""
    rows, labels = [], {}
    for k in ks:
        km, starts = kmeans_until_repeat(Z, k, n_init, max_init, max_iter, seed)
        labels[k] = km.labels_
        rows.append({"k": k, "inertia": float(km.inertia_), "silhouette": silhouette(km.labels_),
                     "calinski_harabasz": float(calinski_harabasz_score(Z, km.labels_)),
                     "davies_bouldin": float(davies_bouldin_score(Z, km.labels_)), "starts": starts})
    return rows, labels


def stability_per_k(Z, labels, ks, draws, max_iter, seed):
    """openbeat's stabilityPerK / clusterStability (sweep.ts, src/ml/cluster-stability.ts): subsamples of 80% of
    the rows, KMeans(n_init=3) on each (seed + 1 + b), ARI of all rows' nearest centres against the sweep's labels."""
    n = len(Z)
    rs = np.random.RandomState(seed)
    size = max(1, int(math.floor(STABILITY_FRACTION * n + 0.5)))
    subsamples = [rs.choice(n, size, replace=False) for _ in range(draws)]
    out = {}
    for k in ks:
        if draws < 1 or n < 2 * k:
            out[k] = None
            continue
        aris = [adjusted_rand_score(labels[k], KMeans(n_clusters=k, n_init=STABILITY_STARTS, max_iter=max_iter,
                                                      random_state=seed + 1 + b).fit(Z[idx]).predict(Z))
                for b, idx in enumerate(subsamples)]
        out[k] = {"method": "subsample", "fraction": STABILITY_FRACTION, "draws": draws, "mean": float(np.mean(aris)), "sd": sample_sd(aris)}
    return out


def knee(ks, inertia):
    if len(ks) < 3:
        return ks[0]
    x = (np.array(ks) - ks[0]) / (ks[-1] - ks[0])
    y = (np.array(inertia) - inertia[-1]) / (inertia[0] - inertia[-1]) if inertia[0] != inertia[-1] else np.zeros(len(ks))
    return ks[int(np.argmax(1 - x - y))]


def choose_k(rows, stability):
    """openbeat's chooseK (src/studies/segments/choose-k.ts): among the k with stability >= 0.75 (all k when none
    is), the lowest mean rank over silhouette, CH, DB, distance to the inertia knee and stability; ties to the
    smaller k."""
    kn = knee([r["k"] for r in rows], [r["inertia"] for r in rows])
    stab = {r["k"]: (stability.get(r["k"]) or {}).get("mean") for r in rows}
    with_stability = all(isinstance(v, (int, float)) and math.isfinite(v) for v in stab.values())
    pool = [r for r in rows if with_stability and stab[r["k"]] >= MIN_STABILITY] or list(rows)

    def rank(score):
        order = sorted(pool, key=lambda r: (score(r), r["k"]))
        return {r["k"]: i + 1 for i, r in enumerate(order)}

    ranks = [rank(lambda r: -r["silhouette"]), rank(lambda r: -r["calinski_harabasz"]), rank(lambda r: r["davies_bouldin"]),
             rank(lambda r: abs(r["k"] - kn))]
    if with_stability:
        ranks.append(rank(lambda r: -stab[r["k"]]))
    k = min((r["k"] for r in pool), key=lambda k: (sum(m[k] for m in ranks) / len(ranks), k))
    return {"k": k, "knee": kn, "eligible": [r["k"] for r in pool], "mean_rank": sum(m[k] for m in ranks) / len(ranks)}


def criteria(Z, labels, silhouette):
    return {
        "silhouette": silhouette(labels),
        "calinski_harabasz": float(calinski_harabasz_score(Z, labels)),
        "davies_bouldin": float(davies_bouldin_score(Z, labels)),
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


def two_proportion_z(x1, n1, x, n):
    n2 = n - n1
    if n1 <= 0 or n2 <= 0:
        return float("nan")
    p = x / n
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return (x1 / n1 - (x - x1) / n2) / se if se > 0 else float("nan")


def welch_z(a, b):
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return (a.mean() - b.mean()) / se if se > 0 else float("nan")


def nice_width(x):
    if not x > 0:
        return 1
    e = 10 ** math.floor(math.log10(x))
    f = x / e
    return (1 if f <= 1 else 2 if f <= 2 else 5 if f <= 5 else 10) * e


def profiles(X, names, variables, numeric_scales, labels, k, table, numeric, describe, dist, min_cell):
    """openbeat's describeClusters (src/studies/segments/profiles.ts): features in data units, ranked by evidence."""
    raw = X.copy()
    num_cols = [v["columns"][0] for v in variables if v["kind"] == "numeric"]
    for j, (mean, sd) in zip(num_cols, numeric_scales):
        raw[:, j] = raw[:, j] * sd + mean
    n = len(raw)
    overall = raw.mean(axis=0)
    level_counts = np.rint(raw.sum(axis=0))
    present = {c: table[c].to_numpy(dtype=np.float64) for c in numeric}
    out = []
    for c in range(k):
        rows = labels == c
        size = int(rows.sum())
        cm = raw[rows].mean(axis=0)
        counts = np.rint(raw[rows].sum(axis=0))
        profile = []
        for j, name in enumerate(names):
            row = {"feature": name, "cluster_mean": float(cm[j]), "overall_mean": float(overall[j]),
                   "lift": float(cm[j] / overall[j]) if overall[j] else None}
            if j in num_cols:
                v = present[name]
                inside, rest, every = v[rows & ~np.isnan(v)], v[~rows & ~np.isnan(v)], v[~np.isnan(v)]
                z, count = welch_z(inside, rest), len(inside)
                if count:
                    row["quartiles"] = np.quantile(inside, [0.25, 0.5, 0.75]).tolist()
                row["overall_quartiles"] = np.quantile(every, [0.25, 0.5, 0.75]).tolist()
            else:
                count = int(counts[j])
                z = two_proportion_z(count, size, level_counts[j], n)
            ranked = count >= min_cell and math.isfinite(z)
            row.update(count=count, evidence=z if ranked else None, _rank=abs(z) if ranked else -1)
            profile.append(row)
        profile.sort(key=lambda r: (-r["_rank"], r["feature"]))
        for r in profile:
            del r["_rank"]
        top = {}
        for col in describe:
            vc = table.loc[rows, col].fillna(MISSING).value_counts()
            top[col] = [{"value": v, "count": int(cnt), "share": cnt / max(1, size)}
                        for v, cnt in sorted(vc.items(), key=lambda t: (-t[1], t[0]))[:5]]
        cluster = {"id": c, "size": size, "share": size / n, "profile": profile, "top_values": top}
        if dist:
            allv = table[dist].dropna().to_numpy(dtype=np.float64)
            v = np.sort(table.loc[rows, dist].dropna().to_numpy(dtype=np.float64))
            width = nice_width((allv.max() - allv.min()) / 8)
            start = math.floor(allv.min() / width) * width
            edges = start + width * np.arange(int((allv.max() - start) // width) + 1)
            hist = np.bincount(((v - start) // width).astype(int), minlength=len(edges))[:len(edges)]
            cluster["distribution"] = {
                "column": dist, "mean": float(v.mean()) if len(v) else None,
                "quartiles": np.quantile(v, [0.25, 0.5, 0.75], method="lower").tolist() if len(v) else None,
                "histogram": [{"bin": f"{e:g}–{e + width - 1:g}", "count": int(h)} for e, h in zip(edges, hist)]}
        out.append(cluster)
    return out


def cluster_label(cluster, info, parts=3, second_share=0.25):
    """openbeat's clusterLabel (src/studies/segments/labels.ts): the variables of the strongest positive evidence."""
    def num(x):
        return str(round(x)) if abs(x) >= 100 or float(x).is_integer() else f"{x:.1f}".removesuffix(".0")

    chosen = []
    for row in cluster["profile"]:
        if len(chosen) >= parts:
            break
        column, value = info[row["feature"]]
        if row["evidence"] is None or (value is not None and row["evidence"] <= 0):
            continue
        if column not in chosen:
            chosen.append(column)
    out = []
    for column in chosen:
        levels = [r for r in cluster["profile"] if info[r["feature"]][0] == column and info[r["feature"]][1] is not None]
        if not levels:
            q = next(r for r in cluster["profile"] if r["feature"] == column).get("quartiles")
            if q:
                out.append(f"{column} {num(q[0])}–{num(q[2])} (median {num(q[1])})")
            continue
        levels.sort(key=lambda r: (-r["cluster_mean"], r["feature"]))
        top, second = levels[0], levels[1] if len(levels) > 1 else None
        if top["evidence"] is None or top["cluster_mean"] < second_share:
            continue
        head = f"{column}: " if top["cluster_mean"] >= 0.5 else f"most common {column}: "
        extra = (f", {info[second['feature']][1]} ({round(100 * second['cluster_mean'])}%)"
                 if second and second["evidence"] is not None and second["cluster_mean"] >= second_share else "")
        out.append(f"{head}{info[top['feature']][1]} ({round(100 * top['cluster_mean'])}%){extra}")
    return " · ".join(out) if out else "mixed profile"


def variance_shares(Z, variables, labels, k):
    """openbeat's varianceShareRows (src/studies/segments/weights.ts): share of the variance and of the separation."""
    v = Z.var(axis=0)
    sizes = np.bincount(labels, minlength=k)
    centres = np.vstack([Z[labels == c].mean(axis=0) if sizes[c] else Z.mean(axis=0) for c in range(k)])
    between = (sizes[:, None] * (centres - Z.mean(axis=0)) ** 2).sum(axis=0)
    per_var = [v[var["columns"]].sum() for var in variables]
    per_between = [between[var["columns"]].sum() for var in variables]
    return [{"variable": var["name"], "columns": len(var["columns"]), "weight": 1, "multiplier": var["multiplier"],
             "share": float(pv / sum(per_var)), "separation": float(pb / sum(per_between))}
            for var, pv, pb in zip(variables, per_var, per_between)]


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
    min_cell = (study.get("report") or {}).get("min_cell", 10)
    feats = seg["features"]
    categorical = feats.get("categorical", []) + [d["column"] + ".hour" for d in feats.get("dates", []) if "hour" in d.get("parts", [])]
    numeric = feats.get("numeric", [])
    kspec = seg.get("k", {})
    k_min, k_max, n_seeds = kspec.get("min", 2), kspec.get("max", 10), kspec.get("seeds", 5)
    ks = list(range(k_min, k_max + 1))
    n_init, max_iter = seg.get("n_init", 10), seg.get("max_iter", 300)
    max_init = max(n_init, seg.get("max_init", 40))
    sample = seg.get("silhouette_sample", 10000)
    draws = seg.get("stability_resamples", 20)
    structure_spec = seg.get("structure", {})
    if seg.get("weights", "variables") != "variables" or seg.get("pca") or kspec.get("fixed") or seg.get("method", "kmeans") != "kmeans":
        raise SystemExit("segments.weights, pca, k.fixed and method other than the defaults are not mirrored")

    with steps("prepare"):
        table, n_raw = prepare(args.crimes)
        for d in feats.get("dates", []):
            table[d["column"] + ".hour"] = table["hour"]
    with steps("encode"):
        X, names, variables, codes, scales = encode(table, categorical, numeric, feats.get("min_frequency", 1))
    with steps("weights"):
        Z = weight_variables(X, variables)
    structure = None
    if structure_spec is not False:
        with steps("structure"):
            structure = structure_test(Z, variables, ks, structure_spec.get("draws", 20), structure_spec.get("n_init", 3), max_iter,
                                       structure_spec.get("silhouette_sample", 2000), seed, structure_spec.get("reference", "permuted"))
    with steps("kmeans"):
        silhouette = Silhouette(Z, sample, seed)
        selection, runs = sweep(Z, ks, n_init, max_init, max_iter, silhouette, seed)
    with steps("stability"):
        stability = stability_per_k(Z, runs, ks, draws, max_iter, seed)
        for r in selection:
            r["stability"] = stability[r["k"]]
        main_choice = choose_k(selection, stability)
    with steps("k_seeds"):
        picks, sweeps = [{"seed": seed, "k": main_choice["k"]}], [selection]
        for s in range(seed + 1, seed + n_seeds):
            rows, _ = sweep(Z, ks, n_init, max_init, max_iter, silhouette, s)
            sweeps.append(rows)
            picks.append({"seed": s, "k": choose_k(rows, stability)["k"]})
        votes = {}
        for p in picks:
            votes[p["k"]] = votes.get(p["k"], 0) + 1
        k = min(votes, key=lambda kk: (-votes[kk], kk))
        if len(sweeps) > 1:
            for t, r in enumerate(selection):
                r["spread"] = {key: {"min": min(s[t][key] for s in sweeps), "max": max(s[t][key] for s in sweeps),
                                     "sd": sample_sd([s[t][key] for s in sweeps])}
                               for key in ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin")}
        labels = runs[k]
    comparison = None
    if seg.get("compare_methods", True):
        with steps("compare_methods"):
            Xnum = np.column_stack([((lambda x: np.where(np.isnan(x), 0, (x - np.nanmean(x)) / (np.nanstd(x) or 1)))(
                table[c].to_numpy(dtype=np.float64))) for c in numeric]) if numeric else np.zeros((len(X), 0))
            kp = k_prototypes(Xnum, np.column_stack(codes), k, min(n_init, 5), seed)
            comparison = [{"method": "kmeans", "k": k, **criteria(Z, labels, silhouette), "agreement": 1.0},
                          {"method": "kprototypes", "k": k, **criteria(Z, kp, silhouette), "agreement": float(adjusted_rand_score(labels, kp))}]
    with steps("profiles"):
        clusters = profiles(X, names, variables, scales, labels, k, table, numeric, seg.get("describe", []), seg.get("distribution"), min_cell)
        info = {}
        for var in variables:
            for j in var["columns"]:
                info[names[j]] = (var["name"], names[j][len(var["name"]) + 1:] if var["kind"] == "categorical" else None)
        for c in clusters:
            c["label"] = cluster_label(c, info)
    with steps("variance_shares"):
        shares = variance_shares(Z, variables, labels, k)
    areas = None
    if seg.get("areas") and args.boundaries:
        with steps("areas"):
            areas = area_shares(table, labels, k, seg["areas"]["column"], args.boundaries, seg["areas"].get("name_property", "name"),
                                os.path.dirname(os.path.abspath(args.out)))
    with steps("pca_sample"):
        P = PCA(n_components=min(2, X.shape[1])).fit_transform(X)
        pick = np.sort(np.random.RandomState(seed + 17).permutation(len(P))[:2000])
        sample_points = [{"pc1": float(P[i, 0]), "pc2": float(P[i, 1]), "cluster": int(labels[i])} for i in pick]

    at_k = stability[k]
    result = {
        "study": "segments",
        "tool": "python",
        "data": {"rows": int(len(X)), "features": int(X.shape[1]), "input_rows": n_raw},
        "k_selection": selection,
        "k": int(k),
        "k_choice": {"k": int(k), "main": main_choice, "seeds": picks, "agreement": votes[k] / len(picks), "unanimous": votes[k] == len(picks)},
        "structure": structure,
        "weights": "variables",
        "variance_shares": shares,
        "stability": {"method": "subsample", "resamples": at_k["draws"] if at_k else 0,
                      "mean_ari": at_k["mean"] if at_k else None, "sd": at_k["sd"] if at_k else None},
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
