/**
 * Builders of table statements: counts, creation, dropping, comments. Each returns SQL text and runs nothing.
 * "Portable" ones read the same in DuckDB and PostgreSQL; the others are DuckDB's dialect.
 */
import { quoteIdent, quoteString } from "../Db.js";

/** SQL text with the values it binds as parameters (`?` placeholders, DuckDB). */
export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/** A column to create: name and SQL type (written as given, so only types openbeat itself chooses). */
export interface ColumnDef {
  name: string;
  type: string;
}

/**
 * A quoted table name, schema-qualified when `schema` is given. Portable.
 * @param table table name
 * @param schema schema name, or undefined for the search path's
 */
export function tableRef(table: string, schema?: string): string {
  return schema === undefined ? quoteIdent(table) : `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/**
 * `SELECT count(*)::INTEGER AS n FROM table [WHERE …]`. Portable.
 * @param table table or view
 * @param options `where`: a condition built by openbeat (not user text); `alias`: name of the count (default `n`)
 */
export function countRowsSql(table: string, options: { where?: string; alias?: string } = {}): string {
  const where = options.where ? ` WHERE ${options.where}` : "";
  return `SELECT count(*)::INTEGER AS ${quoteIdent(options.alias ?? "n")} FROM ${quoteIdent(table)}${where}`;
}

/**
 * `DROP TABLE IF EXISTS` for one or more tables, as one statement each joined by `; `. Portable.
 * @param tables table names
 * @param schema schema of every table, when not the search path's
 */
export function dropTableSql(tables: string | string[], schema?: string): string {
  return (typeof tables === "string" ? [tables] : tables).map((t) => `DROP TABLE IF EXISTS ${tableRef(t, schema)}`).join("; ");
}

/**
 * `CREATE [OR REPLACE] TABLE table (columns)`. `replace` is DuckDB only; without it the statement is portable.
 * @param table table name
 * @param columns names and types, in order
 * @param options `replace` (default false), `schema`
 */
export function createTableSql(table: string, columns: ColumnDef[], options: { replace?: boolean; schema?: string } = {}): string {
  const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ");
  return `CREATE ${options.replace ? "OR REPLACE " : ""}TABLE ${tableRef(table, options.schema)} (${defs})`;
}

/**
 * `CREATE [OR REPLACE] TABLE table AS select`. `replace` is DuckDB only; without it the statement is portable when
 * `select` is.
 * @param table table name
 * @param select a query built by openbeat
 * @param options `replace` (default true, DuckDB)
 */
export function createTableAsSql(table: string, select: string, options: { replace?: boolean } = {}): string {
  return `CREATE ${(options.replace ?? true) ? "OR REPLACE " : ""}TABLE ${quoteIdent(table)} AS ${select}`;
}

/** `CREATE SCHEMA IF NOT EXISTS schema`. Portable. */
export function createSchemaSql(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`;
}

/** `COMMENT ON TABLE table IS 'comment'`. Portable. */
export function commentOnTableSql(table: string, comment: string): string {
  return `COMMENT ON TABLE ${quoteIdent(table)} IS ${quoteString(comment)}`;
}

/** `SET TimeZone = 'zone'`, so timestamps read the same on every machine. Portable. */
export function setTimeZoneSql(zone = "UTC"): string {
  return `SET TimeZone = ${quoteString(zone)}`;
}
