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
import { prepareErrorMessage } from "./prepare-error.js";
import { prepareSqlPositions, type StepSqlPositions } from "./study-file/sql-lines.js";
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
  engine: "duckdb" | "postgres",
  timeoutMs: number | undefined,
  position: StepSqlPositions | undefined,
): Promise<void> {
  try {
    // Both engines run each step confined, as one query, with a time limit: see data/sandbox.ts and data/pg-sandbox.ts.
    if (db instanceof Db) await runPrepareStepDuckDb(db, step.name, sql, { file, timeoutMs });
    else await runPrepareStepPg(db.sandbox, step.name, sql, { file, timeoutMs });
  } catch (e) {
    if (e instanceof QueryError) {
      // DuckDB writes its hints (candidate bindings, the SQL line with a ^) on the lines after the first, PostgreSQL
      // in fields of its error; either way they often say what to change, so they are kept.
      const cause = e.cause as { message?: unknown; position?: string; detail?: string; hint?: string } | undefined;
      const text = engine === "duckdb" && typeof cause?.message === "string" ? cause.message : e.message;
      const place = {
        file,
        step: step.name,
        engine,
        sql,
        prefix: `CREATE TABLE ${quoteIdent(step.name)} AS `,
        position: engine === "postgres" && step.postgres !== undefined ? position?.postgres : position?.sql,
      };
      throw new UserError("prepare.sql", prepareErrorMessage(text, place, engine === "postgres" ? (cause ?? {}) : {}), { cause: e });
    }
    throw e;
  }
}

/**
 * Runs the prepare steps. With a PostgreSQL URL the loaded sources are bulk-copied into a fresh schema there, the
 * steps run in PostgreSQL and the analysis table is copied back; otherwise everything runs in DuckDB. A step that
 * fails is a user error whose first line names the study file and line; `options.text` (the study file's text) lets
 * it name the line of the SQL that failed rather than the step's `sql:` key; `options.firstStep` is the place in
 * that text of `spec.prepare[0]` (when the steps are run one at a time).
 */
export async function runPrepare(
  db: Db,
  spec: StudyBase,
  file: string,
  analysisTable: string,
  logger: Logger,
  dbUrl?: string,
  options: { timeoutMs?: number; text?: string; firstStep?: number } = {},
): Promise<void> {
  const { timeoutMs } = options;
  const positions = options.text === undefined ? [] : prepareSqlPositions(options.text).slice(options.firstStep ?? 0);
  if (!dbUrl) {
    for (const [i, step] of spec.prepare.entries()) {
      await runStep(db, step, stepSql(step, "duckdb", file), file, "duckdb", timeoutMs, positions[i]);
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
        await runStep({ sandbox }, spec.prepare[i], sqls[i], file, "postgres", timeoutMs, positions[i]);
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
