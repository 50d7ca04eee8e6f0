import { describe, expect, it } from "vitest";
import { aliasedColumns, varianceInflationFactors } from "../../src/ml/collinearity.js";
import { maxRelDiff, refMatrix, referenceCoded, riskRef } from "./risk-inference-reference.js";

describe("aliasedColumns(X, options)", () => {
  const al = riskRef.aliasing;
  const X = refMatrix(al);
  for (const [name, w] of [
    ["weighted", Float64Array.from(al.w)],
    ["unweighted", undefined],
  ] as const) {
    const expected = al[name];
    it(`finds the constant, duplicate and combined columns as least squares does (${name})`, () => {
      const got = aliasedColumns(X, { sampleWeight: w });
      expect(got.map((a) => a.column)).toEqual(expected.aliased.map((a) => a.column));
      for (let k = 0; k < got.length; ++k) {
        const e = expected.aliased[k].combination;
        expect(got[k].combination.map((t) => t.column)).toEqual(e.map((t) => t.column));
        expect(
          maxRelDiff(
            got[k].combination.map((t) => t.coefficient),
            e.map((t) => t.coefficient),
          ),
        ).toBeLessThan(1e-9);
      }
    });
  }

  it("names the earlier columns a dependency reduces to", () => {
    // columns: x0, G1, G2, G3, const(2), x1, dup(G2), 0.5·x0 − 2·x1, hidden (non-zero only on a weight-0 row)
    const got = aliasedColumns(X, { sampleWeight: Float64Array.from(al.w) });
    const byColumn = new Map(got.map((a) => [a.column, a.combination]));
    expect(byColumn.get(4)).toEqual([{ column: -1, coefficient: expect.closeTo(2, 12) as number }]);
    expect(byColumn.get(6)).toEqual([{ column: 2, coefficient: expect.closeTo(1, 12) as number }]);
    expect(byColumn.get(7)?.map((t) => [t.column, Math.round(t.coefficient * 1e9) / 1e9])).toEqual([
      [0, 0.5],
      [5, -2],
    ]);
    expect(byColumn.get(8)).toEqual([]);
  });

  it("reports nothing for a full-rank design and, without an intercept, a constant column is kept", () => {
    const X2 = { rows: 3, cols: 2, data: Float64Array.from([1, 0, 1, 1, 1, 2]) };
    expect(aliasedColumns(X2)).toEqual([{ column: 0, combination: [{ column: -1, coefficient: expect.closeTo(1, 14) as number }] }]);
    expect(aliasedColumns(X2, { fitIntercept: false })).toEqual([]);
  });
});

describe("varianceInflationFactors(X, options)", () => {
  const al = riskRef.aliasing;
  const X = refMatrix(al);
  for (const [name, w] of [
    ["weighted", Float64Array.from(al.w)],
    ["unweighted", undefined],
  ] as const) {
    const expected = al[name];
    it(`equals statsmodels variance_inflation_factor / WLS R² on the kept columns, Infinity on aliased ones (${name})`, () => {
      const vif = varianceInflationFactors(X, { sampleWeight: w });
      expect(
        maxRelDiff(
          expected.kept.map((j) => vif[j]),
          expected.vif,
        ),
      ).toBeLessThan(1e-9);
      for (const a of expected.aliased) expect(vif[a.column]).toBe(Infinity);
    });
  }

  it("equals the WLS reference on the LMPD-shaped design and the VIF of the expanded rows", () => {
    const l = riskRef.lmpd;
    const { X: Xl } = referenceCoded(l.codes, l.n_vars, l.levels, l.reference);
    const w = Float64Array.from(l.w);
    const vif = varianceInflationFactors(Xl, { sampleWeight: w });
    expect(maxRelDiff(vif, l.vif)).toBeLessThan(1e-8);
    // integer weights are counts: the same VIF as repeating each row
    const rows: number[] = [];
    w.forEach((c, i) => {
      for (let r = 0; r < c; ++r) rows.push(i);
    });
    const p = Xl.cols;
    const data = new Float64Array(rows.length * p);
    rows.forEach((i, r) => {
      data.set(Xl.data.subarray(i * p, i * p + p), r * p);
    });
    expect(maxRelDiff(varianceInflationFactors({ rows: rows.length, cols: p, data }), vif)).toBeLessThan(1e-9);
  });
});
