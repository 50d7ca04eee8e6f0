import { describe, expect, it } from "vitest";
import { kmeans, predictKmeans } from "../../src/ml/kmeans.js";
import { kmeansSampleAssign } from "../../src/ml/kmeans-sample.js";
import { takeRows, type Matrix } from "../../src/ml/matrix.js";
import { adjustedRandIndex } from "../../src/ml/metrics/clustering.js";
import { createRng } from "../../src/util/random.js";

function blobs(n: number, p: number, seed: number): Matrix {
  const rng = createRng(seed);
  const centres = Array.from({ length: 4 * p }, () => (rng.next() - 0.5) * 8);
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) {
    const c = rng.int(4);
    for (let j = 0; j < p; ++j) data[i * p + j] = centres[c * p + j] + rng.next() - 0.5;
  }
  return { rows: n, cols: p, data };
}

describe("kmeansSampleAssign(X, { k, sampleSize })", () => {
  const X = blobs(6000, 5, 1);

  it("fits the centres on the seeded sample and assigns every row to its nearest centre", () => {
    const r = kmeansSampleAssign(X, { k: 4, sampleSize: 800, seed: 3 });
    expect(r.sample.length).toBe(800);
    expect(Array.from(r.sample)).toEqual(Array.from(r.sample).sort((a, b) => a - b));
    const onSample = kmeans(takeRows(X, r.sample), { k: 4, seed: 3 });
    expect(Array.from(r.centroids.data)).toEqual(Array.from(onSample.centroids.data));
    expect(r.iterations).toBe(onSample.iterations);
    expect(Array.from(r.labels)).toEqual(Array.from(predictKmeans(r.centroids, X)));
    let inertia = 0;
    for (let i = 0; i < X.rows; ++i)
      for (let j = 0; j < X.cols; ++j) inertia += (X.data[i * X.cols + j] - r.centroids.data[r.labels[i] * X.cols + j]) ** 2;
    expect(r.inertia / inertia).toBeCloseTo(1, 12);
    // four separated blobs: the sample's centres put every row with its own blob, as the full fit does, and
    // sit within sampling error of the full fit's
    const full = kmeans(X, { k: 4, seed: 3 });
    expect(adjustedRandIndex(r.labels, full.labels)).toBe(1);
    expect(r.inertia / full.inertia).toBeLessThan(1.01);
  });

  it("gives the same labels and inertia whatever the chunk size, and is deterministic for a seed", () => {
    const a = kmeansSampleAssign(X, { k: 4, sampleSize: 500, seed: 9 });
    const b = kmeansSampleAssign(X, { k: 4, sampleSize: 500, seed: 9, chunkRows: 37 });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(Object.is(b.inertia, a.inertia)).toBe(true);
    const c = kmeansSampleAssign(X, { k: 4, sampleSize: 500, seed: 10 });
    expect(Array.from(c.sample)).not.toEqual(Array.from(a.sample));
  });

  it("is kmeans itself when the sample would hold every row", () => {
    const small = blobs(300, 3, 2);
    const r = kmeansSampleAssign(small, { k: 3, sampleSize: 300, seed: 1 });
    const want = kmeans(small, { k: 3, seed: 1 });
    expect(Array.from(r.labels)).toEqual(Array.from(want.labels));
    expect(r.inertia).toBe(want.inertia);
    expect(r.sample.length).toBe(300);
  });

  it("carries the sampled rows' weights into the fit and weights the inertia", () => {
    const w = Float64Array.from({ length: X.rows }, (_, i) => 1 + (i % 3));
    const r = kmeansSampleAssign(X, { k: 4, sampleSize: 700, seed: 5, sampleWeight: w });
    const onSample = kmeans(takeRows(X, r.sample), { k: 4, seed: 5, sampleWeight: Float64Array.from(r.sample, (i) => w[i]) });
    expect(Array.from(r.centroids.data)).toEqual(Array.from(onSample.centroids.data));
    let inertia = 0;
    for (let i = 0; i < X.rows; ++i)
      for (let j = 0; j < X.cols; ++j) inertia += w[i] * (X.data[i * X.cols + j] - r.centroids.data[r.labels[i] * X.cols + j]) ** 2;
    expect(r.inertia / inertia).toBeCloseTo(1, 12);
  });

  it("rejects a bad sample size or chunk size", () => {
    expect(() => kmeansSampleAssign(X, { k: 2, sampleSize: 0 })).toThrow(/invalid sampleSize: 0/);
    expect(() => kmeansSampleAssign(X, { k: 2, sampleSize: 10, chunkRows: 0 })).toThrow(/invalid chunkRows: 0/);
  });
});
