import { afterEach, describe, expect, it } from "vitest";
import {
  binomialJs,
  binomialWasm,
  cscDotJs,
  csrDotJs,
  denseJs,
  expNegAbs,
  log1pExpArray,
  log1pExpJs,
  log1pUnit,
  useBinomialWasm,
} from "../../src/ml/binomial-kernels.js";
import { fitLogisticRegression, log1pExp } from "../../src/ml/logistic-regression.js";
import { RandomState } from "../../src/ml/numpy-random.js";
import { sparseFromDense } from "../../src/ml/sparse.js";
import { f64, ref, refCsr, refDense } from "./reference.js";

const ULP = 2.220446049250313e-16;

/** Seeded linear predictors over the whole range, with the edge values. */
function predictors(n: number): Float64Array {
  const rs = new RandomState(7);
  const u = rs.uniform(n, -40, 40);
  const edges = [0, -0, 1e-300, -1e-300, 707.9, 708, 708.1, -708.5, 745, 800, -800, 37, -37, 1e308, -1e308];
  u.set(edges.slice(0, Math.min(edges.length, n)));
  return u;
}

/** Copies arrays into the kernels' memory at consecutive 16-byte aligned offsets; returns the byte offsets. */
function place(memory: WebAssembly.Memory, arrays: (Float64Array | Int32Array)[]): number[] {
  const bytes = arrays.reduce((s, a) => s + Math.ceil(a.byteLength / 16) * 16, 0);
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
  const offsets: number[] = [];
  let at = 0;
  for (const a of arrays) {
    offsets.push(at);
    if (a instanceof Float64Array) new Float64Array(memory.buffer, at, a.length).set(a);
    else new Int32Array(memory.buffer, at, a.length).set(a);
    at += Math.ceil(a.byteLength / 16) * 16;
  }
  return offsets;
}

const bits = (a: ArrayLike<number>): string[] => Array.from(a, (v) => (Object.is(v, -0) ? "-0" : String(v)));

afterEach(() => {
  useBinomialWasm(true);
});

describe("expNegAbs(z) and log1pUnit(e)", () => {
  it("are within one unit in the last place of Math.exp and Math.log1p", () => {
    let expErr = 0;
    let logErr = 0;
    for (const zi of predictors(20_000)) {
      if (Math.abs(zi) > 708) continue;
      const e = Math.exp(-Math.abs(zi));
      expErr = Math.max(expErr, Math.abs(expNegAbs(zi) - e) / e);
      const l = Math.log1p(e);
      if (l > 0) logErr = Math.max(logErr, Math.abs(log1pUnit(e) - l) / l);
    }
    expect(expErr).toBeLessThanOrEqual(ULP);
    expect(logErr).toBeLessThanOrEqual(2 * ULP);
  });

  it("clamp exp(−|z|) at |z| = 708 and propagate nothing odd from infinities", () => {
    expect(expNegAbs(800)).toBe(expNegAbs(708));
    expect(Math.abs(expNegAbs(708) - Math.exp(-708))).toBeLessThanOrEqual(ULP * Math.exp(-708));
    expect(expNegAbs(Infinity)).toBe(expNegAbs(708));
    expect(log1pUnit(0)).toBe(0);
    expect(log1pUnit(1)).toBe(Math.LN2);
  });
});

describe("binomial kernel", () => {
  it("WebAssembly and JavaScript give bit-identical losses and gradients", () => {
    const k = binomialWasm();
    expect(k).not.toBeNull();
    if (!k) return;
    const n = 4_000;
    const z = predictors(n);
    const rs = new RandomState(3);
    const y = Float64Array.from(rs.uniform(n), (u) => (u < 0.3 ? 1 : 0));
    const sw = rs.uniform(n, 0, 3);
    sw[n - 1] = 0;
    const [oz, oy, os, or, oa] = place(k.memory, [z, y, sw, new Float64Array(n), new Float64Array(4)]);
    k.binomial(oz, oy, os, or, 0, n, oa);
    const rW = new Float64Array(k.memory.buffer, or, n).slice();
    const accW = new Float64Array(k.memory.buffer, oa, 4).slice();
    const r = new Float64Array(n);
    const acc = new Float64Array(4);
    binomialJs(z, y, sw, r, 0, n, acc);
    expect(bits(rW)).toEqual(bits(r));
    expect(bits(accW)).toEqual(bits(acc));
  });

  it("equals sw·(log(1 + e^z) − y·z) and sw·(σ(z) − y) to rounding", () => {
    const n = 2_000;
    const z = predictors(n).map((v) => v / 4);
    const y = Float64Array.from(z, (_, i) => (i % 3 === 0 ? 1 : 0));
    const sw = Float64Array.from(z, (_, i) => 0.5 + (i % 4));
    const r = new Float64Array(n);
    const acc = new Float64Array(4);
    binomialJs(z, y, sw, r, 0, n, acc);
    let f = 0;
    for (let i = 0; i < n; ++i) {
      const e = Math.exp(-Math.abs(z[i]));
      f += sw[i] * ((z[i] > 0 ? z[i] : 0) + Math.log1p(e) - y[i] * z[i]);
      const sig = z[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
      expect(Math.abs(r[i] - sw[i] * (sig - y[i]))).toBeLessThanOrEqual(4 * ULP * sw[i]);
    }
    expect(Math.abs(acc[0] + acc[1] - f)).toBeLessThan(1e-12 * Math.abs(f));
  });
});

describe("dense, CSR and CSC kernels", () => {
  for (const p of [5, 6]) {
    it(`dense objective: WebAssembly equals its JavaScript twin (p = ${p}, odd n)`, () => {
      const k = binomialWasm();
      if (!k) throw new Error("WebAssembly SIMD unavailable");
      const n = 1_001;
      const rs = new RandomState(p);
      const X = rs.uniform(n * p, -2, 2);
      const w = rs.uniform(p + (p & 1), -1, 1);
      const y = Float64Array.from(rs.uniform(n + 1), (u, i) => (i < n && u < 0.4 ? 1 : 0));
      const sw = Float64Array.from(rs.uniform(n + 1), (u, i) => (i < n ? 1 + u : 0));
      const nE = n + 1;
      const [oX, oW, oY, oS, oZ, oR, oG, oA] = place(k.memory, [
        X,
        w,
        y,
        sw,
        new Float64Array(nE),
        new Float64Array(nE),
        new Float64Array(p + (p & 1)),
        new Float64Array(4),
      ]);
      k.dense(oX, n, p, oW, 0.25, oY, oS, oZ, oR, oG, oA);
      const gW = new Float64Array(k.memory.buffer, oG, p).slice();
      const accW = new Float64Array(k.memory.buffer, oA, 4).slice();
      const g = new Float64Array(p + 1);
      const acc = new Float64Array(4);
      denseJs(X, n, p, w, 0.25, y, sw, new Float64Array(nE), new Float64Array(nE), g, acc);
      expect(bits(gW)).toEqual(bits(g.subarray(0, p)));
      expect(bits(accW)).toEqual(bits(acc));
    });
  }

  it("CSR rows and CSC columns: WebAssembly equals the JavaScript twins and Xw, Xᵀr", () => {
    const k = binomialWasm();
    if (!k) throw new Error("WebAssembly SIMD unavailable");
    const S = refCsr(ref.onehot.X);
    const { rows: n, cols: p } = S;
    const w = Float64Array.from({ length: p }, (_, j) => Math.sin(j));
    const z = new Float64Array(n);
    csrDotJs(S.indptr, S.indices, S.values, n, w, 0.5, z);
    const [oP, oI, oV, oW, oZ] = place(k.memory, [S.indptr, S.indices, S.values, w, new Float64Array(n)]);
    k.csrDot(oP, oI, oV, n, oW, 0.5, oZ);
    expect(bits(new Float64Array(k.memory.buffer, oZ, n))).toEqual(bits(z));
    for (let i = 0; i < 50; ++i) {
      let s = 0.5;
      for (let q = S.indptr[i]; q < S.indptr[i + 1]; ++q) s += S.values[q] * w[S.indices[q]];
      expect(z[i]).toBe(s);
    }
    // CSC of S by counting, rows ascending within each column.
    const colPtr = new Int32Array(p + 1);
    for (const c of S.indices) ++colPtr[c + 1];
    for (let j = 0; j < p; ++j) colPtr[j + 1] += colPtr[j];
    const next = colPtr.slice(0, p);
    const rows = new Int32Array(S.indices.length);
    const vals = new Float64Array(S.indices.length);
    for (let i = 0; i < n; ++i) {
      for (let q = S.indptr[i]; q < S.indptr[i + 1]; ++q) {
        const at = next[S.indices[q]]++;
        rows[at] = i;
        vals[at] = S.values[q];
      }
    }
    const r = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const g = new Float64Array(p);
    cscDotJs(colPtr, rows, vals, p, r, g);
    const [oC, oRw, oVl, oR, oG] = place(k.memory, [colPtr, rows, vals, r, new Float64Array(p)]);
    k.cscDot(oC, oRw, oVl, p, oR, oG);
    expect(bits(new Float64Array(k.memory.buffer, oG, p))).toEqual(bits(g));
    const expected = new Float64Array(p);
    for (let i = 0; i < n; ++i) for (let q = S.indptr[i]; q < S.indptr[i + 1]; ++q) expected[S.indices[q]] += r[i] * S.values[q];
    for (let j = 0; j < p; ++j) expect(Math.abs(g[j] - expected[j])).toBeLessThan(1e-12 * (1 + Math.abs(expected[j])));
  });
});

describe("fitLogisticRegression without WebAssembly", () => {
  it("gives bit-identical models with the JavaScript twins, dense and sparse", () => {
    const { X, y, sw } = refDense();
    const S = refCsr(ref.onehot.X);
    const ys = f64(ref.onehot.y);
    const fits = () => [
      fitLogisticRegression(X, y, { sampleWeight: sw, C: 0.3 }),
      fitLogisticRegression(S, ys, { tol: 1e-8 }),
      fitLogisticRegression(sparseFromDense(X), y, { fitIntercept: false }),
    ];
    const withWasm = fits();
    useBinomialWasm(false);
    expect(binomialWasm()).toBeNull();
    const withJs = fits();
    for (let i = 0; i < withWasm.length; ++i) {
      expect(withJs[i].iterations).toBe(withWasm[i].iterations);
      expect(bits(withJs[i].coef)).toEqual(bits(withWasm[i].coef));
      expect(withJs[i].intercept).toBe(withWasm[i].intercept);
    }
  });
});

describe("log1pExpArray(z)", () => {
  it("equals its JavaScript twin bit for bit and log(1 + e^z) to two units in the last place", () => {
    const z = predictors(10_001);
    const out = log1pExpArray(z);
    const js = new Float64Array(z.length);
    log1pExpJs(z, js);
    expect(bits(out)).toEqual(bits(js));
    let worst = 0;
    for (let i = 0; i < z.length; ++i) {
      const ref = log1pExp(z[i]);
      if (ref > 0 && Math.abs(z[i]) < 700) worst = Math.max(worst, Math.abs(out[i] - ref) / ref);
    }
    expect(worst).toBeLessThanOrEqual(2 * ULP);
    expect(log1pExpArray(f64([800, -800, 0]))).toEqual(f64([800, expNegAbs(800), Math.LN2]));
  });
});
