"""Times scikit-learn on the clustering benchmark matrix (see bench/clustering.ts).

/usr/bin/python3 bench/clustering.py gen    writes /tmp/openbeat-bench-X.f64 (50,000 × 40 float64, row-major)
/usr/bin/python3 bench/clustering.py        times KMeans(lloyd, n_init=10) for k = 2..10 and silhouette_score
                                            on the first 10,000 rows
"""
import sys
import time

import numpy as np

PATH = "/tmp/openbeat-bench-X.f64"
N, P = 50_000, 40


def generate():
    rng = np.random.RandomState(2024)
    groups = rng.randint(0, 6, size=N)
    centres = rng.normal(scale=1.5, size=(6, 12))
    num = centres[groups] + rng.normal(size=(N, 12))
    cats = []
    for levels in (4, 5, 6, 6, 7):
        shifted = (rng.randint(0, levels, size=N) + (groups * (rng.rand(N) < 0.5))) % levels
        cats.append(np.eye(levels)[shifted])
    X = np.hstack([num] + cats)[:, :P]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    X.astype(np.float64).tofile(PATH)
    print(PATH, X.shape)


def bench():
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    X = np.fromfile(PATH, dtype=np.float64).reshape(N, P)
    t0 = time.perf_counter()
    c0 = time.process_time()
    for k in range(2, 11):
        t = time.perf_counter()
        km = KMeans(n_clusters=k, n_init=10, algorithm="lloyd", random_state=0).fit(X)
        print(f"k={k} inertia={km.inertia_:.6f} n_iter={km.n_iter_} {time.perf_counter() - t:.3f}s")
    print(f"kmeans sweep total {time.perf_counter() - t0:.3f}s (cpu {time.process_time() - c0:.3f}s)")
    labels = KMeans(n_clusters=5, n_init=1, random_state=0).fit(X[:10_000]).labels_
    t = time.perf_counter()
    s = silhouette_score(X[:10_000], labels)
    print(f"silhouette 10k x {P}: {s:.12f} {time.perf_counter() - t:.3f}s")


if __name__ == "__main__":
    generate() if sys.argv[1:] == ["gen"] else bench()
