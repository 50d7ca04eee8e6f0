import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Db, QueryError } from "../../src/data/Db.js";
import { isLockedDown, lockDownDuckDb, runPrepareStepDuckDb, stepRefusal } from "../../src/data/sandbox.js";
import { UserError } from "../../src/util/errors.js";
import { runInterruptHooks } from "../../src/util/interrupt.js";

/**
 * Each attack is run on a locked engine and must fail; the "control" cases show that the same SQL does what it
 * says on an engine that is not locked, so these tests fail if the lock is removed.
 */

let tmp: string;
let stage: string;
let scratch: string;
let secret: string;
let db: Db;

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-sandbox-"));
  stage = join(tmp, ".out.tmp-1-1");
  scratch = `${stage}.spill`;
  mkdirSync(stage);
  secret = join(tmp, "secret.txt");
  writeFileSync(secret, "root:x:0:0:secret\n");
  db = await Db.open(":memory:", { threads: 1 });
  await db.exec("CREATE TABLE incidents AS SELECT range AS id, range % 2 AS y FROM range(10)");
});

afterEach(async () => {
  await db.close();
  rmSync(tmp, { recursive: true, force: true });
});

const lock = () => lockDownDuckDb(db, { allowedDirectories: [stage], tempDirectory: scratch });
const q = (s: string) => s.replaceAll("'", "''");
const step = (name: string, sql: string, timeoutMs?: number) => runPrepareStepDuckDb(db, name, sql, { file: "s.yaml", timeoutMs });

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the statement to fail");
}

describe("controls: without the lock these statements reach outside", () => {
  it("read_text reads a file and COPY writes one", async () => {
    const [r] = await db.query(`SELECT content FROM read_text('${q(secret)}')`);
    expect(r.content).toMatch(/secret/);
    await db.exec(`COPY incidents TO '${q(join(tmp, "copied.csv"))}'`);
    expect(existsSync(join(tmp, "copied.csv"))).toBe(true);
  });
});

describe("lockDownDuckDb(db) closes the engine to the study file's SQL", () => {
  beforeEach(lock);

  it("reports itself locked: external access off, configuration locked, temp folder ours", async () => {
    expect(await isLockedDown(db)).toBe(true);
    const [r] = await db.query(
      "SELECT current_setting('temp_directory') AS t, current_setting('allowed_directories')::VARCHAR AS a, current_setting('autoload_known_extensions')::VARCHAR AS al, current_setting('autoinstall_known_extensions')::VARCHAR AS ai",
    );
    expect(r.t).toBe(scratch);
    // Only openbeat's staging and spill folders stay reachable (DuckDB adds its temp folder itself).
    expect(String(r.a).replace(/[[\]]/g, "").split(", ").sort()).toEqual([`${scratch}/`, `${stage}/`].sort());
    expect([r.al, r.ai]).toEqual(["false", "false"]);
  });

  it("read_text of a file outside fails, in a step and in any later query", async () => {
    const e = await failure(step("leak", `SELECT content FROM read_text('${q(secret)}')`));
    expect(e).toBeInstanceOf(QueryError);
    expect(e.message).toMatch(/Permission Error: Cannot access file .*secret\.txt.*disabled by configuration/);
    await expect(db.query(`SELECT * FROM read_text('${q(secret)}')`)).rejects.toThrow(/disabled by configuration/);
  });

  it("read_csv of a file outside, and a ../ path out of the staging folder, fail", async () => {
    await expect(step("leak", `SELECT * FROM read_csv('${q(secret)}', sep = ':')`)).rejects.toThrow(/Permission Error/);
    await expect(step("leak", `SELECT * FROM read_text('${q(join(stage, "..", "secret.txt"))}')`)).rejects.toThrow(/Permission Error/);
    await expect(step("leak", `SELECT * FROM glob('${q(join(tmp, "*"))}')`)).rejects.toThrow(/Permission Error/);
  });

  it("a URL fails", async () => {
    await expect(step("leak", "SELECT * FROM read_text('https://example.com/passwd')")).rejects.toThrow(/Permission Error/);
    await expect(step("leak", "SELECT * FROM read_csv('http://127.0.0.1:1/x.csv')")).rejects.toThrow(/Permission Error/);
  });

  it("COPY ... TO outside fails in the engine; COPY into the staging folder is refused as not a SELECT", async () => {
    await expect(step("out", `COPY incidents TO '${q(join(tmp, "x.csv"))}'`)).rejects.toThrow(/Permission Error: Cannot access file/);
    const e = await failure(step("out", `COPY incidents TO '${q(join(stage, "x.csv"))}'`));
    expect(e).toBeInstanceOf(UserError);
    expect(e).toMatchObject({ code: "prepare.not_select" });
    expect(e.message).toBe(
      's.yaml: prepare step "out" is a COPY statement, not a SELECT; a study file may only query the loaded tables (no COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA or EXPORT)',
    );
    await expect(db.exec(`COPY incidents TO '${q(join(tmp, "x.csv"))}'`)).rejects.toThrow(/Permission Error/);
    await expect(db.exec(`EXPORT DATABASE '${q(join(tmp, "export"))}'`)).rejects.toThrow(/Permission Error/);
    expect(readdirSync(tmp).sort()).toEqual([".out.tmp-1-1", "secret.txt"]);
    expect(readdirSync(stage)).toEqual([]);
  });

  it("ATTACH is refused, and the engine cannot open a database file", async () => {
    await expect(step("a", `ATTACH '${q(join(tmp, "other.duckdb"))}' AS other`)).rejects.toThrow(/is an ATTACH statement, not a SELECT/);
    await expect(db.exec(`ATTACH '${q(join(tmp, "other.duckdb"))}' AS other`)).rejects.toThrow(/Permission Error/);
    expect(existsSync(join(tmp, "other.duckdb"))).toBe(false);
  });

  it("INSTALL and LOAD are refused, and the engine loads no extension", async () => {
    await expect(step("i", "INSTALL httpfs")).rejects.toThrow(/prepare step "i" is an INSTALL or LOAD statement, not a SELECT/);
    await expect(step("l", "LOAD httpfs")).rejects.toThrow(/not a SELECT/);
    await expect(db.exec("LOAD httpfs")).rejects.toThrow(/disabled through configuration/);
    await expect(db.exec("INSTALL httpfs")).rejects.toThrow(/Permission Error/);
  });

  it("SET and PRAGMA are refused, and the configuration is locked against them", async () => {
    await expect(step("s", "SET enable_external_access = true")).rejects.toThrow(/is a SET \(or PRAGMA, USE\) statement, not a SELECT/);
    await expect(step("p", "PRAGMA threads = 4")).rejects.toThrow(/not a SELECT/);
    await expect(db.exec("SET enable_external_access = true")).rejects.toThrow(/the configuration has been locked/);
    await expect(db.exec("RESET lock_configuration")).rejects.toThrow(/the configuration has been locked/);
    await expect(db.exec("SET allowed_directories = ['/']")).rejects.toThrow(/the configuration has been locked/);
    expect(await isLockedDown(db)).toBe(true);
  });

  it("two statements in one step are refused and neither runs", async () => {
    const e = await failure(step("two", "SELECT * FROM incidents; SELECT 1"));
    expect(e).toMatchObject({ code: "prepare.not_select" });
    expect(e.message).toMatch(/prepare step "two" holds 2 SQL statements; write exactly one SELECT per step/);
    expect((await db.query("SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'two'"))[0].n).toBe(0);
  });

  it("a SELECT runs and becomes the step's table; openbeat still writes into its staging folder", async () => {
    await step("labelled", "WITH x AS (SELECT id, y FROM incidents) SELECT * FROM x WHERE y = 1");
    expect((await db.query("SELECT count(*)::INTEGER AS n FROM labelled"))[0].n).toBe(5);
    await db.exec(`COPY labelled TO '${q(join(stage, "prepared.parquet"))}' (FORMAT parquet)`);
    expect(existsSync(join(stage, "prepared.parquet"))).toBe(true);
  });

  it("a step running past the time limit is interrupted, named, and leaves no table", async () => {
    const e = await failure(step("slow", "SELECT count(*) AS n FROM range(1000000000000)", 300));
    expect(e).toMatchObject({ code: "prepare.timeout" });
    expect(e.message).toMatch(/^s\.yaml: prepare step "slow" was stopped after 300 ms \(--timeout\); make the query cheaper/);
    expect((await db.query("SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'slow'"))[0].n).toBe(0);
  });

  it("an interrupt (Ctrl-C) stops a running step", async () => {
    const running = failure(step("slow", "SELECT count(*) AS n FROM range(1000000000000)"));
    await new Promise((r) => setTimeout(r, 200));
    await runInterruptHooks(500);
    const e = await running;
    expect(e).toBeInstanceOf(QueryError);
    expect(e.message).toMatch(/Interrupt/i);
  });
});

describe("runPrepareStepDuckDb(db) on an engine that is not locked", () => {
  it("refuses to parse the study file's SQL at all (binding EXPORT would already create its folder)", async () => {
    await expect(step("x", `EXPORT DATABASE '${q(join(tmp, "e"))}'`)).rejects.toThrow(/must run on a DuckDB locked with lockDownDuckDb/);
    expect(existsSync(join(tmp, "e"))).toBe(false);
  });
});

describe("stepRefusal(count, type)", () => {
  it("accepts one SELECT and words every other case", () => {
    expect(stepRefusal(1, "SELECT")).toBeNull();
    expect(stepRefusal(0, null)).toMatch(/holds no SQL statement/);
    expect(stepRefusal(2, null)).toMatch(/PIVOT without an IN list counts as two/);
    expect(stepRefusal(1, "EXPORT")).toMatch(/is an EXPORT statement/);
  });
});
