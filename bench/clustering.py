"""Clustering benchmarks: the data (generated here) and scikit-learn's side (see bench/clustering.ts).

/usr/bin/python3 bench/clustering.py gen
    writes /tmp/openbeat-bench-X.f64 (50,000 × 40, mixed numeric and one-hot, row-major) for the k sweep, and
    the kernel data in /tmp/openbeat-bench-clustering/: A (100,000 × 20) and B (200,000 × 100) Gaussian blobs
    without repeated rows, S (10,000 × 61), k-means++ starting centres for A and B (k = 8) and k-means labels
    for S and B, all float64 or int32, row-major, with meta.json
/usr/bin/python3 bench/clustering.py
    times KMeans(lloyd, n_init=10) for k = 2..10 and silhouette_score on the first 10,000 rows of the sweep data
/usr/bin/python3 bench/clustering.py kernels [--threads N] [--only NAME,...]
    times each kernel once with N threads (threadpoolctl limits OpenBLAS and OpenMP), one JSON line per kernel
"""
import json
import os
import sys
import time

import numpy as np

PATH = "/tmp/openbeat-bench-X.f64"
N, P = 50_000, 40
KERNEL_DIR = "/tmp/openbeat-bench-clustering"


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
    generate_kernel_data()


def blobs(n, p, k, seed, spread):
    """n rows around k Gaussian centres (N(0, spread²) coordinates) with unit noise: no two rows are equal."""
    rs = np.random.RandomState(seed)
    centres = rs.normal(scale=spread, size=(k, p))
    groups = rs.randint(0, k, size=n)
    return centres[groups] + rs.normal(size=(n, p))


def generate_kernel_data():
    from sklearn.cluster import KMeans, kmeans_plusplus

    os.makedirs(KERNEL_DIR, exist_ok=True)
    data = {
        "A": blobs(100_000, 20, 8, 1, 0.5),
        "B": blobs(200_000, 100, 8, 2, 0.3),
        "S": blobs(10_000, 61, 6, 3, 0.6),
    }
    meta = {}
    for name, X in data.items():
        assert len(np.unique(X, axis=0)) == len(X), f"{name} has repeated rows"
        X.tofile(f"{KERNEL_DIR}/{name}.f64")
        meta[name] = list(X.shape)
    for name in ("A", "B"):
        centres, _ = kmeans_plusplus(data[name], 8, random_state=0)
        centres.tofile(f"{KERNEL_DIR}/{name}-init.f64")
    for name, k in (("S", 6), ("B", 8)):
        labels = KMeans(k, n_init=1, random_state=0).fit(data[name]).labels_.astype(np.int32)
        labels.tofile(f"{KERNEL_DIR}/{name}-labels.i32")
    with open(f"{KERNEL_DIR}/meta.json", "w") as f:
        json.dump(meta, f)
    print(KERNEL_DIR, meta)


def load(name):
    with open(f"{KERNEL_DIR}/meta.json") as f:
        meta = json.load(f)
    return np.fromfile(f"{KERNEL_DIR}/{name}.f64").reshape(meta[name])


def kernels(threads, only):
    from threadpoolctl import threadpool_limits
    from sklearn.cluster import KMeans, kmeans_plusplus
    from sklearn.decomposition import PCA
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    full = {
        "A": load("A"),
        "B": load("B"),
        "S": load("S"),
        "A-init": np.fromfile(f"{KERNEL_DIR}/A-init.f64").reshape(8, -1),
        "B-init": np.fromfile(f"{KERNEL_DIR}/B-init.f64").reshape(8, -1),
        "S-labels": np.fromfile(f"{KERNEL_DIR}/S-labels.i32", dtype=np.int32),
        "B-labels": np.fromfile(f"{KERNEL_DIR}/B-labels.i32", dtype=np.int32),
    }
    # a warm-up run of every kernel on the first 2,000 rows, so that neither side's timing includes first-call costs
    small = {key: (v if key.endswith("init") else v[:2000]) for key, v in full.items()}

    def lloyd(d, name, algorithm):
        km = KMeans(8, init=d[f"{name}-init"], n_init=1, algorithm=algorithm).fit(d[name])
        return {"n_iter": int(km.n_iter_), "inertia": float(km.inertia_)}

    def seeding(d):
        for seed in range(10):
            kmeans_plusplus(d["A"], 8, random_state=seed)
        return {}

    def full_fit(d):
        km = KMeans(8, n_init=10, random_state=0).fit(d["A"])
        return {"n_iter": int(km.n_iter_), "inertia": float(km.inertia_)}

    def pca(d, components):
        model = PCA(components).fit(d["A"])
        return {"explained_variance_ratio_0": float(model.explained_variance_ratio_[0]), "solver": model._fit_svd_solver}

    def sample(d):
        size = min(10_000, len(d["B"]) - 1)
        return {"score": float(silhouette_score(d["B"], d["B-labels"], sample_size=size, random_state=0))}

    cases = {
        "lloyd A 100k×20 k=8": lambda d: lloyd(d, "A", "lloyd"),
        "elkan A 100k×20 k=8": lambda d: lloyd(d, "A", "elkan"),
        "lloyd B 200k×100 k=8": lambda d: lloyd(d, "B", "lloyd"),
        "elkan B 200k×100 k=8": lambda d: lloyd(d, "B", "elkan"),
        "k-means++ seeding A ×10": seeding,
        "k-means fit A n_init=10": full_fit,
        "pca A all components": lambda d: pca(d, None),
        "pca A 2 components": lambda d: pca(d, 2),
        "silhouette exact S 10k×61": lambda d: {"score": float(silhouette_score(d["S"], d["S-labels"]))},
        "silhouette sample 10k of B": sample,
        "calinski-harabasz B": lambda d: {"score": float(calinski_harabasz_score(d["B"], d["B-labels"]))},
        "davies-bouldin B": lambda d: {"score": float(davies_bouldin_score(d["B"], d["B-labels"]))},
    }
    with threadpool_limits(threads):
        for name, run in cases.items():
            if only and name not in only:
                continue
            run(small)
            c0 = time.process_time()
            t0 = time.perf_counter()
            check = run(full)
            wall = time.perf_counter() - t0
            cpu = time.process_time() - c0
            print(json.dumps({"side": "scikit-learn", "kernel": name, "threads": threads, "wall_s": wall, "cpu_s": cpu, **check}))
            sys.stdout.flush()


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
    args = sys.argv[1:]
    if args == ["gen"]:
        generate()
    elif args[:1] == ["kernels"]:
        threads = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
        only = args[args.index("--only") + 1].split(",") if "--only" in args else []
        kernels(threads, only)
    else:
        bench()
