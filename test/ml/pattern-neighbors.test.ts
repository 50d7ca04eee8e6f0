import { afterEach, describe, expect, it } from "vitest";
import { distinctRows } from "../../src/ml/distinct-rows.js";
import { KdTree } from "../../src/ml/kd-tree.js";
import { allPairsNeighbors, useNeighborWasm } from "../../src/ml/neighbor-kernels.js";
import { RandomState } from "../../src/ml/numpy-random.js";
import { emitNeighbors, LevelList } from "../../src/ml/pattern-neighbors.js";
import { denseNeighbors } from "./smote-oracle.js";

/**
 * The neighbour search over distinct rows against the row-level brute force SMOTE used before (smote-oracle.ts),
 * slot by slot for every row: the j-th neighbour of row i in the brute force must be a row of the pattern that the
 * pattern search gives as the j-th neighbour of i's pattern. Synthetic rows read only the neighbour's values, so
 * this is what makes the draws identical.
 */

/** m×p rows with `levels` values per coordinate (levels 0: continuous, no ties), some rows repeated `repeat` times. */
function rows(m: number, p: number, levels: number, seed: number): Float64Array {
  const rs = new RandomState(seed);
  if (levels === 0) return rs.uniform(m * p, -2, 2);
  return Float64Array.from(rs.randint(0, levels, m * p), (c) => c / Math.max(1, levels - 1));
}

type Search = "kd-tree" | "pairs";

/** k neighbour patterns of each pattern (m'×k), by the k-d tree or by all pairs of patterns. */
function patternNeighbors(
  P: Float64Array,
  count: Int32Array,
  p: number,
  k: number,
  groups: ReturnType<typeof distinctRows>,
  search: Search,
) {
  const mp = count.length;
  const out = new Int32Array(mp * k);
  if (search === "kd-tree") {
    const tree = new KdTree(P, mp, p);
    const list = new LevelList(count, k + 1);
    const stack = new Int32Array(128);
    for (let q = 0; q < mp; ++q) {
      list.reset();
      tree.search(q, list, stack);
      emitNeighbors(list, groups, k, q, out);
    }
  } else {
    const lists = allPairsNeighbors(P, mp, p, count, k + 1);
    for (let q = 0; q < mp; ++q) emitNeighbors(lists[q], groups, k, q, out);
  }
  return out;
}

/** Checks the pattern search against the brute force on every row; returns the number of tied distances seen. */
function expectSameNeighbors(X: Float64Array, m: number, p: number, k: number, search: Search): { patterns: number } {
  const groups = distinctRows({ rows: m, cols: p, data: X });
  const mp = groups.first.length;
  const P = new Float64Array(mp * p);
  for (let q = 0; q < mp; ++q) P.set(X.subarray(groups.first[q] * p, groups.first[q] * p + p), q * p);
  const fast = patternNeighbors(P, groups.count, p, k, groups, search);
  const brute = denseNeighbors(X, m, p, k);
  const got = new Int32Array(m * k);
  const want = new Int32Array(m * k);
  for (let i = 0; i < m; ++i)
    for (let c = 0; c < k; ++c) {
      got[i * k + c] = fast[groups.pattern[i] * k + c];
      want[i * k + c] = groups.pattern[brute[i * k + c]];
    }
  expect(Array.from(got)).toEqual(Array.from(want));
  return { patterns: mp };
}

afterEach(() => {
  useNeighborWasm(true);
});

describe("k nearest neighbours over distinct rows equal the row-level brute force", () => {
  for (const search of ["kd-tree", "pairs"] as const) {
    it(`${search}: many ties (few levels per coordinate, most rows repeated), k = 1, 5, 9`, () => {
      for (const [m, p, levels, k, seed] of [
        [1_500, 3, 3, 5, 1],
        [1_200, 2, 4, 9, 2],
        [900, 6, 2, 1, 3],
        [1_000, 4, 3, 5, 4],
      ] as const) {
        const { patterns } = expectSameNeighbors(rows(m, p, levels, seed), m, p, k, search);
        expect(patterns).toBeLessThan(m / 4);
      }
    });

    it(`${search}: no ties (continuous rows), and continuous rows that repeat`, () => {
      const a = rows(1_200, 4, 0, 5);
      expect(expectSameNeighbors(a, 1_200, 4, 5, search).patterns).toBe(1_200);
      // every row three times, interleaved: ties at distance 0 only
      const base = rows(400, 3, 0, 6);
      const rep = new Float64Array(1_200 * 3);
      for (let i = 0; i < 1_200; ++i) rep.set(base.subarray((i % 400) * 3, (i % 400) * 3 + 3), i * 3);
      expect(expectSameNeighbors(rep, 1_200, 3, 5, search).patterns).toBe(400);
    });
  }

  it("pairs without WebAssembly: the same lists", () => {
    useNeighborWasm(false);
    expectSameNeighbors(rows(800, 5, 3, 7), 800, 5, 5, "pairs");
    expectSameNeighbors(rows(600, 7, 0, 8), 600, 7, 3, "pairs");
  });
});
