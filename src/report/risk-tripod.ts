import { escapeHtml as e, formatInt, formatNumber, formatPct } from "./format.js";
import { factorLabel, metricText, rowLabel, validationLabel } from "./risk-charts.js";
import type { ReportRiskResults } from "./types.js";

/**
 * The TRIPOD parts of the risk report that are generated from the run: the analysis type, the abstract, the
 * limitations, the interpretation and the coverage table that points to where each checklist item is answered
 * (Collins, Reitsma, Altman & Moons, "Transparent reporting of a multivariable prediction model for individual
 * prognosis or diagnosis (TRIPOD)", BMJ 2015;350:g7594; Moons et al., Ann Intern Med 2015;162:W1–W73).
 */

/** TRIPOD's analysis type for the validation method (1b resampling, 2a random split, 2b non-random split). */
export function tripodType(results: ReportRiskResults): string {
  const v = results.validation;
  if (v.method === "stratified_kfold") return `TRIPOD type 1b, development with internal validation by ${v.folds}-fold cross-validation`;
  if (v.method === "holdout") return "TRIPOD type 2a, development with internal validation on a random held-out split";
  return "TRIPOD type 2b, development with internal validation on a later period (temporal split)";
}

/** A warning fact as text. */
const text = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

const leakCount = (results: ReportRiskResults) => results.warnings.filter((w) => w.code.includes("leak")).length;

/** The abstract (TRIPOD 2): objective, data, participants, outcome, predictors, methods, results and conclusion. */
export function abstractSection(results: ReportRiskResults): string {
  const m = results.metrics;
  const cal = m.calibration;
  const range = results.data.date_range;
  const inputs = results.data.inputs.map((i) => i.name).join(", ");
  const vars = [...results.inference.variables].sort((a, b) => a.rank - b.rank);
  const top = vars.slice(0, 3).map((v) => v.column);
  const lead = results.factors.find((f) => f.status === "ranked" && f.rank === 1);
  const leaks = leakCount(results);
  const t = results.multiple_testing;
  const windowText = [
    results.label.censor_before ? `from ${results.label.censor_before}` : "",
    results.label.censor_after ? `to ${results.label.censor_after}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return `<section class="abstract" id="abstract"><h2 style="margin-top:4px">Abstract</h2>
<p><strong>Objective.</strong> ${results.description ? e(results.description) : `To predict ${e(results.target)} for ${e(rowLabel(results))} and to describe what it is associated with.`}</p>
<p><strong>Data.</strong> ${formatInt(results.data.inputs.length)} source${results.data.inputs.length === 1 ? "" : "s"} (${e(inputs)})${range ? `; ${e(range.column)} from ${e(range.min ?? "?")} to ${e(range.max ?? "?")}` : ""}${windowText ? `; label window ${e(windowText)}` : ""}. ${formatInt(results.data.rows)} ${e(rowLabel(results))} of ${formatInt(results.data.table_rows)} in the analysis table met the eligibility rules; ${formatInt(results.data.positives ?? 0)} (${formatPct(results.base_rate)}) have the outcome <strong>${e(results.target)}</strong>.</p>
<p><strong>Methods.</strong> ${e(tripodType(results))}. Logistic regression (L2) on ${formatInt(results.inference.variables.length)} predictors (${formatInt(results.data.features)} columns) with ${e(results.validation.resample)} inside the training folds and ${e(cal.method.replace("_", "-"))} calibration; factors from a ${results.inference.method === "firth" ? "Firth-penalized" : "maximum-likelihood"}, reference-coded inference model with ${results.inference.intervals === "profile" ? "profile-likelihood" : "Wald"} intervals; ${formatInt(t.tested)} group rates tested against the rest with ${t.adjust === "bh" ? "Benjamini–Hochberg" : "Bonferroni"} adjustment.</p>
<p><strong>Results.</strong> ROC AUC ${e(metricText(m.roc_auc))}, average precision ${e(metricText(m.pr_auc))} (${e(validationLabel(results.validation.method))}). Mean calibrated risk ${formatPct(cal.mean_predicted, 2)} against ${formatPct(cal.observed_rate, 2)} observed; calibration slope ${formatNumber(cal.slope ?? NaN, 2)}, Brier score ${formatNumber(cal.brier, 4)}. The predictors most clearly associated with the outcome were ${top.map((c) => `<code>${e(c)}</code>`).join(", ")}${lead ? `; the strongest single level was ${e(factorLabel(lead))} (odds ratio ${formatNumber(lead.odds_ratio ?? NaN, 2)} against ${e(lead.reference ?? "its reference")})` : ""}. ${formatInt(t.significant_above)} of ${formatInt(t.tested)} groups had a rate above the rest at ${t.adjust === "bh" ? "q" : "p"} &lt; ${t.alpha}.</p>
<p><strong>Conclusion.</strong> ${leaks ? `${leaks} feature value${leaks === 1 ? " was" : "s were"} flagged as possible label leakage, so discrimination is likely overstated until ${leaks === 1 ? "it is" : "they are"} excluded. ` : ""}The figures describe these records only (internal validation); the associations are not causal. See the <a href="#limitations">limitations</a>.</p>
</section>`;
}

/** Limitations generated from the run (TRIPOD 18). */
export function limitationsSection(results: ReportRiskResults, minCell: number): string {
  const out: string[] = [];
  const leaks = results.warnings.filter((w) => w.code.includes("leak"));
  if (leaks.length)
    out.push(
      `<strong>Label leakage.</strong> ${leaks.length} feature value${leaks.length === 1 ? "" : "s"} nearly fix the outcome (${leaks
        .slice(0, 4)
        .map((w) => `<code>${e(text(w.column))}${w.value != null ? ` = ${e(text(w.value))}` : ""}</code>`)
        .join(
          ", ",
        )}${leaks.length > 4 ? ", …" : ""}). If they record the outcome, the discrimination figures measure the recording, not risk.`,
    );
  const inf = results.inference;
  if ((inf.epv ?? Infinity) < 10)
    out.push(
      `<strong>Few events per variable</strong> (${formatNumber(inf.epv ?? NaN, 1)}): estimates for rare levels are unstable and the model may be overfitted.`,
    );
  const drift = results.label.drift;
  if (drift?.drifts && drift.highest && drift.lowest)
    out.push(
      `<strong>The outcome's rate drifts over time</strong> (${formatPct(drift.lowest.rate)} to ${formatPct(drift.highest.rate)} by ${e(drift.period)}): either the risk changed or the label's source covers the period unevenly; the model describes the pooled period.`,
    );
  for (const c of results.label.checks)
    if (c.rows === null || c.rows > 0)
      out.push(
        `<strong>Label check “${e(c.name)}”</strong>: ${c.positives && c.positives < minCell ? `fewer than ${minCell}` : formatInt(c.positives)} positives and ${c.negatives && c.negatives < minCell ? `fewer than ${minCell}` : formatInt(c.negatives)} negatives match <code>${e(c.where)}</code>; the outcome is recorded differently for them.`,
      );
  if (!results.label.censor_before && !results.label.censor_after && results.data.date_range)
    out.push(
      "<strong>No label window was set</strong>: if the label's source covers a shorter period than the records, rows outside it are 0 by construction.",
    );
  if (inf.aliased.length)
    out.push(
      `<strong>Aliased predictors</strong>: ${inf.aliased.length} column${inf.aliased.length === 1 ? " is" : "s are"} an exact combination of others; their effects cannot be separated.`,
    );
  if (inf.high_vif.length)
    out.push(
      `<strong>Collinearity</strong>: ${inf.high_vif.length} coefficient${inf.high_vif.length === 1 ? " has" : "s have"} a variance inflation factor above 10.`,
    );
  const cal = results.metrics.calibration;
  if (cal.slope !== null && (cal.slope < 0.85 || cal.slope > 1.15))
    out.push(
      `<strong>Calibration slope ${formatNumber(cal.slope, 2)}</strong>: the calibrated risks are ${cal.slope < 1 ? "too extreme (highest too high, lowest too low)" : "too modest"}; recalibration fixes the mean, not the spread.`,
    );
  const rows = results.resampling_comparison;
  const chosen = rows.find((r) => r.chosen);
  const none = rows.find((r) => r.resample === "none");
  if (chosen && none && chosen !== none && none.roc_auc.mean >= chosen.roc_auc.mean)
    out.push(
      `<strong>Resampling did not help discrimination</strong> (ROC AUC ${formatNumber(chosen.roc_auc.mean)} with ${e(chosen.resample)}, ${formatNumber(none.roc_auc.mean)} without) and its raw scores needed calibrating.`,
    );
  if (results.validation.method !== "stratified_kfold")
    out.push(
      "<strong>A single split</strong>: the intervals are bootstraps of one test set; they do not cover the variation between possible splits.",
    );
  if (results.validation.undated)
    out.push(
      `<strong>${formatInt(results.validation.undated)} rows without a date</strong> were in neither the training nor the test period.`,
    );
  const dropped = Object.values(results.data.dropped).reduce<number>((a, b) => a + (b ?? 0), 0);
  if (dropped)
    out.push(`<strong>${formatInt(dropped)} rows were left out</strong> (eligibility rules, missing values); see the flow of records.`);
  out.push(
    "<strong>Internal validation only</strong>: every figure comes from these records; another place, period or recording practice can change both discrimination and calibration. The model has not been externally validated.",
  );
  out.push(
    "<strong>Observational records</strong>: the factors and rates are associations. They do not say that changing a predictor would change the outcome, and a predictor can stand for whatever comes with it (including how incidents are recorded).",
  );
  return `<h2 id="limitations">Limitations</h2><ul>${out.map((l) => `<li>${l}</li>`).join("")}</ul>`;
}

/** Interpretation and implications (TRIPOD 19b, 20). */
export function interpretationSection(results: ReportRiskResults): string {
  const m = results.metrics;
  const auc = m.roc_auc.mean;
  const strength = auc >= 0.9 ? "very well" : auc >= 0.8 ? "well" : auc >= 0.7 ? "moderately" : "poorly";
  const leaks = leakCount(results);
  return `<h2 id="interpretation">Interpretation</h2>
<p>The model separates ${e(rowLabel(results))} with ${e(results.target)} from the rest ${strength} (ROC AUC ${formatNumber(auc)})${leaks ? ", but part of that comes from values flagged as possible leakage" : ""}. Its calibrated risks average ${formatPct(m.calibration.mean_predicted, 2)} against ${formatPct(m.calibration.observed_rate, 2)} observed, so they can be read as probabilities for records like these; the reliability curve shows where they are too high or too low.</p>
<p>The odds ratios say which recorded characteristics go with the outcome once the others in the model are accounted for; they are associated with the outcome, not shown to cause it. The rates by group are simpler: the share of records with the outcome, with the multiplicity of the comparisons taken into account. Use the model to rank or flag records for review in the setting it was developed in; before using it elsewhere or for decisions about people, validate it on new data and check its calibration there.</p>`;
}

/** One TRIPOD item: number, topic, and where the report answers it (an anchor) or why it does not apply. */
interface TripodItem {
  item: string;
  topic: string;
  where: string;
}

/** The TRIPOD coverage table: each item and where it is answered. */
export function tripodSection(results: ReportRiskResults): string {
  const a = (id: string, text: string) => `<a href="#${id}">${e(text)}</a>`;
  const split = results.validation.method !== "stratified_kfold";
  const items: TripodItem[] = [
    { item: "1", topic: "Title: development and validation, population, outcome", where: a("top", "title") },
    { item: "2", topic: "Abstract", where: a("abstract", "Abstract") },
    {
      item: "3a",
      topic: "Background and rationale",
      where: results.description ? a("abstract", "Abstract: objective") : "not stated: add a description to the study file",
    },
    { item: "3b", topic: "Objectives", where: a("abstract", "Abstract: objective") },
    { item: "4a", topic: "Source of data", where: a("data", "Question and data") },
    {
      item: "4b",
      topic: "Key dates: start, end, label window",
      where: `${a("data", "Question and data")}, ${a("outcome", "Outcome: label window")}`,
    },
    { item: "5a", topic: "Setting", where: a("data", "Question and data (sources)") },
    { item: "5b", topic: "Eligibility criteria", where: `${a("eligibility", "Eligibility")}, ${a("appendix-sql", "Appendix A")}` },
    { item: "5c", topic: "Treatments received", where: "not applicable (records, not patients)" },
    { item: "6a", topic: "Outcome definition", where: `${a("outcome", "Outcome")}, ${a("appendix-sql", "Appendix A")}` },
    { item: "6b", topic: "Blinding of outcome assessment", where: `${a("outcome", "Outcome")}: built from records, not assessed` },
    { item: "7a", topic: "Predictors", where: a("predictors", "Predictors") },
    { item: "7b", topic: "Blinding of predictor assessment", where: "not applicable (recorded data)" },
    { item: "8", topic: "Sample size", where: a("sample-size", "Sample size") },
    { item: "9", topic: "Missing data", where: a("missing", "Missing data") },
    { item: "10a", topic: "Handling of predictors", where: a("methods", "Methods") },
    {
      item: "10b",
      topic: "Model type, building, internal validation",
      where: `${a("methods", "Methods")}, ${a("comparison", "resampling comparison")}`,
    },
    { item: "10d", topic: "Performance measures", where: a("methods", "Methods") },
    { item: "11", topic: "Risk groups", where: a("threshold", "Decision threshold") },
    { item: "13a", topic: "Flow of participants", where: a("eligibility", "Eligibility and flow") },
    {
      item: "13b",
      topic: "Characteristics, missing data",
      where: `${a("predictors", "Predictors")}, ${a("missing", "Missing data")}, ${a("findings", "Rates by group")}`,
    },
    { item: "14a", topic: "Participants and events", where: a("sample-size", "Sample size") },
    { item: "14b", topic: "Unadjusted associations", where: a("findings", "Rates by group") },
    {
      item: "15a",
      topic: "Full model (intercept, coefficients)",
      where: `${a("model", "The model")}, ${a("appendix-model", "Appendix B")}`,
    },
    { item: "15b", topic: "How to use the model", where: a("model", "The model and how to use it") },
    {
      item: "16",
      topic: "Performance with intervals",
      where: `${a("performance", "Performance")}${split ? " (bootstrap intervals)" : " (sd over folds)"}`,
    },
    { item: "17", topic: "Model updating", where: "not applicable (development study)" },
    { item: "18", topic: "Limitations", where: a("limitations", "Limitations") },
    { item: "19b", topic: "Interpretation", where: a("interpretation", "Interpretation") },
    { item: "20", topic: "Implications", where: a("interpretation", "Interpretation") },
    {
      item: "21",
      topic: "Supplementary information",
      where: "results.json, model.json, features.parquet, prepared.parquet, manifest.json in the results folder",
    },
    { item: "22", topic: "Funding", where: "not recorded by openbeat: state it when publishing" },
  ];
  return `<h2 id="tripod">TRIPOD coverage</h2>
<p class="muted">Where this report answers each item of the TRIPOD checklist for development and internal validation (items 10c, 10e, 12, 13c, 17 and 19a concern external validation or updating).</p>
<table class="compact tripod"><thead><tr><th>item</th><th>topic</th><th>where</th></tr></thead><tbody>
${items.map((i) => `<tr><td>${e(i.item)}</td><td>${e(i.topic)}</td><td>${i.where}</td></tr>`).join("\n")}
</tbody></table>`;
}
