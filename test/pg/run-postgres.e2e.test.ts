import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PgDb } from "../../src/data/PgDb.js";
import { defined } from "../checks.js";
import { EXAMPLES, exampleRun } from "../e2e/example-runs.js";
import { cli, SKIP_DATA } from "../e2e/helpers.js";

const PG = process.env.OPENBEAT_TEST_PG;
if (process.env.CI && !PG) throw new Error("CI is set but OPENBEAT_TEST_PG is missing: PostgreSQL tests must run in CI");
const pgUrl = (): string => defined(PG, "OPENBEAT_TEST_PG");

/** The examples run on PostgreSQL; the DuckDB runs they are compared with are the e2e tier's shared ones (test/e2e/example-runs.ts). */
const cases = [
  { study: EXAMPLES.lmpd.study, data: EXAMPLES.lmpd.data, shared: "lmpd" },
  { study: EXAMPLES.baltimore.study, data: EXAMPLES.baltimore.data, shared: "baltimore" },
] as const;

describe.skipIf(!PG || SKIP_DATA)("openbeat run --db postgres://… (real PostgreSQL)", () => {
  // Set whenever these tests run (the block is skipped without it).
  for (const c of cases) {
    // A segments run (structure test, five seeds, latent classes) takes about 20 s of CPU, twice here.
    it(`${c.study} gives the same results.json on PostgreSQL as on DuckDB`, { timeout: 1_800_000 }, async () => {
      const base = mkdtempSync(join(tmpdir(), "ob-pg-"));
      const duck = await exampleRun(c.shared);
      expect(duck.code).toBe(0);
      const pg = await cli(["run", c.study, "--data", c.data, "--out", join(base, "pg"), "--db", pgUrl()]);
      expect(pg.stderr).not.toMatch(/\n\s+at /);
      expect(pg.code).toBe(0);
      expect(pg.stderr).toMatch(/in PostgreSQL/);
      expect(readFileSync(join(base, "pg", "results.json"), "utf8")).toBe(readFileSync(join(duck.dir, "results.json"), "utf8"));
      const password = new URL(pgUrl()).password;
      if (password) expect(pg.stdout + pg.stderr + readFileSync(join(base, "pg", "manifest.json"), "utf8")).not.toContain(password);
    });
  }

  it("--export-db writes findings, factors and scores for BI tools", async () => {
    const base = mkdtempSync(join(tmpdir(), "ob-pgx-"));
    const r = await cli([
      "run",
      cases[0].study,
      "--data",
      cases[0].data,
      "--out",
      join(base, "r"),
      "--quiet",
      "--export-db",
      pgUrl(),
      "--export-schema",
      "openbeat_test_export",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/exported to PostgreSQL schema openbeat_test_export: findings/);
    const db = await PgDb.open(pgUrl());
    try {
      const [f] = await db.query(
        `SELECT count(*)::int AS n FROM openbeat_test_export.findings WHERE value = 'HIGHWAY / ROAD / ALLEY' AND count = 3931`,
      );
      expect(f.n).toBe(1);
      const [s] = await db.query(`SELECT count(*)::int AS n FROM openbeat_test_export.scores`);
      expect(s.n).toBe(32327);
      const [x] = await db.query(`SELECT count(*)::int AS n FROM openbeat_test_export.factors`);
      // One factor per design column except each categorical column's reference level (PREMISE_TYPE and UOR_DESC).
      expect(x.n).toBe(112);
      await db.exec(`DROP SCHEMA openbeat_test_export CASCADE`);
    } finally {
      await db.close();
    }
  });

  it("a DuckDB-only step without a postgres: version is one error: a line naming the step, then PostgreSQL's pointer", async () => {
    const r = await cli([
      "run",
      "examples/baltimore-victim-segments-demographics.yaml",
      "--data",
      "../shared/data",
      "--out",
      join(mkdtempSync(join(tmpdir(), "ob-pge-")), "r"),
      "--db",
      pgUrl(),
      "--quiet",
    ]);
    expect(r.code).toBe(1);
    const [first, ...hints] = r.stderr.trim().split("\n");
    expect(first).toMatch(
      /^openbeat: examples\/baltimore-victim-segments-demographics\.yaml:\d+: prepare step "victims" failed: \(PostgreSQL\)/,
    );
    for (const h of hints) expect(h).toMatch(/^ {2}\S|^ +\^$/);
  });
});
