import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComputedRiskResults } from "../../src/results/types.js";
import { runStudy } from "../../src/studies/run-study.js";
import { loadStudy } from "../../src/studies/study-file/load-study.js";
import { Logger } from "../../src/util/logger.js";
import { must } from "./helpers.js";

/**
 * The factors of the real examples against test/reference/risk_study.py --real: the reference-coded design rebuilt
 * with pandas from the rows the model was fitted on, aliased columns found by least squares and left out, Firth's
 * fit, profile-likelihood bounds by brentq over constrained refits and penalized likelihood-ratio tests, all in numpy
 * and scipy. Each example runs once, in process (about 5 s each here). When a study file or the inference model
 * changes, regenerate the references: `npm run build && /usr/bin/python3 test/reference/risk_study.py --real`.
 * Needs ../shared/data; under CI its absence is a failure, not a skip.
 */

/** Largest |Δ| of a log odds ratio (or the intercept) allowed, relative to max(1, |value|). */
const COEF_TOL = 2e-6;
/** Largest |Δ| of a profile bound on the log scale, relative to max(1, |bound|). */
const BOUND_TOL = 2e-6;
/** Relative tolerance of a likelihood-ratio statistic and of its p-value. */
const LR_TOL = 2e-6;

interface RealReference {
  example: string;
  study: string;
  min_cell: number;
  rows: number;
  events: number;
  distinct_rows: number;
  parameters: number;
  epv: number;
  penalized_loglik: number;
  loglik: number;
  grad_inf: number;
  intercept: { coefficient: number; se: number; profile_lower: number; profile_upper: number };
  references: Record<string, { reference: string; rule: string }>;
  aliased: { feature: string; combination: string[] }[];
  lr_tests: { column: string; statistic: number; df: number; p: number }[];
  levels: {
    feature: string;
    column: string;
    status: "estimated" | "small" | "aliased";
    coefficient?: number;
    se?: number;
    profile_lower?: number;
    profile_upper?: number;
  }[];
}

const EXAMPLES = [
  { name: "lmpd", data: "../shared/data/lmpd-assaulted-officers" },
  { name: "lmpd_no_leak", data: "../shared/data/lmpd-assaulted-officers" },
  { name: "orlando", data: "../shared/data/orlando-response-to-resistance" },
];
const hasData = EXAMPLES.every((e) => existsSync(e.data));

/** |a − b| ≤ tol·max(1, |b|). */
function expectNear(a: number | null | undefined, b: number, tol: number, what: string): void {
  expect(a, what).toBeTypeOf("number");
  expect(Math.abs((a ?? NaN) - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

/** results.json (and runStudy's computed results) keep 7 significant digits of every other number. */
const SIG7 = 6e-7;

/** |a − b| ≤ tol·|b|. */
function expectRelative(a: number | null | undefined, b: number, tol: number, what: string): void {
  expect(a, what).toBeTypeOf("number");
  expect(Math.abs((a ?? NaN) - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.abs(b));
}

/** Largest differences found, printed once per example so a run shows how close openbeat is. */
interface Gaps {
  coef: number;
  bound: number;
}

for (const ex of EXAMPLES) {
  const ref = JSON.parse(readFileSync(`test/reference/risk_real_${ex.name}.json`, "utf8")) as RealReference;

  describe.skipIf(!hasData && !process.env.CI)(`${ref.study}: factors against the numpy/scipy Firth reference`, () => {
    let r: ComputedRiskResults;
    let dir: string;
    const gaps: Gaps = { coef: 0, bound: 0 };

    beforeAll(async () => {
      expect(hasData, `${ex.data} is missing: the real data in ../shared/data is required in CI`).toBe(true);
      dir = mkdtempSync(join(tmpdir(), "openbeat-real-ref-"));
      const summary = await runStudy(await loadStudy(ref.study), {
        dataDir: ex.data,
        out: join(dir, "out"),
        logger: new Logger({ silent: true }),
        startedAt: "2025-01-01T00:00:00Z",
      });
      // Before disclosure: the reference holds only levels whose rows, events and non-events are all ≥ min_cell.
      r = summary.computed as ComputedRiskResults;
    });

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      console.info(`${ex.name}: max |Δ log OR| ${gaps.coef.toExponential(2)}, max |Δ profile bound| ${gaps.bound.toExponential(2)}`);
    });

    it("fits the same rows and design: rows, events, distinct rows, parameters, events per variable", () => {
      const inf = r.inference;
      expect([inf.rows, inf.events, inf.distinct_rows, inf.parameters]).toEqual([ref.rows, ref.events, ref.distinct_rows, ref.parameters]);
      expectRelative(inf.epv, ref.epv, SIG7, "events per variable");
      expect(inf.converged).toBe(true);
      expect(ref.grad_inf).toBeLessThan(1e-6);
    });

    it("reaches the reference's maximum: penalized and plain log-likelihood at the estimate", () => {
      expectRelative(r.inference.penalized_log_likelihood, ref.penalized_loglik, SIG7, "penalized log-likelihood");
      expectRelative(r.inference.log_likelihood, ref.loglik, SIG7, "log-likelihood");
    });

    it("uses the same reference level for every categorical, chosen by the same rule", () => {
      const columns = r.inference.variables.filter((v) => v.kind === "categorical").map((v) => v.column);
      expect(columns.sort()).toEqual(Object.keys(ref.references).sort());
      for (const [column, want] of Object.entries(ref.references)) {
        const v = must(
          r.inference.variables.find((x) => x.column === column),
          column,
        );
        expect([v.reference, v.reference_rule], column).toEqual([want.reference, want.rule]);
        for (const f of r.factors.filter((x) => x.column === column)) expect(f.reference).toBe(want.reference);
      }
    });

    it("leaves out the same aliased levels, explained by the same earlier columns", () => {
      expect(r.inference.aliased.map((a) => a.feature)).toEqual(ref.aliased.map((a) => a.feature));
      for (const a of ref.aliased) {
        const mine = must(
          r.inference.aliased.find((x) => x.feature === a.feature),
          a.feature,
        );
        const terms = mine.combination.split(/ [+−] /).map((t) => t.replace(/^−/, "").replace(/^[\d.]+·/, ""));
        expect(terms.sort(), a.feature).toEqual([...a.combination].sort());
      }
      const aliasedFactors = r.factors.filter((f) => f.status === "aliased").map((f) => f.feature);
      expect(aliasedFactors.sort()).toEqual(
        ref.levels
          .filter((l) => l.status === "aliased")
          .map((l) => l.feature)
          .sort(),
      );
    });

    it("estimates the intercept and every level as the reference does, with the same profile-likelihood bounds", () => {
      expect(r.factors.map((f) => f.feature).sort()).toEqual(ref.levels.map((l) => l.feature).sort());
      const i = r.inference.intercept;
      expectNear(i.coefficient, ref.intercept.coefficient, COEF_TOL, "intercept");
      expectNear(i.ci95[0], ref.intercept.profile_lower, BOUND_TOL, "intercept lower");
      expectNear(i.ci95[1], ref.intercept.profile_upper, BOUND_TOL, "intercept upper");
      let estimated = 0;
      for (const l of ref.levels) {
        const f = must(
          r.factors.find((x) => x.feature === l.feature),
          l.feature,
        );
        if (l.status !== "estimated") {
          if (l.status === "small") expect(f.status, l.feature).not.toBe("aliased");
          continue;
        }
        ++estimated;
        expect(f.status, l.feature).toBe("ranked");
        const b = must(l.coefficient, "coefficient");
        const lo = must(l.profile_lower, "lower");
        const hi = must(l.profile_upper, "upper");
        expectNear(f.coefficient, b, COEF_TOL, `${l.feature} coefficient`);
        expectNear(Math.log(f.odds_ratio ?? NaN), b, COEF_TOL, `${l.feature} log odds ratio`);
        expectNear(f.std_error, must(l.se, "se"), COEF_TOL, `${l.feature} se`);
        expectNear(Math.log(f.ci95[0] ?? NaN), lo, BOUND_TOL, `${l.feature} lower`);
        expectNear(Math.log(f.ci95[1] ?? NaN), hi, BOUND_TOL, `${l.feature} upper`);
        gaps.coef = Math.max(gaps.coef, Math.abs(Math.log(f.odds_ratio ?? NaN) - b));
        gaps.bound = Math.max(gaps.bound, Math.abs(Math.log(f.ci95[0] ?? NaN) - lo), Math.abs(Math.log(f.ci95[1] ?? NaN) - hi));
      }
      expect(estimated).toBeGreaterThanOrEqual(10);
    });

    it("tests every variable as the reference does: penalized likelihood-ratio statistic, df and p-value, and ranks by it", () => {
      expect(r.inference.variables).toHaveLength(ref.lr_tests.length);
      for (const t of ref.lr_tests) {
        const v = must(
          r.inference.variables.find((x) => x.column === t.column),
          t.column,
        );
        expect(v.df, t.column).toBe(t.df);
        expectRelative(v.statistic, t.statistic, LR_TOL, `${t.column} statistic`);
        // p below the smallest double is 0 on both sides; otherwise compare relatively
        if (t.p === 0) expect(v.p_value, t.column).toBeLessThan(1e-300);
        else expectRelative(v.p_value, t.p, LR_TOL, `${t.column} p`);
      }
      const byEvidence = [...ref.lr_tests].sort((a, b) => a.p - b.p || b.statistic - a.statistic).map((t) => t.column);
      expect([...r.inference.variables].sort((a, b) => a.rank - b.rank).map((v) => v.column)).toEqual(byEvidence);
    });
  });
}
