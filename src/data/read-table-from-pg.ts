import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { to as copyTo } from "pg-copy-streams";
import { driverMessage, QueryError, type Db } from "./Db.js";
import type { PgDb } from "./PgDb.js";
import { copyToStdoutSql } from "./sql/copy.js";
import { loadCsvWithColumnsSql } from "./sql/csv.js";
import { countRowsSql, setTimeZoneSql } from "./sql/tables.js";

/** DuckDB type for a PostgreSQL column type (as `format_type` prints it); text for anything unusual. */
export function pgTypeToDuck(type: string): string {
  const t = type.toLowerCase();
  if (t === "smallint") return "SMALLINT";
  if (t === "integer") return "INTEGER";
  if (t === "bigint") return "BIGINT";
  if (t === "double precision" || t === "real" || t.startsWith("numeric")) return "DOUBLE";
  if (t === "boolean") return "BOOLEAN";
  if (t === "date") return "DATE";
  if (t.startsWith("timestamp") && t.includes("with time zone")) return "TIMESTAMPTZ";
  if (t.startsWith("timestamp")) return "TIMESTAMP";
  return "VARCHAR";
}

/**
 * Copies a PostgreSQL table into DuckDB (replacing a table of the same name there) with `COPY … TO STDOUT` and
 * DuckDB's CSV reader, keeping column names and mapping types.
 */
export async function readTableFromPg(pg: PgDb, duck: Db, table: string, target = table): Promise<number> {
  const columns = await pg.columns(table);
  const dir = await mkdtemp(join(tmpdir(), "openbeat-pg-read-"));
  const file = join(dir, "table.csv");
  const sql = copyToStdoutSql(table);
  try {
    await pg.exec(setTimeZoneSql("UTC"));
    try {
      await pipeline(pg.client.query(copyTo(sql)), createWriteStream(file));
    } catch (e) {
      throw new QueryError(driverMessage(e), sql, e);
    }
    await duck.exec(
      loadCsvWithColumnsSql(
        target,
        file,
        columns.map((c) => ({ name: c.name, type: pgTypeToDuck(c.type) })),
      ),
    );
    const [{ n }] = await duck.query(countRowsSql(target));
    return Number(n);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
