import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";
import { createRng, type Rng } from "../util/random.js";
import { BALTIMORE_NEIGHBORHOODS } from "./baltimore-neighborhoods.js";
import {
  BALTIMORE_DESCRIPTIONS,
  BALTIMORE_DISTRICT_DIGIT,
  BALTIMORE_HOUR_WEIGHTS,
  BALTIMORE_PROFILES,
  BALTIMORE_ROWS_BY_YEAR,
  BALTIMORE_STREETS,
  INSIDE_PREMISES,
  OUTSIDE_PREMISES,
  VRI_NAMES,
  type VictimProfile,
} from "./baltimore-vocabulary.js";
import { createSampler, csvField, normal, type Sampler } from "./sampling.js";

/** Options of {@link generateBaltimore}. */
export interface BaltimoreOptions {
  /** Seed of the generator; the same options give identical bytes. */
  seed: number;
  /** Number of data rows (default 280,000: 2018-2023 in full and the end of 2017, 2023 the latest year). */
  rows?: number;
  /**
   * `"full"` (default): the 20-column Open Baltimore export, LF line endings. `"sample"`: the 13-column 2022 sample
   * layout with a BOM, CRLF line endings and an empty 9th header and column.
   */
  format?: "full" | "sample";
}

/** Header of the full Part 1 crime export. */
export const BALTIMORE_FULL_COLUMNS = [
  "RowID",
  "CrimeDateTime",
  "CrimeCode",
  "Location",
  "Description",
  "Inside_Outside",
  "Weapon",
  "Post",
  "Gender",
  "Age",
  "Race",
  "Ethnicity",
  "District",
  "Neighborhood",
  "Latitude",
  "Longitude",
  "GeoLocation",
  "Premise",
  "VRIName",
  "Total_Incidents",
] as const;

/** Header of the 2022 sample layout (the 9th name is empty). */
export const BALTIMORE_SAMPLE_COLUMNS = [
  "RowID",
  "CrimeDateTime",
  "Location",
  "Description",
  "Weapon",
  "Gender",
  "Age",
  "Race",
  "",
  "District",
  "Neighborhood",
  "Latitude",
  "Longitude",
] as const;

const DAY = 86_400_000;
const CHUNK_ROWS = 2000;

interface ProfileSamplers {
  race: Sampler<string>;
  weapon: Sampler<string>;
  code: Sampler<string>;
  profile: VictimProfile;
}

/** Rows per year, filling from the latest year backwards; the earliest year kept may be partial (its last days). */
function yearQuotas(rows: number): { year: number; rows: number; fromDay: number; counts: readonly number[] }[] {
  const out: { year: number; rows: number; fromDay: number; counts: readonly number[] }[] = [];
  let left = rows;
  for (let i = BALTIMORE_ROWS_BY_YEAR.length - 1; i >= 0 && left > 0; --i) {
    const [year, counts] = BALTIMORE_ROWS_BY_YEAR[i];
    const total = counts.reduce((a, b) => a + b, 0);
    const take = i === 0 ? left : Math.min(left, total);
    const days = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY;
    const fromDay = take >= total ? 0 : Math.floor(days * (1 - take / total));
    out.unshift({ year, rows: take, fromDay, counts });
    left -= take;
  }
  return out;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Generates a synthetic Baltimore Part 1 crime export (one row per victim record) as CSV text chunks, header first.
 * Years follow the real yearly totals (about 49k rows in 2023), descriptions the real yearly mix, and victim
 * Gender/Age/Race, Weapon and CrimeCode the real per-description profiles, including messy gender codes
 * (`M`/`F`/`U`, `Male`/`Female`) and blank victims for property crimes. Neighborhoods are the 278 official names,
 * with coordinates inside each one's bounding box and the district nearest to it.
 * @param options seed, rows (default 280,000), format (default "full")
 */
export function* generateBaltimore(options: BaltimoreOptions): Generator<string> {
  const { seed, rows = 280_000, format = "full" } = options;
  if (!(Number.isInteger(rows) && rows >= 0)) throw new Error(`invalid rows: ${rows} (expected an integer >= 0)`);
  const sample = format === "sample";
  const eol = sample ? "\r\n" : "\n";
  const rng = createRng(seed);
  const hour = createSampler(
    BALTIMORE_HOUR_WEIGHTS.map((w, h) => [h, w] as const),
    rng,
  );
  const neighborhood = createSampler(
    BALTIMORE_NEIGHBORHOODS.map((n) => [n, 1] as const),
    rng,
  );
  const inside = createSampler(INSIDE_PREMISES, rng);
  const outside = createSampler(OUTSIDE_PREMISES, rng);
  const vri = createSampler(VRI_NAMES, rng);
  const profiles = new Map<string, ProfileSamplers>();
  for (const d of BALTIMORE_DESCRIPTIONS) {
    const p = BALTIMORE_PROFILES[d];
    profiles.set(d, {
      profile: p,
      race: createSampler(p.race, rng),
      weapon: createSampler(p.weapon, rng),
      code: createSampler(p.code, rng),
    });
  }

  yield (sample ? "\uFEFF" : "") + (sample ? BALTIMORE_SAMPLE_COLUMNS : BALTIMORE_FULL_COLUMNS).join(",") + eol;
  let id = 0;
  let chunk: string[] = [];
  for (const quota of yearQuotas(rows)) {
    const description = createSampler(
      BALTIMORE_DESCRIPTIONS.map((d, j) => [d, quota.counts[j]] as const),
      rng,
    );
    const start = Date.UTC(quota.year, 0, 1);
    const days = (Date.UTC(quota.year + 1, 0, 1) - start) / DAY - quota.fromDay;
    for (let i = 0; i < quota.rows; ++i) {
      const d = description();
      const t = new Date(start + (quota.fromDay + rng.int(days)) * DAY);
      const when = `${t.getUTCFullYear()}/${pad2(t.getUTCMonth() + 1)}/${pad2(t.getUTCDate())} ${pad2(hour())}:${pad2(rng.int(12) * 5)}:00+00`;
      const profile = profiles.get(d);
      if (!profile) throw new Error(`no profile for description ${d}`);
      chunk.push(row(++id, when, d, profile, rng, neighborhood, sample, inside, outside, vri));
      if (chunk.length === CHUNK_ROWS) {
        yield chunk.join(eol) + eol;
        chunk = [];
      }
    }
  }
  if (chunk.length) yield chunk.join(eol) + eol;
}

function row(
  id: number,
  when: string,
  description: string,
  s: ProfileSamplers,
  rng: Rng,
  neighborhood: Sampler<(typeof BALTIMORE_NEIGHBORHOODS)[number]>,
  sample: boolean,
  inside: Sampler<string>,
  outside: Sampler<string>,
  vri: Sampler<string>,
): string {
  const p = s.profile;
  let gender = "";
  let age = "";
  let race = "";
  let ethnicity = "";
  if (rng.next() >= p.noVictim) {
    const [m, f, u] = p.gender;
    const g = rng.next() * (m + f + u);
    gender = g < m ? (p.spelledGender ? "Male" : "M") : g < m + f ? (p.spelledGender ? "Female" : "F") : "U";
    if (rng.next() >= 0.01) age = String(Math.max(0, Math.min(95, Math.round(p.age[0] + p.age[1] * normal(rng)))));
    race = s.race();
    const e = rng.next();
    ethnicity = e < 0.85 ? "NOT_HISPANIC_OR_LATINO" : e < 0.91 ? "HISPANIC_OR_LATINO" : e < 0.94 ? "UNKNOWN" : "";
  }
  const [name, lat0, lon0, dLat, dLon, district0] = neighborhood();
  const unplaced = rng.next() < 0.004;
  const district = unplaced ? "" : district0;
  const hood = unplaced ? "" : name;
  const noCoords = rng.next() < 0.0016;
  const lat = noCoords ? "" : String(Math.round((lat0 + (rng.next() - 0.5) * dLat) * 1e4) / 1e4);
  const lon = noCoords ? "" : String(Math.round((lon0 + (rng.next() - 0.5) * dLon) * 1e4) / 1e4);
  const location = `${rng.int(60) * 100} ${BALTIMORE_STREETS[rng.int(BALTIMORE_STREETS.length)]}`;
  const weapon = s.weapon();
  if (sample) {
    return [String(id), when, location, description, weapon, gender, age, race, "", district, hood, lat, lon].map(csvField).join(",");
  }
  const isInside = rng.next() < p.inside;
  const digit = BALTIMORE_DISTRICT_DIGIT[district0];
  const post = unplaced ? "" : String(digit * 100 + (1 + rng.int(4)) * 10 + 1 + rng.int(5));
  return [
    String(id),
    when,
    s.code(),
    location,
    description,
    isInside ? "I" : "O",
    weapon,
    post,
    gender,
    age,
    race,
    ethnicity,
    district,
    hood,
    lat,
    lon,
    noCoords ? "" : `(${lat},${lon})`,
    isInside ? inside() : outside(),
    vri(),
    "1",
  ]
    .map(csvField)
    .join(",");
}

/**
 * Streams {@link generateBaltimore} to a file (its folder is created if needed), respecting backpressure.
 * @param path output CSV path
 * @param options seed, rows, format
 * @returns the number of data rows written
 */
export async function writeBaltimore(path: string, options: BaltimoreOptions): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const done = once(out, "finish");
  try {
    for (const chunk of generateBaltimore(options)) {
      if (!out.write(chunk)) await once(out, "drain");
    }
  } finally {
    out.end();
  }
  await done;
  return options.rows ?? 280_000;
}
