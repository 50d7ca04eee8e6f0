import type { Db } from "../data/Db.js";
import type { DashboardInfo } from "../results/types.js";
import type { KindDashboard } from "./kind.js";
import { timedCountSql } from "./sql/features.js";

const LAT = /^(lat|latitude|y_lat|point_y)$/i;
const LON = /^(lon|lng|long|longitude|x_lon|point_x)$/i;

/**
 * Which columns of the analysis table the dashboard shows and filters (never more than these): the kind's time
 * column (as year, month, weekday, and hour when its values have a time of day), its categories, its numeric columns
 * (histograms with range filters; kept even when the kind adds them to prepared.parquet later, as joined area
 * demographics are), and point coordinates when the table has them.
 */
export async function buildDashboardInfo(db: Db, table: string, kind: KindDashboard): Promise<DashboardInfo> {
  const columns = await db.columns(table);
  const names = new Set(columns.map((c) => c.name));
  const dims: DashboardInfo["dimensions"] = [];
  const seen = new Set<string>();
  const add = (column: string, kindOf: DashboardInfo["dimensions"][number]["kind"], label = column) => {
    const key = `${kindOf}:${column}`;
    if (!seen.has(key) && names.has(column)) {
      seen.add(key);
      dims.push({ column, label, kind: kindOf });
    }
  };
  const time = kind.time;
  if (time) {
    // A date without a time of day (every value at 00:00) would show one bar at hour 00.
    const timed = names.has(time) ? Number((await db.query(timedCountSql(table, time)))[0].timed) > 0 : false;
    for (const part of ["year", "month", "weekday", ...(timed ? (["hour"] as const) : [])] as const) add(time, part, `${time} (${part})`);
  }
  for (const c of kind.categories) add(c, "category");
  const lat = columns.find((c) => LAT.test(c.name) && /DOUBLE|FLOAT|DECIMAL|INT/.test(c.type))?.name;
  const lon = columns.find((c) => LON.test(c.name) && /DOUBLE|FLOAT|DECIMAL|INT/.test(c.type))?.name;
  const numeric = [...new Set(kind.numeric ?? [])].map((column) => ({ column, label: column }));
  return {
    dimensions: dims,
    ...(numeric.length ? { numeric } : {}),
    ...(kind.target ? { target: kind.target } : {}),
    ...(time ? { time } : {}),
    ...(lat && lon ? { points: { lat, lon } } : {}),
  };
}
