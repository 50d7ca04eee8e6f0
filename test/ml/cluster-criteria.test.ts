import { describe, expect, it } from "vitest";
import { compressDenseRows } from "../../src/ml/compress-dense-rows.js";
import { kmeans } from "../../src/ml/kmeans.js";
import { calinskiHarabaszScore, clusterCriteria, clusterCriteriaDistinct, daviesBouldinScore } from "../../src/ml/metrics/clustering.js";
import type { Matrix } from "../../src/ml/matrix.js";
import { createRng } from "../../src/util/random.js";

/** n rows drawn from `distinct` one-hot-like patterns with a label that depends on the pattern. */
function repeatedRows(n: number, distinct: number, p: number, seed: number): { X: Matrix; labels: Int32Array } {
  const rng = createRng(seed);
  const base = Array.from({ length: distinct }, () => Array.from({ length: p }, () => Math.round(rng.next() * 6) / 3 - 1));
  const data = new Float64Array(n * p);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const r = rng.int(distinct);
    data.set(base[r], i * p);
    labels[i] = (r % 4) * 7 - 3;
  }
  return { X: { rows: n, cols: p, data }, labels };
}

/** The distinct (row, label) pairs of X with their counts. */
function distinctRows(X: Matrix, labels: Int32Array) {
  const { rows: n, cols: p } = X;
  const q = p + 1;
  const tagged = new Float64Array(n * q);
  for (let i = 0; i < n; ++i) {
    tagged.set(X.data.subarray(i * p, i * p + p), i * q);
    tagged[i * q + p] = labels[i];
  }
  const d = compressDenseRows({ rows: n, cols: q, data: tagged });
  const G = d.X.rows;
  const data = new Float64Array(G * p);
  const lab = new Int32Array(G);
  for (let g = 0; g < G; ++g) {
    data.set(d.X.data.subarray(g * q, g * q + p), g * p);
    lab[g] = d.X.data[g * q + p];
  }
  return { X: { rows: G, cols: p, data }, labels: lab, weight: d.weight };
}

describe("clusterCriteria(X, labels, { sampleWeight })", () => {
  it("gives both indices bit for bit as calinskiHarabaszScore and daviesBouldinScore do alone", () => {
    const { X, labels } = repeatedRows(3000, 80, 6, 1);
    const both = clusterCriteria(X, labels);
    expect(Object.is(both.calinskiHarabasz, calinskiHarabaszScore(X, labels))).toBe(true);
    expect(Object.is(both.daviesBouldin, daviesBouldinScore(X, labels))).toBe(true);
    expect(both.calinskiHarabasz).toBeGreaterThan(0);
    expect(both.daviesBouldin).toBeGreaterThan(0);
  });

  it("on the distinct rows weighted by their counts equals the full data's scores to 1e-12", () => {
    const { X, labels } = repeatedRows(20_000, 150, 9, 2);
    const d = distinctRows(X, labels);
    expect(d.X.rows).toBeLessThan(200);
    const full = clusterCriteria(X, labels);
    const weighted = clusterCriteria(d.X, d.labels, { sampleWeight: d.weight });
    expect(weighted.calinskiHarabasz).toBeCloseTo(full.calinskiHarabasz, 9);
    expect(Math.abs(weighted.calinskiHarabasz / full.calinskiHarabasz - 1)).toBeLessThan(1e-12);
    expect(Math.abs(weighted.daviesBouldin / full.daviesBouldin - 1)).toBeLessThan(1e-12);
    expect(calinskiHarabaszScore(d.X, d.labels, { sampleWeight: d.weight })).toBe(weighted.calinskiHarabasz);
    expect(daviesBouldinScore(d.X, d.labels, { sampleWeight: d.weight })).toBe(weighted.daviesBouldin);
  });

  it("unit weights are bit-identical to no weights; rows of weight 0 are left out, labels and all", () => {
    const { X, labels } = repeatedRows(500, 40, 4, 3);
    const ones = new Float64Array(X.rows).fill(1);
    expect(clusterCriteria(X, labels, { sampleWeight: ones })).toEqual(clusterCriteria(X, labels));
    // a fifth cluster carried only by zero-weight rows must not change k
    const p = X.cols;
    const data = new Float64Array((X.rows + 3) * p);
    data.set(X.data);
    data.fill(50, X.rows * p);
    const more = Int32Array.from([...labels, 99, 99, 99]);
    const w = new Float64Array(X.rows + 3).fill(1);
    w.fill(0, X.rows);
    expect(clusterCriteria({ rows: X.rows + 3, cols: p, data }, more, { sampleWeight: w })).toEqual(clusterCriteria(X, labels));
  });

  it("returns NaN for one cluster or as many clusters as weighted rows, and rejects bad weights", () => {
    const X = { rows: 3, cols: 1, data: Float64Array.from([0, 1, 5]) };
    expect(clusterCriteria(X, [0, 0, 0]).calinskiHarabasz).toBeNaN();
    expect(clusterCriteria(X, [0, 1, 2]).daviesBouldin).toBeNaN();
    // weights make three rows count as 6: three clusters are then allowed
    expect(clusterCriteria(X, [0, 1, 2], { sampleWeight: Float64Array.from([2, 2, 2]) }).calinskiHarabasz).toBe(1);
    expect(() => clusterCriteria(X, [0, 1, 1], { sampleWeight: Float64Array.from([1, -1, 1]) })).toThrow(
      /invalid sampleWeight: -1 at row 1/,
    );
    expect(() => clusterCriteria(X, [0, 1, 1], { sampleWeight: new Float64Array(2) })).toThrow(/length 3/);
  });

  it("encodes labels by value order whatever their range (large, negative, non-integer)", () => {
    const { X, labels } = repeatedRows(400, 30, 3, 4);
    const shifted = Array.from(labels, (v) => v * 1e9);
    const fractional = Array.from(labels, (v) => v / 3);
    const want = clusterCriteria(X, labels);
    expect(clusterCriteria(X, shifted)).toEqual(want);
    expect(clusterCriteria(X, fractional)).toEqual(want);
  });
});

describe("clusterCriteriaDistinct(X, compressDenseRows(X), labels)", () => {
  const rel = (a: number, b: number) => Math.abs(a / b - 1);

  it("equals the all-rows scores to 1e-12 relative for k-means partitions of the distinct rows, k = 2..8", () => {
    const { X } = repeatedRows(30_000, 120, 7, 5);
    const d = compressDenseRows(X);
    expect(d.X.rows).toBeLessThanOrEqual(120);
    for (let k = 2; k <= 8; ++k) {
      const run = kmeans(d.X, { k, nInit: 2, seed: k, sampleWeight: d.weight });
      const labels = Int32Array.from(d.index, (g) => run.labels[g]);
      const full = { calinskiHarabasz: calinskiHarabaszScore(X, labels), daviesBouldin: daviesBouldinScore(X, labels) };
      const fast = clusterCriteriaDistinct(X, d, labels);
      expect(fast.calinskiHarabasz).toBeGreaterThan(0);
      expect(rel(fast.calinskiHarabasz, full.calinskiHarabasz)).toBeLessThan(1e-12);
      expect(rel(fast.daviesBouldin, full.daviesBouldin)).toBeLessThan(1e-12);
    }
  });

  it("equals them on continuous rows where nothing repeats, and with −0 rows merged into 0 rows", () => {
    const rng = createRng(9);
    const n = 4_000;
    const p = 5;
    const data = Float64Array.from({ length: n * p }, (_, i) => (i % 11 === 0 ? (i % 2 ? -0 : 0) : rng.next() * 4 - 2));
    const X: Matrix = { rows: n, cols: p, data };
    // every 200th row repeats row 0 with its zeros signed the other way: equal rows, different bits
    for (let i = 200; i < n; i += 200)
      for (let j = 0; j < p; ++j) data[i * p + j] = data[j] === 0 ? (Object.is(data[j], -0) ? 0 : -0) : data[j];
    const d = compressDenseRows(X);
    expect(d.X.rows).toBe(n - (n / 200 - 1));
    const labels = Int32Array.from(d.index, (g) => (d.X.data[g * p] > 0.5 ? 2 : d.X.data[g * p + 1] > 0 ? 1 : 0));
    const full = clusterCriteria(X, labels);
    const fast = clusterCriteriaDistinct(X, d, labels);
    expect(rel(fast.calinskiHarabasz, full.calinskiHarabasz)).toBeLessThan(1e-12);
    expect(rel(fast.daviesBouldin, full.daviesBouldin)).toBeLessThan(1e-12);
  });

  it("scores a partition that splits equal rows over all rows, bit for bit", () => {
    const { X } = repeatedRows(5_000, 40, 4, 6);
    const d = compressDenseRows(X);
    const labels = Int32Array.from({ length: X.rows }, (_, i) => i % 3);
    const full = clusterCriteria(X, labels);
    const fast = clusterCriteriaDistinct(X, d, labels);
    expect(Object.is(fast.calinskiHarabasz, full.calinskiHarabasz)).toBe(true);
    expect(Object.is(fast.daviesBouldin, full.daviesBouldin)).toBe(true);
  });

  it("rejects distinct rows of another matrix", () => {
    const { X } = repeatedRows(500, 20, 3, 7);
    const other = compressDenseRows(repeatedRows(400, 20, 3, 8).X);
    expect(() => clusterCriteriaDistinct(X, other, new Int32Array(500))).toThrow(/invalid distinct rows/);
  });
});
