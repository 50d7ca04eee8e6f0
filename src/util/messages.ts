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

/** The study-file path names a folder. */
export const studyIsDirectory = (file: string) => `${file}: is a directory; give the path of a study file (.yaml)`;

/** The study file does not exist. */
export const studyNotFound = (file: string) => `${file}: study file not found; check the path`;

/** The study file exists but cannot be read; `reason` is the system's error code. */
export const studyUnreadable = (file: string, reason: string) => `${file}: cannot read study file (${reason})`;

/**
 * The study file is not valid YAML; `line` is where the parser stopped, `duplicateKey` the key written twice when
 * that is the problem.
 */
export const invalidYaml = (file: string, line: number | undefined, what: string, duplicateKey?: string) =>
  `${file}${line ? `:${line}` : ""}: invalid YAML: ${what}; ${
    duplicateKey
      ? `"${duplicateKey}" appears twice at this level; keep one`
      : "check indentation (spaces, not tabs), quotes and closing brackets"
  }`;

/** An alias to a missing anchor, or too many aliases. */
export const invalidYamlAlias = (file: string, reason: string) =>
  `${file}: invalid YAML: ${reason}; define each &anchor before its *alias, or write the value out`;

/** The YAML is valid but is not a mapping (empty, a list, a scalar). */
export const studyNotMapping = (file: string) => `${file}: a study file must be a YAML mapping with at least name, kind and sources`;

/** The study file breaks its schema; `line` is where, `problem` says what (from the schema's issue). */
export const studyInvalid = (file: string, line: string | undefined, problem: string) => `${file}${line ? `:${line}` : ""}: ${problem}`;

/** `kind` names a study kind whose section is absent; `hint` lists what the section needs at least. */
export const kindSectionMissing = (file: string, kind: string, hint: string) =>
  `${file}: kind is "${kind}" but there is no "${kind}:" section; add one with at least "${hint}"`;

/** The file has the section of another kind than its `kind`. */
export const otherKindSection = (file: string, kind: string, other: string) =>
  `${file}: kind is "${kind}" but the file has a "${other}:" section; remove it or change kind`;

/**
 * `disclosure.min_cell` and its alias `report.min_cell` are both given, with different values (the schema issue's
 * message: the study-file error puts `"disclosure.min_cell": ` and the line before it).
 */
export const minCellConflict = (disclosure: number, report: number) =>
  `${disclosure}, but report.min_cell is ${report}; they are one setting: keep disclosure.min_cell and remove report.min_cell`;

/** Two prepare steps share a name. */
export const duplicateStepName = (file: string, step: string) =>
  `${file}: prepare step name "${step}" is used twice; give each step its own name`;

/** A prepare step has a source's name. */
export const stepNamedLikeSource = (file: string, step: string) =>
  `${file}: prepare step "${step}" has the name of a source; rename one of them`;

/** Several sources, no prepare steps and no `table:`: nothing says which table to analyse. */
export const noAnalysisTable = (file: string) =>
  `${file}: several sources and no prepare steps; add "table:" naming the table to analyse, or a prepare step that joins them`;

/** `table:` (or the last prepare step) names a table that does not exist. */
export const tableNotFound = (file: string, table: string) => `${file}: table "${table}" does not exist; name a source or prepare step`;

/** The kind's `features` section lists no column. */
export const riskNoFeatures = (where: string) => `${where}: risk.features lists no columns; add categorical, numeric or dates`;

/** The segments `features` section lists no column that gives a feature. */
export const segmentsNoFeatures = (where: string) => `${where}: segments.features lists no columns; add categorical or numeric columns`;

/** `risk.validation.test_from` does not parse as a date. */
export const testFromNotDate = (where: string, value: string) =>
  `${where}: risk.validation.test_from "${value}" is not a date (use YYYY-MM-DD)`;

// ---- data ----

export const sourceMissing = (file: string, source: string, path: string) =>
  `${file}: source "${source}": file not found: ${path}; check the path (relative to the study file, or pass --data DIR)`;

/**
 * A prepare step failed: the first line names the study file, the line (when known) and the engine's message; the
 * engine's hint lines follow, indented (`Candidate bindings: …`, the SQL line with its `^`).
 */
export const prepareFailed = (file: string, step: string, message: string, line?: number, hints: string[] = []) =>
  `${file}${line === undefined ? "" : `:${line}`}: prepare step "${step}" failed: ${message}${hints.map((h) => `\n  ${h}`).join("")}`;

/** The label before an SQL line quoted in a prepare error: the study file's line, else the line within the step's SQL. */
export const sqlLineLabel = (file: string, fileLine: number | undefined, sqlLine: number) =>
  fileLine === undefined ? `SQL line ${sqlLine}: ` : `${file}:${fileLine}: `;

/** The analysis table has no rows; `hasPrepare` says whether prepare steps made it. */
export const analysisTableEmpty = (file: string, table: string, hasPrepare: boolean) =>
  `${file}: the analysis table "${table}" has no rows; ${hasPrepare ? "check the prepare SQL filters" : "check that the source file has data rows"}`;

/** Examples of bad values as the messages quote them: `"a", "b"`. */
const examples = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(", ");

/** A numeric feature holds text that is not a number; `example` is one such value. */
export const featureNotNumeric = (where: string, column: string, count: number, example: unknown) =>
  `${where}: numeric feature "${column}" has ${count} values that are not numbers (e.g. ${examples([example])}); clean or cast it in a prepare step, or list it under categorical`;

/** Words DuckDB reads as SQL rather than as a column name when unquoted. */
const SQL_WORDS = new Set(
  "all and any as asc at between by case cast check collate column create date day default desc distinct do else end except false fetch for from grant group having hour in interval into is join like limit minute month not null offset on or order over primary references select some table then time timestamp to true union unique user using when where window with year".split(
    " ",
  ),
);

/** A column name as SQL that can be pasted: plain when it is a simple name, else double-quoted ("DATE OCC"). */
export const sqlName = (name: string): string =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !SQL_WORDS.has(name.toLowerCase()) ? name : `"${name.replaceAll('"', '""')}"`;

/**
 * How to parse a text column as a timestamp in prepare: with `format` (one that parses every value of the column),
 * a strptime call that works as written; without one, the call with a placeholder and a value to write it for.
 */
const parseDateHint = (column: string, type: string, format: string | undefined, example: string | undefined) => {
  const text = type === "VARCHAR" ? sqlName(column) : `CAST(${sqlName(column)} AS VARCHAR)`;
  if (format !== undefined) return `parse it in a prepare step: strptime(${text}, '${format}') parses every value`;
  return `parse it in a prepare step with strptime(${text}, 'FORMAT'), FORMAT written for values such as ${JSON.stringify(example ?? "")} (DuckDB's strptime specifiers: %Y-%m-%d %H:%M:%S); try_strptime turns values that do not parse into NULL`;
};

/** A numeric feature holds NaN or infinite values; `example` is one such value. */
export const featureNotFinite = (where: string, column: string, count: number, example: unknown) =>
  `${where}: numeric feature "${column}" has ${count} values that are NaN or infinite (e.g. ${examples([example])}); turn them into NULL in a prepare step, e.g. CASE WHEN isfinite(${sqlName(column)}) THEN ${sqlName(column)} END`;

/** A date feature's column is not a timestamp or date; `format` parses all of its values, when one was found. */
export const featureNotDate = (where: string, column: string, type: string, format?: string, example?: string) =>
  `${where}: date feature "${column}" has type ${type}, not a timestamp; ${parseDateHint(column, type, format, example)}`;

/** A date feature asks for `hour` but every one of its `rows` values is at midnight (a date without a time). */
export const dateWithoutTime = (where: string, column: string, rows: number, parts: string[]) =>
  `${where}: date feature "${column}" has no time of day (all ${rows.toLocaleString("en-US")} values are at 00:00), so its hour would be one level; remove hour from its parts, or name the column that holds the time of day: { column: ${column}, time: { column: TIME_COLUMN, format: hhmm }, parts: [${parts.join(", ")}] }`;

/** What a date's `time` column is expected to hold, by its format. */
const TIME_FORMAT_WORDS: Record<string, string> = {
  hhmm: "an HHMM time of day (0..2359, minutes below 60)",
  time: 'a time of day (a TIME value or text such as "14:30")',
};

/** No value of a date's `time` column reads as a time of day in its format; `example` is one of them. */
export const noTimesOfDay = (where: string, column: string, timeColumn: string, format: string, example: unknown) =>
  `${where}: no value of "${timeColumn}" (the time of ${column}) is ${TIME_FORMAT_WORDS[format] ?? format}, e.g. ${JSON.stringify(String(example))}; ${format === "hhmm" ? "for values such as 14:30 use format: time" : "for integers such as 1430 use format: hhmm"}, or parse the time in a prepare step`;

/** Warning: `count` of `present` values of a date's `time` column are not a time of day; their hour is missing. */
export const badTimesOfDay = (
  where: string,
  column: string,
  timeColumn: string,
  format: string,
  count: number,
  present: number,
  example: unknown,
) =>
  `${where}: ${count.toLocaleString("en-US")} of ${present.toLocaleString("en-US")} values of "${timeColumn}" (the time of ${column}) are not ${TIME_FORMAT_WORDS[format] ?? format} (e.g. ${JSON.stringify(String(example))}); their hour is missing`;

/** Every value of a feature column is missing; `kind` is categorical, numeric or date. */
export const featureEmpty = (where: string, kind: string, column: string, rows: number) =>
  `${where}: ${kind} feature "${column}" is empty (all ${rows} values are missing); remove it from the features or check the prepare SQL and the source column`;

/** A categorical feature has more levels than a category can (an id or free text). */
export const tooManyLevels = (where: string, column: string, levels: number, rows: number, maxLevels: number) =>
  `${where}: categorical feature "${column}" has ${levels.toLocaleString("en-US")} distinct values in ${rows.toLocaleString("en-US")} rows (more than ${maxLevels.toLocaleString("en-US")}); it looks like an id or free text: remove it, group it in a prepare step, or raise features.min_frequency`;

/** Warning: a feature column has one value in every row; `value` is that value as text. */
export const constantFeature = (where: string, column: string, value: unknown) =>
  `${where}: feature "${column}" has the same value (${examples([value])}) in every row; it carries no information: remove it from the features`;

/**
 * Warning: category values of a feature that differ only in letter case or in surrounding white space, with counts;
 * `folded` when the study file merges them.
 */
export const categoryVariants = (
  where: string,
  column: string,
  kind: "case" | "whitespace",
  groups: { values: { value: string; count: number }[] }[],
  folded: boolean,
) => {
  const shown = groups
    .slice(0, 3)
    .map((g) =>
      g.values
        .slice(0, 4)
        .map((v) => `${JSON.stringify(v.value)} (${v.count.toLocaleString("en-US")})`)
        .join(", "),
    )
    .join("; ");
  const more = groups.length > 3 ? ` and ${groups.length - 3} more` : "";
  const what = kind === "case" ? "letter case" : "white space around them";
  const fix = folded
    ? `merged into one level each (features.fold.${kind})`
    : `each spelling is its own level; set features.fold: { ${kind}: true } to merge them`;
  return `${where}: feature "${column}" has ${groups.length} value${groups.length === 1 ? "" : "s"} spelled differently only in ${what}: ${shown}${more}; ${fix}`;
};

/** An areas block with neither boundaries nor demographics has nothing to join. */
export const areasWithoutUse = () =>
  "an areas block needs boundaries (a GeoJSON source, for the map) or demographics (a table of area facts), or both; add one or remove areas";

/** An areas block names a table that the study file does not define. */
export const areaTableUnknown = (file: string, key: string, name: string, what: string, known: string[]) =>
  `${file}: ${key} is "${name}", which is not ${what}${didYouMean(name, known)}; name one of ${known.map((k) => JSON.stringify(k)).join(", ")}`;

/** Warning: the id column repeats ids. */
export const duplicateIds = (where: string, column: string, ids: number, rows: number, examples: string[]) =>
  `${where}: risk.id "${column}" is not unique: ${ids.toLocaleString("en-US")} id${ids === 1 ? "" : "s"} (e.g. ${examples.map((e) => JSON.stringify(e)).join(", ")}) appear in ${rows.toLocaleString("en-US")} rows; scores and features.parquet rows cannot be told apart by id: deduplicate in a prepare step or choose a unique id`;

/** A feature column listed twice (in one list or in two). */
export const featureListedTwice = (column: string, first: string, second: string) =>
  first === second
    ? `"${column}" is listed twice in ${first}; keep one`
    : `"${column}" is listed both as ${first} and as ${second}; keep it in one list (numeric for a measurement, categorical for codes)`;

/** The seed is out of range (study file or --seed). */
export const seedRange = (max: number, value?: string) =>
  `seed must be a whole number from 0 to ${max} (2^32 - 1)${value === undefined ? "" : `, not ${value}`}`;

/** Warning: rows left out, by reason (a missing target, the missing-value policy). */
export const rowsDropped = (rows: number, reason: string) => `${rows} rows dropped: ${reason}`;

/** The target has values that do not read as 0/1; `values` are the most frequent of them. */
export const targetNotBinary = (where: string, target: string, values: unknown[]) =>
  `${where}: target "${target}" has values other than 0/1, true/false or yes/no (e.g. ${examples(values)}); derive a 0/1 column in a prepare step`;

/** Every target value is missing. */
export const targetEmpty = (where: string, target: string, rows: number) =>
  `${where}: target "${target}" is empty in all ${rows} rows; check the column name and the label in your prepare SQL`;

/** The missing-value policy dropped every row; `dropped` counts rows by reason. */
export const noRowsLeft = (where: string, dropped: Record<string, number>) =>
  `${where}: no rows left after the missing-value policy (${Object.entries(dropped)
    .map(([r, c]) => `${c} ${r}`)
    .join(", ")}); use missing: { categorical: category } or clean the data in prepare`;

/** The kept rows have a single target class; `positives` counts the 1s among `rows`. */
export const targetOneClass = (where: string, target: string, positives: number, rows: number) =>
  `${where}: target "${target}" has only one class (${positives === 0 ? "no 1s" : "no 0s"} in ${rows} rows); check the label in your prepare SQL`;

/** `risk.validation.column` is not a timestamp or date. */
export const validationColumnNotDate = (where: string, column: string, type: string | undefined) =>
  `${where}: risk.validation.column "${column}" is ${String(type)}, not a timestamp; parse it in a prepare step`;

/** Warning: area names that match no boundary or demographics row, most rows first (the first five shown). */
export const unmatchedAreas = (column: string, unmatched: { name: string; rows: number }[]) =>
  `${unmatched.length} ${column} names (${unmatched.reduce((s, u) => s + u.rows, 0)} rows) match no area: ${unmatched
    .slice(0, 5)
    .map((u) => `${u.name} (${u.rows})`)
    .join(", ")}${unmatched.length > 5 ? ", …" : ""}; add them to segments.areas.aliases`;

/** Warning: rows without an area name. */
export const missingArea = (rows: number, column: string) => `${rows} rows have no ${column}`;

/** An expression under `segments.areas.demographics.columns` failed in the database. */
export const demographicsFailed = (where: string, message: string) => `${where}: segments.areas.demographics.columns: ${message}`;

// ---- data: sources ----

export const sourceNotFile = (file: string, source: string, path: string) =>
  `${file}: source "${source}": ${path} is a directory, not a file; point the path at the data file itself`;

/** A source path is a FIFO, a socket or a device: reading it could block forever or never end. */
export const sourceNotRegular = (file: string, source: string, path: string, what: string) =>
  `${file}: source "${source}": ${path} is ${what}, not a regular file; save the data to a file and point the path at it`;

/** A source file changed between the start and the end of loading it. */
export const sourceChanged = (where: string, what: string) =>
  `${where}: the file changed while it was read (${what}); wait until it is written completely (or copy it first) and run again`;

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

/** A `types:` entry is not a DuckDB type name. */
export const csvInvalidType = (column: string, type: string) =>
  `invalid type for column "${column}": ${JSON.stringify(type)} (expected a DuckDB type such as VARCHAR, BIGINT, DOUBLE, DATE, TIMESTAMP)`;

/** A GeoJSON file that does not parse as JSON. */
export const geojsonNotJson = (where: string, reason: string) => sourceLoadFailed(where, `not valid JSON (${reason})`);

/** A GeoJSON file that is not a FeatureCollection; `type` is its parsed `type` member, if any (non-text as JSON). */
export const geojsonNotCollection = (where: string, type: unknown) =>
  sourceLoadFailed(
    where,
    `expected a GeoJSON FeatureCollection, found ${type ? `type "${typeof type === "string" ? type : JSON.stringify(type)}"` : 'no "type"'}`,
  );

/** A shapefile without its .dbf. */
export const shapefileNoDbf = (where: string, dbfPath: string) =>
  sourceLoadFailed(where, `the attribute file ${dbfPath} is missing; copy it next to the .shp`);

/** A .dbf encoding (given or from the .cpg) that is not known. */
export const shapefileEncoding = (where: string, encoding: string) =>
  sourceLoadFailed(where, `unknown .dbf encoding "${encoding}"; set "encoding" (e.g. latin1, utf-8)`);

/** A .shp/.dbf pair that cannot be opened. */
export const shapefileUnreadable = (where: string, reason: string) => sourceLoadFailed(where, `not a readable shapefile (${reason})`);

/** A shapefile record (1-based) that cannot be read. */
export const shapefileRecordUnreadable = (where: string, record: number, reason: string) =>
  sourceLoadFailed(where, `cannot read record ${record} (${reason})`);

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

/** `arcgis.time_zone` is not an IANA zone name. */
export const portalTimeZone = (source: string, timeZone: string) =>
  `source "${source}": arcgis.time_zone "${timeZone}" is not an IANA time zone; use e.g. UTC or America/New_York`;

/** An error the ArcGIS server reported; `text` is its code, message and details. */
export const arcgisFailed = (text: string) => `${text}; check the layer URL, where and out_fields`;

/** An ArcGIS URL that is not a layer. */
export const arcgisNotLayer = (url: string) => `${url}: not a layer (no fields); the URL should end in /FeatureServer/N or /MapServer/N`;

/** A `format` a URL source cannot be downloaded as. */
export const portalFormatNotDownloadable = (source: string, format: string) =>
  `source "${source}": format "${format}" cannot be downloaded; use csv or geojson`;

/** A URL source without `format` whose extension says nothing. */
export const portalUnknownFormat = (source: string, url: string) =>
  `source "${source}": cannot tell the format of ${url}; add format: csv or format: geojson`;

/** A GeoJSON download that is not a FeatureCollection. */
export const portalNotFeatureCollection = (source: string, url: string) => `source "${source}": ${url} is not a GeoJSON FeatureCollection`;

/** A portal answer with an HTTP error that retrying will not fix; `snippet` is the start of its body. */
export const portalHttp = (url: string, status: number, statusText: string, snippet: string) =>
  `${url}: HTTP ${status} ${statusText}${snippet ? `: ${snippet}` : ""}; check the dataset address and query`;

/** Every attempt at a portal request failed; `lastReason` says how the last one did. */
export const portalGaveUp = (url: string, attempts: number, lastReason: string) =>
  `${url}: gave up after ${attempts} attempts (last: ${lastReason}); try again later or raise the retry limit`;

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

// ---- models and validation ----

/** SMOTE needs more minority rows per training fold than its neighbours. */
export const smoteTooFew = (kNeighbors: number, minority: number) =>
  `SMOTE needs more than k_neighbors = ${kNeighbors} minority rows in each training fold, found ${minority}; lower resample.k_neighbors or use method: class_weight`;

/** A validation split (1-based) whose test or training rows have one class. */
export const splitOneClass = (where: string, split: number, part: "test" | "training") =>
  `${where}: validation split ${split} has only one class in its ${part} rows; use more data, fewer folds or another validation method`;

/** The largest k asked for needs more rows than remain. */
export const kTooLarge = (where: string, kMax: number, rows: number) =>
  `${where}: k up to ${kMax} needs more than ${kMax} rows, but only ${rows} rows remain; lower segments.k.max`;

/** The largest k asked for needs more distinct feature rows than there are. */
export const kTooLargeDistinct = (where: string, kMax: number, distinct: number) =>
  `${where}: k up to ${kMax} needs more than ${kMax} distinct rows, but the features take only ${distinct} distinct values; lower segments.k.max or add features`;

// ---- score ----

/** `openbeat score` input file that does not exist; `columns` are the ones the model reads. */
export const scoreInputNotFound = (input: string, columns: string[]) =>
  `${input}: input file not found; give a CSV with the columns ${columns.join(", ")}`;

/** The score input is a folder, a FIFO or a device, not a file. */
export const scoreInputNotFile = (input: string, what: string) =>
  `${input}: is ${what}; give the path of a CSV or Parquet file with the model's columns`;

/** Malformed rows in a score input without an id column: rows could not be labelled by their place in the file. */
export const scoreRowsRejected = (input: string, rows: number, firstLine: number) =>
  `${input}: ${rows} row${rows === 1 ? " is" : "s are"} malformed (first at line ${firstLine}); fix ${rows === 1 ? "it" : "them"} so every row is scored and numbered by its place in the file`;

/** A score input column holds values that do not read as the type the model was trained on. */
export const scoreInputType = (input: string, column: string, type: string, bad: number, example: unknown) =>
  `${input}: column "${column}" has ${bad.toLocaleString("en-US")} value${bad === 1 ? "" : "s"} that ${bad === 1 ? "is" : "are"} not ${type}, the type it had in the training data (e.g. ${JSON.stringify(String(example))}); fix the values or export the column as it was for training`;

/** A data column has a name openbeat gives its own output columns. */
export const reservedColumn = (where: string, table: string, column: string) =>
  `${where}: ${table} has a column named "${column}", a name openbeat gives its own output columns; rename it in a prepare step (SELECT * EXCLUDE (${sqlName(column)}), ${sqlName(column)} AS ${sqlName(column.replace(/^_+/, "") + "_in_data")} FROM ...) or in the export`;

/** `score --out` names the input or the model. */
export const scoreOutConflict = (out: string, what: string) => `--out ${out}: is ${what}; choose another file for the scores`;

/** A replaced source's new files, for messages: `new.csv (source "crimes")`. */
const replacedFiles = (lacking: { source: string; files: string[] }[]) =>
  lacking.map((l) => `${l.files.join(", ")} (source "${l.source}")`).join("; ");

/** A raw export lacks a column that the study's prepare SQL (or, with no step, its features) reads. */
export const scoreExportColumn = (lacking: { source: string; files: string[] }[], column: string, study: string, step: string | null) =>
  `${replacedFiles(lacking)}: no column "${column}", which ${step === null ? `the model of ${study} needs` : `the prepare SQL of ${study} reads (step "${step}")`}; export the file with that column, or pass a copy of the study file adapted to the new export with --study`;

/** The results folder has no study text to replay. */
export const scoreNoStudy = (dir: string, why: string) => `${dir}: ${why}; pass the study file the model was trained by with --study FILE`;

/** The study given to score is not a risk study. */
export const scoreNotRiskStudy = (study: string, kind: string) =>
  `${study}: a ${kind} study has no model to score with; give the risk study that wrote the model`;

/** `--source NAME=FILE` names no source of the study. */
export const scoreSourceUnknown = (study: string, name: string, names: string[]) =>
  `--source ${name}=…: the study ${study} has no source "${name}"${didYouMean(name, names)}; its sources: ${names.join(", ")}`;

/** A portal source was not given a new file (score never downloads). */
export const scoreSourceNeeded = (study: string, name: string) =>
  `${study}: source "${name}" is a portal dataset, which score does not download; give a file for it with --source ${name}=FILE`;

/** A new export named on the command line is missing or not a file. */
export const scoreExportNotFound = (file: string, source: string, what: string) =>
  `${file}: ${what}; give the new export of source "${source}" (a CSV, Parquet or NDJSON file as the study reads it)`;

/** Positional raw exports, but the study has several sources. */
export const scoreWhichSource = (files: string[], names: string[]) =>
  `${files.join(", ")}: the study has ${names.length} sources (${names.join(", ")}); say which one each new file replaces with --source NAME=FILE (e.g. --source ${names[0]}=${files[0]})`;

/** A `--source` value without `NAME=`. */
export const scoreSourceArg = (value: string) => `--source ${value}: expected NAME=FILE, e.g. --source crimes=new.csv`;

/** Prepared mode takes exactly one input. */
export const scoreInputs = (count: number) =>
  count === 0
    ? "score needs an input file: a CSV or Parquet file with the prepared feature columns, or raw exports with --raw"
    : `score takes one input file with the prepared feature columns (got ${count}); to score raw exports with the study's own loading and prepare SQL, add --raw`;

/** Raw mode with no new file at all. */
export const scoreNoExports = (names: string[]) =>
  `score --raw needs the new exports: give the file${names.length === 1 ? "" : "s"} (or --source NAME=FILE for ${names.join(", ")})`;

/** `--study` given, and the results folder recorded another text. */
export const scoreStudyDiffers = (study: string, manifest: string) =>
  `${study} differs from the study file recorded in ${manifest}; scoring applies ${study}'s sources and prepare SQL to the new exports`;

/** A column a new export lacks was read as empty: only columns scoring does not read (the target) depend on it. */
export const scoreColumnFilled = (files: string[], source: string, column: string) =>
  `note: ${files.join(", ")} (source "${source}") has no column "${column}"; it feeds only columns that scoring does not read (such as the target), so it was read as empty`;

/** Rows of the new exports that a row filter of the study would leave out (they are scored). */
export const scoreLeftOut = (rows: number, reason: string) =>
  `${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"} the study would leave out (${reason}); ${rows === 1 ? "it is" : "they are"} scored all the same`;

/** The model file does not exist. */
export const modelNotFound = (path: string) => `${path}: model file not found; pass the model.json of a risk study's results folder`;

/** The model file is not JSON. */
export const modelNotJson = (path: string) => `${path}: not valid JSON; pass the model.json of a risk study's results folder`;

/** The model file is JSON but not an openbeat risk model. */
export const notRiskModel = (path: string) => `${path}: not an openbeat risk model (model.json from "openbeat run" on a risk study)`;

/** A field of model.json is missing or has the wrong type or value (`value` describes what is there). */
export const modelFieldInvalid = (path: string, field: string, value: string, problem: string) =>
  `${path}: model field "${field}" is ${value} (${problem}); the file was edited or damaged: use the model.json that "openbeat run" wrote`;

/** The model's coefficients and encoder disagree. */
export const modelShapeMismatch = (path: string, coefficients: number, features: number) =>
  `${path}: model has ${coefficients} coefficients for ${features} features; the file was edited or comes from another version`;

// ---- command line, databases, results folder ----

/** The working folder was deleted while openbeat was started from it. */
export const cwdMissing = () => "the working folder no longer exists (it was deleted or moved); cd to an existing folder and run again";

/** An operating-system error, by its errno code, on `path` (when known). */
export const osFailure = (code: string, path: string | undefined, syscall: string | undefined) => {
  const at = path ?? "a file";
  switch (code) {
    case "EROFS":
      return `${at}: the file system is read-only; write to a folder on a writable disk`;
    case "EACCES":
    case "EPERM":
      return `${at}: permission denied${syscall ? ` (${syscall})` : ""}; check the permissions, or choose a path you can use`;
    case "ENOSPC":
    case "EDQUOT":
      return `${at}: the disk is full; free some space, or choose a folder on another disk`;
    case "ENOTDIR":
      return `${at}: a part of the path is a file, not a folder; fix the path`;
    case "ENAMETOOLONG":
      return `${at}: the name is too long for the file system; choose a shorter path`;
    case "ENOENT":
      return `${at}: no such file or folder; check the path`;
    case "EISDIR":
      return `${at}: is a folder, not a file; give the path of a file`;
    default:
      return `${at}: ${syscall ?? "the operation"} failed (${code}); check the disk and the path, then run again`;
  }
};

/** `openbeat inspect` on a path that does not exist. */
export const inspectNotFound = (file: string) => `${file}: file not found; check the path`;

/** `openbeat inspect` on a folder. */
export const inspectIsFolder = (file: string) => `${file}: is a folder; give a CSV, GeoJSON or shapefile`;

/** `--db` with a scheme openbeat does not speak; `url` is already redacted. */
export const unsupportedDbUrl = (url: string) =>
  `--db ${url}: unsupported database URL; use postgres://user@host:port/dbname, or leave --db out for the embedded DuckDB`;

/** DuckDB cannot open the database file. */
export const dbOpenFailed = (path: string, reason: string) => `cannot open database ${path}: ${reason}`;

/** PostgreSQL refuses the connection; `url` is already redacted and `reason` scrubbed of secrets. */
export const dbConnectFailed = (url: string, reason: string) =>
  `cannot connect to ${url}: ${reason}; check that the server is running and the URL is right`;

/** A prepare step written only for the other engine than the one it runs on. */
export const prepareWrongDialect = (file: string, step: string, engine: "duckdb" | "postgres") => {
  const other = engine === "postgres" ? "duckdb" : "postgres";
  return `${file}: prepare step "${step}" is written for ${other} (dialect: ${other})${engine === "postgres" ? '; add a "postgres:" version of it, or run without --db' : "; run it with --db postgres://…, or add a portable version"}`;
};

/** `--memory-limit` is not a size. */
export const memorySizeInvalid = (value: string) => `must be a size such as 4GB, 512MB or 2GiB, not "${value}"`;

/** `--out` is a file. */
export const outNotFolder = (out: string) => `--out ${out}: exists and is not a folder; choose another path`;

/**
 * `--out` is a folder with other files in it, not written by openbeat.
 * @param holds the entries it holds, as listed
 * @param why why openbeat does not recognise it
 * @param force whether --force was given
 */
export const outNotResults = (out: string, holds: string, why: string, force: boolean) =>
  `--out ${out}: folder is not empty (it holds ${holds}) and ${why}, so openbeat did not write it; choose a new or empty folder for --out${force ? " (--force only replaces results folders of openbeat)" : ""}`;

/** `--out` (or a part of it) is on a read-only file system. */
export const outReadOnly = (out: string, path: string) =>
  `--out ${out}: the file system is read-only (${path}); choose a folder on a writable disk`;

/** No permission to write under `--out`. */
export const outNoPermission = (out: string, path: string) =>
  `--out ${out}: no permission to write ${path}; choose a folder you can write to`;

/** The disk under `--out` is full. */
export const outDiskFull = (out: string, path: string) =>
  `--out ${out}: the disk is full (writing ${path}); free some space or choose another disk`;

/** `--out` is too long a path. */
export const outPathTooLong = (out: string) => `--out ${out}: the path is too long for the file system; choose a shorter --out`;

/** A part of `--out` is a file. */
export const outPartIsFile = (out: string, path: string) =>
  `--out ${out}: a part of the path is a file, not a folder (${path}); choose another --out`;

/** Another write error under `--out`; `reason` is the system's error code or message. */
export const outCannotWrite = (out: string, path: string, reason: string) =>
  `--out ${out}: cannot write ${path} (${reason}); choose another --out`;

/** `--out` is an input (`label`: the data folder, a source, the study file's folder). */
export const outIsInput = (out: string, label: string) => `--out ${out}: is ${label}; choose another folder for the results`;

/** `--out` contains an input, which replacing the folder would delete. */
export const outContainsInput = (out: string, label: string) =>
  `--out ${out}: contains ${label}, which replacing the folder would delete; choose a folder outside it`;

/** `--out` is inside an input folder. */
export const outInsideInput = (out: string, label: string) =>
  `--out ${out}: is inside ${label}; keep results out of the inputs, e.g. --out out/NAME`;

/** `--out` is a symbolic link. */
export const outSymlink = (out: string) => `--out ${out}: is a symbolic link; give the folder it points to, or a new folder`;

/**
 * `--out` holds results of an openbeat that wrote no marker.
 * @param marker the marker file's name
 * @param kept the user's entries that replacing would keep, as listed ("" for none)
 */
export const outLegacy = (out: string, marker: string, kept: string) =>
  `--out ${out}: holds results of an older openbeat (results.json and manifest.json, no ${marker} marker); pass --force to replace them${kept ? ` (${kept} would be kept)` : ""}, or choose a new --out`;

/** Another run holds the lock of `--out`. */
export const outLocked = (out: string, lockPath: string, pid?: number) =>
  `--out ${out}: another openbeat run${pid ? ` (pid ${pid})` : ""} is writing this folder; wait for it to finish or choose another --out (if no run is active, delete ${lockPath})`;

/** The working folder was deleted under the run. */
export const outNoWorkingFolder = (out: string) => `--out ${out}: the working folder no longer exists; cd to a folder and run again`;

/** `--out` is a file-system root. */
export const outRoot = (out: string) => `--out ${out}: is a file-system root; choose a folder for the results`;

/** A file the user kept in `--out` has the name of a file the run writes. */
export const outKeptConflict = (out: string, name: string) =>
  `--out ${out}: ${name} was not written by openbeat, and this run writes a file of that name; move it out of the folder and run again`;

/** A message from below the study file, prefixed with the study file's path. */
export const inStudyFile = (studyFile: string, message: string) => `${studyFile}: ${message}`;

// ---- serve ----

/** A non-loopback `--host` without `--token`. */
export const serveNeedsToken = (host: string) =>
  `--host ${host} exposes the dashboard beyond this machine; also pass a token (--token) or use --host 127.0.0.1`;

/** A `--token` too short to protect anything. */
export const serveTokenTooShort = () => "the token must have at least 8 characters";

/** `--connections` out of range. */
export const serveConnections = (given: string) => `--connections ${given}: the server needs 1 to 64 database connections`;

/** `openbeat serve` without a folder. */
export const serveNoFolder = () => "no results folder given; pass one written by `openbeat run`";

/** `--port` is taken. */
export const portInUse = (port: number) => `port ${port} is in use; pass another with --port N`;

/** `--host` is not an address of this machine. */
export const hostNotAvailable = (host: string) => `cannot bind ${host}: no such address on this machine`;

/** A path given to `openbeat serve` that is not a folder. */
export const serveNotFolder = (dir: string) => `${dir}: not a folder; pass a results folder written by \`openbeat run\``;

/** A folder with no results.json in it or its subfolders. */
export const serveNoResults = (dir: string) =>
  `${dir}: no results.json here or in its subfolders; pass a results folder written by \`openbeat run\``;

/** results.json cannot be read or parsed. */
export const resultsUnreadable = (file: string, reason: string) => `${file}: cannot read results.json (${reason}); rerun \`openbeat run\``;

/** results.json of an unknown study kind. */
export const resultsUnknownStudy = (file: string) => `${file}: "study" must be "risk" or "segments"; rerun \`openbeat run\``;

/** results.json from a version without the dashboard section. */
export const resultsNoDashboard = (file: string) => `${file}: no "dashboard" section; rerun \`openbeat run\` with this version`;

/** prepared.parquet without `_row`, which record keys are made from. */
export const preparedNoRow = (path: string) =>
  `${path}: has no _row column, which the dashboard's disclosure needs; rerun \`openbeat run\``;

/** prepared.parquet with a column the server adds itself. */
export const preparedReservedColumn = (path: string, column: string) =>
  `${path}: has a column named ${column}, which openbeat serve reserves; rename it in the prepare SQL and rerun \`openbeat run\``;

/** `serve --public` on a run whose disclosure policy turns protection off. */
export const servePublicUnsafe = (dir: string, why: string) =>
  `${dir}: not served with --public because ${why}; change the study file's disclosure section and rerun, or serve without --public`;

/** A results folder without prepared.parquet. */
export const preparedMissing = (path: string) => `${path}: missing; rerun \`openbeat run\``;

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

/** risk.date is not a timestamp or date; `format` parses all of its values, when one was found. */
export const riskDateNotDate = (where: string, column: string, type: string, format?: string, example?: string) =>
  `${where}: risk.date "${column}" is ${type}, not a timestamp; ${parseDateHint(column, type, format, example)}`;

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

export const smoteLarge = (minority: number, distinct: number, synthetic: number, bytes: number) =>
  `SMOTE on ${minority.toLocaleString("en-US")} minority rows (${distinct.toLocaleString("en-US")} distinct) adds ${synthetic.toLocaleString("en-US")} synthetic rows (about ${(bytes / 1e9).toFixed(1)} GB with the originals) to every fit; resample.method: class_weight weights the rows instead, without new ones`;

export const modelNotConverged = (maxIter: number, tol: number, failed: number, fits: number, final: boolean) =>
  `${final ? `the final scoring model${failed > 1 ? ` and ${failed - 1} more of ${fits - 1} validation fits` : ""}` : `${failed} of ${fits - 1} validation fits of the scoring model`} reached risk.model.max_iter = ${maxIter} L-BFGS iterations before the largest gradient entry fell to risk.model.tol = ${tol}: ${final ? "its" : "their"} coefficients and scores are approximate; raise risk.model.max_iter or risk.model.tol`;

export const inferenceNotConverged = (method: string) =>
  `the ${method === "mle" ? "maximum-likelihood" : "Firth"} inference model did not converge${method === "mle" ? " (separation: some level has no events or no non-events)" : ""}: its factors have no intervals; use factors.method: firth`;

export const referenceColumnUnknown = (where: string, column: string, known: string[]) =>
  `${where}: risk.factors.reference names "${column}", which is not a feature${didYouMean(column, known)}; use one of ${known.join(", ")}`;

export const referenceLevelUnknown = (where: string, column: string, value: string, levels: string[]) =>
  `${where}: risk.factors.reference: ${column} has no level ${JSON.stringify(value)}${didYouMean(value, levels)}; levels: ${levels
    .slice(0, 8)
    .map((l) => JSON.stringify(l))
    .join(", ")}${levels.length > 8 ? ", …" : ""}`;

// ---- segments ----

const pct0 = (x: number) => `${(100 * x).toFixed(0)}%`;

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
  `${variable} dominates the clustering: it holds ${pct0(share)} of the variance${separation === null ? "" : ` and ${pct0(separation)} of what separates the clusters`}; the clusters largely split ${variable}: check segments.weights`;

export const ecologicalReading = (variables: string[], share: number, separation: number | null) =>
  `area-level columns (${variables.join(", ")}) hold ${pct0(share)} of the variance${separation === null ? "" : ` and ${pct0(separation)} of what separates the clusters`}: the clusters largely sort rows by the area they were in, so read them as area strata (an ecological reading), not as kinds of people`;

/** A segments.weights key that names no variable. */
export const weightUnknown = (file: string, key: string, known: string[]) =>
  `${file}: segments.weights: "${key}" is not a variable of segments.features${didYouMean(key, known)}; use one of ${known.join(", ")}`;

/** segments.weights that leave no variable with a positive weight. */
export const weightsAllZero = (file: string) =>
  `${file}: segments.weights gives every variable weight 0; give at least one a positive weight`;

// ---- the sandbox ----

/** `--db` connects as a user whose prepare SQL could reach the server's files. */
export const pgSandboxRefused = (url: string, why: string) =>
  `--db ${url}: ${why}; prepare SQL would run with access to the server's files. Connect as a user without superuser and without pg_read_server_files, pg_write_server_files or pg_execute_server_program, or let new roles log in (pg_hba.conf)`;

/** A prepare step with more than one SQL statement. */
export const prepareManyStatements = (file: string, step: string) =>
  `${file}: prepare step "${step}" holds more than one SQL statement; write exactly one SELECT per step`;

/** A prepare step the sandbox refuses; `refusal` says why (e.g. "is a COPY statement; …"). */
export const prepareRefused = (file: string, step: string, refusal: string) => `${file}: prepare step "${step}" ${refusal}`;

/** A source path outside the folders a study may read. */
export const sourceOutside = (studyFile: string, name: string, path: string, where: string, places: string) =>
  `${studyFile}: source "${name}": ${path} resolves to ${where}, outside ${places}; move the file there, or pass --allow-outside-paths if you trust this study file`;

/** `openbeat examples DIR` would overwrite files; nothing was copied. */
export const examplesExist = (dir: string, files: string[]) =>
  `${dir}: ${files.slice(0, 3).join(", ")}${files.length > 3 ? ` and ${files.length - 3} more` : ""} already exist${files.length === 1 ? "s" : ""}; choose an empty folder or move the files away (nothing was copied)`;

/** `openbeat examples DIR` where DIR is a file. */
export const examplesNotFolder = (dir: string) => `${dir}: exists and is not a folder; give a folder path`;

/** A glob in a source's `path` that matches no file. */
export const sourceGlobEmpty = (file: string, source: string, pattern: string) =>
  `${file}: source "${source}": no file matches ${pattern}; check the pattern (relative to the study file, or pass --data DIR; * does not cross folders, ** does)`;

/** Several files of one source that DuckDB cannot union (e.g. a column holding a STRUCT in one file and text in another). */
export const sourceFilesUnion = (where: string, message: string) =>
  `${where}: the files cannot be read into one table: ${message}; give the drifting column one type with "types:", or split the files into two sources`;

/** A file set of a format that must stay one file per source. */
export const sourceSetFormat = (file: string, source: string, format: string) =>
  `${file}: source "${source}": ${format} sources are one file each; give one path, or one source per file`;

/** How the columns of a source's files drift from one file to the next. */
export const sourceColumnDrift = (
  where: string,
  files: { path: string; added: string[]; missing: string[]; renamed: { from: string; to: string }[] }[],
) => {
  const list = (cols: string[]) =>
    cols
      .slice(0, 4)
      .map((c) => `"${c}"`)
      .join(", ") + (cols.length > 4 ? ` and ${String(cols.length - 4)} more` : "");
  const parts = files
    .filter((f) => f.added.length || f.missing.length || f.renamed.length)
    .map((f) =>
      [
        f.added.length ? `${f.path} adds ${list(f.added)}` : "",
        f.missing.length ? `${f.path} lacks ${list(f.missing)} (NULL there)` : "",
        f.renamed.length
          ? `${f.path} spells ${f.renamed
              .slice(0, 3)
              .map((r) => `"${r.from}" for "${r.to}"`)
              .join(", ")} (read into one column)`
          : "",
      ]
        .filter(Boolean)
        .join(", "),
    );
  return `${where}: columns drift across ${String(files.length)} files: ${parts.slice(0, 4).join("; ")}${parts.length > 4 ? `; and ${String(parts.length - 4)} more files` : ""}; the table has every column, with _source_file naming each row's file`;
};

/** `openbeat init` without data files. */
export const initNoFiles = () => "init: give one or more data files, e.g. openbeat init Crime.csv --kind risk";

/** `openbeat init` on a file of a format openbeat does not read. */
export const initUnknownFormat = (file: string) =>
  `${file}: cannot tell the format from its extension; give openbeat init a .csv, .tsv, .parquet, .ndjson, .jsonl, .geojson or .shp file`;

/** `openbeat init` on a file with too few rows to draft a study from. */
export const initTooFewRows = (file: string, rows: number) =>
  `${file}: has ${String(rows)} rows; a study needs at least 20 (is it the right file?)`;

/** `--target` names no column. */
export const initTargetMissing = (target: string, choices: string[]) =>
  `--target ${target}: no such column; two-valued columns that could be the target: ${choices.join(", ") || "(none)"}`;

/** `--target` names a column that does not have two values. */
export const initTargetNotBinary = (target: string, distinct: number, choices: string[]) =>
  `--target ${target}: has ${String(distinct)} distinct values, a risk target needs two; make it 0/1 in prepare, or choose one of: ${choices.join(", ") || "(none)"}`;

/** No column can be the risk target. */
export const initNoTarget = (file: string) =>
  `${file}: no two-valued column to predict; pass --target COLUMN, or draft a segments study with --kind segments`;

/** Nothing could be a feature. */
export const initNoFeatures = (file: string) =>
  `${file}: no column can be a feature (all are ids, free text, coordinates or empty); write the study file by hand from examples/`;

/** `openbeat init --out FILE` where FILE exists. */
export const initExists = (file: string) => `--out ${file}: already exists; choose another file name or remove it (it was not changed)`;

// ---- publish ----

/** `openbeat publish` on a folder that `openbeat run` did not write. */
export const publishNotResults = (dir: string) =>
  `${dir}: not a results folder written by openbeat run (no .openbeat marker or manifest.json); pass the --out folder of a run`;

/** `openbeat publish` on a run whose policy turns suppression off. */
export const publishUnprotected = (dir: string) =>
  `${dir}: not published because the run turned suppression off (disclosure.min_cell: 0); remove it from the study file's disclosure section and rerun`;

/** The publish target holds files an earlier publish did not write. */
export const publishDirNotEmpty = (dir: string) => `${dir}: not empty and not an earlier openbeat publish; choose a new or empty folder`;

/** The publish target is, contains or lies inside the results folder, or is a root or the working folder. */
export const publishDirUnsafe = (dir: string, why: string) => `${dir}: ${why}; choose a folder outside the results folder`;

/** A public file of the results folder is missing. */
export const publishMissing = (dir: string, file: string) => `${dir}: ${file} is missing; rerun openbeat run`;

/** The check of the copied public files found a small count. */
export const publishCheckFailed = (file: string, field: string, value: number, minCell: number, more: number) =>
  `${file}: ${field} is ${value}, below min_cell ${minCell}${more ? ` (and ${more} more)` : ""}; nothing was published: rerun openbeat run and publish again`;
