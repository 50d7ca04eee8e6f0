import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { featuresSchema, type FeaturesSpec } from "../../src/features/spec.js";
import { buildDashboardInfo } from "../../src/studies/dashboard-info.js";
import { readFeatureInput } from "../../src/studies/analysis-table.js";
import { parseStudy } from "../../src/studies/study-file/load-study.js";
import { Logger } from "../../src/util/logger.js";
import { userError } from "../checks.js";

const features = (f: unknown): FeaturesSpec => featuresSchema.parse(f);

/** Synthetic records: a date-only column, the time of day as HHMM integers, as text, and as a TIME. */
const ROWS: [string, number | null, string | null][] = [
  ["2021-03-01", 1430, "14:30"],
  ["2021-03-01", 5, "00:05"],
  ["2021-03-02", 930, "9:30"],
  ["2021-03-06", 2359, "23:59"],
  ["2021-03-07", 0, "00:00"],
  ["2021-03-07", null, null],
];
/** HHMM values that are not times of day, added to the `dirty` table. */
const BAD = [2400, 1260, -5];

let db: Db;
beforeAll(async () => {
  db = await Db.open();
  const values = ROWS.map(([d, t, s]) => `(DATE '${d}', ${t ?? "NULL"}, ${s === null ? "NULL" : `'${s}'`})`).join(", ");
  await db.exec(`CREATE TABLE records AS SELECT * FROM (VALUES ${values}) v("DATE OCC", "TIME OCC", time_text)`);
  await db.exec(`ALTER TABLE records ADD COLUMN occurred_ts TIMESTAMP`);
  await db.exec(`UPDATE records SET occurred_ts = CAST("DATE OCC" AS TIMESTAMP)`);
  const bad = BAD.map((t) => `(DATE '2021-04-01', ${t}, NULL, NULL)`).join(", ");
  await db.exec(`CREATE TABLE dirty AS SELECT * FROM records UNION ALL SELECT * FROM (VALUES ${bad}) v(a, b, c, d)`);
});
afterAll(async () => {
  await db.close();
});

/** The hour an HHMM value gives, as the feature spells it ("14"), or null. */
const hourOf = (t: number | null) =>
  t === null || t < 0 || t > 2359 || t % 100 >= 60 ? null : String(Math.floor(t / 100)).padStart(2, "0");

describe("features.dates[].time: the time of day in a column of its own", () => {
  it("format hhmm reads integers such as 1430 and 5 as 14:30 and 00:05; weekday still comes from the date", async () => {
    const spec = features({ dates: [{ column: "DATE OCC", time: { column: "TIME OCC", format: "hhmm" }, parts: ["hour", "weekday"] }] });
    const input = await readFeatureInput(db, "records", spec, "s.yaml");
    const rows = await db.query(`SELECT "TIME OCC" AS t, strftime("DATE OCC", '%u-%a') AS wd FROM records`);
    expect(input.categorical["DATE OCC.hour"]).toEqual(rows.map((r) => hourOf(r.t as number | null)));
    expect(input.categorical["DATE OCC.weekday"]).toEqual(rows.map((r) => r.wd));
  });

  it("format defaults to hhmm; format time reads text such as 9:30 and TIME values", async () => {
    const hhmm = await readFeatureInput(
      db,
      "records",
      features({ dates: [{ column: "DATE OCC", time: { column: "TIME OCC" }, parts: ["hour"] }] }),
      "s",
    );
    const text = await readFeatureInput(
      db,
      "records",
      features({ dates: [{ column: "DATE OCC", time: { column: "time_text", format: "time" }, parts: ["hour"] }] }),
      "s",
    );
    expect(text.categorical["DATE OCC.hour"]).toEqual(hhmm.categorical["DATE OCC.hour"]);
    expect(new Set(text.categorical["DATE OCC.hour"]).size).toBeGreaterThan(3);
  });

  it("HHMM values that are not times of day are missing hours, counted in one warning with an example", async () => {
    const logger = new Logger({ silent: true });
    const spec = features({ dates: [{ column: "DATE OCC", time: { column: "TIME OCC", format: "hhmm" }, parts: ["hour", "month"] }] });
    const input = await readFeatureInput(db, "dirty", spec, "s.yaml", { logger });
    const rows = await db.query(`SELECT "TIME OCC" AS t FROM dirty`);
    expect(input.categorical["DATE OCC.hour"]).toEqual(rows.map((r) => hourOf(r.t as number | null)));
    expect(input.categorical["DATE OCC.month"].every((m) => m !== null)).toBe(true);
    const w = logger.warnings.filter((x) => x.code === "data.bad_times");
    expect(w).toHaveLength(1);
    expect(w[0].count).toBe(BAD.length);
    expect(BAD.map(String)).toContain(w[0].example);
    const present = ROWS.filter((r) => r[1] !== null).length + BAD.length;
    expect(w[0].message).toContain(`${BAD.length} of ${present} values of "TIME OCC" (the time of DATE OCC) are not an HHMM time`);
  });

  it("a time column none of whose values is a time in its format is an error that names the other format", async () => {
    const e = await userError(
      readFeatureInput(
        db,
        "records",
        features({ dates: [{ column: "DATE OCC", time: { column: "time_text" }, parts: ["hour"] }] }),
        "s.yaml",
      ),
    );
    expect(e.code).toBe("data.no_times");
    expect(e.message).toMatch(/^s\.yaml: no value of "time_text" \(the time of DATE OCC\) is an HHMM time.*use format: time/);
  });

  it("hour of a date without a time of day is an error that shows the time key", async () => {
    for (const column of ["DATE OCC", "occurred_ts"]) {
      const e = await userError(readFeatureInput(db, "records", features({ dates: [{ column, parts: ["hour", "weekday"] }] }), "s.yaml"));
      expect(e.code).toBe("data.date_without_time");
      const dated = ROWS.length;
      expect(e.message).toBe(
        `s.yaml: date feature "${column}" has no time of day (all ${dated} values are at 00:00), so its hour would be one level; remove hour from its parts, or name the column that holds the time of day: { column: ${column}, time: { column: TIME_COLUMN, format: hhmm }, parts: [hour, weekday] }`,
      );
    }
    // Without hour, a date-only column is fine.
    const ok = await readFeatureInput(db, "records", features({ dates: [{ column: "DATE OCC", parts: ["weekday"] }] }), "s.yaml");
    expect(ok.categorical["DATE OCC.weekday"]).toHaveLength(ROWS.length);
  });

  it("the time key is part of the study file: unknown formats are refused", () => {
    const study = (time: unknown) =>
      JSON.stringify({
        name: "t",
        kind: "segments",
        sources: { r: { path: "r.csv" } },
        segments: { features: { dates: [{ column: "DATE_OCC", time, parts: ["hour"] }] } },
      });
    expect(() => parseStudy(study({ column: "TIME_OCC", format: "hhmm" }))).not.toThrow();
    expect(() => parseStudy(study({ column: "TIME_OCC", format: "HH:MM" }))).toThrow(/must be one of "hhmm", "time"/);
  });
});

describe("docs/study-file.md, Dates and times of day", () => {
  it("its example study parses, with the time key on the date feature", () => {
    const doc = readFileSync("docs/study-file.md", "utf8");
    const section = doc.slice(doc.indexOf("## Dates and times of day"));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const spec = parseStudy(`name: docs\nkind: segments\n${yaml}`);
    expect(spec.kind === "segments" && spec.segments.features.dates[0].time).toEqual({ column: "time_occ", format: "hhmm" });
  });
});

describe("buildDashboardInfo: the hour dimension", () => {
  it("is left out for a date without a time of day, kept for a timestamp with one", async () => {
    const dateOnly = await buildDashboardInfo(db, "records", { time: "occurred_ts", categories: [] });
    expect(dateOnly.dimensions.map((d) => d.kind)).toEqual(["year", "month", "weekday"]);
    await db.exec(
      `CREATE TABLE timed AS SELECT "DATE OCC" + make_time(CAST("TIME OCC" // 100 AS BIGINT), 0, 0) AS occurred FROM records WHERE "TIME OCC" IS NOT NULL`,
    );
    const timed = await buildDashboardInfo(db, "timed", { time: "occurred", categories: [] });
    expect(timed.dimensions.map((d) => d.kind)).toEqual(["year", "month", "weekday", "hour"]);
  });
});
