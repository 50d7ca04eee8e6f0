import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kmeans, predictKmeans, type KMeansResult } from "../../src/ml/kmeans.js";
import { kmeansPlusPlus } from "../../src/ml/kmeans-plus-plus.js";
import { compressDenseRows } from "../../src/ml/compress-dense-rows.js";
import { fromRows, takeRows, toRows, type Matrix } from "../../src/ml/matrix.js";
import { createRng } from "../../src/util/random.js";

interface WeightedCase {
  data: string;
  weights: number[];
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
  kmeans: { data: string; init: number[][]; max_iter: number; tol: number }[];
  kmeans_weighted: WeightedCase[];
};

function weightedInertia(X: Matrix, w: Float64Array, C: Matrix, labels: Int32Array): number {
  let s = 0;
  for (let i = 0; i < X.rows; ++i)
    for (let j = 0; j < X.cols; ++j) s += w[i] * (X.data[i * X.cols + j] - C.data[labels[i] * X.cols + j]) ** 2;
  return s;
}

function expectSameCentroids(a: Matrix, b: Matrix, digits: number): void {
  expect(a.rows).toBe(b.rows);
  for (let i = 0; i < a.data.length; ++i) expect(a.data[i]).toBeCloseTo(b.data[i], digits);
}

/** Integer weights 1..max drawn with a seed, and X with each row repeated that many times. */
function repeated(X: Matrix, max: number, seed: number): { w: Float64Array; full: Matrix; index: Int32Array } {
  const rng = createRng(seed);
  const w = new Float64Array(X.rows);
  const index: number[] = [];
  for (let i = 0; i < X.rows; ++i) {
    w[i] = 1 + rng.int(max);
    for (let r = 0; r < w[i]; ++r) index.push(i);
  }
  return { w, full: takeRows(X, index), index: Int32Array.from(index) };
}

describe("kmeans(X, { init: C, sampleWeight: w }) equals scikit-learn's Lloyd KMeans.fit(X, sample_weight=w)", () => {
  for (const [n, c] of ref.kmeans_weighted.entries()) {
    const zeros = c.weights.filter((v) => v === 0).length;
    it(`case ${n}: ${c.data}, k = ${c.init.length}, maxIter = ${c.max_iter}, tol = ${c.tol}, ${zeros} zero weights`, () => {
      const X = fromRows(ref.data[c.data]);
      const r = kmeans(X, {
        k: c.init.length,
        init: fromRows(c.init),
        maxIter: c.max_iter,
        tol: c.tol,
        sampleWeight: Float64Array.from(c.weights),
      });
      expect(Array.from(r.labels)).toEqual(c.labels);
      expect(r.iterations).toBe(c.n_iter);
      expect(Math.abs(r.inertia - c.inertia) / c.inertia).toBeLessThan(1e-8);
      expectSameCentroids(r.centroids, fromRows(c.centroids), 9);
    });
  }

  it("the reference cases use integer, fractional and zero weights", () => {
    const ws = ref.kmeans_weighted.map((c) => c.weights);
    expect(ws.some((w) => w.every(Number.isInteger))).toBe(true);
    expect(ws.some((w) => w.some((v) => !Number.isInteger(v)))).toBe(true);
    expect(ws.some((w) => w.includes(0))).toBe(true);
  });
});

describe("kmeans(X, { sampleWeight })", () => {
  it("with unit weights gives bit-identical results to no weights on every unweighted reference case", () => {
    for (const c of ref.kmeans) {
      const X = fromRows(ref.data[c.data]);
      const options = { k: c.init.length, init: fromRows(c.init), maxIter: c.max_iter, tol: c.tol };
      const a = kmeans(X, options);
      const b = kmeans(X, { ...options, sampleWeight: new Float64Array(X.rows).fill(1) });
      expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
      expect(Array.from(b.centroids.data)).toEqual(Array.from(a.centroids.data));
      expect(b.inertia).toBe(a.inertia);
      expect(b.iterations).toBe(a.iterations);
    }
  });

  for (const [name, k, seed] of [
    ["blobs", 5, 1],
    ["mixed", 4, 2],
    ["mixed_const", 6, 3],
  ] as const) {
    it(`with integer weights equals clustering the repeated rows (${name}, k = ${k}, same init)`, () => {
      const X = fromRows(ref.data[name]);
      const { w, full, index } = repeated(X, 4, seed);
      const init = takeRows(X, [0, 7, 19, 33, 48, 61].slice(0, k));
      // tol 0: the tolerance scales with the unweighted variance of the rows given, which repeating changes
      const a = kmeans(X, { k, init, sampleWeight: w, tol: 0 });
      const b = kmeans(full, { k, init, tol: 0 });
      expect(Array.from(index, (i) => a.labels[i])).toEqual(Array.from(b.labels));
      expectSameCentroids(a.centroids, b.centroids, 10);
      expect(Math.abs(a.inertia - b.inertia) / b.inertia).toBeLessThan(1e-12);
      expect(a.iterations).toBe(b.iterations);
    });
  }

  it("on compressDenseRows output equals clustering the full data (same init), labels mapped through index", () => {
    const rng = createRng(11);
    const rows: number[][] = [];
    for (let i = 0; i < 3000; ++i) {
      const a = rng.int(3);
      const b = rng.int(4);
      rows.push([a === 0 ? 1 : 0, a === 1 ? 1 : 0, a === 2 ? 1 : 0, b, Math.round(rng.next() * 8) / 4 - 1]);
    }
    const X = fromRows(rows);
    const c = compressDenseRows(X);
    expect(c.X.rows).toBeLessThan(200);
    const init = takeRows(X, [0, 1, 2, 3]);
    const a = kmeans(c.X, { k: 4, init, sampleWeight: c.weight, tol: 0 });
    const b = kmeans(X, { k: 4, init, tol: 0 });
    expect(Array.from(c.index, (g) => a.labels[g])).toEqual(Array.from(b.labels));
    expectSameCentroids(a.centroids, b.centroids, 10);
    expect(a.inertia).toBeCloseTo(b.inertia, 8);
  });

  it("seeded runs on compressed rows reach the full-data inertia, and that inertia is the weighted sum", () => {
    const X = fromRows(ref.data.mixed);
    const { w, full } = repeated(X, 3, 5);
    const a = kmeans(X, { k: 4, seed: 2, sampleWeight: w });
    const b = kmeans(full, { k: 4, seed: 2 });
    expect(Math.abs(a.inertia - b.inertia) / b.inertia).toBeLessThan(1e-3);
    expect(a.inertia).toBeCloseTo(weightedInertia(X, w, a.centroids, a.labels), 9);
    expect(Array.from(predictKmeans(a.centroids, X))).toEqual(Array.from(a.labels));
  });

  it("zero-weight rows get the nearest centre but do not move the centres", () => {
    const X = fromRows(ref.data.blobs);
    const w = new Float64Array(X.rows).fill(1);
    const kept: number[] = [];
    for (let i = 0; i < X.rows; ++i) {
      if (i % 5 === 0) w[i] = 0;
      else kept.push(i);
    }
    const init = takeRows(X, [1, 2, 3, 4]);
    const a = kmeans(X, { k: 4, init, sampleWeight: w, tol: 0 });
    const b = kmeans(takeRows(X, kept), { k: 4, init, tol: 0 });
    expectSameCentroids(a.centroids, b.centroids, 10);
    expect(a.inertia).toBeCloseTo(b.inertia, 8);
    expect(Array.from(predictKmeans(a.centroids, X))).toEqual(Array.from(a.labels));
  });

  it("an empty cluster whose farthest row has weight 0 sits at the data mean until rows join it", () => {
    const X = fromRows([[0], [1], [2], [50]]);
    const w = Float64Array.from([1, 1, 1, 0]);
    const r = kmeans(X, { k: 2, init: fromRows([[1], [100]]), sampleWeight: w, maxIter: 1 });
    // the one iteration relocates centre 1 to row 3 with weight 0, leaving it at the (unweighted) mean 13.25
    expect(toRows(r.centroids)).toEqual([[1], [13.25]]);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 1]);
    expect(r.inertia).toBe(2);
  });

  it("fractional weights move the centre to the weighted mean", () => {
    const X = fromRows([
      [0, 0],
      [1, 0],
      [10, 10],
      [10, 12],
    ]);
    const r = kmeans(X, {
      k: 2,
      init: fromRows([
        [0, 0],
        [10, 10],
      ]),
      sampleWeight: Float64Array.from([0.25, 0.75, 3, 1]),
    });
    expect(Array.from(r.labels)).toEqual([0, 0, 1, 1]);
    const C = toRows(r.centroids);
    expect(C[0][0]).toBeCloseTo(0.75, 14);
    expect(C[1][1]).toBeCloseTo(10.5, 14);
    // 0.25·0.75² + 0.75·0.25² + 3·0.5² + 1·1.5²
    expect(r.inertia).toBeCloseTo(0.25 * 0.5625 + 0.75 * 0.0625 + 0.75 + 2.25, 12);
  });

  it("k-means++ and random starts only pick rows of positive weight", () => {
    const X = fromRows(ref.data.blobs);
    const w = new Float64Array(X.rows);
    const pos = [5, 50, 100, 150, 200];
    for (const i of pos) w[i] = 1 + i / 100;
    const allowed = new Set(pos.map((i) => toRows(takeRows(X, [i]))[0].join(",")));
    for (let seed = 0; seed < 5; ++seed) {
      const C = kmeansPlusPlus(X, 5, createRng(seed), undefined, w);
      expect(new Set(toRows(C).map((r) => r.join(",")))).toEqual(allowed);
      for (const init of ["k-means++", "random"] as const) {
        const r = kmeans(X, { k: 5, seed, init, sampleWeight: w, nInit: 1, maxIter: 1 });
        // zero up to the rounding of centring and uncentring
        expect(r.inertia).toBeLessThan(1e-20);
      }
    }
  });

  it("k-means++ draws the first centre in proportion to the weights", () => {
    const X = fromRows([[0], [1], [2], [3]]);
    const w = Float64Array.from([1, 1e9, 1, 1]);
    for (let seed = 0; seed < 10; ++seed) expect(kmeansPlusPlus(X, 1, createRng(seed), undefined, w).data[0]).toBe(1);
  });

  it("rejects malformed weights and k above the number of positive weights", () => {
    const X = fromRows([[0], [1], [2]]);
    expect(() => kmeans(X, { k: 1, sampleWeight: Float64Array.from([1, 1]) })).toThrow(
      "invalid sampleWeight: expected a Float64Array of length 3",
    );
    expect(() => kmeans(X, { k: 1, sampleWeight: Float64Array.from([1, -1, 1]) })).toThrow("invalid sampleWeight: -1 at row 1");
    expect(() => kmeans(X, { k: 1, sampleWeight: Float64Array.from([1, NaN, 1]) })).toThrow("invalid sampleWeight: NaN at row 1");
    expect(() => kmeans(X, { k: 1, sampleWeight: new Float64Array(3) })).toThrow("invalid sampleWeight: all weights are 0");
    expect(() => kmeans(X, { k: 3, sampleWeight: Float64Array.from([1, 0, 1]) })).toThrow(
      "invalid k: 3 (only 2 rows have a positive sample weight)",
    );
    const r: KMeansResult = kmeans(X, { k: 3, init: X, sampleWeight: Float64Array.from([1, 0, 1]) });
    expect(Array.from(r.labels)).toEqual([0, 1, 2]);
  });
});

describe("compressDenseRows(X)", () => {
  it("returns distinct rows in first-seen order with their counts and each row's distinct index", () => {
    const X = fromRows([
      [1, 0],
      [0, 1],
      [1, 0],
      [2, 2],
      [0, 1],
      [1, 0],
    ]);
    const c = compressDenseRows(X);
    expect(toRows(c.X)).toEqual([
      [1, 0],
      [0, 1],
      [2, 2],
    ]);
    expect(Array.from(c.weight)).toEqual([3, 2, 1]);
    expect(Array.from(c.index)).toEqual([0, 1, 0, 2, 1, 0]);
  });

  it("treats 0 and -0 as equal, NaN as equal to NaN, and 1e-300 as different from 0", () => {
    const X = fromRows([
      [0, NaN],
      [-0, NaN],
      [1e-300, NaN],
      [0, 0],
    ]);
    const c = compressDenseRows(X);
    expect(Array.from(c.index)).toEqual([0, 0, 1, 2]);
    expect(Array.from(c.weight)).toEqual([2, 1, 1]);
  });

  it("handles no rows, no columns and a subarray view of a larger buffer", () => {
    expect(compressDenseRows({ rows: 0, cols: 3, data: new Float64Array(0) }).X.rows).toBe(0);
    const none = compressDenseRows({ rows: 4, cols: 0, data: new Float64Array(0) });
    expect(Array.from(none.weight)).toEqual([4]);
    const buf = Float64Array.from([9, 1, 2, 1, 2, 3, 4]);
    const view = compressDenseRows({ rows: 3, cols: 2, data: buf.subarray(1, 7) });
    expect(toRows(view.X)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(Array.from(view.index)).toEqual([0, 0, 1]);
  });

  it("agrees with grouping by the printed row on 20 000 one-hot rows, and the rows rebuild X", () => {
    const rng = createRng(4);
    const n = 20_000;
    const p = 9;
    const X: Matrix = { rows: n, cols: p, data: new Float64Array(n * p) };
    for (let i = 0; i < n; ++i) {
      X.data[i * p + rng.int(3)] = 1;
      X.data[i * p + 3 + rng.int(5)] = 1;
      X.data[i * p + 8] = (rng.int(60) - 30) / 7;
    }
    const c = compressDenseRows(X);
    const groups = new Map<string, number>();
    const expected = new Int32Array(n);
    for (let i = 0; i < n; ++i) {
      const key = Array.from(X.data.subarray(i * p, i * p + p)).join(",");
      let group = groups.get(key);
      if (group === undefined) {
        group = groups.size;
        groups.set(key, group);
      }
      expected[i] = group;
    }
    expect(c.X.rows).toBe(groups.size);
    expect(Array.from(c.index)).toEqual(Array.from(expected));
    expect(Array.from(takeRows(c.X, c.index).data)).toEqual(Array.from(X.data));
    expect(c.weight.reduce((a, b) => a + b, 0)).toBe(n);
  });
});
