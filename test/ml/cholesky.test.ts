import { describe, expect, it } from "vitest";
import { choleskyFactor, choleskyInverse, choleskyLogDet, choleskySolve } from "../../src/ml/cholesky.js";
import { RandomState } from "../../src/ml/numpy-random.js";
import { quantileSorted } from "../../src/ml/quantile.js";

/** A random q×q SPD matrix BᵀB + I. */
function spd(q: number, seed: number): Float64Array {
  const B = new RandomState(seed).uniform(q * q, -1, 1);
  const A = new Float64Array(q * q);
  for (let i = 0; i < q; ++i) {
    for (let j = 0; j < q; ++j) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < q; ++k) s += B[k * q + i] * B[k * q + j];
      A[i * q + j] = s;
    }
  }
  return A;
}

describe("cholesky kernels", () => {
  for (const q of [1, 2, 7, 33]) {
    it(`choleskyFactor, choleskyInverse and choleskySolve satisfy LLᵀ = A, A·A⁻¹ = I, A·x = b (q = ${q})`, () => {
      const A = spd(q, q);
      const L = new Float64Array(q * q);
      expect(choleskyFactor(A, q, L)).toBe(true);
      let err = 0;
      for (let i = 0; i < q; ++i) {
        for (let j = 0; j < q; ++j) {
          let s = 0;
          for (let k = 0; k < q; ++k) s += L[i * q + k] * L[j * q + k];
          err = Math.max(err, Math.abs(s - A[i * q + j]));
          if (j > i) expect(L[i * q + j]).toBe(0);
        }
      }
      expect(err).toBeLessThan(1e-12 * q);
      const inv = new Float64Array(q * q);
      choleskyInverse(L, q, inv, new Float64Array(q * q));
      let ierr = 0;
      for (let i = 0; i < q; ++i) {
        for (let j = 0; j < q; ++j) {
          let s = 0;
          for (let k = 0; k < q; ++k) s += A[i * q + k] * inv[k * q + j];
          ierr = Math.max(ierr, Math.abs(s - (i === j ? 1 : 0)));
        }
      }
      expect(ierr).toBeLessThan(1e-10);
      const b = new RandomState(99).uniform(q, -1, 1);
      const x = Float64Array.from(b);
      choleskySolve(L, q, x);
      for (let i = 0; i < q; ++i) {
        let s = 0;
        for (let k = 0; k < q; ++k) s += A[i * q + k] * x[k];
        expect(Math.abs(s - b[i])).toBeLessThan(1e-10);
      }
    });
  }

  it("choleskyLogDet gives log det on a hand-checked matrix and the factor refuses an indefinite one", () => {
    const L = new Float64Array(4);
    expect(choleskyFactor(Float64Array.from([4, 2, 2, 3]), 2, L)).toBe(true);
    expect(choleskyLogDet(L, 2)).toBeCloseTo(Math.log(8), 14);
    expect(choleskyFactor(Float64Array.from([1, 2, 2, 1]), 2, L)).toBe(false);
    expect(choleskyFactor(Float64Array.from([1, 1, 1, 1]), 2, L)).toBe(false);
  });
});

describe("quantileSorted(x, q)", () => {
  it("equals numpy's default linear percentile on hand-checked cases", () => {
    // np.percentile([1, 2, 3, 4], [0, 25, 50, 90, 100]) = [1, 1.75, 2.5, 3.7, 4]
    const x = [1, 2, 3, 4];
    expect([0, 0.25, 0.5, 0.9, 1].map((q) => quantileSorted(x, q))).toEqual([1, 1.75, 2.5, 3.7, 4]);
    expect(quantileSorted([5, 5, 5], 0.3)).toBe(5);
    expect(quantileSorted([], 0.5)).toBeNaN();
    expect(quantileSorted([1], 1.5)).toBeNaN();
  });
});
