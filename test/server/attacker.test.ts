import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { resolvePolicy } from "../../src/disclosure/policy.js";
import type { RunSummary } from "../../src/server/api-types.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { attackRun, type AttackPlan } from "./attack-run.js";
import { analyse } from "./attacker.js";

/**
 * The attacker of attacker.ts against the dashboard fixtures: with the default policy it learns no small count;
 * with perturbation off (exact counts, small ones hidden) the same queries reveal many, which shows that the
 * checks can fail. test/e2e/attacker.e2e.test.ts runs the same attack on the real LMPD and Baltimore results.
 */

const fixtures = resolve("test/fixtures/dashboard");
const plan: AttackPlan = { seed: 11, valuesPerDimension: 8, pairs: 15, triples: 8, twoValue: 2, concurrency: 4, ranges: 4 };

let base: string;
let db: Db;
let protectedServer: RunningServer;
let exactServer: RunningServer;

async function summaries(server: RunningServer): Promise<RunSummary[]> {
  return ((await (await fetch(server.url + "api/runs")).json()) as { runs: RunSummary[] }).runs;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "openbeat-attack-"));
  for (const run of ["risk", "segments"]) {
    cpSync(join(fixtures, run), join(base, run), { recursive: true });
    const disclosure = resolvePolicy({ dashboard: { perturb: false } });
    writeFileSync(join(base, run, "manifest.json"), JSON.stringify({ min_cell: 10, disclosure }));
  }
  db = await Db.open();
  protectedServer = await startServer({ dirs: [fixtures], port: 0, webRoot: join(base, "web"), log: () => {} });
  exactServer = await startServer({ dirs: [base], port: 0, webRoot: join(base, "web"), log: () => {} });
});

afterAll(async () => {
  // Any of them is unset when beforeAll failed part-way.
  await (protectedServer as RunningServer | undefined)?.close();
  await (exactServer as RunningServer | undefined)?.close();
  await (db as Db | undefined)?.close();
  rmSync(base, { recursive: true, force: true });
});

describe("the attacker on the dashboard fixtures", () => {
  it("learns no small count from perturbed answers, and every answer is hidden or above min_cell", async () => {
    const policy = resolvePolicy();
    for (const run of await summaries(protectedServer)) {
      const out = await attackRun(protectedServer.url, run, join(fixtures, run.id), db, policy, plan);
      const report = analyse(out.knowledge, policy);
      expect(out.queries).toBeGreaterThan(200);
      expect(report.smallDifferences, run.id).toBeGreaterThan(500);
      expect(report.smallCells, run.id).toBeGreaterThan(100);
      expect(out.badCounts).toEqual([]);
      expect(out.badRates).toEqual([]);
      expect(out.knowledge.inconsistent).toEqual([]);
      expect(report.unsound).toEqual([]);
      expect(report.leaks).toEqual([]);
      // Brushed ranges were attacked too: histogram bins or timeline weeks and months, and ranges [a, b) beside [a, c).
      expect(run.ranges.length, run.id).toBeGreaterThan(0);
      expect([...out.knowledge.answers.keys()].filter((d) => d.includes("range:")).length, run.id).toBeGreaterThan(100);
      // The risk views (calibration bins, top-N% flagged sets) and the drill-down table were attacked too.
      const answered = (part: string) => [...out.knowledge.answers.keys()].filter((d) => d.includes(part)).length;
      if (run.study === "risk") {
        expect(answered("|cal="), run.id).toBeGreaterThan(100);
        expect(answered("|top="), run.id).toBeGreaterThan(100);
      }
      expect(out.tableCells, run.id).toBeGreaterThan(100);
    }
  }, 300_000);

  it("finds small counts by subtraction when the same queries are answered exactly (the unprotected answers leak)", async () => {
    const exact = resolvePolicy({ dashboard: { perturb: false } });
    for (const run of await summaries(exactServer)) {
      const out = await attackRun(exactServer.url, run, join(base, run.id), db, exact, plan);
      const report = analyse(out.knowledge, exact);
      expect(report.unsound).toEqual([]);
      expect(report.leaks.filter((l) => l.how === "nested").length, run.id).toBeGreaterThan(0);
      // Differencing two brushed ranges is among the ways exact answers leak.
      expect(report.leaks.filter((l) => l.what.includes("range:")).length, run.id).toBeGreaterThan(0);
      // So is differencing two top-N% sets or two calibration bins.
      if (run.study === "risk") expect(report.leaks.filter((l) => /\|(top|cal)=/.test(l.what)).length, run.id).toBeGreaterThan(0);
      for (const leak of report.leaks) {
        expect(leak.value).toBeGreaterThanOrEqual(1);
        expect(leak.value).toBeLessThan(10);
      }
    }
  }, 300_000);
});
