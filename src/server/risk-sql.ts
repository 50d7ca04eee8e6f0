import { quoteIdent } from "../data/Db.js";
import type { DimensionView } from "./api-types.js";
import { andWhere, dimensionExpr, measures, type SqlQuery } from "./sql.js";

/**
 * SQL of the risk views (calibration curve, top-N% flagging) and of the drill-down table. Every query returns true
 * aggregates with their cell keys (`measures`); answers.ts turns them into published counts.
 */

const SCORE = `TRY_CAST("_score" AS DOUBLE)`;

/** Bins of the calibration curve per run. */
export const CALIBRATION_BINS = 10;

/** The N of "flag the top N% of the filtered records by score" that the flagging chart answers. */
export const FLAG_PERCENTS: readonly number[] = [1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100];

/**
 * The lowest score of each tenth of the run's predicted events (records ordered by score, cut where the running sum
 * of scores passes j/10 of its total), over every scored row of the run. These are the calibration bins' edges: each
 * bin holds about the same expected number of events over the whole run, so that the high-risk tail, where most
 * events are, gets more than one bin, and the edges depend on the scores only, not on the outcomes.
 */
export function calibrationEdgesQuery(view: string): string {
  return `WITH s AS (SELECT ${SCORE} AS p FROM ${quoteIdent(view)} WHERE isfinite(${SCORE})),
    c AS (SELECT p, sum(p) OVER (ORDER BY p ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) / nullif(sum(p) OVER (), 0) AS cum FROM s)
    SELECT least(floor(cum * ${CALIBRATION_BINS}), ${CALIBRATION_BINS - 1})::INTEGER AS b, min(p)::DOUBLE AS lo FROM c WHERE cum IS NOT NULL GROUP BY 1 ORDER BY 1`;
}

/** Rounds x to two significant digits (an edge as a reader would write it). */
function twoDigits(x: number): number {
  if (x <= 0) return 0;
  const e = Math.floor(Math.log10(x));
  return Number((Math.round(x / 10 ** (e - 1)) * 10 ** (e - 1)).toPrecision(2));
}

/**
 * The calibration bins' edges from {@link calibrationEdgesQuery}'s rows: 0, the rounded lower scores of bins 1..9
 * (two significant digits, distinct, increasing), and 1. Bin i holds scores in [edges[i], edges[i+1]), the last one
 * up to 1 included.
 */
export function calibrationEdges(rows: Record<string, unknown>[]): number[] {
  const inner = rows
    .filter((r) => Number(r.b) > 0 && typeof r.lo === "number")
    .map((r) => twoDigits(r.lo as number))
    .filter((x) => x > 0 && x < 1);
  return [0, ...[...new Set(inner)].sort((a, b) => a - b), 1];
}

/** Counts, positives and score sums of the scored rows per calibration bin (`bin` 0..edges.length-2). */
export function calibrationQuery(view: string, where: SqlQuery, edges: readonly number[], target: string): SqlQuery {
  const inner = edges.slice(1, -1);
  const bin = inner.length ? inner.map(() => `(${SCORE} >= ?::DOUBLE)::INTEGER`).join(" + ") : "0";
  const w = andWhere(where, { sql: `isfinite(${SCORE})`, params: [] });
  return {
    sql: `SELECT (${bin})::INTEGER AS bin, ${measures(target, true)} FROM ${quoteIdent(view)} ${w.sql} GROUP BY 1 ORDER BY 1`,
    params: [...inner, ...w.params],
  };
}

/**
 * For each N of {@link FLAG_PERCENTS}: the records flagged when the top N% of the filtered scored rows are flagged
 * (ranked by score, highest first, ties in record order `_row`; the top ceil(N·n/100) of n), with their positives.
 * N = 100 is every scored row under the filters.
 */
export function flaggingQuery(view: string, where: SqlQuery, target: string): SqlQuery {
  const w = andWhere(where, { sql: `isfinite(${SCORE})`, params: [] });
  const pcts = FLAG_PERCENTS.map((p) => `(${p})`).join(", ");
  return {
    sql: `WITH s AS (SELECT *, row_number() OVER (ORDER BY ${SCORE} DESC, "_row" ASC) AS _rank, count(*) OVER () AS _n FROM ${quoteIdent(view)} ${w.sql})
      SELECT t.pct::INTEGER AS "key", ${measures(target, false)} FROM s JOIN (VALUES ${pcts}) t(pct) ON s._rank <= (t.pct * s._n + 99) // 100
      GROUP BY 1 ORDER BY 1`,
    params: w.params,
  };
}

/** Grouped counts by several dimensions at once (the drill-down table): one row per combination with rows (`k0`, `k1`, …). */
export function tableQuery(options: {
  view: string;
  where: SqlQuery;
  groups: readonly DimensionView[];
  target?: string;
  hasScore: boolean;
}): SqlQuery {
  const { view, where, groups, target, hasScore } = options;
  const keys = groups.map((g, i) => `${dimensionExpr(g)} AS "k${i}"`);
  return {
    sql: `SELECT ${keys.join(", ")}, ${measures(target, hasScore)} FROM ${quoteIdent(view)} ${where.sql} GROUP BY ALL`,
    params: where.params,
  };
}

/** A record table's sort: a served column, or the score. */
export interface RecordSort {
  column: string;
  desc: boolean;
}

/**
 * One page of the filtered records themselves (only where the policy allows row-level output), sorted by one column
 * (ties by `_row`).
 * @param columns the columns shown (checked by the caller against the run's own)
 */
export function recordsQuery(options: {
  view: string;
  where: SqlQuery;
  columns: readonly string[];
  sort?: RecordSort;
  offset: number;
  limit: number;
}): SqlQuery {
  const { view, where, columns, sort, offset, limit } = options;
  const order = sort ? `${quoteIdent(sort.column)} ${sort.desc ? "DESC" : "ASC"} NULLS LAST, "_row" ASC` : `"_row" ASC`;
  const cols = columns.map((c) => quoteIdent(c)).join(", ");
  return {
    sql: `SELECT ${cols} FROM ${quoteIdent(view)} ${where.sql} ORDER BY ${order} LIMIT ?::INTEGER OFFSET ?::INTEGER`,
    params: [...where.params, limit, offset],
  };
}
