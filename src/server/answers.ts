import { KEY_RANGE, perturbCount, perturbs } from "../disclosure/perturb.js";
import { publishGridCells, readGridRow } from "../disclosure/points.js";
import type { DisclosurePolicy } from "../disclosure/policy.js";
import type {
  CalibrationBin,
  DistributionBin,
  FilterValue,
  FlaggingPoint,
  GridCell,
  HistogramBin,
  QueryRow,
  TableRow,
} from "./api-types.js";
import type { Grid } from "./sql.js";

/**
 * Turns raw SQL aggregates into API answers through the disclosure policy. A raw cell carries its true count and
 * cell key (and the positives' count and key, and score sums); only {@link perturbCount} of them, rates and shares
 * that {@link largeEnough} allows, and rounded means ever leave this module.
 */

/** True aggregates of one set of records, as the SQL measures return them. */
export interface RawCell {
  n: number;
  /** Sum of record keys mod 256. */
  ck: number;
  positives?: number;
  ckPositives?: number;
  scoreSum?: number;
  scoreN?: number;
}

/** What a run's cells carry. */
export interface CellShape {
  target: boolean;
  score: boolean;
}

const EMPTY: RawCell = { n: 0, ck: 0 };

/** Reads the measures of one SQL row (see `measures` in sql.ts). */
export function readCell(r: Record<string, unknown>): RawCell {
  const cell: RawCell = { n: Number(r.count), ck: Number(r.ck) };
  if (r.positives !== undefined) {
    cell.positives = Number(r.positives);
    cell.ckPositives = Number(r.ck_pos);
  }
  if (r.score_n !== undefined) {
    cell.scoreSum = r.score_sum === null ? 0 : Number(r.score_sum);
    cell.scoreN = Number(r.score_n);
  }
  return cell;
}

/** The aggregates of the union of two disjoint sets: counts and sums add, cell keys add mod 256. */
export function addCells(a: RawCell, b: RawCell): RawCell {
  const out: RawCell = { n: a.n + b.n, ck: (a.ck + b.ck) % KEY_RANGE };
  if (a.positives !== undefined || b.positives !== undefined) {
    out.positives = (a.positives ?? 0) + (b.positives ?? 0);
    out.ckPositives = ((a.ckPositives ?? 0) + (b.ckPositives ?? 0)) % KEY_RANGE;
  }
  if (a.scoreN !== undefined || b.scoreN !== undefined) {
    out.scoreSum = (a.scoreSum ?? 0) + (b.scoreSum ?? 0);
    out.scoreN = (a.scoreN ?? 0) + (b.scoreN ?? 0);
  }
  return out;
}

/**
 * True when a count is large enough for a rate, a share or a mean to use it: above min_cell when the dashboard
 * perturbs (the smallest shown count), at least min_cell otherwise; never zero.
 */
export function largeEnough(n: number, policy: DisclosurePolicy): boolean {
  const m = perturbs(policy) ? policy.min_cell + 1 : Math.max(policy.min_cell, 1);
  return n >= m;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * One answered group: its published count, and with a target its published positives and the rate (from the
 * published counts, and only when positives and negatives are both large enough), and with scores the mean score
 * (rounded to 0.001, only when the scored rows are large enough).
 */
export function publishRow(key: FilterValue, cell: RawCell, shape: CellShape, policy: DisclosurePolicy): QueryRow {
  const count = perturbCount(cell.n, cell.ck, policy);
  const row: QueryRow = { key, count };
  if (shape.target) {
    const pos = cell.positives ?? 0;
    const positives = perturbCount(pos, cell.ckPositives ?? 0, policy);
    row.positives = positives;
    row.rate =
      largeEnough(pos, policy) && largeEnough(cell.n - pos, policy) && positives !== null && count ? round(positives / count, 4) : null;
  }
  if (shape.score) {
    const scored = cell.scoreN ?? 0;
    row.mean_score = count !== null && largeEnough(scored, policy) ? round((cell.scoreSum ?? 0) / scored, 3) : null;
  }
  return row;
}

/** A map key for a group value that keeps null apart from the string "null". */
function valueKey(v: unknown): string {
  if (v === null || v === undefined) return "\u0000null";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

/**
 * The answer of a grouped query: one row per value of the group's domain (the dimension's values over the whole
 * run), so that which values have records under the filters is never shown apart from the counts. With
 * `clusters`, each row also holds the published count of every cluster and the allowed cluster shares.
 * @param raw SQL rows with `key` (and `cluster`) and the measures
 * @param domain the group's values
 * @param clusters cluster ids, when the answer is split by cluster
 */
export function groupedRows(
  raw: Record<string, unknown>[],
  domain: readonly FilterValue[],
  shape: CellShape,
  policy: DisclosurePolicy,
  clusters?: readonly FilterValue[],
): QueryRow[] {
  const totals = new Map<string, RawCell>();
  const parts = new Map<string, Map<string, RawCell>>();
  for (const r of raw) {
    const k = valueKey(r.key);
    const cell = readCell(r);
    totals.set(k, addCells(totals.get(k) ?? EMPTY, cell));
    if (clusters) {
      let m = parts.get(k);
      if (!m) parts.set(k, (m = new Map<string, RawCell>()));
      m.set(valueKey(r.cluster), cell);
    }
  }
  return domain.map((value) => {
    const k = valueKey(value);
    const total = totals.get(k) ?? EMPTY;
    const row = publishRow(value, total, shape, policy);
    if (clusters) {
      const counts: Record<string, number | null> = {};
      const shares: Record<string, number | null> = {};
      const m = parts.get(k);
      for (const c of clusters) {
        const cell = m?.get(valueKey(c)) ?? EMPTY;
        const published = perturbCount(cell.n, cell.ck, policy);
        counts[String(c)] = published;
        const ok = largeEnough(cell.n, policy) && largeEnough(total.n - cell.n, policy) && published !== null && row.count;
        shares[String(c)] = ok ? round(published / (row.count ?? 1), 4) : null;
      }
      row.clusters = counts;
      row.cluster_shares = shares;
    }
    return row;
  });
}

/**
 * Published rows ordered for a category chart: shown counts first, most first (ties by value), then hidden rows in
 * domain order (their true sizes never order anything).
 */
export function orderByCount(rows: QueryRow[]): QueryRow[] {
  const shown = rows.filter((r) => r.count !== null);
  const hidden = rows.filter((r) => r.count === null);
  shown.sort((a, b) => (b.count ?? 0) - (a.count ?? 0) || compareKeys(a.key, b.key));
  return [...shown, ...hidden];
}

function compareKeys(a: FilterValue, b: FilterValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return String(a) < String(b) ? -1 : 1;
}

/** Histogram bins 0..bins-1 over [0, 1], each with published counts of records, positives and negatives. */
export function histogramBins(raw: Record<string, unknown>[], bins: number, target: boolean, policy: DisclosurePolicy): HistogramBin[] {
  const found = new Map(raw.map((r) => [Number(r.bin), readCell(r)]));
  const out: HistogramBin[] = [];
  for (let b = 0; b < bins; ++b) {
    const cell = found.get(b) ?? EMPTY;
    const bin: HistogramBin = { start: b / bins, end: (b + 1) / bins, count: perturbCount(cell.n, cell.ck, policy) };
    if (target) {
      const pos = cell.positives ?? 0;
      const ckPos = cell.ckPositives ?? 0;
      bin.positives = perturbCount(pos, ckPos, policy);
      bin.negatives = perturbCount(cell.n - pos, (cell.ck - ckPos + KEY_RANGE) % KEY_RANGE, policy);
    }
    out.push(bin);
  }
  return out;
}

/**
 * Grid squares with a shown count, at their centres (5 decimals); squares with few or no records are left out.
 * Also the published total of the located rows (disclosure/points.ts, shared with the report's map).
 */
export function gridCells(
  raw: Record<string, unknown>[],
  grid: Grid,
  policy: DisclosurePolicy,
): { total: number | null; cells: GridCell[] } {
  const { total, cells } = publishGridCells(raw.map(readGridRow), grid, policy);
  return { total, cells: cells.map((c) => ({ lat: c.lat, lon: c.lon, count: c.count })) };
}

/**
 * The bins of a distribution answer: every bin of the domain in order, each with the published counts of
 * {@link groupedRows} (hidden bins are null, never zero), the rows with a missing value apart, and the rows whose
 * value falls outside the drawn bins (a timeline's thin tails) as one more cell.
 * @param edges the domain's bins, keyed as the SQL's `key` (bin index or bucket day)
 */
export function distributionBins(
  raw: Record<string, unknown>[],
  edges: readonly { key: number | string; start: number | string; end: number | string }[],
  shape: CellShape,
  policy: DisclosurePolicy,
  clusters?: readonly FilterValue[],
): { bins: DistributionBin[]; missing: QueryRow; outside: QueryRow } {
  const rows = groupedRows(raw, [...edges.map((e) => e.key), null], shape, policy, clusters);
  const missing = rows.pop() as QueryRow;
  const inDomain = new Set(edges.map((e) => valueKey(e.key)));
  let outside: RawCell = EMPTY;
  for (const r of raw)
    if (r.key !== null && r.key !== undefined && !inDomain.has(valueKey(r.key))) outside = addCells(outside, readCell(r));
  return {
    bins: rows.map((r, i) => ({ ...r, key: edges[i].start, start: edges[i].start, end: edges[i].end })),
    missing,
    outside: publishRow(null, outside, shape, policy),
  };
}

/** A share a/b of two published counts, allowed when the true part and the true rest are both large enough. */
function shareOf(
  part: RawCell | undefined,
  whole: RawCell,
  partPublished: number | null,
  wholePublished: number | null,
  policy: DisclosurePolicy,
) {
  const n = part?.n ?? 0;
  if (!largeEnough(n, policy) || !largeEnough(whole.n - n, policy) || partPublished === null || !wholePublished) return null;
  return round(partPublished / wholePublished, 4);
}

/**
 * The calibration curve's bins: every bin of `edges` with the published records and positives, the observed rate
 * (positives and negatives both large enough) and the mean predicted score (the bin large enough), as
 * {@link publishRow} answers them; and the scored records' total.
 */
export function calibrationBins(
  raw: Record<string, unknown>[],
  edges: readonly number[],
  policy: DisclosurePolicy,
): { bins: CalibrationBin[]; total: QueryRow } {
  const shape = { target: true, score: true };
  const found = new Map(raw.map((r) => [Number(r.bin), readCell(r)]));
  let all: RawCell = EMPTY;
  for (const c of found.values()) all = addCells(all, c);
  const bins = edges.slice(0, -1).map((start, i) => ({
    ...publishRow(null, found.get(i) ?? EMPTY, shape, policy),
    key: start,
    start,
    end: edges[i + 1],
  }));
  return { bins, total: publishRow(null, all, shape, policy) };
}

/**
 * The flagging chart's points from the rows of `flaggingQuery` (key = N): published flagged records and positives,
 * the share of the scored records' positives captured and the precision, each from published counts only and null
 * unless the true counts on both sides are large enough (at N = 100 every positive is captured by definition).
 */
export function flaggingPoints(
  raw: Record<string, unknown>[],
  percents: readonly number[],
  policy: DisclosurePolicy,
): { points: FlaggingPoint[]; total: QueryRow } {
  const found = new Map(raw.map((r) => [Number(r.key), readCell(r)]));
  const all = found.get(100) ?? EMPTY;
  const total = publishRow(null, all, { target: true, score: false }, policy);
  const allPos: RawCell = { n: all.positives ?? 0, ck: all.ckPositives ?? 0 };
  const points = percents.map((percent) => {
    const cell = found.get(percent) ?? EMPTY;
    const flagged = perturbCount(cell.n, cell.ck, policy);
    const pos: RawCell = { n: cell.positives ?? 0, ck: cell.ckPositives ?? 0 };
    const positives = perturbCount(pos.n, pos.ck, policy);
    const captured =
      percent === 100
        ? positives && largeEnough(pos.n, policy)
          ? 1
          : null
        : shareOf(pos, allPos, positives, total.positives ?? null, policy);
    const precision = shareOf(pos, cell, positives, flagged, policy);
    return { percent, flagged, positives, captured, precision };
  });
  return { points, total };
}

/**
 * The drill-down table's rows: every combination of the groups' domains (in domain order), each published as
 * {@link groupedRows} publishes a group.
 * @param raw rows of `tableQuery` (`k0`, `k1`, … and the measures)
 */
export function tableRows(
  raw: Record<string, unknown>[],
  domains: readonly (readonly FilterValue[])[],
  shape: CellShape,
  policy: DisclosurePolicy,
): TableRow[] {
  let combos: FilterValue[][] = [[]];
  for (const d of domains) combos = combos.flatMap((c) => d.map((v) => [...c, v]));
  const keyed = raw.map((r) => ({ ...r, key: JSON.stringify(domains.map((_, i) => valueKey(r[`k${i}`]))) }));
  const rows = groupedRows(
    keyed,
    combos.map((c) => JSON.stringify(c.map(valueKey))),
    shape,
    policy,
  );
  return rows.map((row, i) => ({ ...row, key: null, keys: combos[i] }));
}
