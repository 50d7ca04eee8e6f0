import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { policyOfManifest } from "../../src/disclosure/policy.js";
import type { RunSummary } from "../../src/server/api-types.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { attackRun, fetchRead, type AttackPlan } from "../server/attack-run.js";
import { analyse, type AttackReport } from "../server/attacker.js";
import { exampleRuns } from "./example-runs.js";
import { cli, HAS_DATA } from "./helpers.js";

/**
 * The attacker of test/server/attacker.ts against the real LMPD, Baltimore (crime fields, and with neighbourhood
 * demographics), Orlando and Philadelphia results, built with the CLI (LMPD and Baltimore from synthetic exports of
 * the same shape when ../shared/data is absent outside CI): thousands of queries, and no small count may come out
 * of them by subtraction, by sums, or by both together. docs/disclosure.md defines "derivable". The risk runs' calibration
 * curve and top-N% flagging chart and every run's drill-down table are asked under the same filters.
 */

const plan: AttackPlan = { seed: 2026, valuesPerDimension: 30, pairs: 100, triples: 50, twoValue: 5, concurrency: 4, ranges: 6 };

function newestMtime(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, String(f))).mtimeMs));
}

/** Builds dist/ when it is missing or older than src/. */
function buildIfStale(): void {
  const built = resolve("dist/cli/main.js");
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(resolve("src"))) return;
  execFileSync(process.execPath, [resolve("node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

/** The runs attacked: LMPD and Baltimore always, Orlando and Philadelphia (the cities a study file alone adapts to) with the real exports. */
const RUNS = HAS_DATA
  ? (["lmpd", "baltimore", "baltimore-demographics", "orlando", "philadelphia"] as const)
  : (["lmpd", "baltimore"] as const);
type RunId = (typeof RUNS)[number];

describe("the attacker on the real LMPD, Baltimore (both), Orlando and Philadelphia results", () => {
  const base = mkdtempSync(join(tmpdir(), "ob-attack-"));
  // The demo's folders outside CI without the real exports; the shared example runs with them (set in beforeAll).
  const dirs = Object.fromEntries(RUNS.map((id) => [id, join(base, id)])) as Record<RunId, string>;
  let server: RunningServer;
  let db: Db;

  beforeAll(async () => {
    buildIfStale();
    if (HAS_DATA) {
      // The shared runs of the examples (test/e2e/example-runs.ts): the attack only reads them.
      const runs = await exampleRuns(RUNS);
      for (const r of Object.values(runs)) expect(r.code, r.stderr).toBe(0);
      for (const id of RUNS) dirs[id] = runs[id].dir;
    } else {
      // Outside CI without the real exports: the demo's synthetic LMPD- and Baltimore-shaped data, same studies.
      const r = await cli(["demo", "--out", base]);
      expect(r.code, r.stderr).toBe(0);
    }
    db = await Db.open();
    server = await startServer({ dirs: Object.values(dirs), port: 0, webRoot: join(base, "web"), log: () => {} });
  }, 900_000);

  afterAll(async () => {
    // Either is unset when beforeAll failed part-way.
    await (server as RunningServer | undefined)?.close();
    await (db as Db | undefined)?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it.each(RUNS)(
    "%s: every answer is hidden or above min_cell, rates need both sides, the same records get the same answer, and no small count is derivable",
    async (id) => {
      const { runs } = (await (await fetchRead(server.url + "api/runs")).json()) as { runs: RunSummary[] };
      const run = runs.find((r) => r.id === id);
      if (!run) throw new Error(`run ${id} is not served`);
      const policy = policyOfManifest(JSON.parse(readFileSync(join(dirs[id], "manifest.json"), "utf8")));
      expect(policy.min_cell).toBe(10);
      expect(policy.dashboard.perturb).toBe(true);
      const out = await attackRun(server.url, run, dirs[id], db, policy, plan);
      const report: AttackReport = analyse(out.knowledge, policy);
      const figures = {
        run: id,
        queries: out.queries,
        answered_sets: report.answers,
        nested_pairs: report.nestedPairs,
        small_differences: report.smallDifferences,
        partitions: report.partitions,
        small_cells_in_partitions: report.smallCells,
        small_sets: report.smallSets,
        calibration_bins: [...out.knowledge.answers.keys()].filter((d) => d.includes("|cal=")).length,
        flagged_sets: [...out.knowledge.answers.keys()].filter((d) => d.includes("|top=")).length,
        table_cells: out.tableCells,
        leaks: report.leaks.length,
      };
      console.info(`attacker: ${JSON.stringify(figures)}`);
      expect(out.queries).toBeGreaterThan(1000);
      // Brushed ranges (numeric histograms, the timeline) were attacked too, on every run that has them.
      expect(run.ranges.length, id).toBeGreaterThan(0);
      expect(report.smallDifferences).toBeGreaterThan(5000);
      expect(report.smallCells).toBeGreaterThan(1000);
      // The risk views (with filters) and the drill-down table were attacked too.
      if (run.study === "risk") {
        expect(figures.calibration_bins).toBeGreaterThan(500);
        expect(figures.flagged_sets).toBeGreaterThan(500);
      }
      expect(figures.table_cells).toBeGreaterThan(1000);
      expect(out.badCounts).toEqual([]);
      expect(out.badRates).toEqual([]);
      expect(out.knowledge.inconsistent).toEqual([]);
      expect(report.unsound).toEqual([]);
      expect(report.leaks).toEqual([]);
    },
    900_000,
  );
});
