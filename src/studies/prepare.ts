import { Db, QueryError, quoteIdent } from "../data/Db.js";
import { loadTableIntoPg } from "../data/load-table-into-pg.js";
import { openDatabase } from "../data/open-database.js";
import { PgDb } from "../data/PgDb.js";
import { openPgSandbox, runPrepareStepPg, type PgSandbox } from "../data/pg-sandbox.js";
import { runPrepareStepDuckDb } from "../data/sandbox.js";
import { readTableFromPg } from "../data/read-table-from-pg.js";
import type { StudyBase } from "./study-file/base.js";
import type { PrepareStep } from "./study-file/base.js";
import { UserError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { prepareFailed } from "../util/messages.js";
import * as msg from "../util/messages.js";

/** The SQL of a step for an engine, or a one-line error when the step is written only for the other one. */
export function stepSql(step: PrepareStep, engine: "duckdb" | "postgres", file: string): string {
  const text =
    engine === "postgres"
      ? (step.postgres ?? (step.dialect !== "duckdb" ? step.sql : null))
      : step.dialect !== "postgres"
        ? step.sql
        : null;
  if (text === null) {
    throw new UserError("prepare.dialect", msg.prepareWrongDialect(file, step.name, engine));
  }
  return text.trim().replace(/;+\s*$/, "");
}

async function runStep(
  db: Db | { sandbox: PgSandbox },
  step: PrepareStep,
  sql: string,
  file: string,
  engine: string,
  timeoutMs: number | undefined,
): Promise<void> {
  try {
    // Both engines run each step confined, as one query, with a time limit: see data/sandbox.ts and data/pg-sandbox.ts.
    if (db instanceof Db) await runPrepareStepDuckDb(db, step.name, sql, { file, timeoutMs });
    else await runPrepareStepPg(db.sandbox, step.name, sql, { file, timeoutMs });
  } catch (e) {
    if (e instanceof QueryError)
      throw new UserError("prepare.sql", prepareFailed(file, step.name, engine === "postgres" ? `(PostgreSQL) ${e.message}` : e.message), {
        cause: e,
      });
    throw e;
  }
}

/**
 * Runs the prepare steps. With a PostgreSQL URL the loaded sources are bulk-copied into a fresh schema there, the
 * steps run in PostgreSQL and the analysis table is copied back; otherwise everything runs in DuckDB.
 */
export async function runPrepare(
  db: Db,
  spec: StudyBase,
  file: string,
  analysisTable: string,
  logger: Logger,
  dbUrl?: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const { timeoutMs } = options;
  if (!dbUrl) {
    for (const step of spec.prepare) {
      await runStep(db, step, stepSql(step, "duckdb", file), file, "duckdb", timeoutMs);
      const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM ${quoteIdent(step.name)}`);
      logger.info(`  prepared ${step.name}: ${Number(n).toLocaleString("en-US")} rows`);
    }
    return;
  }
  const sqls = spec.prepare.map((step) => stepSql(step, "postgres", file));
  const pg = await openDatabase(dbUrl);
  if (!(pg instanceof PgDb)) throw new Error(`--db ${dbUrl} did not open PostgreSQL`);
  try {
    // Timestamp parsing and casts must not depend on the server's zone (as DuckDB's session is pinned to UTC).
    await pg.exec("SET TimeZone = 'UTC'");
    for (const name of Object.keys(spec.sources)) {
      const r = await loadTableIntoPg(db, pg, name);
      logger.info(`  copied ${name} into PostgreSQL: ${r.rows.toLocaleString("en-US")} rows`);
    }
    if (!spec.prepare.length) return;
    const sandbox = await openPgSandbox(pg, dbUrl, { schema: pg.schema ?? "public" });
    try {
      for (let i = 0; i < spec.prepare.length; ++i) {
        await runStep({ sandbox }, spec.prepare[i], sqls[i], file, "postgres", timeoutMs);
        const [{ n }] = await sandbox.db.query(`SELECT count(*)::INTEGER AS n FROM ${quoteIdent(spec.prepare[i].name)}`);
        logger.info(`  prepared ${spec.prepare[i].name} in PostgreSQL: ${Number(n).toLocaleString("en-US")} rows`);
      }
      await readTableFromPg(sandbox.db, db, analysisTable);
    } finally {
      await sandbox.close();
    }
  } finally {
    await pg.close();
  }
}
