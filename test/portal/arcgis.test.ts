import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { fetchSource, formatEpochMs, parseCsv } from "../../src/data/portal/index.js";
import { UserError } from "../../src/util/errors.js";
import { Logger } from "../../src/util/logger.js";
import { type Dataset, type TestPortal, baltimoreDateMs, lmpdDateMs, offsetsAsked, readDataset, startPortal } from "./portal-server.js";

const baltimore = "../shared/data/baltimore-part1-crime/Part_1_Crime_Data_.csv";
const lmpd = "../shared/data/lmpd-assaulted-officers/AssaultedOfficerData.csv";
const present = existsSync(baltimore) && existsSync(lmpd);
if (process.env.CI && !present) throw new Error("shared data for the ArcGIS tests is missing");

describe("formatEpochMs(ms, timeZone)", () => {
  it("writes wall-clock ISO time in the zone, across DST", () => {
    const ms = Date.UTC(2022, 10, 12, 11, 5, 0);
    expect(formatEpochMs(ms, "UTC")).toBe("2022-11-12T11:05:00");
    expect(formatEpochMs(ms, "America/New_York")).toBe("2022-11-12T06:05:00");
    expect(formatEpochMs(Date.UTC(2022, 6, 1, 3, 0, 0), "America/New_York")).toBe("2022-06-30T23:00:00");
    expect(formatEpochMs(Date.UTC(2022, 0, 1, 0, 0, 0, 250), "UTC")).toBe("2022-01-01T00:00:00.250");
    expect(formatEpochMs(Date.UTC(1969, 11, 31, 23, 59, 59, 500), "UTC")).toBe("1969-12-31T23:59:59.500");
  });
});

describe.skipIf(!present && !process.env.CI)("fetchSource with an ArcGIS layer", () => {
  let portal: TestPortal;
  let ds: Dataset;
  let cacheDir: string;
  const sleeps: number[] = [];
  const retry = {
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0,
  };
  const layer = () => `${portal.origin}/arcgis/rest/services/Part1_Crime/FeatureServer/0`;

  beforeAll(async () => {
    ds = readDataset(baltimore);
    portal = await startPortal({
      dataset: ds,
      maxRecordCount: 300,
      dates: { CrimeDateTime: baltimoreDateMs },
      xy: ["Longitude", "Latitude"],
    });
    cacheDir = await mkdtemp(join(tmpdir(), "openbeat-arcgis-"));
  });
  afterAll(async () => {
    await portal.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("pages Baltimore Part 1 crime (1,261 rows) within maxRecordCount, resuming after a 500, a dropped connection and an empty page", async () => {
    expect(ds.rows.length).toBe(1261);
    portal.faults.set("arcgis:300", [{ kind: "status", status: 503 }]);
    portal.faults.set("arcgis:600", [{ kind: "destroy" }]);
    portal.faults.set("arcgis:900", [{ kind: "empty" }]);
    const logger = new Logger({ silent: true });
    const r = await fetchSource(
      "crime",
      { arcgis: { url: layer(), where: "1=1", out_fields: "*", format: "json", page_size: 5000, time_zone: "UTC" } },
      { cacheDir, logger, progress: false, retry },
    );

    expect(r.meta.rows).toBe(1261);
    expect(r.meta.retries).toBe(3);
    expect(r.meta.time_zone).toBe("UTC");
    expect(offsetsAsked(portal, "resultOffset")).toEqual([0, 300, 300, 600, 600, 900, 900, 1200]);
    const counts = portal.requests
      .filter((u) => u.searchParams.has("resultRecordCount"))
      .map((u) => u.searchParams.get("resultRecordCount"));
    expect(new Set(counts)).toEqual(new Set(["300"]));
    expect(sleeps).toEqual([250, 250, 250]);

    const out = parseCsv(readFileSync(r.path, "utf8"));
    expect(out[0]).toEqual([...ds.header.filter((h) => h !== "Longitude" && h !== "Latitude"), "x", "y"]);
    expect(out.length - 1).toBe(1261);
    const dt = out[0].indexOf("CrimeDateTime");
    expect(out[1][dt]).toBe("2022-11-12T11:05:00");
    expect(out.slice(1).map((row) => row[0])).toEqual(ds.rows.map((row) => row[0]));
    expect(r.meta.columns.find((c) => c.name === "CrimeDateTime")?.type).toBe("esriFieldTypeDate");

    const db = await Db.open();
    const [row] = await db.query(
      `SELECT count(*)::INTEGER AS n, typeof(any_value(CrimeDateTime)) AS t, count(x)::INTEGER AS located FROM read_csv('${r.path}')`,
    );
    expect(row).toEqual({ n: 1261, t: "TIMESTAMP", located: 1259 });
    await db.close();
  });

  it("writes GeoJSON with dates in the stated time zone (LMPD, 5,393 rows)", async () => {
    const lm = readDataset(lmpd);
    portal.options = { dataset: lm, maxRecordCount: 2000, dates: { DATE_REPORTED: lmpdDateMs, DATE_OCCURED: lmpdDateMs } };
    const r = await fetchSource(
      "officers",
      { arcgis: { url: layer(), where: "1=1", out_fields: "*", format: "geojson", time_zone: "America/Kentucky/Louisville" } },
      { cacheDir, progress: false, retry },
    );
    expect(r.path.endsWith("officers.geojson")).toBe(true);
    const fc = JSON.parse(readFileSync(r.path, "utf8")) as { features: { properties: Record<string, unknown> }[] };
    expect(fc.features).toHaveLength(5393);
    expect(r.meta.rows).toBe(5393);
    expect(r.meta.time_zone).toBe("America/Kentucky/Louisville");
    expect(lm.rows[0][2]).toBe("1/1/2010 1:42");
    expect(fc.features[0].properties.DATE_REPORTED).toBe("2009-12-31T20:42:00");
    expect(fc.features.map((f) => f.properties.INCIDENT_NUMBER)).toEqual(lm.rows.map((row) => row[1]));
    portal.options = { dataset: ds, maxRecordCount: 300, dates: { CrimeDateTime: baltimoreDateMs }, xy: ["Longitude", "Latitude"] };
  });

  it("gives up with a UserError after the attempts run out, keeping no partial file", async () => {
    portal.faults.set(
      "arcgis:0",
      Array.from({ length: 3 }, () => ({ kind: "status" as const, status: 500 })),
    );
    const err = (await fetchSource(
      "broken",
      { arcgis: { url: layer(), where: "1=1", out_fields: "*", format: "json", time_zone: "UTC" } },
      { cacheDir, progress: false, retry: { ...retry, maxAttempts: 3 } },
    ).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/gave up after 3 attempts \(last: HTTP 500\)/);
    expect(existsSync(join(cacheDir, "broken.csv"))).toBe(false);
  });

  it("rejects an unknown time zone before any request", async () => {
    const before = portal.requests.length;
    await expect(
      fetchSource(
        "tz",
        { arcgis: { url: layer(), where: "1=1", out_fields: "*", format: "json", time_zone: "Mars/Olympus" } },
        { cacheDir, progress: false, retry },
      ),
    ).rejects.toThrow(/not an IANA time zone/);
    expect(portal.requests.length).toBe(before);
  });
});
