import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { QueryError } from "../../src/data/Db.js";
import { runSchemaName } from "../../src/data/open-database.js";
import { PgDb } from "../../src/data/PgDb.js";
import {
  dropStalePgRoles,
  openPgSandbox,
  planPgSandbox,
  pgUserRights,
  runPrepareStepPg,
  withCredentials,
  type PgSandbox,
} from "../../src/data/pg-sandbox.js";
import { UserError } from "../../src/util/errors.js";

/**
 * Prepare SQL on PostgreSQL runs as a per-run login role. Each attack below must fail there; the controls show the
 * same SQL succeeding on the connecting (superuser) connection, so these tests fail if the sandbox is removed.
 * Needs OPENBEAT_TEST_PG (scripts/start-postgres.sh); the pure parts run without it.
 */

const url = process.env.OPENBEAT_TEST_PG;
if (process.env.CI && !url) throw new Error("OPENBEAT_TEST_PG is not set; run scripts/start-postgres.sh and export its URL");

describe("planPgSandbox(rights, roleLogin)", () => {
  const none = { superuser: false, createRole: false, serverFiles: false };
  it("uses a per-run role whenever roles can be created and the role can log in", () => {
    expect(planPgSandbox({ ...none, superuser: true })).toBe("role");
    expect(planPgSandbox({ ...none, createRole: true })).toBe("role");
  });
  it("falls back to the user itself only when it cannot reach server files", () => {
    expect(planPgSandbox(none)).toBe("user");
    expect(planPgSandbox({ ...none, createRole: true }, false)).toBe("user");
    expect(planPgSandbox({ ...none, serverFiles: true })).toBe("refuse");
    expect(planPgSandbox({ ...none, superuser: true }, false)).toBe("refuse");
    expect(planPgSandbox({ ...none, createRole: true, serverFiles: true }, false)).toBe("refuse");
  });
  it("withCredentials(url) swaps user and password and drops them from the query string", () => {
    expect(withCredentials("postgres://a:b@h:5/db?sslmode=disable&password=x", "r", "p w")).toBe(
      "postgres://r:p%20w@h:5/db?sslmode=disable",
    );
  });
});

describe.skipIf(!url)("the PostgreSQL sandbox against a live server", () => {
  let admin: PgDb;
  let schema: string;
  let sandbox: PgSandbox;
  const file = "s.yaml";
  const run = (name: string, sql: string, timeoutMs?: number) => runPrepareStepPg(sandbox, name, sql, { file, timeoutMs });
  const fail = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e as Error;
    }
    throw new Error("expected the step to fail");
  };

  beforeEach(async () => {
    schema = runSchemaName();
    admin = await PgDb.open(url ?? "", { schema, dropSchemaOnClose: true });
    await admin.exec("CREATE TABLE incidents AS SELECT g AS id, g % 2 AS y FROM generate_series(1, 10) g");
    sandbox = await openPgSandbox(admin, url ?? "", { schema });
  });

  afterEach(async () => {
    await sandbox.close();
    await admin.close();
  });

  it("runs the steps as a per-run role that is both the current and the session user", async () => {
    expect(sandbox.mode).toBe("role");
    expect(sandbox.role).toBe(schema);
    const [r] = await sandbox.db.query("SELECT current_user AS c, session_user AS s");
    expect(r).toEqual({ c: schema, s: schema });
    await run("labelled", "SELECT id, y FROM incidents WHERE y = 1");
    expect((await sandbox.db.query("SELECT count(*)::int AS n FROM labelled"))[0].n).toBe(5);
  });

  it("control: the connecting superuser can read server files (what the sandbox takes away)", async () => {
    const [r] = await admin.query("SELECT length(pg_read_file('/etc/hostname')) > 0 AS ok");
    expect(r.ok).toBe(true);
  });

  it("pg_read_file, pg_ls_dir and lo_import fail", async () => {
    await expect(run("a", "SELECT pg_read_file('/etc/hostname') AS f")).rejects.toThrow(/permission denied for function pg_read_file/);
    await expect(run("b", "SELECT pg_ls_dir('/') AS f")).rejects.toThrow(/permission denied for function pg_ls_dir/);
    await expect(run("c", "SELECT lo_import('/etc/hostname') AS o")).rejects.toThrow(/permission denied for function lo_import/);
  });

  it("lo_export fails and writes no file", async () => {
    const target = `/tmp/openbeat-lo-export-${randomBytes(4).toString("hex")}`;
    await expect(run("e", `SELECT lo_export(lo_from_bytea(0, 'x'::bytea), '${target}') AS o`)).rejects.toThrow(/permission denied/);
    expect(existsSync(target)).toBe(false);
    rmSync(target, { force: true });
  });

  it("COPY ... TO PROGRAM and COPY ... TO a file are not queries: the step fails and runs nothing", async () => {
    const target = `/tmp/openbeat-copy-${randomBytes(4).toString("hex")}`;
    await expect(run("p", `COPY (SELECT 1) TO PROGRAM 'touch ${target}'`)).rejects.toThrow(/syntax error at or near "COPY"/);
    await expect(run("f", `COPY incidents TO '${target}'`)).rejects.toThrow(/syntax error/);
    expect(existsSync(target)).toBe(false);
  });

  it("a query cannot take the superuser back with set_config('role' / 'session_authorization'), nor through query_to_xml", async () => {
    await expect(run("r", "SELECT set_config('role', 'postgres', false) AS x")).rejects.toThrow(/permission denied to set role/);
    await expect(run("s", "SELECT set_config('session_authorization', 'postgres', false) AS x")).rejects.toThrow(/permission denied/);
    await expect(
      run(
        "x",
        "SELECT set_config('role', 'postgres', false) AS a, query_to_xml('select pg_read_file(''/etc/hostname'')', true, false, '') AS b",
      ),
    ).rejects.toThrow(/permission denied/);
    const [r] = await sandbox.db.query("SELECT current_user AS c");
    expect(r.c).toBe(schema);
  });

  it("control: SET ROLE alone would not hold (why the steps log in as the role instead)", async () => {
    await admin.exec(`SET ROLE ${JSON.stringify(schema)}`);
    try {
      const [r] = await admin.query("SELECT set_config('role', 'postgres', false) AS x, current_user AS c");
      expect(r.x).toBe("postgres");
    } finally {
      await admin.exec("RESET ROLE");
    }
  });

  it("the sources are read-only to the role", async () => {
    await expect(run("d", "WITH d AS (DELETE FROM incidents RETURNING *) SELECT * FROM d")).rejects.toThrow(/permission denied/);
    expect((await admin.query("SELECT count(*)::int AS n FROM incidents"))[0].n).toBe(10);
  });

  it("two statements in one step are refused, and neither runs", async () => {
    const e = await fail(run("two", "SELECT 1 AS a; DROP TABLE incidents"));
    expect(e).toBeInstanceOf(UserError);
    expect(e).toMatchObject({ code: "prepare.not_select" });
    expect(e.message).toBe('s.yaml: prepare step "two" holds more than one SQL statement; write exactly one SELECT per step');
    expect((await admin.query("SELECT count(*)::int AS n FROM incidents"))[0].n).toBe(10);
  });

  it("statement_timeout stops a long step, and a step cannot lift it for the next one", async () => {
    const e = await fail(run("slow", "SELECT 1 AS s FROM pg_sleep(5)", 300));
    expect(e).toMatchObject({ code: "prepare.timeout" });
    expect(e.message).toMatch(/^s\.yaml: prepare step "slow" was stopped after 300 ms \(--timeout\)/);
    await run("lift", "SELECT set_config('statement_timeout', '0', false) AS x", 300);
    expect(await fail(run("slow2", "SELECT 1 AS s FROM pg_sleep(5)", 300))).toMatchObject({ code: "prepare.timeout" });
  });

  it("close() drops the role; its tables go, the sources stay for the run's own connection", async () => {
    await run("t", "SELECT 1 AS a");
    await sandbox.close();
    expect((await admin.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [schema]))[0].n).toBe(0);
    expect((await admin.query("SELECT count(*)::int AS n FROM incidents"))[0].n).toBe(10);
  });

  it("a superuser whose per-run role cannot log in is refused with one line", async () => {
    const connect = () => Promise.reject(new Error('password authentication failed for user "x"'));
    const other = runSchemaName();
    await admin.exec(`CREATE SCHEMA ${other}`);
    const e = await fail(openPgSandbox(admin, url ?? "", { schema: other, connect }));
    await admin.exec(`DROP SCHEMA ${other}`);
    expect(e).toMatchObject({ code: "db.sandbox" });
    expect(e.message).not.toMatch(/\n/);
    expect(e.message).toMatch(/logging in as the per-run role failed \(password authentication failed/);
    expect(e.message).toMatch(/Connect as a user without superuser/);
    expect((await admin.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [other]))[0].n).toBe(0);
  });

  it("the step error is a QueryError the caller words (prepare.sql)", async () => {
    const e = await fail(run("bad", "SELECT nope FROM incidents"));
    expect(e).toBeInstanceOf(QueryError);
    expect(e.message).toMatch(/column "nope" does not exist/);
  });
});

describe.skipIf(!url)("the PostgreSQL sandbox for users that cannot create roles", () => {
  const plain = `openbeat_test_plain_${randomBytes(4).toString("hex")}`;
  let root: PgDb;
  beforeAll(async () => {
    root = await PgDb.open(url ?? "");
    await root.exec(`CREATE ROLE ${plain} LOGIN NOSUPERUSER NOCREATEROLE`);
    await root.exec(`GRANT CREATE ON DATABASE ${JSON.stringify((await root.query("SELECT current_database() AS d"))[0].d)} TO ${plain}`);
  });
  afterAll(async () => {
    await root.exec(`DROP OWNED BY ${plain}`).catch(() => undefined);
    await root.exec(`DROP ROLE IF EXISTS ${plain}`);
    await root.close();
  });

  it("an unprivileged user runs the steps itself; with pg_read_server_files it is refused", async () => {
    const userUrl = withCredentials(url ?? "", plain, "");
    const schema = runSchemaName();
    const db = await PgDb.open(userUrl, { schema, dropSchemaOnClose: true });
    try {
      expect(await pgUserRights(db)).toEqual({ superuser: false, createRole: false, serverFiles: false });
      const s = await openPgSandbox(db, userUrl, { schema });
      expect(s.mode).toBe("user");
      await root.exec(`GRANT pg_read_server_files TO ${plain}`);
      const e = await openPgSandbox(db, userUrl, { schema }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: "db.sandbox" });
      expect((e as UserError).message).toMatch(/may reach server files and cannot create a sandbox role/);
    } finally {
      await root.exec(`REVOKE pg_read_server_files FROM ${plain}`);
      await db.close();
    }
  });

  it("dropStalePgRoles(admin) drops expired per-run roles that have no session", async () => {
    const stale = `openbeat_run_20000101000000_${randomBytes(4).toString("hex")}`;
    await root.exec(`CREATE ROLE ${stale} LOGIN VALID UNTIL '2000-01-02'`);
    await dropStalePgRoles(root);
    expect((await root.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [stale]))[0].n).toBe(0);
  });
});
