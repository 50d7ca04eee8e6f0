import { KEY_RANGE, perturbCount } from "./perturb.js";
import type { DisclosurePolicy } from "./policy.js";

/**
 * The gridded point map, shared by the dashboard (`POST /points`) and the report: located records counted on a square
 * grid of `grid_m` metres, each square published through {@link perturbCount} with its cell key, as every dashboard
 * count is. Squares whose count is hidden (at most min_cell records, or none) are left out, never drawn as empty.
 */

/** A square grid over lon/lat: cell sizes in degrees (equal metres at the grid's reference latitude). */
export interface PointGrid {
  grid_m: number;
  dLat: number;
  dLon: number;
}

/** Metres per degree of latitude (WGS84 mean). */
const METRES_PER_DEGREE = 111_320;

/**
 * The grid of a run: `grid_m` metres in latitude, and in longitude at the run's reference latitude (the mean latitude
 * of its located records rounded to 0.1°, so that the grid does not move with a record more or less).
 * @param meanLatitude mean latitude of the located records (null or undefined when none: the equator)
 */
export function pointGrid(gridM: number, meanLatitude: number | null | undefined): PointGrid {
  const ref = typeof meanLatitude === "number" && Number.isFinite(meanLatitude) ? Math.round(meanLatitude * 10) / 10 : 0;
  const dLat = gridM / METRES_PER_DEGREE;
  return { grid_m: gridM, dLat, dLon: dLat / Math.max(0.05, Math.cos((ref * Math.PI) / 180)) };
}

/** The true count of one grid square and its cell key (sum of record keys mod 256), indices `gy`, `gx`. */
export interface RawGridCell {
  gy: number;
  gx: number;
  count: number;
  ck: number;
}

/** One published square: its indices, centre (5 decimals) and published count (above the floor). */
export interface PublishedGridCell {
  gy: number;
  gx: number;
  lat: number;
  lon: number;
  count: number;
}

function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

/**
 * The squares with a published count, in the order given, and the published total of the located records (null when
 * hidden). Squares whose count is hidden or zero are left out.
 */
export function publishGridCells(
  raw: readonly RawGridCell[],
  grid: Pick<PointGrid, "dLat" | "dLon">,
  policy: Pick<DisclosurePolicy, "min_cell" | "dashboard">,
): { total: number | null; cells: PublishedGridCell[] } {
  let n = 0;
  let ck = 0;
  const cells: PublishedGridCell[] = [];
  for (const r of raw) {
    n += r.count;
    ck = (ck + r.ck) % KEY_RANGE;
    const count = perturbCount(r.count, r.ck, policy);
    if (count === null || count === 0) continue;
    cells.push({ gy: r.gy, gx: r.gx, lat: round5((r.gy + 0.5) * grid.dLat), lon: round5((r.gx + 0.5) * grid.dLon), count });
  }
  return { total: perturbCount(n, ck, policy), cells };
}

/** Reads a SQL row of the grid query (`gy`, `gx`, `count`, `ck`). */
export function readGridRow(r: Record<string, unknown>): RawGridCell {
  return { gy: Number(r.gy), gx: Number(r.gx), count: Number(r.count), ck: Number(r.ck) };
}
