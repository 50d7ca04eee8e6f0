/**
 * Builders of the statements that make and describe the analysis table. Each returns SQL text (or text with bound
 * values) and runs nothing.
 */
import { quoteIdent } from "../../data/Db.js";
import { createTableAsSql, type SqlQuery } from "../../data/sql/tables.js";

/**
 * `CREATE [OR REPLACE] TABLE target AS SELECT (row_number() OVER (ORDER BY every column) - 1)::INTEGER AS _row, *
 * FROM source ORDER BY _row`: a copy of `source` numbered in an order that depends only on its values. Portable
 * without `replace` (which is DuckDB's).
 * @param target table to create
 * @param source table to copy
 * @param columns every column of `source`, in table order (at least one)
 * @param options `replace` an existing `target` (default false)
 */
export function copyAnalysisTableSql(target: string, source: string, columns: string[], options: { replace?: boolean } = {}): string {
  const order = columns.map(quoteIdent).join(", ");
  const select = `SELECT (row_number() OVER (ORDER BY ${order}) - 1)::INTEGER AS _row, * FROM ${quoteIdent(source)} ORDER BY _row`;
  return createTableAsSql(target, select, { replace: options.replace ?? false });
}

/** Counts (`n`) the base tables named `table`, bound as a parameter. DuckDB. */
export function tableExistsSql(table: string): SqlQuery {
  return { sql: "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = ?", params: [table] };
}

/** The `comment` of the table named `table` (no row when there is no such table). DuckDB. */
export function tableCommentSql(table: string): SqlQuery {
  return { sql: "SELECT comment FROM duckdb_tables() WHERE table_name = ?", params: [table] };
}
