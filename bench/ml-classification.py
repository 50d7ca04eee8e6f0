"""scikit-learn / imbalanced-learn timings for the data of bench/ml-classification.bench.ts.

Run with: /usr/bin/python3 bench/ml-classification.py
"""
import time

import numpy as np
import scipy.sparse as sp
from imblearn.over_sampling import SMOTE
from sklearn.linear_model import LogisticRegression

n = 30_000
rs = np.random.RandomState(0)
a = rs.randint(0, 150, n)
b = rs.randint(150, 300, n)
effect = rs.uniform(-1.5, 1.5, 300)
u = rs.uniform(size=n)
y = (u < 1 / (1 + np.exp(-(-2 + effect[a] + effect[b])))).astype(float)
X = sp.csr_matrix((np.ones(2 * n), (np.repeat(np.arange(n), 2), np.column_stack([a, b]).ravel())), shape=(n, 300))
print(f"rows {n}, cols 300, nnz {X.nnz}, positives {int(y.sum())}")


def best_of(f, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = f()
        times.append(time.perf_counter() - t)
    return min(times), float(np.mean(times)), r


for tol in [1e-4, 1e-6]:
    t, mean, m = best_of(lambda: LogisticRegression(C=1.0, tol=tol, max_iter=1000).fit(X, y))
    print(f"sklearn LogisticRegression lbfgs tol={tol:g}: best {t * 1000:.1f} ms, mean {mean * 1000:.1f} ms, n_iter {m.n_iter_[0]}")
t, mean, (Xr, yr) = best_of(lambda: SMOTE(random_state=0).fit_resample(X, y), repeat=3)
print(f"imblearn SMOTE k=5: best {t * 1000:.1f} ms, mean {mean * 1000:.1f} ms, rows out {Xr.shape[0]}")
