/**
 * Builders of the risk study's queries: the target, the validation time column, the date range, and the scoring
 * table. Each returns SQL text and runs nothing.
 */
import { quoteIdent } from "../../data/Db.js";
import { createTableAsSql } from "../../data/sql/tables.js";

/** Target text accepted as 1 (after lower-casing and trimming). */
const ONE = "'1','true','yes','y','1.0'";
/** Target text accepted as 0 or 1. */
const BINARY = "'0','1','true','false','yes','no','y','n','1.0','0.0'";

/**
 * Up to `limit` of the most frequent target values (`v`, as text, with their count `n`) that read as neither 0
 * nor 1. Portable.
 * @param table analysis table
 * @param target target column
 * @param limit how many values (default 3)
 */
export function targetNotBinarySql(table: string, target: string, limit = 3): string {
  const q = quoteIdent(target);
  return `SELECT CAST(${q} AS VARCHAR) AS v, count(*)::INTEGER AS n FROM ${quoteIdent(table)}
     WHERE ${q} IS NOT NULL AND lower(trim(CAST(${q} AS VARCHAR))) NOT IN (${BINARY})
     GROUP BY 1 ORDER BY 2 DESC LIMIT ${Math.trunc(limit)}`;
}

/** The target of each row as 1.0, 0.0 or NULL (missing), in `_row` order. Portable. */
export function targetValuesSql(table: string, target: string): string {
  const q = quoteIdent(target);
  return `SELECT CASE WHEN ${q} IS NULL THEN NULL WHEN lower(trim(CAST(${q} AS VARCHAR))) IN (${ONE}) THEN 1.0 ELSE 0.0 END FROM ${quoteIdent(table)} ORDER BY _row`;
}

/** A timestamp column of each row as milliseconds since 1970 (DOUBLE), in `_row` order. DuckDB. */
export function epochMsSql(table: string, column: string): string {
  return `SELECT epoch_ms(CAST(${quoteIdent(column)} AS TIMESTAMP))::DOUBLE FROM ${quoteIdent(table)} ORDER BY _row`;
}

/** Smallest (`lo`) and largest (`hi`) value of a column, as text. Portable. */
export function columnRangeSql(table: string, column: string): string {
  const q = quoteIdent(column);
  return `SELECT CAST(min(${q}) AS VARCHAR) AS lo, CAST(max(${q}) AS VARCHAR) AS hi FROM ${quoteIdent(table)}`;
}

/**
 * `CREATE OR REPLACE TABLE target AS SELECT rowid AS _row, * FROM source`: rows to score, numbered in file order.
 * DuckDB.
 */
export function scoringTableSql(target: string, source: string): string {
  return createTableAsSql(target, `SELECT (rowid)::INTEGER AS _row, * FROM ${quoteIdent(source)} ORDER BY rowid`);
}

/** A column of each row as text, in `_row` order. Portable. */
export function columnTextSql(table: string, column: string): string {
  return `SELECT CAST(${quoteIdent(column)} AS VARCHAR) FROM ${quoteIdent(table)} ORDER BY _row`;
}
