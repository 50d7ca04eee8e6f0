import { sep } from "node:path";
import { UserError } from "../util/errors.js";
import { onInterrupt } from "../util/interrupt.js";
import { QueryError, quoteIdent, quoteString, type Db } from "./Db.js";
import * as msg from "../util/messages.js";

/**
 * The study file is declarative: its SQL may shape the loaded tables, never reach outside them. Once the sources are
 * loaded, {@link lockDownDuckDb} closes the engine (DuckDB's own settings, see "Securing DuckDB" in the DuckDB
 * operations manual): no file or network access except openbeat's own staging folder, no extension install or
 * load, and a locked configuration so that no statement can undo any of it. {@link runPrepareStepDuckDb} then runs
 * each step as exactly one SELECT, with a time limit.
 */

/** Options for {@link lockDownDuckDb}. */
export interface LockDownOptions {
  /**
   * Folders openbeat itself still writes after the lock (the staging folder of the results). A statement can read
   * these too, so they must hold only openbeat's own output.
   */
  allowedDirectories: string[];
  /**
   * An empty folder of openbeat's for the engine's spill files (DuckDB allows its temp folder implicitly). Left out,
   * the folder the database was opened with stays (`Db.open` always sets one of openbeat's own): DuckDB refuses to
   * move it once it has spilled, which loading large sources under a memory limit does.
   */
  tempDirectory?: string;
}

/** The settings applied, in order; `lock_configuration` must come last. */
export function lockDownSettings(options: LockDownOptions): string[] {
  const dirs = options.allowedDirectories.map((d) => quoteString(d.endsWith(sep) ? d : d + sep));
  return [
    // DuckDB's default temp folder is ".tmp" in the working folder, and it is always readable: point it at ours.
    ...(options.tempDirectory !== undefined ? [`SET temp_directory = ${quoteString(options.tempDirectory)}`] : []),
    `SET allowed_directories = [${dirs.join(", ")}]`,
    "SET allowed_paths = []",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
  ];
}

/**
 * Locks the engine down for the study file's SQL. Call it after the sources are loaded and before the first prepare
 * step; the connection stays locked until it is closed.
 * @param db the run's DuckDB
 * @param options the staging folder openbeat still writes, and the spill folder
 */
export async function lockDownDuckDb(db: Db, options: LockDownOptions): Promise<void> {
  for (const sql of lockDownSettings(options)) await db.exec(sql);
}

/** True when `db` has external access off and its configuration locked. */
export async function isLockedDown(db: Db): Promise<boolean> {
  const [r] = await db.query(
    "SELECT current_setting('enable_external_access')::VARCHAR AS access, current_setting('lock_configuration')::VARCHAR AS locked",
  );
  return r.access === "false" && r.locked === "true";
}

/** DuckDB's statement types in words a study-file author recognises. */
const STATEMENT_WORDS: Record<string, string> = {
  LOAD: "an INSTALL or LOAD",
  SET: "a SET (or PRAGMA, USE)",
  VARIABLE_SET: "a SET VARIABLE",
  CALL: "a CALL (or PRAGMA, CHECKPOINT)",
  CREATE: "a CREATE",
  CREATE_FUNC: "a CREATE MACRO",
};

/** Why a prepare step's SQL is refused before it runs, or null when it is one SELECT. */
export function stepRefusal(count: number, type: string | null): string | null {
  if (count === 0) return "holds no SQL statement; write one SELECT";
  if (count > 1)
    return `holds ${count} SQL statements; write exactly one SELECT per step (a PIVOT without an IN list counts as two: list its values, PIVOT t ON c IN ('a', 'b'))`;
  if (type !== "SELECT")
    return `is ${type ? (STATEMENT_WORDS[type] ?? `${/^[AEIOU]/.test(type) ? "an" : "a"} ${type}`) : "a non-query"} statement, not a SELECT; a study file may only query the loaded tables (no COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA or EXPORT)`;
  return null;
}

/** Options for {@link runPrepareStepDuckDb}. */
export interface PrepareStepOptions {
  /** Study file, for messages. */
  file: string;
  /** Longest the step may run, in milliseconds (`--timeout`); 0 or absent: no limit. */
  timeoutMs?: number;
}

/** One-line message for a step stopped by the time limit. */
export function stepTimeoutMessage(file: string, step: string, timeoutMs: number): string {
  return `${file}: prepare step "${step}" was stopped after ${formatDuration(timeoutMs)} (--timeout); make the query cheaper (filter early, avoid cross joins) or pass a longer --timeout`;
}

/** A duration as the `--timeout` option spells it: "90 s", "10 min", "1.5 h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} min`;
  return `${+(ms / 3_600_000).toFixed(2)} h`;
}

/**
 * Runs one prepare step in a locked DuckDB as `CREATE TABLE step AS sql`: the SQL must be exactly one SELECT
 * (as DuckDB's parser and binder see it), and the step is interrupted when it runs past `timeoutMs` or when the
 * process is interrupted. Refusals and the time limit are one-line user errors naming the step; SQL errors are
 * {@link QueryError}s for the caller to word.
 * @param db a DuckDB locked by {@link lockDownDuckDb}
 * @param step the step name (becomes the table name)
 * @param sql the step's SQL
 * @param options study file and time limit
 */
export async function runPrepareStepDuckDb(db: Db, step: string, sql: string, options: PrepareStepOptions): Promise<void> {
  // Binding a statement can already act (EXPORT creates its folder, CREATE SECRET installs an extension), so
  // nothing of the study file's is even parsed on an engine that is not locked.
  if (!(await isLockedDown(db))) throw new Error("prepare SQL must run on a DuckDB locked with lockDownDuckDb");
  const { count, type } = await db.classifyStatements(sql);
  const refusal = stepRefusal(count, type);
  if (refusal) throw new UserError("prepare.not_select", msg.prepareRefused(options.file, step, refusal));
  const limit = { hit: false };
  const timer =
    options.timeoutMs && options.timeoutMs > 0
      ? setTimeout(() => {
          limit.hit = true;
          db.interrupt();
        }, options.timeoutMs)
      : undefined;
  const unregister = onInterrupt({
    stop: () => {
      db.interrupt();
    },
  });
  try {
    await db.execOne(`CREATE TABLE ${quoteIdent(step)} AS ${sql}`);
  } catch (e) {
    if (limit.hit && e instanceof QueryError)
      throw new UserError("prepare.timeout", stepTimeoutMessage(options.file, step, options.timeoutMs ?? 0), { cause: e });
    throw e;
  } finally {
    clearTimeout(timer);
    unregister();
  }
}
