import { describe, expect, it } from "vitest";
import { wilsonInterval } from "../../../src/ml/stats.js";
import { rateFindings } from "../../../src/studies/risk/findings.js";
import { input, keep, spec, y } from "./hand-counted.js";

/** Over the twelve hand-counted rows of hand-counted.ts. */

describe("rateFindings(input, y, keep, spec, target)", () => {
  it("counts rows and positives by value over the kept rows, with Wilson intervals and lift over the base rate", () => {
    const f = rateFindings(input, y, keep, spec({ findings: { min_count: 1 } }), "assaulted").findings;
    const base = 4 / 11;
    const premise = f.filter((r) => r.by === "PREMISE");
    expect(premise.map((r) => [r.value, r.count, r.positives])).toEqual([
      ["BAR", 4, 3],
      ["HOME", 5, 1],
      ["STREET", 2, 0],
    ]);
    const bar = premise[0];
    expect(bar.rate).toBe(0.75);
    expect(bar.lift).toBeCloseTo(0.75 / base, 6);
    const [lo, hi] = wilsonInterval(3, 4);
    expect(bar.ci95[0]).toBeCloseTo(lo, 6);
    expect(bar.ci95[1]).toBeCloseTo(hi, 6);
    expect(bar.statement).toBe(
      "75.0% of 4 rows with PREMISE = BAR have assaulted (95% CI 30.1–95.4%, 2.1× the base rate of 36.4%; q = 0.53)",
    );
    // A missing category is its own value; counts of each column add up to the kept rows.
    const unit = f.filter((r) => r.by === "UNIT");
    expect(unit.map((r) => r.value)).toContain("(missing)");
    expect(unit.reduce((s, r) => s + r.count, 0)).toBe(11);
    expect(premise.reduce((s, r) => s + r.count, 0)).toBe(11);
  });

  it("leaves out values under min_count, breaks the rate down only by findings.by, and sorts by rate", () => {
    const f = rateFindings(input, y, keep, spec({ findings: { min_count: 3, by: ["PREMISE"] } }), "assaulted").findings;
    expect(f.map((r) => r.value)).toEqual(["BAR", "HOME"]);
    expect(f.every((r) => r.by === "PREMISE")).toBe(true);
    expect(f[0].rate).toBeGreaterThan(f[1].rate);
  });
});
