import { chiSquaredSurvival } from "../../ml/special-functions.js";
import type { LabelSpec } from "./spec.js";

/** Positive rate in one period of `risk.date`. */
export interface PeriodRate {
  period: string;
  rows: number;
  positives: number;
  rate: number;
  /** False when the period has fewer than `drift.min_rows` rows and is left out of the comparison. */
  compared: boolean;
}

/** The positive rate over time and the test of whether it is constant. */
export interface LabelDrift {
  period: LabelSpec["drift"]["period"];
  periods: PeriodRate[];
  /** Rows without a date (not in any period). */
  undated: number;
  first: PeriodRate | null;
  last: PeriodRate | null;
  highest: PeriodRate | null;
  lowest: PeriodRate | null;
  /** highest rate / lowest rate over the compared periods (Infinity when the lowest is 0). */
  ratio: number;
  /** Pearson's chi-squared test of equal rates across the compared periods (k×2 table), df = k − 1. */
  statistic: number;
  df: number;
  p_value: number;
  /** ratio ≥ drift.ratio and p_value < drift.alpha. */
  drifts: boolean;
}

/** "2019", "2019-Q1" or "2019-01" for epoch ms `t` (UTC). */
export function periodKey(t: number, period: LabelSpec["drift"]["period"]): string {
  const d = new Date(t);
  const y = String(d.getUTCFullYear());
  if (period === "year") return y;
  if (period === "quarter") return `${y}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * The positive rate of the study's rows by period of their date, and Pearson's chi-squared test that it is the
 * same in every period with at least `min_rows` rows. A label whose rate moves a lot over time is often a label
 * whose source covers the period unevenly (an export that ends early, a recording practice that changed).
 * @param times epoch ms per analysis row (NaN = no date)
 * @param y labels per analysis row
 * @param keep the rows in the study
 * @param drift the study's `label.drift`
 */
export function labelDrift(times: Float64Array, y: Float64Array, keep: Int32Array, drift: LabelSpec["drift"]): LabelDrift {
  const groups = new Map<string, { rows: number; positives: number }>();
  let undated = 0;
  for (const i of keep) {
    if (Number.isNaN(times[i])) {
      undated++;
      continue;
    }
    const key = periodKey(times[i], drift.period);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rows: 0, positives: 0 }));
    g.rows++;
    g.positives += y[i];
  }
  const periods: PeriodRate[] = [...groups.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([period, g]) => ({
      period,
      rows: g.rows,
      positives: g.positives,
      rate: g.positives / g.rows,
      compared: g.rows >= drift.min_rows,
    }));
  const compared = periods.filter((p) => p.compared);
  let rows = 0;
  let positives = 0;
  for (const p of compared) {
    rows += p.rows;
    positives += p.positives;
  }
  const rate = positives / rows;
  let statistic = 0;
  for (const p of compared) {
    const e1 = p.rows * rate;
    const e0 = p.rows - e1;
    if (e1 > 0) statistic += (p.positives - e1) ** 2 / e1;
    if (e0 > 0) statistic += (p.rows - p.positives - e0) ** 2 / e0;
  }
  const df = compared.length - 1;
  const pValue = df > 0 ? chiSquaredSurvival(statistic, df) : NaN;
  let highest: PeriodRate | null = null;
  let lowest: PeriodRate | null = null;
  for (const p of compared) {
    if (!highest || p.rate > highest.rate) highest = p;
    if (!lowest || p.rate < lowest.rate) lowest = p;
  }
  const ratio = highest && lowest ? (lowest.rate > 0 ? highest.rate / lowest.rate : highest.rate > 0 ? Infinity : 1) : NaN;
  return {
    period: drift.period,
    periods,
    undated,
    first: compared[0] ?? null,
    last: compared[compared.length - 1] ?? null,
    highest,
    lowest,
    ratio,
    statistic: df > 0 ? statistic : NaN,
    df: Math.max(0, df),
    p_value: pValue,
    drifts: ratio >= drift.ratio && pValue < drift.alpha,
  };
}
