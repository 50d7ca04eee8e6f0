"""scikit-learn / imbalanced-learn side of the kernel benchmark (bench/kernels.ts runs it; data from kernel_data.py).

/usr/bin/python3 bench/python/kernels.py --threads 1|2 [--data DIR] [--repeat N] [--only NAME,...]

Times each kernel `repeat` times under threadpoolctl's limit (OpenBLAS and OpenMP) and prints one JSON object:
{kernel: {"wall_s": [...], "cpu_s": [...], ...facts}}. Kernels:
- lr_dense: LogisticRegression(C=1, solver="lbfgs", tol=1e-4, max_iter=1000).fit on 100k x 20 dense
- lr_csr: the same on the 200k x 100 CSR matrix
- smote_dense / smote_csr: imblearn SMOTE(k_neighbors=5, random_state=0).fit_resample
- log1pexp: numpy log1p(exp(z)) over 1M values (overflows above z = 709), and logaddexp: numpy's stable
  logaddexp(0, z), the same quantity as openbeat's kernel computes;
- binomial_loss_gradient: scikit-learn's HalfBinomialLoss.loss_gradient (loss and gradient per row, the pointwise
  part of one L-BFGS evaluation)
"""
import argparse
import json
import os
import time

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits


def load(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    f64 = lambda n: np.fromfile(os.path.join(d, n + ".f64"), dtype="<f8")  # noqa: E731
    i32 = lambda n: np.fromfile(os.path.join(d, n + ".i32"), dtype="<i4")  # noqa: E731
    m = meta["dense"]
    Xd = f64("dense_X").reshape(m["rows"], m["cols"])
    c = meta["csr"]
    Xs = sp.csr_matrix((np.ones(c["nnz"]), i32("csr_indices"), i32("csr_indptr")), shape=(c["rows"], c["cols"]))
    return {"dense": (Xd, f64("dense_y")), "csr": (Xs, f64("csr_y")), "z": f64("z")}


def timed(f, repeat):
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = f()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - t)
    return {"wall_s": wall, "cpu_s": cpu}, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/openbeat-bench/kernels")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    want = lambda k: not only or k in only  # noqa: E731
    data = load(args.data)
    res = {}
    with threadpool_limits(limits=args.threads):
        from imblearn.over_sampling import SMOTE
        from sklearn.linear_model import LogisticRegression
        from sklearn._loss.loss import HalfBinomialLoss

        for name in ["dense", "csr"]:
            X, y = data[name]
            if want(f"lr_{name}"):
                fit = lambda: LogisticRegression(C=1.0, solver="lbfgs", tol=1e-4, max_iter=1000).fit(X, y)  # noqa: E731
                fit()  # warm-up (imports, first-touch allocations)
                r, m = timed(fit, args.repeat)
                r.update(n_iter=int(m.n_iter_[0]), intercept=float(m.intercept_[0]), coef_head=m.coef_[0][:5].tolist())
                res[f"lr_{name}"] = r
            if want(f"smote_{name}"):
                rs = lambda: SMOTE(k_neighbors=5, random_state=0).fit_resample(X, y)  # noqa: E731
                r, (Xr, yr) = timed(rs, max(1, args.repeat // 2))
                r.update(rows_out=int(Xr.shape[0]))
                res[f"smote_{name}"] = r
        if want("log1pexp"):
            z = data["z"]
            r, v = timed(lambda: np.log1p(np.exp(z)), args.repeat * 4)
            r.update(size=int(z.size), checksum=float(v.sum()))
            res["log1pexp"] = r
            # the stable form (log1p(exp(z)) overflows to inf above z = 709): what openbeat's kernel computes
            r, v = timed(lambda: np.logaddexp(0, z), args.repeat * 4)
            r.update(size=int(z.size), checksum=float(v.sum()))
            res["logaddexp"] = r
            yz = (z > 0).astype(np.float64)
            loss = HalfBinomialLoss()
            r, (lv, gv) = timed(lambda: loss.loss_gradient(y_true=yz, raw_prediction=z), args.repeat * 4)
            r.update(size=int(z.size), checksum=float(lv.sum()))
            res["binomial_loss_gradient"] = r
    print(json.dumps({"threads": args.threads, "kernels": res}))


if __name__ == "__main__":
    main()
