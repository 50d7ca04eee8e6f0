import { quoteIdent } from "../data/Db.js";
import { KEY_RANGE } from "../disclosure/perturb.js";
import type { DimensionView } from "./api-types.js";
import { andWhere, dimensionExpr, measures, RECORD_KEY, type SqlQuery } from "./sql.js";

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

/**
 * Columns a scored risk run's table gets once, when the server reads it (load-runs.ts), so that no answer sorts or
 * bins the run's scores again: each scored row's rank by score over the whole run, and its calibration bin.
 */
export const SCORE_RANK = "_srank";
export const CALIBRATION_BIN = "_cbin";

/**
 * Each finite-scored row's rank in the whole run, 1 for the highest score, ties in record order (`_row`); NULL for
 * rows without a finite score. Any subset of the rows in rank order is the subset ordered by score (highest first,
 * ties by `_row`), which is the order of the flagging chart.
 */
export function scoreRankSql(): string {
  return `CASE WHEN isfinite(${SCORE}) THEN row_number() OVER (ORDER BY coalesce(isfinite(${SCORE}), false) DESC, ${SCORE} DESC, "_row" ASC) END`;
}

/** Each finite-scored row's calibration bin (0..edges.length-2), as `UPDATE … SET _cbin = …` with the inner edges bound. */
export function calibrationBinSql(view: string, edges: readonly number[]): SqlQuery {
  const inner = edges.slice(1, -1);
  const bin = inner.length ? inner.map(() => `(${SCORE} >= ?::DOUBLE)::INTEGER`).join(" + ") : "0";
  return {
    sql: `UPDATE ${quoteIdent(view)} SET ${quoteIdent(CALIBRATION_BIN)} = CASE WHEN isfinite(${SCORE}) THEN (${bin})::INTEGER END`,
    params: [...inner],
  };
}

/** Counts, positives and score sums of the scored rows per calibration bin (`bin`), from the run's `_cbin` column. */
export function calibrationBinsQuery(view: string, where: SqlQuery, target: string): SqlQuery {
  const w = andWhere(where, { sql: `${quoteIdent(CALIBRATION_BIN)} IS NOT NULL`, params: [] });
  return {
    sql: `SELECT ${quoteIdent(CALIBRATION_BIN)} AS bin, ${measures(target, true)} FROM ${quoteIdent(view)} ${w.sql} GROUP BY 1 ORDER BY 1`,
    params: w.params,
  };
}

/**
 * The flagging chart in three steps, each a scan of the filtered rows without a sort: {@link flaggingCountQuery}
 * gives n, the filtered scored rows; the top N% are the ceil(N·n/100) of them with the smallest run ranks
 * (`_srank`), so {@link flaggingCutsQuery} finds each cut's rank (the k-th smallest rank of the filtered rows), and
 * {@link flaggingBandsQuery} counts the rows between consecutive cuts; {@link flaggingRows} adds the bands up. The
 * answer is the records flagged when the top N% of the filtered scored rows are flagged (ranked by score, highest
 * first, ties in record order `_row`), with their positives, for each N of {@link FLAG_PERCENTS}; N = 100 is every
 * scored row under the filters.
 */
export function flaggingCountQuery(view: string, where: SqlQuery): SqlQuery {
  const w = andWhere(where, { sql: `${quoteIdent(SCORE_RANK)} IS NOT NULL`, params: [] });
  return { sql: `SELECT count(*)::BIGINT AS n FROM ${quoteIdent(view)} ${w.sql}`, params: w.params };
}

/** How many of `n` rows the top N% are, for each N of {@link FLAG_PERCENTS}: ceil(N·n/100), in whole numbers. */
export function flaggedCounts(n: number): number[] {
  return FLAG_PERCENTS.map((p) => Math.floor((p * n + 99) / 100));
}

/**
 * The k-th smallest `_srank` of the filtered rows for each k of `counts` (1 ≤ k ≤ n), as the list `cuts`.
 * `quantile_disc(x, q)` is the ceil(q·n)-th smallest value; q = (k - ½)/n makes that k without rounding doubt.
 */
export function flaggingCutsQuery(view: string, where: SqlQuery, n: number, counts: readonly number[]): SqlQuery {
  const w = andWhere(where, { sql: `${quoteIdent(SCORE_RANK)} IS NOT NULL`, params: [] });
  return {
    sql: `SELECT quantile_disc(${quoteIdent(SCORE_RANK)}, [${counts.map(() => "?::DOUBLE").join(", ")}]) AS cuts FROM ${quoteIdent(view)} ${w.sql}`,
    params: [...counts.map((k) => (k - 0.5) / n), ...w.params],
  };
}

/** Rows, positives and their key sums per band: band i holds the filtered rows ranked after cut i-1, up to cut i. */
export function flaggingBandsQuery(view: string, where: SqlQuery, cuts: readonly number[], target: string): SqlQuery {
  const rank = quoteIdent(SCORE_RANK);
  const rk = quoteIdent(RECORD_KEY);
  const hit = `TRY_CAST(${quoteIdent(target)} AS DOUBLE) = 1`;
  const w = andWhere(where, { sql: `${rank} IS NOT NULL`, params: [] });
  const band = `CASE ${cuts.map((_, i) => `WHEN ${rank} <= ?::BIGINT THEN ${i}`).join(" ")} END`;
  return {
    sql: `SELECT ${band} AS band, count(*)::BIGINT AS n, coalesce(sum(${rk}), 0)::BIGINT AS rk, (count(*) FILTER (WHERE ${hit}))::BIGINT AS pos, coalesce(sum(${rk}) FILTER (WHERE ${hit}), 0)::BIGINT AS rk_pos FROM ${quoteIdent(view)} ${w.sql} GROUP BY 1 ORDER BY 1`,
    params: [...cuts, ...w.params],
  };
}

/**
 * The rows `flaggingPoints` reads (key = N, count, ck, positives, ck_pos) from the bands: each N's counts and key
 * sums are those of its band and every band before it, the cell keys their sums mod 256 (the cell key of the set).
 */
export function flaggingRows(bands: Record<string, unknown>[]): Record<string, unknown>[] {
  const byBand = new Map(bands.map((b) => [Number(b.band), b]));
  let n = 0;
  let rk = 0;
  let pos = 0;
  let rkPos = 0;
  return FLAG_PERCENTS.map((pct, i) => {
    const b = byBand.get(i);
    if (b) {
      n += Number(b.n);
      rk += Number(b.rk);
      pos += Number(b.pos);
      rkPos += Number(b.rk_pos);
    }
    return { key: pct, count: n, ck: rk % KEY_RANGE, positives: pos, ck_pos: rkPos % KEY_RANGE };
  });
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
