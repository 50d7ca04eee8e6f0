import { riskCharts, factorLabel, RISK_METRICS, rowLabel, topShareSentence } from "./risk-charts.js";
import { clusterColor, segmentsCharts } from "./segments-charts.js";
import { escapeHtml as e, formatCount, formatInt, formatNumber, formatPct, suppressionNote, truncate } from "./format.js";
import { renderSvg } from "./render-svg.js";
import type { FeatureCollection, ReportRiskResults, ReportSegmentsResults, VegaLiteSpec } from "./types.js";
import type { MeanSd, Results } from "../studies/results.js";

/** Options of {@link buildReport}. */
export interface ReportOptions {
  /** manifest.json of the run (inputs with sha256, seed, versions). */
  manifest?: Record<string, unknown>;
  /** Counts below this are suppressed (default: results' report.min_cell, else 10). */
  minCell?: number;
  /** The run's areas GeoJSON, for the segments map. */
  areas?: FeatureCollection;
  /** Date printed as "generated"; injected so reports are reproducible. */
  generatedAt?: string;
}

const CSS = `
*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;margin:0;background:#f6f7f9;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px 28px 60px;background:white}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:19px;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid #e6e8eb}h3{font-size:15px;margin:18px 0 6px}
.lead{color:#444;margin:4px 0 14px}.meta{color:#666;font-size:13px}
.banner{background:#7a1d1d;color:white;font-weight:bold;padding:10px 14px;border-radius:6px;margin:10px 0;letter-spacing:.5px}
.warn{border-left:5px solid #c0392b;background:#fdf1ef;padding:10px 14px;margin:10px 0;border-radius:4px}.warn h3{margin:0 0 6px;color:#8e2a1f}
.note{border-left:5px solid #b58900;background:#fdf8e8;padding:8px 14px;margin:10px 0;border-radius:4px;font-size:14px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}.card{flex:1 1 150px;border:1px solid #e1e4e8;border-radius:8px;padding:10px 14px}
.card .v{font-size:24px;font-weight:bold}.card .l{font-size:12px;color:#555;text-transform:uppercase;letter-spacing:.4px}
.chart{margin:14px 0;overflow-x:auto}.chart svg{max-width:100%;height:auto}.row{display:flex;flex-wrap:wrap;gap:18px}
table{border-collapse:collapse;font-size:13px;margin:8px 0;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #eceef1;text-align:left;vertical-align:top}
th{background:#f3f4f6;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font-size:12px;background:#f3f4f6;padding:1px 4px;border-radius:3px;word-break:break-all}
.cluster{border:1px solid #e1e4e8;border-left:8px solid var(--c);border-radius:8px;padding:10px 14px;margin:10px 0;break-inside:avoid}
.cluster h3{margin:0 0 4px}.muted{color:#666;font-size:13px}ul.tight{margin:4px 0;padding-left:20px}
footer{margin-top:40px;color:#777;font-size:12px}
@media print{body{background:white}main{max-width:none;padding:0}h2{break-before:page}h2:first-of-type{break-before:auto}.chart,.cluster,table{break-inside:avoid}}
`;

async function chart(name: string, spec: VegaLiteSpec): Promise<string> {
  const svg = await renderSvg(spec, { idPrefix: name });
  return `<figure class="chart" data-chart="${e(name)}">${svg}</figure>`;
}

async function charts(specs: Record<string, VegaLiteSpec>, names: string[]): Promise<string> {
  const out: string[] = [];
  for (const n of names) if (specs[n]) out.push(await chart(n, specs[n]));
  return out.join("\n");
}

function dataSection(results: Results, manifest?: Record<string, unknown>): string {
  const inputs = (manifest?.inputs as Results["data"]["inputs"] | undefined) ?? results.data.inputs;
  const dropped = Object.entries(results.data.dropped ?? {});
  const missing = Object.entries(results.data.missing ?? {}).filter(([, n]) => n > 0);
  const range = results.data.date_range;
  return `<h2>The data</h2>
<table><thead><tr><th>source</th><th>file</th><th class="n">rows</th><th>sha256</th></tr></thead><tbody>
${inputs.map((i) => `<tr><td>${e(i.name)}</td><td><code>${e(i.path)}</code></td><td class="n">${formatInt(i.rows)}</td><td><code>${e(i.sha256)}</code></td></tr>`).join("\n")}
</tbody></table>
<p>The analysis table has ${formatInt(results.data.table_rows)} rows; ${formatInt(results.data.rows)} entered the model with ${formatInt(results.data.features)} features.${range ? ` ${e(range.column)} runs from ${e(range.min ?? "?")} to ${e(range.max ?? "?")}.` : ""}</p>
${dropped.length ? `<p>Rows left out, never silently: ${dropped.map(([r, n]) => `${formatInt(n)} (${e(r)})`).join("; ")}.</p>` : "<p>No rows were left out.</p>"}
${missing.length ? `<p class="muted">Missing values before the missing-value policy: ${missing.map(([c, n]) => `${e(c)} ${formatInt(n)}`).join(", ")}.</p>` : ""}`;
}

function warningsSection(results: Results): string {
  const leaks = results.warnings.filter((w) => w.code === "risk.leakage");
  const other = results.warnings.filter((w) => w.code !== "risk.leakage");
  let html = "";
  if (leaks.length) {
    html += `<div class="warn"><h3>Possible label leakage (${leaks.length})</h3><p>These values nearly fix the outcome. If they record the outcome rather than predict it, the model's accuracy is inflated by them: exclude them and run again.</p><ul class="tight">${leaks.map((w) => `<li>${e(w.message)}</li>`).join("")}</ul></div>`;
  }
  if (other.length) html += `<div class="note"><strong>Warnings (${other.length})</strong><ul class="tight">${other.map((w) => `<li>${e(w.message)}</li>`).join("")}</ul></div>`;
  return html;
}

function header(results: Results, generatedAt?: string): string {
  return `${results.synthetic ? '<div class="banner">SYNTHETIC DATA — generated for the demo; no finding here describes a real city.</div>' : ""}
<h1>${e(results.name)}</h1>
${results.description ? `<p class="lead">${e(results.description)}</p>` : ""}
<p class="meta">${results.study === "risk" ? "Risk study" : "Segment study"} · seed ${results.seed}${generatedAt ? ` · run ${e(generatedAt)}` : ""} · made with openbeat</p>`;
}

async function riskBody(results: ReportRiskResults, minCell: number): Promise<string> {
  const specs = riskCharts(results, { minCell });
  const m = results.metrics;
  const card = (label: string, v: MeanSd) => `<div class="card"><div class="l">${e(label)}</div><div class="v">${formatNumber(v.mean)}</div><div class="muted">± ${formatNumber(v.sd)} over folds</div></div>`;
  const leaked = new Set(results.warnings.filter((w) => w.code === "risk.leakage").map((w) => `${w.column}\u0000${w.value}`));
  const top = [...results.findings]
    .sort((a, b) => b.lift - a.lift)
    .filter((f) => f.count >= minCell && f.positives >= minCell && !leaked.has(`${f.by}\u0000${f.value}`))
    .slice(0, 5);
  const upFactors = results.factors.filter((f) => f.count >= minCell).slice(0, 15);
  const downFactors = results.factors.filter((f) => f.count >= minCell).slice(-10).reverse();
  const factorRow = (f: ReportRiskResults["factors"][number]) => `<tr><td>${e(factorLabel(f))}</td><td class="n">${formatNumber(f.odds_ratio, 2)}</td><td class="n">${formatNumber(f.ci95[0], 2)} – ${formatNumber(f.ci95[1], 2)}</td><td class="n">${formatCount(f.count, minCell)}</td></tr>`;
  const resample = results.validation.resample;
  const resampleText: Record<string, string> = {
    smote: "SMOTE created synthetic minority rows from the training rows of each fold only; test rows were never resampled, so every metric is measured on real, untouched records",
    class_weight: "class weights (each class weighted inversely to its frequency) balanced the training rows of each fold; test rows kept their natural balance",
    random_over: "minority rows of each training fold were repeated at random; test rows were never resampled",
    random_under: "majority rows of each training fold were dropped at random; test rows were never resampled",
    none: "no resampling: the model saw the natural class balance",
  };
  const validationText = results.validation.method === "stratified_kfold"
    ? `${results.validation.folds}-fold stratified cross-validation: every row was scored once by a model that never saw it, and each fold kept the overall share of positives`
    : results.validation.method === "holdout"
      ? `a single stratified split: ${formatInt(results.validation.train_rows ?? 0)} rows to train, ${formatInt(results.validation.test_rows ?? 0)} to test`
      : `a temporal split: trained on rows before ${e(results.validation.cut ?? "the cut")}, tested on later rows (${formatInt(results.validation.test_rows ?? 0)})`;
  return `<h2>Headline</h2>
<p>${formatInt(results.data.positives ?? 0)} of ${formatInt(results.data.rows)} ${e(rowLabel(results))} (${formatPct(results.base_rate)}) have <strong>${e(results.target)}</strong>. Accuracy would be ${formatPct(1 - results.base_rate)} by always saying "no", so openbeat reports imbalanced-class metrics instead.</p>
<div class="cards">${RISK_METRICS.slice(0, 4).map(([k, l]) => card(l, m[k] as MeanSd)).join("")}</div>
<p><strong>${e(topShareSentence(results))}</strong></p>
${top.length ? `<h3>Key findings${leaked.size ? " (values flagged for leakage left out)" : ""}</h3><ul class="tight">${top.map((f) => `<li>${e(f.statement)}</li>`).join("")}</ul>` : ""}
${await charts(specs, ["metrics"])}
<h2>How well the model separates</h2>
<div class="row">${await charts(specs, ["confusion", "roc", "pr"])}</div>
${await charts(specs, ["top_share"])}
<h3>Imbalanced classification report</h3>
<table><thead><tr><th>class</th><th class="n">precision</th><th class="n">recall</th><th class="n">specificity</th><th class="n">F1</th><th class="n">geometric mean</th><th class="n">IBA</th><th class="n">support</th></tr></thead><tbody>
${(["1", "0", "avg"] as const).map((c) => { const r = m.classification_report[c]; return `<tr><td>${c === "avg" ? "weighted average" : c === "1" ? `1 (${e(results.target)})` : "0"}</td>${[r.pre, r.rec, r.spe, r.f1, r.geo, r.iba].map((v) => `<td class="n">${formatNumber(v)}</td>`).join("")}<td class="n">${formatCount(r.sup, minCell)}</td></tr>`; }).join("\n")}
</tbody></table>
<h2>Factors</h2>
${await charts(specs, ["factors"])}
<div class="row"><div style="flex:1 1 480px"><h3>Raise the odds most</h3><table><thead><tr><th>factor</th><th class="n">odds ratio</th><th class="n">95% interval</th><th class="n">rows</th></tr></thead><tbody>${upFactors.map(factorRow).join("")}</tbody></table></div>
<div style="flex:1 1 480px"><h3>Lower the odds most</h3><table><thead><tr><th>factor</th><th class="n">odds ratio</th><th class="n">95% interval</th><th class="n">rows</th></tr></thead><tbody>${downFactors.map(factorRow).join("")}</tbody></table></div></div>
<h2>Rates by group</h2>
${await charts(specs, ["findings"])}
<table><thead><tr><th>by</th><th>value</th><th class="n">rows</th><th class="n">positives</th><th class="n">rate</th><th class="n">95% interval</th><th class="n">lift</th></tr></thead><tbody>
${results.findings.map((f) => `<tr><td>${e(f.by)}</td><td>${e(truncate(f.value, 60))}</td><td class="n">${formatCount(f.count, minCell)}</td><td class="n">${formatCount(f.positives, minCell)}</td><td class="n">${f.positives < minCell ? "—" : formatPct(f.rate)}</td><td class="n">${f.positives < minCell ? "—" : `${formatPct(f.ci95[0])} – ${formatPct(f.ci95[1])}`}</td><td class="n">${f.positives < minCell ? "—" : `${formatNumber(f.lift, 2)}×`}</td></tr>`).join("\n")}
</tbody></table>
<p class="muted">${e(suppressionNote(minCell))}</p>
<h2>Method in plain words</h2>
<ul>
<li>Each category of the features was turned into its own 0/1 column (one-hot encoding).</li>
<li>The model is an L2-penalized logistic regression (C = ${formatNumber(Number(results.model?.C ?? 1), 2)}), the same objective as scikit-learn's lbfgs solver.</li>
<li>Validation: ${validationText}.</li>
<li>Balancing: ${resampleText[resample] ?? e(resample)}.</li>
<li>Metrics are means ± sd over the test folds; the confusion matrix and curves pool the out-of-fold predictions.</li>
<li>Odds ratios and their 95% Wald intervals come from a fit on all real rows without resampling (synthetic rows would make the intervals falsely narrow); the model saved for scoring is fitted on all rows exactly as validated.</li>
<li>Rates by group use Wilson 95% intervals; groups with fewer than the study's minimum count are left out.</li>
</ul>`;
}

function clusterCard(c: ReportSegmentsResults["clusters"][number], minCell: number): string {
  const top = c.profile.slice(0, 5).map((p) => {
    const share = p.feature.includes("=");
    return `<li>${e(p.feature.replace("=", " = "))}: ${share ? `${formatPct(p.cluster_mean)} vs ${formatPct(p.overall_mean)}` : `${formatNumber(p.cluster_mean, 1)} vs ${formatNumber(p.overall_mean, 1)}`} (${formatNumber(p.lift, 2)}×)</li>`;
  });
  const values = Object.entries(c.top_values).map(([col, vs]) => `<li><strong>${e(col)}</strong>: ${vs.slice(0, 3).map((v) => `${e(truncate(v.value, 40))} ${v.count < minCell ? "" : `(${formatPct(v.share, 0)})`}`).join(", ")}</li>`);
  const d = c.distribution;
  return `<div class="cluster" style="--c:${clusterColor(c.id)}"><h3>Cluster ${c.id}: ${e(c.label)}</h3>
<div class="muted">${formatCount(c.size, minCell)} rows · ${formatPct(c.share)} of all${d ? ` · ${e(d.column)}: mean ${formatNumber(d.mean, 1)}, median ${formatNumber(d.quartiles[1], 0)} (quartiles ${formatNumber(d.quartiles[0], 0)}–${formatNumber(d.quartiles[2], 0)})` : ""}</div>
<div class="row"><div style="flex:1 1 420px"><strong>Sets it apart</strong><ul class="tight">${top.join("")}</ul></div>${values.length ? `<div style="flex:1 1 320px"><strong>Most common</strong><ul class="tight">${values.join("")}</ul></div>` : ""}</div></div>`;
}

async function segmentsBody(results: ReportSegmentsResults, minCell: number, areas?: FeatureCollection): Promise<string> {
  const specs = segmentsCharts(results, { minCell, areas });
  const best = results.k_selection.find((r) => r.k === results.k);
  const cmp = results.comparison ?? [];
  return `<h2>Headline</h2>
<div class="cards"><div class="card"><div class="l">clusters</div><div class="v">${results.k}</div><div class="muted">${e(results.method)}</div></div>
<div class="card"><div class="l">silhouette</div><div class="v">${formatNumber(best?.silhouette ?? NaN)}</div><div class="muted">−1 to 1; above 0.25 is clear structure</div></div>
<div class="card"><div class="l">stability</div><div class="v">${formatNumber(results.stability.mean_ari)}</div><div class="muted">mean adjusted Rand index, ${results.stability.resamples} bootstraps</div></div>
<div class="card"><div class="l">rows</div><div class="v">${formatInt(results.data.rows)}</div><div class="muted">${formatInt(results.data.features)} features</div></div></div>
${(best?.silhouette ?? 1) < 0.25 ? `<div class="note">The silhouette is low: the clusters overlap, as is usual when categories are clustered as 0/1 columns. Read them as broad profiles, not sharply separate groups.</div>` : ""}
<h2>Cluster profiles</h2>
${results.clusters.map((c) => clusterCard(c, minCell)).join("\n")}
${await charts(specs, ["profile", "sizes"])}
${await charts(specs, ["distribution", "pca", "map"])}
${results.areas ? `<p>${formatInt(results.areas.matched)} rows matched an area of ${e(results.areas.column)}.${results.areas.unmatched.length ? ` Unmatched names: ${results.areas.unmatched.map((u) => `${e(u.name)} (${formatCount(u.rows, minCell)})`).join(", ")}.` : " Every name matched."}</p>` : ""}
<h2>Choosing k</h2>
${await charts(specs, ["k_selection"])}
<table><thead><tr><th class="n">k</th><th class="n">inertia</th><th class="n">silhouette</th><th class="n">Calinski-Harabasz</th><th class="n">Davies-Bouldin</th></tr></thead><tbody>
${results.k_selection.map((r) => `<tr${r.k === results.k ? ' style="font-weight:bold"' : ""}><td class="n">${r.k}</td><td class="n">${formatNumber(r.inertia, 1)}</td><td class="n">${formatNumber(r.silhouette)}</td><td class="n">${formatNumber(r.calinski_harabasz, 1)}</td><td class="n">${formatNumber(r.davies_bouldin)}</td></tr>`).join("\n")}
</tbody></table>
${cmp.length ? `<h3>k-means or k-prototypes?</h3><table><thead><tr><th>method</th><th class="n">silhouette</th><th class="n">Calinski-Harabasz</th><th class="n">Davies-Bouldin</th></tr></thead><tbody>${cmp.map((c) => `<tr><td>${e(c.method)}</td><td class="n">${formatNumber(c.silhouette)}</td><td class="n">${formatNumber(c.calinski_harabasz, 1)}</td><td class="n">${formatNumber(c.davies_bouldin)}</td></tr>`).join("")}</tbody></table><p class="muted">Both scored on the same design matrix at k = ${results.k}. Higher silhouette and Calinski-Harabasz, lower Davies-Bouldin separate better.</p>` : ""}
<p class="muted">${e(suppressionNote(minCell))}</p>
<h2>Method in plain words</h2>
<ul>
<li>Categories became 0/1 columns; numeric features were standardized to mean 0 and sd 1.${results.pca ? ` PCA kept ${results.pca.components} components (${formatPct(results.pca.explained_variance_ratio.reduce((a, b) => a + b, 0))} of the variance).` : ""}</li>
<li>k-means (k-means++ starts, the best of several runs) was fitted for every k in the range; ${e(results.k_rule)}.</li>
<li>Silhouette is exact up to the study's sample size and computed on a seeded sample above it.</li>
<li>Stability: k-means refitted on ${results.stability.resamples} bootstrap resamples; the adjusted Rand index compares their clusters with the full-data clusters (1 = identical).</li>
<li>Profiles compare each cluster's share (or mean) with everyone's; lift is the ratio.</li>
</ul>`;
}

/**
 * The whole report as one self-contained HTML document (inline CSS and SVG, no scripts, nothing fetched), in the
 * order an analyst presents: question and data, warnings, headline, charts, tables and the method in plain words.
 */
export async function buildReport(results: Results, options: ReportOptions = {}): Promise<string> {
  const extras = results as Results & { report?: { min_cell?: number } };
  const minCell = options.minCell ?? extras.report?.min_cell ?? 10;
  const body = results.study === "risk" ? await riskBody(results as ReportRiskResults, minCell) : await segmentsBody(results as ReportSegmentsResults, minCell, options.areas);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(results.name)} — openbeat report</title><style>${CSS}</style></head>
<body><main>
${header(results, options.generatedAt)}
${warningsSection(results)}
${dataSection(results, options.manifest)}
${body}
<footer>openbeat report · results.json, features.parquet and the dashboard (<code>openbeat serve</code>) hold everything shown here.</footer>
</main></body></html>
`;
}
