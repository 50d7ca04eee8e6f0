import type { ArenaLayout, KernelArena } from "./kernel-arena.js";
import { paramBlock } from "./kernel-arena.js";
import { COL } from "./kernels-js.js";

/** Arena regions for the column kernels over an n×p block of rows: reserve them with {@link columnLayout}. */
export interface ColumnRegions {
  params: number;
  /** p doubles: column sums. */
  out: number;
  /** p doubles: the means subtracted by {@link centreRows}. */
  mean: number;
  p: number;
}

/**
 * Reserves the regions the column kernels need for p columns.
 * @param layout the caller's arena layout
 * @param p columns
 */
export function columnLayout(layout: ArenaLayout, p: number): ColumnRegions {
  return { params: layout.params(6), out: layout.f64(p), mean: layout.f64(p), p };
}

// Multiply-adds per task: enough work to cover handing a task to a worker thread.
const TASK_WORK = 200_000;

/**
 * Column sums Σ_i x_ij (or Σ_i x_ij² with `squares`) of the n×p rows at byte offset `rows`, each summed in order
 * of the rows as the plain loop does; columns are split among threads.
 * @returns a view of the p sums in the arena
 */
export function columnSums(arena: KernelArena, R: ColumnRegions, rows: number, n: number, squares = false): Float64Array {
  const { p } = R;
  const params = paramBlock(arena, R.params).i32(COL.X, rows).i32(COL.n, n).i32(COL.p, p).i32(COL.out, R.out).i32(COL.mean, R.mean);
  // pairs of columns, so that no task splits a lane pair
  const pieces = Math.max(1, Math.min(arena.threads, Math.floor(p / 2), Math.floor((n * p) / TASK_WORK)));
  const a: number[] = [];
  const b: number[] = [];
  for (let t = 0; t < pieces; ++t) {
    a.push(2 * Math.floor((p * t) / (2 * pieces)));
    b.push(t === pieces - 1 ? p : 2 * Math.floor((p * (t + 1)) / (2 * pieces)));
  }
  arena.run(squares ? "col_sumsq" : "col_sums", params, a, b);
  return arena.f64At(R.out, p);
}

/**
 * Subtracts `mean` from every one of the n×p rows at byte offset `rows`, in place; rows are split among threads.
 * @param mean p column means
 */
export function centreRows(arena: KernelArena, R: ColumnRegions, rows: number, n: number, mean: Float64Array): void {
  const { p } = R;
  arena.f64At(R.mean, p).set(mean);
  const params = paramBlock(arena, R.params).i32(COL.X, rows).i32(COL.n, n).i32(COL.p, p).i32(COL.out, R.out).i32(COL.mean, R.mean);
  arena.runRange("centre_rows", params, 0, n, Math.ceil(TASK_WORK / (p + 1)));
}
