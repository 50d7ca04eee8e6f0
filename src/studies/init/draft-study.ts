import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from "node:path";
import { Db, quoteIdent, quoteString, type Database } from "../../data/Db.js";
import { loadSources, sourceFormat } from "../../data/load-sources.js";
import { expandSourcePath } from "../../data/sources/expand-source-paths.js";
import { sourceSchema } from "../../data/sources/source-spec.js";
import { UserError } from "../../util/errors.js";
import { Logger } from "../../util/logger.js";
import * as msg from "../../util/messages.js";
import { parseStudy } from "../study-file/load-study.js";
import { schemaComment } from "../study-file/schema-reference.js";
import { isIntegerType, isNumericType, isTimestampType, profileColumns, type ColumnProfile } from "./profile-columns.js";

/** Options for {@link draftStudy}. */
export interface DraftStudyOptions {
  /** Data files (CSV, Parquet, NDJSON, GeoJSON, shapefile); the first one holds the records studied. */
  files: string[];
  kind: "risk" | "segments";
  /** Risk: the column to predict (default: chosen from the two-valued columns). */
  target?: string;
  /** Where the study file will be written (source paths are relative to its folder); default `study.yaml` here. */
  out?: string;
}

/** What a column became in the draft. */
export interface DraftColumn {
  /** Column in the data. */
  column: string;
  /** Name in the analysis table (snake_case). */
  name: string;
  role: "id" | "target" | "date" | "categorical" | "numeric" | "left_out";
  /** Why, for left-out columns and for choices; the level count for categorical features. */
  note: string;
}

/** A drafted study file. */
export interface DraftStudyResult {
  /** The study file text (YAML with comments). */
  yaml: string;
  /** The folder source paths are relative to when it is not the study file's: pass it as `--data`. */
  dataDir?: string;
  target?: string;
  /** Other columns that could be the target. */
  targetChoices: string[];
  id?: string;
  columns: DraftColumn[];
  /** Columns left out because their values give the target away. */
  leakage: string[];
}

/** A name the study file can use unquoted: lower case, `_` for anything else, never starting with a digit. */
export function snakeName(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[^\w]+/g, "_")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  return /^[a-z_]/.test(s) ? s : `c_${s || "column"}`;
}

const COORDINATE =
  /^(lat|lon|lng|long|latitude|longitude|x|y|point_x|point_y|x_coord|y_coord|xcoord|ycoord|the_geom.*|geom.*|shape.*|location_1)$/i;
const CODE_LIKE =
  /(^|_|\s)(code|key|id|no|num|number|dist|district|beat|zip|zipcode|sector|ward|tract|precinct|zone|division|area)$|(code|key|id)$/i;
const DATE_PART = /^(year|month|day|hour|minute|weekday|day_of_week|dow|quarter|week)$/i;
const YES = /^(y|yes|true|t|1|1\.0)$/i;
const NO = /^(n|no|false|f|0|0\.0)$/i;
const TARGET_WORDS =
  /arrest|injur|fatal|batter|assault|kill|death|dead|shot|victim|hospital|charged|cleared|solved|outcome|result|target|label|flag/i;

/** The value of a two-valued column counted as the positive class: yes/true/1 when present, else the rarer one. */
function positiveValue(p: ColumnProfile): string {
  const yes = p.top.find((t) => YES.test(t.value));
  const no = p.top.find((t) => NO.test(t.value));
  if (yes && no) return yes.value;
  return [...p.top].sort((a, b) => a.count - b.count || (a.value < b.value ? -1 : 1))[0].value;
}

/** SQL that reads a two-valued column as 0/1 (NULL stays NULL). */
function binarySql(p: ColumnProfile): string {
  const c = quoteIdent(p.name);
  if (p.type === "BOOLEAN") return `CAST(${c} AS INTEGER)`;
  return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c}::VARCHAR = ${quoteString(positiveValue(p))} THEN 1 ELSE 0 END`;
}

/** SQL for a timestamp column in the analysis table (text parsed with its tested format, time zones to UTC). */
function timestampSql(p: ColumnProfile, time?: ColumnProfile): string {
  const c = quoteIdent(p.name);
  let ts = p.strptime ? `strptime(${c}, ${quoteString(p.strptime)})` : c;
  if (/%z/.test(p.strptime ?? "") || /WITH TIME ZONE/.test(p.type)) ts = `timezone('UTC', ${ts})`;
  if (!time) return ts;
  const t = quoteIdent(time.name);
  if (time.type === "TIME") return `CAST(${ts} AS DATE) + ${t}`;
  return `CAST(${ts} AS DATE) + make_time(${t} // 100, ${t} % 100, 0)`;
}

/** A YAML scalar: plain when safe, else double-quoted. */
function yamlScalar(s: string): string {
  return /^[A-Za-z_][\w.-]*$/.test(s) && !/^(true|false|yes|no|null|on|off|y|n)$/i.test(s) ? s : JSON.stringify(s);
}

const list = (names: string[]): string => `[${names.map(yamlScalar).join(", ")}]`;

/** A glob naming exactly the given files when their names differ only in digits (yearly exports), else null. */
async function sharedGlob(dir: string, paths: string[]): Promise<string | null> {
  if (paths.length < 2) return null;
  const patterns = new Set(paths.map((p) => p.replace(/\d+/g, "*")));
  if (patterns.size !== 1) return null;
  const [pattern] = patterns;
  const matched = (await expandSourcePath(dir, pattern)).map((f) => f.path);
  const given = [...paths].sort();
  return matched.length === given.length && matched.every((m, i) => m === given[i]) ? pattern : null;
}

/**
 * Drafts a study file from data: one source per file (files whose names differ only in digits become one glob
 * source), a prepare step that names every used column in snake_case, parses text dates with a strptime format
 * that every value parses with, combines a date-only column with a time column (TIME or HHMM integers), reads the
 * target as 0/1; then candidate ids checked for uniqueness, categorical features with their level counts, numeric
 * features, dates with the parts the values support (no hour for dates without a time), and the columns left out
 * with the reason. The draft is parsed with the study schema before it is returned, so it runs as written.
 * @param options see {@link DraftStudyOptions}
 */
export async function draftStudy(options: DraftStudyOptions): Promise<DraftStudyResult> {
  if (options.files.length === 0) throw new UserError("init.no_files", msg.initNoFiles());
  const studyFile = resolve(options.out ?? "study.yaml");
  const studyDir = dirname(studyFile);
  const full = options.files.map((f) => resolve(f));
  for (const [i, f] of full.entries()) if (!sourceFormat(f)) throw new UserError("source.format", msg.initUnknownFormat(options.files[i]));
  const inside = full.every((f) => !relative(studyDir, f).startsWith("..") && !isAbsolute(relative(studyDir, f)));
  const base = inside ? studyDir : commonFolder(full);
  const rel = full.map((f) => relative(base, f).split(sep).join("/"));

  const sources: { name: string; path: string | string[]; files: string[] }[] = [];
  const glob = await sharedGlob(base, rel);
  const taken = new Set<string>();
  const sourceName = (file: string) => {
    let n = snakeName(basename(file, extname(file))).replace(/_\*$/, "");
    if (n === "records") n = "records_source";
    while (taken.has(n)) n += "_2";
    taken.add(n);
    return n;
  };
  if (glob) sources.push({ name: sourceName(glob.replace(/\*/g, "")), path: glob, files: rel });
  else for (const r of rel) sources.push({ name: sourceName(r), path: r, files: [r] });

  const db = await Db.open();
  try {
    const logger = new Logger({ silent: true });
    const first = sources[0];
    await loadSources(
      db,
      { sources: { [first.name]: sourceSchema.parse({ path: first.path }) } },
      { studyFile: resolve(base, "study.yaml"), logger, allowOutsidePaths: true },
    );
    const profiles = await profileColumns(db, first.name);
    return await draftFromProfiles(db, first.name, profiles, { ...options, sources, dataDir: inside ? undefined : base, studyFile });
  } finally {
    await db.close();
  }
}

/** The deepest folder holding every one of the files. */
function commonFolder(files: string[]): string {
  let dir = dirname(files[0]);
  while (!files.every((f) => f.startsWith(dir.endsWith(sep) ? dir : dir + sep))) dir = dirname(dir);
  return dir;
}

async function draftFromProfiles(
  db: Database,
  table: string,
  profiles: ColumnProfile[],
  options: DraftStudyOptions & {
    sources: { name: string; path: string | string[]; files: string[] }[];
    dataDir?: string;
    studyFile: string;
  },
): Promise<DraftStudyResult> {
  const rows = profiles[0]?.rows ?? 0;
  if (rows < 20) throw new UserError("init.too_few_rows", msg.initTooFewRows(options.files[0], rows));
  const names = new Map<string, string>();
  const usedNames = new Set<string>(["_row"]);
  const nameOf = (p: ColumnProfile) => {
    let n = names.get(p.name);
    if (n === undefined) {
      n = snakeName(p.name);
      while (usedNames.has(n)) n += "_2";
      usedNames.add(n);
      names.set(p.name, n);
    }
    return n;
  };
  const columns: DraftColumn[] = [];
  const leftOut = (p: ColumnProfile, note: string) => columns.push({ column: p.name, name: nameOf(p), role: "left_out", note });
  const isBinary = (p: ColumnProfile) => p.distinct === 2 && p.values > 0;

  // Dates: timestamps, and text every value of which parses with one format.
  const dates = profiles.filter((p) => isTimestampType(p.type) || p.strptime !== undefined);
  const times = profiles.filter((p) => p.type === "TIME" || p.hhmm);
  const combined = new Map<string, ColumnProfile>();
  const dateOnly = dates.filter((d) => d.dateOnly);
  if (dateOnly.length === 1 && times.length >= 1) combined.set(dateOnly[0].name, times[0]);
  const hasDate = dates.length > 0;

  // Target.
  let target: ColumnProfile | undefined;
  const binary = profiles.filter((p) => isBinary(p) && p.values === p.rows);
  if (options.kind === "risk") {
    if (options.target !== undefined) {
      const want = options.target;
      target = profiles.find((p) => p.name === want) ?? profiles.find((p) => snakeName(p.name) === snakeName(want));
      const choices = profiles.filter(isBinary).map((p) => p.name);
      if (!target) throw new UserError("init.target", msg.initTargetMissing(want, choices));
      if (!isBinary(target)) throw new UserError("init.target", msg.initTargetNotBinary(want, target.distinct, choices));
    } else {
      const share = (p: ColumnProfile) => Math.min(...p.top.map((t) => t.count)) / p.values;
      const ranked = (binary.length ? binary : profiles.filter(isBinary))
        .filter((p) => share(p) >= 0.02)
        .sort(
          (a, b) =>
            Number(TARGET_WORDS.test(b.name)) - Number(TARGET_WORDS.test(a.name)) || Math.abs(share(a) - 0.2) - Math.abs(share(b) - 0.2),
        );
      target = ranked.at(0);
      if (!target) throw new UserError("init.target", msg.initNoTarget(options.files[0]));
    }
  }
  const targetChoices = options.kind === "risk" ? profiles.filter((p) => isBinary(p) && p !== target).map((p) => p.name) : [];

  // Ids: unique on every row; the first one (preferring id-like names) is the study's id.
  const unique = profiles.filter((p) => p.values === rows && p.distinct === rows && !isTimestampType(p.type) && p.type !== "DOUBLE");
  const idLike = (p: ColumnProfile) => /(^|_|\s)(id|key|number|num|no|objectid|rowid)$|id$/i.test(p.name);
  const id = [...unique].sort((a, b) => Number(idLike(b)) - Number(idLike(a)))[0] as ColumnProfile | undefined;
  const minFrequency = Math.max(5, Math.round(rows * 0.005));

  const features: { categorical: ColumnProfile[]; numeric: ColumnProfile[] } = { categorical: [], numeric: [] };
  for (const p of profiles) {
    if (p === target) {
      columns.push({ column: p.name, name: nameOf(p), role: "target", note: `1 = ${p.type === "BOOLEAN" ? "true" : positiveValue(p)}` });
      continue;
    }
    if (p === id) {
      columns.push({ column: p.name, name: nameOf(p), role: "id", note: `unique on all ${String(rows)} rows` });
      continue;
    }
    if (dates.includes(p)) {
      const time = combined.get(p.name);
      columns.push({
        column: p.name,
        name: nameOf(p),
        role: "date",
        note: p.strptime
          ? `text parsed with strptime "${p.strptime}" (every value parses)${time ? `, plus the time in ${time.name}` : ""}`
          : time
            ? `date plus the time in ${time.name}`
            : p.type,
      });
      continue;
    }
    if ([...combined.values()].includes(p)) {
      leftOut(p, `time of day, combined into the date column${p.hhmm ? " (HHMM integers)" : ""}`);
      continue;
    }
    if (unique.includes(p)) {
      leftOut(
        p,
        p.meanLength > 40 ? `free text (mean ${String(Math.round(p.meanLength))} characters)` : `unique on every row (another id)`,
      );
      continue;
    }
    if (COORDINATE.test(p.name) || /GEOMETRY|BLOB/.test(p.type)) {
      leftOut(p, "coordinates or geometry (for maps, not a feature)");
      continue;
    }
    if (p.values < rows * 0.1) {
      leftOut(p, `mostly empty (${String(rows - p.values)} of ${String(rows)} missing)`);
      continue;
    }
    if (p.distinct <= 1) {
      leftOut(p, "one value only");
      continue;
    }
    if (hasDate && DATE_PART.test(p.name)) {
      leftOut(p, "a part of the date (taken from the date column instead)");
      continue;
    }
    if (/^(STRUCT|MAP|LIST)|\[\]$/.test(p.type)) {
      leftOut(p, `nested values (${p.type}); unnest them in prepare`);
      continue;
    }
    if (isNumericType(p.type)) {
      // Numbers that name things (offense codes, districts, keys) are categories, or ids when they have many values.
      if (CODE_LIKE.test(p.name)) {
        if (p.distinct <= 100 && p.distinct / p.values <= 0.5) features.categorical.push(p);
        else leftOut(p, `a code or key with ${String(p.distinct)} values (not a quantity)`);
      } else if (p.distinct <= 12 && isIntegerType(p.type)) features.categorical.push(p);
      else if (p.distinct / p.values > 0.95 && isIntegerType(p.type))
        leftOut(p, `near-unique integers (${String(p.distinct)} values): a code or id`);
      else features.numeric.push(p);
      continue;
    }
    if (p.type === "BOOLEAN" || isBinary(p)) {
      features.categorical.push(p);
      continue;
    }
    if (p.distinct / p.values > 0.5) leftOut(p, `near-unique text (${String(p.distinct)} values in ${String(p.values)} rows)`);
    else if (p.meanLength > 40) leftOut(p, `free text (mean ${String(Math.round(p.meanLength))} characters)`);
    else if (p.distinct > 100) leftOut(p, `${String(p.distinct)} levels: too many to one-hot; group them in prepare`);
    else features.categorical.push(p);
  }

  // Leakage: a feature with a level of at least 20 rows that is (almost) always positive, or a two-valued column that
  // shares a word with the target (Officer Injured next to Officer Battered), gives the outcome away.
  const leakage: string[] = [];
  if (target) {
    const y = binarySql(target);
    const words = new Set(
      target.name
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter((w) => w.length >= 4),
    );
    for (const p of [...features.categorical]) {
      const [r] = await db.query(
        `SELECT max(rate)::DOUBLE AS top FROM (SELECT avg(${y})::DOUBLE AS rate, count(*) AS n FROM ${quoteIdent(table)} GROUP BY ${quoteIdent(p.name)}) WHERE n >= 20`,
      );
      const [b] = await db.query(`SELECT avg(${y})::DOUBLE AS base FROM ${quoteIdent(table)}`);
      const sharesWord =
        isBinary(p) &&
        p.name
          .toLowerCase()
          .split(/[^a-z]+/)
          .some((w) => words.has(w));
      const top = r.top === null ? 0 : Number(r.top);
      if ((top >= 0.95 && Number(b.base) < 0.5) || sharesWord) {
        features.categorical.splice(features.categorical.indexOf(p), 1);
        leakage.push(p.name);
        leftOut(
          p,
          sharesWord
            ? `leakage-prone: a two-valued column like the target (${target.name})`
            : `leakage-prone: a level of it is ${String(Math.round(top * 100))}% positive`,
        );
      }
    }
  }
  for (const p of features.categorical)
    columns.push({ column: p.name, name: nameOf(p), role: "categorical", note: `${String(p.distinct)} levels` });
  for (const p of features.numeric) columns.push({ column: p.name, name: nameOf(p), role: "numeric", note: p.type });

  const date = dates[0] as ColumnProfile | undefined;
  const yaml = renderDraft({
    options,
    table,
    rows,
    profiles,
    target,
    targetChoices,
    id,
    dates,
    combined,
    features,
    columns,
    leakage,
    minFrequency,
    nameOf,
    date,
  });
  parseStudy(yaml, options.out ?? "study.yaml");
  return {
    yaml,
    dataDir: options.dataDir,
    target: target ? nameOf(target) : undefined,
    targetChoices,
    id: id ? nameOf(id) : undefined,
    columns,
    leakage,
  };
}

function renderDraft(d: {
  options: DraftStudyOptions & {
    sources: { name: string; path: string | string[]; files: string[] }[];
    dataDir?: string;
    studyFile: string;
  };
  table: string;
  rows: number;
  profiles: ColumnProfile[];
  target?: ColumnProfile;
  targetChoices: string[];
  id?: ColumnProfile;
  dates: ColumnProfile[];
  combined: Map<string, ColumnProfile>;
  features: { categorical: ColumnProfile[]; numeric: ColumnProfile[] };
  columns: DraftColumn[];
  leakage: string[];
  minFrequency: number;
  nameOf: (p: ColumnProfile) => string;
  date?: ColumnProfile;
}): string {
  const { options, nameOf } = d;
  const kind = options.kind;
  const dataName = d.options.sources[0].files.length > 1 ? d.options.sources[0].path.toString() : d.options.sources[0].files[0];
  const out: string[] = [];
  const runLine = `openbeat run ${options.out ?? "study.yaml"}${options.dataDir ? ` --data ${relativeOrAbsolute(options.dataDir)}` : ""}`;
  out.push(schemaComment(dirname(options.studyFile)));
  out.push(`# Drafted by openbeat init from ${options.files.join(", ")} (${String(d.rows)} rows). Read it, then run:`);
  out.push(`#   ${runLine}`);
  if (options.dataDir) out.push(`# Source paths are relative to the data folder (--data), which is not the study file's folder.`);
  out.push(`name: ${JSON.stringify(`${kind === "risk" ? "Risk" : "Segments"} study of ${dataName}`)}`);
  out.push(`kind: ${kind}`);
  out.push(`seed: 42`);
  out.push("");
  out.push("sources:");
  for (const s of options.sources) {
    const path = typeof s.path === "string" ? yamlScalar(s.path) : list(s.path);
    out.push(`  ${s.name}: { path: ${path} }${s.files.length > 1 ? `   # ${String(s.files.length)} files, unioned by column name` : ""}`);
  }
  if (options.sources.length > 1) out.push(`  # only ${options.sources[0].name} is used below; join the others in prepare`);
  out.push("");

  const used = d.columns.filter((c) => c.role !== "left_out");
  const byName = new Map(d.profiles.map((p) => [p.name, p]));
  const select: string[] = [];
  for (const c of used) {
    const p = byName.get(c.column);
    if (!p) continue;
    const alias = quoteIdent(c.name);
    let expr: string;
    if (c.role === "target") expr = binarySql(p);
    else if (c.role === "date") expr = timestampSql(p, d.combined.get(p.name));
    else if (c.role === "categorical" && p.type !== "VARCHAR") expr = `CAST(${quoteIdent(p.name)} AS VARCHAR)`;
    else expr = quoteIdent(p.name);
    select.push(`${expr} AS ${alias}`);
  }
  out.push("prepare:");
  out.push("  - name: records");
  out.push("    sql: |");
  out.push(`      SELECT ${select.join(",\n             ")}`);
  out.push(`      FROM ${quoteIdent(d.table)}`);
  out.push("");

  out.push(`${kind}:`);
  if (kind === "risk" && d.target) {
    out.push(`  target: ${nameOf(d.target)}   # ${d.target.name}: ${d.columns.find((c) => c.role === "target")?.note ?? ""}`);
    if (d.targetChoices.length) out.push(`  # other two-valued columns that could be the target: ${d.targetChoices.join(", ")}`);
  }
  if (d.id) out.push(`  id: ${nameOf(d.id)}   # ${d.id.name}: unique on all ${String(d.rows)} rows`);
  else out.push(`  # no column is unique on every row, so there is no id`);
  if (kind === "risk" && d.date) out.push(`  date: ${nameOf(d.date)}`);
  out.push("  features:");
  const cat = d.features.categorical;
  if (cat.length) {
    out.push("    categorical:");
    for (const p of cat) out.push(`      - ${yamlScalar(nameOf(p))}   # ${p.name}: ${String(p.distinct)} levels${levelsNote(p)}`);
  }
  if (d.features.numeric.length) {
    out.push("    numeric:");
    for (const p of d.features.numeric)
      out.push(`      - ${yamlScalar(nameOf(p))}   # ${p.name}: ${p.type}, ${String(p.rows - p.values)} missing`);
  }
  if (d.dates.length) {
    out.push("    dates:");
    for (const p of d.dates) {
      const withTime = !p.dateOnly || d.combined.has(p.name);
      const parts = withTime ? ["hour", "weekday", "month", "year"] : ["weekday", "month", "year"];
      const why = withTime ? "" : "   # dates without a time of day: no hour";
      out.push(`      - { column: ${nameOf(p)}, parts: ${list(parts)} }${why}`);
    }
  }
  if (!cat.length && !d.features.numeric.length && !d.dates.length)
    throw new UserError("init.no_features", msg.initNoFeatures(options.files[0]));
  out.push(`    min_frequency: ${String(d.minFrequency)}   # rarer levels go to "(other)"`);
  out.push(`    missing: { categorical: category, numeric: ${kind === "risk" ? "median" : "median"} }`);
  if (kind === "risk") {
    out.push("  resample: { method: smote }");
    out.push("  validation: { method: stratified_kfold, folds: 5 }");
    const by = cat.slice(0, 6).map(nameOf);
    if (by.length) out.push(`  findings: { by: ${list(by)}, min_count: 30 }`);
  } else {
    if (d.rows > 5000) {
      // A draft should run in about a minute, so it asks for less and says how to ask for more. On the 14,861
      // Philadelphia shootings (122 features) the choice of k over 5 seeds with 20 stability subsamples took minutes;
      // with one seed and 10 subsamples it still took two, most of it in the structure test's 20 reference draws and
      // in the silhouette of a 10,000-row sample at each k (docs/decisions.md).
      out.push("  k: { min: 2, max: 8, seeds: 1 }   # seeds: 5 (the default) repeats the choice of k over five seeds");
      out.push("  stability_resamples: 10   # default 20");
      out.push("  silhouette_sample: 2000   # default 10000 rows (a seeded sample) for the silhouette of each k");
      out.push("  structure: { draws: 10 }   # default 20 shuffled copies of the data in the test of structure against chance");
    } else out.push("  k: { min: 2, max: 8 }");
    out.push("  compare_methods: false   # true also runs the other clustering methods on the same criteria");
    const describe = cat.slice(0, 3).map(nameOf);
    if (describe.length) out.push(`  describe: ${list(describe)}`);
  }
  out.push("");
  const left = d.columns.filter((c) => c.role === "left_out");
  if (left.length) {
    out.push("# Columns left out:");
    for (const c of left) out.push(`#   ${c.column}: ${c.note}`);
  }
  if (d.leakage.length)
    out.push(`# Leakage-prone (left out; add them back only if they are known before the outcome): ${d.leakage.join(", ")}`);
  return out.join("\n") + "\n";
}

/** The most frequent levels, for the comment next to a categorical feature. */
function levelsNote(p: ColumnProfile): string {
  const shown = p.top.slice(0, 4).map((t) => `${t.value} ${String(t.count)}`);
  return shown.length ? ` (${shown.join(", ")}${p.distinct > 4 ? ", …" : ""})` : "";
}

/** A folder relative to the working directory when it lies below it, else absolute. */
function relativeOrAbsolute(dir: string): string {
  const r = relative(process.cwd(), dir);
  return r === "" ? "." : isAbsolute(r) ? dir : r;
}
