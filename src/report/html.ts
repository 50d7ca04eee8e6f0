import { chart, charts } from "./chart-html.js";
import { dataSection, leakageBox, warningsSection } from "./sections.js";
import { RISK_CSS, riskBody, riskHeader } from "./risk-report.js";
import { clusterColor, clusterName, segmentsCharts } from "./segments-charts.js";
import { escapeHtml as e, formatCount, formatInt, formatNumber, formatPct, suppressionNote, truncate } from "./format.js";
import type { FeatureCollection, ReportManifest, ReportSegmentsResults, VegaLiteSpec } from "./types.js";
import type { Results } from "../results/types.js";

/** Options of {@link buildReport}. */
export interface ReportOptions {
  /** manifest.json of the run (inputs with sha256, seed, versions, timings). */
  manifest?: ReportManifest;
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
th{background:#f3f4f6;font-weight:600}th.n{text-align:right}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font-size:12px;background:#f3f4f6;padding:1px 4px;border-radius:3px;word-break:break-all}
.cluster{border:1px solid #e1e4e8;border-left:8px solid var(--c);border-radius:8px;padding:10px 14px;margin:10px 0;break-inside:avoid}
.cluster h3{margin:0 0 4px}.muted{color:#666;font-size:13px}ul.tight{margin:4px 0;padding-left:20px}
footer{margin-top:40px;color:#777;font-size:12px}
.leak{border:2px solid #c0392b;background:#fdecea;padding:12px 16px;margin:14px 0;border-radius:6px}.leak h3{margin:0 0 6px;color:#8e1f14;font-size:17px}
.leak dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0;font-size:13px}.leak dt{font-weight:600}
.question{font-size:17px;font-weight:600;margin:6px 0}.footnote{color:#555;font-size:12px;margin:6px 0}
.cluster{font-size:14px}table.narrow{width:auto;min-width:320px}.cluster .dist svg{max-width:100%;height:auto}dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:13px;margin:6px 0}dl.kv dt{color:#555}
@media print{body{background:white}main{max-width:none;padding:0}h2{break-before:page}h2:first-of-type{break-before:auto}.chart,.cluster,table{break-inside:avoid}}
`;

function header(results: Results, generatedAt?: string): string {
  return `${results.synthetic ? '<div class="banner">SYNTHETIC DATA — generated for the demo; no finding here describes real people or places.</div>' : ""}
<h1>${e(results.name)}</h1>
<p class="meta">${results.study === "risk" ? "Risk study" : "Segment study"} · seed ${results.seed}${generatedAt ? ` · generated ${e(generatedAt)}` : ""} · made with openbeat</p>`;
}

function distinguishing(c: ReportSegmentsResults["clusters"][number], n: number) {
  return c.profile
    .filter((p) => p.lift > 0 && Number.isFinite(p.lift))
    .map((p, i) => ({ p, i, score: Math.abs(Math.log2(p.lift)) }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, n)
    .map((x) => x.p);
}

async function clusterCard(
  c: ReportSegmentsResults["clusters"][number],
  index: number,
  minCell: number,
  specs: Record<string, VegaLiteSpec>,
): Promise<string> {
  const top = distinguishing(c, 5).map((p) => {
    const share = p.feature.includes("=");
    const values = share
      ? `${formatPct(p.cluster_mean)} vs ${formatPct(p.overall_mean)} overall`
      : `${formatNumber(p.cluster_mean, 1)} vs ${formatNumber(p.overall_mean, 1)} overall`;
    return `<li><strong>${e(p.feature.replace("=", " = "))}</strong>: ${values} (${formatNumber(p.lift, 2)}×)</li>`;
  });
  const values = Object.entries(c.top_values).map(
    ([col, vs]) =>
      `<tr><td>${e(col)}</td><td>${vs
        .slice(0, 3)
        .map(
          (v) =>
            `${e(truncate(v.value, 40))} <span class="muted">${e(formatCount(v.count, minCell))}${v.count < minCell ? "" : ` (${formatPct(v.share, 0)})`}</span>`,
        )
        .join("<br>")}</td></tr>`,
  );
  const distKey = `distribution_${c.id}`;
  const dist = Object.hasOwn(specs, distKey) ? specs[distKey] : undefined;
  return `<article class="cluster" style="--c:${clusterColor(index)}" data-cluster="${c.id}"><h3>${e(clusterName(c))}</h3>
<div class="muted">${e(formatCount(c.size, minCell))} rows · ${formatPct(c.share)} of all</div>
<div class="row"><div style="flex:1 1 360px"><strong>Sets it apart</strong><ul class="tight">${top.join("")}</ul></div>
${values.length ? `<div style="flex:1 1 240px"><strong>Most common values</strong><table>${values.join("")}</table></div>` : ""}
${dist ? `<div class="dist" style="flex:0 1 300px">${await chart(`distribution_${c.id}`, dist)}</div>` : ""}</div></article>`;
}

async function segmentsBody(results: ReportSegmentsResults, minCell: number, areas?: FeatureCollection): Promise<string> {
  const specs = segmentsCharts(results, { minCell, areas });
  const best = results.k_selection.find((r) => r.k === results.k);
  const cmp = results.comparison ?? [];
  const cards: string[] = [];
  for (const [i, c] of results.clusters.entries()) cards.push(await clusterCard(c, i, minCell, specs));
  const evr = results.pca ? results.pca.explained_variance_ratio.reduce((a, b) => a + b, 0) : 0;
  const unmatched = results.areas?.unmatched ?? [];
  return `<h2>Headline</h2>
<div class="cards"><div class="card"><div class="l">clusters</div><div class="v">${results.k}</div><div class="muted">${e(results.method)}, ${e(results.k_rule)}</div></div>
<div class="card"><div class="l">silhouette</div><div class="v">${formatNumber(best?.silhouette ?? NaN)}</div><div class="muted">−1 to 1; above 0.25 is clear structure</div></div>
<div class="card"><div class="l">stability</div><div class="v">${results.stability.mean_ari === null ? "—" : formatNumber(results.stability.mean_ari)}</div><div class="muted">mean adjusted Rand index, ${results.stability.resamples} resamples</div></div>
<div class="card"><div class="l">rows</div><div class="v">${formatInt(results.data.rows)}</div><div class="muted">${formatInt(results.data.features)} features</div></div></div>
${(best?.silhouette ?? 1) < 0.25 ? `<div class="note">The silhouette is low: the clusters overlap, as is usual when categories are clustered as 0/1 columns. Read them as broad profiles, not sharply separate groups.</div>` : ""}
${await charts(specs, ["sizes"])}
<h2>The clusters</h2>
${cards.join("\n")}
${await charts(specs, ["profile", "pca"])}
${"map_dominant" in specs || "map_shares" in specs ? `<h2>Where the clusters are</h2>\n${await charts(specs, ["map_dominant", "map_shares"])}` : ""}
${
  results.areas
    ? `<p>${formatInt(results.areas.matched)} rows matched an area of <code>${e(results.areas.column)}</code>.${unmatched.length ? "" : " Every name matched."}</p>
${unmatched.length ? `<table class="narrow"><thead><tr><th>unmatched ${e(results.areas.column)}</th><th class="n">rows</th></tr></thead><tbody>${unmatched.map((u) => `<tr><td>${e(u.name)}</td><td class="n">${e(formatCount(u.rows, minCell))}</td></tr>`).join("")}</tbody></table>` : ""}`
    : ""
}
<h2>Choosing k</h2>
${await charts(specs, ["k_selection"])}
<table><thead><tr><th class="n">k</th><th class="n">inertia</th><th class="n">silhouette</th><th class="n">Calinski–Harabasz</th><th class="n">Davies–Bouldin</th></tr></thead><tbody>
${results.k_selection.map((r) => `<tr${r.k === results.k ? ' style="font-weight:bold"' : ""}><td class="n">${r.k}</td><td class="n">${formatNumber(r.inertia, 1)}</td><td class="n">${formatNumber(r.silhouette)}</td><td class="n">${formatNumber(r.calinski_harabasz, 1)}</td><td class="n">${formatNumber(r.davies_bouldin)}</td></tr>`).join("\n")}
</tbody></table>
${cmp.length ? `<h3>Other clustering methods at the same k</h3><table><thead><tr><th>method</th><th class="n">k</th><th class="n">silhouette</th><th class="n">Calinski–Harabasz</th><th class="n">Davies–Bouldin</th></tr></thead><tbody>${cmp.map((c) => `<tr><td>${e(c.method)}</td><td class="n">${c.k}</td><td class="n">${formatNumber(c.silhouette)}</td><td class="n">${formatNumber(c.calinski_harabasz, 1)}</td><td class="n">${formatNumber(c.davies_bouldin)}</td></tr>`).join("")}</tbody></table><p class="muted">All scored on the same design matrix. Higher silhouette and Calinski–Harabasz, lower Davies–Bouldin separate better.</p>` : ""}
<p class="footnote">${e(suppressionNote(minCell))}</p>
<h2>Method in plain words</h2>
<ul>
<li>Features: ${formatInt(results.data.features)} columns; categories became 0/1 columns${results.scaling ? `; scaling: ${e(results.scaling)}` : "; numeric features were standardised to mean 0 and sd 1"}.</li>
<li>${results.pca ? `PCA kept ${results.pca.components} components, ${formatPct(evr)} of the variance; clustering ran on those components.` : "No PCA: clustering ran on the scaled features."}</li>
<li>${e(results.method)} was fitted for every k from ${Math.min(...results.k_selection.map((r) => r.k))} to ${Math.max(...results.k_selection.map((r) => r.k))} with seeded starts; k = ${results.k} was chosen by ${e(results.k_rule)}.</li>
<li>Stability: ${e(results.stability.method)}, ${results.stability.resamples} resamples; ${results.stability.mean_ari === null ? "not computed" : `mean adjusted Rand index ${formatNumber(results.stability.mean_ari)} (1 = the same clusters every time, 0 = chance)`}.</li>
<li>Profiles compare each cluster's share (or mean) with everyone's; lift is the ratio, so 2× means twice as common in the cluster.</li>
</ul>`;
}

/**
 * The whole report as one self-contained HTML document (inline CSS and SVG, no scripts, nothing fetched), in the
 * order an analyst presents: question and data, warnings, headline, charts, tables and the method in plain words.
 */
export async function buildReport(results: Results, options: ReportOptions = {}): Promise<string> {
  const extras = results as Results & { report?: { min_cell?: number } };
  const minCell = options.minCell ?? extras.report?.min_cell ?? 10;
  const risk = results.study === "risk";
  const main =
    results.study === "risk"
      ? `${riskHeader(results, options.generatedAt)}
${leakageBox(results, minCell)}
${await riskBody(results, minCell, options.manifest)}`
      : `${header(results, options.generatedAt)}
${leakageBox(results, minCell)}
${dataSection(results, minCell, options.manifest)}
${warningsSection(results)}
${await segmentsBody(results, minCell, options.areas)}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(results.name)} — openbeat report</title><style>${CSS}${risk ? RISK_CSS : ""}</style></head>
<body><main>
${main}
<footer>openbeat report · results.json, features.parquet and the dashboard (<code>openbeat serve</code>) hold everything shown here.</footer>
</main></body></html>
`;
}
