"""Generates the matrices of the kernel benchmark (bench/kernels.ts, bench/python/kernels.py), without repeated rows.

/usr/bin/python3 bench/python/kernel_data.py [--out /tmp/openbeat-bench/kernels]

Writes little-endian binary arrays (float64 `.f64`, int32 `.i32`) and `meta.json` describing them, so that both
sides read exactly the same numbers:
- `dense`: 100,000 x 20 standard normal X, y ~ Bernoulli(sigmoid(X.beta - 2.2)) (about 16% positives);
- `csr`: 200,000 x 100 one-hot CSR, five categorical columns of 20 levels each (five non-zeros of 1.0 per row),
  y ~ Bernoulli(sigmoid(-2.5 + sum of level effects)); nearly all rows distinct (20^5 = 3.2M combinations);
- `z`: 1,000,000 linear predictors ~ N(0, 3^2) for the log(1 + exp(z)) kernel.
numpy's RandomState(2024) draws everything, in this order.
"""
import argparse
import json
import os

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/openbeat-bench/kernels")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rs = np.random.RandomState(2024)

    n, p = 100_000, 20
    X = rs.standard_normal((n, p))
    beta = rs.standard_normal(p) * (1.5 / np.sqrt(p))
    y = (rs.uniform(size=n) < 1 / (1 + np.exp(-(X @ beta - 2.2)))).astype(np.float64)

    ns, levels, per = 200_000, 20, 5
    codes = rs.randint(0, levels, size=(ns, per))
    effects = rs.standard_normal(levels * per) * 0.8
    cols = (codes + np.arange(per) * levels).astype(np.int32)
    ys = (rs.uniform(size=ns) < 1 / (1 + np.exp(-(-2.5 + effects[cols].sum(axis=1))))).astype(np.float64)
    indptr = (np.arange(ns + 1) * per).astype(np.int32)

    z = rs.standard_normal(1_000_000) * 3.0

    files = {
        "dense_X": X, "dense_y": y,
        "csr_indptr": indptr, "csr_indices": np.sort(cols, axis=1).ravel(), "csr_y": ys,
        "z": z,
    }
    for name, a in files.items():
        suffix = ".i32" if a.dtype == np.int32 else ".f64"
        a.astype("<i4" if suffix == ".i32" else "<f8").tofile(os.path.join(args.out, name + suffix))
    meta = {
        "seed": 2024,
        "dense": {"rows": n, "cols": p, "positives": int(y.sum()), "distinct_rows": int(np.unique(X, axis=0).shape[0])},
        "csr": {"rows": ns, "cols": levels * per, "nnz": int(indptr[-1]), "positives": int(ys.sum()),
                "distinct_rows": int(np.unique(codes, axis=0).shape[0])},
        "z": {"size": int(z.size)},
    }
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
