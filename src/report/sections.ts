import { escapeHtml as e, formatCount, formatInt, formatNumber, formatPct } from "./format.js";
import type { Results } from "../results/types.js";
import type { ReportManifest } from "./types.js";

/** "Question and data": inputs with sha256, row counts, rows left out, missing values and run details. */
export function dataSection(results: Results, minCell: number, manifest?: ReportManifest): string {
  const inputs = manifest?.inputs ?? results.data.inputs;
  const dropped = Object.entries(results.data.dropped);
  const missing = Object.entries(results.data.missing).filter(([, n]) => n === null || n > 0);
  const range = results.data.date_range;
  const kv: [string, string][] = [];
  if (manifest?.study_file) kv.push(["study file", `<code>${e(manifest.study_file)}</code>`]);
  kv.push(["seed", e(manifest?.seed ?? results.seed)]);
  if (manifest?.started_at) kv.push(["run started", e(manifest.started_at)]);
  if (manifest?.versions && typeof manifest.versions === "object")
    kv.push([
      "versions",
      Object.entries(manifest.versions)
        .map(([k, v]) => `${e(k)} ${e(v)}`)
        .join(", "),
    ]);
  if (manifest?.timings && typeof manifest.timings === "object") {
    const t = Object.entries(manifest.timings);
    // Timings are seconds; older manifests named milliseconds "<step>_ms".
    const seconds = (k: string, v: number): [string, number] => (k.endsWith("_ms") ? [k.slice(0, -3), v / 1000] : [k, v]);
    kv.push([
      "timings",
      t
        .map(([k, v]) => seconds(k, v))
        .map(([k, v]) => `${e(k)} ${formatNumber(v, v < 10 ? 2 : 1)} s`)
        .join(", "),
    ]);
  }
  return `<h2>Question and data</h2>
${results.description ? `<p class="question">${e(results.description)}</p>` : ""}
<table><thead><tr><th>source</th><th>file</th><th class="n">rows</th><th>sha256</th></tr></thead><tbody>
${inputs.map((i) => `<tr><td>${e(i.name)}</td><td><code>${e(i.path)}</code></td><td class="n">${formatInt(i.rows)}</td><td><code>${e(i.sha256)}</code></td></tr>`).join("\n")}
</tbody></table>
<p>The analysis table has ${formatInt(results.data.table_rows)} rows; ${formatInt(results.data.rows)} entered the ${results.study === "risk" ? "model" : "clustering"} with ${formatInt(results.data.features)} features.${range ? ` ${e(range.column)} runs from <strong>${e(range.min ?? "?")}</strong> to <strong>${e(range.max ?? "?")}</strong>.` : ""}</p>
${dropped.length ? `<p>Rows left out, never silently: ${dropped.map(([r, n]) => `${e(formatCount(n, minCell))} (${e(r)})`).join("; ")}.</p>` : "<p>No rows were left out.</p>"}
${missing.length ? `<p class="muted">Missing values before the missing-value policy: ${missing.map(([c, n]) => `${e(c)} ${e(formatCount(n, minCell))}`).join(", ")}.</p>` : ""}
<dl class="kv">${kv.map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

/**
 * The red box of label-leakage warnings (codes containing "leak"), at the top of a report: one row per flagged value
 * (counts below `minCell` suppressed) and a fix that can be pasted into the study file.
 */
export function leakageBox(results: Results, minCell: number): string {
  const leaks = results.warnings.filter((w) => w.code.includes("leak"));
  if (!leaks.length) return "";
  const levels = leaks.filter((w) => w.value != null);
  const numeric = leaks.filter((w) => w.value == null);
  const rows = levels.map((w) => {
    const count = typeof w.count === "number" ? formatCount(w.count, minCell) : `<${minCell}`;
    const rate = typeof w.rate === "number" ? formatPct(w.rate) : "—";
    const lower = typeof w.wilson_lower === "number" ? formatPct(w.wilson_lower) : "—";
    return `<tr><td><code>${e(w.column)}</code></td><td>${e(w.value)}</td><td class="n">${e(count)}</td><td class="n">${rate}</td><td class="n">${lower}</td></tr>`;
  });
  const byColumn = new Map<string, string[]>();
  for (const w of levels) byColumn.set(String(w.column), [...(byColumn.get(String(w.column)) ?? []), String(w.value)]);
  const snippet = [...byColumn].map(([c, vs]) => `${c}: [${vs.map((v) => JSON.stringify(v)).join(", ")}]`).join(", ");
  return `<section class="leak" data-warning="leakage"><h3>⚠ Possible label leakage (${leaks.length})</h3><p>These values nearly fix the outcome. If they record the outcome rather than predict it, every metric below is inflated by them: leave their rows out or remove the column, and run again. <code>features.exclude_values</code> is not enough: it moves a value into "(other)", which still leaks.</p>
${
  rows.length
    ? `<table class="narrow"><thead><tr><th>column</th><th>value</th><th class="n">rows</th><th class="n">rate</th><th class="n">95% lower bound</th></tr></thead><tbody>${rows.join("")}</tbody></table>
<p>To leave their rows out: <code>risk.exclude_rows: { ${e(snippet)} }</code></p>`
    : ""
}
${numeric.length ? `<ul class="tight">${numeric.map((w) => `<li>${e(w.message)}${typeof w.auc === "number" ? ` (ROC AUC ${formatNumber(Math.max(w.auc, 1 - w.auc))})` : ""}</li>`).join("")}</ul>` : ""}</section>`;
}

/** Every other warning, with its code. */
export function warningsSection(results: Results): string {
  const other = results.warnings.filter((w) => !w.code.includes("leak"));
  if (!other.length) return "";
  return `<h2>Warnings</h2><div class="note"><ul class="tight">${other.map((w) => `<li>${e(w.message)} <span class="muted">(${e(w.code)})</span></li>`).join("")}</ul></div>`;
}
