/**
 * Reads the kernel-benchmark matrices written by `bench/python/kernel_data.py` (little-endian float64 / int32 files
 * and meta.json), so that openbeat and scikit-learn time exactly the same numbers.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Matrix } from "../../src/ml/matrix.js";
import type { SparseMatrix } from "../../src/ml/sparse.js";

/** Where kernel_data.py writes by default. */
export const KERNEL_DATA = "/tmp/openbeat-bench/kernels";

/** The benchmark's data sets. */
export interface KernelData {
  dense: { X: Matrix; y: Float64Array };
  csr: { X: SparseMatrix; y: Float64Array };
  z: Float64Array;
}

interface Meta {
  dense: { rows: number; cols: number };
  csr: { rows: number; cols: number; nnz: number };
}

function f64(dir: string, name: string): Float64Array {
  const b = readFileSync(join(dir, `${name}.f64`));
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function i32(dir: string, name: string): Int32Array {
  const b = readFileSync(join(dir, `${name}.i32`));
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** True when kernel_data.py has written its files to `dir`. */
export function kernelDataExists(dir = KERNEL_DATA): boolean {
  return existsSync(join(dir, "meta.json"));
}

/**
 * Loads the data sets from `dir`.
 * @param dir folder written by kernel_data.py (default /tmp/openbeat-bench/kernels)
 */
export function loadKernelData(dir = KERNEL_DATA): KernelData {
  const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as Meta;
  const X: Matrix = { rows: meta.dense.rows, cols: meta.dense.cols, data: f64(dir, "dense_X") };
  const c = meta.csr;
  const S: SparseMatrix = {
    rows: c.rows,
    cols: c.cols,
    indptr: i32(dir, "csr_indptr"),
    indices: i32(dir, "csr_indices"),
    values: new Float64Array(c.nnz).fill(1),
  };
  return { dense: { X, y: f64(dir, "dense_y") }, csr: { X: S, y: f64(dir, "csr_y") }, z: f64(dir, "z") };
}
