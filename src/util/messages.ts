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

// ---- segments ----

const pct1 = (x: number) => `${(100 * x).toFixed(0)}%`;

export const noStructure = (s: { k: number; excess: number; z: number | null; null: { method: string; draws: number } }) =>
  `k-means finds no structure beyond chance: at k = ${s.k}, its best case, the silhouette is ${s.excess >= 0 ? "above" : "below"} that of ${s.null.draws} ${s.null.method === "permuted" ? "shuffled" : "uniform"} reference data sets by ${s.excess >= 0 ? "only " : ""}${Math.abs(s.excess).toFixed(3)}${s.z === null ? "" : ` (z = ${s.z.toFixed(1)})`}; read the clusters as a partition of a continuum, not as groups in the data`;

export const seedsDisagree = (k: number, seeds: { seed: number; k: number }[]) =>
  `the choice of k depends on the seed: seeds ${seeds.map((s) => s.seed).join(", ")} pick k = ${seeds.map((s) => s.k).join(", ")}; k = ${k} is the most frequent, treat neighbouring k as equally plausible`;

export const startsNotRepeated = (k: number, starts: number) =>
  `at k = ${k} the best k-means solution was found by one start only in ${starts} starts; a better partition may exist: raise segments.max_init`;

export const structureSkipped = (rows: number) =>
  `structure not tested against chance: ${rows} distinct rows are too few for the reference clusterings`;

export const lcaNotConverged = (ks: number[]) =>
  `latent class EM did not converge within segments.lca.max_iter for K = ${ks.join(", ")}; their fit statistics are approximate: raise segments.lca.max_iter`;

export const dominantVariable = (variable: string, share: number, separation: number | null) =>
  `${variable} dominates the clustering: it holds ${pct1(share)} of the variance${separation === null ? "" : ` and ${pct1(separation)} of what separates the clusters`}; the clusters largely split ${variable}: check segments.weights`;

export const ecologicalReading = (variables: string[], share: number, separation: number | null) =>
  `area-level columns (${variables.join(", ")}) hold ${pct1(share)} of the variance${separation === null ? "" : ` and ${pct1(separation)} of what separates the clusters`}: the clusters largely sort rows by the area they were in, so read them as area strata (an ecological reading), not as kinds of people`;
