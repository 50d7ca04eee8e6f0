import { join } from "node:path";
import { quoteIdent, quoteString, type Db } from "../../src/data/Db.js";
import { perturbCount, recordKeySql, runSalt } from "../../src/disclosure/perturb.js";
import type { DisclosurePolicy } from "../../src/disclosure/policy.js";
import type { Results } from "../../src/results/types.js";

/** A square of the point map: centre and published count. */
export interface Square {
  lat: number;
  lon: number;
  count: number;
}

/**
 * The squares the report draws, read from the SVG: each square's label names its count and centre. Sorted by
 * latitude, then longitude.
 */
export function reportSquares(html: string): Square[] {
  const start = html.indexOf('data-chart="point_map"');
  if (start < 0) return [];
  const figure = html.slice(start, html.indexOf("</figure>", start));
  const out: Square[] = [];
  for (const m of figure.matchAll(/aria-label="records: ([0-9,]+); latitude: (-?[0-9.]+); longitude: (-?[0-9.]+)"/g))
    out.push({ count: Number(m[1].replace(/,/g, "")), lat: Number(m[2]), lon: Number(m[3]) });
  return out.sort((a, b) => a.lat - b.lat || a.lon - b.lon);
}

/**
 * The point map by an independent SQL aggregation of the results folder: rows of prepared.parquet that are in
 * features.parquet with valid coordinates, per square of `grid_m` metres at the mean latitude (0.1°), their count and
 * the sum of their record keys, each count then published as the policy says. Sorted as {@link reportSquares}.
 */
export async function sqlSquares(
  db: Db,
  dir: string,
  results: Results,
  policy: DisclosurePolicy,
): Promise<{ cells: Square[]; hidden: number }> {
  const points = results.dashboard.points;
  if (!points || !policy.points) throw new Error("the run has no point map");
  const la = `TRY_CAST(${quoteIdent(points.lat)} AS DOUBLE)`;
  const lo = `TRY_CAST(${quoteIdent(points.lon)} AS DOUBLE)`;
  const salt = runSalt({ seed: results.seed, name: results.name, inputs: results.data.inputs });
  const rows = await db.query(`
    WITH p AS (
      SELECT ${la} AS la, ${lo} AS lo, ${recordKeySql(salt, '"_row"')} AS rk
      FROM read_parquet(${quoteString(join(dir, "prepared.parquet"))})
      WHERE "_row" IN (SELECT "_row" FROM read_parquet(${quoteString(join(dir, "features.parquet"))}))
        AND ${la} BETWEEN -90 AND 90 AND ${lo} BETWEEN -180 AND 180),
    g AS (SELECT ${policy.points.grid_m} / 111320.0 AS dlat, round(avg(la) * 10) / 10 AS ref FROM p),
    s AS (SELECT floor(la / dlat) AS gy, floor(lo / (dlat / greatest(0.05, cos(radians(ref))))) AS gx, count(*) AS n, sum(rk) % 256 AS ck,
                 any_value(dlat) AS dlat, any_value(dlat / greatest(0.05, cos(radians(ref)))) AS dlon
          FROM p, g GROUP BY 1, 2)
    SELECT n::INTEGER AS n, ck::INTEGER AS ck, round((gy + 0.5) * dlat, 5)::DOUBLE AS lat, round((gx + 0.5) * dlon, 5)::DOUBLE AS lon FROM s`);
  const cells: Square[] = [];
  let hidden = 0;
  for (const r of rows) {
    const count = perturbCount(Number(r.n), Number(r.ck), policy);
    if (count === null || count === 0) ++hidden;
    else cells.push({ lat: Number(r.lat), lon: Number(r.lon), count });
  }
  return { cells: cells.sort((a, b) => a.lat - b.lat || a.lon - b.lon), hidden };
}
