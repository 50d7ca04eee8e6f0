import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, QueryError } from "../../src/data/Db.js";
import { PgDb, redactUrl } from "../../src/data/PgDb.js";
import { openDatabase, runSchemaName } from "../../src/data/open-database.js";
import { loadTableIntoPg, mapDuckTypeToPg } from "../../src/data/load-table-into-pg.js";
import { exportResultsToPg, inferPgType } from "../../src/data/export-results-to-pg.js";
import { UserError } from "../../src/util/errors.js";
import { defined } from "../checks.js";

const url = process.env.OPENBEAT_TEST_PG;
const crime = "../shared/data/lmpd-assaulted-officers/Crime.csv";
if (process.env.CI && !url) throw new Error("OPENBEAT_TEST_PG is not set; run scripts/start-postgres.sh and export its URL");

describe("redactUrl(url)", () => {
  it("hides the password and keeps user, host and database", () => {
    expect(redactUrl("postgres://alice:s3cret@db.example:5432/crime")).toBe("postgres://alice:***@db.example:5432/crime");
    expect(redactUrl("postgresql://bob:p%40ss@h/db?sslmode=require&password=x2")).toBe(
      "postgresql://bob:***@h/db?sslmode=require&password=***",
    );
    expect(redactUrl("postgres://postgres@127.0.0.1:55432/postgres")).toBe("postgres://postgres@127.0.0.1:55432/postgres");
  });
});

describe("mapDuckTypeToPg(name, type)", () => {
  it("maps scalar, decimal, binary and nested types", () => {
    const m = (t: string) => mapDuckTypeToPg("c", t).pgType;
    expect(m("BIGINT")).toBe("bigint");
    expect(m("DOUBLE")).toBe("double precision");
    expect(m("DECIMAL(18,3)")).toBe("numeric(18,3)");
    expect(m("TIMESTAMP WITH TIME ZONE")).toBe("timestamptz");
    expect(m("BLOB")).toBe("bytea");
    expect(m("INTEGER[]")).toBe("text");
    expect(mapDuckTypeToPg("c", "STRUCT(a INTEGER)").expr).toBe('CAST("c" AS VARCHAR)');
  });
});

describe("inferPgType(values)", () => {
  it("widens int to float and mixes to text", () => {
    expect(inferPgType([1, null, 2])).toBe("bigint");
    expect(inferPgType([1, 2.5])).toBe("double precision");
    expect(inferPgType([true, false])).toBe("boolean");
    expect(inferPgType([[0.1, 0.2]])).toBe("jsonb");
    expect(inferPgType([1, "a"])).toBe("text");
    expect(inferPgType([null])).toBe("text");
  });
});

describe("openDatabase(url)", () => {
  it("opens DuckDB without a URL and rejects unknown schemes without echoing secrets", async () => {
    const db = await openDatabase();
    expect(db.dialect).toBe("duckdb");
    await db.close();
    const err = (await openDatabase("mysql://root:hunter22@h/db").catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).not.toContain("hunter22");
    expect(err.message).toContain("mysql://root:***@h/db");
  });

  it("reports an unreachable server without the password", async () => {
    const err = (await openDatabase("postgres://u:topsecret99@127.0.0.1:1/db").catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain("postgres://u:***@127.0.0.1:1/db");
    expect(err.message).not.toContain("topsecret99");
  });

  it("runSchemaName() is unique per call", () => {
    const a = runSchemaName(new Date("2024-05-06T07:08:09Z"));
    expect(a).toMatch(/^openbeat_run_20240506070809_[0-9a-f]{8}$/);
    expect(runSchemaName()).not.toBe(runSchemaName());
  });
});

/** openDatabase(url) with the live PostgreSQL URL, checked to be the PgDb it opens. */
async function openPg(): Promise<PgDb> {
  const db = await openDatabase(url);
  if (!(db instanceof PgDb)) throw new Error("openDatabase(OPENBEAT_TEST_PG) did not open PostgreSQL");
  return db;
}

describe.skipIf(!url)("PgDb against a live PostgreSQL", () => {
  let pg: PgDb;
  beforeAll(async () => {
    pg = await openPg();
  });
  afterAll(async () => {
    // Unset when beforeAll failed.
    await (pg as PgDb | undefined)?.close();
  });

  it("works in its own schema and drops it on close", async () => {
    expect(pg.dialect).toBe("postgres");
    expect(pg.schema).toMatch(/^openbeat_run_/);
    const [{ s }] = await pg.query("SELECT current_schema() AS s");
    expect(s).toBe(pg.schema);
    const other = await openPg();
    const name = defined(other.schema, "the run schema");
    await other.exec("CREATE TABLE t (x int)");
    await other.close();
    const left = await pg.query("SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = $1", [name]);
    expect(left[0].n).toBe(0);
  });

  it("keeps the password out of redactedUrl and query errors", async () => {
    const u = new URL(defined(url, "OPENBEAT_TEST_PG"));
    u.password = "pw-do-not-show";
    const db = await PgDb.open(u.toString());
    expect(db.redactedUrl).toContain(":***@");
    expect(db.redactedUrl).not.toContain("pw-do-not-show");
    const err = (await db.query("SELECT * FROM no_such_table").catch((e: unknown) => e)) as QueryError;
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toBe('relation "no_such_table" does not exist');
    expect(JSON.stringify({ m: err.message, s: err.sql })).not.toContain("pw-do-not-show");
    await db.close();
  });

  it("binds parameters and returns int8/numeric as numbers when exact, dates as ISO", async () => {
    const [r] = await pg.query(
      "SELECT $1::int8 AS a, 9007199254740993::int8 AS big, 12.50::numeric(5,2) AS n, 0.1234567890123456789::numeric AS long, " +
        "DATE '2020-01-02' AS d, TIMESTAMP '2020-01-02 03:04:05' AS ts, TIMESTAMPTZ '2020-01-02 03:04:05+02' AS tz, NULL::text AS nothing",
      [42],
    );
    expect(r).toEqual({
      a: 42,
      big: "9007199254740993",
      n: 12.5,
      long: "0.1234567890123456789",
      d: "2020-01-02T00:00:00.000Z",
      ts: "2020-01-02T03:04:05.000Z",
      tz: "2020-01-02T01:04:05.000Z",
      nothing: null,
    });
  });

  it("columns(table) lists names and types in order; errors are QueryError with the SQL", async () => {
    await pg.exec('CREATE TABLE "Mixed Case" (id bigint, "Label" text, at timestamp)');
    expect(await pg.columns("Mixed Case")).toEqual([
      { name: "id", type: "bigint" },
      { name: "Label", type: "text" },
      { name: "at", type: "timestamp without time zone" },
    ]);
    const err = (await pg.query('SELECT nope FROM "Mixed Case"').catch((e: unknown) => e)) as QueryError;
    expect(err).toBeInstanceOf(QueryError);
    expect(err.message).toContain('column "nope" does not exist');
    expect(err.sql).toContain("SELECT nope");
    await expect(pg.columns("missing_table")).rejects.toBeInstanceOf(QueryError);
  });

  it("exportResultsToPg writes generic rows with inferred types", async () => {
    const schema = `${pg.schema}_export`;
    const counts = await exportResultsToPg(pg, schema, {
      findings: [
        { by: "PREMISE", value: 'A "quoted", value', count: 12, rate: 0.25, ci95: [0.1, 0.4] },
        { by: "X", value: null, count: 3, rate: 1 },
      ],
      empty: [],
    });
    expect(counts).toEqual({ findings: 2, empty: 0 });
    const rows = await pg.query(`SELECT * FROM "${schema}".findings ORDER BY count DESC`);
    expect(rows[0]).toEqual({ by: "PREMISE", value: 'A "quoted", value', count: 12, rate: 0.25, ci95: [0.1, 0.4] });
    expect(rows[1].value).toBeNull();
    const cols = await pg.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'findings' ORDER BY ordinal_position`,
      [schema],
    );
    expect(cols.map((c) => c.data_type)).toEqual(["text", "text", "bigint", "double precision", "jsonb"]);
    await pg.exec(`DROP SCHEMA "${schema}" CASCADE`);
  });

  it("loadTableIntoPg copies mixed DuckDB types, keeping NULL apart from empty strings", async () => {
    const duck = await Db.open();
    await duck.exec(`CREATE TABLE mixed AS SELECT * FROM (VALUES
      (1::BIGINT, '', 1.25::DECIMAL(6,2), TIMESTAMP '2021-03-04 05:06:07', DATE '2021-03-04', true, [1,2], 'a"b,c' || chr(10) || 'd', 'nan'::DOUBLE),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)) v(i, s, d, ts, dt, b, l, q, f)`);
    const result = await loadTableIntoPg(duck, pg, "mixed");
    expect(result.rows).toBe(2);
    expect(result.columns.map((c) => c.pgType)).toEqual([
      "bigint",
      "text",
      "numeric(6,2)",
      "timestamp",
      "date",
      "boolean",
      "text",
      "text",
      "double precision",
    ]);
    const rows = await pg.query("SELECT * FROM mixed ORDER BY i NULLS LAST");
    expect(rows[0]).toMatchObject({
      i: 1,
      s: "",
      d: 1.25,
      ts: "2021-03-04T05:06:07.000Z",
      dt: "2021-03-04T00:00:00.000Z",
      b: true,
      l: "[1, 2]",
      q: 'a"b,c\nd',
    });
    expect(rows[0].f).toBeNaN();
    expect(Object.values(rows[1]).every((v) => v === null)).toBe(true);
    await duck.close();
  });

  describe.skipIf(!existsSync(crime) && !process.env.CI)("with the LMPD crime reports", () => {
    it("loadTableIntoPg copies all 32,608 rows and the same aggregates", async () => {
      const duck = await Db.open();
      await duck.exec(`CREATE TABLE crime AS SELECT * FROM read_csv('${crime}', timestampformat='%m/%d/%Y %H:%M')`);
      const duckCols = await duck.columns("crime");
      const t0 = performance.now();
      const result = await loadTableIntoPg(duck, pg, "crime");
      const ms = performance.now() - t0;
      expect(result.rows).toBe(32608);
      const [{ n }] = await pg.query("SELECT count(*) AS n FROM crime");
      expect(n).toBe(32608);
      expect((await pg.columns("crime")).map((c) => c.name)).toEqual(duckCols.map((c) => c.name));
      expect(result.columns.find((c) => c.name === "DATE_OCCURED")?.pgType).toBe("timestamp");
      const q = `SELECT count(DISTINCT "INCIDENT_NUMBER")::INTEGER AS inc, count("PREMISE_TYPE")::INTEGER AS premise,
        min("DATE_OCCURED") AS first, max("DATE_OCCURED") AS last FROM crime`;
      expect((await pg.query(q))[0]).toEqual((await duck.query(q))[0]);
      console.log(`loadTableIntoPg: 32608 rows in ${ms.toFixed(0)} ms`);
      await duck.close();
    });
  });
});
