import { assertUnreachable } from "../../util/errors.js";
import type { RiskSpec, ThresholdRule } from "./spec.js";

/** The study's threshold rule; a bare number in the study file is `{ method: "fixed", value }`. */
export function thresholdRule(spec: Pick<RiskSpec, "threshold">): ThresholdRule {
  return typeof spec.threshold === "number" ? { method: "fixed", value: spec.threshold } : spec.threshold;
}

/**
 * The score of the last record flagged when the top `share` of `scores` are flagged (highest first), so that
 * `score >= threshold` flags at least max(1, round(share·n)) records; NaN for no scores.
 */
export function topShareThreshold(scores: ArrayLike<number>, share: number): number {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  if (n === 0) return NaN;
  const m = Math.min(n, Math.max(1, Math.round(share * n)));
  return sorted[n - m];
}

/**
 * The threshold a rule gives on calibrated probabilities.
 * @param rule the study's rule
 * @param rate positive rate of the rows the model was trained on (for `cost_ratio: balanced`)
 * @param scores calibrated scores of the rows to flag (for `top_share`: the batch that is ranked)
 */
export function ruleThreshold(rule: ThresholdRule, rate: number, scores: ArrayLike<number>): number {
  switch (rule.method) {
    case "fixed":
      return rule.value;
    case "top_share":
      return topShareThreshold(scores, rule.share);
    case "cost":
      return 1 / (1 + costRatio(rule, rate));
    default:
      return assertUnreachable(rule);
  }
}

/** A missed positive's cost in false alarms: the rule's ratio, or negatives / positives for "balanced". */
export function costRatio(rule: Extract<ThresholdRule, { method: "cost" }>, rate: number): number {
  return rule.cost_ratio === "balanced" ? (1 - rate) / rate : rule.cost_ratio;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/**
 * Why the threshold is what it is, in one sentence for the report and results.json.
 * @param rule the study's rule
 * @param threshold the threshold it gave on all rows
 * @param rate the base rate
 */
export function thresholdReason(rule: ThresholdRule, threshold: number, rate: number): string {
  switch (rule.method) {
    case "fixed":
      return `the study file fixes the threshold at a calibrated risk of ${pct(threshold)}`;
    case "top_share":
      return `the study flags the ${pct(rule.share)} of records with the highest calibrated risk (a capacity rule); on the out-of-fold scores that is a risk of ${pct(threshold)} or more, and in each test fold its own top ${pct(rule.share)}`;
    case "cost": {
      const ratio = costRatio(rule, rate);
      return rule.cost_ratio === "balanced"
        ? `a missed positive is taken to cost as many false alarms as there are negatives per positive (${ratio.toFixed(1)}), so a record is flagged when its calibrated risk is at least 1/(1 + ${ratio.toFixed(1)}) = ${pct(threshold)}, the base rate; this gives both classes equal weight (it minimises the balanced error) and equals the 0.5 cut on the raw scores of a model trained on balanced resampled data`
        : `a missed positive is taken to cost ${ratio} false alarms, so a record is flagged when its calibrated risk is at least 1/(1 + ${ratio}) = ${pct(threshold)}, the threshold that minimises the expected cost of calibrated predictions`;
    }
    default:
      return assertUnreachable(rule);
  }
}
