import { describe, expect, it } from "vitest";
import { encodeDense, encodeSparse, fitEncoder, MISSING, OTHER } from "../../src/features/encode.js";
import { sparseToDense } from "../../src/ml/sparse.js";

const input = () => ({
  categorical: { c: ["b", "a", null, "b", "z"] as (string | null)[] },
  numeric: { x: Float64Array.from([1, 2, 3, NaN, 5]) },
});

describe("fitEncoder", () => {
  it("fitEncoder(input) sorts levels, keeps missing as a level and drops rows with missing numbers by default", () => {
    const r = fitEncoder(input());
    expect(r.encoder.categorical[0].levels).toEqual([MISSING, "a", "b", "z"]);
    expect(Array.from(r.keep)).toEqual([0, 1, 2, 4]);
    expect(r.dropped).toEqual({ "missing x": 1 });
    expect(r.missing).toEqual({ c: 1, x: 1 });
    expect(r.encoder.features.map((f) => f.name)).toEqual(["c=(missing)", "c=a", "c=b", "c=z", "x"]);
  });

  it("fitEncoder(input, { minFrequency }) moves rare levels to (other)", () => {
    const r = fitEncoder(input(), { minFrequency: 2, missingNumeric: "mean" });
    expect(r.encoder.categorical[0].levels).toEqual(["b", OTHER]);
    expect(r.keep.length).toBe(5);
    const { X } = encodeDense(r.encoder, input(), r.keep);
    expect(Array.from(X.data.subarray(0, 3))).toEqual([1, 0, 1]);
    expect(X.data[4 * 3 + 1]).toBe(1);
    expect(X.data[3 * 3 + 2]).toBe((1 + 2 + 3 + 5) / 4);
  });

  it("fitEncoder(input, { missingCategorical: 'drop', standardize }) drops and scales with the population sd", () => {
    const r = fitEncoder(input(), { missingCategorical: "drop", missingNumeric: "median", standardize: true });
    expect(r.dropped).toEqual({ "missing c": 1 });
    const xs = [1, 2, 2, 5];
    const m = xs.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / 4);
    expect(r.encoder.numeric[0].center).toBeCloseTo(m, 12);
    expect(r.encoder.numeric[0].scale).toBeCloseTo(sd, 12);
  });

  it("encodeSparse equals encodeDense and counts unseen categories", () => {
    const r = fitEncoder(input(), { missingNumeric: "mean" });
    const fresh = { categorical: { c: ["a", "new", null] }, numeric: { x: Float64Array.from([1, 1, 1]) } };
    const rows = Int32Array.from([0, 1, 2]);
    const dense = encodeDense(r.encoder, fresh, rows);
    const sparse = encodeSparse(r.encoder, fresh, rows);
    expect(Array.from(sparseToDense(sparse.X).data)).toEqual(Array.from(dense.X.data));
    expect(sparse.unseen).toEqual({ c: 1 });
  });

  it("excludeValues maps the named values to (other)", () => {
    const r = fitEncoder(input(), { excludeValues: { c: ["z"] }, missingNumeric: "mean" });
    expect(r.encoder.categorical[0].levels).toEqual([MISSING, "a", "b", OTHER]);
  });
});
