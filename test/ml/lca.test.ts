import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compressDenseRows } from "../../src/ml/compress-dense-rows.js";
import { fitLca, predictLca, type LcaData, type LcaParameters } from "../../src/ml/lca.js";
import { adjustedRandIndex } from "../../src/ml/metrics/clustering.js";
import { createRng, type Rng } from "../../src/util/random.js";
import { maxAbsDiff } from "./reference.js";

interface RefCase {
  name: string;
  k: number;
  levels: number[];
  categorical: number[][];
  numeric: (number | null)[][] | null;
  numeric_cols: number;
  weights: number[];
  start: { shares: number[]; probabilities: number[][]; means: number[]; variances: number[] };
  options: { tol: number; max_iter: number; floor: number };
  result: {
    log_likelihood: number;
    iterations: number;
    converged: boolean;
    shares: number[];
    probabilities: number[][];
    means: number[];
    variances: number[];
    posterior: number[];
    modal: number[];
    n: number;
    n_parameters: number;
    aic: number;
    bic: number;
    sabic: number;
    entropy: number | null;
  };
}
const ref = JSON.parse(readFileSync(new URL("../reference/lca.json", import.meta.url), "utf8")) as { cases: RefCase[] };

function refData(c: RefCase): { data: LcaData; weight: Float64Array; start: LcaParameters } {
  const n = c.weights.length;
  const q = c.numeric_cols;
  const numeric = c.numeric ? { rows: n, cols: q, data: Float64Array.from(c.numeric.flat(), (v) => v ?? NaN) } : undefined;
  const K = c.k;
  return {
    data: { categorical: c.categorical.map((col) => Int32Array.from(col)), numeric },
    weight: Float64Array.from(c.weights),
    start: {
      shares: Float64Array.from(c.start.shares),
      probabilities: c.start.probabilities.map((p) => Float64Array.from(p)),
      means: { rows: K, cols: q, data: Float64Array.from(c.start.means) },
      variances: { rows: K, cols: q, data: Float64Array.from(c.start.variances) },
    },
  };
}

/** Rows from a known latent class model: J categorical indicators, dominant level (c + j) mod L with probability `hit`. */
function simulate(n: number, shares: number[], levels: number[], hit: number, missing: number, rng: Rng) {
  const truth = new Int32Array(n);
  const codes = levels.map(() => new Int32Array(n));
  for (let i = 0; i < n; ++i) {
    let u = rng.next();
    let c = 0;
    while (c < shares.length - 1 && u >= shares[c]) u -= shares[c++];
    truth[i] = c;
    levels.forEach((L, j) => {
      const dominant = (c + j) % L;
      let code = dominant;
      if (rng.next() >= hit) code = (dominant + 1 + rng.int(L - 1)) % L;
      codes[j][i] = rng.next() < missing ? -1 : code;
    });
  }
  return { truth, codes };
}

describe("fitLca against the numpy EM (test/reference/lca.py) from the same start", () => {
  for (const c of ref.cases) {
    it(`${c.name}: log-likelihood, parameters, posterior and fit statistics agree`, () => {
      const { data, weight, start } = refData(c);
      const m = fitLca(data, {
        k: c.k,
        start,
        sampleWeight: weight,
        levels: c.levels,
        tol: c.options.tol,
        maxIter: c.options.max_iter,
        varianceFloor: c.options.floor,
      });
      const r = c.result;
      expect(m.iterations).toBe(r.iterations);
      expect(m.converged).toBe(r.converged);
      expect(Math.abs(m.logLikelihood - r.log_likelihood)).toBeLessThan(1e-8 * Math.abs(r.log_likelihood));
      expect(maxAbsDiff(m.shares, r.shares)).toBeLessThan(1e-8);
      m.probabilities.forEach((T, j) => {
        expect(maxAbsDiff(T, r.probabilities[j])).toBeLessThan(1e-8);
      });
      expect(maxAbsDiff(m.means.data, r.means)).toBeLessThan(1e-8 * Math.max(1, ...r.means.map(Math.abs)));
      expect(maxAbsDiff(m.variances.data, r.variances)).toBeLessThan(1e-8 * Math.max(1, ...r.variances));
      expect(maxAbsDiff(m.posterior.data, r.posterior)).toBeLessThan(1e-8);
      expect(Array.from(m.modal)).toEqual(r.modal);
      expect(m.n).toBeCloseTo(r.n, 9);
      expect(m.nParameters).toBe(r.n_parameters);
      expect(m.aic).toBeCloseTo(r.aic, 6);
      expect(m.bic).toBeCloseTo(r.bic, 6);
      expect(m.sabic).toBeCloseTo(r.sabic, 6);
      expect(m.entropy).toBeCloseTo(r.entropy ?? NaN, 9);
    });
  }

  it("the variance-floor case ends with one class variance exactly at the floor", () => {
    const c = ref.cases.find((x) => x.name === "variance_floor");
    if (!c) throw new Error("lca.json has no variance_floor case");
    const { data, weight, start } = refData(c);
    const m = fitLca(data, { k: 2, start, sampleWeight: weight });
    expect(Math.min(...m.variances.data)).toBe(m.varianceFloors[0]);
  });
});

describe("fitLca", () => {
  it("recovers a generated 3-class structure (ARI > 0.9) and BIC is lowest at K = 3 over K = 1..5", () => {
    const rng = createRng(11);
    const { truth, codes } = simulate(3000, [0.45, 0.35, 0.2], [3, 4, 3, 4, 3, 3], 0.8, 0.05, rng);
    // distinct code patterns with their counts, as the segments study passes them
    const J = codes.length;
    const M = new Float64Array(3000 * J);
    for (let i = 0; i < 3000; ++i) for (let j = 0; j < J; ++j) M[i * J + j] = codes[j][i];
    const d = compressDenseRows({ rows: 3000, cols: J, data: M });
    const G = d.X.rows;
    const distinct = Array.from({ length: J }, (_, j) => Int32Array.from({ length: G }, (_, g) => d.X.data[g * J + j]));
    const fits = [1, 2, 3, 4, 5].map((K) =>
      fitLca({ categorical: distinct }, { k: K, nStarts: 4, seed: 3, sampleWeight: d.weight, tol: 1e-7 }),
    );
    const bic = fits.map((m) => m.bic);
    expect(bic.indexOf(Math.min(...bic)) + 1).toBe(3);
    const three = fits[2];
    const modal = Int32Array.from(d.index, (g) => three.modal[g]);
    expect(adjustedRandIndex(modal, truth)).toBeGreaterThan(0.9);
    expect(three.entropy).toBeGreaterThan(0.8);
    // classes ordered by share: the generating shares 0.45, 0.35, 0.2
    expect(Array.from(three.shares).map((s) => Math.round(s * 20) / 20)).toEqual([0.45, 0.35, 0.2]);
    expect(three.startsAtBest).toBeGreaterThanOrEqual(1);
    expect(three.startLogLikelihoods).toHaveLength(4);
    expect(Math.max(...three.startLogLikelihoods)).toBe(three.logLikelihood);
  });

  it("weighted distinct rows give the fit of the expanded rows (random starts, same seed)", () => {
    const rng = createRng(5);
    const G = 120;
    const levels = [3, 2, 4];
    const { codes } = simulate(G, [0.5, 0.5], levels, 0.7, 0.1, rng);
    const num = Float64Array.from({ length: G }, (_, g) => (codes[0][g] === 0 ? 30 : 50) + 10 * rng.next() + (g % 17 === 0 ? NaN : 0));
    const weight = Float64Array.from({ length: G }, () => 1 + rng.int(4));
    const expanded: number[] = [];
    for (let g = 0; g < G; ++g) for (let r = 0; r < weight[g]; ++r) expanded.push(g);
    const pick = (a: Int32Array) => Int32Array.from(expanded, (g) => a[g]);
    const opts = { k: 2, nStarts: 3, seed: 9, levels };
    const a = fitLca({ categorical: codes, numeric: { rows: G, cols: 1, data: num } }, { ...opts, sampleWeight: weight });
    const b = fitLca(
      { categorical: codes.map(pick), numeric: { rows: expanded.length, cols: 1, data: Float64Array.from(expanded, (g) => num[g]) } },
      opts,
    );
    expect(Math.abs(a.logLikelihood - b.logLikelihood)).toBeLessThan(1e-9 * Math.abs(b.logLikelihood));
    expect(a.n).toBe(b.n);
    expect(a.iterations).toBe(b.iterations);
    expect(maxAbsDiff(a.shares, b.shares)).toBeLessThan(1e-9);
    a.probabilities.forEach((T, j) => {
      expect(maxAbsDiff(T, b.probabilities[j])).toBeLessThan(1e-9);
    });
    expect(maxAbsDiff(a.means.data, b.means.data)).toBeLessThan(1e-8);
    expect(maxAbsDiff(a.variances.data, b.variances.data)).toBeLessThan(1e-7);
    expect(a.bic).toBeCloseTo(b.bic, 6);
    expect(a.entropy).toBeCloseTo(b.entropy, 9);
    let worst = 0;
    expanded.forEach((g, r) => {
      for (let c = 0; c < 2; ++c) worst = Math.max(worst, Math.abs(a.posterior.data[g * 2 + c] - b.posterior.data[r * 2 + c]));
    });
    expect(worst).toBeLessThan(1e-9);
  });

  it("K = 1 gives the observed level shares, the closed-form log-likelihood and NaN entropy", () => {
    const codes = [Int32Array.from([0, 0, 1, -1, 1, 2]), Int32Array.from([1, 0, -1, -1, 1, 1])];
    const w = Float64Array.from([1, 2, 1, 5, 1, 1]);
    const m = fitLca({ categorical: codes }, { k: 1, sampleWeight: w });
    // row 3 observes nothing: it does not count
    expect(m.n).toBe(6);
    expect(Array.from(m.probabilities[0])).toEqual([3 / 6, 2 / 6, 1 / 6]);
    expect(Array.from(m.probabilities[1])).toEqual([2 / 5, 3 / 5]);
    const ll = 3 * Math.log(3 / 6) + 2 * Math.log(2 / 6) + Math.log(1 / 6) + 2 * Math.log(2 / 5) + 3 * Math.log(3 / 5);
    expect(m.logLikelihood).toBeCloseTo(ll, 12);
    expect(m.nParameters).toBe(3);
    expect(m.bic).toBeCloseTo(-2 * ll + 3 * Math.log(6), 12);
    expect(m.entropy).toBeNaN();
    expect(Array.from(m.modalPosterior)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("is deterministic for a seed, orders classes by share and predictLca reproduces its posterior", () => {
    const rng = createRng(2);
    const { codes } = simulate(400, [0.6, 0.25, 0.15], [3, 3, 4, 2], 0.8, 0.05, rng);
    const a = fitLca({ categorical: codes }, { k: 3, seed: 4, nStarts: 3 });
    const b = fitLca({ categorical: codes }, { k: 3, seed: 4, nStarts: 3 });
    expect(JSON.stringify({ ...a, posterior: Array.from(a.posterior.data) })).toBe(
      JSON.stringify({ ...b, posterior: Array.from(b.posterior.data) }),
    );
    expect(a.shares[0]).toBeGreaterThanOrEqual(a.shares[1]);
    expect(a.shares[1]).toBeGreaterThanOrEqual(a.shares[2]);
    const p = predictLca(a, { categorical: codes });
    expect(maxAbsDiff(p.posterior.data, a.posterior.data)).toBeLessThan(1e-12);
    expect(p.logLikelihood).toBeCloseTo(a.logLikelihood, 9);
    expect(Array.from(p.modal)).toEqual(Array.from(a.modal));
    for (let i = 0; i < 400; ++i) {
      let s = 0;
      for (let c = 0; c < 3; ++c) s += a.posterior.data[i * 3 + c];
      expect(s).toBeCloseTo(1, 12);
      expect(a.modalPosterior[i]).toBe(a.posterior.data[i * 3 + a.modal[i]]);
    }
    // EM never lowers the likelihood: more iterations from the same start end at least as high
    const start = { ...a, probabilities: a.probabilities.map((T) => T.map((v, i) => (v + (i % 3) * 0.1) / 1.1)) };
    const short = fitLca({ categorical: codes }, { k: 3, start: normalised(start, a.levels), maxIter: 3, tol: 0 });
    const long = fitLca({ categorical: codes }, { k: 3, start: normalised(start, a.levels), maxIter: 30, tol: 0 });
    expect(long.logLikelihood).toBeGreaterThanOrEqual(short.logLikelihood - 1e-9);
  });

  it("rejects misuse with messages that name the value", () => {
    const codes = [Int32Array.from([0, 1, 2])];
    expect(() => fitLca({ categorical: codes }, { k: 0 })).toThrow(/invalid k: 0/);
    expect(() => fitLca({ categorical: [Int32Array.from([0, -2, 1])] }, { k: 2 })).toThrow(/code -2 at row 1/);
    expect(() => fitLca({ categorical: codes }, { k: 2, levels: [2] })).toThrow(/code 2 \(levels\[0\] is 2\)/);
    expect(() => fitLca({ categorical: [] }, { k: 2 })).toThrow(/no categorical and no numeric/);
    expect(() =>
      fitLca(
        { categorical: codes },
        { k: 2, start: { shares: Float64Array.from([1]), probabilities: [], means: zero(), variances: zero() } },
      ),
    ).toThrow(/shares must be a Float64Array of 2/);
  });
});

function zero() {
  return { rows: 0, cols: 0, data: new Float64Array(0) };
}

/** Parameters whose probability rows are renormalised to sum to 1. */
function normalised(P: LcaParameters, levels: number[]): LcaParameters {
  const K = P.shares.length;
  return {
    ...P,
    probabilities: P.probabilities.map((T, j) => {
      const L = levels[j];
      const out = T.slice();
      for (let c = 0; c < K; ++c) {
        let s = 0;
        for (let l = 0; l < L; ++l) s += out[c * L + l];
        for (let l = 0; l < L; ++l) out[c * L + l] /= s;
      }
      return out;
    }),
  };
}
