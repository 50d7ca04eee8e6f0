import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compareIndexWithSql } from "./index-vs-sql.js";

/**
 * The run index answers every endpoint as SQL does on the dashboard fixtures (index-vs-sql.ts); the e2e tier does
 * the same on the real example runs.
 */

const fixtures = resolve("test/fixtures/dashboard");

describe("the run index", () => {
  it("answers random filter and range states as SQL does, on the risk and segments fixtures", async () => {
    const out = await compareIndexWithSql([join(fixtures, "risk"), join(fixtures, "segments")], 30, 7);
    expect(out.studies.sort()).toEqual(["risk", "segments"]);
    expect(out.states).toBe(60);
    expect(out.kinds).toEqual(["date", "numeric"]);
    expect(out.midnightEdges).toBeGreaterThan(0);
    // Most states select some rows, so that the answers compared are not all empty.
    expect(out.nonEmpty).toBeGreaterThan(20);
    expect(out.requests).toBeGreaterThan(400);
  }, 120_000);
});
