import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRng, permutation, type Rng } from "../util/random.js";
import { createSampler, csvField, type Sampler, type Weighted } from "./sampling.js";
import {
  BEATS_BY_DIVISION,
  CRIME_PREMISE,
  CRIME_UOR,
  HOUR_WEIGHTS,
  LMPD_DIVISION,
  NIBRS_BY_UOR,
  OFFENSE_CITY,
  OFFENSE_ZIP,
  OFFICER_ONLY_PREMISE,
  OFFICER_ONLY_UOR,
  OFFICER_PREMISE,
  OFFICER_ROWS_BY_YEAR,
  OFFICER_UOR,
  SHARED_CRIME_PREMISE,
  SHARED_CRIME_UOR,
  TYPE_OF_ACTIVITY,
  TYPE_OF_ASSIGNMENT,
} from "./lmpd-vocabulary.js";

/** Options of {@link generateLmpd}. */
export interface LmpdOptions {
  /** Seed of the generator; the same seed and scale give identical bytes. */
  seed: number;
  /** Row counts relative to the real exports (1: ~5.4k officer incidents and ~32.6k crime reports); 0 < scale <= 40 (31: about a million analysis rows). */
  scale?: number;
}

/** The two generated exports as CSV text (LF line endings, header first). */
export interface LmpdFiles {
  /** `AssaultedOfficerData.csv`. */
  officers: string;
  /** `Crime.csv`. */
  crimes: string;
}

/** Header of the assaulted-officers export (19 columns, the source's spelling `DATE_OCCURED`). */
export const LMPD_OFFICER_COLUMNS = [
  "ID",
  "INCIDENT_NUMBER",
  "DATE_REPORTED",
  "DATE_OCCURED",
  "CRIME_TYPE",
  "NIBRS_CODE",
  "UCR_HIERARCHY",
  "ATT_COMP",
  "LMPD_DIVISION",
  "LMPD_BEAT",
  "PREMISE_TYPE",
  "BLOCK_ADDRESS",
  "UOR_DESC",
  "LEOKA_APPLIES",
  "OFFICER_KILLED",
  "TYPE_OF_ASSIGNMENT",
  "TYPE_OF_ACTIVITY",
  "OFFENSE_CITY",
  "OFFENSE_ZIP",
] as const;

/** Header of the assault-type crime-report extract (5 columns). */
export const LMPD_CRIME_COLUMNS = ["INCIDENT_NUMBER", "DATE_OCCURED", "UOR_DESC", "CRIME_TYPE", "PREMISE_TYPE"] as const;

const DAY = 86_400_000;
const MINUTE = 60_000;
const OFFICER_SINCE_2019 = 954;
const OFFICER_SHARED = 793;
const CRIME_ROWS = 32_608;
/** Shared incidents whose crime-report UOR_DESC is in the officer vocabulary but the officer file codes differently. */
const UOR_RECODED = 109 / 785;
const PREMISE_RECODED = 16 / 793;
/** Crime reports by report year; 2021 runs to 13 September. */
const CRIME_REPORT_YEARS: Weighted<number> = [
  [2019, 11174],
  [2020, 12266],
  [2021, 9165],
];
const OFFICER_END = Date.UTC(2021, 8, 2);
const CRIME_END = Date.UTC(2021, 8, 14);

/**
 * Officer-specific offence codes occur only in officer incidents here (in the real extract a few dozen crime
 * reports carry them too), so that these codes predict the label perfectly: the leakage a study must flag.
 */
const OFFICER_SPECIFIC = /OFFICER/;

const STREETS = [
  "DIXIE HWY",
  "W BROADWAY",
  "S 4TH ST",
  "PRESTON HWY",
  "TAYLOR BLVD",
  "BARDSTOWN RD",
  "W MARKET ST",
  "E MARKET ST",
  "S 7TH ST",
  "W JEFFERSON ST",
  "BRECKENRIDGE LN",
  "POPLAR LEVEL RD",
  "SHELBYVILLE RD",
  "OUTER LOOP",
  "NATIONAL TPKE",
  "CANE RUN RD",
  "W MUHAMMAD ALI BLVD",
  "S 22ND ST",
  "W OAK ST",
  "GARLAND AVE",
  "ALGONQUIN PKWY",
  "BERRY BLVD",
  "HIKES LN",
  "FERN VALLEY RD",
  "GREENWOOD RD",
  "S 3RD ST",
  "W MAGNOLIA AVE",
  "E CHESTNUT ST",
  "S HANCOCK ST",
  "W KENTUCKY ST",
  "HILL ST",
  "N 28TH ST",
  "DUMESNIL ST",
  "BEECHER ST",
  "W MADISON ST",
  "S 18TH ST",
  "WESTPORT RD",
  "MANSLICK RD",
  "IROQUOIS AVE",
  "S PRESTON ST",
  "E BRECKINRIDGE ST",
  "VIRGINIA AVE",
  "GRADE LN",
  "JOHNSONTOWN RD",
];

interface OfficerIncident {
  occurred: number;
  reported: number;
  uor: string;
  premise: string;
  number: string;
}

interface CrimeReport {
  number: string;
  occurred: number | null;
  uor: string;
  premise: string;
}

/** `M/D/YYYY H:MM` as in the LMPD exports (UTC fields of `t`). */
export function formatLmpdDate(t: number): string {
  const d = new Date(t);
  const mm = String(d.getUTCMinutes()).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${d.getUTCHours()}:${mm}`;
}

function dayOfYear(t: number): number {
  const y = new Date(t).getUTCFullYear();
  return Math.floor((t - Date.UTC(y, 0, 1)) / DAY);
}

/**
 * Incident numbers `80-YY-NNNNNN`: NNNNNN grows with the day of the report year, unique across both files (above scale
 * 9 the busiest days take seven digits).
 */
function createNumberer(rng: Rng, scale: number): (reported: number) => string {
  const slotsPerDay = 300 * Math.ceil(scale);
  const used = new Set<string>();
  return (reported) => {
    const yy = String(new Date(reported).getUTCFullYear() % 100).padStart(2, "0");
    let n = dayOfYear(reported) * slotsPerDay + rng.int(slotsPerDay);
    let key = `80-${yy}-${String(n).padStart(6, "0")}`;
    while (used.has(key)) key = `80-${yy}-${String(++n).padStart(6, "0")}`;
    used.add(key);
    return key;
  };
}

/**
 * Generates synthetic LMPD exports shaped like `AssaultedOfficerData.csv` (officer incidents 2010-2021-09) and
 * `Crime.csv` (assault-type crime reports 2019-2021-09): same columns, date format, category vocabularies and
 * approximate frequencies, and the same join structure (about 83% of officer incidents since 2019 have a crime
 * report with the same INCIDENT_NUMBER). Premise and offence shift the share of reports with an assaulted officer
 * as in the real data (HIGHWAY / ROAD / ALLEY about 11%, MENACING about 30%), and officer-specific UOR_DESC
 * codes occur only in officer incidents.
 * @param options seed, and scale (default 1)
 */
export function generateLmpd(options: LmpdOptions): LmpdFiles {
  const { seed, scale = 1 } = options;
  if (!(scale > 0 && scale <= 40)) throw new Error(`invalid scale: ${scale} (expected 0 < scale <= 40)`);
  const rng = createRng(seed);
  const pick = <T>(w: Weighted<T>): Sampler<T> => createSampler(w, rng);
  const hour = pick(HOUR_WEIGHTS.map((w, h) => [h, w] as const));
  const number = createNumberer(rng, scale);
  const timeOfDay = (): number => hour() * 60 * MINUTE + rng.int(60) * MINUTE;

  const officerOnly = { uor: pick(OFFICER_ONLY_UOR), premise: pick(OFFICER_ONLY_PREMISE) };
  const shared = { uor: pick(SHARED_CRIME_UOR), premise: pick(SHARED_CRIME_PREMISE) };
  const older = { uor: pick(OFFICER_UOR), premise: pick(OFFICER_PREMISE) };
  const crimeUor = pick(CRIME_UOR.filter(([u]) => !OFFICER_SPECIFIC.test(u)));
  const crimePremise = pick(CRIME_PREMISE);

  const officers: OfficerIncident[] = [];
  const crimes: CrimeReport[] = [];
  const officerLag = (): number => {
    const u = rng.next();
    const minutes =
      u < 0.45
        ? rng.int(3)
        : u < 0.75
          ? 3 + rng.int(28)
          : u < 0.9
            ? 31 + rng.int(150)
            : u < 0.99
              ? 181 + rng.int(4100)
              : 4320 + rng.int(38_880);
    return minutes * MINUTE;
  };

  const recent: number[] = [];
  for (const [year, count] of OFFICER_ROWS_BY_YEAR) {
    const start = Date.UTC(year, 0, 1);
    const days = Math.round((Math.min(Date.UTC(year + 1, 0, 1), OFFICER_END) - start) / DAY);
    const n = Math.round(count * scale);
    for (let i = 0; i < n; ++i) {
      const occurred = start + rng.int(days) * DAY + timeOfDay();
      const reported = occurred + officerLag();
      if (year >= 2019) recent.push(officers.length);
      officers.push({ occurred, reported, uor: "", premise: "", number: number(reported) });
    }
  }
  for (const o of officers) {
    if (o.occurred < Date.UTC(2019, 0, 1)) {
      o.uor = older.uor();
      o.premise = older.premise();
    }
  }

  const nShared = Math.round(recent.length * (OFFICER_SHARED / OFFICER_SINCE_2019));
  const order = permutation(recent.length, rng);
  for (let r = 0; r < recent.length; ++r) {
    const o = officers[recent[order[r]]];
    if (r >= nShared) {
      o.uor = officerOnly.uor();
      o.premise = officerOnly.premise();
      continue;
    }
    const uor = shared.uor();
    const premise = shared.premise();
    crimes.push({ number: o.number, occurred: o.occurred, uor, premise });
    o.uor = uor in NIBRS_BY_UOR && rng.next() >= UOR_RECODED ? uor : recode(older.uor, uor);
    o.premise = rng.next() >= PREMISE_RECODED ? premise : recode(older.premise, premise);
  }

  const reportYear = pick(CRIME_REPORT_YEARS);
  const nCrimes = Math.round(CRIME_ROWS * scale) - nShared;
  for (let i = 0; i < nCrimes; ++i) {
    const year = reportYear();
    const start = Date.UTC(year, 0, 1);
    const days = Math.round((Math.min(Date.UTC(year + 1, 0, 1), CRIME_END) - start) / DAY);
    const reported = start + rng.int(days) * DAY + timeOfDay();
    const u = rng.next();
    const lag =
      u < 0.6
        ? rng.int(60) * MINUTE
        : u < 0.9
          ? rng.int(72 * 60) * MINUTE
          : u < 0.997
            ? rng.int(60) * DAY
            : (365 + rng.int(15 * 365)) * DAY;
    const occurred = rng.next() < 1 / CRIME_ROWS ? null : reported - lag;
    crimes.push({ number: number(reported), occurred, uor: crimeUor(), premise: crimePremise() });
  }

  officers.sort((a, b) => a.occurred - b.occurred);
  return { officers: officerCsv(officers, rng, pick), crimes: crimeCsv(crimes, rng) };
}

function recode(sample: Sampler<string>, not: string): string {
  for (;;) {
    const v = sample();
    if (v !== not) return v;
  }
}

function officerCsv(officers: OfficerIncident[], rng: Rng, pick: <T>(w: Weighted<T>) => Sampler<T>): string {
  const division = pick(LMPD_DIVISION);
  const assignment = pick(TYPE_OF_ASSIGNMENT);
  const activity = pick(TYPE_OF_ACTIVITY);
  const city = pick(OFFENSE_CITY);
  const zip = pick(OFFENSE_ZIP);
  const street = (): string => STREETS[rng.int(STREETS.length)];
  const lines = [LMPD_OFFICER_COLUMNS.join(",")];
  let id = 0;
  for (const o of officers) {
    id += 1 + rng.int(3);
    const nibrs = NIBRS_BY_UOR[o.uor] ?? "13C";
    const div = division();
    const beats = BEATS_BY_DIVISION[div];
    const beat = rng.next() < 0.005 ? "" : beats[rng.int(beats.length)];
    const u = rng.next();
    const attComp = u < 0.0019 ? "" : u < 0.0025 ? "ATTEMPTED" : "COMPLETED";
    const address = rng.next() < 0.65 ? `${(1 + rng.int(99)) * 100} BLOCK ${street()}` : `${street()} / ${street()}`;
    const row = [
      String(id),
      o.number,
      formatLmpdDate(o.reported),
      formatLmpdDate(o.occurred),
      nibrs === "09A" ? "HOMICIDE" : "ASSAULT",
      nibrs,
      nibrs === "13A" || nibrs === "09A" ? "PART I" : "PART II",
      attComp,
      div,
      beat,
      o.premise,
      address.padEnd(60),
      o.uor,
      rng.next() < 0.0032 ? "NO" : "YES",
      o.uor === "MURDER POLICE OFFICER" ? "YES" : "NO",
      assignment(),
      activity(),
      city(),
      zip(),
    ];
    lines.push(row.map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}

function crimeCsv(crimes: CrimeReport[], rng: Rng): string {
  const order = permutation(crimes.length, rng);
  const lines = [LMPD_CRIME_COLUMNS.join(",")];
  for (let i = 0; i < crimes.length; ++i) {
    const c = crimes[order[i]];
    const date = c.occurred === null ? "" : formatLmpdDate(c.occurred);
    lines.push([c.number, date, c.uor, "ASSAULT", c.premise].map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}

/**
 * Writes `AssaultedOfficerData.csv` and `Crime.csv` from {@link generateLmpd} into `dir` (created if needed).
 * @param dir output folder
 * @param options seed and scale
 * @returns the two file paths
 */
export async function writeLmpd(dir: string, options: LmpdOptions): Promise<{ officers: string; crimes: string }> {
  const files = generateLmpd(options);
  await mkdir(dir, { recursive: true });
  const officers = join(dir, "AssaultedOfficerData.csv");
  const crimes = join(dir, "Crime.csv");
  await writeFile(officers, files.officers);
  await writeFile(crimes, files.crimes);
  return { officers, crimes };
}
