import { describe, expect, it } from "vitest";
import {
  compareWithNull,
  expandRows,
  kmeansRunner,
  permutedReference,
  silhouetteCriterion,
  structureVerdict,
  uniformReference,
  type NullComparison,
} from "../../src/ml/cluster-null.js";
import { blocksFromSizes } from "../../src/ml/column-blocks.js";
import { compressDenseRows } from "../../src/ml/compress-dense-rows.js";
import type { Matrix } from "../../src/ml/matrix.js";
import { silhouetteScore } from "../../src/ml/metrics/clustering.js";
import { createRng, type Rng } from "../../src/util/random.js";

function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** n rows around `centres` (row per centre) with standard deviation sd. */
function blobs(n: number, centres: number[][], sd: number, rng: Rng): Matrix {
  const p = centres[0].length;
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) {
    const c = centres[i % centres.length];
    for (let j = 0; j < p; ++j) data[i * p + j] = c[j] + sd * gauss(rng);
  }
  return { rows: n, cols: p, data };
}

/**
 * One-hot rows of categorical variables with `levels`. With `classes`, each row's class c sets every variable to
 * level (c + j) mod L with probability `hit` (else another level); without, levels are independent and uniform.
 */
function oneHot(n: number, levels: number[], rng: Rng, classes = 0, hit = 0.9): Matrix {
  const p = levels.reduce((s, l) => s + l, 0);
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) {
    const c = classes ? i % classes : 0;
    let o = 0;
    levels.forEach((L, j) => {
      let l = rng.int(L);
      if (classes) {
        l = (c + j) % L;
        if (rng.next() >= hit) l = (l + 1 + rng.int(L - 1)) % L;
      }
      data[i * p + o + l] = 1;
      o += L;
    });
  }
  return { rows: n, cols: p, data };
}

const ks = [2, 3, 4, 5];

describe("permutedReference", () => {
  it("keeps every block's rows (so every marginal and one level per one-hot block) and destroys association", () => {
    // two identical categorical variables: perfectly associated
    const n = 500;
    const rng = createRng(1);
    const data = new Float64Array(n * 6);
    for (let i = 0; i < n; ++i) {
      const l = rng.int(3);
      data[i * 6 + l] = 1;
      data[i * 6 + 3 + l] = 1;
    }
    const X = { rows: n, cols: 6, data };
    const blocks = blocksFromSizes([3, 3]);
    const R = permutedReference(X, blocks, createRng(2));
    const rowsOf = (M: Matrix, cols: number[]) =>
      Array.from({ length: n }, (_, i) => cols.map((j) => M.data[i * 6 + j]).join(","))
        .sort()
        .join(";");
    for (const b of blocks) expect(rowsOf(R, b)).toBe(rowsOf(X, b));
    let agree = 0;
    for (let i = 0; i < n; ++i) {
      for (const b of blocks) expect(b.reduce((s, j) => s + R.data[i * 6 + j], 0)).toBe(1);
      if ([0, 1, 2].every((l) => R.data[i * 6 + l] === R.data[i * 6 + 3 + l])) ++agree;
    }
    // independent levels agree about a third of the time (here 1/3 ± a few binomial sd of 21), not always
    expect(agree).toBeGreaterThan(100);
    expect(agree).toBeLessThan(240);
  });
});

describe("uniformReference", () => {
  it("draws inside the bounding box of the rows of positive weight", () => {
    const X = { rows: 3, cols: 2, data: Float64Array.from([0, 10, 1, 12, 50, 50]) };
    const U = uniformReference(X, 400, createRng(3), Float64Array.from([1, 1, 0]));
    let lo0 = Infinity;
    let hi0 = -Infinity;
    for (let i = 0; i < 400; ++i) {
      const a = U.data[i * 2];
      const b = U.data[i * 2 + 1];
      expect(a >= 0 && a <= 1 && b >= 10 && b <= 12).toBe(true);
      lo0 = Math.min(lo0, a);
      hi0 = Math.max(hi0, a);
    }
    expect(hi0 - lo0).toBeGreaterThan(0.9);
  });
});

describe("compareWithNull", () => {
  it("reports per k the null distribution, excess, z and gap exactly as B reference clusterings give them", () => {
    const rng = createRng(4);
    const X = oneHot(300, [3, 4, 2], rng, 3, 0.7);
    const blocks = blocksFromSizes([3, 4, 2]);
    const runner = kmeansRunner({ nInit: 3 });
    const criterion = silhouetteCriterion();
    const c = compareWithNull(X, { ks: [2, 3], blocks, draws: 5, seed: 7, runner, criterion, quantiles: [0, 0.25, 1] });
    // recompute by hand: same generator stream for the draws, seed + 1 + b for the runner
    const d = compressDenseRows(X);
    const draw = createRng(7);
    const refs = Array.from({ length: 5 }, () => compressDenseRows(permutedReference(X, blocks, draw)));
    c.rows.forEach((row, t) => {
      const k = [2, 3][t];
      const obs = runner(d.X, d.weight, k, 7);
      expect(row.observed).toBe(criterion(d.X, d.weight, obs.labels));
      expect(row.logW).toBe(Math.log(obs.inertia));
      const vals = refs.map((r, b) => criterion(r.X, r.weight, runner(r.X, r.weight, k, 7 + 1 + b).labels));
      const logW = refs.map((r, b) => Math.log(runner(r.X, r.weight, k, 7 + 1 + b).inertia));
      expect(row.nullValues).toEqual(vals);
      const m = vals.reduce((a, v) => a + v, 0) / 5;
      const s = Math.sqrt(vals.reduce((a, v) => a + (v - m) ** 2, 0) / 4);
      expect(row.nullMean).toBeCloseTo(m, 14);
      expect(row.nullSd).toBeCloseTo(s, 14);
      expect(row.excess).toBeCloseTo(row.observed - m, 14);
      expect(row.z).toBeCloseTo((row.observed - m) / s, 10);
      const sorted = [...vals].sort((a, b) => a - b);
      // numpy quantile (linear): q = 0.25 of 5 values is the second smallest
      expect(row.nullQuantiles).toEqual([sorted[0], sorted[1], sorted[4]]);
      const lm = logW.reduce((a, v) => a + v, 0) / 5;
      const ls = Math.sqrt(logW.reduce((a, v) => a + (v - lm) ** 2, 0) / 4);
      expect(row.gap).toBeCloseTo(lm - row.logW, 12);
      expect(row.gapSd).toBeCloseTo(ls * Math.sqrt(1 + 1 / 5), 12);
    });
    // the permuted reference keeps the total sum of squares: Gap(1) = 0
    expect(c.gapOne.gap).toBeCloseTo(0, 10);
    expect(c.gapOne.gapSd).toBeCloseTo(0, 10);
  });

  it("gives the same observed side for distinct rows with counts as for the repeated rows", () => {
    const rng = createRng(5);
    const X = oneHot(400, [3, 3, 2], rng, 2, 0.8);
    const d = compressDenseRows(X);
    const a = compareWithNull(X, { ks: [2, 3], blocks: blocksFromSizes([3, 3, 2]), draws: 3, seed: 1 });
    const b = compareWithNull(d.X, { ks: [2, 3], blocks: blocksFromSizes([3, 3, 2]), draws: 3, seed: 1, sampleWeight: d.weight });
    expect(b.rows.map((r) => r.observed)).toEqual(a.rows.map((r) => r.observed));
    expect(b.rows.map((r) => r.logW)).toEqual(a.rows.map((r) => r.logW));
    expect(expandRows(d.X, d.weight).rows).toBe(400);
  });

  it("silhouetteCriterion over counts equals the silhouette of the repeated rows", () => {
    const X = { rows: 4, cols: 1, data: Float64Array.from([0, 1, 5, 6]) };
    const w = Float64Array.from([3, 1, 2, 2]);
    const labels = Int32Array.from([0, 0, 1, 1]);
    const F = expandRows(X, w);
    expect(silhouetteCriterion()(X, w, labels)).toBeCloseTo(silhouetteScore(F, [0, 0, 0, 0, 1, 1, 1, 1]), 14);
  });

  it("silhouetteCriterion scores a one-cluster labelling 0 (no structure), not NaN", () => {
    const X = { rows: 3, cols: 1, data: Float64Array.from([0, 1, 5]) };
    const w = Float64Array.from([2, 1, 1]);
    const one = silhouetteCriterion()(X, w, Int32Array.from([0, 0, 0]));
    expect(one).toBe(0);
    expect(Number.isFinite(silhouetteScore(expandRows(X, w), [0, 0, 0, 0]))).toBe(false);
  });

  it("rejects bad ks, draws and non-integer counts", () => {
    const X = { rows: 3, cols: 1, data: Float64Array.from([0, 1, 2]) };
    expect(() => compareWithNull(X, { ks: [1] })).toThrow(/invalid k: 1/);
    expect(() => compareWithNull(X, { ks: [2], draws: 1 })).toThrow(/invalid draws: 1/);
    expect(() => compareWithNull(X, { ks: [2], sampleWeight: Float64Array.from([1, 0.5, 1]) })).toThrow(/0.5 at row 1/);
  });
});

describe("structureVerdict", () => {
  function verdictOf(c: NullComparison) {
    return structureVerdict(c);
  }

  it("uniform noise against the gap statistic's uniform reference: no structure beyond chance", () => {
    const rng = createRng(6);
    const X = { rows: 600, cols: 4, data: Float64Array.from({ length: 2400 }, () => rng.next()) };
    const c = compareWithNull(X, { ks, reference: "uniform", seed: 2 });
    const v = verdictOf(c);
    expect(v.verdict).toBe("no structure beyond chance");
    expect(Math.abs(v.excess)).toBeLessThan(0.02);
    expect(c.gapK).toBe(1);
  });

  it("independent categorical noise against the permuted reference: no structure beyond chance", () => {
    const rng = createRng(7);
    const levels = [3, 4, 2, 5];
    const X = oneHot(3000, levels, rng);
    const c = compareWithNull(X, { ks, blocks: blocksFromSizes(levels), seed: 3, runner: kmeansRunner({ nInit: 4 }) });
    const v = verdictOf(c);
    expect(v.verdict).toBe("no structure beyond chance");
    for (const r of c.rows) expect(Math.abs(r.excess)).toBeLessThan(0.02);
  });

  it("well-separated numeric clusters against the permuted reference: clear, and the gap picks k = 3", () => {
    const rng = createRng(8);
    const X = blobs(
      600,
      [
        [0, 0, 0, 0],
        [6, 6, 0, 0],
        [0, 6, 6, 6],
      ],
      1,
      rng,
    );
    const c = compareWithNull(X, { ks, seed: 4 });
    const v = verdictOf(c);
    expect(v.verdict).toBe("clear");
    expect(v.k).toBe(3);
    expect(v.excess).toBeGreaterThan(0.1);
    expect(c.gapK).toBe(3);
    // and against the uniform box as Tibshirani et al. do
    expect(compareWithNull(X, { ks, seed: 4, reference: "uniform" }).gapK).toBe(3);
  });

  it("well-separated latent classes in one-hot data against the permuted reference: clear", () => {
    const rng = createRng(9);
    const levels = [3, 3, 4, 3, 3];
    const X = oneHot(3000, levels, rng, 3, 0.9);
    const c = compareWithNull(X, { ks, blocks: blocksFromSizes(levels), seed: 5, runner: kmeansRunner({ nInit: 4 }) });
    const v = verdictOf(c);
    expect(v.verdict).toBe("clear");
    expect(v.k).toBe(3);
    expect(c.gapK).toBeGreaterThanOrEqual(2);
  });

  it("reads thresholds as documented: weak between the margins, clear only with a gap", () => {
    const row = (k: number, excess: number, z: number) => ({
      k,
      observed: 0.3 + excess,
      nullValues: [],
      nullMean: 0.3,
      nullSd: 0.01,
      nullQuantiles: [],
      excess,
      z,
      logW: 0,
      nullLogWMean: 0,
      nullLogWSd: 0,
      gap: 0,
      gapSd: 0,
    });
    const base = { reference: "permuted" as const, draws: 20, quantiles: [], gapOne: { logW: 0, nullLogWMean: 0, gap: 0, gapSd: 0 } };
    expect(structureVerdict({ ...base, rows: [row(2, 0.05, 5), row(3, 0.01, 1)], gapK: 2 }).verdict).toBe("weak");
    expect(structureVerdict({ ...base, rows: [row(2, 0.15, 5)], gapK: 2 }).verdict).toBe("clear");
    expect(structureVerdict({ ...base, rows: [row(2, 0.15, 5)], gapK: 1 }).verdict).toBe("weak");
    expect(structureVerdict({ ...base, rows: [row(2, 0.15, 1.5)], gapK: 2 }).verdict).toBe("no structure beyond chance");
    expect(structureVerdict({ ...base, rows: [row(2, -0.003, -0.5)], gapK: 1 }).verdict).toBe("no structure beyond chance");
  });
});
