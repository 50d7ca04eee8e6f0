import { describe, expect, it } from "vitest";
import type { FeatureInput } from "../../../src/features/encode.js";
import { riskSchema, type RiskSpec } from "../../../src/studies/risk/spec.js";
import { checkTargetNotFeature, leakageWarnings } from "../../../src/studies/risk/leakage.js";
import { isUserError } from "../../../src/util/errors.js";

const spec = (extra: Record<string, unknown> = {}): RiskSpec =>
  riskSchema.parse({ target: "y", features: { categorical: ["code"] }, ...extra });

/** About 22,000 rows, 3% positive: a common code, a code with a 32% rate over 870 rows, and codes that record the outcome. */
function input(): { x: FeatureInput; y: Float64Array; keep: Int32Array } {
  const codes: string[] = [];
  const y: number[] = [];
  const add = (code: string, rows: number, positives: number) => {
    for (let i = 0; i < rows; ++i) {
      codes.push(code);
      y.push(i < positives ? 1 : 0);
    }
  };
  add("ASSAULT", 20000, 200);
  add("MENACING", 870, 278);
  add("OFFICER A", 3, 3);
  add("OFFICER B", 5, 4);
  add("OFFICER C", 167, 156);
  add("ONE OF ONE", 1, 1);
  add("HALF", 2, 1);
  const n = codes.length;
  return { x: { categorical: { code: codes }, numeric: {} }, y: Float64Array.from(y), keep: Int32Array.from({ length: n }, (_, i) => i) };
}

describe("leakageWarnings(input, y, keep, spec, minCell)", () => {
  it("flags tiny perfect levels by the evidence rule, not by size, and spares strong predictors", () => {
    const { x, y, keep } = input();
    const w = leakageWarnings(x, y, keep, spec(), 10);
    expect(w.map((v) => v.value)).toEqual(["OFFICER A", "OFFICER B", "OFFICER C"]);
    expect(w.every((v) => v.code === "risk.leakage")).toBe(true);
  });

  it("never prints a count below min_cell, and suggests exclude_rows rather than exclude_values", () => {
    const { x, y, keep } = input();
    const w = leakageWarnings(x, y, keep, spec(), 10);
    const small = w.find((v) => v.value === "OFFICER A");
    expect(small?.message).toContain("all of its fewer than 10 rows");
    expect(small?.message).not.toMatch(/\b3\b/);
    expect(w.find((v) => v.value === "OFFICER B")?.message).not.toMatch(/\b[45]\b/);
    expect(small).toMatchObject({ count: null, positives: null, rate: null, fix: { exclude_rows: { code: ["OFFICER A"] } } });
    expect(w.find((v) => v.value === "OFFICER B")?.message).toContain("most of its fewer than 10 rows");
    const big = w.find((v) => v.value === "OFFICER C");
    expect(big).toMatchObject({ count: 167, positives: 156 });
    expect(big?.message).toContain("93.4% of its 167 rows");
    expect(big?.message).toContain("risk.exclude_rows: { code: [");
    expect(big?.message).toContain("features.exclude_values is not enough");
  });

  it("flags a numeric feature whose single-feature AUC is above leakage.auc", () => {
    const n = 200;
    const y = Float64Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const strong = Float64Array.from(y, (v, i) => v * 10 + (i % 7) + (i === 3 ? 20 : 0));
    const weak = Float64Array.from({ length: n }, (_, i) => i % 13);
    const x: FeatureInput = { categorical: {}, numeric: { strong, weak } };
    const w = leakageWarnings(
      x,
      y,
      Int32Array.from({ length: n }, (_, i) => i),
      spec(),
      10,
    );
    expect(w.map((v) => [v.code, v.column])).toEqual([["risk.leakage_numeric", "strong"]]);
    expect(w[0].auc).toBeGreaterThan(0.95);
  });
});

describe("checkTargetNotFeature(input, y, keep, target, where)", () => {
  const y = Float64Array.from([0, 1, 0, 1, 0, 0]);
  const keep = Int32Array.from([0, 1, 2, 3, 4, 5]);
  const refused = (x: FeatureInput) => {
    try {
      checkTargetNotFeature(x, y, keep, "y", "s.yaml");
      return "";
    } catch (e) {
      expect(isUserError(e) && e.code).toBe("risk.target_as_feature");
      return (e as Error).message;
    }
  };

  it("refuses the target itself, a numeric expression of it, and a relabelling of it", () => {
    expect(refused({ categorical: {}, numeric: { y: y } })).toContain('"y" is the target itself');
    expect(refused({ categorical: {}, numeric: { twice: Float64Array.from(y, (v) => 2 * v + 1) } })).toContain(
      "separates the classes perfectly",
    );
    expect(refused({ categorical: { flag: ["no", "yes", "no", "yes", "no", "no"] }, numeric: {} })).toContain(
      "one value on every positive",
    );
  });

  it("accepts ordinary features", () => {
    expect(
      refused({ categorical: { c: ["a", "b", "a", "a", "b", "b"] }, numeric: { age: Float64Array.from([30, 20, 40, 50, 20, 25]) } }),
    ).toBe("");
  });
});
