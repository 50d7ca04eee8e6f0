import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join, resolve, sep } from "node:path";
import { quoteIdent, quoteString, type Db } from "../data/Db.js";
import { parquetViewSql } from "../data/sql/copy.js";
import { countRowsSql } from "../data/sql/tables.js";
import { auditHtml } from "../disclosure/audit.js";
import { pointGrid } from "../disclosure/points.js";
import { policyOfManifest, type DisclosurePolicy } from "../disclosure/policy.js";
import { recordKeySql, runSalt } from "../disclosure/perturb.js";
import type { Results } from "../results/types.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import { TIME_KINDS, type DimensionView, type FilterValue, type RangeView, type RunSummary } from "./api-types.js";
import { dateDomain, dateStatsQuery, niceBins, numericStatsQuery } from "./ranges.js";
import { RECORD_KEY, domainQuery, meanLatitudeQuery, type Grid } from "./sql.js";
import { CALIBRATION_BIN, calibrationBinSql, calibrationEdges, calibrationEdgesQuery, SCORE_RANK, scoreRankSql } from "./risk-sql.js";
import { dashboardDisclosure, dashboardResults } from "./summary.js";

/** A results folder opened for serving: its summary, its DuckDB table (`view`), and what its queries may touch. */
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
  /** The policy from manifest.json (the default policy when the folder has none). */
  policy: DisclosurePolicy;
  /** The values of each dimension over the whole run (missing last), by key: the groups of every grouped answer. */
  domains: Map<string, FilterValue[]>;
  /** Columns filtered by range (numeric histograms, the timeline), by column. */
  ranges: Map<string, RangeView>;
  /** The gridded point map's squares, when the policy allows one and the run has coordinates. */
  grid?: Grid & { grid_m: number };
  /** Risk runs with scores and a target: the calibration curve's bin edges, chosen once per run (risk-sql.ts). */
  calibrationEdges?: number[];
  /** Whether `_score` is a calibrated risk (results.json's validation.calibration is a method other than "none"). */
  calibrated: boolean;
  /** Columns of the record table (row-level output, only where the policy allows it): dimensions, ranges, target, score. */
  recordColumns: string[];
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

/** manifest.json of a results folder, or undefined when it is absent or unreadable (the default policy applies). */
function readManifest(dir: string): unknown {
  const file = join(dir, "manifest.json");
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** What makes a policy unfit for `serve --public`, or undefined when it protects every answer. */
function unsafeForPublic(policy: DisclosurePolicy): string | undefined {
  if (policy.min_cell <= 0) return "disclosure.min_cell is 0 (suppression off)";
  if (!policy.dashboard.perturb) return "disclosure.dashboard.perturb is false (exact counts can be differenced)";
  if (policy.row_level) return "disclosure.row_level is true (record-level answers)";
  return undefined;
}

/** Full domain of a timestamp part (values without rows included), so that no value's presence is revealed. */
function fullDomain(kind: DimensionView["kind"], present: FilterValue[]): FilterValue[] {
  const hasNull = present.includes(null);
  const nums = present.filter((v): v is number => typeof v === "number");
  let values: number[] | undefined;
  if (kind === "month") values = Array.from({ length: 12 }, (_, i) => i + 1);
  else if (kind === "weekday") values = Array.from({ length: 7 }, (_, i) => i + 1);
  else if (kind === "hour") values = Array.from({ length: 24 }, (_, i) => i);
  else if (kind === "year" && nums.length) {
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    if (hi - lo < 500) values = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  }
  if (!values) return present;
  return hasNull ? [...values, null] : values;
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

/** Options of {@link loadRuns}. */
/**
 * The WHERE clause that keeps the rows the study analysed: those of features.parquet (the design rows), so that the
 * dashboard counts what results.json and the report count. Rows of the analysis table the study left out (outside
 * the label window, or dropped for a missing value, as `data.dropped` lists) are not served. Empty when the folder
 * has no features.parquet.
 */
export function studyRowsWhere(dir: string): string {
  const design = join(dir, "features.parquet");
  return existsSync(design) ? ` WHERE "_row" IN (SELECT "_row" FROM read_parquet(${quoteString(design)}))` : "";
}

export interface LoadOptions {
  /** Serve only what is safe to publish (`openbeat serve --public`): refuse runs whose policy turns protection off. */
  public?: boolean;
}

/**
 * Reads each results folder's prepared.parquet into a table of `db` (the folder is only read), with each row's record key
 * (docs/disclosure.md) and the policy of its manifest.json, and checks its dashboard section against the parquet's
 * columns; dimensions whose columns are missing are dropped with a warning.
 */
export async function loadRuns(db: Db, dirs: string[], options: LoadOptions = {}): Promise<Run[]> {
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
    const raw = `${view}_file`;
    await db.exec(parquetViewSql(raw, parquet));
    const columns = new Set((await db.columns(raw)).map((c) => c.name));
    if (!columns.has("_row")) throw new UserError("serve.parquet", msg.preparedNoRow(parquet));
    for (const reserved of [RECORD_KEY, SCORE_RANK, CALIBRATION_BIN])
      if (columns.has(reserved)) throw new UserError("serve.parquet", msg.preparedReservedColumn(parquet, reserved));
    const dash = results.dashboard;
    // A risk run with scores and a target gets each row's rank by score and calibration bin once, here.
    const scored = results.study === "risk" && !!dash.target && columns.has(dash.target) && columns.has("_score");
    const policy = policyOfManifest(readManifest(dir));
    if (options.public) {
      const off = unsafeForPublic(policy);
      if (off) throw new UserError("serve.public", msg.servePublicUnsafe(dir, off));
    }
    // The run is read once into an in-memory table with each row's record key (computed once, not per query);
    // queries on it are faster than on the parquet file itself, which is never changed.
    const salt = runSalt({ seed: results.seed, name: results.name, inputs: results.data.inputs });
    const riskColumns = scored ? `, ${scoreRankSql()} AS ${quoteIdent(SCORE_RANK)}, NULL::INTEGER AS ${quoteIdent(CALIBRATION_BIN)}` : "";
    await db.exec(
      `CREATE TABLE ${quoteIdent(view)} AS SELECT *, ${recordKeySql(salt, '"_row"')} AS ${quoteIdent(RECORD_KEY)}${riskColumns} FROM ${quoteIdent(raw)}${studyRowsWhere(dir)}`,
    );
    await db.exec(`DROP VIEW ${quoteIdent(raw)}`);
    const [{ n }] = await db.query(countRowsSql(view));
    const warnings: string[] = [];
    const missing = (what: string, column: string): boolean => {
      if (columns.has(column)) return false;
      warnings.push(`${what} column ${JSON.stringify(column)} is not in prepared.parquet; left out`);
      return true;
    };
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
    const domains = new Map<string, FilterValue[]>();
    for (const d of dimensions.values()) {
      const present = (await db.query(domainQuery(view, d))).map((r) => r.key as FilterValue);
      domains.set(d.key, fullDomain(d.kind, present));
    }
    const ranges = new Map<string, RangeView>();
    if (dash.time && columns.has(dash.time)) {
      const [{ lo, hi }] = await db.query(dateStatsQuery(view, dash.time, policy.min_cell));
      const domain = typeof lo === "string" && typeof hi === "string" ? dateDomain(lo, hi) : undefined;
      if (domain) ranges.set(dash.time, { key: dash.time, column: dash.time, label: dash.time, kind: "date", ...domain });
    }
    for (const c of dash.numeric ?? []) {
      if (ranges.has(c.column) || missing(`numeric column "${c.label}"`, c.column)) continue;
      // Bins are chosen here, once per run, from the data the run serves (prepared.parquet, which also holds the
      // columns a kind adds, such as joined area demographics).
      const [{ lo, hi, whole }] = await db.query(numericStatsQuery(view, c.column));
      if (typeof lo !== "number" || typeof hi !== "number") {
        warnings.push(`numeric column ${JSON.stringify(c.column)} has no numbers; its histogram is left out`);
        continue;
      }
      ranges.set(c.column, { key: c.column, column: c.column, label: c.label, kind: "numeric", ...niceBins(lo, hi, whole === true) });
    }
    let grid: Run["grid"];
    if (points && policy.points) {
      const [{ lat }] = await db.query(meanLatitudeQuery(view, points.lat, points.lon));
      grid = pointGrid(policy.points.grid_m, typeof lat === "number" ? lat : null);
    }
    let edges: number[] | undefined;
    if (scored) {
      edges = calibrationEdges(await db.query(calibrationEdgesQuery(view)));
      const bins = calibrationBinSql(view, edges);
      await db.exec(bins.sql, bins.params);
    }
    const calibration: unknown = results.study === "risk" ? results.validation.calibration : undefined;
    // With --public the report is served only when the disclosure audit of its tables finds no small count.
    const reportFile = join(dir, "report.html");
    const hasReport = existsSync(reportFile) && (!options.public || auditHtml(readFileSync(reportFile, "utf8"), policy).length === 0);
    runs.push({
      summary: {
        id,
        name: results.name,
        study: results.study,
        rows: Number(n),
        dimensions: shown,
        ranges: [...ranges.values()],
        cluster_key: clusterColumn,
        has_score: columns.has("_score"),
        has_report: hasReport,
        warnings,
        disclosure: dashboardDisclosure(policy, !!grid),
        results: dashboardResults(results, policy),
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
      policy,
      domains,
      ranges,
      grid,
      calibrationEdges: edges,
      calibrated: typeof calibration === "string" && calibration !== "none",
      recordColumns: [
        ...new Set([
          ...[...dimensions.values()].map((d) => d.column),
          ...[...ranges.values()].map((r) => r.column),
          ...(target ? [target] : []),
          ...(columns.has("_score") ? ["_score"] : []),
        ]),
      ],
    });
  }
  return runs;
}
