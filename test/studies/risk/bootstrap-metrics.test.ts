import { describe, expect, it } from "vitest";
import { bootstrapInterval, bootstrapIntervals } from "../../../src/ml/bootstrap.js";
import { brierScore } from "../../../src/ml/metrics/calibration.js";
import { balancedAccuracy, f1, precision, recall } from "../../../src/ml/metrics/classification.js";
import { areasOfCounts, averagePrecision, rocAuc } from "../../../src/ml/metrics/ranking.js";
import { createRng } from "../../../src/util/random.js";
import { BOOTSTRAP_METRICS, bootstrapMetrics } from "../../../src/studies/risk/bootstrap-metrics.js";

/** A test set whose scores take few distinct values (as a model over a one-hot design gives), 10% positives. */
function testSet(n: number, seed: number, levels: number): { y: Float64Array; p: Float64Array } {
  const rng = createRng(seed);
  const y = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    y[i] = rng.next() < 0.1 ? 1 : 0;
    // Positives score higher on average; rounding to `levels` values makes ties.
    const raw = Math.min(0.999, Math.max(0, 0.35 * rng.next() + (y[i] ? 0.3 : 0.05) + 0.2 * rng.next()));
    p[i] = Math.round(raw * levels) / levels;
  }
  return { y, p };
}

/** Each metric's interval as its own bootstrap over the rows, one metric at a time (what the one pass must equal). */
function oneAtATime(y: Float64Array, p: Float64Array, threshold: number, seed: number, replicates: number) {
  const flag = (s: Float64Array) => Float64Array.from(s, (v) => (v >= threshold ? 1 : 0));
  const statistics = {
    balanced_accuracy: (yb: Float64Array, sb: Float64Array) => balancedAccuracy(yb, flag(sb)),
    precision: (yb: Float64Array, sb: Float64Array) => precision(yb, flag(sb)),
    recall: (yb: Float64Array, sb: Float64Array) => recall(yb, flag(sb)),
    f1: (yb: Float64Array, sb: Float64Array) => f1(yb, flag(sb)),
    roc_auc: rocAuc,
    pr_auc: averagePrecision,
    brier: (yb: Float64Array, sb: Float64Array) => brierScore(yb, sb),
  };
  return Object.fromEntries(
    BOOTSTRAP_METRICS.map((name) => {
      const b = bootstrapInterval(y, p, statistics[name], { replicates, seed });
      return [name, { ci95: [b.lower, b.upper], replicates: b.valid }];
    }),
  );
}

describe("bootstrapMetrics(y, p, threshold, options)", () => {
  it("equals each metric's own bootstrap over the rows, bit for bit, with ties and thresholds on and between scores", () => {
    for (const [n, seed, levels] of [
      [400, 1, 20],
      [1500, 2, 200],
      [300, 3, 1000],
    ] as const) {
      const { y, p } = testSet(n, seed, levels);
      for (const threshold of [0.25, 0.3, 0.3 + 1 / (3 * levels), 2]) {
        const got = bootstrapMetrics(y, p, threshold, { seed: 7, replicates: 60 });
        expect(got, `n ${n}, threshold ${threshold}`).toEqual(oneAtATime(y, p, threshold, 7, 60));
      }
    }
  });

  it("gives intervals that contain the test set's own figures", () => {
    const { y, p } = testSet(2000, 4, 50);
    const got = bootstrapMetrics(y, p, 0.5, { seed: 1, replicates: 200 });
    const flagged = Float64Array.from(p, (v) => (v >= 0.5 ? 1 : 0));
    const own = { roc_auc: rocAuc(y, p), pr_auc: averagePrecision(y, p), recall: recall(y, flagged), brier: brierScore(y, p) };
    for (const [name, value] of Object.entries(own) as [keyof typeof own, number][]) {
      const [lo, hi] = got[name].ci95;
      expect(lo, name).toBeLessThan(value);
      expect(hi, name).toBeGreaterThan(value);
      expect(got[name].replicates).toBe(200);
    }
  });
});

describe("bootstrapIntervals(y, score, statistics, options)", () => {
  it("draws once for every statistic: each interval equals the statistic's own bootstrapInterval", () => {
    const { y, p } = testSet(500, 5, 30);
    const got = bootstrapIntervals(
      y,
      p,
      { auc: (r) => areasOfCounts(r.counts()).rocAuc, ap: (r) => averagePrecision(r.y, r.score) },
      { replicates: 80, seed: 9 },
    );
    expect(got.auc).toEqual(bootstrapInterval(y, p, rocAuc, { replicates: 80, seed: 9 }));
    expect(got.ap).toEqual(bootstrapInterval(y, p, averagePrecision, { replicates: 80, seed: 9 }));
  });

  it("counts a resample's rows per distinct score of the test set, a score not drawn as 0", () => {
    const y = Float64Array.from([1, 0, 0, 1, 0]);
    const p = Float64Array.from([0.9, 0.1, 0.5, 0.5, 0.1]);
    const seen: { counts: number[]; positives: number[]; drawn: number[] }[] = [];
    bootstrapIntervals(
      y,
      p,
      {
        tally: (r) => {
          const c = r.counts();
          expect(Array.from(c.values)).toEqual([0.1, 0.5, 0.9]);
          seen.push({ counts: Array.from(c.counts), positives: Array.from(c.positives), drawn: Array.from(r.score) });
          return 0;
        },
      },
      { replicates: 30, seed: 2 },
    );
    // 30 resamples and the test set itself.
    expect(seen).toHaveLength(31);
    for (const { counts, positives, drawn } of seen) {
      expect(counts).toEqual([0.1, 0.5, 0.9].map((v) => drawn.filter((d) => d === v).length));
      expect(counts.reduce((a, b) => a + b)).toBe(5);
      expect(positives.reduce((a, b) => a + b)).toBe(2);
    }
    // Some resample left a score out.
    expect(seen.some((s) => s.counts.includes(0))).toBe(true);
  });
});
