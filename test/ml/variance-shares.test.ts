import { describe, expect, it } from "vitest";
import { blocksFromSizes, resolveBlocks } from "../../src/ml/column-blocks.js";
import { fromRows } from "../../src/ml/matrix.js";
import { applyColumnWeights, equalVariableWeights, varianceShares, weightedColumnVariances } from "../../src/ml/variance-shares.js";
import { createRng } from "../../src/util/random.js";

/** A design of one numeric column (mean 0, population sd `scale`) and one-hot blocks with the given level shares. */
function design(n: number, scale: number, shares: number[][], seed: number) {
  const rng = createRng(seed);
  const p = 1 + shares.reduce((s, l) => s + l.length, 0);
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) {
    data[i * p] = scale * (i % 2 === 0 ? 1 : -1);
    let o = 1;
    for (const levels of shares) {
      let u = rng.next();
      let l = 0;
      while (l < levels.length - 1 && u >= levels[l]) u -= levels[l++];
      data[i * p + o + l] = 1;
      o += levels.length;
    }
  }
  return { rows: n, cols: p, data };
}

describe("weightedColumnVariances", () => {
  it("weightedColumnVariances(X, w) equals the population variance of the rows repeated w times", () => {
    const X = fromRows([
      [1, 10],
      [2, 10],
      [4, 13],
    ]);
    const w = Float64Array.from([2, 1, 3]);
    const rep = fromRows([
      [1, 10],
      [1, 10],
      [2, 10],
      [4, 13],
      [4, 13],
      [4, 13],
    ]);
    const a = weightedColumnVariances(X, w);
    const b = weightedColumnVariances(rep);
    // column 0 of the repeated rows: mean 16/6, population variance Σ(x − m)² / 6
    const m = 16 / 6;
    const v0 = (2 * (1 - m) ** 2 + (2 - m) ** 2 + 3 * (4 - m) ** 2) / 6;
    expect(a[0]).toBeCloseTo(v0, 14);
    expect(b[0]).toBeCloseTo(v0, 14);
    expect(a[1]).toBeCloseTo(b[1], 14);
  });
  it("keeps its precision on a large offset (where Σx² − (Σx)²/n fails)", () => {
    const X = fromRows([[1e9 + 1], [1e9 + 2], [1e9 + 3]]);
    expect(weightedColumnVariances(X)[0]).toBeCloseTo(2 / 3, 9);
  });
});

describe("varianceShares", () => {
  it("a one-hot block with level shares p has variance 1 − Σp², a standardized column 1; shares sum to 1", () => {
    // levels repeat exactly: 40 rows with shares 0.5 / 0.25 / 0.25 and 0.5 / 0.5
    const n = 40;
    const p = 6;
    const data = new Float64Array(n * p);
    for (let i = 0; i < n; ++i) {
      data[i * p] = i % 2 === 0 ? 1 : -1;
      data[i * p + 1 + (i % 4 === 0 ? 1 : i % 4 === 1 ? 2 : 0)] = 1;
      data[i * p + 4 + (i % 8 < 4 ? 0 : 1)] = 1;
    }
    const blocks = blocksFromSizes([1, 3, 2]);
    const s = varianceShares({ rows: n, cols: p, data }, blocks);
    expect(s.map((b) => b.columns)).toEqual(blocks);
    expect(s[0].variance).toBeCloseTo(1, 14);
    expect(s[1].variance).toBeCloseTo(1 - (0.25 + 0.0625 + 0.0625), 14);
    expect(s[2].variance).toBeCloseTo(0.5, 14);
    const total = 1 + 0.625 + 0.5;
    expect(s.map((b) => b.share)).toEqual(s.map((b) => b.variance / total));
    expect(s.reduce((a, b) => a + b.share, 0)).toBeCloseTo(1, 14);
  });
  it("weighted distinct rows give the shares of the expanded rows; unlisted columns count alone", () => {
    const X = design(300, 2, [[0.6, 0.3, 0.1]], 3);
    const rep: number[][] = [];
    const w = new Float64Array(300);
    for (let i = 0; i < 300; ++i) {
      w[i] = 1 + (i % 3);
      for (let r = 0; r < w[i]; ++r) rep.push(Array.from(X.data.subarray(i * 4, i * 4 + 4)));
    }
    const a = varianceShares(X, [[1, 2, 3]], w);
    const b = varianceShares(fromRows(rep), [[1, 2, 3]]);
    expect(a.map((x) => x.columns)).toEqual([[1, 2, 3], [0]]);
    for (let t = 0; t < 2; ++t) expect(a[t].share).toBeCloseTo(b[t].share, 12);
    expect(a[1].variance).toBeCloseTo(4, 12);
  });
  it("a constant design has NaN shares", () => {
    const s = varianceShares(fromRows([[1], [1]]));
    expect(s[0].variance).toBe(0);
    expect(s[0].share).toBeNaN();
  });
});

describe("equalVariableWeights", () => {
  it("gives every variable summed variance 1, whatever its levels and units", () => {
    const X = design(
      2000,
      7,
      [
        [0.7, 0.2, 0.1],
        [0.25, 0.25, 0.25, 0.25],
        [0.95, 0.05],
      ],
      8,
    );
    const blocks = blocksFromSizes([1, 3, 4, 2]);
    const cw = equalVariableWeights(X, blocks);
    expect(cw[0]).toBeCloseTo(1 / 7, 14);
    // every column of a block gets the same multiplier
    for (const b of blocks) for (const j of b) expect(cw[j]).toBe(cw[b[0]]);
    const after = varianceShares(applyColumnWeights(X, cw), blocks);
    for (const s of after) {
      expect(s.variance).toBeCloseTo(1, 12);
      expect(s.share).toBeCloseTo(0.25, 12);
    }
    // before: the numeric column (variance 49) dominates
    expect(varianceShares(X, blocks)[0].share).toBeGreaterThan(0.9);
  });
  it("leaves a constant block at multiplier 1", () => {
    const X = fromRows([
      [1, 0, 3],
      [1, 2, 5],
    ]);
    expect(Array.from(equalVariableWeights(X, [[0], [1, 2]]))).toEqual([1, 1 / Math.sqrt(2), 1 / Math.sqrt(2)]);
  });
});

describe("resolveBlocks", () => {
  it("appends unlisted columns and rejects overlapping or out-of-range blocks", () => {
    expect(resolveBlocks([[2, 3]], 5)).toEqual([[2, 3], [0], [1], [4]]);
    expect(resolveBlocks(undefined, 2)).toEqual([[0], [1]]);
    expect(() => resolveBlocks([[0, 1], [1]], 3)).toThrow(/column 1 is in more than one block/);
    expect(() => resolveBlocks([[3]], 3)).toThrow(/column 3 in block 0 \(expected 0..2\)/);
    expect(() => resolveBlocks([[]], 3)).toThrow(/block 0 is empty/);
    expect(() => blocksFromSizes([2, 0])).toThrow(/invalid block size: 0/);
  });
});
