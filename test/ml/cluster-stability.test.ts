import { describe, expect, it } from "vitest";
import { kmeansRunner, type ClusterRunner } from "../../src/ml/cluster-null.js";
import {
  clusterStability,
  kmeansUntilRepeat,
  seedAgreement,
  stabilityByK,
  weightedAdjustedRandIndex,
} from "../../src/ml/cluster-stability.js";
import { compressDenseRows } from "../../src/ml/compress-dense-rows.js";
import type { Matrix } from "../../src/ml/matrix.js";
import { adjustedRandIndex } from "../../src/ml/metrics/clustering.js";
import { createRng, type Rng } from "../../src/util/random.js";

function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

function blobs(n: number, centres: number[][], sd: number, rng: Rng): Matrix {
  const p = centres[0].length;
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) data[i * p + j] = centres[i % centres.length][j] + sd * gauss(rng);
  return { rows: n, cols: p, data };
}

/** Rows on a coarse grid, so that many repeat: distinct rows with counts. */
function gridded(X: Matrix, step: number) {
  return compressDenseRows({ rows: X.rows, cols: X.cols, data: X.data.map((v) => Math.round(v / step) * step) });
}

describe("weightedAdjustedRandIndex", () => {
  it("equals adjusted_rand_score of the rows repeated by their integer weights", () => {
    const rng = createRng(1);
    for (let t = 0; t < 5; ++t) {
      const m = 60;
      const a = Int32Array.from({ length: m }, () => rng.int(4));
      const b = Int32Array.from({ length: m }, (_, i) => (rng.next() < 0.7 ? a[i] : rng.int(5)));
      const w = Float64Array.from({ length: m }, () => rng.int(4));
      const ea: number[] = [];
      const eb: number[] = [];
      for (let i = 0; i < m; ++i)
        for (let c = 0; c < w[i]; ++c) {
          ea.push(a[i]);
          eb.push(b[i]);
        }
      expect(weightedAdjustedRandIndex(a, b, w)).toBeCloseTo(adjustedRandIndex(ea, eb), 12);
    }
  });
  it("is 1 for identical partitions up to relabelling and for one cluster each", () => {
    expect(weightedAdjustedRandIndex([0, 0, 1, 2], [5, 5, 3, 1], [2, 1, 3, 1])).toBe(1);
    expect(weightedAdjustedRandIndex([0, 0, 0], [1, 1, 1], [1, 2, 3])).toBe(1);
    expect(weightedAdjustedRandIndex([0, 0, 0, 0], [0, 0, 1, 1], [1, 1, 1, 1])).toBe(0);
  });
});

describe("clusterStability", () => {
  it("resamples counts of the rows: subsamples of round(0.8 N) without replacement, bootstraps of N", () => {
    const rng = createRng(2);
    const d = gridded(
      blobs(
        500,
        [
          [0, 0],
          [5, 5],
        ],
        1,
        rng,
      ),
      0.5,
    );
    const N = 500;
    const seen: Float64Array[] = [];
    const spy: ClusterRunner = (X, w, k, seed) => {
      seen.push(w);
      return kmeansRunner({ nInit: 2 })(X, w, k, seed);
    };
    clusterStability(d.X, d.weight, 2, spy, undefined, { draws: 4, seed: 3 });
    // the first call is the full-data reference
    expect(seen[0]).toBe(d.weight);
    for (const w of seen.slice(1)) {
      expect(w.reduce((a, v) => a + v, 0)).toBe(400);
      w.forEach((v, g) => {
        expect(Number.isInteger(v) && v >= 0 && v <= d.weight[g]).toBe(true);
      });
    }
    seen.length = 0;
    clusterStability(d.X, d.weight, 2, spy, undefined, { draws: 3, seed: 3, method: "bootstrap" });
    for (const w of seen.slice(1)) expect(w.reduce((a, v) => a + v, 0)).toBe(N);
  });

  it("is about 1 for well-separated clusters at their k and lower for a split of noise; deterministic for a seed", () => {
    const rng = createRng(4);
    const clear = gridded(
      blobs(
        900,
        [
          [0, 0],
          [8, 0],
          [0, 8],
        ],
        1,
        rng,
      ),
      0.25,
    );
    const runner = kmeansRunner({ nInit: 3 });
    const s = clusterStability(clear.X, clear.weight, 3, runner, undefined, { seed: 5 });
    expect(s.values).toHaveLength(20);
    expect(s.mean).toBeGreaterThan(0.99);
    const again = clusterStability(clear.X, clear.weight, 3, runner, undefined, { seed: 5 });
    expect(again.values).toEqual(s.values);
    const noise = gridded({ rows: 900, cols: 2, data: Float64Array.from({ length: 1800 }, () => rng.next()) }, 0.05);
    const byK = stabilityByK(noise.X, noise.weight, [2, 7], runner, { seed: 5, method: "bootstrap" });
    expect(byK.map((r) => r.k)).toEqual([2, 7]);
    expect(byK[1].mean).toBeLessThan(s.mean);
    expect(byK[1].sd).toBeGreaterThan(0);
    expect(byK[1].fraction).toBe(1);
  });

  it("rejects non-integer counts and bad fractions", () => {
    const X = { rows: 3, cols: 1, data: Float64Array.from([0, 1, 2]) };
    const runner = kmeansRunner();
    expect(() => clusterStability(X, Float64Array.from([1, 1.5, 1]), 2, runner)).toThrow(/1.5 at row 1/);
    expect(() => clusterStability(X, Float64Array.from([1, 1, 1]), 2, runner, undefined, { fraction: 1 })).toThrow(/invalid fraction: 1/);
  });
});

describe("seedAgreement", () => {
  it("reports each seed's k, the modal k (smallest on ties) and its share", () => {
    const picks: Record<number, number> = { 42: 6, 1: 5, 2: 5 };
    const a = seedAgreement((s) => picks[s], [42, 1, 2]);
    expect(a.seeds).toEqual([
      { seed: 42, k: 6 },
      { seed: 1, k: 5 },
      { seed: 2, k: 5 },
    ]);
    expect(a.k).toBe(5);
    expect(a.agreement).toBeCloseTo(2 / 3, 14);
    expect(a.unanimous).toBe(false);
    expect(seedAgreement((s) => (s === 1 ? 3 : 4), [1, 2]).k).toBe(3);
    expect(seedAgreement(() => 4, [1, 2, 3]).unanimous).toBe(true);
  });
});

describe("kmeansUntilRepeat", () => {
  it("stops after the first batch when the best inertia repeats", () => {
    const rng = createRng(6);
    const X = blobs(
      300,
      [
        [0, 0],
        [10, 0],
        [0, 10],
      ],
      1,
      rng,
    );
    const r = kmeansUntilRepeat(X, { k: 3, seed: 1 });
    expect(r.starts).toBe(10);
    expect(r.repeated).toBe(true);
    expect(r.bestCount).toBeGreaterThanOrEqual(2);
    expect(r.result.inertia).toBe(Math.min(...r.inertias));
  });

  it("doubles the starts until the best repeats, or reports that it did not", () => {
    const rng = createRng(7);
    const X = { rows: 1500, cols: 2, data: Float64Array.from({ length: 3000 }, () => rng.next()) };
    const r = kmeansUntilRepeat(X, { k: 9, seed: 2, nInit: 2, maxInit: 64 });
    expect([2, 4, 8, 16, 32, 64]).toContain(r.starts);
    expect(r.inertias).toHaveLength(r.starts);
    const best = Math.min(...r.inertias);
    expect(r.result.inertia).toBe(best);
    expect(r.bestCount).toBe(r.inertias.filter((v) => v <= best * (1 + 1e-6)).length);
    expect(r.repeated).toBe(r.bestCount >= 2);
    if (r.starts < 64) expect(r.repeated).toBe(true);
    // the starts do not depend on maxInit: a capped run sees the same first inertias
    const capped = kmeansUntilRepeat(X, { k: 9, seed: 2, nInit: 2, maxInit: 2 });
    expect(capped.inertias).toEqual(r.inertias.slice(0, 2));
    // a case that repeats after doubling: 2 starts, then 4, 8
    const small = { rows: 600, cols: 2, data: X.data.slice(0, 1200) };
    const doubled = kmeansUntilRepeat(small, { k: 5, seed: 0, nInit: 2, maxInit: 64 });
    expect(doubled.starts).toBeGreaterThan(2);
    expect(doubled.repeated).toBe(true);
    expect(doubled.bestCount).toBeGreaterThanOrEqual(2);
    const one = kmeansUntilRepeat(X, { k: 9, seed: 2, nInit: 1, maxInit: 1 });
    expect(one.starts).toBe(1);
    expect(one.repeated).toBe(false);
    expect(one.bestCount).toBe(1);
  });

  it("with sample weights runs the weighted k-means of distinct rows", () => {
    const rng = createRng(8);
    const d = gridded(
      blobs(
        600,
        [
          [0, 0],
          [6, 6],
        ],
        1,
        rng,
      ),
      0.5,
    );
    const r = kmeansUntilRepeat(d.X, { k: 2, seed: 3, sampleWeight: d.weight });
    expect(r.repeated).toBe(true);
    let inertia = 0;
    const { data, cols: p } = d.X;
    const C = r.result.centroids.data;
    for (let g = 0; g < d.X.rows; ++g) {
      const c = r.result.labels[g];
      let s = 0;
      for (let j = 0; j < p; ++j) s += (data[g * p + j] - C[c * p + j]) ** 2;
      inertia += d.weight[g] * s;
    }
    expect(r.result.inertia).toBeCloseTo(inertia, 8);
  });
});
