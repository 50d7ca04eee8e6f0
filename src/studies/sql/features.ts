/**
 * Builders of the queries that check and read feature columns. Each returns SQL text and runs nothing; all are
 * DuckDB's dialect unless marked portable.
 */
import { quoteIdent } from "../../data/Db.js";
import type { DateFeature, FeaturesSpec, TimeOfDay } from "../../features/spec.js";

/** The kind of feature a checked column gives, as messages name it. */
export type FeatureKind = "categorical" | "numeric" | "date";

/** Output names, in {@link featureStatsSql}'s row, of one numeric column's value checks. */
export interface NumericCheckNames {
  column: string;
  /** Non-null values that are not numbers, and one of them as text. */
  bad: string;
  badExample: string;
  /** Values that are numbers but NaN or infinite, and one of them as text. */
  odd: string;
  oddExample: string;
}

/** Output names, in {@link featureStatsSql}'s row, of one feature column's summary. */
export interface ColumnCheckNames {
  column: string;
  kind: FeatureKind;
  /** Non-null values. */
  present: string;
  /** Approximate distinct values. */
  approx: string;
  /** Smallest and largest value as text. */
  lo: string;
  hi: string;
}

/** {@link featureStatsSql}'s query and where each figure is in its one row. */
export interface FeatureStatsQuery {
  sql: string;
  /** Row count of the table, when `check` is on. */
  rows?: string;
  numeric: NumericCheckNames[];
  /** Categorical, then numeric, then date columns, when `check` is on. */
  columns: ColumnCheckNames[];
}

/**
 * One query over every feature column, returning one row: for each numeric column, how many values are not
 * numbers and how many are NaN or infinite (each with an example); with `check`, the row count and for each
 * categorical, numeric and date column its non-null count, approximate distinct count, min and max. Null when
 * there is nothing to compute.
 * @param table table to check
 * @param features the feature spec
 * @param options `check`: add the per-column summary (default true)
 */
export function featureStatsSql(table: string, features: FeaturesSpec, options: { check?: boolean } = {}): FeatureStatsQuery | null {
  const check = options.check ?? true;
  const parts: string[] = [];
  const numeric = features.numeric.map((column, i): NumericCheckNames => {
    const q = quoteIdent(column);
    const names = { column, bad: `bad_${i}`, badExample: `bad_example_${i}`, odd: `odd_${i}`, oddExample: `odd_example_${i}` };
    const notNumber = `${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL`;
    const notFinite = `${q} IS NOT NULL AND NOT isfinite(TRY_CAST(${q} AS DOUBLE))`;
    parts.push(
      `(count(*) FILTER (WHERE ${notNumber}))::INTEGER AS ${names.bad}`,
      `any_value(CAST(${q} AS VARCHAR)) FILTER (WHERE ${notNumber}) AS ${names.badExample}`,
      `(count(*) FILTER (WHERE ${notFinite}))::INTEGER AS ${names.odd}`,
      `any_value(CAST(${q} AS VARCHAR)) FILTER (WHERE ${notFinite}) AS ${names.oddExample}`,
    );
    return names;
  });
  const columns: ColumnCheckNames[] = [];
  if (check) {
    const listed: [string, FeatureKind][] = [
      ...features.categorical.map((c): [string, FeatureKind] => [c, "categorical"]),
      ...features.numeric.map((c): [string, FeatureKind] => [c, "numeric"]),
      ...features.dates.map((d): [string, FeatureKind] => [d.column, "date"]),
    ];
    listed.forEach(([column, kind], j) => {
      const q = quoteIdent(column);
      const names = { column, kind, present: `present_${j}`, approx: `approx_${j}`, lo: `lo_${j}`, hi: `hi_${j}` };
      parts.push(
        `count(${q})::INTEGER AS ${names.present}`,
        `approx_count_distinct(${q})::INTEGER AS ${names.approx}`,
        `CAST(min(${q}) AS VARCHAR) AS ${names.lo}`,
        `CAST(max(${q}) AS VARCHAR) AS ${names.hi}`,
      );
      columns.push(names);
    });
    if (columns.length) parts.unshift("count(*)::INTEGER AS n");
  }
  if (!parts.length) return null;
  return { sql: `SELECT ${parts.join(", ")} FROM ${quoteIdent(table)}`, rows: columns.length ? "n" : undefined, numeric, columns };
}

/**
 * Counts (`levels`) the values of `column` seen at least `minFrequency` times. Portable.
 * @param table table
 * @param column categorical column
 * @param minFrequency an integer of at least 1
 */
export function categoryLevelsSql(table: string, column: string, minFrequency: number): string {
  if (!Number.isSafeInteger(minFrequency)) throw new Error(`invalid minFrequency: ${minFrequency} (expected an integer)`);
  const q = quoteIdent(column);
  return `SELECT count(*)::INTEGER AS levels FROM (SELECT ${q} FROM ${quoteIdent(table)} GROUP BY ${q} HAVING count(*) >= ${minFrequency}) AS kept`;
}

/**
 * The time of day of `time` as a DuckDB TIME, NULL when missing or not a time: `hhmm` integers (or digit text) 0..2359
 * with minutes below 60, or `time` values (TIME, or text DuckDB casts to TIME such as "14:30").
 * @param time the date's `time` key
 */
export function timeOfDaySql(time: TimeOfDay): string {
  const q = quoteIdent(time.column);
  if (time.format === "time") return `TRY_CAST(${q} AS TIME)`;
  const t = `TRY_CAST(${q} AS INTEGER)`;
  return `CASE WHEN ${t} BETWEEN 0 AND 2359 AND ${t} % 100 < 60 THEN make_time(CAST(${t} // 100 AS BIGINT), CAST(${t} % 100 AS BIGINT), 0) END`;
}

/**
 * The timestamp a date feature's parts are taken from: the column itself, or with `time` the column's date plus that
 * time of day (NULL when the time is missing or not a time).
 * @param date the date feature
 */
export function dateFeatureSql(date: DateFeature): string {
  const q = quoteIdent(date.column);
  return date.time ? `(CAST(${q} AS DATE) + ${timeOfDaySql(date.time)})` : q;
}

/** Output names, in {@link dateChecksSql}'s row, of one date feature's checks. */
export interface DateCheckNames {
  date: DateFeature;
  /** Non-null dates. */
  present: string;
  /** Dates with a time of day other than 00:00:00. */
  timed: string;
  /** With `time`: present values of the time column. */
  timePresent?: string;
  /** With `time`: values of the time column that are present but not a time, and one of them as text. */
  badTime?: string;
  badTimeExample?: string;
}

/**
 * One query over every date feature, returning one row: how many dates are present and how many have a time of day
 * other than midnight (a date-only column has none, so its `hour` would be one level), and for a date with `time`
 * how many time values are present but not a time of day, with an example. Null when there are no date features.
 * @param table table to check
 * @param features the feature spec
 */
export function dateChecksSql(table: string, features: FeaturesSpec): { sql: string; dates: DateCheckNames[] } | null {
  if (!features.dates.length) return null;
  const parts: string[] = [];
  const dates = features.dates.map((date, i): DateCheckNames => {
    const q = quoteIdent(date.column);
    const names: DateCheckNames = { date, present: `present_${i}`, timed: `timed_${i}` };
    parts.push(
      `count(${q})::INTEGER AS ${names.present}`,
      `(count(*) FILTER (WHERE CAST(CAST(${q} AS TIMESTAMP) AS TIME) <> TIME '00:00:00'))::INTEGER AS ${names.timed}`,
    );
    if (date.time) {
      const t = quoteIdent(date.time.column);
      const bad = `${t} IS NOT NULL AND ${timeOfDaySql(date.time)} IS NULL`;
      names.timePresent = `time_present_${i}`;
      names.badTime = `bad_time_${i}`;
      names.badTimeExample = `bad_time_example_${i}`;
      parts.push(
        `count(${t})::INTEGER AS ${names.timePresent}`,
        `(count(*) FILTER (WHERE ${bad}))::INTEGER AS ${names.badTime}`,
        `min(CAST(${t} AS VARCHAR)) FILTER (WHERE ${bad}) AS ${names.badTimeExample}`,
      );
    }
    return names;
  });
  return { sql: `SELECT ${parts.join(", ")} FROM ${quoteIdent(table)}`, dates };
}

/**
 * Counts (`timed`) the values of `column` with a time of day other than 00:00:00; none means a date without a time
 * (values that are not timestamps count as none).
 * @param table table
 * @param column a timestamp or date column
 */
export function timedCountSql(table: string, column: string): string {
  const q = quoteIdent(column);
  return `SELECT (count(*) FILTER (WHERE CAST(TRY_CAST(${q} AS TIMESTAMP) AS TIME) <> TIME '00:00:00'))::INTEGER AS timed FROM ${quoteIdent(table)}`;
}

const PART_SQL: Record<FeaturesSpec["dates"][number]["parts"][number], (c: string) => string> = {
  hour: (c) => `lpad(CAST(hour(${c}) AS VARCHAR), 2, '0')`,
  weekday: (c) => `strftime(${c}, '%u-%a')`,
  month: (c) => `strftime(${c}, '%m')`,
  year: (c) => `CAST(year(${c}) AS VARCHAR)`,
  day_of_year: (c) => `lpad(CAST(dayofyear(${c}) AS VARCHAR), 3, '0')`,
};

/**
 * The feature columns of `table` as the encoder reads them, one output column each in this order: categories as
 * text, then each date's parts as text (`hour` "00".."23", `weekday` "1-Mon".."7-Sun", `month` "01".."12",
 * `year`, `day_of_year` "001".."366"; the hour from the date's `time` column when it has one, missing where that time is), then numbers as DOUBLE (NULL when not a number). Null when there are no
 * feature columns.
 * @param table table to read
 * @param features the feature spec
 * @param options `ordered`: sort by `_row` (the table has it)
 */
export function featureValuesSql(table: string, features: FeaturesSpec, options: { ordered?: boolean } = {}): string | null {
  const exprs = [...textFeatureExprs(features), ...numericFeatureExprs(features)];
  if (!exprs.length) return null;
  return `SELECT ${exprs.join(", ")} FROM ${quoteIdent(table)}${options.ordered ? " ORDER BY _row" : ""}`;
}

/** The text columns of {@link featureValuesSql}, in its order: the categories, then each date's parts. */
export function textFeatureExprs(features: FeaturesSpec): string[] {
  const exprs: string[] = [];
  for (const c of features.categorical) exprs.push(`CAST(${quoteIdent(c)} AS VARCHAR)`);
  // Only the hour needs the time of day: a date whose time is missing or bad still has its weekday, month and year.
  for (const d of features.dates) for (const p of d.parts) exprs.push(PART_SQL[p](p === "hour" ? dateFeatureSql(d) : quoteIdent(d.column)));
  return exprs;
}

/** The numeric columns of {@link featureValuesSql}, in its order. */
export function numericFeatureExprs(features: FeaturesSpec): string[] {
  return features.numeric.map((c) => `TRY_CAST(${quoteIdent(c)} AS DOUBLE)`);
}

/** The distinct values of `expr` over `table` numbered 0, 1, … in ascending order (NULL last), as `level`, `code`. */
function levelCodesSql(table: string, expr: string): string {
  return `SELECT "level", (row_number() OVER (ORDER BY "level" ASC NULLS LAST) - 1)::INTEGER AS "code" FROM (SELECT DISTINCT ${expr} AS "level" FROM ${quoteIdent(table)})`;
}

/**
 * A text feature of `table` (one of {@link textFeatureExprs}) as codes instead of a string per row: the levels
 * (`level`, in code order) and each row's code (`code`, ordered by `_row`). Both queries number the levels alike.
 */
export function textFeatureCodesSql(table: string, expr: string): { levels: string; codes: string } {
  const levels = levelCodesSql(table, expr);
  return {
    levels: `SELECT "level" FROM (${levels}) ORDER BY "code"`,
    codes: `SELECT l."code" FROM (SELECT _row, ${expr} AS "value" FROM ${quoteIdent(table)}) v LEFT JOIN (${levels}) l ON l."level" IS NOT DISTINCT FROM v."value" ORDER BY v._row`,
  };
}

/** The numeric columns of {@link featureValuesSql} by `_row`; null when there are none. */
export function numericFeatureValuesSql(table: string, features: FeaturesSpec): string | null {
  const exprs = numericFeatureExprs(features);
  return exprs.length ? `SELECT ${exprs.join(", ")} FROM ${quoteIdent(table)} ORDER BY _row` : null;
}
