import { randomBytes } from "node:crypto";
import { UserError } from "../util/errors.js";
import { onInterrupt } from "../util/interrupt.js";
import { QueryError, quoteIdent, quoteString } from "./Db.js";
import { PgDb, redactUrl } from "./PgDb.js";
import { stepTimeoutMessage } from "./sandbox.js";
import * as msg from "../util/messages.js";

/**
 * Prepare SQL on PostgreSQL (`--db`) runs as a user that cannot read or write server files or run programs.
 *
 * `SET ROLE` (or `SET SESSION AUTHORIZATION`) to an unprivileged role is not enough: any query can call
 * `set_config('role', 'postgres', false)` (or `'session_authorization'`), and the server allows it because the
 * authenticated user may; `query_to_xml` then runs further SQL with the regained rights inside the same statement.
 * So the steps run on a second connection that logs in as a per-run role (random password, valid for minutes,
 * granted only the run's schema), whose authenticated user is that role and can switch to nothing else.
 *
 * When the connecting user cannot create roles, the steps run as that user, but only when it holds none of the
 * rights that reach server files (superuser, pg_read_server_files, pg_write_server_files,
 * pg_execute_server_program); otherwise the run is refused with one line.
 */

/** What the connecting user may do, as far as the sandbox decision goes. */
export interface PgUserRights {
  superuser: boolean;
  createRole: boolean;
  /** Member of a superuser role, or of pg_read_server_files, pg_write_server_files or pg_execute_server_program. */
  serverFiles: boolean;
}

/** How the prepare steps are confined. */
export type PgSandboxPlan = "role" | "user" | "refuse";

/**
 * Chooses the confinement: a per-run login role when the user may create one, else the user itself when it cannot
 * reach server files, else refusal.
 * @param rights the connecting user's rights
 * @param roleLogin whether logging in as a new role worked (undefined: not tried yet)
 */
export function planPgSandbox(rights: PgUserRights, roleLogin?: boolean): PgSandboxPlan {
  const privileged = rights.superuser || rights.serverFiles;
  if (rights.superuser || rights.createRole) {
    if (roleLogin !== false) return "role";
    return privileged ? "refuse" : "user";
  }
  return privileged ? "refuse" : "user";
}

/** The connecting user's rights. */
export async function pgUserRights(admin: PgDb): Promise<PgUserRights> {
  const [r] = await admin.query(
    `SELECT r.rolsuper AS superuser, r.rolcreaterole AS create_role,
       EXISTS (
         SELECT 1 FROM pg_roles d
         WHERE (d.rolsuper OR d.rolname IN ('pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program'))
           AND d.oid <> r.oid AND pg_has_role(session_user, d.oid, 'MEMBER')
       ) AS server_files
     FROM pg_roles r WHERE r.rolname = session_user`,
  );
  return { superuser: r.superuser === true, createRole: r.create_role === true, serverFiles: r.server_files === true };
}

/** A confined connection for the prepare steps. */
export interface PgSandbox {
  /** The connection the steps run on. */
  readonly db: PgDb;
  /** "role": a per-run login role; "user": the connecting user, which cannot reach server files. */
  readonly mode: "role" | "user";
  /** The per-run role, in "role" mode. */
  readonly role?: string;
  /** Closes the step connection and drops the per-run role (its tables go with the run's schema). */
  close(): Promise<void>;
}

/** Options for {@link openPgSandbox}. */
export interface OpenPgSandboxOptions {
  /** The run's schema (created by the admin connection, holding the loaded sources). */
  schema: string;
  /** Opens a connection; tests replace it to simulate a server that refuses the role's login. */
  connect?: (url: string) => Promise<PgDb>;
}

/** The connection string with another user and password. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  u.searchParams.delete("user");
  u.searchParams.delete("password");
  return u.toString();
}

/**
 * Drops per-run roles left by runs that were killed: named `openbeat_run_…`, past their login validity, with no
 * open session. Best effort; a role that cannot be dropped is left.
 */
export async function dropStalePgRoles(admin: PgDb): Promise<void> {
  const rows = await admin
    .query(
      `SELECT rolname FROM pg_roles
       WHERE rolname LIKE 'openbeat\\_run\\_%' AND rolcanlogin AND rolvaliduntil < now()
         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.usename = rolname)`,
    )
    .catch(() => []);
  for (const r of rows) {
    const role = String(r.rolname);
    await dropRole(admin, role, false).catch(() => undefined);
    // The killed run's schema has the role's name; its owner (a run of this user) may drop it.
    await admin.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(role)} CASCADE`).catch(() => undefined);
  }
}

async function dropRole(admin: PgDb, role: string, superuser: boolean): Promise<void> {
  const q = quoteIdent(role);
  // Without superuser, DROP OWNED needs membership in the role; CREATEROLE lets the creator grant it to itself.
  if (!superuser) await admin.exec(`GRANT ${q} TO CURRENT_USER`).catch(() => undefined);
  await admin.exec(`DROP OWNED BY ${q}`);
  await admin.exec(`DROP ROLE ${q}`);
}

/**
 * Opens the confined connection for the prepare steps. Call it after the sources are copied into the run's schema
 * (they are granted read-only to the role).
 * @param admin the run's connection (as the connecting user), search_path on the run's schema
 * @param url the `--db` URL (the role logs in to the same server and database)
 * @param options the run's schema, and a connection seam for tests
 */
export async function openPgSandbox(admin: PgDb, url: string, options: OpenPgSandboxOptions): Promise<PgSandbox> {
  const connect = options.connect ?? ((u: string) => PgDb.open(u));
  const rights = await pgUserRights(admin);
  const refuse = (why: string) => new UserError("db.sandbox", msg.pgSandboxRefused(redactUrl(url), why));
  if (planPgSandbox(rights) === "user") return userSandbox(admin, url, connect);
  if (planPgSandbox(rights) === "refuse") throw refuse("the connecting user may reach server files and cannot create a sandbox role");
  await dropStalePgRoles(admin);
  const role = options.schema;
  const password = randomBytes(24).toString("hex");
  const q = quoteIdent(role);
  const [{ db: database }] = await admin.query("SELECT current_database() AS db");
  await admin.exec(
    `CREATE ROLE ${q} LOGIN PASSWORD ${quoteString(password)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 1 VALID UNTIL ${quoteString(new Date(Date.now() + 10 * 60_000).toISOString())}`,
  );
  let db: PgDb | undefined;
  try {
    await admin.exec(`GRANT CONNECT ON DATABASE ${quoteIdent(String(database))} TO ${q}`);
    await admin.exec(`GRANT USAGE, CREATE ON SCHEMA ${quoteIdent(options.schema)} TO ${q}`);
    await admin.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA ${quoteIdent(options.schema)} TO ${q}`);
    try {
      db = await connect(withCredentials(url, role, password));
    } catch (e) {
      if (planPgSandbox(rights, false) === "refuse")
        throw refuse(`logging in as the per-run role failed (${e instanceof Error ? e.message.replace(/^.*?: /, "") : String(e)})`);
      await dropRole(admin, role, rights.superuser);
      return userSandbox(admin, url, connect);
    }
    await db.exec(`SET search_path TO ${quoteIdent(options.schema)}`);
    await db.exec("SET TimeZone = 'UTC'");
    const [check] = await db.query("SELECT current_user AS u, session_user AS s");
    if (check.u !== role || check.s !== role) throw new Error(`sandbox connection runs as ${String(check.s)}, not ${role}`);
  } catch (e) {
    await db?.close().catch(() => undefined);
    await dropRole(admin, role, rights.superuser).catch(() => undefined);
    throw e;
  }
  const step = db;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    unregister();
    await step.close().catch(() => undefined);
    await dropRole(admin, role, rights.superuser);
  };
  const unregister = onInterrupt({
    // On Ctrl-C: stop the step, drop the role, and let the run's connection drop its schema.
    stop: async () => {
      await cancelBackend(admin, step);
      await close().catch(() => undefined);
      await admin.close();
    },
  });
  return { db: step, mode: "role", role, close };
}

/** The connecting user runs the steps itself; on Ctrl-C a second connection cancels the step. */
function userSandbox(admin: PgDb, url: string, connect: (url: string) => Promise<PgDb>): PgSandbox {
  const unregister = onInterrupt({
    stop: async () => {
      const other = await connect(url);
      try {
        await cancelBackend(other, admin);
      } finally {
        await other.close();
      }
      await admin.close();
    },
  });
  return {
    db: admin,
    mode: "user",
    close: () => {
      unregister();
      return Promise.resolve();
    },
  };
}

async function cancelBackend(admin: PgDb, step: PgDb): Promise<void> {
  const pid = (step.client as unknown as { processID?: number }).processID;
  if (pid) await admin.query("SELECT pg_cancel_backend($1)", [pid]).catch(() => undefined);
}

/** Options for {@link runPrepareStepPg}. */
export interface PgStepOptions {
  /** Study file, for messages. */
  file: string;
  /** Longest the step may run, in milliseconds (`--timeout`); 0 or absent: no limit. */
  timeoutMs?: number;
}

/**
 * Runs one prepare step on the confined connection as `CREATE TABLE step AS sql`, in the extended protocol (one
 * statement only) and under `statement_timeout`, which is set again before every step so that no step can lift it
 * for the next. PostgreSQL's grammar takes only a query after `CREATE TABLE … AS`, so COPY, SET and the like are
 * syntax errors; a second statement, or running past the time limit, is a one-line user error naming the step.
 * @param sandbox from {@link openPgSandbox}
 * @param step the step name (becomes the table name)
 * @param sql the step's SQL
 * @param options study file and time limit
 */
export async function runPrepareStepPg(sandbox: PgSandbox, step: string, sql: string, options: PgStepOptions): Promise<void> {
  const ms = options.timeoutMs && options.timeoutMs > 0 ? Math.round(options.timeoutMs) : 0;
  await sandbox.db.exec(`SET statement_timeout = ${ms}`);
  try {
    await sandbox.db.execOne(`CREATE TABLE ${quoteIdent(step)} AS ${sql}`);
  } catch (e) {
    const code = e instanceof QueryError ? (e.cause as { code?: string } | undefined)?.code : undefined;
    if (code === "57014" && ms && /statement timeout/.test((e as Error).message))
      throw new UserError("prepare.timeout", stepTimeoutMessage(options.file, step, ms), { cause: e });
    if (code === "42601" && /multiple commands/.test((e as Error).message))
      throw new UserError("prepare.not_select", msg.prepareManyStatements(options.file, step), { cause: e });
    throw e;
  }
}
