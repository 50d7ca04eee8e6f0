/**
 * SQL of the gridded point map (DuckDB): counts and cell keys of located rows per square, and the mean latitude that
 * sets the grid. The dashboard and the report's map both run these, so that they count the same squares.
 */
import { quoteIdent } from "../Db.js";
import type { SqlQuery } from "./tables.js";

/** Latitude and longitude as numbers (NULL when not a number), and the condition that both are valid coordinates. */
function located(lat: string, lon: string): { la: string; lo: string; valid: string } {
  const la = `TRY_CAST(${quoteIdent(lat)} AS DOUBLE)`;
  const lo = `TRY_CAST(${quoteIdent(lon)} AS DOUBLE)`;
  return { la, lo, valid: `${la} BETWEEN -90 AND 90 AND ${lo} BETWEEN -180 AND 180` };
}

/**
 * Counts of located rows per grid square (indices `gy`, `gx`) with their cell keys (`ck`, the sum of the record keys
 * mod 256); rows without valid coordinates are left out. The coordinates themselves are never selected.
 * @param options.from a quoted table or view name (or a parenthesised subquery)
 * @param options.recordKey SQL expression of a row's record key
 * @param options.where a `WHERE …` clause of the caller's filters (empty for none), with its parameters
 */
export function gridCountsQuery(options: {
  from: string;
  where: SqlQuery;
  lat: string;
  lon: string;
  recordKey: string;
  grid: { dLat: number; dLon: number };
}): SqlQuery {
  const { from, where, lat, lon, recordKey, grid } = options;
  const { la, lo, valid } = located(lat, lon);
  const w = where.sql ? `${where.sql} AND ${valid}` : `WHERE ${valid}`;
  return {
    sql: `SELECT floor(${la} / ?::DOUBLE)::BIGINT AS gy, floor(${lo} / ?::DOUBLE)::BIGINT AS gx, count(*)::INTEGER AS count, (coalesce(sum(${recordKey}), 0) % 256)::INTEGER AS ck FROM ${from} ${w} GROUP BY 1, 2 ORDER BY 1, 2`,
    params: [grid.dLat, grid.dLon, ...where.params],
  };
}

/** Mean latitude (`lat`) of the located rows of `from` (a quoted table or view name), for the grid's reference latitude. */
export function meanLatitudeSql(from: string, lat: string, lon: string): string {
  const { la, valid } = located(lat, lon);
  return `SELECT avg(${la})::DOUBLE AS lat FROM ${from} WHERE ${valid}`;
}
