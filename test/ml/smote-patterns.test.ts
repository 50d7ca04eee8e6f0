import { afterEach, describe, expect, it } from "vitest";
import type { Matrix } from "../../src/ml/matrix.js";
import { useNeighborWasm } from "../../src/ml/neighbor-kernels.js";
import { RandomState } from "../../src/ml/numpy-random.js";
import { smote, smoteCost, SMOTE_WARN_MINORITY_ROWS } from "../../src/ml/smote.js";
import { sparseFromDense, type SparseMatrix } from "../../src/ml/sparse.js";
import { smoteRowLevel } from "./smote-oracle.js";
import { f64, ref, refCsr, refDense } from "./reference.js";

const bits = (a: ArrayLike<number>): string[] => Array.from(a, (v) => (Object.is(v, -0) ? "-0" : String(v)));

/** n×p dense data drawn from `levels` values per column (many repeated rows and tied distances when levels is small). */
function gridData(n: number, p: number, levels: number, seed: number, positiveShare = 0.2): { X: Matrix; y: Float64Array } {
  const rs = new RandomState(seed);
  const codes = rs.randint(0, levels, n * p);
  const X: Matrix = { rows: n, cols: p, data: Float64Array.from(codes, (c) => c / (levels - 1)) };
  const y = Float64Array.from(rs.uniform(n), (u) => (u < positiveShare ? 1 : 0));
  return { X, y };
}

function continuous(n: number, p: number, seed: number): { X: Matrix; y: Float64Array } {
  const rs = new RandomState(seed);
  const X: Matrix = { rows: n, cols: p, data: rs.uniform(n * p, -3, 3) };
  const y = Float64Array.from(rs.uniform(n), (u) => (u < 0.25 ? 1 : 0));
  return { X, y };
}

function expectSameDense(X: Matrix, y: Float64Array, k: number, seed: number): void {
  const a = smote(X, y, { kNeighbors: k, seed });
  const b = smoteRowLevel(X, y, { kNeighbors: k, seed });
  expect(a.X.rows).toBe(b.X.rows);
  expect(bits(a.y)).toEqual(bits(b.y));
  expect(bits(a.X.data)).toEqual(bits(b.X.data));
}

function expectSameSparse(X: SparseMatrix, y: Float64Array, k: number, seed: number): void {
  const a = smote(X, y, { kNeighbors: k, seed });
  const b = smoteRowLevel(X, y, { kNeighbors: k, seed });
  expect(Array.from(a.X.indptr)).toEqual(Array.from(b.X.indptr));
  expect(Array.from(a.X.indices)).toEqual(Array.from(b.X.indices));
  expect(bits(a.X.values)).toEqual(bits(b.X.values));
  expect(bits(a.y)).toEqual(bits(b.y));
}

afterEach(() => {
  useNeighborWasm(true);
});

describe("smote(X, y) over distinct rows", () => {
  it("equals the row-level search on one-hot CSR data with repeated rows and tied distances", () => {
    const X = refCsr(ref.onehot.X);
    const y = f64(ref.onehot.y);
    for (const [k, seed] of [
      [5, 0],
      [3, 11],
      [1, 4],
    ])
      expectSameSparse(X, y, k, seed);
  });

  it("equals the row-level search on dense grid data, few and many coordinates (k-d tree and all pairs)", () => {
    for (const [p, levels, search] of [
      [3, 9, "kd-tree"],
      [4, 3, "pairs"],
      [16, 2, "pairs"],
    ] as const) {
      const { X, y } = gridData(3_000, p, levels, p);
      expect(smoteCost(X, y).search).toBe(search);
      expectSameDense(X, y, 5, 1);
    }
  });

  it("equals the row-level search on continuous dense data in both searches, and without WebAssembly", () => {
    const low = continuous(2_500, 4, 2);
    expect(smoteCost(low.X, low.y).search).toBe("kd-tree");
    expectSameDense(low.X, low.y, 5, 3);
    const high = continuous(1_500, 21, 5);
    expectSameDense(high.X, high.y, 5, 3);
    useNeighborWasm(false);
    expectSameDense(high.X, high.y, 4, 9);
  });

  it("keeps −0 and 0 apart as imbalanced-learn's interpolation does, and equals the row-level search", () => {
    const n = 400;
    const rs = new RandomState(8);
    const data = Float64Array.from(rs.randint(0, 3, n * 2), (c) => (c === 0 ? (rs.uniform(1)[0] < 0.5 ? -0 : 0) : c));
    const X: Matrix = { rows: n, cols: 2, data };
    const y = Float64Array.from(rs.uniform(n), (u) => (u < 0.3 ? 1 : 0));
    expectSameDense(X, y, 5, 2);
    expectSameSparse(sparseFromDense(X), y, 5, 2);
  });

  it("still equals imbalanced-learn on the reference dense data", () => {
    const { X, y } = refDense();
    const c = ref.smote_dense[0];
    const out = smote(X, y, { seed: c.seed, kNeighbors: c.k });
    expect(Math.max(...c.synthetic.map((v, i) => Math.abs(v - out.X.data[X.data.length + i])))).toBeLessThan(1e-12);
  });
});

describe("smoteCost(X, y) and the result's cost", () => {
  it("counts minority, distinct minority and synthetic rows and names the search", () => {
    const X = refCsr(ref.onehot.X);
    const y = f64(ref.onehot.y);
    const cost = smoteCost(X, y);
    const out = smote(X, y);
    expect(out.cost).toEqual(cost);
    expect(cost.minorityRows).toBe(ref.onehot.positives);
    expect(cost.syntheticRows).toBe(out.X.rows - X.rows);
    expect(cost.distinctMinorityRows).toBeLessThan(cost.minorityRows);
    expect(cost.search).toBe("pairs");
    expect(cost.warn).toBe(false);
    const dense = continuous(2_000, 3, 1);
    expect(smoteCost(dense.X, dense.y).search).toBe("kd-tree");
    expect(smoteCost(dense.X, dense.y).outputBytes).toBe(8 * 3 * (2_000 + smoteCost(dense.X, dense.y).syntheticRows));
  });

  it(`warns above ${SMOTE_WARN_MINORITY_ROWS.toLocaleString("en-US")} minority rows`, () => {
    const m = SMOTE_WARN_MINORITY_ROWS + 1;
    const X: Matrix = { rows: 2 * m + 1, cols: 1, data: new Float64Array(2 * m + 1) };
    const y = Float64Array.from({ length: 2 * m + 1 }, (_, i) => (i < m ? 1 : 0));
    const cost = smoteCost(X, y);
    expect(cost.minorityRows).toBe(m);
    expect(cost.distinctMinorityRows).toBe(1);
    expect(cost.warn).toBe(true);
    expect(smoteCost({ rows: 10, cols: 1, data: new Float64Array(10) }, f64([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])).warn).toBe(false);
  });
});
