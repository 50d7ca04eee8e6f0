import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { loadCsv } from "../../src/data/sources/load-csv.js";
import { featuresSchema } from "../../src/features/spec.js";
import { readFeatureInput } from "../../src/studies/analysis-table.js";
import { buildDashboardInfo } from "../../src/studies/dashboard-info.js";
import { UserError } from "../../src/util/errors.js";
import { SKIP_DATA } from "../e2e/helpers.js";

/**
 * Philadelphia's shooting victims export writes the date (`date_`, always at midnight) and the time of day (`time`)
 * apart: the real case of a date-only column and a time column of its own.
 */
const FILE = "../shared/data/philadelphia-shooting-victims/shootings.csv";

let db: Db;
beforeAll(async () => {
  if (SKIP_DATA) return;
  db = await Db.open();
  await loadCsv(db, "shootings", FILE);
  // Numbered by _row, so that every read lists the rows in the same order.
  await db.exec(`CREATE TABLE records AS SELECT (row_number() OVER (ORDER BY objectid, date_, time) - 1)::INTEGER AS _row,
    objectid, CAST(date_ AS DATE) AS day, time,
    hour(time) * 100 + minute(time) AS hhmm, CAST(date_ AS DATE) + time AS occurred FROM shootings`);
}, 120_000);
afterAll(async () => {
  if (!SKIP_DATA) await db.close();
});

describe.skipIf(SKIP_DATA)("a date and its time of day in two columns, on Philadelphia's export", () => {
  it("hour of the date-only column is refused with the fix, and the dashboard shows no hour for it", async () => {
    const e: unknown = await readFeatureInput(
      db,
      "records",
      featuresSchema.parse({ dates: [{ column: "day", parts: ["hour"] }] }),
      "s.yaml",
    ).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe("data.date_without_time");
    expect((e as UserError).message).toContain("time: { column: TIME_COLUMN, format: hhmm }");
    const info = await buildDashboardInfo(db, "records", { time: "day", categories: [] });
    expect(info.dimensions.map((d) => d.kind)).not.toContain("hour");
    const joined = await buildDashboardInfo(db, "records", { time: "occurred", categories: [] });
    expect(joined.dimensions.map((d) => d.kind)).toContain("hour");
  });

  it("time: { format: time } and the same times as HHMM integers give the hours of the joined timestamp", async () => {
    const joined = await readFeatureInput(db, "records", featuresSchema.parse({ dates: [{ column: "occurred", parts: ["hour"] }] }), "s");
    const expected = joined.categorical["occurred.hour"];
    expect(new Set(expected).size).toBeGreaterThanOrEqual(20);
    for (const time of [
      { column: "time", format: "time" },
      { column: "hhmm", format: "hhmm" },
    ]) {
      const spec = featuresSchema.parse({ dates: [{ column: "day", time, parts: ["hour"] }] });
      const input = await readFeatureInput(db, "records", spec, "s");
      expect(input.categorical["day.hour"]).toEqual(expected);
    }
  });
});
