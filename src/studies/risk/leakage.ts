import type { FeatureInput } from "../../features/encode.js";
import type { RiskSpec } from "./spec.js";
import type { Warning } from "../../util/logger.js";
import { groupRates } from "./group-rates.js";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Feature values whose presence nearly fixes the label: a category with at least `leakage.min_count` rows whose
 * positive rate is at least `leakage.rate`. Such a value usually records the outcome rather than predicting it
 * (an offence code that names the victim's role, say), and a model that uses it measures the recording, not risk.
 */
export function leakageWarnings(input: FeatureInput, y: Float64Array, keep: Int32Array, spec: RiskSpec): Warning[] {
  const out: Warning[] = [];
  let total = 0;
  for (const i of keep) total += y[i];
  for (const [column, values] of Object.entries(input.categorical)) {
    for (const g of groupRates(values, y, keep)) {
      const rate = g.positives / g.count;
      if (g.count >= spec.leakage.min_count && rate >= spec.leakage.rate) {
        out.push({
          code: "risk.leakage",
          message: `possible label leakage: ${column} = "${g.value}" has ${spec.target} in ${pct(rate)} of its ${g.count} rows (${g.positives} of all ${total} positives); if this value records the outcome, exclude it (features.exclude_values or a WHERE in prepare)`,
          column,
          value: g.value,
          rate: Math.round(rate * 1e6) / 1e6,
          count: g.count,
          positives: g.positives,
        });
      }
    }
  }
  return out;
}
