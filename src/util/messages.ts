/**
 * Message constructors for user-facing errors and warnings, kept in one place so wording stays consistent.
 * Append new ones at the end of the section they belong to.
 */

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; ++j) prev[j] = j;
  for (let i = 1; i <= m; ++i) {
    cur[0] = i;
    for (let j = 1; j <= n; ++j) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** Up to `max` candidates closest to `name` (case-insensitive), best first; only reasonably close ones. */
export function closest(name: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = name.toLowerCase();
  const scored: [string, number][] = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    let d = editDistance(lower, cl);
    if (cl.includes(lower) || lower.includes(cl)) d = Math.min(d, 1);
    if (d <= Math.max(2, Math.floor(name.length / 3))) scored.push([c, d]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.slice(0, max).map(([c]) => c);
}

/** " (did you mean X or Y?)" or "" when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  if (!c.length) return "";
  return ` (did you mean ${c.map((s) => JSON.stringify(s)).join(" or ")}?)`;
}

// ---- study file ----

export const unknownKey = (file: string, path: string, key: string, known: string[]) =>
  `${file}: unknown key "${key}" at ${path || "top level"}${didYouMean(key, known)}; known keys: ${known.join(", ")}`;

export const columnNotFound = (where: string, column: string, table: string, available: string[]) =>
  `${where}: column "${column}" not found in table "${table}"${didYouMean(column, available)}; run "openbeat inspect" on the source to see its columns`;

// ---- data ----

export const sourceMissing = (file: string, source: string, path: string) =>
  `${file}: source "${source}": file not found: ${path}; check the path (relative to the study file, or pass --data DIR)`;

export const prepareFailed = (file: string, step: string, message: string) => `${file}: prepare step "${step}" failed: ${message}`;

// ---- data: sources ----

export const sourceNotFile = (file: string, source: string, path: string) =>
  `${file}: source "${source}": ${path} is a directory, not a file; point the path at the data file itself`;

export const sourceUnreadable = (file: string, source: string, path: string, reason: string) =>
  `${file}: source "${source}": cannot read ${path} (${reason}); check the file's permissions`;

export const sourceUnknownFormat = (file: string, source: string, path: string) =>
  `${file}: source "${source}": cannot tell the format of ${path} from its extension; add "format: csv", "format: geojson" or "format: shapefile"`;

/** `where` names the file, e.g. `study.yaml: source "crime" (data/crime.csv)` or just the path. */
export const sourceEmpty = (where: string) => `${where}: the file is empty (0 bytes); export the data again or remove the source`;

export const sourceLoadFailed = (where: string, message: string) => `${where}: cannot load the file: ${message}`;

export const csvMostlyRejected = (where: string, rejected: number, total: number, firstLine: number, reason: string) =>
  `${where}: ${rejected} of ${total} data rows are malformed (first at line ${firstLine}: ${reason}); check "delimiter" and "types" in the study file, or run "openbeat inspect" on the file`;

export const csvRejectedRows = (path: string, rejected: number, firstLine: number, reason: string) =>
  `${path}: skipped ${rejected} malformed row${rejected === 1 ? "" : "s"} (first at line ${firstLine}: ${reason})`;

export const csvRepeatedHeader = (path: string, rows: number) =>
  `${path}: dropped ${rows} repeated header line${rows === 1 ? "" : "s"} found inside the data`;

export const csvEmptyHeader = (path: string, renamed: string[]) =>
  `${path}: ${renamed.length} column${renamed.length === 1 ? " has" : "s have"} an empty header, named ${renamed.join(", ")}`;

export const csvDuplicateHeader = (path: string, renamed: string[]) => `${path}: duplicate column names renamed: ${renamed.join(", ")}`;

export const csvHeaderOnly = (path: string) => `${path}: has a header but no data rows`;

export const unsupportedEncoding = (where: string, encoding: string, supported: string[]) =>
  `${where}: unsupported encoding "${encoding}"; use one of ${supported.join(", ")}`;

export const sourceNotFetched = (file: string, source: string, kind: string) =>
  `${file}: source "${source}" is a ${kind} source that has not been fetched; run "openbeat fetch" on the study file first`;

// ---- portals ----

/** Column changes of a portal source since its previous fetch. */
export const schemaChanged = (
  source: string,
  c: { added: string[]; removed: string[]; retyped: { name: string; from: string; to: string }[] },
) => {
  const parts: string[] = [];
  if (c.added.length) parts.push(`added ${c.added.join(", ")}`);
  if (c.removed.length) parts.push(`removed ${c.removed.join(", ")}`);
  if (c.retyped.length) parts.push(`retyped ${c.retyped.map((r) => `${r.name} (${r.from} -> ${r.to})`).join(", ")}`);
  return `source "${source}": the portal's columns changed since the last fetch: ${parts.join("; ")}; check the prepare SQL`;
};

// ---- input checks (CSV encoding and quoting, score input) ----

export const csvNotUtf8 = (where: string, line: number) =>
  `${where}: the file is not UTF-8 (first bad bytes on line ${line}); add "encoding: latin-1" to the source (or utf-16), or save the file as UTF-8`;

export const csvUnbalancedQuote = (where: string, line: number, rejected: number, total: number) =>
  `${where}: line ${line} opens a double quote (") that is never closed, so ${rejected} of ${total} data rows could not be split into columns; close or remove that quote`;

export const scoreInputColumns = (input: string, model: string, absent: string[], needed: string[], present: string[]) =>
  `${input}: missing column${absent.length === 1 ? "" : "s"} ${absent.map((c) => JSON.stringify(c)).join(", ")}${absent.length === 1 ? didYouMean(absent[0], present) : ""} that ${model} needs; the input must have the columns ${needed.join(", ")}`;

export const csvLineTooLong = (where: string, line: number, bytes: number, limit: number) =>
  `${where}: line ${line} is ${bytes.toLocaleString("en-US")} bytes long, more than the ${limit.toLocaleString("en-US")} a row may have; a quote is probably never closed or a field holds a whole document: fix or remove that line`;

export const csvUnclosedQuote = (where: string, line: number) =>
  `${where}: line ${line} opens a double quote (") that is never closed, so the lines after it read as one field; close or remove that quote`;

// ---- risk: leakage, label, inference ----

const pct1 = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A category that nearly fixes the label; counts below `minCell` are not printed. */
export const leakageLevel = (
  target: string,
  column: string,
  value: string,
  f: { rate: number; count: number; positives: number; lower: number; minCell: number },
) => {
  const share =
    f.count < f.minCell
      ? `${f.positives === f.count ? "all" : f.rate >= 0.5 ? "most" : "some"} of its fewer than ${f.minCell} rows`
      : `${pct1(f.rate)} of its ${f.count.toLocaleString("en-US")} rows (95% interval from ${pct1(f.lower)})`;
  return `possible label leakage: ${column} = ${JSON.stringify(value)} has ${target} in ${share}; if this value records the outcome, leave its rows out with risk.exclude_rows: { ${column}: [${JSON.stringify(value)}] } (features.exclude_values is not enough: it moves the value into "(other)", which still leaks), or remove ${column} from the features if the whole column is recorded after the outcome`;
};

/** A numeric feature that alone separates the classes. */
export const leakageNumeric = (target: string, column: string, auc: number, limit: number) =>
  `possible label leakage: numeric feature ${column} alone separates ${target} with ROC AUC ${Math.max(auc, 1 - auc).toFixed(3)} (above ${limit}); if it is measured after the outcome or derived from it, remove it from risk.features.numeric`;

export const targetAsFeature = (where: string, target: string, column: string, reason: string) =>
  `${where}: risk.features: "${column}" ${reason}: it is the target "${target}" or an expression of it, so the model would read the answer; remove it from risk.features`;

export const labelNeedsDate = (where: string) =>
  `${where}: risk.label.censor_before / censor_after need a date column; add risk.date naming the timestamp the label window applies to`;

export const riskDateNotDate = (where: string, column: string, type: string) =>
  `${where}: risk.date "${column}" is ${type}, not a timestamp; parse it in a prepare step, e.g. strptime(${column}, '%m/%d/%Y %H:%M')`;

export const labelCheckSql = (where: string, name: string, message: string) =>
  `${where}: risk.label.checks "${name}": its where condition failed: ${message}; write an SQL condition over the analysis table's columns`;

export const labelCheck = (target: string, name: string, f: { positives: number; negatives: number; total: number; minCell: number }) => {
  const n = (k: number) => (k > 0 && k < f.minCell ? `<${f.minCell}` : k.toLocaleString("en-US"));
  return `label check "${name}": ${n(f.positives)} of the ${f.total.toLocaleString("en-US")} rows with ${target} = 1 and ${n(f.negatives)} with ${target} = 0 match; read the label with this in mind`;
};

export const labelDrift = (
  target: string,
  d: {
    first: string;
    firstRate: number;
    last: string;
    lastRate: number;
    high: string;
    highRate: number;
    low: string;
    lowRate: number;
    p: number;
  },
) =>
  `the rate of ${target} drifts over time: ${pct1(d.firstRate)} in ${d.first}, ${pct1(d.lastRate)} in ${d.last} (highest ${pct1(d.highRate)} in ${d.high}, lowest ${pct1(d.lowRate)} in ${d.low}; chi-squared test of equal rates p ${d.p < 0.001 ? "< 0.001" : `= ${d.p.toPrecision(2)}`}); check that the label's source covers the whole period (risk.label.censor_before / censor_after), and read the model as describing the pooled period`;

export const temporalUndated = (rows: number, column: string) =>
  `${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"} with no ${column} left out of the temporal split (neither trained nor tested): a row without a date cannot be placed before or after the cut`;

export const lowEpv = (epv: number, events: number, parameters: number) =>
  `events per variable is ${epv.toFixed(1)} (${events.toLocaleString("en-US")} events of the rarer class for ${parameters} coefficients), below 10: the factors' estimates are unstable; merge rare levels (features.min_frequency) or use fewer features`;

export const aliasedLevels = (items: { feature: string; combination: string }[]) =>
  `${items.length} design column${items.length === 1 ? " is" : "s are"} an exact combination of others and got no estimate: ${items
    .slice(0, 3)
    .map((a) => `${a.feature} = ${a.combination}`)
    .join("; ")}${items.length > 3 ? "; …" : ""}; the data cannot tell these effects apart`;

export const collinearLevels = (items: { feature: string; vif: number }[], limit: number) =>
  `${items.length} coefficient${items.length === 1 ? " has" : "s have"} a variance inflation factor above ${limit} (${items
    .slice(0, 3)
    .map((v) => `${v.feature} ${v.vif.toFixed(1)}`)
    .join(", ")}${items.length > 3 ? ", …" : ""}): their intervals are wide because other columns nearly duplicate them`;

export const inferenceNotConverged = (method: string) =>
  `the ${method === "mle" ? "maximum-likelihood" : "Firth"} inference model did not converge${method === "mle" ? " (separation: some level has no events or no non-events)" : ""}: its factors have no intervals; use factors.method: firth`;

export const referenceColumnUnknown = (where: string, column: string, known: string[]) =>
  `${where}: risk.factors.reference names "${column}", which is not a feature${didYouMean(column, known)}; use one of ${known.join(", ")}`;

export const referenceLevelUnknown = (where: string, column: string, value: string, levels: string[]) =>
  `${where}: risk.factors.reference: ${column} has no level ${JSON.stringify(value)}${didYouMean(value, levels)}; levels: ${levels
    .slice(0, 8)
    .map((l) => JSON.stringify(l))
    .join(", ")}${levels.length > 8 ? ", …" : ""}`;
