import { describe, expect, it } from "vitest";
import { designNames, encodeDense, fitEncoder, foldKey, OTHER } from "../../src/features/encode.js";
import { categoryVariants } from "../../src/features/variants.js";

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe("designNames(raw)", () => {
  it("designNames(raw) numbers names that differ only in letter case", () => {
    expect(designNames(["P=BAR", "P=Bar", "P=bar", "P=PARK"])).toEqual(["P=BAR", "P=Bar #2", "P=bar #3", "P=PARK"]);
  });

  it("designNames(raw) escapes control characters and stays unique when an escape meets a literal", () => {
    const names = designNames(["P=A\u0000B", "P=A\\x00B", "P=tab\there", "P=line\nbreak"]);
    expect(names).toEqual(["P=A\\x00B", "P=A\\x00B #2", "P=tab\\x09here", "P=line\\x0abreak"]);
    expect(Array.from({ length: names.join("").length }, (_, i) => names.join("").charCodeAt(i) >= 0x20).every(Boolean)).toBe(true);
  });

  it("designNames(raw) never gives _row, which features.parquet holds beside the design", () => {
    expect(designNames(["_ROW", "x"])).toEqual(["_ROW #2", "x"]);
  });
});

describe("fitEncoder with dirty categories", () => {
  const input = {
    categorical: { P: ["BAR", "Bar", "BAR", "bar ", " BAR", "M", "m", "PARK", null] },
    numeric: {},
  };

  it("fitEncoder(input) gives case variants distinct, case-insensitively unique names", () => {
    const { encoder } = fitEncoder(input);
    const names = encoder.features.map((f) => f.name);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    expect(encoder.categorical[0].levels).toContain("Bar");
    expect(encoder.categorical[0].levels).toContain("BAR");
  });

  it("fitEncoder(input, { fold }) merges case and white-space spellings into the most frequent one", () => {
    const { encoder } = fitEncoder(input, { fold: { case: true, whitespace: true } });
    expect(encoder.categorical[0].levels).toEqual(["(missing)", "BAR", "M", "PARK"]);
    const { X } = encodeDense(encoder, input, all(9));
    const bar = encoder.categorical[0].levels.indexOf("BAR");
    // rows 0-4 all spell BAR some way
    for (let i = 0; i < 5; ++i) expect(X.data[i * X.cols + bar]).toBe(1);
    const m = encoder.categorical[0].levels.indexOf("M");
    expect(X.data[6 * X.cols + m]).toBe(1);
  });

  it("encodeDense(encoder, new) folds new spellings with the trained rule and counts no unseen level", () => {
    const { encoder } = fitEncoder(input, { fold: { case: true, whitespace: true } });
    const fresh = { categorical: { P: ["bAr  ", "park"] }, numeric: {} };
    const { X, unseen } = encodeDense(encoder, fresh, all(2));
    expect(unseen).toEqual({});
    expect(X.data[encoder.categorical[0].levels.indexOf("BAR")]).toBe(1);
    expect(X.data[X.cols + encoder.categorical[0].levels.indexOf("PARK")]).toBe(1);
  });

  it("fitEncoder(input, { fold, excludeValues }) excludes every spelling of an excluded value", () => {
    const { encoder } = fitEncoder(input, { fold: { case: true, whitespace: true }, excludeValues: { P: ["m"] } });
    expect(encoder.categorical[0].levels).toEqual(["(missing)", "BAR", "PARK", OTHER]);
  });

  it("foldKey(value, fold) ignores only what fold names", () => {
    expect(foldKey(" Bar ", { case: true })).toBe(" bar ");
    expect(foldKey(" Bar ", { whitespace: true })).toBe("Bar");
    expect(foldKey(" Bar ", undefined)).toBe(" Bar ");
  });
});

describe("categoryVariants(values, kind)", () => {
  it("categoryVariants(values, 'case') groups spellings with counts, largest group first", () => {
    const values = ["BAR", "Bar", "BAR", "null", "NULL", "NULL", "NULL", "x", null];
    expect(categoryVariants(values, "case")).toEqual([
      {
        values: [
          { value: "NULL", count: 3 },
          { value: "null", count: 1 },
        ],
        rows: 4,
      },
      {
        values: [
          { value: "BAR", count: 2 },
          { value: "Bar", count: 1 },
        ],
        rows: 3,
      },
    ]);
  });

  it("categoryVariants(values, 'whitespace') finds only surrounding white space", () => {
    expect(categoryVariants(["A", "A ", " A", "A A", "AA"], "whitespace")).toEqual([
      {
        values: [
          { value: " A", count: 1 },
          { value: "A", count: 1 },
          { value: "A ", count: 1 },
        ],
        rows: 3,
      },
    ]);
    expect(categoryVariants(["A", "B"], "case")).toEqual([]);
  });
});

describe("fitEncoder standardisation of huge values", () => {
  it("fitEncoder(input, { standardize }) keeps 1e308 finite: centre and scale are exact up to rounding", () => {
    const values = Float64Array.from([1e308, 1e308, -1e308, 1, 2, 3]);
    const { encoder } = fitEncoder({ categorical: {}, numeric: { x: values } }, { standardize: true });
    const { center, scale } = encoder.numeric[0];
    expect(Number.isFinite(center) && Number.isFinite(scale)).toBe(true);
    // reference in scaled units: mean of [1,1,-1,~0,~0,~0] is 1/6, population sd sqrt(mean of squares - mean^2)
    expect(center / 1e308).toBeCloseTo(1 / 6, 12);
    expect(scale / 1e308).toBeCloseTo(Math.sqrt(3 / 6 - 1 / 36), 12);
    const { X } = encodeDense(encoder, { categorical: {}, numeric: { x: values } }, all(6));
    expect(Array.from(X.data).every(Number.isFinite)).toBe(true);
  });

  it("fitEncoder(input, { standardize }) leaves ordinary columns as the textbook formula gives", () => {
    const values = Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]);
    const { encoder } = fitEncoder({ categorical: {}, numeric: { x: values } }, { standardize: true });
    expect(encoder.numeric[0].center).toBeCloseTo(5, 14);
    expect(encoder.numeric[0].scale).toBeCloseTo(2, 14);
  });
});
