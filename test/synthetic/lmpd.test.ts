import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { LMPD_CRIME_COLUMNS, LMPD_OFFICER_COLUMNS, formatLmpdDate, generateLmpd, writeLmpd } from "../../src/synthetic/lmpd.js";

/** Minimal RFC 4180 line split (no embedded line breaks in these files). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; ++i) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        ++i;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function table(csv: string): { header: string[]; rows: Record<string, string>[] } {
  const lines = csv.split("\n");
  expect(lines.pop()).toBe("");
  const header = fields(lines[0]);
  const rows = lines.slice(1).map((l) => {
    const f = fields(l);
    expect(f.length).toBe(header.length);
    return Object.fromEntries(header.map((h, j) => [h, f[j]]));
  });
  return { header, rows };
}

const files = generateLmpd({ seed: 7 });
const officers = table(files.officers);
const crimes = table(files.crimes);
const year = (d: string): number => Number(d.split(" ")[0].split("/")[2]);
const recent = officers.rows.filter((r) => year(r.DATE_OCCURED) >= 2019);
const crimeNumbers = new Set(crimes.rows.map((r) => r.INCIDENT_NUMBER));

/** The labelled table of the reference analysis: full outer join, crime-report values first. */
function joined(): { uor: string; premise: string; y: number }[] {
  const byNumber = new Map(recent.map((r) => [r.INCIDENT_NUMBER, r]));
  const out = crimes.rows.map((c) => ({ uor: c.UOR_DESC, premise: c.PREMISE_TYPE, y: byNumber.has(c.INCIDENT_NUMBER) ? 1 : 0 }));
  for (const r of recent) if (!crimeNumbers.has(r.INCIDENT_NUMBER)) out.push({ uor: r.UOR_DESC, premise: r.PREMISE_TYPE, y: 1 });
  return out;
}

function rate(rows: { y: number }[]): number {
  return rows.reduce((s, r) => s + r.y, 0) / rows.length;
}

describe("generateLmpd({ seed })", () => {
  it("is deterministic: the same seed gives identical bytes, another seed different ones", () => {
    const again = generateLmpd({ seed: 7 });
    expect(again.officers).toBe(files.officers);
    expect(again.crimes).toBe(files.crimes);
    expect(generateLmpd({ seed: 8 }).crimes).not.toBe(files.crimes);
  });

  it("writes the real headers and about the real row counts at scale 1", () => {
    expect(officers.header).toEqual([...LMPD_OFFICER_COLUMNS]);
    expect(officers.header).toHaveLength(19);
    expect(crimes.header).toEqual([...LMPD_CRIME_COLUMNS]);
    expect(officers.rows.length).toBeGreaterThan(5300);
    expect(officers.rows.length).toBeLessThan(5500);
    expect(crimes.rows.length).toBeGreaterThan(32_000);
    expect(crimes.rows.length).toBeLessThan(33_200);
    expect(recent.length).toBe(954);
  });

  it("scales row counts", () => {
    const half = generateLmpd({ seed: 7, scale: 0.5 });
    const n = half.crimes.split("\n").length - 2;
    expect(n).toBeGreaterThan(16_000);
    expect(n).toBeLessThan(16_600);
    expect(() => generateLmpd({ seed: 1, scale: 0 })).toThrow(/invalid scale/);
    expect(() => generateLmpd({ seed: 1, scale: 41 })).toThrow(/invalid scale/);
  });

  it("formats dates M/D/YYYY H:MM over 2010-2021 and pads BLOCK_ADDRESS to 60 characters", () => {
    const date = /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}$/;
    for (const r of officers.rows) {
      expect(r.DATE_OCCURED).toMatch(date);
      expect(r.DATE_REPORTED).toMatch(date);
      expect(r.BLOCK_ADDRESS).toHaveLength(60);
    }
    const years = officers.rows.map((r) => year(r.DATE_OCCURED));
    expect(Math.min(...years)).toBe(2010);
    expect(Math.max(...years)).toBe(2021);
    expect(formatLmpdDate(Date.UTC(2010, 0, 7, 19, 3))).toBe("1/7/2010 19:03");
    const crimeYears = crimes.rows.filter((r) => r.DATE_OCCURED).map((r) => year(r.DATE_OCCURED));
    expect(crimeYears.filter((y) => y >= 2019).length / crimeYears.length).toBeGreaterThan(0.98);
  });

  it("keeps INCIDENT_NUMBER unique in each file and shaped 80-YY-NNNNNN", () => {
    for (const t of [officers, crimes]) {
      const numbers = t.rows.map((r) => r.INCIDENT_NUMBER);
      expect(new Set(numbers).size).toBe(numbers.length);
      for (const n of numbers) expect(n).toMatch(/^80-\d{2}-\d{6}$/);
    }
  });

  it("links about 83% of officer incidents since 2019 to a crime report, and no older one", () => {
    const shared = recent.filter((r) => crimeNumbers.has(r.INCIDENT_NUMBER)).length / recent.length;
    expect(shared).toBeGreaterThan(0.8);
    expect(shared).toBeLessThan(0.86);
    const older = officers.rows.filter((r) => year(r.DATE_OCCURED) < 2019);
    expect(older.some((r) => crimeNumbers.has(r.INCIDENT_NUMBER))).toBe(false);
  });

  it("plants the premise and offence signal: HIGHWAY / ROAD / ALLEY about 11%, MENACING about 30%", () => {
    const rows = joined();
    expect(rows.length).toBe(crimes.rows.length + recent.filter((r) => !crimeNumbers.has(r.INCIDENT_NUMBER)).length);
    expect(rate(rows)).toBeGreaterThan(0.025);
    expect(rate(rows)).toBeLessThan(0.035);
    const highway = rate(rows.filter((r) => r.premise === "HIGHWAY / ROAD / ALLEY"));
    expect(highway).toBeGreaterThan(0.09);
    expect(highway).toBeLessThan(0.14);
    const menacing = rate(rows.filter((r) => r.uor === "MENACING"));
    expect(menacing).toBeGreaterThan(0.25);
    expect(menacing).toBeLessThan(0.37);
    expect(rate(rows.filter((r) => r.premise === "RESIDENCE / HOME"))).toBeLessThan(0.02);
  });

  it("gives officer-specific offence codes only to officer incidents (label leakage)", () => {
    const rows = joined();
    const leaky = rows.filter((r) => r.uor === "ASSAULT-3RD DEGREE-POLICE/PROBATION OFFICER-IDENTIFY WEAPON");
    expect(leaky.length).toBeGreaterThan(100);
    expect(rate(leaky)).toBe(1);
    const recentNumbers = new Set(recent.map((r) => r.INCIDENT_NUMBER));
    const officerCoded = crimes.rows.filter((r) => /OFFICER/.test(r.UOR_DESC));
    expect(officerCoded.length).toBeGreaterThan(100);
    expect(officerCoded.every((r) => recentNumbers.has(r.INCIDENT_NUMBER))).toBe(true);
    expect(rows.filter((r) => /OFFICER/.test(r.uor) && r.y === 0)).toHaveLength(0);
  });

  it("leaves a few PREMISE_TYPE values blank and keeps the CRIME_TYPE / NIBRS coding consistent", () => {
    const blank = crimes.rows.filter((r) => r.PREMISE_TYPE === "").length + officers.rows.filter((r) => r.PREMISE_TYPE === "").length;
    expect(blank).toBeGreaterThan(2);
    expect(blank).toBeLessThan(60);
    for (const r of officers.rows) {
      expect(r.CRIME_TYPE).toBe(r.NIBRS_CODE === "09A" ? "HOMICIDE" : "ASSAULT");
      expect(r.UCR_HIERARCHY).toBe(r.NIBRS_CODE === "13A" || r.NIBRS_CODE === "09A" ? "PART I" : "PART II");
    }
    expect(new Set(crimes.rows.map((r) => r.CRIME_TYPE))).toEqual(new Set(["ASSAULT"]));
  });
});

describe("writeLmpd(dir)", () => {
  let dir = "";
  let db: Db;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "openbeat-lmpd-"));
    await writeLmpd(dir, { seed: 7, scale: 0.2 });
    db = await Db.open();
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes both files, parsed by DuckDB read_csv with the export's timestamp format", async () => {
    const officers = await readFile(join(dir, "AssaultedOfficerData.csv"), "utf8");
    expect(officers).toBe(generateLmpd({ seed: 7, scale: 0.2 }).officers);
    for (const file of ["AssaultedOfficerData.csv", "Crime.csv"]) {
      const path = join(dir, file).replaceAll("'", "''");
      const [r] = await db.query(
        `SELECT count(*)::INTEGER n, count(DATE_OCCURED)::INTEGER dated, min(year(DATE_OCCURED))::INTEGER lo,
                max(year(DATE_OCCURED))::INTEGER hi, any_value(typeof(DATE_OCCURED)) t
         FROM read_csv('${path}', timestampformat = '%m/%d/%Y %H:%M')`,
      );
      expect(r.t).toBe("TIMESTAMP");
      expect(Number(r.dated)).toBeGreaterThanOrEqual(Number(r.n) - 1);
      expect(Number(r.hi)).toBe(2021);
      expect(Number(r.lo)).toBeLessThanOrEqual(2019);
    }
  });
});

const REAL = "../shared/data/lmpd-assaulted-officers";
const hasReal = existsSync(join(REAL, "Crime.csv"));

describe.skipIf(!hasReal && !process.env.CI)("generateLmpd against the real exports", () => {
  it("uses the real headers and only category values that occur in the real files, typed alike by DuckDB", async () => {
    const db = await Db.open();
    const dir = await mkdtemp(join(tmpdir(), "openbeat-lmpd-"));
    try {
      await writeLmpd(dir, { seed: 3, scale: 0.3 });
      for (const file of ["AssaultedOfficerData.csv", "Crime.csv"]) {
        const synthetic = join(dir, file).replaceAll("'", "''");
        const real = join(REAL, file);
        const describeCsv = (p: string) => db.query(`DESCRIBE SELECT * FROM read_csv('${p}', timestampformat = '%m/%d/%Y %H:%M')`);
        const types = (rows: Record<string, unknown>[]) =>
          (rows as { column_name: string; column_type: string }[]).map((r) => `${r.column_name}:${r.column_type}`);
        expect(types(await describeCsv(synthetic))).toEqual(types(await describeCsv(real)));
        for (const column of ["PREMISE_TYPE", "UOR_DESC"]) {
          const extra = await db.query(
            `SELECT DISTINCT ${column} v FROM read_csv('${synthetic}', all_varchar = true)
             EXCEPT SELECT DISTINCT ${column} FROM read_csv('${real}', all_varchar = true)`,
          );
          expect(extra.map((r) => r.v)).toEqual([]);
        }
      }
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
