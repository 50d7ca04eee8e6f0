import { quoteIdent } from "../data/Db.js";
import type { SqlQuery } from "../data/sql/tables.js";
import type { DimensionView, Filters } from "./api-types.js";

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
export function dimensionExpr(d: Pick<DimensionView, "column" | "kind">): string {
  const col = quoteIdent(d.column);
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
    const expr = dimensionExpr(d);
    const strings: string[] = [];
    const numbers: number[] = [];
    let orNull = false;
    for (const v of values) {
      if (v === null) orNull = true;
      else if (typeof v === "number") numbers.push(v);
      else strings.push(String(v));
    }
    const alternatives: string[] = [];
    if (strings.length) {
      alternatives.push(`CAST(${expr} AS VARCHAR) IN (${strings.map(() => "?").join(", ")})`);
      params.push(...strings);
    }
    if (numbers.length) {
      alternatives.push(`TRY_CAST(${expr} AS DOUBLE) IN (${numbers.map(() => "?::DOUBLE").join(", ")})`);
      params.push(...numbers);
    }
    if (orNull) alternatives.push(`${expr} IS NULL`);
    parts.push(`(${alternatives.join(" OR ")})`);
  }
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/** Measures shared by the grouped queries: row count, and positives and mean score when the run has them. */
export function measures(target: string | undefined, hasScore: boolean): string {
  const m = ["count(*)::INTEGER AS count"];
  if (target) m.push(`(count(*) FILTER (WHERE TRY_CAST(${quoteIdent(target)} AS DOUBLE) = 1))::INTEGER AS positives`);
  if (hasScore) m.push(`avg(TRY_CAST("_score" AS DOUBLE))::DOUBLE AS mean_score`);
  return m.join(", ");
}

/**
 * Grouped counts over `view`: one row per value of `group` (or a single total row without `group`), and per
 * cluster too when `clusterColumn` is given.
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
  const order = group?.kind === "category" && !clusterColumn ? `"count" DESC, "key" ASC NULLS LAST` : `${groupBy} ASC NULLS LAST`;
  return {
    sql: `SELECT ${keys.join(", ")}, ${measures(target, hasScore)} FROM ${quoteIdent(view)} ${where.sql} GROUP BY ALL ORDER BY ${order}`,
    params: where.params,
  };
}

/** Score histogram with `bins` equal bins over [0, 1]. */
export function histogramQuery(view: string, where: SqlQuery, bins: number, target?: string): SqlQuery {
  const score = `TRY_CAST("_score" AS DOUBLE)`;
  const cond = `${score} IS NOT NULL`;
  const whereSql = where.sql ? `${where.sql} AND ${cond}` : `WHERE ${cond}`;
  return {
    sql: `SELECT least(greatest(floor(${score} * ?::INTEGER), 0), ?::INTEGER - 1)::INTEGER AS bin, ${measures(target, false)} FROM ${quoteIdent(view)} ${whereSql} GROUP BY 1 ORDER BY 1`,
    params: [bins, bins, ...where.params],
  };
}

/** A deterministic sample of located rows (ordered by a hash of `_row`), and their total. */
export function pointsQuery(options: {
  view: string;
  where: SqlQuery;
  lat: string;
  lon: string;
  limit: number;
  target?: string;
  hasScore: boolean;
  clusterColumn?: string;
  hasRow: boolean;
}): { sample: SqlQuery; total: SqlQuery } {
  const { view, where, lat, lon, limit, target, hasScore, clusterColumn, hasRow } = options;
  const la = `TRY_CAST(${quoteIdent(lat)} AS DOUBLE)`;
  const lo = `TRY_CAST(${quoteIdent(lon)} AS DOUBLE)`;
  const cond = `${la} BETWEEN -90 AND 90 AND ${lo} BETWEEN -180 AND 180`;
  const whereSql = where.sql ? `${where.sql} AND ${cond}` : `WHERE ${cond}`;
  const cols = [`${la} AS lat`, `${lo} AS lon`];
  if (hasScore) cols.push(`TRY_CAST("_score" AS DOUBLE) AS score`);
  if (target) cols.push(`TRY_CAST(${quoteIdent(target)} AS DOUBLE) AS target`);
  if (clusterColumn) cols.push(`TRY_CAST(${quoteIdent(clusterColumn)} AS INTEGER) AS cluster`);
  const order = hasRow ? `ORDER BY hash("_row")` : "";
  return {
    sample: {
      sql: `SELECT ${cols.join(", ")} FROM ${quoteIdent(view)} ${whereSql} ${order} LIMIT ?::INTEGER`,
      params: [...where.params, limit],
    },
    total: { sql: `SELECT count(*)::INTEGER AS n FROM ${quoteIdent(view)} ${whereSql}`, params: where.params },
  };
}
