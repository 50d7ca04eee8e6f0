import { quoteIdent } from "../data/Db.js";
import type { SqlQuery } from "../data/sql/tables.js";
import type { DateRangeView, NumericRangeView, RangeFilter, RangeView, TimeUnit } from "./api-types.js";
import { ApiError } from "./sql.js";

/**
 * Range filters and binned counts for numeric columns and the timeline. Ranges snap to cells (docs/disclosure.md):
 * a numeric range starts and ends on the column's bin edges, a date range on day edges, so that every range is a
 * union of cells, as a multi-value category filter is, and answers go through the same policy.
 */

/** At most this many bins per numeric column. */
export const MAX_BINS = 30;

/** Bins of a numeric column: `bins` of `width` from `start`. */
export interface Bins {
  start: number;
  width: number;
  bins: number;
}

/** Rounds away float noise from an edge computed as index × width (e.g. 0.30000000000000004). */
const clean = (x: number): number => Number(x.toPrecision(12));

/**
 * Bins for values in [min, max]: the smallest width of 1, 2 or 5 times a power of ten that covers them with at most
 * {@link MAX_BINS} bins, starting at a multiple of the width (so that edges read as round numbers). Integer columns
 * get widths of at least 1. Edges only reveal min and max to within one width.
 * @param integer true when every value is a whole number
 */
export function niceBins(min: number, max: number, integer: boolean): Bins {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) throw new Error(`niceBins: invalid range [${min}, ${max}]`);
  const span = max - min;
  let exp = span > 0 ? Math.floor(Math.log10(span / MAX_BINS)) - 1 : 0;
  if (integer) exp = Math.max(exp, 0);
  for (; ; ++exp) {
    for (const m of [1, 2, 5]) {
      const width = clean(m * 10 ** exp);
      if (integer && width < 1) continue;
      const first = Math.floor(min / width);
      const bins = Math.floor(max / width) - first + 1;
      if (bins <= MAX_BINS) return { start: clean(first * width), width, bins };
    }
  }
}

/** The SQL bin index (0..bins-1) of a numeric column's value; null when missing or not a number. */
export function binExpr(r: Pick<NumericRangeView, "column" | "start" | "width" | "bins">, alias?: string): string {
  const col = alias === undefined ? quoteIdent(r.column) : `${alias}.${quoteIdent(r.column)}`;
  const x = `TRY_CAST(${col} AS DOUBLE)`;
  // Edges are multiples of the width, so the index is the value over the width (no accumulated edges); the 1e-9
  // keeps a value on an edge in the bin it starts (0.15 / 0.05 is 2.9999999999999996 in binary floating point), and
  // the clamp keeps every value of the run in a bin.
  // greatest() and least() skip NULL, so missing values are kept NULL explicitly.
  return `CASE WHEN isfinite(${x}) THEN least(greatest(floor(${x} / ${sqlNumber(r.width)} + 1e-9) - ${Math.round(r.start / r.width)}, 0), ${r.bins - 1})::INTEGER END`;
}

function sqlNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  return `${x}::DOUBLE`;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds of a `YYYY-MM-DD` day at 00:00 UTC, or undefined when it is not a real day. */
export function parseDay(s: unknown): number | undefined {
  if (typeof s !== "string") return undefined;
  const m = DAY.exec(s);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === s ? t : undefined;
}

/** `YYYY-MM-DD` of a UTC time in milliseconds. */
export const formatDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

/**
 * The index of a bin edge: `(x - start) / width` when it is a whole number in 0..bins, else undefined.
 */
function edgeIndex(x: number, r: Bins): number | undefined {
  const i = (x - r.start) / r.width;
  const k = Math.round(i);
  return Math.abs(i - k) < 1e-9 && k >= 0 && k <= r.bins ? k : undefined;
}

const edgesHint = (r: Bins): string =>
  `bins of ${r.width} from ${r.start} to ${clean(r.start + r.bins * r.width)}: ${[0, 1, 2].map((i) => clean(r.start + i * r.width)).join(", ")}, …`;

/**
 * A checked range filter: a numeric column's bins `lo..hi` (inclusive bin indices), or a timeline's days as UTC
 * milliseconds `[lo, hi)`.
 */
export type CheckedRange = { view: NumericRangeView; lo: number; hi: number } | { view: DateRangeView; lo: number; hi: number };

/**
 * Range filters checked against the run's range columns: a known column, at most one range per column, min < max,
 * numbers on bin edges for numeric columns and `YYYY-MM-DD` days for the timeline.
 * @param except column left out (still checked): a chart is not filtered by its own range
 */
export function checkRanges(ranges: readonly RangeFilter[], views: ReadonlyMap<string, RangeView>, except?: string): CheckedRange[] {
  const out: CheckedRange[] = [];
  const seen = new Set<string>();
  for (const f of ranges) {
    const v = views.get(f.column);
    if (!v)
      throw new ApiError(
        400,
        `unknown range column: ${JSON.stringify(f.column)} (range filters apply to ${[...views.keys()].map((k) => JSON.stringify(k)).join(", ") || "no column of this run"})`,
      );
    if (seen.has(f.column)) throw new ApiError(400, `two ranges on ${JSON.stringify(f.column)}: give at most one range per column`);
    seen.add(f.column);
    if (v.kind === "numeric") {
      if (typeof f.min !== "number" || typeof f.max !== "number")
        throw new ApiError(400, `range on ${JSON.stringify(f.column)}: min and max must be numbers`);
      if (!(f.min < f.max))
        throw new ApiError(
          400,
          `range on ${JSON.stringify(f.column)}: min (${f.min}) must be less than max (${f.max}); ranges are [min, max)`,
        );
      const lo = edgeIndex(f.min, v);
      const hi = edgeIndex(f.max, v);
      if (lo === undefined || hi === undefined) {
        const bad = lo === undefined ? `min ${f.min}` : `max ${f.max}`;
        throw new ApiError(400, `range on ${JSON.stringify(f.column)}: ${bad} is not a bin edge (${edgesHint(v)})`);
      }
      if (f.column !== except) out.push({ view: v, lo, hi: hi - 1 });
    } else {
      const lo = parseDay(f.min);
      const hi = parseDay(f.max);
      if (lo === undefined || hi === undefined) {
        const bad = lo === undefined ? `min ${JSON.stringify(f.min)}` : `max ${JSON.stringify(f.max)}`;
        throw new ApiError(400, `range on ${JSON.stringify(f.column)}: ${bad} is not a day as YYYY-MM-DD`);
      }
      if (!(lo < hi))
        throw new ApiError(
          400,
          `range on ${JSON.stringify(f.column)}: min (${String(f.min)}) must be before max (${String(f.max)}); ranges are [min, max)`,
        );
      if (f.column !== except) out.push({ view: v, lo, hi });
    }
  }
  return out;
}

/**
 * The SQL condition of range filters (`AND`-ed; empty SQL when none), checked by {@link checkRanges}. Values are
 * bound as parameters.
 * @param except column left out (a chart is not filtered by its own range)
 */
export function rangeCondition(ranges: readonly RangeFilter[], views: ReadonlyMap<string, RangeView>, except?: string): SqlQuery {
  return rangeSql(checkRanges(ranges, views, except));
}

/** The SQL condition of checked ranges (`AND`-ed; empty SQL when none). */
export function rangeSql(checked: readonly CheckedRange[]): SqlQuery {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const r of checked) {
    if (r.view.kind === "numeric") {
      parts.push(`${binExpr(r.view)} BETWEEN ?::INTEGER AND ?::INTEGER`);
      params.push(r.lo, r.hi);
    } else {
      const ts = `TRY_CAST(${quoteIdent(r.view.column)} AS TIMESTAMP)`;
      parts.push(`${ts} >= ?::TIMESTAMP AND ${ts} < ?::TIMESTAMP`);
      params.push(formatDay(r.lo), formatDay(r.hi));
    }
  }
  return { sql: parts.map((p) => `(${p})`).join(" AND "), params };
}

/**
 * Counts per bin (numeric) or bucket (timeline) over `view`, with the measures of the grouped queries (`measures`),
 * and per cluster with `clusterColumn`. The key is the bin index or the bucket's first day; null for missing values.
 */
export function distributionQuery(options: {
  view: string;
  where: SqlQuery;
  range: RangeView;
  unit: TimeUnit;
  measures: string;
  clusterColumn?: string;
}): SqlQuery {
  const { view, where, range, unit, measures, clusterColumn } = options;
  const cluster = clusterColumn ? [`${quoteIdent(clusterColumn)} AS "cluster"`] : [];
  const groupBy = [1, ...cluster.map(() => 2)].join(", ");
  if (range.kind === "numeric") {
    return {
      sql: `SELECT ${[`${binExpr(range)} AS "key"`, ...cluster].join(", ")}, ${measures} FROM ${quoteIdent(view)} ${where.sql} GROUP BY ALL ORDER BY ${groupBy} ASC NULLS LAST`,
      params: where.params,
    };
  }
  // Grouped by the bucket's first instant, written as a day only for the few buckets: formatting every row's date
  // as text and grouping by text cost the timeline most of its time on a million rows.
  const start = `date_trunc('${unit === "month" ? "month" : "week"}', TRY_CAST(${quoteIdent(range.column)} AS TIMESTAMP))`;
  return {
    sql: `SELECT strftime("_bucket", '%Y-%m-%d') AS "key", * EXCLUDE ("_bucket") FROM (SELECT ${[`${start} AS "_bucket"`, ...cluster].join(", ")}, ${measures} FROM ${quoteIdent(view)} ${where.sql} GROUP BY ALL) ORDER BY ${groupBy} ASC NULLS LAST`,
    params: where.params,
  };
}

/** The edges of every bin of a range column's domain: numbers, or the first days of weeks or months. */
export function binEdges(range: RangeView, unit: TimeUnit): { key: number | string; start: number | string; end: number | string }[] {
  if (range.kind === "numeric") {
    return Array.from({ length: range.bins }, (_, i) => ({
      key: i,
      start: clean(range.start + i * range.width),
      end: clean(range.start + (i + 1) * range.width),
    }));
  }
  return dateBuckets(range, unit);
}

/** Weeks (from the Monday on or before `first`) or months from `first` up to `end`. */
export function dateBuckets(range: Pick<DateRangeView, "first" | "end">, unit: TimeUnit): { key: string; start: string; end: string }[] {
  const first = parseDay(range.first);
  const end = parseDay(range.end);
  if (first === undefined || end === undefined) return [];
  const out: { key: string; start: string; end: string }[] = [];
  if (unit === "month") {
    const d = new Date(first);
    for (let y = d.getUTCFullYear(), m = d.getUTCMonth(); Date.UTC(y, m, 1) < end; ++m) {
      const s = formatDay(Date.UTC(y, m, 1));
      out.push({ key: s, start: s, end: formatDay(Date.UTC(y, m + 1, 1)) });
    }
    return out;
  }
  const DAY_MS = 86_400_000;
  const monday = first - ((new Date(first).getUTCDay() + 6) % 7) * DAY_MS;
  for (let t = monday; t < end; t += 7 * DAY_MS) {
    const s = formatDay(t);
    out.push({ key: s, start: s, end: formatDay(t + 7 * DAY_MS) });
  }
  return out;
}

/** Min, max and whether all values are whole, of a numeric column (for {@link niceBins}). */
export function numericStatsQuery(view: string, column: string): string {
  const x = `TRY_CAST(${quoteIdent(column)} AS DOUBLE)`;
  return `SELECT min(${x})::DOUBLE AS lo, max(${x})::DOUBLE AS hi, bool_and(${x} = floor(${x})) AS whole FROM ${quoteIdent(view)} WHERE isfinite(${x})`;
}

/**
 * The first and last day (`YYYY-MM-DD`) of the months of a timestamp column holding more than `minCell` records
 * over the whole run, for the timeline's domain (null when no month does).
 */
export function dateStatsQuery(view: string, column: string, minCell: number): string {
  const ts = `TRY_CAST(${quoteIdent(column)} AS TIMESTAMP)`;
  const months = `SELECT date_trunc('month', ${ts}) AS m FROM ${quoteIdent(view)} WHERE ${ts} IS NOT NULL GROUP BY 1 HAVING count(*) > ${Math.max(0, Math.floor(minCell))}`;
  return `SELECT strftime(min(m), '%Y-%m-%d') AS lo, strftime(max(m), '%Y-%m-%d') AS hi FROM (${months})`;
}

/** The timeline's domain from its first and last day: the first of the first month to the first of the month after the last. */
export function dateDomain(lo: string, hi: string): { first: string; end: string } | undefined {
  const a = parseDay(lo);
  const b = parseDay(hi);
  if (a === undefined || b === undefined) return undefined;
  const da = new Date(a);
  const db = new Date(b);
  return {
    first: formatDay(Date.UTC(da.getUTCFullYear(), da.getUTCMonth(), 1)),
    end: formatDay(Date.UTC(db.getUTCFullYear(), db.getUTCMonth() + 1, 1)),
  };
}
