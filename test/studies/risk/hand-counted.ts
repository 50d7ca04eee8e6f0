import type { FeatureInput } from "../../../src/features/encode.js";
import type { RiskSpec } from "../../../src/studies/risk/spec.js";
import { riskStudy } from "../helpers.js";

/**
 * Twelve rows to count by hand: PREMISE BAR 4 rows (3 positive), HOME 5 (1 positive), STREET 3 (1 positive, the
 * last row); UNIT A, B or missing. The last row is left out of `keep`, as a row with a missing target would be.
 */
export const y = Float64Array.from([1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
export const input: FeatureInput = {
  categorical: {
    PREMISE: ["BAR", "BAR", "BAR", "BAR", "HOME", "HOME", "HOME", "HOME", "HOME", "STREET", "STREET", "STREET"],
    UNIT: ["A", "A", "B", "B", "A", "A", "B", null, "B", "A", "B", "A"],
  },
  numeric: { AGE: Float64Array.from({ length: 12 }, (_, i) => 20 + i) },
};
export const keep = Int32Array.from({ length: 11 }, (_, i) => i);
/** The risk section of a study over these rows, with `risk` merged in. */
export const spec = (risk: Record<string, unknown>): RiskSpec =>
  riskStudy({ target: "assaulted", features: { categorical: ["PREMISE", "UNIT"], numeric: ["AGE"] }, ...risk }).risk;
