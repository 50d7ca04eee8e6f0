import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { type Database, QueryError, driverMessage, quoteIdent } from "./Db.js";
import type { PgDb } from "./PgDb.js";
import { copyFromStdinSql, copyToCsvSql } from "./sql/copy.js";
import { createTableSql, dropTableSql, tableRef } from "./sql/tables.js";

/** A DuckDB column type mapped to PostgreSQL, and the DuckDB expression that exports it as CSV text. */
export interface PgColumnMapping {
  name: string;
  duckType: string;
  pgType: string;
  /** DuckDB select expression for the column (casts nested and binary types to text PG can read). */
  expr: string;
}

const SIMPLE: Record<string, string> = {
  BOOLEAN: "boolean",
  TINYINT: "smallint",
  SMALLINT: "smallint",
  INTEGER: "integer",
  BIGINT: "bigint",
  HUGEINT: "numeric",
  UHUGEINT: "numeric",
  UTINYINT: "smallint",
  USMALLINT: "integer",
  UINTEGER: "bigint",
  UBIGINT: "numeric",
  FLOAT: "real",
  DOUBLE: "double precision",
  VARCHAR: "text",
  DATE: "date",
  TIME: "time",
  TIMESTAMP: "timestamp",
  TIMESTAMP_NS: "timestamp",
  TIMESTAMP_MS: "timestamp",
  TIMESTAMP_S: "timestamp",
  "TIMESTAMP WITH TIME ZONE": "timestamptz",
  "TIME WITH TIME ZONE": "timetz",
  INTERVAL: "interval",
  UUID: "uuid",
  JSON: "jsonb",
};

/**
 * PostgreSQL type for a DuckDB column type. DECIMAL keeps precision and scale; BLOB becomes bytea; lists,
 * structs, maps, enums and anything unknown become text (their DuckDB text form).
 * @param name column name, used to build the export expression
 * @param duckType type as DuckDB's DESCRIBE reports it
 */
export function mapDuckTypeToPg(name: string, duckType: string): PgColumnMapping {
  const t = duckType.trim().toUpperCase();
  const col = quoteIdent(name);
  const simple = SIMPLE[t];
  if (simple) return { name, duckType, pgType: simple, expr: col };
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return { name, duckType, pgType: `numeric(${dec[1]},${dec[2]})`, expr: col };
  if (t === "BLOB") return { name, duckType, pgType: "bytea", expr: `'\\x' || hex(${col})` };
  return { name, duckType, pgType: "text", expr: `CAST(${col} AS VARCHAR)` };
}

/** Options for {@link loadTableIntoPg}. */
export interface LoadTableIntoPgOptions {
  /** Name of the PostgreSQL table (default: the DuckDB table's name). It is dropped first if it exists. */
  target?: string;
}

/** What {@link loadTableIntoPg} did. */
export interface LoadTableIntoPgResult {
  table: string;
  rows: number;
  columns: PgColumnMapping[];
}

/**
 * Copies a DuckDB table into PostgreSQL: creates the table with mapped types ({@link mapDuckTypeToPg}), then
 * streams the rows with `COPY … FROM STDIN (FORMAT csv)` from a temporary CSV that DuckDB writes (NULL is an
 * unquoted empty field, the empty string a quoted one, so both survive).
 * @param duck the DuckDB database holding `table`
 * @param pgDb the PostgreSQL database (its search_path decides the schema)
 * @param table DuckDB table or view name
 */
export async function loadTableIntoPg(
  duck: Database,
  pgDb: PgDb,
  table: string,
  options: LoadTableIntoPgOptions = {},
): Promise<LoadTableIntoPgResult> {
  const target = options.target ?? table;
  const columns = (await duck.columns(table)).map((c) => mapDuckTypeToPg(c.name, c.type));
  await pgDb.exec(dropTableSql(target));
  await pgDb.exec(
    createTableSql(
      target,
      columns.map((c) => ({ name: c.name, type: c.pgType })),
    ),
  );
  const dir = await mkdtemp(join(tmpdir(), "openbeat-copy-"));
  const file = join(dir, "table.csv");
  try {
    await duck.exec(copyToCsvSql(table, columns, file));
    const copySql = copyFromStdinSql(
      tableRef(target),
      columns.map((c) => c.name),
    );
    const stream = pgDb.client.query(copyFrom(copySql));
    try {
      await pipeline(createReadStream(file), stream);
    } catch (e) {
      throw new QueryError(driverMessage(e), copySql, e);
    }
    return { table: target, rows: stream.rowCount, columns };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
