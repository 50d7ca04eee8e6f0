import { readFile } from "node:fs/promises";
import type { FeatureCollection, Geometry } from "geojson";
import { driverMessage, type Database } from "../Db.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { uniqueNames, writeTable, type ColumnSpec } from "./write-table.js";

/** What {@link loadGeojson} loaded. */
export interface GeojsonLoadResult {
  rows: number;
  /** The parsed collection, for maps. */
  collection: FeatureCollection;
}

/**
 * The DuckDB type that holds every value seen for a property: BIGINT for safe integers, DOUBLE for other
 * numbers, BOOLEAN, else VARCHAR (objects and arrays as JSON text).
 * @param values the property's values over all features
 */
export function inferPropertyType(values: Iterable<unknown>): ColumnSpec["type"] {
  let integers = true;
  let numbers = true;
  let booleans = true;
  let any = false;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    any = true;
    if (typeof v === "number") {
      booleans = false;
      if (!Number.isSafeInteger(v)) integers = false;
      if (!Number.isFinite(v)) numbers = false;
    } else if (typeof v === "boolean") {
      numbers = false;
    } else return "VARCHAR";
  }
  if (!any) return "VARCHAR";
  if (numbers && !booleans) return integers ? "BIGINT" : "DOUBLE";
  if (booleans && !numbers) return "BOOLEAN";
  return "VARCHAR";
}

function cell(v: unknown, type: ColumnSpec["type"]): unknown {
  if (v === null || v === undefined) return null;
  if (type !== "VARCHAR") return v;
  // Parsed JSON: text stays as is, numbers and booleans print as in the file, objects and arrays as JSON.
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * Turns parsed features into a table: one column per property (in order of first appearance), plus `_feature`
 * (0-based index in the collection) and `_geometry` (the feature's geometry as GeoJSON text).
 * @param db DuckDB database
 * @param table table to create (replaced if it exists)
 * @param collection a FeatureCollection
 */
export async function writeFeatures(db: Database, table: string, collection: FeatureCollection): Promise<number> {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const f of collection.features) {
    for (const k of Object.keys(f.properties ?? {})) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  const names = uniqueNames(keys, ["_feature", "_geometry"]);
  const types = keys.map((k) => inferPropertyType(collection.features.map((f): unknown => f.properties?.[k])));
  const columns: ColumnSpec[] = [
    ...names.map((name, j) => ({ name, type: types[j] })),
    { name: "_feature", type: "INTEGER" },
    { name: "_geometry", type: "VARCHAR" },
  ];
  function* rows() {
    for (let i = 0; i < collection.features.length; ++i) {
      const f = collection.features[i];
      // GeoJSON allows a feature without geometry (`"geometry": null`), which the types do not say.
      const geometry = f.geometry as Geometry | null;
      const row: Record<string, unknown> = { _feature: i, _geometry: geometry ? JSON.stringify(geometry) : null };
      for (let j = 0; j < keys.length; ++j) row[names[j]] = cell(f.properties?.[keys[j]], types[j]);
      yield row;
    }
  }
  await writeTable(db, table, columns, rows());
  return collection.features.length;
}

/**
 * Loads a GeoJSON FeatureCollection (read and parsed in Node) into a table of its feature properties plus
 * `_feature` and `_geometry` (see {@link writeFeatures}).
 * @param db DuckDB database
 * @param table table to create (replaced if it exists)
 * @param path .geojson / .json file
 * @param options `where` prefixes error messages (default: the path)
 */
export async function loadGeojson(db: Database, table: string, path: string, options: { where?: string } = {}): Promise<GeojsonLoadResult> {
  const where = options.where ?? path;
  const text = await readFile(path, "utf8");
  if (text.length === 0) throw new UserError("source.empty", msg.sourceEmpty(where));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new UserError("geojson.parse", msg.geojsonNotJson(where, driverMessage(e)), { cause: e });
  }
  if (!isFeatureCollection(parsed)) {
    const type = typeof parsed === "object" && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
    throw new UserError("geojson.type", msg.geojsonNotCollection(where, type));
  }
  const rows = await writeFeatures(db, table, parsed);
  return { rows, collection: parsed };
}

/** A parsed value with `type: "FeatureCollection"` and a `features` array (the features are trusted). */
function isFeatureCollection(value: unknown): value is FeatureCollection {
  if (typeof value !== "object" || value === null) return false;
  const c = value as { type?: unknown; features?: unknown };
  return c.type === "FeatureCollection" && Array.isArray(c.features);
}
