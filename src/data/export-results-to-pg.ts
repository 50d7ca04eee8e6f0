import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { type Row, QueryError, driverMessage } from "./Db.js";
import type { PgDb } from "./PgDb.js";
import { copyFromStdinSql } from "./sql/copy.js";
import { createSchemaSql, createTableSql, dropTableSql, tableRef } from "./sql/tables.js";

/** PostgreSQL type for a column of plain JS values: bigint, double precision, boolean, jsonb or text. */
export function inferPgType(values: unknown[]): string {
  type Kind = "none" | "int" | "float" | "bool" | "json" | "text";
  let kind = "none" as Kind;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    let k: Kind;
    if (typeof v === "number") k = Number.isSafeInteger(v) ? "int" : "float";
    else if (typeof v === "bigint") k = "int";
    else if (typeof v === "boolean") k = "bool";
    else if (typeof v === "object" && !(v instanceof Date)) k = "json";
    else k = "text";
    if (kind === "none" || kind === k) kind = k;
    else if ((kind === "int" && k === "float") || (kind === "float" && k === "int")) kind = "float";
    else kind = "text";
  }
  switch (kind) {
    case "int":
      return "bigint";
    case "float":
      return "double precision";
    case "bool":
      return "boolean";
    case "json":
      return "jsonb";
    default:
      return "text";
  }
}

function csvField(v: unknown, pgType: string): string {
  if (v === null || v === undefined) return "";
  let s: string;
  if (pgType === "jsonb" || (typeof v === "object" && !(v instanceof Date))) s = JSON.stringify(v);
  else if (v instanceof Date) s = v.toISOString();
  else if (typeof v === "number" && !Number.isFinite(v)) s = Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") s = String(v);
  // Rows come from JSON-like results; a function or symbol has no text form worth storing.
  else s = "";
  return `"${s.replaceAll('"', '""')}"`;
}

/** The union of the rows' keys, in first-seen order: the columns of a table of plain rows. */
export function unionColumns(rows: readonly Row[]): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of rows)
    for (const k of Object.keys(r))
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
  return names;
}

/**
 * Writes result tables (findings, factors, cluster assignments, …) into `schema`, one PostgreSQL table per
 * entry, replacing tables of the same name. Columns are the union of the rows' keys in first-seen order;
 * types come from {@link inferPgType}; nested values are stored as jsonb.
 * @param pgDb target database
 * @param schema schema to write into (created if missing)
 * @param tables table name → rows
 * @returns row count written per table
 */
export async function exportResultsToPg(pgDb: PgDb, schema: string, tables: Record<string, Row[]>): Promise<Record<string, number>> {
  await pgDb.exec(createSchemaSql(schema));
  const counts: Record<string, number> = {};
  for (const [name, rows] of Object.entries(tables)) {
    const names = unionColumns(rows);
    if (!names.length) names.push("empty");
    const types = names.map((n) => inferPgType(rows.map((r) => r[n])));
    await pgDb.exec(dropTableSql(name, schema));
    await pgDb.exec(
      createTableSql(
        name,
        names.map((n, j) => ({ name: n, type: types[j] })),
        { schema },
      ),
    );
    if (rows.length) {
      const copySql = copyFromStdinSql(tableRef(name, schema), names);
      function* lines(): Generator<string> {
        for (const r of rows) yield names.map((n, j) => csvField(r[n], types[j])).join(",") + "\n";
      }
      const stream = pgDb.client.query(copyFrom(copySql));
      try {
        await pipeline(Readable.from(lines()), stream);
      } catch (e) {
        throw new QueryError(driverMessage(e), copySql, e);
      }
    }
    counts[name] = rows.length;
  }
  return counts;
}
