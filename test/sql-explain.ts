import { expect } from "vitest";
import type { Db } from "../src/data/Db.js";
import { PgDb } from "../src/data/PgDb.js";
import { runSchemaName } from "../src/data/open-database.js";

/**
 * Checks of generated SQL against real engines: `EXPLAIN` plans a statement (binding every table, column and
 * function it names) without running it. PostgreSQL checks run when OPENBEAT_TEST_PG is set; in CI they must.
 */

/** PostgreSQL URL for the portable-SQL checks, e.g. postgres://postgres@127.0.0.1:55432/postgres. */
export const PG_URL = process.env.OPENBEAT_TEST_PG;
if (process.env.CI && !PG_URL) throw new Error("OPENBEAT_TEST_PG is not set; run scripts/start-postgres.sh and export its URL");

/** Plans `sql` in DuckDB and returns the plan text; fails the test with DuckDB's message when it does not bind. */
export async function explainDuck(db: Db, sql: string, params: unknown[] = []): Promise<string> {
  const rows = await db.query(`EXPLAIN ${sql}`, params);
  expect(rows.length).toBeGreaterThan(0);
  return rows.map((r) => String(r.explain_value)).join("\n");
}

/** Plans `sql` in PostgreSQL and returns the plan text. */
export async function explainPg(pg: PgDb, sql: string): Promise<string> {
  const rows = await pg.query(`EXPLAIN ${sql}`);
  expect(rows.length).toBeGreaterThan(0);
  return rows.map((r) => String(r["QUERY PLAN"])).join("\n");
}

/** A PostgreSQL connection working in a fresh schema that is dropped on close. */
export function openScratchPg(url: string): Promise<PgDb> {
  return PgDb.open(url, { schema: runSchemaName(), dropSchemaOnClose: true });
}
