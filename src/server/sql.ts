import { quoteIdent } from "../data/Db.js";
import { gridCountsQuery, meanLatitudeSql } from "../data/sql/grid.js";
import type { SqlQuery } from "../data/sql/tables.js";
import type { PointGrid } from "../disclosure/points.js";
import type { DimensionView, FilterValue, Filters } from "./api-types.js";

/** A request the client got wrong; the server answers with `status` and `message` as JSON. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

export type { SqlQuery } from "../data/sql/tables.js";

/** The SQL expression a dimension groups and filters by; timestamp parts are derived from the column. */
export function dimensionExpr(d: Pick<DimensionView, "column" | "kind">, alias?: string): string {
  const col = alias === undefined ? quoteIdent(d.column) : `${alias}.${quoteIdent(d.column)}`;
  const ts = `TRY_CAST(${col} AS TIMESTAMP)`;
  switch (d.kind) {
    case "category":
    case "cluster":
      return col;
    case "year":
      return `year(${ts})`;
    case "month":
      return `month(${ts})`;
    case "weekday":
      return `isodow(${ts})`;
    case "hour":
      return `hour(${ts})`;
  }
}

/**
 * WHERE clause for `filters` (empty string when none). Keys must name one of `dimensions`; values are bound as
 * parameters, never written into the SQL text.
 * @param except dimension key left out (crossfilter: a view does not filter itself)
 */
export function whereClause(filters: Filters, dimensions: ReadonlyMap<string, DimensionView>, except?: string): SqlQuery {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [key, values] of Object.entries(filters)) {
    const d = dimensions.get(key);
    if (!d) throw new ApiError(400, `unknown filter column: ${JSON.stringify(key)}`);
    if (key === except || values.length === 0) continue;
    const cond = valueCondition(dimensionExpr(d), values);
    parts.push(cond.sql);
    params.push(...cond.params);
  }
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/**
 * The condition that `expr` is one of `values` (non-empty), in parentheses: strings (and booleans) compared as text,
 * numbers as DOUBLE, null as `IS NULL`. The one definition of a filter's match, shared by the SQL answers and the
 * run index (run-index.ts), which applies it to each dimension's distinct values.
 */
export function valueCondition(expr: string, values: readonly FilterValue[]): SqlQuery {
  const strings: string[] = [];
  const numbers: number[] = [];
  let orNull = false;
  for (const v of values) {
    if (v === null) orNull = true;
    else if (typeof v === "number") numbers.push(v);
    else strings.push(String(v));
  }
  const alternatives: string[] = [];
  const params: unknown[] = [];
  if (strings.length) {
    alternatives.push(`CAST(${expr} AS VARCHAR) IN (${strings.map(() => "?").join(", ")})`);
    params.push(...strings);
  }
  if (numbers.length) {
    alternatives.push(`TRY_CAST(${expr} AS DOUBLE) IN (${numbers.map(() => "?::DOUBLE").join(", ")})`);
    params.push(...numbers);
  }
  if (orNull) alternatives.push(`${expr} IS NULL`);
  return { sql: `(${alternatives.join(" OR ")})`, params };
}

/** A WHERE clause (possibly empty) with a further condition (possibly empty) `AND`-ed on; parameters in order. */
export function andWhere(where: SqlQuery, cond: SqlQuery): SqlQuery {
  if (!cond.sql) return where;
  return { sql: where.sql ? `${where.sql} AND ${cond.sql}` : `WHERE ${cond.sql}`, params: [...where.params, ...cond.params] };
}

/** Column of the run's view holding each row's record key (docs/disclosure.md). */
export const RECORD_KEY = "_rk";

/**
 * Measures shared by the grouped queries: the row count and its cell key (sum of record keys), and with a target
 * the positives and their cell key, and with `_score` the sum and count of scores.
 */
export function measures(target: string | undefined, hasScore: boolean): string {
  const rk = quoteIdent(RECORD_KEY);
  const m = ["count(*)::INTEGER AS count", `(coalesce(sum(${rk}), 0) % 256)::INTEGER AS ck`];
  if (target) {
    const hit = `TRY_CAST(${quoteIdent(target)} AS DOUBLE) = 1`;
    m.push(`(count(*) FILTER (WHERE ${hit}))::INTEGER AS positives`);
    m.push(`(coalesce(sum(${rk}) FILTER (WHERE ${hit}), 0) % 256)::INTEGER AS ck_pos`);
  }
  if (hasScore) {
    const score = `TRY_CAST("_score" AS DOUBLE)`;
    m.push(`sum(${score})::DOUBLE AS score_sum`, `count(${score})::INTEGER AS score_n`);
  }
  return m.join(", ");
}

/**
 * Grouped counts over `view`: one row per value of `group` (or a single total row without `group`), and per
 * cluster too when `clusterColumn` is given. Only groups with rows come back; the caller adds the empty ones.
 */
export function groupQuery(options: {
  view: string;
  where: SqlQuery;
  group?: DimensionView;
  clusterColumn?: string;
  target?: string;
  hasScore: boolean;
}): SqlQuery {
  const { view, where, group, clusterColumn, target, hasScore } = options;
  const keys = [group ? `${dimensionExpr(group)} AS "key"` : `NULL AS "key"`];
  if (clusterColumn) keys.push(`${quoteIdent(clusterColumn)} AS "cluster"`);
  const groupBy = keys.map((_, i) => i + 1).join(", ");
  return {
    sql: `SELECT ${keys.join(", ")}, ${measures(target, hasScore)} FROM ${quoteIdent(view)} ${where.sql} GROUP BY ALL ORDER BY ${groupBy} ASC NULLS LAST`,
    params: where.params,
  };
}

/** The distinct values of a dimension over the whole view, missing last: the groups every grouped answer lists. */
export function domainQuery(view: string, d: DimensionView): string {
  return `SELECT DISTINCT ${dimensionExpr(d)} AS "key" FROM ${quoteIdent(view)} ORDER BY 1 ASC NULLS LAST`;
}

/** Score histogram with `bins` equal bins over [0, 1]. */
export function histogramQuery(view: string, where: SqlQuery, bins: number, target?: string): SqlQuery {
  const score = `TRY_CAST("_score" AS DOUBLE)`;
  const w = andWhere(where, { sql: `${score} IS NOT NULL`, params: [] });
  return {
    sql: `SELECT least(greatest(floor(${score} * ?::INTEGER), 0), ?::INTEGER - 1)::INTEGER AS bin, ${measures(target, false)} FROM ${quoteIdent(view)} ${w.sql} GROUP BY 1 ORDER BY 1`,
    params: [bins, bins, ...w.params],
  };
}

/** A square grid over lon/lat: cell sizes in degrees (equal metres at the grid's reference latitude). */
export type Grid = Pick<PointGrid, "dLat" | "dLon">;

/**
 * Counts of located rows per grid square (indices `gy`, `gx`), with their cell keys; rows without valid
 * coordinates are left out. The coordinates themselves are never selected (data/sql/grid.ts, shared with the report).
 */
export function gridQuery(options: { view: string; where: SqlQuery; lat: string; lon: string; grid: Grid }): SqlQuery {
  const { view, where, lat, lon, grid } = options;
  return gridCountsQuery({ from: quoteIdent(view), where, lat, lon, recordKey: quoteIdent(RECORD_KEY), grid });
}

/** Mean latitude of the located rows, for the grid's reference latitude. */
export function meanLatitudeQuery(view: string, lat: string, lon: string): string {
  return meanLatitudeSql(quoteIdent(view), lat, lon);
}
