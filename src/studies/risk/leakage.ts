import type { FeatureInput } from "../../features/encode.js";
import { rocAuc } from "../../ml/metrics/ranking.js";
import { wilsonInterval } from "../../ml/stats.js";
import { UserError } from "../../util/errors.js";
import type { Warning } from "../../util/logger.js";
import * as msg from "../../util/messages.js";
import type { RiskSpec } from "./spec.js";
import { groupRates } from "./group-rates.js";

/**
 * Feature values whose presence nearly fixes the label. Such a value usually records the outcome rather than
 * predicting it (an offence code that names the victim's role, say), and a model that uses it measures the
 * recording, not risk. The rule weighs evidence, not size, so tiny perfect levels are caught: a category is flagged
 * when the upper bound of its Wilson 95% interval reaches `leakage.rate` (its rate may be near 1) and the odds of
 * its lower bound are at least `leakage.odds_ratio` times the base odds (its rate is surely far above the rest).
 * A numeric feature is flagged when its single-feature ROC AUC (or 1 − AUC) is above `leakage.auc`.
 * Messages never print a count below `minCell`.
 * @param input the feature columns
 * @param y labels of every analysis row (NaN = missing)
 * @param keep the rows that entered the study
 * @param spec the risk section
 * @param minCell the study's disclosure threshold
 */
export function leakageWarnings(input: FeatureInput, y: Float64Array, keep: Int32Array, spec: RiskSpec, minCell: number): Warning[] {
  const out: Warning[] = [];
  let total = 0;
  for (const i of keep) total += y[i];
  const base = total / keep.length;
  const baseOdds = base / (1 - base);
  const rows: Record<string, string[]> = {};
  for (const [column, values] of Object.entries(input.categorical)) {
    for (const g of groupRates(values, y, keep)) {
      if (g.count < spec.leakage.min_count) continue;
      const [lo, hi] = wilsonInterval(g.positives, g.count);
      const loOdds = lo / (1 - lo);
      if (hi >= spec.leakage.rate && loOdds >= spec.leakage.odds_ratio * baseOdds) {
        (rows[column] ??= []).push(g.value);
        const small = g.count < minCell;
        out.push({
          code: "risk.leakage",
          message: msg.leakageLevel(spec.target, column, g.value, {
            rate: g.positives / g.count,
            count: g.count,
            positives: g.positives,
            lower: lo,
            minCell,
          }),
          column,
          value: g.value,
          rate: small ? null : round(g.positives / g.count),
          wilson_lower: round(lo),
          ...(small ? { count: null, positives: null } : { count: g.count, positives: g.positives }),
          fix: { exclude_rows: { [column]: [g.value] } },
        });
      }
    }
  }
  for (const [column, values] of Object.entries(input.numeric)) {
    const { auc } = numericAuc(values, y, keep);
    if (Math.max(auc, 1 - auc) > spec.leakage.auc) {
      out.push({
        code: "risk.leakage_numeric",
        message: msg.leakageNumeric(spec.target, column, auc, spec.leakage.auc),
        column,
        auc: round(auc),
        fix: { remove_column: column },
      });
    }
  }
  return out;
}

/** Single-feature ROC AUC of a numeric column over the kept rows where it is present. */
function numericAuc(values: Float64Array, y: Float64Array, keep: Int32Array): { auc: number; distinct: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const i of keep) {
    if (Number.isNaN(values[i]) || Number.isNaN(y[i])) continue;
    xs.push(values[i]);
    ys.push(y[i]);
  }
  const yy = Float64Array.from(ys);
  if (!yy.includes(0) || !yy.includes(1)) return { auc: 0.5, distinct: new Set(xs).size };
  return { auc: rocAuc(yy, Float64Array.from(xs)), distinct: new Set(xs).size };
}

/**
 * Refuses a feature that is the target or an expression of it: the target's own column, a numeric feature that
 * separates the classes perfectly (single-feature AUC 0 or 1), or a categorical feature that takes one value on
 * every positive and another on every negative.
 * @param input the feature columns
 * @param y labels of every analysis row (NaN = missing)
 * @param keep rows whose label is known
 * @param target the target column
 * @param where the study file, for messages
 */
export function checkTargetNotFeature(input: FeatureInput, y: Float64Array, keep: Int32Array, target: string, where: string): void {
  for (const column of [...Object.keys(input.categorical), ...Object.keys(input.numeric)]) {
    if (column === target)
      throw new UserError("risk.target_as_feature", msg.targetAsFeature(where, target, column, "is the target itself"));
  }
  for (const [column, values] of Object.entries(input.numeric)) {
    const { auc } = numericAuc(values, y, keep);
    if (auc === 1 || auc === 0)
      throw new UserError(
        "risk.target_as_feature",
        msg.targetAsFeature(where, target, column, "separates the classes perfectly (ROC AUC 1.000)"),
      );
  }
  for (const [column, values] of Object.entries(input.categorical)) {
    const byClass: (Set<string> | undefined)[] = [new Set(), new Set()];
    for (const i of keep) if (!Number.isNaN(y[i])) byClass[y[i]]?.add(values[i] ?? "");
    const [neg, posv] = byClass as [Set<string>, Set<string>];
    if (neg.size === 1 && posv.size === 1 && [...neg][0] !== [...posv][0])
      throw new UserError(
        "risk.target_as_feature",
        msg.targetAsFeature(where, target, column, "takes one value on every positive and another on every negative"),
      );
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
