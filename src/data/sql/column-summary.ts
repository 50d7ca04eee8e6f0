/**
 * Builders of the queries behind `openbeat inspect`: per-column statistics in one pass and the top values of a
 * column. Each returns SQL text and runs nothing.
 */
import { quoteIdent, type ColumnInfo } from "../Db.js";

const ORDERED =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|DATE|TIME.*|TIMESTAMP.*)$/;
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** True for types with a meaningful min and max (numbers, dates, times), as DuckDB names them. */
export function hasRange(type: string): boolean {
  return ORDERED.test(type);
}

/**
 * One row of statistics for every column j of `table`: nulls (`n{j}`), distinct values (`d{j}`) and, for
 * {@link hasRange} types, min and max (`lo{j}`, `hi{j}`; numbers as DOUBLE, dates and times as text). DuckDB.
 * @param table table or view
 * @param columns its columns, as `Database.columns` reports them (at least one)
 */
export function columnStatsSql(table: string, columns: ColumnInfo[]): string {
  const parts: string[] = [];
  columns.forEach((c, j) => {
    const q = quoteIdent(c.name);
    parts.push(`(count(*) - count(${q}))::INTEGER AS n${j}`, `count(DISTINCT ${q})::INTEGER AS d${j}`);
    if (hasRange(c.type)) {
      const cast = NUMERIC.test(c.type) ? "DOUBLE" : "VARCHAR";
      parts.push(`min(${q})::${cast} AS lo${j}`, `max(${q})::${cast} AS hi${j}`);
    }
  });
  return `SELECT ${parts.join(", ")} FROM ${quoteIdent(table)}`;
}

/**
 * The `limit` most frequent non-null values of a column as text (`v`) with their counts (`n`), most frequent
 * first, ties by value. Portable.
 * @param table table or view
 * @param column column name
 * @param limit how many values (default 5)
 */
export function topValuesSql(table: string, column: string, limit = 5): string {
  const q = quoteIdent(column);
  return `SELECT ${q}::VARCHAR AS v, count(*)::INTEGER AS n FROM ${quoteIdent(table)} WHERE ${q} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT ${Math.trunc(limit)}`;
}
