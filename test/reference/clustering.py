"""Reference values for test/ml/{kmeans,kmeans-weights,pca,clustering}*.test.ts from scikit-learn.

Run with Debian's Python (which has scikit-learn): /usr/bin/python3 test/reference/clustering.py
Writes test/reference/clustering.json next to this file.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
    silhouette_score,
)

rng = np.random.RandomState(42)

blobs, blob_truth = make_blobs(n_samples=240, centers=4, n_features=5, cluster_std=1.5, random_state=0)

# Mixed data: 3 numeric columns (standardised) and two one-hot categorical columns, as a segments study builds.
n_mixed = 180
num = rng.normal(size=(n_mixed, 3)) * [1.0, 3.0, 0.5] + [0.0, 10.0, -2.0]
num[:, 1] += 2.0 * (rng.rand(n_mixed) < 0.3)
num = (num - num.mean(axis=0)) / num.std(axis=0)
cat_a = rng.randint(0, 4, size=n_mixed)
cat_b = rng.randint(0, 3, size=n_mixed)
mixed = np.hstack([num, np.eye(4)[cat_a], np.eye(3)[cat_b]])
# a constant feature
mixed_const = np.hstack([mixed, np.full((n_mixed, 1), 2.5)])

datasets = {"blobs": blobs, "mixed": mixed, "mixed_const": mixed_const}


def kmeans_case(name, data, init, max_iter=300, tol=1e-4):
    km = KMeans(n_clusters=len(init), init=init, n_init=1, algorithm="lloyd", max_iter=max_iter, tol=tol)
    km.fit(data)
    return {
        "data": name,
        "init": init.tolist(),
        "max_iter": max_iter,
        "tol": tol,
        "labels": km.labels_.tolist(),
        "centroids": km.cluster_centers_.tolist(),
        "inertia": float(km.inertia_),
        "n_iter": int(km.n_iter_),
    }


kmeans_cases = []
for name, data, k in [("blobs", blobs, 3), ("blobs", blobs, 4), ("blobs", blobs, 7), ("mixed", mixed, 3),
                      ("mixed", mixed, 5), ("mixed_const", mixed_const, 4)]:
    idx = rng.choice(len(data), size=k, replace=False)
    kmeans_cases.append(kmeans_case(name, data, data[idx].copy()))
# few iterations: no strict convergence, so the final relabelling matters
kmeans_cases.append(kmeans_case("mixed", mixed, mixed[rng.choice(n_mixed, 6, replace=False)].copy(), max_iter=2))
kmeans_cases.append(kmeans_case("blobs", blobs, blobs[:5].copy(), tol=0.0))
# a centre far from every row: its cluster is empty after the first assignment and gets relocated
far = blobs[rng.choice(len(blobs), 3, replace=False)].copy()
far = np.vstack([far, np.full((1, blobs.shape[1]), 100.0)])
kmeans_cases.append(kmeans_case("blobs", blobs, far))

pca_cases = []
for name, data, n_comp in [("blobs", blobs, None), ("mixed", mixed, None), ("mixed", mixed, 0.8), ("blobs", blobs, 2)]:
    kw = {} if n_comp is None else {"n_components": n_comp}
    p = PCA(svd_solver="full", **kw).fit(data)
    pca_cases.append({
        "data": name,
        "n_components": n_comp,
        "components": p.components_.tolist(),
        "explained_variance": p.explained_variance_.tolist(),
        "explained_variance_ratio": p.explained_variance_ratio_.tolist(),
        "singular_values": p.singular_values_.tolist(),
        "mean": p.mean_.tolist(),
        "n_components_": int(p.n_components_),
        "transformed_head": p.transform(data[:5]).tolist(),
    })

metric_cases = []
label_sets = [
    ("blobs", blob_truth),
    ("blobs", KMeans(n_clusters=3, n_init=3, random_state=1).fit(blobs).labels_),
    ("blobs", rng.randint(0, 5, size=len(blobs))),
    ("mixed", KMeans(n_clusters=4, n_init=3, random_state=1).fit(mixed).labels_),
    ("mixed", rng.randint(0, 3, size=n_mixed)),
]
# a singleton cluster: its silhouette is 0 by definition
singleton = rng.randint(0, 3, size=n_mixed)
singleton[singleton == 2] = 1
singleton[7] = 2
label_sets.append(("mixed", singleton))
for name, labels in label_sets:
    data = datasets[name]
    metric_cases.append({
        "data": name,
        "labels": labels.tolist(),
        "silhouette": float(silhouette_score(data, labels)),
        "silhouette_samples": silhouette_samples(data, labels).tolist(),
        "calinski_harabasz": float(calinski_harabasz_score(data, labels)),
        "davies_bouldin": float(davies_bouldin_score(data, labels)),
    })

ari_cases = []
pairs = [
    ([0, 0, 1, 1], [0, 0, 1, 1]),
    ([0, 0, 1, 1], [1, 1, 0, 0]),
    ([0, 0, 1, 1], [0, 1, 0, 1]),
    ([0, 0, 0, 0], [0, 0, 0, 0]),
    ([0, 0, 0, 0], [0, 1, 2, 3]),
    ([0, 1, 2, 3], [0, 1, 2, 3]),
    ([0, 0, 1, 2, 2, 2], [1, 1, 0, 0, 2, 2]),
]
for size, ka, kb in [(50, 3, 4), (500, 5, 5), (2000, 8, 3)]:
    a = rng.randint(0, ka, size=size)
    b = np.where(rng.rand(size) < 0.6, a % kb, rng.randint(0, kb, size=size))
    pairs.append((a.tolist(), b.tolist()))
pairs.append((blob_truth.tolist(), metric_cases[1]["labels"]))
for a, b in pairs:
    ari_cases.append({"a": list(a), "b": list(b), "ari": float(adjusted_rand_score(a, b))})

# Weighted Lloyd runs, KMeans(...).fit(X, sample_weight=w). A separate generator keeps the cases above unchanged.
wrng = np.random.RandomState(2024)
# blobs plus one far row of weight 0: the empty cluster takes it with weight 0, so its centre stays at the mean
far_zero = np.vstack([blobs, np.full((1, blobs.shape[1]), 60.0)])
weighted_data = {**datasets, "blobs_far_zero": far_zero}


def weighted_case(name, weights, init, max_iter=300, tol=1e-4):
    data = weighted_data[name]
    km = KMeans(n_clusters=len(init), init=init, n_init=1, algorithm="lloyd", max_iter=max_iter, tol=tol)
    km.fit(data, sample_weight=weights)
    return {
        "data": name,
        "weights": np.asarray(weights, dtype=float).tolist(),
        "init": init.tolist(),
        "max_iter": max_iter,
        "tol": tol,
        "labels": km.labels_.tolist(),
        "centroids": km.cluster_centers_.tolist(),
        "inertia": float(km.inertia_),
        "n_iter": int(km.n_iter_),
    }


def pick(data, k):
    return data[wrng.choice(len(data), size=k, replace=False)].copy()


kmeans_weighted_cases = []
int_w = wrng.randint(1, 6, size=len(blobs)).astype(float)
kmeans_weighted_cases.append(weighted_case("blobs", int_w, pick(blobs, 4)))
kmeans_weighted_cases.append(weighted_case("blobs", int_w, pick(blobs, 7)))
frac_w = wrng.uniform(0.1, 3.0, size=n_mixed)
kmeans_weighted_cases.append(weighted_case("mixed", frac_w, pick(mixed, 5)))
kmeans_weighted_cases.append(weighted_case("mixed_const", frac_w, pick(mixed_const, 4)))
zero_w = wrng.uniform(0.1, 3.0, size=n_mixed)
zero_w[wrng.choice(n_mixed, 10, replace=False)] = 0.0
kmeans_weighted_cases.append(weighted_case("mixed", zero_w, pick(mixed, 3)))
# no strict convergence within 2 iterations: the final relabelling with weights
kmeans_weighted_cases.append(weighted_case("mixed", frac_w, pick(mixed, 6), max_iter=2))
kmeans_weighted_cases.append(weighted_case("blobs", frac_w[:1].repeat(len(blobs)) * int_w, blobs[:5].copy(), tol=0.0))
# an empty cluster relocated to the farthest row, which brings its weight
far_w = np.vstack([pick(blobs, 3), np.full((1, blobs.shape[1]), 100.0)])
kmeans_weighted_cases.append(weighted_case("blobs", wrng.uniform(0.5, 2.0, size=len(blobs)), far_w))
fz_w = np.append(wrng.uniform(0.5, 2.0, size=len(blobs)), 0.0)
fz_init = np.vstack([pick(blobs, 3), np.full((1, blobs.shape[1]), 100.0)])
kmeans_weighted_cases.append(weighted_case("blobs_far_zero", fz_w, fz_init))

out = {
    "sklearn_version": sklearn.__version__,
    "data": {name: d.tolist() for name, d in weighted_data.items()},
    "kmeans": kmeans_cases,
    "kmeans_weighted": kmeans_weighted_cases,
    "pca": pca_cases,
    "metrics": metric_cases,
    "ari": ari_cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clustering.json")
with open(path, "w") as f:
    json.dump(out, f)
print(path, os.path.getsize(path), "bytes")
for c in kmeans_cases:
    print("kmeans", c["data"], len(c["init"]), "n_iter", c["n_iter"], "inertia", c["inertia"])
for c in kmeans_weighted_cases:
    print("kmeans weighted", c["data"], len(c["init"]), "n_iter", c["n_iter"], "inertia", c["inertia"],
          "clusters", len(set(c["labels"])))
