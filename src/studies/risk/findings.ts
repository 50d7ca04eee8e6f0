import type { FeatureInput } from "../../features/encode.js";
import { wilsonInterval } from "../../ml/stats.js";
import type { RiskSpec } from "./spec.js";
import type { Finding } from "../../results/types.js";
import { categoricalColumns, groupRates } from "./group-rates.js";

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Positive rate by each value of the `findings.by` columns (default: every categorical feature), with Wilson 95%
 * intervals and lift over the base rate; values with fewer than `findings.min_count` rows are left out. Sorted by
 * column, then rate (highest first).
 */
export function rateFindings(input: FeatureInput, y: Float64Array, keep: Int32Array, spec: RiskSpec, target: string): Finding[] {
  let positives = 0;
  for (const i of keep) positives += y[i];
  const base = positives / keep.length;
  const out: Finding[] = [];
  for (const by of categoricalColumns(input, spec.findings.by)) {
    const values = input.categorical[by];
    if (!values) continue;
    const rows = groupRates(values, y, keep)
      .filter((g) => g.count >= spec.findings.min_count)
      .map((g) => {
        const rate = g.positives / g.count;
        const [lo, hi] = wilsonInterval(g.positives, g.count);
        return {
          by,
          value: g.value,
          count: g.count,
          positives: g.positives,
          rate: round(rate),
          ci95: [round(lo), round(hi)] as [number, number],
          lift: round(rate / base),
          statement: `${(100 * rate).toFixed(1)}% of ${g.count.toLocaleString("en-US")} rows with ${by} = ${g.value} have ${target} (95% CI ${(100 * lo).toFixed(1)}–${(100 * hi).toFixed(1)}%, ${(rate / base).toFixed(1)}× the base rate of ${(100 * base).toFixed(1)}%)`,
        };
      });
    rows.sort((a, b) => b.rate - a.rate || b.count - a.count || (a.value < b.value ? -1 : 1));
    out.push(...rows);
  }
  return out;
}
