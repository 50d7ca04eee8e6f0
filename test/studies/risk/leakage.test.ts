import { describe, expect, it } from "vitest";
import { leakageWarnings } from "../../../src/studies/risk/leakage.js";
import { input, keep, spec, y } from "./hand-counted.js";

/** Over the twelve hand-counted rows of hand-counted.ts. */

describe("leakageWarnings(input, y, keep, spec)", () => {
  it("flags a value whose positive rate reaches leakage.rate in at least leakage.min_count rows", () => {
    const w = leakageWarnings(input, y, keep, spec({ leakage: { rate: 0.75, min_count: 4 } }));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ code: "risk.leakage", column: "PREMISE", value: "BAR", rate: 0.75, count: 4, positives: 3 });
    expect(w[0].message).toMatch(/^possible label leakage: PREMISE = "BAR" has assaulted in 75\.0% of its 4 rows \(3 of all 4 positives\)/);
  });

  it("stays quiet below the rate or the row count", () => {
    expect(leakageWarnings(input, y, keep, spec({ leakage: { rate: 0.8, min_count: 4 } }))).toEqual([]);
    expect(leakageWarnings(input, y, keep, spec({ leakage: { rate: 0.75, min_count: 5 } }))).toEqual([]);
  });

  it("counts only kept rows: a positive outside keep never makes a value look leaky", () => {
    const all = Int32Array.from({ length: 12 }, (_, i) => i);
    const w = leakageWarnings(input, y, all, spec({ leakage: { rate: 0.3, min_count: 3 } }));
    const street = w.find((x) => x.value === "STREET");
    expect(street).toMatchObject({ count: 3, positives: 1 });
    expect(
      leakageWarnings(input, y, keep, spec({ leakage: { rate: 0.3, min_count: 2 } })).find((x) => x.value === "STREET"),
    ).toBeUndefined();
  });
});
