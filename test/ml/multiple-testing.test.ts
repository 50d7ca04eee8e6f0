import { describe, expect, it } from "vitest";
import { benjaminiHochberg, binomialTestTwoSided, bonferroni, fisherExactTwoSided } from "../../src/ml/multiple-testing.js";
import { maxRelDiff, riskRef } from "./risk-inference-reference.js";

const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

describe("benjaminiHochberg(p) and bonferroni(p)", () => {
  const mt = riskRef.multiple_testing;
  it("equal statsmodels multipletests fdr_bh and bonferroni (ties, 0, 1 and 1e-300 included)", () => {
    expect(maxRelDiff(benjaminiHochberg(mt.p), mt.fdr_bh)).toBeLessThan(1e-14);
    expect(maxRelDiff(bonferroni(mt.p), mt.bonferroni)).toBeLessThan(1e-14);
  });

  it("q-values are monotone in p, at least p, capped at 1", () => {
    const p: number[] = mt.p;
    const q = benjaminiHochberg(p);
    const order = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
    for (let r = 1; r < order.length; ++r) expect(q[order[r]]).toBeGreaterThanOrEqual(q[order[r - 1]]);
    for (let i = 0; i < p.length; ++i) {
      expect(q[i]).toBeGreaterThanOrEqual(p[i]);
      expect(q[i]).toBeLessThanOrEqual(1);
    }
  });

  it("benjaminiHochberg(p) on a hand-checked example", () => {
    // sorted p 0.01, 0.02, 0.03, 0.5 with m = 4: raw 0.04, 0.04, 0.04, 0.5
    expect(Array.from(benjaminiHochberg([0.03, 0.5, 0.01, 0.02]))).toEqual([0.04, 0.5, 0.04, 0.04]);
    expect(benjaminiHochberg([]).length).toBe(0);
    expect(() => benjaminiHochberg([0.1, NaN])).toThrow(/invalid p\[1\]/);
  });
});

describe("fisherExactTwoSided(a, b, c, d)", () => {
  it("equals scipy.stats.fisher_exact to 1e-9 relative, counts up to tens of thousands", () => {
    let worst = 0;
    for (const { table, p } of riskRef.fisher as { table: number[][]; p: number }[]) {
      const [[a, b], [c, d]] = table;
      worst = Math.max(worst, rel(fisherExactTwoSided(a, b, c, d).pValue, p));
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it("is symmetric in rows and columns, gives the odds ratio, and p = 1 with an empty margin", () => {
    const t = fisherExactTwoSided(25, 5, 930, 31000);
    expect(fisherExactTwoSided(930, 31000, 25, 5).pValue).toBeCloseTo(t.pValue, 15);
    expect(fisherExactTwoSided(25, 930, 5, 31000).pValue).toBeCloseTo(t.pValue, 15);
    expect(t.oddsRatio).toBeCloseTo((25 * 31000) / (5 * 930), 10);
    expect(fisherExactTwoSided(3, 0, 951, 31046).oddsRatio).toBe(Infinity);
    expect(fisherExactTwoSided(0, 0, 5, 5)).toEqual({ oddsRatio: NaN, pValue: 1 });
    expect(() => fisherExactTwoSided(1.5, 1, 1, 1)).toThrow(/invalid a/);
  });
});

describe("binomialTestTwoSided(k, n, p)", () => {
  it("equals scipy.stats.binomtest to 1e-9 relative", () => {
    let worst = 0;
    for (const t of riskRef.binomtest as { k: number; n: number; p: number; pvalue: number }[]) {
      worst = Math.max(worst, rel(binomialTestTwoSided(t.k, t.n, t.p), t.pvalue));
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it("handles k = n·p, p at 0 or 1, and rejects bad input", () => {
    expect(binomialTestTwoSided(5, 100, 0.05)).toBe(1);
    expect(binomialTestTwoSided(0, 10, 0)).toBe(1);
    expect(binomialTestTwoSided(1, 10, 0)).toBe(0);
    expect(binomialTestTwoSided(3, 10, 0.5)).toBeCloseTo(0.34375, 14);
    expect(() => binomialTestTwoSided(11, 10, 0.5)).toThrow(/invalid k/);
  });
});
