/**
 * Columns of a design matrix grouped by the variable they encode: a block is the list of column indices of one
 * variable, e.g. `[j]` for a numeric column or `[j, j+1, …, j+L-1]` for the L one-hot columns of a categorical
 * variable. Kernels that treat a variable as one unit (permutation references, variance shares, block weights)
 * take blocks; a column that is in no block is its own block.
 */
export type ColumnBlocks = readonly (readonly number[])[];

/**
 * The blocks to use over p columns: the given blocks (checked: integer indices in 0..p-1, each column in at most
 * one block, no empty block) followed by one single-column block for every column that no block lists, in
 * column order. Without `blocks` every column is its own block.
 * @param blocks column indices per variable, or undefined
 * @param p number of columns
 */
export function resolveBlocks(blocks: ColumnBlocks | undefined, p: number): number[][] {
  const seen = new Uint8Array(p);
  const out: number[][] = [];
  for (const [b, block] of (blocks ?? []).entries()) {
    if (block.length === 0) throw new Error(`invalid blocks: block ${b} is empty`);
    for (const j of block) {
      if (!Number.isInteger(j) || j < 0 || j >= p) throw new Error(`invalid blocks: column ${j} in block ${b} (expected 0..${p - 1})`);
      if (seen[j]) throw new Error(`invalid blocks: column ${j} is in more than one block`);
      seen[j] = 1;
    }
    out.push([...block]);
  }
  for (let j = 0; j < p; ++j) if (!seen[j]) out.push([j]);
  return out;
}

/**
 * Consecutive blocks from their sizes: sizes `[1, 4, 3]` give `[[0], [1, 2, 3, 4], [5, 6, 7]]`, the layout of a
 * design that lists each variable's columns together.
 * @param sizes number of columns of each variable, each ≥ 1
 */
export function blocksFromSizes(sizes: readonly number[]): number[][] {
  const out: number[][] = [];
  let j = 0;
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 1) throw new Error(`invalid block size: ${s} (expected an integer ≥ 1)`);
    out.push(Array.from({ length: s }, (_, t) => j + t));
    j += s;
  }
  return out;
}
