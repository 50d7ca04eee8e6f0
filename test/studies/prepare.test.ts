import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTableFromColumns } from "../../src/data/create-table.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Db } from "../../src/data/Db.js";
import { lockDownDuckDb } from "../../src/data/sandbox.js";
import { runPrepare, stepSql } from "../../src/studies/prepare.js";
import { prepareErrorMessage } from "../../src/studies/prepare-error.js";
import { prepareSqlPositions } from "../../src/studies/study-file/sql-lines.js";
import type { StudyBase } from "../../src/studies/study-file/base.js";
import { parseStudy } from "../../src/studies/study-file/load-study.js";
import { UserError } from "../../src/util/errors.js";
import { Logger } from "../../src/util/logger.js";
import { riskColumns } from "./helpers.js";

/** The prepare steps in an in-memory DuckDB over a seeded 200-row source table. */

/** A study file with these prepare steps (the risk section only makes it parse). */
function study(prepare: Record<string, unknown>[]): StudyBase {
  return parseStudy(
    JSON.stringify({
      name: "prepare",
      kind: "risk",
      sources: { incidents: { path: "x.csv" } },
      prepare,
      risk: { target: "officer_assaulted", features: { categorical: ["PREMISE"] } },
    }),
  );
}

let db: Db;
let scratch: string;
beforeEach(async () => {
  db = await Db.open();
  await createTableFromColumns(db, "incidents", riskColumns(200, 1));
  // Prepare SQL runs only on a locked engine, as in a run.
  scratch = mkdtempSync(join(tmpdir(), "openbeat-prepare-"));
  await lockDownDuckDb(db, { allowedDirectories: [scratch], tempDirectory: join(scratch, "spill") });
});
afterEach(async () => {
  await db.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function count(table: string): Promise<number> {
  const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM ${table}`);
  return Number(n);
}

describe("runPrepare(db, spec, file, table, logger)", () => {
  it("runs each step in order as a table named after it, later steps reading earlier ones, and logs the row counts", async () => {
    const spec = study([
      { name: "bars", sql: "SELECT * FROM incidents WHERE PREMISE = 'BAR';" },
      { name: "labelled", sql: "SELECT *, AGE >= 40 AS older FROM bars", dialect: "duckdb" },
    ]);
    const lines: string[] = [];
    const logger = new Logger({ stream: { write: (t: string) => lines.push(t) } });
    await runPrepare(db, spec, "study.yaml", "labelled", logger);
    const [{ bars }] = await db.query(`SELECT count(*)::INTEGER AS bars FROM incidents WHERE PREMISE = 'BAR'`);
    expect(await count("bars")).toBe(Number(bars));
    expect(await count("labelled")).toBe(Number(bars));
    expect((await db.columns("labelled")).map((c) => c.name)).toContain("older");
    expect(lines).toEqual([`  prepared bars: ${String(bars)} rows\n`, `  prepared labelled: ${String(bars)} rows\n`]);
  });

  it("a failing step is a user error naming the study file, the step and DuckDB's message; later steps do not run", async () => {
    const spec = study([
      { name: "broken", sql: "SELECT PREMISES FROM incidents" },
      { name: "after", sql: "SELECT 1 AS x" },
    ]);
    const err = await runPrepare(db, spec, "study.yaml", "after", new Logger({ silent: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe("prepare.sql");
    expect((err as UserError).message).toMatch(/^study\.yaml: prepare step "broken" failed: .*"PREMISES" not found/);
    expect((await db.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'after'`))[0].n).toBe(0);
  });

  it("a step written only for PostgreSQL is refused in DuckDB with the way out", async () => {
    const spec = study([{ name: "pg_only", sql: "SELECT 1", dialect: "postgres" }]);
    const err = await runPrepare(db, spec, "study.yaml", "pg_only", new Logger({ silent: true })).catch((e: unknown) => e);
    expect((err as UserError).code).toBe("prepare.dialect");
    expect((err as UserError).message).toBe(
      'study.yaml: prepare step "pg_only" is written for postgres (dialect: postgres); run it with --db postgres://…, or add a portable version',
    );
  });
});

/** A study file as text whose one prepare step has this SQL as a literal block. */
function studyText(sql: string): string {
  return [
    "name: hints",
    "kind: risk",
    "sources:",
    "  incidents: { path: x.csv }",
    "prepare:",
    "  - name: renamed",
    "    sql: |",
    ...sql.split("\n").map((l) => (l ? `      ${l}` : "")),
    "risk:",
    "  target: officer_assaulted",
    "  features: { categorical: [PREMISE] }",
    "",
  ].join("\n");
}

/** 1-based line of the study text that holds `needle`. */
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("a failing step keeps the engine's hints, at the study file's line", () => {
  it("keeps DuckDB's candidate bindings and its LINE pointer, given as the study file's line with the ^ under the column", async () => {
    await db.exec(`CREATE TABLE spaced AS SELECT 1 AS "Date  Occurred", 2 AS x`);
    const text = studyText('SELECT x,\n       "Date Occurred" AS occurred\nFROM spaced');
    const err = await runPrepare(db, parseStudy(text), "study.yaml", "renamed", new Logger({ silent: true }), undefined, { text }).catch(
      (e: unknown) => e,
    );
    expect((err as UserError).code).toBe("prepare.sql");
    const lines = (err as UserError).message.split("\n");
    const at = lineOf(text, '"Date Occurred" AS occurred');
    expect(lines[0]).toBe(
      `study.yaml:${at}: prepare step "renamed" failed: Binder Error: Referenced column "Date Occurred" not found in FROM clause!`,
    );
    expect(lines).toContain('  Candidate bindings: "Date  Occurred"');
    const pointer = lines.findIndex((l) => l.startsWith(`  study.yaml:${at}: `));
    expect(lines[pointer]).toBe(`  study.yaml:${at}:        "Date Occurred" AS occurred`);
    // The caret stands under the opening quote of the column DuckDB could not bind.
    expect(lines[pointer + 1].indexOf("^")).toBe(lines[pointer].indexOf('"Date Occurred"'));
  });

  it("an error without a pointer names the line of the step's sql: key; leading blank lines of the block are counted", async () => {
    const text = studyText("\nSELECT strptime(PREMISE, '%Y') AS n FROM incidents");
    const err = await runPrepare(db, parseStudy(text), "s.yaml", "renamed", new Logger({ silent: true }), undefined, { text }).catch(
      (e: unknown) => e,
    );
    expect((err as UserError).message.split("\n")[0]).toMatch(
      new RegExp(`^s\\.yaml:${lineOf(text, "sql: |")}: prepare step "renamed" failed: Invalid Input Error`),
    );
    // DuckDB's lines under the first (the value and a ^ under where parsing stopped) are kept.
    expect((err as UserError).message.split("\n").length).toBeGreaterThan(2);
    expect(prepareSqlPositions(text)[0].sql?.first).toBe(lineOf(text, "SELECT strptime"));
  });

  it("a syntax error on the first SQL line does not show openbeat's own CREATE TABLE", async () => {
    const text = studyText("SELECT * FRM incidents");
    const err = await runPrepare(db, parseStudy(text), "s.yaml", "renamed", new Logger({ silent: true }), undefined, { text }).catch(
      (e: unknown) => e,
    );
    const message = (err as UserError).message;
    expect(message).not.toContain("CREATE TABLE");
    expect(message).toContain(`\n  s.yaml:${lineOf(text, "FRM")}: SELECT * FRM incidents\n`);
  });

  it("maps PostgreSQL's character position to the study file's line, and keeps its detail and hint", () => {
    const sql = 'SELECT a,\n  "Date Occurred"\nFROM t';
    const prefix = 'CREATE TABLE "s" AS ';
    const position = String(prefix.length + sql.indexOf('"Date') + 1);
    const message = prepareErrorMessage(
      'column "Date Occurred" does not exist',
      { file: "s.yaml", step: "s", engine: "postgres", sql, prefix, position: { key: 10, first: 11 } },
      { position, hint: 'Perhaps you meant to reference the column "t.Date  Occurred".' },
    );
    expect(message.split("\n")).toEqual([
      's.yaml:12: prepare step "s" failed: (PostgreSQL) column "Date Occurred" does not exist',
      '  HINT: Perhaps you meant to reference the column "t.Date  Occurred".',
      '  s.yaml:12:   "Date Occurred"',
      "  " + " ".repeat("s.yaml:12: ".length + 2) + "^",
    ]);
  });
});

describe("prepareSqlPositions(text)", () => {
  it("finds each step's sql and postgres lines; folded text has no line-for-line position", () => {
    const text = [
      "prepare:",
      "  - name: a",
      "    sql: |",
      "",
      "      SELECT 1",
      "  - name: b",
      '    sql: "SELECT 2"',
      "    postgres: >",
      "      SELECT 3",
      "      FROM u",
    ].join("\n");
    expect(prepareSqlPositions(text)).toEqual([{ sql: { key: 3, first: 5 } }, { sql: { key: 7, first: 7 }, postgres: { key: 8 } }]);
  });
});

describe("stepSql(step, engine, file)", () => {
  it("takes the step's SQL for its engine without trailing semicolons", () => {
    const [portable, both] = study([
      { name: "a", sql: "  SELECT 1;;\n" },
      { name: "b", sql: "SELECT 2", postgres: "SELECT 3;" },
    ]).prepare;
    expect(stepSql(portable, "duckdb", "s.yaml")).toBe("SELECT 1");
    expect(stepSql(portable, "postgres", "s.yaml")).toBe("SELECT 1");
    expect(stepSql(both, "duckdb", "s.yaml")).toBe("SELECT 2");
    expect(stepSql(both, "postgres", "s.yaml")).toBe("SELECT 3");
  });

  it("refuses a DuckDB-only step on PostgreSQL, asking for a postgres: version", () => {
    const [duck] = study([{ name: "d", sql: "SELECT 1", dialect: "duckdb" }]).prepare;
    expect(() => stepSql(duck, "postgres", "s.yaml")).toThrow(/prepare step "d" is written for duckdb.*add a "postgres:" version/);
  });
});
