import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join, resolve, sep } from "node:path";
import type { Db } from "../data/Db.js";
import { parquetViewSql } from "../data/sql/copy.js";
import { countRowsSql } from "../data/sql/tables.js";
import type { Results } from "../results/types.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import { TIME_KINDS, type DimensionView, type RunSummary } from "./api-types.js";

/** A results folder opened for serving: its summary, DuckDB view, and what its queries may touch. */
export interface Run {
  summary: RunSummary;
  dir: string;
  view: string;
  /** Filterable and groupable dimensions by key (dimensions plus the area column). */
  dimensions: Map<string, DimensionView>;
  target?: string;
  hasScore: boolean;
  hasRow: boolean;
  clusterColumn?: string;
  points?: { lat: string; lon: string };
  /** Absolute path of the area GeoJSON, checked to lie inside `dir`. */
  areasFile?: string;
  areas?: DimensionView;
}

/** Key of a dimension in requests: the column, or `kind:column` for timestamp parts. */
export function dimensionKey(kind: DimensionView["kind"], column: string): string {
  return TIME_KINDS.includes(kind) ? `${kind}:${column}` : column;
}

/** Results folders among `dirs`: each dir itself when it holds results.json, else its direct subfolders that do. */
export function findResultsDirs(dirs: string[]): string[] {
  const found: string[] = [];
  for (const d of dirs) {
    const dir = resolve(d);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError("serve.dir", msg.serveNotFolder(d));
    if (existsSync(join(dir, "results.json"))) {
      found.push(dir);
      continue;
    }
    const subs = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "results.json")))
      .map((e) => join(dir, e.name))
      .sort();
    if (!subs.length) throw new UserError("serve.dir", msg.serveNoResults(d));
    found.push(...subs);
  }
  return found;
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "run"
  );
}

function readResults(dir: string): Results {
  const file = join(dir, "results.json");
  // Parsed, then checked for the marks of a results.json; the rest of its shape is trusted (openbeat wrote it).
  let results: Partial<Results> | null;
  try {
    results = JSON.parse(readFileSync(file, "utf8")) as Partial<Results> | null;
  } catch (e) {
    throw new UserError("serve.results", msg.resultsUnreadable(file, (e as Error).message), { cause: e });
  }
  if (!results || (results.study !== "risk" && results.study !== "segments")) {
    throw new UserError("serve.results", msg.resultsUnknownStudy(file));
  }
  if (!results.dashboard || !Array.isArray(results.dashboard.dimensions)) {
    throw new UserError("serve.results", msg.resultsNoDashboard(file));
  }
  return results as Results;
}

/** Path of `name` inside `dir`, or undefined when it would leave the folder or does not exist. */
function fileInside(dir: string, name: string): string | undefined {
  const path = resolve(dir, name);
  if (!existsSync(path)) return undefined;
  const real = realpathSync(path);
  const root = realpathSync(dir);
  return real.startsWith(root + sep) ? real : undefined;
}

/**
 * Opens each results folder as a read-only view over its prepared.parquet in `db` and checks its dashboard
 * section against the parquet's columns; dimensions whose columns are missing are dropped with a warning.
 */
export async function loadRuns(db: Db, dirs: string[]): Promise<Run[]> {
  const runs: Run[] = [];
  const ids = new Set<string>();
  for (const dir of findResultsDirs(dirs)) {
    const results = readResults(dir);
    const parquet = join(dir, "prepared.parquet");
    if (!existsSync(parquet)) throw new UserError("serve.parquet", msg.preparedMissing(parquet));
    let id = slug(basename(dir));
    for (let i = 2; ids.has(id); ++i) id = `${slug(basename(dir))}-${i}`;
    ids.add(id);
    const view = `run_${runs.length}`;
    await db.exec(parquetViewSql(view, parquet));
    const columns = new Set((await db.columns(view)).map((c) => c.name));
    const [{ n }] = await db.query(countRowsSql(view));
    const warnings: string[] = [];
    const missing = (what: string, column: string): boolean => {
      if (columns.has(column)) return false;
      warnings.push(`${what} column ${JSON.stringify(column)} is not in prepared.parquet; left out`);
      return true;
    };
    const dash = results.dashboard;
    const dimensions = new Map<string, DimensionView>();
    for (const d of dash.dimensions) {
      if (missing(`dimension "${d.label}"`, d.column)) continue;
      const key = dimensionKey(d.kind, d.column);
      if (!dimensions.has(key)) dimensions.set(key, { key, column: d.column, label: d.label, kind: d.kind });
    }
    let clusterColumn: string | undefined;
    if (results.study === "segments" && columns.has("_cluster")) {
      clusterColumn = [...dimensions.values()].find((d) => d.kind === "cluster")?.column ?? "_cluster";
      if (![...dimensions.values()].some((d) => d.kind === "cluster")) {
        dimensions.set("_cluster", { key: "_cluster", column: "_cluster", label: "Cluster", kind: "cluster" });
      }
    }
    const target = dash.target && !missing("target", dash.target) ? dash.target : undefined;
    const points = dash.points && !missing("latitude", dash.points.lat) && !missing("longitude", dash.points.lon) ? dash.points : undefined;
    let areasFile: string | undefined;
    let areas: DimensionView | undefined;
    if (dash.areas && !missing("area", dash.areas.column)) {
      areasFile = fileInside(dir, dash.areas.file);
      if (!areasFile) warnings.push(`area file ${JSON.stringify(dash.areas.file)} is not in the results folder; map left out`);
      else
        areas = dimensions.get(dash.areas.column) ?? {
          key: dash.areas.column,
          column: dash.areas.column,
          label: dash.areas.column,
          kind: "category",
        };
    }
    const shown = [...dimensions.values()];
    if (areas && !dimensions.has(areas.key)) dimensions.set(areas.key, areas);
    runs.push({
      summary: {
        id,
        name: results.name,
        study: results.study,
        rows: Number(n),
        dimensions: shown,
        cluster_key: clusterColumn,
        has_score: columns.has("_score"),
        warnings,
        results,
      },
      dir,
      view,
      dimensions,
      target,
      hasScore: columns.has("_score"),
      hasRow: columns.has("_row"),
      clusterColumn,
      points,
      areasFile,
      areas,
    });
  }
  return runs;
}
