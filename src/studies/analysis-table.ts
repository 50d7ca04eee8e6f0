import type { Db } from "../data/Db.js";
import { quoteIdent, quoteString } from "../data/Db.js";
import type { FeatureInput } from "../features/encode.js";
import type { FeaturesSpec } from "../features/spec.js";
import type { StudyBase } from "./study-file/base.js";
import { UserError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { columnNotFound } from "../util/messages.js";

/** Name of the materialized, deterministically ordered analysis table. */
export const ANALYSIS = "_analysis";

/** The table a study analyses: `table:`, else the last prepare step, else the only source. */
export function analysisTableName(spec: StudyBase, file: string): string {
  if (spec.table) return spec.table;
  if (spec.prepare.length) return spec.prepare[spec.prepare.length - 1].name;
  const sources = Object.keys(spec.sources);
  if (sources.length === 1) return sources[0];
  throw new UserError(
    "study.no_table",
    `${file}: several sources and no prepare steps; add "table:" naming the table to analyse, or a prepare step that joins them`,
  );
}

/**
 * Copies `table` into {@link ANALYSIS} sorted by every column, so row order (and so folds, samples and results) do
 * not depend on how the database happened to scan or join. `_row` is the row number in that order.
 */
export async function materializeAnalysis(db: Db, table: string): Promise<number> {
  // Numbered by an explicit ORDER BY over every column (DuckDB's `rowid` would be shadowed by a data column named
  // RowID, as Baltimore's export has); equal rows are identical, so their relative order does not matter.
  const columns = (await db.columns(table)).map((c) => quoteIdent(c.name));
  await db.exec(
    `CREATE OR REPLACE TABLE ${ANALYSIS} AS SELECT (row_number() OVER (ORDER BY ${columns.join(", ")}) - 1)::INTEGER AS _row, * FROM ${quoteIdent(table)} ORDER BY _row`,
  );
  await db.exec(`COMMENT ON TABLE ${ANALYSIS} IS ${quoteString(table)}`);
  const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM ${ANALYSIS}`);
  return Number(n);
}

/** Throws a one-line error when `table` (a source, prepare step or `table:`) does not exist. */
export async function requireTable(db: Db, table: string, file: string): Promise<void> {
  const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = ?`, [table]);
  if (!Number(n)) throw new UserError("study.no_table", `${file}: table "${table}" does not exist; name a source or prepare step`);
}

/** Throws a one-line error naming the first column that the table lacks, with the closest names. */
export async function requireColumns(db: Db, table: string, columns: Iterable<string>, where: string): Promise<Map<string, string>> {
  const info = await db.columns(table);
  const types = new Map(info.map((c) => [c.name, c.type]));
  for (const c of columns) {
    if (!types.has(c)) {
      const visible = [...types.keys()].filter((k) => table !== ANALYSIS || k !== "_row");
      throw new UserError("study.column_not_found", columnNotFound(where, c, await tableLabel(db, table), visible));
    }
  }
  return types;
}

/** The user's name for a table: for {@link ANALYSIS}, the table it was copied from. */
async function tableLabel(db: Db, table: string): Promise<string> {
  if (table !== ANALYSIS) return table;
  const rows = await db.query(`SELECT comment FROM duckdb_tables() WHERE table_name = ${quoteString(ANALYSIS)}`).catch(() => []);
  return rows.length && rows[0].comment ? String(rows[0].comment) : table;
}

/** Distinct levels above which a categorical feature is refused (an id or free text, not a category). */
export const MAX_LEVELS = 10_000;

/** Options for {@link readFeatureInput}. */
export interface ReadFeatureOptions {
  /**
   * Refuse a categorical column with more distinct values (counting only values seen at least `min_frequency`
   * times) than this (default {@link MAX_LEVELS}); `Infinity` turns the check off, as when scoring new rows.
   */
  maxLevels?: number;
  /** Receives a `data.constant_feature` warning for each feature column with a single value. */
  logger?: Logger;
  /** Check for empty, constant and over-many-valued columns (default true; off when scoring a few new rows). */
  check?: boolean;
}

/** Every column a feature spec reads. */
export function featureColumns(features: FeaturesSpec): string[] {
  return [...features.categorical, ...features.numeric, ...features.dates.map((d) => d.column)];
}

const PART_SQL: Record<string, (c: string) => string> = {
  hour: (c) => `lpad(CAST(hour(${c}) AS VARCHAR), 2, '0')`,
  weekday: (c) => `strftime(${c}, '%u-%a')`,
  month: (c) => `strftime(${c}, '%m')`,
  year: (c) => `CAST(year(${c}) AS VARCHAR)`,
  day_of_year: (c) => `lpad(CAST(dayofyear(${c}) AS VARCHAR), 3, '0')`,
};

/** Name of the categorical feature made from a date part, e.g. `DATE_OCCURED.hour`. */
export const datePartName = (column: string, part: string) => `${column}.${part}`;

/**
 * Reads the feature columns of `table` (ordered by `_row` when present): categories as text, numbers as doubles
 * (text that is not a number is an error naming the column and an example), date parts as categories.
 */
export async function readFeatureInput(
  db: Db,
  table: string,
  features: FeaturesSpec,
  where: string,
  options: ReadFeatureOptions = {},
): Promise<FeatureInput> {
  const types = await requireColumns(db, table, featureColumns(features), where);
  const t = quoteIdent(table);
  const order = types.has("_row") ? " ORDER BY _row" : "";
  for (const c of features.numeric) {
    const q = quoteIdent(c);
    const [bad] = await db.query(
      `SELECT count(*)::INTEGER AS n, any_value(CAST(${q} AS VARCHAR)) AS example FROM ${t} WHERE ${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL`,
    );
    if (Number(bad.n) > 0) {
      throw new UserError(
        "data.not_numeric",
        `${where}: numeric feature "${c}" has ${bad.n} values that are not numbers (e.g. ${JSON.stringify(bad.example)}); clean or cast it in a prepare step, or list it under categorical`,
      );
    }
    const [odd] = await db.query(
      `SELECT count(*)::INTEGER AS n, any_value(CAST(${q} AS VARCHAR)) AS example FROM ${t} WHERE ${q} IS NOT NULL AND NOT isfinite(TRY_CAST(${q} AS DOUBLE))`,
    );
    if (Number(odd.n) > 0) {
      throw new UserError(
        "data.not_finite",
        `${where}: numeric feature "${c}" has ${odd.n} values that are NaN or infinite (e.g. ${JSON.stringify(odd.example)}); turn them into NULL in a prepare step, e.g. CASE WHEN isfinite(${c}) THEN ${c} END`,
      );
    }
  }
  if (options.check ?? true) await checkFeatureValues(db, table, features, where, options);
  for (const d of features.dates) {
    const type = types.get(d.column) ?? "";
    if (!/TIMESTAMP|DATE/.test(type)) {
      throw new UserError(
        "data.not_date",
        `${where}: date feature "${d.column}" has type ${type}, not a timestamp; parse it in a prepare step, e.g. strptime(${d.column}, '%m/%d/%Y %H:%M')`,
      );
    }
  }
  const exprs: string[] = [];
  for (const c of features.categorical) exprs.push(`CAST(${quoteIdent(c)} AS VARCHAR)`);
  for (const d of features.dates) for (const p of d.parts) exprs.push(PART_SQL[p](quoteIdent(d.column)));
  for (const c of features.numeric) exprs.push(`TRY_CAST(${quoteIdent(c)} AS DOUBLE)`);
  const input: FeatureInput = { categorical: {}, numeric: {} };
  if (!exprs.length) return input;
  const { columns } = await db.queryColumns(`SELECT ${exprs.join(", ")} FROM ${t}${order}`);
  let k = 0;
  for (const c of features.categorical) input.categorical[c] = columns[k++] as (string | null)[];
  for (const d of features.dates) for (const p of d.parts) input.categorical[datePartName(d.column, p)] = columns[k++] as (string | null)[];
  for (const c of features.numeric) input.numeric[c] = Float64Array.from(columns[k++] as (number | null)[], (v) => (v === null ? NaN : v));
  return input;
}

/**
 * Refuses feature columns that are entirely empty or have too many categories, and warns about constant ones
 * (they carry no information but do no harm).
 */
async function checkFeatureValues(
  db: Db,
  table: string,
  features: FeaturesSpec,
  where: string,
  options: ReadFeatureOptions,
): Promise<void> {
  const t = quoteIdent(table);
  const maxLevels = options.maxLevels ?? MAX_LEVELS;
  const columns = [
    ...features.categorical.map((c) => ({ c, kind: "categorical" })),
    ...features.numeric.map((c) => ({ c, kind: "numeric" })),
    ...features.dates.map((d) => ({ c: d.column, kind: "date" })),
  ];
  for (const { c, kind } of columns) {
    const q = quoteIdent(c);
    const [r] = await db.query(
      `SELECT count(*)::INTEGER AS n, count(${q})::INTEGER AS present, approx_count_distinct(${q})::INTEGER AS approx,
              CAST(min(${q}) AS VARCHAR) AS lo, CAST(max(${q}) AS VARCHAR) AS hi FROM ${t}`,
    );
    const n = Number(r.n);
    if (n === 0) return;
    if (Number(r.present) === 0) {
      throw new UserError(
        "data.empty_feature",
        `${where}: ${kind} feature "${c}" is empty (all ${n} values are missing); remove it from the features or check the prepare SQL and the source column`,
      );
    }
    if (kind === "categorical" && Number(r.approx) > maxLevels / 2) {
      const [{ levels }] = await db.query(
        `SELECT count(*)::INTEGER AS levels FROM (SELECT ${q} FROM ${t} GROUP BY ${q} HAVING count(*) >= ${features.min_frequency})`,
      );
      if (Number(levels) > maxLevels) {
        throw new UserError(
          "data.too_many_levels",
          `${where}: categorical feature "${c}" has ${Number(levels).toLocaleString("en-US")} distinct values in ${n.toLocaleString("en-US")} rows (more than ${maxLevels.toLocaleString("en-US")}); it looks like an id or free text: remove it, group it in a prepare step, or raise features.min_frequency`,
        );
      }
    }
    const missing = n - Number(r.present);
    const missingIsLevel = kind !== "numeric" && features.missing.categorical === "category";
    if (r.lo === r.hi && (missing === 0 || !missingIsLevel)) {
      options.logger?.warn({
        code: "data.constant_feature",
        message: `${where}: feature "${c}" has the same value (${JSON.stringify(r.lo)}) in every row; it carries no information: remove it from the features`,
        column: c,
        value: r.lo,
        rows: n,
      });
    }
  }
}
