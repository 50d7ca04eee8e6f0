import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { loadCsv } from "../../src/data/sources/load-csv.js";
import { loadGeojson } from "../../src/data/sources/load-geojson.js";
import { loadShapefile } from "../../src/data/sources/load-shapefile.js";
import { inspectFile } from "../../src/data/inspect.js";
import { defined } from "../checks.js";

const DATA = "../shared/data";
const present = existsSync(DATA);

const n = async (db: Db, sql: string) => Number((await db.query(sql))[0].n);

describe.skipIf(!present && !process.env.CI)("real exports in ../shared/data (PROVENANCE.md facts)", () => {
  let db: Db;
  beforeAll(async () => {
    db = await Db.open();
  });
  afterAll(async () => {
    // Unset when beforeAll failed.
    await (db as Db | undefined)?.close();
  });

  it("LMPD AssaultedOfficerData.csv: 5,393 rows, 19 columns, padded BLOCK_ADDRESS kept, dates with a format", async () => {
    const r = await loadCsv(db, "aod", `${DATA}/lmpd-assaulted-officers/AssaultedOfficerData.csv`, { timestampFormat: "%m/%d/%Y %H:%M" });
    expect(r.rows).toBe(5393);
    expect(r.warnings).toEqual([]);
    const cols = await db.columns("aod");
    expect(cols).toHaveLength(19);
    expect(cols.find((c) => c.name === "DATE_OCCURED")?.type).toBe("TIMESTAMP");
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM aod WHERE BLOCK_ADDRESS <> rtrim(BLOCK_ADDRESS)`)).toBe(5385);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM aod WHERE DATE_OCCURED >= TIMESTAMP '2019-01-01'`)).toBe(954);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM aod WHERE PREMISE_TYPE IS NULL`)).toBe(7);
  });

  it("LMPD Crime.csv: 32,608 rows, one blank DATE_OCCURED", async () => {
    const r = await loadCsv(db, "crime", `${DATA}/lmpd-assaulted-officers/Crime.csv`, { timestampFormat: "%m/%d/%Y %H:%M" });
    expect(r.rows).toBe(32608);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM crime WHERE DATE_OCCURED IS NULL`)).toBe(1);
    expect(await n(db, `SELECT count(DISTINCT INCIDENT_NUMBER)::INTEGER AS n FROM crime`)).toBe(32608);
  });

  it("Baltimore Part_1_Crime_Data_.csv: 1,261 rows under a BOM and CRLF, blank 9th header named column_9", async () => {
    const r = await loadCsv(db, "balt", `${DATA}/baltimore-part1-crime/Part_1_Crime_Data_.csv`);
    expect(r.rows).toBe(1261);
    expect(r.dialect).toMatchObject({ bom: true, newline: "\r\n" });
    expect(r.warnings).toEqual([expect.objectContaining({ code: "csv.empty_header", columns: ["column_9"] })]);
    const cols = (await db.columns("balt")).map((c) => c.name);
    expect(cols).toHaveLength(13);
    expect(cols[0]).toBe("RowID");
    expect(cols[8]).toBe("column_9");
    expect(await n(db, `SELECT count(column_9)::INTEGER AS n FROM balt`)).toBe(0);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM balt WHERE Gender = 'Male'`)).toBe(18);
  });

  it("Baltimore_2019_Crime_Only.csv: 22,281 rows, 9 columns", async () => {
    const r = await loadCsv(db, "b19", `${DATA}/baltimore-part1-crime/Baltimore_2019_Crime_Only.csv`);
    expect(r.rows).toBe(22281);
    expect(await db.columns("b19")).toHaveLength(9);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM b19 WHERE Weapon = 'NA'`)).toBe(17269);
  });

  it("Orlando OPD_Response_To_Resistance.csv: 2 repeated header lines dropped, 5,656 real rows", async () => {
    const r = await loadCsv(db, "opd", `${DATA}/orlando-response-to-resistance/OPD_Response_To_Resistance.csv`);
    expect(r.rows).toBe(5656);
    expect(r.warnings).toEqual([expect.objectContaining({ code: "csv.repeated_header", rows: 2 })]);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM opd`)).toBe(5656);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM opd WHERE "Officer Battered"::VARCHAR IN ('Yes', 'true')`)).toBe(936);
    const text = await loadCsv(db, "opd_text", `${DATA}/orlando-response-to-resistance/OPD_Response_To_Resistance.csv`, {
      types: { "Officer Battered": "VARCHAR" },
    });
    expect(text.rows).toBe(5656);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM opd_text WHERE "Officer Battered" = 'Yes'`)).toBe(936);
  });

  it("Philadelphia shootings.csv: 14,861 rows with CRLF", async () => {
    const r = await loadCsv(db, "phl", `${DATA}/philadelphia-shooting-victims/shootings.csv`);
    expect(r.rows).toBe(14861);
    expect(r.dialect.newline).toBe("\r\n");
    expect(await db.columns("phl")).toHaveLength(25);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM phl WHERE officer_involved = 'Y'`)).toBe(110);
  });

  it("Baltimore CSA-to-NSA crosswalk (BOM, CRLF, trailing blank row)", async () => {
    const r = await loadCsv(db, "xwalk", `${DATA}/baltimore-boundaries/csa-to-nsa-2010.csv`);
    expect(r.dialect.bom).toBe(true);
    expect((await db.columns("xwalk")).map((c) => c.name)).toEqual(["CSA2010", "NSA2010"]);
    expect(await n(db, `SELECT count(NSA2010)::INTEGER AS n FROM xwalk`)).toBe(276);
  });

  it("census NSA shapefile: 278 records, 36 attributes, State Plane feet kept", async () => {
    const r = await loadShapefile(db, "nsa", `${DATA}/baltimore-census-2010/2010_Census_Profile_by_Neighborhood_Statistical_Areas.shp`);
    expect(r.rows).toBe(278);
    expect(r.fields).toHaveLength(36);
    expect(r.prj).toContain("StatePlane_Maryland");
    expect(await n(db, `SELECT sum(Population)::INTEGER AS n FROM nsa`)).toBe(620175);
    const [g] = await db.query(`SELECT _geometry FROM nsa LIMIT 1`);
    const coordinates = (JSON.parse(String(g._geometry)) as { coordinates: unknown }).coordinates;
    const x = defined(JSON.stringify(coordinates).match(/-?\d+(\.\d+)?/), "a coordinate")[0];
    expect(Number(x)).toBeGreaterThan(1393000);
    expect(Number(x)).toBeLessThan(1446000);
  });

  it("baltimore.geojson: 278 features named like the census shapefile", async () => {
    const r = await loadGeojson(db, "hoods", `${DATA}/baltimore-boundaries/baltimore.geojson`);
    expect(r.rows).toBe(278);
    expect(r.collection.features).toHaveLength(278);
    expect(await n(db, `SELECT count(*)::INTEGER AS n FROM hoods h JOIN nsa s ON h.name = s.Name`)).toBe(278);
  });

  it("inspectFile on the LMPD export reports the padded addresses quoted", async () => {
    const r = await inspectFile(`${DATA}/lmpd-assaulted-officers/AssaultedOfficerData.csv`);
    expect(r.rows).toBe(5393);
    const crime = defined(
      r.columns.find((c) => c.name === "CRIME_TYPE"),
      "the CRIME_TYPE column",
    );
    expect(crime.top).toEqual([
      { value: "ASSAULT", count: 5390 },
      { value: "HOMICIDE", count: 3 },
    ]);
    expect(r.columns.find((c) => c.name === "OFFENSE_ZIP")).toMatchObject({ nulls: 86 });
  });
});
