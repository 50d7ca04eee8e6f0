import { charts } from "./chart-html.js";
import { escapeHtml as e, formatCount, formatInt, formatNumber, formatPct, isSuppressed, suppressionNote, truncate } from "./format.js";
import { chartedFactors, qText, RISK_METRICS, riskCharts, rowLabel, topShareSentence } from "./risk-charts.js";
import { abstractSection, interpretationSection, limitationsSection, tripodSection, tripodType } from "./risk-tripod.js";
import { dataSection, warningsSection } from "./sections.js";
import type { ReportManifest, ReportRiskResults, VegaLiteSpec } from "./types.js";
import type { Factor, MeanSd } from "../results/types.js";

/** Styles only the risk report uses (appended to the shared ones). */
export const RISK_CSS = `
.abstract{border:1px solid #e1e4e8;background:#fafbfc;border-radius:8px;padding:10px 16px;margin:12px 0;font-size:14px}.abstract p{margin:6px 0}
table.compact td,table.compact th{padding:3px 6px}tr.chosen td{font-weight:600}tr.block td{background:#f6f7f9;font-weight:600}
pre.sql{background:#f6f7f9;border:1px solid #e1e4e8;border-radius:6px;padding:8px 12px;font-size:12px;white-space:pre-wrap;word-break:break-word}
.tripod td:first-child{white-space:nowrap}
`;

/** The method text for each resampler. */
const RESAMPLE_TEXT: Record<string, string> = {
  smote:
    "SMOTE created synthetic minority rows from the training rows of each fold only; test rows were never resampled, so every metric is measured on real, untouched records",
  class_weight:
    "class weights (each class weighted inversely to its frequency) balanced the training rows of each fold; test rows kept their natural balance",
  random_over: "minority rows of each training fold were repeated at random; test rows were never resampled",
  random_under: "majority rows of each training fold were dropped at random; test rows were never resampled",
  none: "no resampling: the model saw the natural class balance",
};

/** What each calibration method did, for the method text. */
const CALIBRATION_TEXT: Record<string, string> = {
  prior_shift:
    "the prior-shift correction (Elkan 2001; Saerens et al. 2002): the resampling changed only the class balance the model was trained at, so each raw score's odds were multiplied by the ratio of the training rows' real odds to the resampled odds, both known, with nothing fitted to outcomes",
  platt:
    "Platt scaling: a logistic curve of the raw score's logit, fitted on inner cross-validated scores of each split's training rows only",
  isotonic:
    "isotonic regression: a non-decreasing step map of the raw score, fitted on inner cross-validated scores of each split's training rows only",
  none: "none: the model was trained at the natural class balance, so its scores are used as they are",
};

/** The title block: what the report is (TRIPOD item 1). */
export function riskHeader(results: ReportRiskResults, generatedAt?: string): string {
  return `${results.synthetic ? '<div class="banner">SYNTHETIC DATA — generated for the demo; no finding here describes real people or places.</div>' : ""}
<h1 id="top">${e(results.name)}</h1>
<p class="lead">Development and internal validation of a model that predicts <strong>${e(results.target)}</strong> for ${e(rowLabel(results))}: ${e(tripodType(results))}.</p>
<p class="meta">Risk study · seed ${results.seed}${generatedAt ? ` · generated ${e(generatedAt)}` : ""} · made with openbeat · reported following the TRIPOD statement (Collins et al., BMJ 2015;350:g7594), <a href="#tripod">coverage table</a></p>`;
}

/** A count, "0" for none (nothing to protect), "<minCell" when small. */
const countOrZero = (n: number | null, minCell: number) => (n === 0 ? "0" : formatCount(n, minCell));

const ci = (v: [number | null, number | null], digits = 2) => `${formatNumber(v[0] ?? NaN, digits)} – ${formatNumber(v[1] ?? NaN, digits)}`;

function metricCard(label: string, m: MeanSd | null): string {
  if (!m)
    return `<div class="card"><div class="l">${e(label)}</div><div class="v">—</div><div class="muted">suppressed: it would reveal a small confusion-matrix cell</div></div>`;
  const sub = m.ci95
    ? `95% interval ${formatNumber(m.ci95[0])} – ${formatNumber(m.ci95[1])} (bootstrap of the test set)`
    : `± ${formatNumber(m.sd)} over folds`;
  return `<div class="card"><div class="l">${e(label)}</div><div class="v">${formatNumber(m.mean)}</div><div class="muted">${e(sub)}</div></div>`;
}

function validationText(results: ReportRiskResults): string {
  const v = results.validation;
  if (v.method === "stratified_kfold")
    return `${v.folds}-fold stratified cross-validation: every row was scored once by a model that never saw it, and each fold kept the overall share of positives`;
  if (v.method === "holdout")
    return `a single stratified split: ${formatInt(v.train_rows ?? 0)} rows to train, ${formatInt(v.test_rows ?? 0)} to test; intervals are percentile bootstraps (1,000 class-stratified resamples) of the test set`;
  return `a temporal split: trained on ${formatInt(v.train_rows ?? 0)} rows before ${e(v.cut ?? "the cut")}, tested on the ${formatInt(v.test_rows ?? 0)} later rows${v.undated ? ` (${formatInt(v.undated)} rows without a date were in neither set)` : ""}; intervals are percentile bootstraps of the test set`;
}

function eligibilitySection(results: ReportRiskResults, minCell: number): string {
  const steps = results.eligibility.steps;
  const dropped = Object.entries(results.data.dropped);
  const flow: string[] = [`${formatInt(results.data.table_rows)} rows in the analysis table <code>${e(results.eligibility.table)}</code>`];
  for (const [reason, n] of dropped) flow.push(`− ${e(formatCount(n, minCell))} ${e(reason)}`);
  flow.push(
    `= <strong>${formatInt(results.data.rows)}</strong> rows in the study, ${formatInt(results.data.positives ?? 0)} with ${e(results.target)} = 1`,
  );
  return `<h2 id="eligibility">Eligibility and flow of records</h2>
<p>Which records are in the study is decided by the prepare SQL (${steps.length ? `${steps.length} step${steps.length === 1 ? "" : "s"}: ${steps.map((s) => `<code>${e(s.name)}</code>`).join(", ")}; the full SQL is in <a href="#appendix-sql">Appendix A</a>` : "no prepare steps: the source table as loaded"}), then by the study's rules:</p>
<ul class="tight">${flow.map((f) => `<li>${f}</li>`).join("")}</ul>`;
}

function outcomeSection(results: ReportRiskResults, minCell: number, driftChart: string): string {
  const l = results.label;
  const window: string[] = [];
  if (l.censor_before)
    window.push(
      `rows dated before ${e(l.censor_before)} were left out (${e(formatCount(l.censored_before, minCell))}): the label's source starts there, so earlier rows would be 0 by construction`,
    );
  if (l.censor_after)
    window.push(
      `rows dated after ${e(l.censor_after)} were left out (${e(formatCount(l.censored_after, minCell))}): the label's source ends there, so later rows would be 0 by construction`,
    );
  if ((l.censor_before || l.censor_after) && l.undated)
    window.push(`${e(formatCount(l.undated, minCell))} rows without a date were kept: their place in the label window is unknown`);
  const checks = l.checks.length
    ? `<h3>Label checks</h3><table class="narrow compact"><thead><tr><th>check</th><th>condition</th><th class="n">with ${e(results.target)} = 1</th><th class="n">with ${e(results.target)} = 0</th></tr></thead><tbody>${l.checks
        .map(
          (c) =>
            `<tr><td>${e(c.name)}</td><td><code>${e(c.where)}</code></td><td class="n">${c.positives && c.positives < minCell ? `&lt;${minCell}` : formatInt(c.positives)}${results.data.positives && c.positives !== null ? ` (${formatPct(c.positives / results.data.positives)})` : ""}</td><td class="n">${c.negatives && c.negatives < minCell ? `&lt;${minCell}` : formatInt(c.negatives)}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : "";
  const d = l.drift;
  const drift = d
    ? `<h3>The label over time</h3><p>${d.first && d.last ? `The rate of ${e(results.target)} is ${formatPct(d.first.rate)} in ${e(d.first.period)} and ${formatPct(d.last.rate)} in ${e(d.last.period)}` : "Too few periods to compare"}${d.highest && d.lowest ? `; it ranges from ${formatPct(d.lowest.rate)} (${e(d.lowest.period)}) to ${formatPct(d.highest.rate)} (${e(d.highest.period)})` : ""}${d.p_value !== null ? `, chi-squared test of equal rates p ${d.p_value < 0.001 ? "< 0.001" : `= ${formatNumber(d.p_value, 3)}`}` : ""}. ${d.drifts ? "<strong>The rate drifts</strong>: a model fitted to the pooled period describes an average that no single period had; check whether the label's source covers the period evenly." : "No drift beyond the study's thresholds."}</p>${driftChart}`
    : "";
  return `<h2 id="outcome">Outcome</h2>
<p>The outcome is <strong>${e(results.target)}</strong>: ${formatInt(results.data.positives ?? 0)} of ${formatInt(results.data.rows)} ${e(rowLabel(results))} (${formatPct(results.base_rate)}) have it. It is built by the prepare SQL (<a href="#appendix-sql">Appendix A</a>) from the records, not assessed by anyone blinded to the predictors.</p>
${window.length ? `<p>Label window:</p><ul class="tight">${window.map((w) => `<li>${w}</li>`).join("")}</ul>` : "<p>No label window was set (<code>risk.label.censor_before</code> / <code>censor_after</code>).</p>"}
${checks}
${drift}`;
}

function predictorsSection(results: ReportRiskResults, minCell: number): string {
  const vars = [...results.inference.variables].sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
  const missing = results.data.missing;
  const levels = new Map<string, number>();
  for (const f of results.factors) levels.set(f.column, (levels.get(f.column) ?? 0) + 1);
  return `<h2 id="predictors">Predictors</h2>
<p>${vars.length} predictor${vars.length === 1 ? "" : "s"}, ${formatInt(results.data.features)} design columns (each category its own 0/1 column in the scoring model; each numeric feature standardised to mean 0, sd 1):</p>
<table class="compact"><thead><tr><th>predictor</th><th>kind</th><th class="n">levels</th><th>reference level (inference model)</th><th class="n">missing</th></tr></thead><tbody>
${vars
  .map(
    (v) =>
      `<tr><td><code>${e(v.column)}</code></td><td>${v.kind}</td><td class="n">${v.kind === "categorical" ? formatInt((levels.get(v.column) ?? 0) + 1) : "—"}</td><td>${v.reference === null ? `— (per sd = ${formatNumber(v.scale ?? NaN, 3)})` : `${e(truncate(v.reference, 60))} <span class="muted">${e(formatCount(v.reference_count ?? 0, minCell))} rows, ${v.reference_rule === "study_file" ? "set in the study file" : "the most frequent level"}</span>`}</td><td class="n">${e(countOrZero(Object.hasOwn(missing, v.column) ? missing[v.column] : 0, minCell))}</td></tr>`,
  )
  .join("\n")}
</tbody></table>`;
}

function sampleSizeSection(results: ReportRiskResults): string {
  const inf = results.inference;
  const rare = Math.min(inf.events, inf.non_events);
  return `<h2 id="sample-size">Sample size</h2>
<p>${formatInt(inf.rows)} rows, ${formatInt(inf.events)} events (${e(results.target)} = 1). The inference model estimates ${formatInt(inf.parameters)} coefficients besides the intercept, so there are <strong>${formatNumber(inf.epv ?? NaN, 1)} events per variable</strong> (${formatInt(rare)} / ${formatInt(inf.parameters)}). ${(inf.epv ?? 0) < 10 ? "That is below the usual minimum of 10 (Peduzzi et al. 1996): the estimates of rare levels are unstable, which is one reason the factors come from a penalized (Firth) fit and levels with few rows are not ranked." : "That meets the usual minimum of 10 (Peduzzi et al. 1996)."}</p>`;
}

function missingSection(results: ReportRiskResults, minCell: number): string {
  const missing = Object.entries(results.data.missing).filter(([, n]) => n === null || n > 0);
  const dropped = Object.entries(results.data.dropped).filter(([r]) => r.startsWith("missing "));
  return `<h2 id="missing">Missing data</h2>
<p>${missing.length ? `Missing values before the missing-value policy: ${missing.map(([c, n]) => `<code>${e(c)}</code> ${e(formatCount(n, minCell))}`).join(", ")}.` : "No feature value is missing."} ${dropped.length ? `Rows dropped for them: ${dropped.map(([r, n]) => `${e(formatCount(n, minCell))} (${e(r)})`).join("; ")}; this is a complete-case analysis for those columns, which is unbiased only if the values are missing at random given the other predictors.` : "Missing categories, where kept, are their own level “(missing)”."}</p>`;
}

function methodsSection(results: ReportRiskResults): string {
  const v = results.validation;
  const m = results.model;
  const inf = results.inference;
  const t = results.multiple_testing;
  return `<h2 id="methods">Methods</h2>
<ul>
<li><strong>Scoring model</strong>: logistic regression with an L2 penalty (C = ${formatNumber(m.C, 2)}), scikit-learn's lbfgs objective, on every design column. It is the model <code>openbeat score</code> applies (<a href="#model">below</a>).</li>
<li><strong>Validation</strong>: ${validationText(results)}.</li>
<li><strong>Class imbalance</strong>: ${e(RESAMPLE_TEXT[v.resample] ?? v.resample)}.</li>
<li><strong>Calibration</strong>: every probability shown (report, dashboard, <code>openbeat score</code>, <code>prepared.parquet</code> <code>_score</code>) is calibrated by ${e(CALIBRATION_TEXT[v.calibration] ?? v.calibration)}${v.inner_folds ? ` (${v.inner_folds} inner folds)` : ""}. The raw score is kept as <code>_score_raw</code> for ranking.</li>
<li><strong>Fitted inside each split's training rows</strong>: resampling, the scoring model, the calibration map and the decision threshold. <strong>Fitted on all rows, label-free</strong>: the list of levels of each category (rare levels into "(other)" at <code>min_frequency</code>, excluded values), the mean and sd that standardise numeric features, and mean/median imputation; they use feature values only, never the outcome, so no label information reaches a test fold.</li>
<li><strong>Performance</strong>: discrimination by ROC AUC and average precision; calibration by the Brier score, calibration-in-the-large (intercept), calibration slope, expected calibration error and a reliability curve over ${results.metrics.calibration.curve.length} equal-size groups, all on out-of-fold (or test-set) calibrated scores (Van Calster et al. 2016, 2019); classification metrics at the stated <a href="#threshold">threshold</a>.</li>
<li><strong>Inference model</strong> (the factors): a separate logistic regression on the real rows (never resampled), each categorical reference-coded against its reference level, fitted by ${inf.method === "firth" ? "Firth's penalized likelihood (Firth 1993; Heinze &amp; Schemper 2002), which gives finite estimates when a level has no events" : "unpenalized maximum likelihood"}; ${inf.intervals === "profile" ? "profile-likelihood" : "Wald"} 95% intervals; a likelihood-ratio test per predictor. Aliased columns (exact combinations of others) and variance inflation factors above 10 are reported.</li>
<li><strong>Rates by group</strong>: each group's rate with a Wilson 95% interval, tested against all other rows by Fisher's exact test; the ${formatInt(t.tested)} p-values are adjusted together (${t.adjust === "bh" ? "Benjamini–Hochberg false discovery rate" : "Bonferroni"}).</li>
</ul>`;
}

async function performanceSection(results: ReportRiskResults, specs: Record<string, VegaLiteSpec>, minCell: number): Promise<string> {
  const m = results.metrics;
  const cal = m.calibration;
  const cards = RISK_METRICS.slice(0, 4)
    .map(([k, l]) => metricCard(l, m[k] as MeanSd | null))
    .join("");
  const calRows: [string, string, string][] = [
    [
      "Brier score",
      formatNumber(cal.brier, 4),
      m.brier_ci95 ? `${formatNumber(m.brier_ci95[0], 4)} – ${formatNumber(m.brier_ci95[1], 4)}` : "",
    ],
    ["mean calibrated risk", formatPct(cal.mean_predicted, 2), `observed ${formatPct(cal.observed_rate, 2)}`],
    ["calibration intercept (0 ideal)", formatNumber(cal.intercept ?? NaN), ci(cal.intercept_ci95, 3)],
    ["calibration slope (1 ideal)", formatNumber(cal.slope ?? NaN), ci(cal.slope_ci95, 3)],
    ["expected calibration error", formatNumber(cal.ece, 4), ""],
  ];
  const raw = cal.raw;
  return `<h2 id="performance">Performance</h2>
<p>${formatInt(results.data.positives ?? 0)} of ${formatInt(results.data.rows)} ${e(rowLabel(results))} (${formatPct(results.base_rate)}) have <strong>${e(results.target)}</strong>. Accuracy would be ${formatPct(1 - results.base_rate)} by always saying "no", so openbeat reports discrimination, calibration and imbalanced-class metrics instead.</p>
<div class="cards">${cards}</div>
${await charts(specs, ["metrics"])}
<h3>Discrimination</h3>
<div class="row">${await charts(specs, ["roc", "pr"])}</div>
<h3>Calibration</h3>
<div class="row"><div style="flex:0 0 auto">${await charts(specs, ["calibration"])}</div>
<div style="flex:1 1 300px"><table class="compact"><thead><tr><th>calibrated risk</th><th class="n">value</th><th class="n">95% interval / note</th></tr></thead><tbody>${calRows
    .map(([a, b, c]) => `<tr><td>${e(a)}</td><td class="n">${e(b)}</td><td class="n">${e(c)}</td></tr>`)
    .join("")}</tbody></table>
<p class="muted">Before calibration the raw scores averaged ${formatPct(raw.mean_predicted, 2)} (Brier ${formatNumber(raw.brier, 4)}, calibration intercept ${formatNumber(raw.intercept ?? NaN)}, slope ${formatNumber(raw.slope ?? NaN)}).</p>
<table class="compact"><thead><tr><th class="n">group</th><th class="n">rows</th><th class="n">mean risk</th><th class="n">observed</th></tr></thead><tbody>${cal.curve
    .map(
      (b) =>
        `<tr><td class="n idx">${b.bin}</td><td class="n">${e(countOrZero(b.n, minCell))}</td><td class="n">${formatPct(b.mean_predicted, 2)}</td><td class="n">${b.n < minCell ? "—" : formatPct(b.observed, 2)}</td></tr>`,
    )
    .join("")}</tbody></table></div></div>
<h3>Imbalanced classification report (at the threshold)</h3>
<table class="compact"><thead><tr><th>class</th><th class="n">precision</th><th class="n">recall</th><th class="n">specificity</th><th class="n">F1</th><th class="n">geometric mean</th><th class="n">IBA</th><th class="n">support</th></tr></thead><tbody>
${(["1", "0", "avg"] as const)
  .map((c) => {
    const r = m.classification_report[c];
    return `<tr><td>${c === "avg" ? "weighted average" : c === "1" ? `1 (${e(results.target)})` : "0"}</td>${[r.pre, r.rec, r.spe, r.f1, r.geo, r.iba].map((v) => `<td class="n">${formatNumber(v)}</td>`).join("")}<td class="n">${e(formatCount(r.sup, minCell))}</td></tr>`;
  })
  .join("\n")}
</tbody></table>`;
}

async function thresholdSection(results: ReportRiskResults, specs: Record<string, VegaLiteSpec>): Promise<string> {
  const r = results.threshold_rule;
  const folds = r.folds.length > 1 ? ` Each fold used its own: ${r.folds.map((t) => formatPct(t, 2)).join(", ")}.` : "";
  return `<h2 id="threshold">Decision threshold</h2>
<p>A record is flagged when its calibrated risk is at least <strong>${formatPct(results.threshold, 2)}</strong> (rule <code>${e(r.method)}</code>): ${e(r.reason)}.${folds} A threshold of 0.5 on scores from a model trained on resampled data would not be a neutral choice: it silently encodes the resampled class balance. Other rules are <code>threshold: { method: fixed, value }</code>, <code>{ method: top_share, share }</code> and <code>{ method: cost, cost_ratio }</code>.</p>
<p><strong>${e(topShareSentence(results))}</strong></p>
<div class="row">${await charts(specs, ["confusion", "top_share"])}</div>`;
}

function comparisonSection(results: ReportRiskResults): string {
  const rows = results.resampling_comparison;
  if (!rows.length) return "";
  const chosen = rows.find((r) => r.chosen);
  const best = [...rows].sort((a, b) => b.roc_auc.mean - a.roc_auc.mean).at(0);
  const verdict =
    chosen && best && chosen !== best && best.roc_auc.mean - chosen.roc_auc.mean > 0
      ? `Here <code>${e(chosen.resample)}</code> did not buy discrimination: <code>${e(best.resample)}</code> reached ROC AUC ${formatNumber(best.roc_auc.mean)} against ${formatNumber(chosen.roc_auc.mean)} on the same folds.`
      : chosen
        ? `Here <code>${e(chosen.resample)}</code> gave the highest ROC AUC of the settings compared.`
        : "";
  return `<h2 id="comparison">Did resampling help?</h2>
<p>The same folds were run with the study's resampler, without resampling and with class weights. Resampling changes the class balance the model is trained at; it often buys little discrimination and always distorts the raw probabilities, which then need calibrating (van den Goorbergh et al. 2022). ${verdict}</p>
<table class="compact"><thead><tr><th>resampling</th><th>calibration</th><th class="n">ROC AUC</th><th class="n">PR AUC</th><th class="n">balanced accuracy</th><th class="n">Brier</th><th class="n">mean risk</th><th class="n">cal. slope</th><th class="n">ECE</th><th class="n">raw mean score</th><th class="n">raw Brier</th></tr></thead><tbody>
${rows
  .map(
    (r) =>
      `<tr${r.chosen ? ' class="chosen"' : ""}><td>${e(r.resample)}${r.chosen ? " (study)" : ""}</td><td>${e(r.calibration)}</td><td class="n">${formatNumber(r.roc_auc.mean)} ± ${formatNumber(r.roc_auc.sd)}</td><td class="n">${formatNumber(r.pr_auc.mean)} ± ${formatNumber(r.pr_auc.sd)}</td><td class="n">${formatNumber(r.balanced_accuracy?.mean ?? null)}</td><td class="n">${formatNumber(r.brier, 4)}</td><td class="n">${formatPct(r.mean_predicted, 2)}</td><td class="n">${formatNumber(r.calibration_slope ?? NaN)}</td><td class="n">${formatNumber(r.ece, 4)}</td><td class="n">${formatPct(r.raw_mean_predicted, 2)}</td><td class="n">${formatNumber(r.raw_brier, 4)}</td></tr>`,
  )
  .join("\n")}
</tbody></table>
<p class="muted">Observed rate ${formatPct(results.metrics.calibration.observed_rate, 2)}. Balanced accuracy is at each setting's own threshold rule.</p>`;
}

function modelSection(results: ReportRiskResults): string {
  const m = results.model;
  const c = m.calibration;
  const calText =
    c.method === "prior_shift"
      ? `calibrated risk = σ(logit(raw) + logit(${formatNumber(c.original_rate, 6)}) − logit(${formatNumber(c.resampled_rate, 6)})), the prior-shift correction from the training rate to the rate the model was trained at`
      : c.method === "platt"
        ? `calibrated risk = 1 / (1 + exp(${formatNumber(c.a, 4)} · logit(raw) + ${formatNumber(c.b, 4)})), Platt scaling fitted on the out-of-fold raw scores`
        : c.method === "isotonic"
          ? `calibrated risk = an isotonic step map of the raw score with ${c.x.length} knots (model.json), fitted on the out-of-fold raw scores`
          : "calibrated risk = raw score";
  return `<h2 id="model">The model and how to use it</h2>
<p>Two models are fitted, each for its own job, and both are published:</p>
<ul>
<li><strong>The scoring model</strong> (what <code>openbeat score</code> and the dashboard use): raw score = σ(${formatNumber(m.intercept, 4)} + Σ coefficient · column) over the ${formatInt(m.coefficients.length)} design columns, fitted on all ${formatInt(results.data.rows)} rows ${m.resample === "none" ? "" : `after <code>${e(m.resample)}</code> (trained at a positive rate of ${formatPct(m.resampled_rate)})`}; then ${e(calText)}. Intercept ${formatNumber(m.intercept, 4)}; every coefficient is in <a href="#appendix-model">Appendix B</a> and in <code>model.json</code>. Its coefficients are penalized and, with one column per level and no reference, are not odds ratios to read.</li>
<li><strong>The inference model</strong> (the <a href="#factors">factors</a>): intercept ${formatNumber(results.inference.intercept.coefficient, 4)} (95% interval ${ci(results.inference.intercept.ci95, 3)}), the log-odds for a record at every reference level (risk ${formatPct(results.inference.intercept.risk, 2)}); its coefficients are log odds ratios against the reference levels.</li>
</ul>
<p>To score new records: <code>openbeat score model.json new.csv</code> writes <code>score</code> (calibrated risk), <code>score_raw</code> and <code>flag</code> (score ≥ ${formatPct(results.threshold, 2)}). Records unlike the ${e(rowLabel(results))} here (another city, another period, categories the model never saw) are outside what this validation covers.</p>`;
}

function factorRow(f: Factor, minCell: number): string {
  const shown = f.status === "ranked";
  const est = shown
    ? `<td class="n">${formatNumber(f.odds_ratio ?? NaN, 2)}</td><td class="n">${ci(f.ci95)}</td>`
    : `<td class="n" colspan="2">${f.status === "aliased" ? "aliased: no estimate" : `— (fewer than ${minCell} rows)`}</td>`;
  return `<tr><td class="n idx">${f.rank ?? ""}</td><td>${e(truncate(f.value ?? f.feature, 70))}</td>${est}<td class="n">${e(formatCount(f.count, minCell))}</td><td class="n">${e(formatCount(f.positives, minCell))}</td></tr>`;
}

async function factorsSection(results: ReportRiskResults, specs: Record<string, VegaLiteSpec>, minCell: number): Promise<string> {
  const inf = results.inference;
  const vars = [...inf.variables].sort((a, b) => a.rank - b.rank);
  const PER_BLOCK = 12;
  const blocks = vars.map((v) => {
    const levels = results.factors.filter((f) => f.column === v.column);
    const ranked = levels.filter((f) => f.status === "ranked");
    const hidden = levels.filter((f) => f.status !== "ranked");
    const head = `<tr class="block"><td></td><td colspan="5">${v.rank}. <code>${e(v.column)}</code> — ${v.kind === "categorical" ? `against <em>${e(truncate(v.reference ?? "", 60))}</em>` : `per sd (${formatNumber(v.scale ?? NaN, 3)})`}; likelihood-ratio χ² ${formatNumber(v.statistic ?? NaN, 1)}, df ${v.df}, p ${v.p_value === null ? "n/a" : qText(v.p_value).replace("= ", "= ")}</td></tr>`;
    const rows = ranked.slice(0, PER_BLOCK).map((f) => factorRow(f, minCell));
    const more =
      ranked.length > PER_BLOCK
        ? [`<tr><td></td><td colspan="5" class="muted">${ranked.length - PER_BLOCK} more ranked levels in results.json (factors)</td></tr>`]
        : [];
    const small = hidden.filter((f) => f.status === "below_min_cell").length;
    const aliased = hidden.filter((f) => f.status === "aliased");
    const notes: string[] = [];
    if (small)
      notes.push(`${small} level${small === 1 ? "" : "s"} with fewer than ${minCell} rows: in the model, not ranked, estimates not shown`);
    if (aliased.length) notes.push(`aliased (no estimate): ${aliased.map((f) => e(f.value ?? f.feature)).join(", ")}`);
    return [
      head,
      ...rows,
      ...more,
      ...(notes.length ? [`<tr><td></td><td colspan="5" class="muted">${notes.join("; ")}</td></tr>`] : []),
    ].join("");
  });
  const shown = chartedFactors(results.factors, minCell).length;
  return `<h2 id="factors">Factors: what is associated with ${e(results.target)}</h2>
<p>Odds ratios from the inference model: each level compared with its column's reference level, holding the other predictors in the model fixed. They describe associations in these records, not effects: a level can stand for whatever comes with it. Predictors are ranked by the likelihood-ratio test of all their levels, and levels within a predictor by the bound of their 95% interval nearest 1 (strongest evidence first).</p>
${shown ? await charts(specs, ["factors"]) : ""}
<table class="compact"><thead><tr><th class="n">rank</th><th>predictor / level</th><th class="n">odds ratio</th><th class="n">95% interval</th><th class="n">rows</th><th class="n">with ${e(results.target)}</th></tr></thead><tbody>
${blocks.join("\n")}
</tbody></table>
${inf.aliased.length ? `<p class="note">Aliased columns: ${inf.aliased.map((a) => `<code>${e(a.feature)}</code> = ${e(a.combination)}`).join("; ")}. The data cannot tell these apart, so they have no estimate of their own (they are not opposite effects).</p>` : ""}
${inf.high_vif.length ? `<p class="note">Variance inflation above 10: ${inf.high_vif.map((v) => `<code>${e(v.feature)}</code> ${formatNumber(v.vif, 1)}`).join(", ")}; their intervals are wide because other columns nearly duplicate them.</p>` : ""}
<p class="muted">${inf.method === "firth" ? "Firth" : "Maximum-likelihood"} fit on ${formatInt(inf.distinct_rows)} distinct weighted rows standing for ${formatInt(inf.rows)}; ${inf.converged ? `converged in ${inf.iterations} iterations` : "<strong>did not converge</strong>"}; log-likelihood ${formatNumber(inf.log_likelihood, 2)}${inf.method === "firth" ? `, penalized ${formatNumber(inf.penalized_log_likelihood, 2)}` : ""}.</p>
<p class="footnote">${e(suppressionNote(minCell))}</p>`;
}

async function findingsSection(results: ReportRiskResults, specs: Record<string, VegaLiteSpec>, minCell: number): Promise<string> {
  const t = results.multiple_testing;
  const leaked = new Set(results.warnings.filter((w) => w.code.includes("leak")).map((w) => `${String(w.column)}\u0000${String(w.value)}`));
  const top = results.findings
    .filter(
      (f) =>
        f.rate !== null &&
        f.rate > results.base_rate &&
        f.q_value !== null &&
        f.q_value < t.alpha &&
        !isSuppressed(f.count, minCell) &&
        !isSuppressed(f.positives, minCell) &&
        !leaked.has(`${f.by}\u0000${f.value}`),
    )
    .sort((a, b) => (b.lift ?? 0) - (a.lift ?? 0))
    .slice(0, 5);
  const q = t.adjust === "bh" ? "q" : "adjusted p";
  return `<h2 id="findings">Rates by group</h2>
<p>Unadjusted rates: each group's share with ${e(results.target)}, compared with all other rows by Fisher's exact test. <strong>${formatInt(t.tested)} groups were tested</strong>; after ${t.adjust === "bh" ? "Benjamini–Hochberg adjustment (false discovery rate)" : "Bonferroni adjustment"}, ${formatInt(t.significant)} differ from the rest at ${q} &lt; ${t.alpha}, ${formatInt(t.significant_above)} of them above the base rate.</p>
${top.length ? `<h3>Highest rates (above the base rate, ${q} &lt; ${t.alpha}${leaked.size ? ", values flagged for leakage left out" : ""})</h3><ul class="tight">${top.map((f) => `<li>${e(f.statement)}</li>`).join("")}</ul>` : `<p>No group is above the base rate at ${q} &lt; ${t.alpha}.</p>`}
${await charts(specs, ["findings"])}
<table class="compact"><thead><tr><th>by</th><th>value</th><th class="n">rows</th><th class="n">positives</th><th class="n">rate</th><th class="n">95% interval</th><th class="n">lift</th><th class="n">${q}</th></tr></thead><tbody>
${results.findings.map((f) => `<tr><td>${e(f.by)}</td><td>${e(truncate(f.value, 60))}</td><td class="n">${e(formatCount(f.count, minCell))}</td><td class="n">${e(formatCount(f.positives, minCell))}</td><td class="n">${isSuppressed(f.positives, minCell) ? "—" : formatPct(f.rate)}</td><td class="n">${isSuppressed(f.positives, minCell) || f.ci95 === null ? "—" : `${formatPct(f.ci95[0])} – ${formatPct(f.ci95[1])}`}</td><td class="n">${isSuppressed(f.positives, minCell) ? "—" : `${formatNumber(f.lift, 2)}×`}</td><td class="n">${f.q_value === null ? "—" : e(qText(f.q_value).replace("= ", ""))}</td></tr>`).join("\n")}
</tbody></table>
<p class="footnote">${e(suppressionNote(minCell))}</p>`;
}

function appendices(results: ReportRiskResults): string {
  const steps = results.eligibility.steps;
  return `<h2 id="appendix-sql">Appendix A: eligibility — the prepare SQL</h2>
${steps.length ? steps.map((s) => `<h3><code>${e(s.name)}</code></h3><pre class="sql">${e(s.sql.trimEnd())}</pre>`).join("\n") : "<p>No prepare steps: the analysis table is the source as loaded.</p>"}
<h2 id="appendix-model">Appendix B: the full scoring model</h2>
<p>Raw score = σ(intercept + Σ coefficient · column); categorical columns are 0/1, numeric columns standardised. Intercept <strong>${formatNumber(results.model.intercept, 6)}</strong>; calibration <code>${e(JSON.stringify(results.model.calibration).slice(0, 300))}</code>.</p>
<table class="compact"><thead><tr><th>column</th><th class="n">coefficient</th></tr></thead><tbody>
${results.model.coefficients.map((c) => `<tr><td>${e(c.feature)}</td><td class="n">${formatNumber(c.coefficient, 6)}</td></tr>`).join("\n")}
</tbody></table>`;
}

/**
 * The risk report's body, structured after TRIPOD (development and internal validation of a prediction model):
 * abstract, data, eligibility, outcome, predictors, sample size, missing data, methods, performance, threshold,
 * resampling comparison, the model, factors, rates by group, limitations, interpretation, the TRIPOD coverage
 * table and appendices (prepare SQL, full model).
 * @param results risk results
 * @param minCell suppression threshold
 * @param manifest the run's manifest
 */
export async function riskBody(results: ReportRiskResults, minCell: number, manifest?: ReportManifest, pointMap = ""): Promise<string> {
  const specs = riskCharts(results, { minCell });
  const drift = await charts(specs, ["drift"]);
  return [
    abstractSection(results),
    `<span id="data"></span>${dataSection(results, minCell, manifest)}`,
    eligibilitySection(results, minCell),
    outcomeSection(results, minCell, drift),
    predictorsSection(results, minCell),
    sampleSizeSection(results),
    missingSection(results, minCell),
    warningsSection(results),
    methodsSection(results),
    await performanceSection(results, specs, minCell),
    await thresholdSection(results, specs),
    comparisonSection(results),
    modelSection(results),
    await factorsSection(results, specs, minCell),
    await findingsSection(results, specs, minCell),
    pointMap,
    limitationsSection(results, minCell),
    interpretationSection(results),
    tripodSection(results),
    appendices(results),
  ]
    .filter((s) => s)
    .join("\n");
}
