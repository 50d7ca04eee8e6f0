import { arenaLayout, paramBlock, type KernelArena, type ParamBlock } from "./kernel-arena.js";
import { CH } from "./kernels-js.js";

/**
 * Cholesky factors and inverses (cholesky.ts `choleskyFactor` and `choleskyInverse`, bit for bit) of matrices of
 * order up to q, in WebAssembly: a fit that factors the same information matrix shape thousands of times (profile
 * intervals, likelihood-ratio refits) makes one of these and disposes of it when it returns (the arena rule of
 * kernel-arena.ts). The operands are copied into the arena and the results out of it, so callers keep ordinary
 * arrays; the copies are O(q²) against the O(q³) work.
 */
export interface CholeskyKernels {
  /**
   * Factors A = LLᵀ (A's lower triangle read) into L, as `choleskyFactor`.
   * @param A m×m matrix (row-major, m ≤ q)
   * @param m order
   * @param L m×m output (must not alias A)
   * @returns false when A is not numerically positive definite
   */
  factor(A: Float64Array, m: number, L: Float64Array): boolean;
  /** A⁻¹ (full) from the factor L of A into out, as `choleskyInverse`; m ≤ q. */
  inverse(L: Float64Array, m: number, out: Float64Array): void;
  /** Ends the kernels' arena. */
  dispose(): void;
}

/**
 * Kernels for matrices of order up to q.
 * @param options.forceJs run the JavaScript twins (tests)
 */
export function choleskyKernels(q: number, options: { forceJs?: boolean } = {}): CholeskyKernels {
  const layout = arenaLayout(options);
  const paramsPtr = layout.params(6);
  const A = layout.f64(q * q);
  const L = layout.f64(q * q);
  const out = layout.f64(q * q);
  const work = layout.f64(q * q);
  const ok = layout.i32(1);
  const arena: KernelArena = layout.create();
  const params = (m: number): ParamBlock =>
    paramBlock(arena, paramsPtr).i32(CH.A, A).i32(CH.L, L).i32(CH.q, m).i32(CH.out, out).i32(CH.work, work).i32(CH.ok, ok);
  const check = (m: number) => {
    if (!(Number.isInteger(m) && m >= 0 && m <= q)) throw new Error(`invalid order: ${m} (expected 0..${q})`);
  };
  return {
    factor(src, m, dst) {
      check(m);
      arena.f64At(A, m * m).set(src.subarray(0, m * m));
      arena.run("chol_factor", params(m), [0], [1], undefined, 1);
      dst.set(arena.f64At(L, m * m));
      return arena.i32At(ok, 1)[0] === 1;
    },
    inverse(src, m, dst) {
      check(m);
      arena.f64At(L, m * m).set(src.subarray(0, m * m));
      arena.run("chol_inverse", params(m), [0], [1], undefined, 1);
      dst.set(arena.f64At(out, m * m));
    },
    dispose() {
      arena.dispose();
    },
  };
}
