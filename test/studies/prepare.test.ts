import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTableFromColumns } from "../../src/data/create-table.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Db } from "../../src/data/Db.js";
import { lockDownDuckDb } from "../../src/data/sandbox.js";
import { runPrepare, stepSql } from "../../src/studies/prepare.js";
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
