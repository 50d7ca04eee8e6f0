import { chart, charts } from "./chart-html.js";
import { dataSection, leakageBox, warningsSection } from "./sections.js";
import { RISK_CSS, riskBody, riskHeader } from "./risk-report.js";
import { clusterColor, clusterName, kChoiceText, segmentsCharts } from "./segments-charts.js";
import { escapeHtml as e, formatCount, formatInt, formatNumber, formatPct, isSuppressed, suppressionNote, truncate } from "./format.js";
import { pointMapSection } from "./point-map.js";
import type { FeatureCollection, ReportManifest, ReportPointMap, ReportSegmentsResults, VegaLiteSpec } from "./types.js";
import type { Results } from "../results/types.js";

/** Options of {@link buildReport}. */
export interface ReportOptions {
  /** manifest.json of the run (inputs with sha256, seed, versions, timings). */
  manifest?: ReportManifest;
  /** Counts below this are suppressed (default: results' report.min_cell, else 10). */
  minCell?: number;
  /** The run's areas GeoJSON, for the segments map (and the outlines behind the point map). */
  areas?: FeatureCollection;
  /** The run's gridded point map, published as the dashboard's (studies/point-map.ts); none without coordinates. */
  points?: ReportPointMap;
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
.chart{margin:14px 0;overflow-x:auto;max-width:100%}.row>*{min-width:0}.chart svg{max-width:100%;height:auto}.row{display:flex;flex-wrap:wrap;gap:18px}
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
@media (max-width:700px){main{padding:14px 12px 40px}table{display:block;overflow-x:auto;max-width:100%}.row>div{flex:1 1 100%!important;min-width:0}.leak dl,dl.kv{grid-template-columns:minmax(0,1fr)}}
@media print{body{background:white}main{max-width:none;padding:0}h2{break-before:page}h2:first-of-type{break-before:auto}.chart,.cluster,table{break-inside:avoid}}
`;

function header(results: Results, generatedAt?: string): string {
  return `${results.synthetic ? '<div class="banner">SYNTHETIC DATA — generated for the demo; no finding here describes real people or places.</div>' : ""}
<h1>${e(results.name)}</h1>
<p class="meta">${results.study === "risk" ? "Risk study" : "Segment study"} · seed ${results.seed}${generatedAt ? ` · generated ${e(generatedAt)}` : ""} · made with openbeat</p>`;
}

type SegmentCluster = ReportSegmentsResults["clusters"][number];
type ProfileRow = SegmentCluster["profile"][number];

/** The features that most clearly set a cluster apart: ranked by evidence (the profile's order), unranked ones left out. */
function distinguishing(c: SegmentCluster, n: number): ProfileRow[] {
  return c.profile.filter((p) => p.evidence !== null && p.evidence !== undefined && Number.isFinite(p.lift)).slice(0, n);
}

function profileLine(p: ProfileRow, minCell: number): string {
  const level = p.feature.includes("=");
  const dir = (p.evidence ?? 0) > 0 ? "more" : "less";
  if (level) {
    const count = p.count === undefined ? "" : `, ${e(formatCount(p.count, minCell))} rows`;
    return `<li><strong>${e(p.feature.replace("=", " = "))}</strong>: ${formatPct(p.cluster_mean)} vs ${formatPct(p.overall_mean)} overall (${formatNumber(p.lift, 2)}×, ${dir} common${count})</li>`;
  }
  const q = p.quartiles;
  const oq = p.overall_quartiles;
  const spread =
    q && oq
      ? `median ${formatNumber(q[1], 1)} (quartiles ${formatNumber(q[0], 1)}–${formatNumber(q[2], 1)}) vs ${formatNumber(oq[1], 1)} (${formatNumber(oq[0], 1)}–${formatNumber(oq[2], 1)}) overall`
      : `mean ${formatNumber(p.cluster_mean, 1)} vs ${formatNumber(p.overall_mean, 1)} overall`;
  return `<li><strong>${e(p.feature)}</strong>: ${spread} (${(p.evidence ?? 0) > 0 ? "higher" : "lower"})</li>`;
}

async function clusterCard(c: SegmentCluster, index: number, minCell: number, specs: Record<string, VegaLiteSpec>): Promise<string> {
  const top = distinguishing(c, 5).map((p) => profileLine(p, minCell));
  const values = Object.entries(c.top_values).map(
    ([col, vs]) =>
      `<tr><td>${e(col)}</td><td>${vs
        .slice(0, 3)
        .map(
          (v) =>
            `${e(truncate(v.value, 40))} <span class="muted">${e(formatCount(v.count, minCell))}${isSuppressed(v.count, minCell) ? "" : ` (${formatPct(v.share, 0)})`}</span>`,
        )
        .join("<br>")}</td></tr>`,
  );
  const dist = specs[`distribution_${c.id}`] as VegaLiteSpec | undefined;
  const lca =
    c.class_share !== undefined
      ? ` · class share in the model ${formatPct(c.class_share)} · mean posterior probability ${formatNumber(c.mean_probability ?? NaN, 2)}`
      : "";
  return `<article class="cluster" style="--c:${clusterColor(index)}" data-cluster="${c.id}"><h3>${e(clusterName(c))}</h3>
<div class="muted">${e(formatCount(c.size, minCell))} rows · ${formatPct(c.share)} of all${lca}</div>
<div class="row"><div style="flex:1 1 360px"><strong>Sets it apart</strong> <span class="muted">(strongest evidence first)</span><ul class="tight">${top.join("") || "<li>nothing stands out</li>"}</ul></div>
${values.length ? `<div style="flex:1 1 240px"><strong>Most common values</strong><table>${values.join("")}</table></div>` : ""}
${dist ? `<div class="dist" style="flex:0 1 300px">${await chart(`distribution_${c.id}`, dist)}</div>` : ""}</div></article>`;
}

function structureSection(results: ReportSegmentsResults, specsHtml: string): string {
  const s = results.structure;
  if (!s) return "";
  const atK = s.null.per_k.find((r) => r.k === results.k);
  const chosen = atK
    ? `<p>At the chosen k = ${results.k}: silhouette ${formatNumber(atK.observed)} against ${formatNumber(atK.null_mean)} ± ${formatNumber(atK.null_sd)} without structure (excess ${formatNumber(atK.excess)}${atK.z === null ? "" : `, z = ${formatNumber(atK.z, 1)}`}).</p>`
    : "";
  const unit = results.pca ? "principal component" : "variable";
  const reference =
    s.null.method === "permuted"
      ? `each ${unit}'s values shuffled independently across rows: every ${unit} keeps exactly its own distribution, but any relation between ${unit}s — the thing clusters are made of — is destroyed`
      : "rows drawn uniformly over the range of every column (the gap statistic's reference)";
  return `<h2>Is there structure beyond chance?</h2>
<div class="${s.verdict === "clear" ? "note" : "warn"}" data-structure="${e(s.verdict)}"><h3>${e(s.verdict === "no structure beyond chance" ? "No structure beyond chance" : s.verdict === "weak" ? "Weak structure" : "Clear structure")}</h3><p>${e(s.summary)}</p></div>
${specsHtml}
${chosen}
<p class="muted">How this is tested: k-means always returns clusters, even on data that has none, and on one-hot data even structure-free rows score a silhouette near 0.1–0.2. So the same clustering (${e(s.null.clustering)}) is run on ${s.null.draws} reference data sets without structure — ${reference} — and the data's silhouette is compared with theirs at every k. The excess is the data's silhouette minus the reference mean, z the excess in reference standard deviations. ${e(s.rule)}. The gap statistic (Tibshirani, Walther &amp; Hastie 2001) compares the within-cluster dispersion the same way; it picks k = ${s.null.gap_k}${s.null.gap_k === 1 ? ", meaning no k reduces the dispersion more than on the reference" : ""}.${results.method === "lca" ? " The test runs k-means on the design matrix, whatever the study's method; for the latent class model, the fit table below compares every K with K = 1, the model of independent variables." : ""}</p>`;
}

/** A warning message as a sentence: capital first letter, final full stop. */
function sentence(message: string): string {
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

function sharesSection(results: ReportSegmentsResults, specsHtml: string): string {
  const rows = results.variance_shares;
  if (!rows.length) return "";
  const eco = results.warnings.find((w) => w.code === "segments.ecological");
  const dominant = results.warnings.filter((w) => w.code === "segments.dominant_variable");
  const boxes = [
    ...(eco ? [`<div class="warn" data-warning="ecological"><h3>Ecological reading</h3><p>${e(sentence(eco.message))}</p></div>`] : []),
    ...dominant.map((w) => `<div class="note" data-warning="dominant">${e(sentence(w.message))}</div>`),
  ];
  return `<h2>What the clusters are made of</h2>
${boxes.join("\n")}
${specsHtml}
<table class="narrow"><thead><tr><th>variable</th><th class="n">columns</th><th class="n">weight</th><th class="n">share of the variance</th><th class="n">share of the separation</th></tr></thead><tbody>
${rows.map((r) => `<tr><td>${e(r.variable)}${r.area_level ? ' <span class="muted">(area)</span>' : ""}</td><td class="n">${r.columns}</td><td class="n">${formatNumber(r.weight, 2)}</td><td class="n">${formatPct(r.share)}</td><td class="n">${r.separation === null ? "—" : formatPct(r.separation)}</td></tr>`).join("\n")}
</tbody></table>
<p class="muted">The share of the variance is how much each variable counts in the distances the clustering partitions (${e(results.scaling)}); the share of the separation is its part of the between-cluster sum of squares of the final clusters, i.e. what the clusters actually differ on. "(area)" marks values of the row's area, the same for everyone in it.</p>`;
}

function kSelectionTable(results: ReportSegmentsResults): string {
  const stab = (r: ReportSegmentsResults["k_selection"][number]) =>
    r.stability ? `${formatNumber(r.stability.mean)}${r.stability.sd === null ? "" : ` ± ${formatNumber(r.stability.sd)}`}` : "—";
  const starts = (r: ReportSegmentsResults["k_selection"][number]) =>
    r.starts ? `${r.starts.used}${r.starts.repeated ? "" : " (best found once)"}` : "—";
  const bold = (r: { k: number }) => (r.k === results.k ? ' style="font-weight:bold"' : "");
  if (results.method === "lca") {
    return `<table><thead><tr><th class="n">K</th><th class="n">log-likelihood</th><th class="n">BIC</th><th class="n">AIC</th><th class="n">SABIC</th><th class="n">entropy</th><th class="n">stability</th><th class="n">starts</th></tr></thead><tbody>
${results.k_selection.map((r) => `<tr${bold(r)}><td class="n">${r.k}</td><td class="n">${formatNumber(r.log_likelihood ?? NaN, 1)}</td><td class="n">${formatNumber(r.bic ?? NaN, 1)}</td><td class="n">${formatNumber(r.aic ?? NaN, 1)}</td><td class="n">${formatNumber(r.sabic ?? NaN, 1)}</td><td class="n">${formatNumber(r.entropy ?? NaN)}</td><td class="n">${stab(r)}</td><td class="n">${starts(r)}</td></tr>`).join("\n")}
</tbody></table>`;
  }
  const spread = (r: ReportSegmentsResults["k_selection"][number]) => {
    const sv = r.spread?.silhouette;
    return sv ? `${formatNumber(sv.min)}–${formatNumber(sv.max)}` : "—";
  };
  return `<table><thead><tr><th class="n">k</th><th class="n">inertia</th><th class="n">silhouette</th><th class="n">silhouette over seeds</th><th class="n">Calinski–Harabasz</th><th class="n">Davies–Bouldin</th><th class="n">stability</th><th class="n">starts</th></tr></thead><tbody>
${results.k_selection.map((r) => `<tr${bold(r)}><td class="n">${r.k}</td><td class="n">${formatNumber(r.inertia ?? NaN, 1)}</td><td class="n">${formatNumber(r.silhouette ?? NaN)}</td><td class="n">${spread(r)}</td><td class="n">${formatNumber(r.calinski_harabasz ?? NaN, 1)}</td><td class="n">${formatNumber(r.davies_bouldin ?? NaN)}</td><td class="n">${stab(r)}</td><td class="n">${starts(r)}</td></tr>`).join("\n")}
</tbody></table>`;
}

function lcaSection(results: ReportSegmentsResults, minCell: number): string {
  const lca = results.lca;
  if (!lca) return "";
  const classes = lca.classes ?? [];
  const fits = lca.fits
    .map(
      (f) =>
        `<tr${f.k === lca.k ? ' style="font-weight:bold"' : ""}><td class="n">${f.k}</td><td class="n">${formatNumber(f.log_likelihood, 1)}</td><td class="n">${formatNumber(f.bic, 1)}</td><td class="n">${formatNumber(f.aic, 1)}</td><td class="n">${formatNumber(f.sabic, 1)}</td><td class="n">${f.entropy === null ? "—" : formatNumber(f.entropy)}</td><td class="n">${f.n_parameters}</td><td class="n">${f.converged ? "yes" : "no"}</td><td class="n">${f.best_count} of ${f.starts}</td></tr>`,
    )
    .join("\n");
  const one = lca.fits.find((f) => f.k === 1);
  const best = lca.fits.find((f) => f.k === lca.k);
  const vsOne =
    one && best && lca.k > 1
      ? ` Against the model of independent indicators (K = 1), K = ${lca.k} lowers BIC by ${formatNumber(one.bic - best.bic, 1)}.`
      : "";
  return `<h3>Latent class analysis</h3>
<p>Latent class analysis models the categorical variables as coming from K unobserved classes, within which the variables are independent (numeric ones Gaussian); it is the usual model for typologies of categorical victim data (as poLCA in R). Number of classes: ${e(lca.rule)}.${vsOne} Indicators: ${lca.indicators.map((i) => `<code>${e(i)}</code>`).join(", ")}; missing values are left out of each row's likelihood (full information), not imputed.</p>
<table><thead><tr><th class="n">K</th><th class="n">log-likelihood</th><th class="n">BIC</th><th class="n">AIC</th><th class="n">SABIC</th><th class="n">entropy</th><th class="n">parameters</th><th class="n">converged</th><th class="n">starts at best</th></tr></thead><tbody>
${fits}
</tbody></table>
${
  classes.length
    ? `<table><thead><tr><th>class (K = ${lca.k})</th><th class="n">rows</th><th class="n">share</th><th class="n">mean posterior</th></tr></thead><tbody>${classes.map((c) => `<tr><td>${e(clusterName(c))}</td><td class="n">${e(formatCount(c.size, minCell))}</td><td class="n">${formatPct(c.class_share ?? c.share)}</td><td class="n">${formatNumber(c.mean_probability ?? NaN, 2)}</td></tr>`).join("")}</tbody></table>
<p class="muted">Class labels name each class's most likely levels with their class-conditional probability; the share is the model's class share.</p>`
    : ""
}
<p class="muted">Settings: ${lca.settings.starts} random starts per K, EM to a change of the log-likelihood of at most ${formatNumber(lca.settings.tol, 4)} per iteration (at most ${lca.settings.max_iter} iterations). "Starts at best" counts starts that reached the best log-likelihood; one means more starts might still find a better fit.</p>`;
}

async function segmentsBody(results: ReportSegmentsResults, minCell: number, areas?: FeatureCollection, pointMap = ""): Promise<string> {
  const specs = segmentsCharts(results, { minCell, areas });
  const best = results.k_selection.find((r) => r.k === results.k);
  const cmp = results.comparison ?? [];
  const cards: string[] = [];
  for (const [i, c] of results.clusters.entries()) cards.push(await clusterCard(c, i, minCell, specs));
  const evr = results.pca ? results.pca.explained_variance_ratio.reduce((a, b) => a + b, 0) : 0;
  const unmatched = results.areas?.unmatched ?? [];
  const s = results.structure;
  const lcaPrimary = results.method === "lca";
  const methodName = lcaPrimary ? "latent class analysis" : results.method;
  const verdictCard = s
    ? `<div class="card"><div class="l">structure</div><div class="v" style="font-size:18px">${e(s.verdict)}</div><div class="muted">silhouette excess over chance ${formatNumber(s.excess)} at k = ${s.k}${s.z === null ? "" : `, z = ${formatNumber(s.z, 1)}`}</div></div>`
    : "";
  const fitCard = lcaPrimary
    ? `<div class="card"><div class="l">entropy</div><div class="v">${formatNumber(best?.entropy ?? NaN)}</div><div class="muted">1 = classes perfectly separated</div></div>`
    : `<div class="card"><div class="l">silhouette</div><div class="v">${formatNumber(best?.silhouette ?? NaN)}</div><div class="muted">−1 to 1; compare with the reference below</div></div>`;
  const stab = results.stability;
  return `<h2>Headline</h2>
<div class="cards"><div class="card"><div class="l">clusters</div><div class="v">${results.k}</div><div class="muted">${e(methodName)}, ${e(kChoiceText(results))}</div></div>
${verdictCard}
${fitCard}
<div class="card"><div class="l">stability</div><div class="v">${stab.mean_ari === null ? "—" : formatNumber(stab.mean_ari)}</div><div class="muted">mean adjusted Rand index${stab.sd === null || stab.sd === undefined ? "" : ` ± ${formatNumber(stab.sd)}`}, ${stab.resamples} subsamples</div></div>
<div class="card"><div class="l">rows</div><div class="v">${formatInt(results.data.rows)}</div><div class="muted">${formatInt(results.data.features)} features</div></div></div>
${s ? `<p><strong>${e(s.summary)}</strong></p>` : ""}
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
}${pointMap ? `\n${pointMap}` : ""}
${structureSection(results, await charts(specs, ["structure"]))}
${sharesSection(results, await charts(specs, ["variance_shares"]))}
<h2>Choosing k</h2>
<p><strong>${e(kChoiceText(results))}</strong>: ${e(results.k_rule)}.</p>
${await charts(specs, ["k_selection"])}
${kSelectionTable(results)}
<p class="muted">Stability: each k's ${lcaPrimary ? "model" : "clustering"} is refitted on ${stab.resamples} subsamples of 80% of the rows and compared with the full-data partition by the adjusted Rand index over all rows (mean ± sd; 1 = the same partition every time). ${
    results.k_choice.seeds.length > 1
      ? `The whole choice of k was repeated with ${results.k_choice.seeds.length} seeds (${results.k_choice.seeds.map((x) => `${x.seed} → k = ${x.k}`).join(", ")})${lcaPrimary ? "" : "; “silhouette over seeds” is its range over them"}.`
      : ""
  }${lcaPrimary ? "" : " Starts: k-means++ starts run at each k, doubled from the first batch until the best inertia was found twice; “best found once” means more starts might still improve it."}</p>
${cmp.length ? `<h3>Other clustering methods at the same k</h3><table><thead><tr><th>method</th><th class="n">k</th><th class="n">silhouette</th><th class="n">Calinski–Harabasz</th><th class="n">Davies–Bouldin</th><th class="n">agreement with ${e(results.method)}</th></tr></thead><tbody>${cmp.map((c) => `<tr><td>${e(c.method)}</td><td class="n">${c.k}</td><td class="n">${formatNumber(c.silhouette)}</td><td class="n">${formatNumber(c.calinski_harabasz, 1)}</td><td class="n">${formatNumber(c.davies_bouldin)}</td><td class="n">${c.agreement === undefined ? "—" : formatNumber(c.agreement)}</td></tr>`).join("")}</tbody></table><p class="muted">All scored on the same design matrix. Higher silhouette and Calinski–Harabasz, lower Davies–Bouldin separate better; agreement is the adjusted Rand index with the study's partition (1 = identical, 0 = chance).</p>` : ""}
${lcaSection(results, minCell)}
<p class="footnote">${e(suppressionNote(minCell))}</p>
<h2>Method in plain words</h2>
<ul>
<li>Features: ${formatInt(results.data.features)} columns; categories became 0/1 columns; weights: ${e(results.scaling)}.</li>
<li>${results.pca ? `PCA kept ${results.pca.components} components, ${formatPct(evr)} of the variance; clustering ran on those components.` : "No PCA: clustering ran on the weighted features."}</li>
<li>${lcaPrimary ? `Latent class models were fitted for K = 1, 2, … with ${results.lca?.settings.starts ?? "several"} random starts each` : `${e(results.method)} was fitted for every k from ${Math.min(...results.k_selection.map((r) => r.k))} to ${Math.max(...results.k_selection.map((r) => r.k))} with seeded k-means++ starts, more until the best repeated`}; ${e(kChoiceText(results))} was chosen by ${e(results.k_rule)}.</li>
${s ? `<li>Structure: the same k-means on ${s.null.draws} ${s.null.method === "permuted" ? "shuffled" : "uniform"} reference data sets (${e(s.null.clustering)}); verdict: ${e(s.verdict)}.</li>` : ""}
<li>Stability: ${e(stab.method)}; ${stab.mean_ari === null ? "not computed" : `mean adjusted Rand index ${formatNumber(stab.mean_ari)} at the chosen k (1 = the same clusters every time, 0 = chance)`}.</li>
<li>Profiles compare each cluster's share (or mean and quartiles) with everyone's, ranked by the evidence that the cluster differs from the other rows (a two-proportion z for a level, Welch's z for a number); levels with fewer than ${minCell} rows in a cluster are not ranked. Labels name the cluster's most common level with its share and say "most common" when it is not a majority; lift is the ratio, so 2× means twice as common in the cluster.</li>
</ul>`;
}

/** The footer's line on which files of the results folder are public and which private (docs/disclosure.md). */
function filesNote(manifest: ReportOptions["manifest"], minCell: number): string {
  const files = manifest?.files;
  if (!files) return "";
  const list = (xs: string[]) => xs.map((f) => `<code>${e(f)}</code>`).join(", ");
  return `<br>Public (aggregates, counts below ${minCell} suppressed; <code>openbeat publish</code> copies these): ${list(files.public)}. Private (one row per record, or a model fitted on them; never publish): ${list(files.private)}.`;
}

/**
 * The whole report as one self-contained HTML document (inline CSS and SVG, no scripts, nothing fetched), in the
 * order an analyst presents: question and data, warnings, headline, charts, tables and the method in plain words.
 */
export async function buildReport(results: Results, options: ReportOptions = {}): Promise<string> {
  const extras = results as Results & { report?: { min_cell?: number } };
  const minCell = options.minCell ?? extras.report?.min_cell ?? 10;
  const risk = results.study === "risk";
  const pointMap = await pointMapSection(options.points, options.areas);
  const main =
    results.study === "risk"
      ? `${riskHeader(results, options.generatedAt)}
${leakageBox(results, minCell)}
${await riskBody(results, minCell, options.manifest, pointMap)}`
      : `${header(results, options.generatedAt)}
${leakageBox(results, minCell)}
${dataSection(results, minCell, options.manifest)}
${warningsSection(results)}
${await segmentsBody(results, minCell, options.areas, pointMap)}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(results.name)} — openbeat report</title><style>${CSS}${risk ? RISK_CSS : ""}</style></head>
<body><main>
${main}
<footer>openbeat report · results.json, features.parquet and the dashboard (<code>openbeat serve</code>) hold everything shown here.${filesNote(options.manifest, minCell)}</footer>
</main></body></html>
`;
}
