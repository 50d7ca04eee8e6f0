/**
 * Builders of `COPY` statements and file readers that move tables between DuckDB, files and PostgreSQL. Each
 * returns SQL text and runs nothing; each names its dialect.
 */
import { quoteIdent, quoteString } from "../Db.js";

/**
 * `COPY (select) TO 'path' (FORMAT parquet)`. DuckDB.
 * @param select a query built by openbeat
 * @param path parquet file to write
 */
export function copyToParquetSql(select: string, path: string): string {
  return `COPY (${select}) TO ${quoteString(path)} (FORMAT parquet)`;
}

/**
 * `COPY (SELECT expr AS name, … FROM table) TO 'path' (FORMAT CSV, HEADER false)`: a table as header-less CSV
 * (NULL an unquoted empty field, the empty string a quoted one). DuckDB.
 * @param table table or view
 * @param columns output names and the DuckDB expressions that produce them
 * @param path CSV file to write
 */
export function copyToCsvSql(table: string, columns: { name: string; expr: string }[], path: string): string {
  const select = columns.map((c) => `${c.expr} AS ${quoteIdent(c.name)}`).join(", ");
  return `COPY (SELECT ${select} FROM ${quoteIdent(table)}) TO ${quoteString(path)} (FORMAT CSV, HEADER false)`;
}

/**
 * `COPY target (columns) FROM STDIN (FORMAT csv)`, for a `pg-copy-streams` writer. PostgreSQL.
 * @param target quoted table name, e.g. from `tableRef`
 * @param columns column names, in CSV order
 */
export function copyFromStdinSql(target: string, columns: string[]): string {
  return `COPY ${target} (${columns.map(quoteIdent).join(", ")}) FROM STDIN (FORMAT csv)`;
}

/** `COPY (SELECT * FROM table) TO STDOUT (FORMAT csv, HEADER true)`, for a `pg-copy-streams` reader. PostgreSQL. */
export function copyToStdoutSql(table: string): string {
  return `COPY (SELECT * FROM ${quoteIdent(table)}) TO STDOUT (FORMAT csv, HEADER true)`;
}

/**
 * `CREATE VIEW view AS SELECT * FROM read_parquet('path')`. DuckDB.
 * @param view view name
 * @param path parquet file
 */
export function parquetViewSql(view: string, path: string): string {
  return `CREATE VIEW ${quoteIdent(view)} AS SELECT * FROM read_parquet(${quoteString(path)})`;
}

/**
 * `INSERT INTO table SELECT * FROM read_json(…)`: rows of a newline-delimited JSON file into a table with exactly
 * `columns`. DuckDB.
 * @param table existing table
 * @param path NDJSON file, one object per line
 * @param columns names and DuckDB types, in table order
 * @param maxObjectSize largest line in bytes that DuckDB must accept
 */
export function insertNdjsonSql(table: string, path: string, columns: { name: string; type: string }[], maxObjectSize: number): string {
  const types = columns.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(", ");
  return (
    `INSERT INTO ${quoteIdent(table)} SELECT * FROM read_json(${quoteString(path)}, format = 'newline_delimited', ` +
    `columns = {${types}}, maximum_object_size = ${Math.trunc(maxObjectSize)})`
  );
}
