import type { Db } from "../data/Db.js";
import { commentOnTableSql, countRowsSql } from "../data/sql/tables.js";
import type { FeatureInput } from "../features/encode.js";
import type { FeaturesSpec } from "../features/spec.js";
import { categoryVariants, type VariantKind } from "../features/variants.js";
import { testedDateFormat } from "./date-format.js";
import { reservedColumn } from "./reserved-columns.js";
import type { StudyBase } from "./study-file/base.js";
import { UserError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import * as msg from "../util/messages.js";
import { copyAnalysisTableSql, tableCommentSql, tableExistsSql } from "./sql/analysis-table.js";
import {
  categoryLevelsSql,
  dateChecksSql,
  featureStatsSql,
  featureValuesSql,
  numericFeatureValuesSql,
  textFeatureCodesSql,
  textFeatureExprs,
  type FeatureStatsQuery,
} from "./sql/features.js";
import { mapFloat64 } from "../util/typed-arrays.js";

/** Name of the materialized, deterministically ordered analysis table. */
export const ANALYSIS = "_analysis";

/** The table a study analyses: `table:`, else the last prepare step, else the only source. */
export function analysisTableName(spec: StudyBase, file: string): string {
  if (spec.table) return spec.table;
  if (spec.prepare.length) return spec.prepare[spec.prepare.length - 1].name;
  const sources = Object.keys(spec.sources);
  if (sources.length === 1) return sources[0];
  throw new UserError("study.no_table", msg.noAnalysisTable(file));
}

/**
 * Copies `table` into {@link ANALYSIS} sorted by every column, so row order (and so folds, samples and results) do
 * not depend on how the database happened to scan or join. `_row` is the row number in that order.
 */
export async function materializeAnalysis(db: Db, table: string): Promise<number> {
  // Numbered by an explicit ORDER BY over every column (DuckDB's `rowid` would be shadowed by a data column named
  // RowID, as Baltimore's export has); equal rows are identical, so their relative order does not matter.
  const columns = (await db.columns(table)).map((c) => c.name);
  await db.exec(copyAnalysisTableSql(ANALYSIS, table, columns, { replace: true }));
  await db.exec(commentOnTableSql(ANALYSIS, table));
  const [{ n }] = await db.query(countRowsSql(ANALYSIS));
  return Number(n);
}

/**
 * The analysis table of a prepared study, checked and materialised: `table` must exist and hold no column openbeat
 * reserves for its own output; it is then copied into {@link ANALYSIS} (see {@link materializeAnalysis}).
 * @returns the rows of {@link ANALYSIS}
 */
export async function prepareAnalysisTable(db: Db, table: string, file: string): Promise<number> {
  await requireTable(db, table, file);
  const clash = reservedColumn((await db.columns(table)).map((c) => c.name));
  if (clash) throw new UserError("data.reserved_column", msg.reservedColumn(file, `table "${table}"`, clash));
  return materializeAnalysis(db, table);
}

/** Throws a one-line error when `table` (a source, prepare step or `table:`) does not exist. */
export async function requireTable(db: Db, table: string, file: string): Promise<void> {
  const q = tableExistsSql(table);
  const [{ n }] = await db.query(q.sql, q.params);
  if (!Number(n)) throw new UserError("study.no_table", msg.tableNotFound(file, table));
}

/** Throws a one-line error naming the first column that the table lacks, with the closest names. */
export async function requireColumns(db: Db, table: string, columns: Iterable<string>, where: string): Promise<Map<string, string>> {
  const info = await db.columns(table);
  const types = new Map(info.map((c) => [c.name, c.type]));
  for (const c of columns) {
    if (!types.has(c)) {
      const visible = [...types.keys()].filter((k) => table !== ANALYSIS || k !== "_row");
      throw new UserError("study.column_not_found", msg.columnNotFound(where, c, await tableLabel(db, table), visible));
    }
  }
  return types;
}

/** The user's name for a table: for {@link ANALYSIS}, the table it was copied from. */
async function tableLabel(db: Db, table: string): Promise<string> {
  if (table !== ANALYSIS) return table;
  const q = tableCommentSql(ANALYSIS);
  const rows = await db.query(q.sql, q.params).catch(() => []);
  const comment = rows.length ? rows[0].comment : null;
  return typeof comment === "string" && comment ? comment : table;
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
  const times = features.dates.flatMap((d) => (d.time ? [d.time.column] : []));
  return [...new Set([...features.categorical, ...features.numeric, ...features.dates.map((d) => d.column), ...times])];
}

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
  for (const d of features.dates) {
    const type = types.get(d.column) ?? "";
    if (!/TIMESTAMP|DATE/.test(type)) {
      const { format, example } = await testedDateFormat(db, table, d.column);
      throw new UserError("data.not_date", msg.featureNotDate(where, d.column, type, format, example));
    }
  }
  const check = options.check ?? true;
  const stats = featureStatsSql(table, features, { check });
  if (stats) {
    const [row] = await db.query(stats.sql);
    for (const c of stats.numeric) {
      const bad = Number(row[c.bad]);
      if (bad > 0) throw new UserError("data.not_numeric", msg.featureNotNumeric(where, c.column, bad, row[c.badExample]));
      const odd = Number(row[c.odd]);
      if (odd > 0) throw new UserError("data.not_finite", msg.featureNotFinite(where, c.column, odd, row[c.oddExample]));
    }
    if (check) await checkFeatureValues(db, table, features, where, options, stats, row);
  }
  if (check) await checkDates(db, table, features, where, options.logger);
  const input: FeatureInput = { categorical: {}, numeric: {} };
  const textNames = [...features.categorical, ...features.dates.flatMap((d) => d.parts.map((p) => datePartName(d.column, p)))];
  if (types.has("_row")) {
    // Text columns as codes into their levels, read as numbers: each row's value is one of a few shared strings,
    // not a string made per cell (a quarter of the time on a million rows). Each column is its own query ordered by
    // `_row`, which is unique (the analysis table's row number), so the columns line up row for row.
    for (const [j, expr] of textFeatureExprs(features).entries()) {
      const q = textFeatureCodesSql(table, expr);
      const levels = (await db.query(q.levels)).map((r) => (typeof r.level === "string" ? r.level : null));
      const [codes] = (await db.queryNumbers(q.codes)).columns;
      const values: (string | null)[] = new Array<string | null>(codes.length);
      for (let i = 0; i < codes.length; ++i) values[i] = levels[codes[i]];
      input.categorical[textNames[j]] = values;
    }
    const sql = numericFeatureValuesSql(table, features);
    if (sql) {
      const { columns } = await db.queryNumbers(sql);
      for (const [j, c] of features.numeric.entries()) input.numeric[c] = columns[j];
    }
  } else {
    const sql = featureValuesSql(table, features);
    if (!sql) return input;
    const { columns } = await db.queryColumns(sql);
    let k = 0;
    for (const name of textNames) input.categorical[name] = columns[k++] as (string | null)[];
    for (const c of features.numeric) input.numeric[c] = mapFloat64(columns[k++] as (number | null)[], (v) => (v === null ? NaN : v));
  }
  if (check && options.logger) warnVariants(input, features, where, options.logger);
  return input;
}

/** Warns (data.case_variants, data.whitespace_variants) about categories spelled differently only in case or spacing. */
function warnVariants(input: FeatureInput, features: FeaturesSpec, where: string, logger: Logger): void {
  const kinds: [VariantKind, "data.case_variants" | "data.whitespace_variants"][] = [
    ["case", "data.case_variants"],
    ["whitespace", "data.whitespace_variants"],
  ];
  for (const column of features.categorical) {
    for (const [kind, code] of kinds) {
      const groups = categoryVariants(input.categorical[column], kind);
      if (!groups.length) continue;
      const folded = features.fold[kind];
      logger.warn({
        code,
        message: msg.categoryVariants(where, column, kind, groups, folded),
        column,
        folded,
        groups: groups.slice(0, 20).map((g) => g.values),
      });
    }
  }
}

/**
 * Refuses `hour` of a date column without a time of day (every value at midnight: the hour would be one level) and a
 * `time` column none of whose values is a time of day; warns (data.bad_times) about time values that are not.
 */
async function checkDates(db: Db, table: string, features: FeaturesSpec, where: string, logger: Logger | undefined): Promise<void> {
  const q = dateChecksSql(table, features);
  if (!q) return;
  const [row] = await db.query(q.sql);
  for (const c of q.dates) {
    const { date } = c;
    const present = Number(row[c.present]);
    if (!date.time) {
      if (date.parts.includes("hour") && present > 0 && Number(row[c.timed]) === 0)
        throw new UserError("data.date_without_time", msg.dateWithoutTime(where, date.column, present, date.parts));
      continue;
    }
    const bad = Number(row[c.badTime ?? ""]);
    if (!bad) continue;
    const timePresent = Number(row[c.timePresent ?? ""]);
    const example = row[c.badTimeExample ?? ""];
    if (bad === timePresent)
      throw new UserError("data.no_times", msg.noTimesOfDay(where, date.column, date.time.column, date.time.format, example));
    logger?.warn({
      code: "data.bad_times",
      message: msg.badTimesOfDay(where, date.column, date.time.column, date.time.format, bad, timePresent, example),
      column: date.column,
      time_column: date.time.column,
      count: bad,
      example,
    });
  }
}

/**
 * Refuses feature columns that are entirely empty or have too many categories, and warns about constant ones
 * (they carry no information but do no harm), from the summary in `row` (the result of `stats`). Only a
 * categorical column with many values costs another query: its exact count of frequent values.
 */
async function checkFeatureValues(
  db: Db,
  table: string,
  features: FeaturesSpec,
  where: string,
  options: ReadFeatureOptions,
  stats: FeatureStatsQuery,
  row: Record<string, unknown>,
): Promise<void> {
  if (stats.rows === undefined) return;
  const maxLevels = options.maxLevels ?? MAX_LEVELS;
  const n = Number(row[stats.rows]);
  if (n === 0) return;
  for (const { column: c, kind, present, approx, lo, hi } of stats.columns) {
    if (Number(row[present]) === 0) throw new UserError("data.empty_feature", msg.featureEmpty(where, kind, c, n));
    if (kind === "categorical" && Number(row[approx]) > maxLevels / 2) {
      const [{ levels }] = await db.query(categoryLevelsSql(table, c, features.min_frequency));
      if (Number(levels) > maxLevels)
        throw new UserError("data.too_many_levels", msg.tooManyLevels(where, c, Number(levels), n, maxLevels));
    }
    const missing = n - Number(row[present]);
    const missingIsLevel = kind !== "numeric" && features.missing.categorical === "category";
    if (row[lo] === row[hi] && (missing === 0 || !missingIsLevel)) {
      options.logger?.warn({
        code: "data.constant_feature",
        message: msg.constantFeature(where, c, row[lo]),
        column: c,
        value: row[lo],
        rows: n,
      });
    }
  }
}
