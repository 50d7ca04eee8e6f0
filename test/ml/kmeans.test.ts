import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kmeans, predictKmeans } from "../../src/ml/kmeans.js";
import { kmeansPlusPlus } from "../../src/ml/kmeans-plus-plus.js";
import { fromRows, toRows, type Matrix } from "../../src/ml/matrix.js";
import { createRng } from "../../src/util/random.js";
import { defined } from "../checks.js";

interface KMeansCase {
  data: string;
  init: number[][];
  max_iter: number;
  tol: number;
  labels: number[];
  centroids: number[][];
  inertia: number;
  n_iter: number;
}
const ref = JSON.parse(readFileSync(new URL("../reference/clustering.json", import.meta.url), "utf8")) as {
  data: Record<string, number[][]>;
  kmeans: KMeansCase[];
};

function inertiaOf(X: Matrix, C: Matrix, labels: Int32Array): number {
  let s = 0;
  for (let i = 0; i < X.rows; ++i) for (let j = 0; j < X.cols; ++j) s += (X.data[i * X.cols + j] - C.data[labels[i] * X.cols + j]) ** 2;
  return s;
}

describe("kmeans(X, { init: C }) equals scikit-learn's Lloyd KMeans", () => {
  for (const [n, c] of ref.kmeans.entries()) {
    it(`case ${n}: ${c.data}, k = ${c.init.length}, maxIter = ${c.max_iter}, tol = ${c.tol}`, () => {
      const X = fromRows(ref.data[c.data]);
      const r = kmeans(X, { k: c.init.length, init: fromRows(c.init), maxIter: c.max_iter, tol: c.tol });
      expect(Array.from(r.labels)).toEqual(c.labels);
      expect(r.iterations).toBe(c.n_iter);
      expect(Math.abs(r.inertia - c.inertia) / c.inertia).toBeLessThan(1e-8);
      const got = toRows(r.centroids);
      for (let i = 0; i < c.centroids.length; ++i)
        for (let j = 0; j < c.centroids[i].length; ++j) expect(got[i][j]).toBeCloseTo(c.centroids[i][j], 9);
    });
  }
});

describe("kmeans(X, k)", () => {
  const square = fromRows([
    [0, 0],
    [0, 1],
    [10, 0],
    [10, 1],
  ]);

  it("finds the two obvious clusters of 4 points with exact centroids and iteration count", () => {
    const r = kmeans(square, {
      k: 2,
      init: fromRows([
        [0, 0],
        [10, 1],
      ]),
    });
    expect(Array.from(r.labels)).toEqual([0, 0, 1, 1]);
    expect(toRows(r.centroids)).toEqual([
      [0, 0.5],
      [10, 0.5],
    ]);
    expect(r.inertia).toBe(1);
    // iteration 1 moves the centres, iteration 2 sees the same labels
    expect(r.iterations).toBe(2);
  });

  it("with k-means++ and nInit finds the best clustering on separated blobs", () => {
    const X = fromRows(ref.data.blobs);
    const r = kmeans(X, { k: 4, seed: 3 });
    const best = defined(
      ref.kmeans.find((c) => c.data === "blobs" && c.init.length === 4),
      "a blobs reference with 4 initial centres",
    );
    expect(r.inertia).toBeCloseTo(best.inertia, 6);
    expect(inertiaOf(X, r.centroids, r.labels)).toBeCloseTo(r.inertia, 8);
    expect(Array.from(predictKmeans(r.centroids, X))).toEqual(Array.from(r.labels));
  });

  it("is deterministic for a seed and the best of nInit runs is no worse than one run", () => {
    const X = fromRows(ref.data.mixed);
    const a = kmeans(X, { k: 5, seed: 7 });
    const b = kmeans(X, { k: 5, seed: 7 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.inertia).toBe(b.inertia);
    const one = kmeans(X, { k: 5, seed: 7, nInit: 1 });
    expect(a.inertia).toBeLessThanOrEqual(one.inertia);
    const random = kmeans(X, { k: 5, seed: 7, init: "random" });
    expect(random.labels.length).toBe(X.rows);
    expect(new Set(random.labels).size).toBe(5);
  });

  it("handles k = n with zero inertia", () => {
    const X = fromRows([
      [1, 2],
      [3, 4],
      [5, 7],
      [0, -1],
    ]);
    const r = kmeans(X, { k: 4 });
    expect(r.inertia).toBe(0);
    expect(new Set(r.labels).size).toBe(4);
  });

  it("handles k = 1: the centroid is the mean", () => {
    const r = kmeans(square, { k: 1 });
    expect(toRows(r.centroids)).toEqual([[5, 0.5]]);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0]);
  });

  it("throws invalid k for k > n, k = 0 and non-integers", () => {
    expect(() => kmeans(square, { k: 5 })).toThrow("invalid k: 5 (expected 1..4)");
    expect(() => kmeans(square, { k: 0 })).toThrow("invalid k: 0");
    expect(() => kmeans(square, { k: 1.5 })).toThrow("invalid k: 1.5");
  });

  it("rejects NaN and a mis-shaped init", () => {
    expect(() =>
      kmeans(
        fromRows([
          [0, NaN],
          [1, 1],
        ]),
        { k: 1 },
      ),
    ).toThrow(/non-finite value NaN at row 0, column 1/);
    expect(() => kmeans(square, { k: 2, init: fromRows([[0, 0]]) })).toThrow("invalid init: 1×2 (expected 2×2)");
  });

  it("handles duplicate points: more clusters than distinct rows leaves empty-relocated clusters, no NaN", () => {
    const X = fromRows([
      [1, 1],
      [1, 1],
      [1, 1],
      [2, 2],
      [2, 2],
    ]);
    const r = kmeans(X, { k: 3, seed: 1 });
    expect(r.inertia).toBe(0);
    expect(Array.from(r.centroids.data).every(Number.isFinite)).toBe(true);
    expect(r.labels[0]).toBe(r.labels[1]);
    expect(r.labels[3]).toBe(r.labels[4]);
    expect(r.labels[0]).not.toBe(r.labels[3]);
  });

  it("handles a constant feature (its centroid coordinate is the constant)", () => {
    const X = fromRows([
      [0, 3],
      [0.2, 3],
      [5, 3],
      [5.1, 3],
      [9, 3],
    ]);
    const r = kmeans(X, { k: 2, seed: 0 });
    expect(r.centroids.data[1]).toBe(3);
    expect(r.centroids.data[3]).toBe(3);
    expect(r.inertia).toBeCloseTo(inertiaOf(X, r.centroids, r.labels), 12);
  });

  it("relocates an empty cluster to the farthest row", () => {
    const X = fromRows([[0], [1], [2], [10]]);
    const r = kmeans(X, { k: 2, init: fromRows([[1], [100]]) });
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 1]);
    expect(toRows(r.centroids)).toEqual([[1], [10]]);
  });
});

describe("kmeansPlusPlus(X, k, rng)", () => {
  it("picks k distinct rows of X, spread over separated groups", () => {
    const X = fromRows([
      [0, 0],
      [0.1, 0],
      [0, 0.1],
      [50, 50],
      [50.1, 50],
      [-40, 60],
      [-40, 60.2],
    ]);
    const C = kmeansPlusPlus(X, 3, createRng(5));
    const rows = toRows(C).map((r) => r.join(","));
    const all = toRows(X).map((r) => r.join(","));
    for (const r of rows) expect(all).toContain(r);
    const group = (r: string) => Math.round(Number(r.split(",")[0]) / 40);
    expect(new Set(rows.map(group)).size).toBe(3);
  });
});
