import type { ComputedFinding, MeanSd, Results } from "../results/types.js";
import { DEFAULT_POLICY, suppressedLabel, type DisclosurePolicy } from "../disclosure/policy.js";
import type { TextSink } from "../util/logger.js";
import { highestRates } from "../studies/risk/findings.js";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);

/**
 * The few lines a person reads after a run: headline numbers, warnings count, and where the results went.
 * @param ms how long the run took, in milliseconds
 * @param stdout where the lines go
 */
export function printSummary(
  results: Results,
  out: string,
  ms: number,
  stdout: TextSink,
  policy: Pick<DisclosurePolicy, "min_cell"> = DEFAULT_POLICY,
): void {
  const lines: string[] = [];
  lines.push("");
  lines.push(`${results.name}${results.synthetic ? " [SYNTHETIC DATA]" : ""}`);
  if (results.study === "risk") {
    const m = results.metrics;
    lines.push(
      `  ${results.data.rows.toLocaleString("en-US")} rows, ${results.data.positives} with ${results.target} (${pct(results.base_rate)}), ${results.data.features} features`,
    );
    lines.push(
      `  ${results.validation.method} (${results.validation.folds} ${results.validation.folds === 1 ? "split" : "folds"}, ${results.validation.resample} in training folds only):`,
    );
    const spread = (v: MeanSd) => (v.ci95 ? ` (95% CI ${f3(v.ci95[0])}–${f3(v.ci95[1])})` : ` ± ${f3(v.sd)}`);
    const hidden = suppressedLabel(policy);
    const at = (v: MeanSd | null, withSpread = false) =>
      v ? `${f3(v.mean)}${withSpread ? spread(v) : ""}` : `suppressed (a confusion cell ${hidden})`;
    lines.push(
      `    balanced accuracy ${at(m.balanced_accuracy, true)}   precision ${at(m.precision)}   recall ${at(m.recall)}   ROC AUC ${f3(m.roc_auc.mean)}${m.roc_auc.ci95 ? spread(m.roc_auc) : ""}   PR AUC ${f3(m.pr_auc.mean)}`,
    );
    const cal = m.calibration;
    lines.push(
      `    calibrated (${cal.method}): mean risk ${pct(cal.mean_predicted)} vs observed ${pct(cal.observed_rate)}, Brier ${cal.brier.toFixed(4)}, slope ${cal.slope === null ? "n/a" : f3(cal.slope)}; threshold ${pct(results.threshold)} (${results.threshold_rule.method})`,
    );
    const leaked = new Set(
      results.warnings.filter((w) => w.code.includes("leak")).map((w) => `${String(w.column)}\u0000${String(w.value)}`),
    );
    const alpha = results.multiple_testing.alpha;
    const top: ComputedFinding[] = [];
    // Only findings whose numbers disclosure control left published can be quoted.
    const published = results.findings.flatMap((f): ComputedFinding[] =>
      f.count !== null &&
      f.positives !== null &&
      f.rate !== null &&
      f.ci95 !== null &&
      f.lift !== null &&
      f.p_value !== null &&
      f.q_value !== null
        ? [
            {
              ...f,
              count: f.count,
              positives: f.positives,
              rate: f.rate,
              ci95: f.ci95,
              lift: f.lift,
              p_value: f.p_value,
              q_value: f.q_value,
            },
          ]
        : [],
    );
    for (const by of new Set(published.map((f) => f.by))) {
      top.push(
        ...highestRates(
          published.filter((f) => f.by === by && !leaked.has(`${f.by}\u0000${f.value}`) && f.count >= 100),
          results.base_rate,
          alpha,
        ).slice(0, 2),
      );
    }
    const t = results.multiple_testing;
    lines.push(
      `  ${t.tested} groups tested against the rest (Fisher exact, ${t.adjust === "bh" ? "Benjamini-Hochberg" : "Bonferroni"}): ${t.significant_above} above the base rate at ${t.adjust === "bh" ? "q" : "p"} < ${alpha}`,
    );
    if (top.length)
      lines.push(`  highest rates (groups of 100+ rows above the base rate${leaked.size ? ", leakage-flagged values left out" : ""}):`);
    for (const f of top) lines.push(`    ${f.statement}`);
  } else {
    const seeds = results.k_choice.seeds;
    const agree =
      seeds.length < 2
        ? ""
        : results.k_choice.unanimous
          ? `, ${seeds.length} of ${seeds.length} seeds agree`
          : `, seeds disagree: ${seeds.map((s) => s.k).join(", ")}`;
    lines.push(
      `  ${results.data.rows.toLocaleString("en-US")} rows, ${results.data.features} features, ${results.method}, k = ${results.k}${agree}`,
    );
    const s = results.structure;
    if (s)
      lines.push(
        `  structure: ${s.verdict} (silhouette excess over chance ${f3(s.excess)} at k = ${s.k}${s.z === null ? "" : `, z = ${s.z.toFixed(1)}`}; gap statistic picks k = ${s.null.gap_k})`,
      );
    for (const c of results.clusters)
      lines.push(`    cluster ${c.id}: ${c.share === null ? suppressedLabel(policy) : pct(c.share)}  ${c.label}`);
    const ari = results.stability.mean_ari;
    lines.push(
      ari === null
        ? "  stability: not computed (segments.stability_resamples is 0)"
        : `  stability: mean adjusted Rand index ${f3(ari)} over ${results.stability.resamples} subsamples`,
    );
    const top = [...results.variance_shares].sort((a, b) => (b.separation ?? 0) - (a.separation ?? 0))[0] as
      (typeof results.variance_shares)[number] | undefined;
    if (top?.separation != null)
      lines.push(`  separated most by ${top.variable} (${pct(top.separation)} of the between-cluster sum of squares)`);
  }
  if (results.warnings.length)
    lines.push(`  ${results.warnings.length} warning${results.warnings.length > 1 ? "s" : ""} (see results.json and the report)`);
  lines.push(`  results: ${out}/  (report: ${out}/report.html; dashboard: openbeat serve ${out})`);
  lines.push(`  done in ${(ms / 1000).toFixed(1)} s`);
  stdout.write(lines.join("\n") + "\n");
}
