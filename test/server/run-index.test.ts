import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { startServer } from "../../src/server/index.js";
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

  it("leaves a run whose scores hold NaN to SQL (SQL counts a NaN score, a typed column cannot tell it from a missing one)", async () => {
    const base = mkdtempSync(join(tmpdir(), "openbeat-index-nan-"));
    try {
      const dir = join(base, "risk");
      cpSync(join(fixtures, "risk"), dir, { recursive: true });
      const file = join(dir, "prepared.parquet");
      const db = await Db.open();
      await db.exec(
        `COPY (SELECT * REPLACE (CASE WHEN _row = (SELECT min(_row) FROM ${quoteString(join(fixtures, "risk", "prepared.parquet"))}) THEN 'NaN'::DOUBLE ELSE "_score" END AS "_score") FROM ${quoteString(join(fixtures, "risk", "prepared.parquet"))}) TO ${quoteString(file)} (FORMAT parquet)`,
      );
      await db.close();
      const server = await startServer({ dirs: [dir, join(fixtures, "segments")], port: 0, webRoot: base, log: () => {}, cache: false });
      try {
        expect(server.indexed).toEqual(["segments"]);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
