import type { Db } from "../data/Db.js";
import type { StudySpec } from "../study/schema.js";
import { ANALYSIS } from "./analysis-table.js";
import type { DashboardInfo } from "./results.js";

const LAT = /^(lat|latitude|y_lat|point_y)$/i;
const LON = /^(lon|lng|long|longitude|x_lon|point_x)$/i;

/** Which columns of the analysis table the dashboard shows and filters (never more than these). */
export async function buildDashboardInfo(db: Db, spec: StudySpec): Promise<DashboardInfo> {
  const section = spec.kind === "risk" ? spec.risk! : spec.segments!;
  const columns = await db.columns(ANALYSIS);
  const names = new Set(columns.map((c) => c.name));
  const dims: DashboardInfo["dimensions"] = [];
  const seen = new Set<string>();
  const add = (column: string, kind: DashboardInfo["dimensions"][number]["kind"], label = column) => {
    const key = `${kind}:${column}`;
    if (!seen.has(key) && names.has(column)) {
      seen.add(key);
      dims.push({ column, label, kind });
    }
  };
  const time = spec.kind === "risk" ? (spec.risk!.date ?? section.features.dates[0]?.column) : section.features.dates[0]?.column;
  if (time) for (const kind of ["year", "month", "weekday", "hour"] as const) add(time, kind, `${time} (${kind})`);
  for (const c of section.features.categorical) add(c, "category");
  if (spec.kind === "risk") for (const c of spec.risk!.findings.by ?? []) add(c, "category");
  if (spec.kind === "segments") {
    for (const c of spec.segments!.describe) add(c, "category");
    if (spec.segments!.areas) add(spec.segments!.areas.column, "category");
  }
  const lat = columns.find((c) => LAT.test(c.name) && /DOUBLE|FLOAT|DECIMAL|INT/.test(c.type))?.name;
  const lon = columns.find((c) => LON.test(c.name) && /DOUBLE|FLOAT|DECIMAL|INT/.test(c.type))?.name;
  return {
    dimensions: dims,
    ...(spec.kind === "risk" ? { target: spec.risk!.target } : {}),
    ...(time ? { time } : {}),
    ...(lat && lon ? { points: { lat, lon } } : {}),
  };
}
