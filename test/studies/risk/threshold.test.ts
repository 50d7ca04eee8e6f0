import { describe, expect, it } from "vitest";
import { costRatio, ruleThreshold, thresholdReason, thresholdRule, topShareThreshold } from "../../../src/studies/risk/threshold.js";

describe("thresholdRule(spec)", () => {
  it("reads the old numeric threshold as a fixed rule, and passes rules through", () => {
    expect(thresholdRule({ threshold: 0.5 })).toEqual({ method: "fixed", value: 0.5 });
    expect(thresholdRule({ threshold: { method: "top_share", share: 0.1 } })).toEqual({ method: "top_share", share: 0.1 });
  });
});

describe("ruleThreshold(rule, rate, scores)", () => {
  it("cost, balanced: flags at the base rate (1/(1 + negatives/positives))", () => {
    expect(ruleThreshold({ method: "cost", cost_ratio: "balanced" }, 0.03, [])).toBeCloseTo(0.03, 15);
    expect(costRatio({ method: "cost", cost_ratio: "balanced" }, 0.2)).toBeCloseTo(4, 15);
  });

  it("cost with a ratio: a missed positive costing 9 false alarms flags from 10%", () => {
    expect(ruleThreshold({ method: "cost", cost_ratio: 9 }, 0.03, [])).toBeCloseTo(0.1, 15);
  });

  it("fixed is the value; top share flags round(share·n) of the batch, ties included", () => {
    expect(ruleThreshold({ method: "fixed", value: 0.2 }, 0.03, [0.9])).toBe(0.2);
    const scores = [0.9, 0.1, 0.5, 0.7, 0.3, 0.2, 0.8, 0.4, 0.6, 0.05];
    const t = ruleThreshold({ method: "top_share", share: 0.3 }, 0.03, scores);
    expect(t).toBe(0.7);
    expect(scores.filter((s) => s >= t)).toHaveLength(3);
    expect(topShareThreshold([0.5, 0.5, 0.5, 0.1], 0.25)).toBe(0.5);
    expect(topShareThreshold([0.2], 0.01)).toBe(0.2);
    expect(topShareThreshold([], 0.5)).toBeNaN();
  });
});

describe("thresholdReason(rule, threshold, rate)", () => {
  it("says why, with the number", () => {
    expect(thresholdReason({ method: "cost", cost_ratio: "balanced" }, 0.0295, 0.0295)).toMatch(
      /negatives per positive \(32\.9\).*2\.95%, the base rate.*0\.5 cut/,
    );
    expect(thresholdReason({ method: "fixed", value: 0.1 }, 0.1, 0.03)).toContain("fixes the threshold at a calibrated risk of 10.00%");
    expect(thresholdReason({ method: "top_share", share: 0.05 }, 0.4, 0.03)).toContain("5.00% of records with the highest calibrated risk");
  });
});
