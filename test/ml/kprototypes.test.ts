import { describe, expect, it } from "vitest";
import { kPrototypes } from "../../src/ml/kprototypes.js";
import { fromRows, zeros, type Matrix } from "../../src/ml/matrix.js";
import { createRng } from "../../src/util/random.js";

function mixedData(n: number, seed: number): { Xnum: Matrix; Xcat: Int32Array[] } {
  const rng = createRng(seed);
  const rows: number[][] = [];
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const g = i % 3;
    rows.push([g * 2 + rng.next(), rng.next() * 3 - g]);
    a[i] = rng.next() < 0.7 ? g : rng.int(4);
    b[i] = rng.next() < 0.1 ? -1 : rng.int(3);
  }
  return { Xnum: fromRows(rows), Xcat: [a, b] };
}

function recomputedCost(Xnum: Matrix, Xcat: Int32Array[], r: ReturnType<typeof kPrototypes>): number {
  let s = 0;
  for (let i = 0; i < Xnum.rows; ++i) {
    const c = r.labels[i];
    for (let j = 0; j < Xnum.cols; ++j) s += (Xnum.data[i * Xnum.cols + j] - r.centroidsNum.data[c * Xnum.cols + j]) ** 2;
    for (let j = 0; j < Xcat.length; ++j) if (Xcat[j][i] !== -1 && Xcat[j][i] !== r.centroidsCat[j][c]) s += r.gamma;
  }
  return s;
}

describe("kPrototypes(Xnum, Xcat, { k })", () => {
  it("clusters 4 hand-checkable rows: means, modes and cost", () => {
    const Xnum = fromRows([[0], [0.1], [10], [10.1]]);
    const Xcat = [Int32Array.from([0, 0, 1, 1]), Int32Array.from([2, 1, 0, 0])];
    const r = kPrototypes(Xnum, Xcat, { k: 2, gamma: 1, seed: 3 });
    const a = r.labels[0];
    expect(Array.from(r.labels)).toEqual([a, a, 1 - a, 1 - a]);
    expect(r.centroidsNum.data[a]).toBeCloseTo(0.05, 12);
    expect(r.centroidsNum.data[1 - a]).toBeCloseTo(10.05, 12);
    expect(r.centroidsCat[0][a]).toBe(0);
    expect(r.centroidsCat[0][1 - a]).toBe(1);
    // column 2 ties 2 vs 1 in the first cluster: the smallest code wins, and costs one mismatch
    expect(r.centroidsCat[1][a]).toBe(1);
    expect(r.centroidsCat[1][1 - a]).toBe(0);
    expect(r.cost).toBeCloseTo(4 * 0.05 ** 2 + 1, 12);
  });

  it("uses gamma = 0.5 × mean population std of the numeric columns by default", () => {
    const Xnum = fromRows([
      [0, 0],
      [2, 4],
      [0, 0],
      [2, 4],
    ]);
    const r = kPrototypes(Xnum, [Int32Array.from([0, 1, 0, 1])], { k: 2 });
    expect(r.gamma).toBeCloseTo(0.5 * ((1 + 2) / 2), 12);
  });

  it("groups purely categorical rows by their codes", () => {
    const Xcat = [Int32Array.from([0, 0, 0, 2, 2, 2]), Int32Array.from([1, 1, 0, 3, 3, 3])];
    const r = kPrototypes(zeros(6, 0), Xcat, { k: 2, seed: 1 });
    expect(r.labels[0]).toBe(r.labels[1]);
    expect(r.labels[0]).toBe(r.labels[2]);
    expect(r.labels[3]).toBe(r.labels[5]);
    expect(r.labels[0]).not.toBe(r.labels[3]);
    expect(r.cost).toBe(1);
  });

  it("ignores missing codes (-1) in costs and modes", () => {
    const Xnum = fromRows([[0], [0], [0], [9], [9]]);
    const Xcat = [Int32Array.from([-1, -1, 1, 0, -1])];
    const r = kPrototypes(Xnum, Xcat, { k: 2, gamma: 5, seed: 0 });
    const a = r.labels[0];
    expect(r.centroidsCat[0][a]).toBe(1);
    expect(r.centroidsCat[0][r.labels[3]]).toBe(0);
    expect(r.cost).toBe(0);
  });

  it("keeps the invariants: cost never increases, prototypes are means and modes, cost is what it says", () => {
    const { Xnum, Xcat } = mixedData(150, 11);
    let previous = Infinity;
    for (let maxIter = 1; maxIter <= 8; ++maxIter) {
      const r = kPrototypes(Xnum, Xcat, { k: 4, nInit: 1, maxIter, seed: 5 });
      expect(r.cost).toBeLessThanOrEqual(previous + 1e-9);
      previous = r.cost;
    }
    const r = kPrototypes(Xnum, Xcat, { k: 4, seed: 2 });
    expect(r.cost).toBeCloseTo(recomputedCost(Xnum, Xcat, r), 9);
    for (let c = 0; c < 4; ++c) {
      const members = Array.from(r.labels.keys()).filter((i) => r.labels[i] === c);
      expect(members.length).toBeGreaterThan(0);
      for (let j = 0; j < Xnum.cols; ++j) {
        const mean = members.reduce((s, i) => s + Xnum.data[i * Xnum.cols + j], 0) / members.length;
        expect(r.centroidsNum.data[c * Xnum.cols + j]).toBeCloseTo(mean, 10);
      }
      for (const col of Xcat) {
        const counts = new Map<number, number>();
        for (const i of members) if (col[i] >= 0) counts.set(col[i], (counts.get(col[i]) ?? 0) + 1);
        const top = Math.max(...counts.values());
        const mode = Math.min(...[...counts].filter(([, v]) => v === top).map(([key]) => key));
        expect(r.centroidsCat[Xcat.indexOf(col)][c]).toBe(mode);
      }
    }
    // no row would be cheaper at another prototype
    const again = kPrototypes(Xnum, Xcat, { k: 4, seed: 2 });
    expect(Array.from(again.labels)).toEqual(Array.from(r.labels));
  });

  it("best of nInit is no worse than a single run", () => {
    const { Xnum, Xcat } = mixedData(120, 4);
    const many = kPrototypes(Xnum, Xcat, { k: 5, seed: 9 });
    const one = kPrototypes(Xnum, Xcat, { k: 5, seed: 9, nInit: 1 });
    expect(many.cost).toBeLessThanOrEqual(one.cost);
  });

  it("handles k = n and duplicate rows", () => {
    const Xnum = fromRows([[1], [1], [1], [2]]);
    const Xcat = [Int32Array.from([0, 0, 0, 1])];
    expect(kPrototypes(Xnum, Xcat, { k: 4 }).cost).toBe(0);
    const r = kPrototypes(Xnum, Xcat, { k: 3 });
    expect(r.cost).toBe(0);
    expect(new Set(r.labels).size).toBe(3);
  });

  it("throws on bad input", () => {
    const Xnum = fromRows([[1], [2]]);
    expect(() => kPrototypes(Xnum, [Int32Array.from([0, 1])], { k: 3 })).toThrow("invalid k: 3 (expected 1..2)");
    expect(() => kPrototypes(Xnum, [Int32Array.from([0])], { k: 1 })).toThrow("invalid Xcat[0]");
    expect(() => kPrototypes(Xnum, [Int32Array.from([0, -2])], { k: 1 })).toThrow("code -2 at row 1");
    expect(() => kPrototypes(zeros(2, 0), [], { k: 1 })).toThrow("no numeric and no categorical columns");
  });
});
