import { describe, expect, it } from "vitest";
import { compareIndexWithSql } from "../server/index-vs-sql.js";
import { exampleRuns } from "./example-runs.js";
import { SKIP_DATA } from "./helpers.js";

/**
 * The dashboard's run index answers as SQL does on the real example runs: LMPD and Orlando (risk: score histogram,
 * calibration, flagging), Baltimore with and without demographics and Philadelphia (segments: clusters, the area map,
 * numeric ranges). The same comparison as test/server/run-index.test.ts, on the shared example runs.
 */

const RUNS = ["lmpd", "orlando", "baltimore", "baltimore-demographics", "philadelphia"] as const;

describe.skipIf(SKIP_DATA)("the run index on the real example runs", () => {
  it("answers random filter and range states on every endpoint exactly as SQL does", async () => {
    const runs = await exampleRuns(RUNS);
    for (const r of Object.values(runs)) expect(r.code, r.stderr).toBe(0);
    const out = await compareIndexWithSql(
      RUNS.map((id) => runs[id].dir),
      20,
      2026,
    );
    expect(out.studies).toHaveLength(RUNS.length);
    expect([...new Set(out.studies)].sort()).toEqual(["risk", "segments"]);
    expect(out.states).toBe(20 * RUNS.length);
    expect(out.kinds).toEqual(["date", "numeric"]);
    expect(out.nonEmpty).toBeGreaterThan(out.states / 3);
    expect(out.requests).toBeGreaterThan(500);
  }, 600_000);
});
