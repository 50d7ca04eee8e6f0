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

/** The schema the LMPD run on PostgreSQL exports its result tables to (dropped by the test that reads them). */
const EXPORT_SCHEMA = "openbeat_test_export";

interface PgRun {
  /** The results folder. */
  out: string;
  run: ReturnType<typeof cli>;
}

/**
 * Each example's run on PostgreSQL, made once for the tests that read it. The LMPD run also exports its result
 * tables to the same server (`--export-db`), as a PostgreSQL user runs it: one run for both tests.
 */
const pgRuns = new Map<string, PgRun>();
function pgRun(c: (typeof cases)[number]): PgRun {
  let r = pgRuns.get(c.shared);
  if (!r) {
    const out = join(mkdtempSync(join(tmpdir(), "ob-pg-")), "pg");
    const exportArgs = c.shared === "lmpd" ? ["--export-db", pgUrl(), "--export-schema", EXPORT_SCHEMA] : [];
    r = { out, run: cli(["run", c.study, "--data", c.data, "--out", out, "--db", pgUrl(), ...exportArgs]) };
    pgRuns.set(c.shared, r);
  }
  return r;
}

describe.skipIf(!PG || SKIP_DATA)("openbeat run --db postgres://… (real PostgreSQL)", () => {
  // Set whenever these tests run (the block is skipped without it).
  for (const c of cases) {
    // A segments run (structure test, five seeds, latent classes) takes about 12 s of CPU, an LMPD run about 7.
    it(`${c.study} gives the same results.json on PostgreSQL as on DuckDB`, { timeout: 1_800_000 }, async () => {
      const duck = await exampleRun(c.shared);
      expect(duck.code).toBe(0);
      const { out, run } = pgRun(c);
      const pg = await run;
      expect(pg.stderr).not.toMatch(/\n\s+at /);
      expect(pg.code).toBe(0);
      expect(pg.stderr).toMatch(/in PostgreSQL/);
      expect(readFileSync(join(out, "results.json"), "utf8")).toBe(readFileSync(join(duck.dir, "results.json"), "utf8"));
      const password = new URL(pgUrl()).password;
      if (password) expect(pg.stdout + pg.stderr + readFileSync(join(out, "manifest.json"), "utf8")).not.toContain(password);
    });
  }

  it("--export-db writes findings, factors and scores for BI tools", async () => {
    // The LMPD run on PostgreSQL above, which exported its tables too.
    const r = await pgRun(cases[0]).run;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`exported to PostgreSQL schema ${EXPORT_SCHEMA}: findings`));
    const db = await PgDb.open(pgUrl());
    try {
      const [f] = await db.query(
        `SELECT count(*)::int AS n FROM ${EXPORT_SCHEMA}.findings WHERE value = 'HIGHWAY / ROAD / ALLEY' AND count = 3931`,
      );
      expect(f.n).toBe(1);
      const [s] = await db.query(`SELECT count(*)::int AS n FROM ${EXPORT_SCHEMA}.scores`);
      expect(s.n).toBe(32327);
      const [x] = await db.query(`SELECT count(*)::int AS n FROM ${EXPORT_SCHEMA}.factors`);
      // One factor per design column except each categorical column's reference level (PREMISE_TYPE and UOR_DESC).
      expect(x.n).toBe(112);
      await db.exec(`DROP SCHEMA ${EXPORT_SCHEMA} CASCADE`);
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
