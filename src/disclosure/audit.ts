import { FORMAT_WARNING } from "./results.js";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isSmall, type DisclosurePolicy } from "./policy.js";
import { parseCsv } from "../util/csv.js";

/**
 * A second, independent look at what a results folder would publish: every public file is scanned for a count
 * 0 < n < min_cell. results.json and areas.geojson are read by structure (count fields by name, and the counts a
 * published share or rate implies); report.html and CSV files by text (the `<td class="n">` cells of the report's
 * tables, and count-named CSV columns). It checks the outputs, not the code that made them, so `openbeat publish`
 * refuses a folder whose files were edited or written by a build with a bug.
 */

/** One small count found in a public file. */
export interface AuditProblem {
  /** File name inside the folder. */
  file: string;
  /** Where in the file: a JSON path, a GeoJSON feature property, or the text around an HTML cell. */
  field: string;
  /** The small count found (or implied). */
  value: number;
}

/** Field names whose number is a count of records in results.json and the area GeoJSON. */
const COUNT_KEYS = new Set([
  "count",
  "positives",
  "negatives",
  "rows",
  "size",
  "sup",
  "n",
  "censored_before",
  "censored_after",
  "undated",
  "reference_count",
  "matched",
]);

/** Containers whose every numeric value is a count (keyed by reason or column). */
const COUNT_MAPS = new Set(["dropped", "missing"]);

type Policy = Pick<DisclosurePolicy, "min_cell">;

/**
 * Small counts in a parsed results.json: count-named fields, data.dropped / data.missing, the confusion matrix
 * and the cells the classification report's recall and support imply, the counts a published share implies within a published cluster size (value and not-value), and the positives
 * and negatives a reliability-curve bin implies.
 * @param results the parsed results.json
 */
export function auditResults(results: unknown, policy: Policy, file = "results.json"): AuditProblem[] {
  const out: AuditProblem[] = [];
  const push = (field: string, value: number) => {
    if (isSmall(value, policy)) out.push({ file, field, value });
  };
  const walk = (v: unknown, path: string, key: string, inMap: boolean): void => {
    if (typeof v === "number") {
      if ((COUNT_KEYS.has(key) || inMap) && Number.isInteger(v)) push(path, v);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        walk(x, `${path}[${String(i)}]`, key, false);
      });
      return;
    }
    if (!v || typeof v !== "object") return;
    // Row-level inputs (sources) are not counts of people in a group, nor are the line counts of a file's format.
    if (key === "inputs") return;
    const code = (v as { code?: unknown }).code;
    if (typeof code === "string" && FORMAT_WARNING.test(code)) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, path ? `${path}.${k}` : k, k, COUNT_MAPS.has(k));
  };
  walk(results, "", "", false);
  const r = results as Record<string, unknown> | null;
  const metrics = r?.metrics as Record<string, unknown> | undefined;
  const cm = metrics?.confusion_matrix;
  if (Array.isArray(cm))
    (cm as unknown[]).forEach((row, i) => {
      if (Array.isArray(row))
        (row as unknown[]).forEach((x, j) => {
          if (typeof x === "number") push(`metrics.confusion_matrix[${String(i)}][${String(j)}]`, x);
        });
    });
  // The cells the classification report implies: recall × support of a class is its correct predictions.
  const report = metrics?.classification_report as Record<string, { rec?: number | null; sup?: number | null }> | undefined;
  for (const c of ["0", "1"]) {
    const row = report?.[c];
    if (typeof row?.rec === "number" && typeof row.sup === "number") {
      const hit = Math.round(row.rec * row.sup);
      push(`metrics.classification_report.${c} recall × support`, hit);
      push(`metrics.classification_report.${c} (1 − recall) × support`, row.sup - hit);
    }
  }
  const cal = metrics?.calibration as { curve?: { n: number; observed: number }[] } | undefined;
  cal?.curve?.forEach((b, i) => {
    const pos = Math.round(b.observed * b.n);
    push(`metrics.calibration.curve[${String(i)}] positives`, pos);
    push(`metrics.calibration.curve[${String(i)}] negatives`, b.n - pos);
  });
  const clusters = r?.clusters;
  if (Array.isArray(clusters))
    (clusters as { size: number | null; top_values?: Record<string, { value: string; count: number | null }[]> }[]).forEach((c, i) => {
      const size = c.size;
      if (size === null) return;
      for (const [column, values] of Object.entries(c.top_values ?? {}))
        values.forEach((v, j) => {
          if (v.count !== null && v.count > 0)
            push(`clusters[${String(i)}].top_values.${column}[${String(j)}] (size − count)`, size - v.count);
        });
    });
  return out;
}

/**
 * Small counts in an area GeoJSON: every integer property named `rows`, `count`, `n` or `count_<j>`.
 * @param collection the parsed GeoJSON
 */
export function auditAreas(collection: unknown, policy: Policy, file = "areas.geojson"): AuditProblem[] {
  const out: AuditProblem[] = [];
  const features = (collection as { features?: unknown } | null)?.features;
  if (!Array.isArray(features)) return out;
  (features as { properties?: Record<string, unknown> | null }[]).forEach((f, i) => {
    for (const [k, v] of Object.entries(f.properties ?? {}))
      if (typeof v === "number" && Number.isInteger(v) && (COUNT_KEYS.has(k) || /^count_\d+$/.test(k)) && isSmall(v, policy))
        out.push({ file, field: `features[${String(i)}].properties.${k}`, value: v });
  });
  return out;
}

/** Column headers of the report's tables whose whole numbers are not counts of records (k, ranks, bins, sizes of the design). */
const NON_COUNT_HEADERS = new Set([
  "",
  "k",
  "levels",
  "columns",
  "starts",
  "parameters",
  "group",
  "rank",
  "bin",
  "df",
  "iterations",
  "seed",
  "folds",
]);

const cellText = (html: string) => html.replace(/<[^>]+>/g, "").trim();

/**
 * Small counts in the report's tables: every `<td class="n">` cell that holds a whole number (with thousands
 * separators), except in the columns whose header names something other than records (k, columns, starts, ...).
 * Tables are read by structure: headers from `<th>`, cells by position (with colspan). Also the squares of the
 * point map (`data-chart="point_map"`), by the count each drawn square's label names.
 * @param html the report's text
 */
export function auditHtml(html: string, policy: Policy, file = "report.html"): AuditProblem[] {
  const out: AuditProblem[] = [];
  for (const table of html.match(/<table[\s\S]*?<\/table>/g) ?? []) {
    const headers = [...table.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => cellText(m[1]).toLowerCase());
    const body = table.replace(/<thead[\s\S]*?<\/thead>/, "");
    for (const row of body.match(/<tr[^>]*>[\s\S]*?<\/tr>/g) ?? []) {
      let col = 0;
      for (const m of row.matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)) {
        const attrs = m[1];
        const span = Number(/colspan="(\d+)"/.exec(attrs)?.[1] ?? "1");
        const header = headers.length ? (headers[col] ?? "") : "count";
        col += span;
        if (!/class="n"/.test(attrs) || NON_COUNT_HEADERS.has(header)) continue;
        const text = cellText(m[2]);
        if (!/^[0-9][0-9,]*$/.test(text)) continue;
        const value = Number(text.replace(/,/g, ""));
        if (isSmall(value, policy)) out.push({ file, field: `table column "${header}": ${cellText(row).slice(0, 80)}`, value });
      }
    }
  }
  // The point map's squares: each drawn square names its count in its label ("records: 1,234").
  for (const figure of html.match(/<figure class="chart" data-chart="point_map"[\s\S]*?<\/figure>/g) ?? []) {
    for (const m of figure.matchAll(/aria-label="[^"]*\brecords: ([0-9][0-9,]*)/g)) {
      const value = Number(m[1].replace(/,/g, ""));
      if (isSmall(value, policy)) out.push({ file, field: "point map square", value });
    }
  }
  return out;
}

/**
 * Small counts in a CSV file: whole numbers in columns whose header names a count (count, n, rows, size,
 * positives, negatives, or ending in `_count` / `_rows`).
 * @param text the CSV text (RFC 4180, first record the header)
 */
export function auditCsv(text: string, policy: Policy, file: string): AuditProblem[] {
  const out: AuditProblem[] = [];
  const records = parseCsv(text);
  if (!records.length) return out;
  const header = records[0].map((h) => h.trim().toLowerCase());
  const countCols = header.flatMap((h, j) => (COUNT_KEYS.has(h) || /_(count|rows)$/.test(h) ? [j] : []));
  records.slice(1).forEach((cells, i) => {
    for (const j of countCols) {
      const s = (cells[j] ?? "").trim();
      if (/^\d+$/.test(s) && isSmall(Number(s), policy))
        out.push({ file, field: `row ${String(i + 1)}, column ${header[j]}`, value: Number(s) });
    }
  });
  return out;
}

/**
 * Scans every file of a folder about to be published: results.json and *.geojson by structure, report.html and
 * *.csv by text. Returns the problems found (empty when the folder passes). Files of other kinds are not read.
 * @param dir the folder
 * @param policy the disclosure policy the folder claims (its manifest's)
 */
export async function checkPublic(dir: string, policy: Policy): Promise<AuditProblem[]> {
  if (policy.min_cell <= 0) return [];
  const out: AuditProblem[] = [];
  const names = (await readdir(dir, { recursive: true })).map(String).sort();
  for (const name of names) {
    const path = join(dir, name);
    const lower = name.toLowerCase();
    if (lower.endsWith("results.json")) out.push(...auditResults(JSON.parse(await readFile(path, "utf8")), policy, name));
    else if (lower.endsWith(".geojson")) out.push(...auditAreas(JSON.parse(await readFile(path, "utf8")), policy, name));
    else if (lower.endsWith(".html")) out.push(...auditHtml(await readFile(path, "utf8"), policy, name));
    else if (lower.endsWith(".csv")) out.push(...auditCsv(await readFile(path, "utf8"), policy, name));
  }
  return out;
}
