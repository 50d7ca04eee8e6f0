import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RiskResults } from "../../../src/results/types.js";
import { runStudy } from "../../../src/studies/run-study.js";
import { loadStudy } from "../../../src/studies/study-file/load-study.js";
import { Logger } from "../../../src/util/logger.js";

/**
 * The generated study of test/fixtures/risk-study against test/reference/risk_study.py (scikit-learn, statsmodels,
 * scipy and a numpy Firth implementation). The script runs this same study to get its out-of-fold scores, so when
 * the pipeline changes the scores (score_sum), rerun it: `/usr/bin/python3 test/reference/risk_study.py`.
 */

interface Curve {
  bin: number;
  n: number;
  mean_predicted: number;
  observed: number;
}
interface CalibrationRef {
  brier: number;
  mean_predicted: number;
  observed_rate: number;
  intercept: number;
  intercept_ci95: [number, number];
  slope: number;
  slope_ci95: [number, number];
  ece: number;
  curve: Curve[];
}
interface StudyRef {
  rows: number;
  positives: number;
  censored_after: number;
  undated: number;
  score_sum: number;
  calibration: CalibrationRef;
  calibration_raw: CalibrationRef;
  inference: {
    names: string[];
    params: number[];
    se: number[];
    penalized_loglik: number;
    loglik: number;
    grad_inf: number;
    profile_lower: (number | null)[];
    profile_upper: (number | null)[];
    counts: number[];
    references: Record<string, { reference: string; count: number }>;
    lr_tests: { column: string; statistic: number; df: number; p: number }[];
    epv: number;
  };
  findings: { by: string; value: string; count: number; positives: number; rate: number; ci95: [number, number]; p: number; q: number }[];
  drift: {
    periods: string[];
    rows: number[];
    positives: number[];
    statistic: number;
    df: number;
    p_value: number;
    highest: number;
    lowest: number;
  };
  leakage: { column: string; value: string; wilson_lower: number }[];
  late_report: { positives: number; negatives: number };
}

const ref = JSON.parse(readFileSync("test/reference/risk_study.json", "utf8")) as StudyRef;
const FIXTURE = "test/fixtures/risk-study";

/** The value, or a failed test naming what was missing. */
function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing: ${what}`);
  return value;
}

/** |a − b| ≤ tol·max(1, |b|). */
function expectNear(a: number | null, b: number, tol: number, what: string): void {
  expect(a, what).not.toBeNull();
  expect(Math.abs((a ?? NaN) - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

describe("the generated risk study against the independent reference (test/reference/risk_study.py)", () => {
  let results: RiskResults;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "openbeat-risk-ref-"));
    const loaded = await loadStudy(join(FIXTURE, "study.yaml"));
    const summary = await runStudy(loaded, {
      dataDir: FIXTURE,
      out: join(dir, "out"),
      logger: new Logger({ silent: true }),
      startedAt: "2025-01-01T00:00:00Z",
    });
    // The reference checks the numbers before disclosure; results.json holds them with small cells suppressed.
    results = summary.computed as unknown as RiskResults;
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the rows the reference keeps: label window, the undated row, and the scores it was computed from", () => {
    expect(results.data.rows).toBe(ref.rows);
    expect(results.data.positives).toBe(ref.positives);
    expect(results.label.censored_after).toBe(ref.censored_after);
    expect(results.label.undated).toBe(ref.undated);
    // The reference's calibration comes from this pipeline's out-of-fold scores; a change here means: rerun it.
    expectNear(results.metrics.calibration.mean_predicted * results.data.rows, ref.score_sum, 1e-5, "sum of _score");
  });

  it("calibration of the out-of-fold scores equals scikit-learn and statsmodels: Brier, intercept, slope, ECE, curve", () => {
    for (const [mine, theirs] of [
      [results.metrics.calibration, ref.calibration],
      [
        { ...results.metrics.calibration.raw, intercept_ci95: null, slope_ci95: null, curve: null, observed_rate: null },
        ref.calibration_raw,
      ],
    ] as const) {
      expectNear(mine.brier, theirs.brier, 2e-6, "brier");
      expectNear(mine.mean_predicted, theirs.mean_predicted, 2e-6, "mean_predicted");
      expectNear(mine.intercept, theirs.intercept, 2e-6, "intercept");
      expectNear(mine.slope, theirs.slope, 2e-6, "slope");
      expectNear(mine.ece, theirs.ece, 2e-6, "ece");
    }
    const cal = results.metrics.calibration;
    expectNear(cal.observed_rate, ref.calibration.observed_rate, 2e-6, "observed rate");
    for (const k of [0, 1]) {
      expectNear(cal.intercept_ci95[k], ref.calibration.intercept_ci95[k], 2e-6, `intercept ci ${k}`);
      expectNear(cal.slope_ci95[k], ref.calibration.slope_ci95[k], 2e-6, `slope ci ${k}`);
    }
    expect(cal.curve.map((b) => [b.bin, b.n])).toEqual(ref.calibration.curve.map((b) => [b.bin, b.n]));
    cal.curve.forEach((b, i) => {
      expectNear(b.mean_predicted, ref.calibration.curve[i].mean_predicted, 2e-6, `curve ${i} predicted`);
      expectNear(b.observed, ref.calibration.curve[i].observed, 2e-6, `curve ${i} observed`);
    });
    // and the calibrated mean is within 10% of the observed rate, where the raw SMOTE scores are far off
    expect(Math.abs(cal.mean_predicted / cal.observed_rate - 1)).toBeLessThan(0.1);
    expect(cal.raw.mean_predicted / cal.observed_rate).toBeGreaterThan(2);
  });

  it("factors are the reference-coded Firth estimates, with profile-likelihood intervals and the reference level", () => {
    const inf = ref.inference;
    expectNear(results.inference.intercept.coefficient, inf.params[0], 1e-5, "intercept");
    expectNear(results.inference.intercept.ci95[0], inf.profile_lower[0] ?? NaN, 1e-5, "intercept lower");
    expectNear(results.inference.intercept.ci95[1], inf.profile_upper[0] ?? NaN, 1e-5, "intercept upper");
    expectNear(results.inference.penalized_log_likelihood, inf.penalized_loglik, 1e-6, "penalized log-likelihood");
    expectNear(results.inference.log_likelihood, inf.loglik, 1e-6, "log-likelihood");
    expect(results.factors.map((f) => f.feature).sort()).toEqual([...inf.names].sort());
    let profiled = 0;
    inf.names.forEach((name, k) => {
      const f = must(
        results.factors.find((x) => x.feature === name),
        "match",
      );
      // Disclosure control hides a level's statistics when its count, positives or negatives are small.
      if (f.suppressed?.includes("coefficient")) {
        expect([f.coefficient, f.odds_ratio, f.status]).toEqual([null, null, "below_min_cell"]);
        return;
      }
      expectNear(f.coefficient, inf.params[k + 1], 1e-5, `${name} coefficient`);
      expectNear(f.std_error, inf.se[k + 1], 1e-5, `${name} se`);
      expect(f.count).toBe(inf.counts[k]);
      const lo = inf.profile_lower[k + 1];
      const hi = inf.profile_upper[k + 1];
      if (lo === null || hi === null) {
        expect(f.status, name).toBe("below_min_cell");
        return;
      }
      ++profiled;
      expectNear(Math.log(f.ci95[0] ?? NaN), lo, 1e-5, `${name} lower`);
      expectNear(Math.log(f.ci95[1] ?? NaN), hi, 1e-5, `${name} upper`);
    });
    expect(profiled).toBeGreaterThanOrEqual(5);
    for (const [column, r] of Object.entries(inf.references)) {
      const v = must(
        results.inference.variables.find((x) => x.column === column),
        "match",
      );
      expect(v.reference).toBe(r.reference);
      expect(v.reference_count).toBe(r.count);
      for (const f of results.factors.filter((x) => x.column === column)) expect(f.reference).toBe(r.reference);
    }
    expectNear(results.inference.epv, inf.epv, 1e-6, "events per variable");
  });

  it("likelihood-ratio tests per predictor equal the reference, and rank the predictors", () => {
    for (const t of ref.inference.lr_tests) {
      const v = must(
        results.inference.variables.find((x) => x.column === t.column),
        "match",
      );
      expect(v.df).toBe(t.df);
      expectNear(v.statistic, t.statistic, 1e-5, `${t.column} statistic`);
      expectNear((v.p_value ?? NaN) / t.p, 1, 1e-4, `${t.column} p`);
    }
    const byP = [...ref.inference.lr_tests].sort((a, b) => a.p - b.p).map((t) => t.column);
    expect([...results.inference.variables].sort((a, b) => a.rank - b.rank).map((v) => v.column)).toEqual(byP);
    // ranked factors follow their predictor's rank
    const rankOf = new Map(results.inference.variables.map((v) => [v.column, v.rank]));
    const ranked = results.factors.filter((f) => f.rank !== null).sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
    for (let i = 1; i < ranked.length; ++i)
      expect(rankOf.get(ranked[i].column) ?? NaN).toBeGreaterThanOrEqual(rankOf.get(ranked[i - 1].column) ?? NaN);
  });

  it("findings carry Fisher exact p-values and Benjamini-Hochberg q-values equal to scipy and statsmodels", () => {
    expect(results.findings).toHaveLength(ref.findings.length);
    expect(results.multiple_testing.tested).toBe(ref.findings.length);
    for (const r of ref.findings) {
      const f = must(
        results.findings.find((x) => x.by === r.by && x.value === r.value),
        "match",
      );
      // Disclosure control hides the rate of a group with few positives or negatives (src/disclosure/results.ts).
      if (f.p_value === null || f.q_value === null || f.ci95 === null) {
        expect(f.suppressed).toContain("rate");
        continue;
      }
      expect([f.count, f.positives]).toEqual([r.count, r.positives]);
      expectNear(f.p_value / r.p, 1, 1e-3, `${r.value} p`);
      expectNear(f.q_value / r.q, 1, 1e-3, `${r.value} q`);
      expectNear(f.ci95[0], r.ci95[0], 2e-6, `${r.value} lower`);
      expectNear(f.ci95[1], r.ci95[1], 2e-6, `${r.value} upper`);
    }
    expect(results.multiple_testing.significant).toBe(ref.findings.filter((r) => r.q < 0.05).length);
  });

  it("the drift check equals scipy's chi-squared test of equal rates by quarter, and warns", () => {
    const d = must(results.label.drift, "drift");
    expect(d.periods.map((p) => p.period)).toEqual(ref.drift.periods);
    expect(d.periods.map((p) => p.rows)).toEqual(ref.drift.rows);
    expect(d.df).toBe(ref.drift.df);
    expectNear(d.statistic, ref.drift.statistic, 1e-5, "chi-squared");
    expectNear((d.p_value ?? NaN) / ref.drift.p_value, 1, 1e-3, "p");
    expect(d.drifts).toBe(true);
    expect(results.warnings.some((w) => w.code === "risk.label_drift")).toBe(true);
  });

  it("flags the level that records the outcome (every one of its few rows) without printing its count", () => {
    const leaks = results.warnings.filter((w) => w.code === "risk.leakage");
    expect(leaks.map((w) => [w.column, w.value])).toEqual(ref.leakage.map((l) => [l.column, l.value]));
    expectNear(leaks[0].wilson_lower as number, ref.leakage[0].wilson_lower, 2e-6, "wilson lower");
    expect(leaks[0].message).toContain("all of its fewer than 10 rows");
    expect(leaks[0].message).not.toMatch(/\b6\b/);
    expect(leaks[0].count).toBeNull();
  });

  it("counts the label check by class", () => {
    const c = results.label.checks[0];
    expect([c.positives, c.negatives]).toEqual([ref.late_report.positives, ref.late_report.negatives]);
  });
});
