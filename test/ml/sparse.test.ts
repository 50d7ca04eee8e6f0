import { describe, expect, it } from "vitest";
import { fromRows } from "../../src/ml/matrix.js";
import { checkSparse, isSparse, sparseFromDense, sparseTakeRows, sparseToDense, sparseVstack } from "../../src/ml/sparse.js";

const D = fromRows([
  [0, 1, 0],
  [2, 0, 3],
  [0, 0, 0],
  [0, -4, 5],
]);

describe("sparse matrices", () => {
  it("sparseFromDense(X) stores non-zeros in CSR order and round-trips", () => {
    const S = sparseFromDense(D);
    expect(Array.from(S.indptr)).toEqual([0, 1, 3, 3, 5]);
    expect(Array.from(S.indices)).toEqual([1, 0, 2, 1, 2]);
    expect(Array.from(S.values)).toEqual([1, 2, 3, -4, 5]);
    expect(sparseToDense(S)).toEqual(D);
    expect(isSparse(S)).toBe(true);
    expect(isSparse(D)).toBe(false);
  });

  it("sparseTakeRows(S, index) takes rows in order with repeats", () => {
    const S = sparseTakeRows(sparseFromDense(D), [3, 0, 3, 2]);
    expect(sparseToDense(S).data).toEqual(Float64Array.from([0, -4, 5, 0, 1, 0, 0, -4, 5, 0, 0, 0]));
    expect(() => sparseTakeRows(S, [9])).toThrow(/invalid row index/);
  });

  it("sparseVstack(parts) stacks rows", () => {
    const S = sparseFromDense(D);
    const V = sparseVstack([S, sparseTakeRows(S, [1])]);
    expect(V.rows).toBe(5);
    checkSparse(V);
    expect(Array.from(sparseToDense(V).data.subarray(12))).toEqual([2, 0, 3]);
  });

  it("checkSparse(S) rejects out-of-range columns", () => {
    const S = sparseFromDense(D);
    S.indices[0] = 7;
    expect(() => {
      checkSparse(S);
    }).toThrow(/invalid X: column 7/);
  });
});
