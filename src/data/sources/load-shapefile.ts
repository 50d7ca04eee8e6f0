import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import * as shapefile from "shapefile";
import { driverMessage, type Database } from "../Db.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { uniqueNames, writeTable, type ColumnSpec } from "./write-table.js";

/** What {@link loadShapefile} loaded. */
export interface ShapefileLoadResult {
  rows: number;
  /** The .prj text (the coordinate system, kept as is: coordinates are never reprojected), or null. */
  prj: string | null;
  /** DBF fields: name, DBF type letter and the column type used. */
  fields: { name: string; dbfType: string; type: ColumnSpec["type"] }[];
  /** Encoding the .dbf text was decoded with. */
  encoding: string;
}

const DBF_TYPES: Record<string, ColumnSpec["type"]> = {
  N: "DOUBLE",
  F: "DOUBLE",
  B: "DOUBLE",
  M: "DOUBLE",
  L: "BOOLEAN",
  D: "DATE",
  C: "VARCHAR",
};

function sibling(path: string, ext: string): string {
  const stem = path.replace(/\.shp$/i, "");
  for (const e of [ext, ext.toUpperCase()]) if (existsSync(stem + e)) return stem + e;
  return stem + ext;
}

function isoDate(d: unknown): string | null {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) return null;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * Loads a shapefile (.shp with its .dbf, read by the `shapefile` package; no GDAL) into a table of the DBF
 * attributes (numbers as DOUBLE, text trimmed, dates as DATE) plus `_geometry` (GeoJSON text, coordinates as in
 * the file: a projected CRS such as Maryland State Plane feet stays in feet; see `prj`).
 * @param db DuckDB database
 * @param table table to create (replaced if it exists)
 * @param path the .shp file
 * @param options `encoding` of the .dbf text (default: the .cpg file, else latin1); `where` prefixes error messages
 */
export async function loadShapefile(
  db: Database,
  table: string,
  path: string,
  options: { encoding?: string; where?: string } = {},
): Promise<ShapefileLoadResult> {
  const where = options.where ?? path;
  const dbfPath = sibling(path, ".dbf");
  if (!existsSync(dbfPath)) {
    throw new UserError("shapefile.dbf", msg.shapefileNoDbf(where, dbfPath));
  }
  const prjPath = sibling(path, ".prj");
  const cpgPath = sibling(path, ".cpg");
  const prj = existsSync(prjPath) ? (await readFile(prjPath, "utf8")).trim() : null;
  const encoding = options.encoding ?? (existsSync(cpgPath) ? (await readFile(cpgPath, "utf8")).trim() || "latin1" : "latin1");
  try {
    new TextDecoder(encoding);
  } catch {
    throw new UserError("shapefile.encoding", msg.shapefileEncoding(where, encoding));
  }
  const [shp, dbf] = await Promise.all([readFile(path), readFile(dbfPath)]);
  let source: shapefile.Source<GeoJSON.Feature>;
  try {
    source = await shapefile.open(shp, dbf, { encoding });
  } catch (e) {
    throw new UserError("shapefile.read", msg.shapefileUnreadable(where, driverMessage(e)), { cause: e });
  }
  const rawFields = (source as unknown as { _dbf?: { _fields?: { name: string; type: string }[] } })._dbf?._fields ?? [];
  const names = uniqueNames(
    rawFields.map((f) => f.name),
    ["_geometry"],
  );
  const fields = rawFields.map((f, j) => ({ name: names[j], dbfType: f.type, type: DBF_TYPES[f.type] ?? "VARCHAR" }));
  const rows: Record<string, unknown>[] = [];
  try {
    for (let r = await source.read(); !r.done; r = await source.read()) {
      const props = r.value.properties ?? {};
      // A null shape record has no geometry, which the types do not say.
      const geometry = r.value.geometry as GeoJSON.Geometry | null;
      const row: Record<string, unknown> = { _geometry: geometry ? JSON.stringify(geometry) : null };
      rawFields.forEach((f, j) => {
        // The .dbf reader yields text, numbers, booleans and dates.
        const v = props[f.name] as string | number | boolean | Date | null | undefined;
        const type = fields[j].type;
        row[names[j]] = v == null ? null : type === "DATE" ? isoDate(v) : type === "VARCHAR" ? String(v).trim() || null : v;
      });
      rows.push(row);
    }
  } catch (e) {
    throw new UserError("shapefile.read", msg.shapefileRecordUnreadable(where, rows.length + 1, driverMessage(e)), { cause: e });
  }
  const columns: ColumnSpec[] = [...fields.map((f) => ({ name: f.name, type: f.type })), { name: "_geometry", type: "VARCHAR" }];
  await writeTable(db, table, columns, rows);
  return { rows: rows.length, prj, fields, encoding };
}
