import type { FeatureInput } from "../../features/encode.js";
import { benjaminiHochberg, bonferroni, fisherExactTwoSided } from "../../ml/multiple-testing.js";
import { wilsonInterval } from "../../ml/stats.js";
import type { RiskSpec } from "./spec.js";
import type { ComputedFinding as Finding } from "../../results/types.js";
import { categoricalColumns, groupRates } from "./group-rates.js";

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** How the group-vs-rest tests of the findings were adjusted for multiplicity. */
export interface FindingsTests {
  test: "fisher_exact";
  adjust: "bh" | "bonferroni";
  /** Groups tested (every finding). */
  tested: number;
  alpha: number;
  /** Findings with an adjusted p-value below alpha. */
  significant: number;
  /** Of those, findings above the base rate. */
  significant_above: number;
}

/**
 * Positive rate by each value of the `findings.by` columns (default: every categorical feature), with Wilson 95%
 * intervals, lift over the base rate, and Fisher's exact two-sided test of the group against all other rows,
 * adjusted over every group of every column together (Benjamini–Hochberg q-values, or Bonferroni). Values with
 * fewer than `findings.min_count` rows are left out (and not tested). Sorted by column, then rate (highest first).
 */
export function rateFindings(
  input: FeatureInput,
  y: Float64Array,
  keep: Int32Array,
  spec: RiskSpec,
  target: string,
): { findings: Finding[]; tests: FindingsTests } {
  let positives = 0;
  for (const i of keep) positives += y[i];
  const n = keep.length;
  const base = positives / n;
  const out: Finding[] = [];
  const pValues: number[] = [];
  for (const by of categoricalColumns(input, spec.findings.by)) {
    // findings.by may name a column that is not a categorical feature: there is nothing to break down then.
    const values = input.categorical[by] as (string | null)[] | undefined;
    if (!values) continue;
    const rows = groupRates(values, y, keep)
      .filter((g) => g.count >= spec.findings.min_count)
      .map((g) => {
        const rate = g.positives / g.count;
        const [lo, hi] = wilsonInterval(g.positives, g.count);
        const test = fisherExactTwoSided(
          g.positives,
          g.count - g.positives,
          positives - g.positives,
          n - g.count - (positives - g.positives),
        );
        return { g, rate, lo, hi, p: test.pValue };
      });
    rows.sort((a, b) => b.rate - a.rate || b.g.count - a.g.count || (a.g.value < b.g.value ? -1 : 1));
    for (const r of rows) {
      pValues.push(r.p);
      out.push({
        by,
        value: r.g.value,
        count: r.g.count,
        positives: r.g.positives,
        rate: round(r.rate),
        ci95: [round(r.lo), round(r.hi)],
        lift: round(r.rate / base),
        p_value: r.p,
        q_value: r.p,
        statement: "",
      });
    }
  }
  const adjusted = spec.findings.adjust === "bh" ? benjaminiHochberg(pValues) : bonferroni(pValues);
  const label = spec.findings.adjust === "bh" ? "q" : "Bonferroni p";
  let significant = 0;
  let significantAbove = 0;
  out.forEach((f, i) => {
    f.q_value = adjusted[i];
    const rate = f.positives / f.count;
    const [lo, hi] = wilsonInterval(f.positives, f.count);
    if (f.q_value < spec.findings.alpha) {
      ++significant;
      if (rate > base) ++significantAbove;
    }
    f.statement = `${(100 * rate).toFixed(1)}% of ${f.count.toLocaleString("en-US")} rows with ${f.by} = ${f.value} have ${target} (95% CI ${(100 * lo).toFixed(1)}–${(100 * hi).toFixed(1)}%, ${(rate / base).toFixed(1)}× the base rate of ${(100 * base).toFixed(1)}%; ${label} ${formatP(f.q_value)})`;
  });
  return {
    findings: out,
    tests: {
      test: "fisher_exact",
      adjust: spec.findings.adjust,
      tested: out.length,
      alpha: spec.findings.alpha,
      significant,
      significant_above: significantAbove,
    },
  };
}

/** A p-value in words: "< 0.001" or three significant digits. */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return "n/a";
  return p < 0.001 ? "< 0.001" : `= ${Number(p.toPrecision(2))}`;
}

/**
 * The findings a summary may call "highest rates": above the base rate with an adjusted p-value below alpha,
 * highest lift first.
 * @param findings all findings
 * @param baseRate the base rate
 * @param alpha the study's findings.alpha
 */
export function highestRates(findings: Finding[], baseRate: number, alpha: number): Finding[] {
  return findings.filter((f) => f.rate > baseRate && f.q_value < alpha).sort((a, b) => b.lift - a.lift || b.count - a.count);
}
