import { version as duckdbVersion } from "@duckdb/node-api";
import { Db } from "../data/Db.js";
import { loadSources } from "../data/load-sources.js";
import { resolvePortalSources } from "../data/portal/index.js";
import { manifestSchema, resultsSchema } from "../results/schema.js";
import type { InputInfo, Manifest, Results } from "../results/types.js";
import { UserError } from "../util/errors.js";
import { Logger, type TextSink } from "../util/logger.js";
import { VERSION } from "../util/version.js";
import { ANALYSIS, analysisTableName, materializeAnalysis, requireColumns, requireTable } from "./analysis-table.js";
import { buildDashboardInfo } from "./dashboard-info.js";
import type { KindOutput } from "./kind.js";
import { runPrepare } from "./prepare.js";
import { activeKind } from "./registry.js";
import type { LoadedStudy } from "./study-file/load-study.js";
import { writeOutput } from "./write-output.js";
import { stageResults } from "./write-results.js";

export interface RunOptions {
  /** Folder that source paths are relative to (default: the study file's folder). */
  dataDir?: string;
  /** Results folder. */
  out: string;
  /** Overrides the study file's seed. */
  seed?: number;
  logger?: Logger;
  /** Marks results as made from synthetic data (the demo). */
  synthetic?: boolean;
  /** PostgreSQL URL: run the prepare SQL there (`--db`). */
  dbUrl?: string;
  /** Cache folder for portal sources (`--cache`), and whether to fetch them again (`--refresh`). */
  cacheDir?: string;
  refresh?: boolean;
  /** Where portal download progress goes (default process.stderr). */
  progress?: TextSink;
  /** Start time for the manifest; injected so tests can pin it. */
  startedAt?: string;
}

export interface RunSummary {
  results: Results;
  out: string;
  /** Seconds per phase. */
  timings: Record<string, number>;
}

/**
 * Runs a study end to end: sources, prepare SQL, the analysis table, the study kind, and the results folder, which
 * is staged and swapped into place only when every file is written.
 */
export async function runStudy(loaded: LoadedStudy, options: RunOptions): Promise<RunSummary> {
  const logger = options.logger ?? new Logger();
  const spec = { ...loaded.spec, seed: options.seed ?? loaded.spec.seed };
  const file = loaded.file;
  const kind = activeKind(spec);
  kind.validate(file);
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - t) / 1000;
    t = now;
  };
  const started = options.startedAt ?? new Date().toISOString();
  const staged = await stageResults(options.out);
  const db = await Db.open();
  try {
    logger.info(`openbeat: ${spec.name} (${spec.kind} study, seed ${spec.seed})`);
    const { sources: resolved, fetched } = await resolvePortalSources(spec, {
      studyFile: file,
      cacheDir: options.cacheDir,
      refresh: options.refresh,
      logger,
      progress: options.progress,
    });
    const fetchedFiles = new Map(Object.keys(fetched).map((name) => [name, { path: resolved[name].path, format: resolved[name].format }]));
    const inputs: InputInfo[] = await loadSources(db, spec, { studyFile: file, dataDir: options.dataDir, logger, fetched: fetchedFiles });
    const portals = Object.fromEntries(Object.entries(fetched).map(([name, f]) => [name, f.meta]));
    lap("load");
    const table = analysisTableName(spec, file);
    await runPrepare(db, spec, file, table, logger, options.dbUrl);
    await requireTable(db, table, file);
    const tableRows = await materializeAnalysis(db, table);
    if (tableRows === 0) {
      const fix = spec.prepare.length ? "check the prepare SQL filters" : "check that the source file has data rows";
      throw new UserError("data.empty", `${file}: the analysis table "${table}" has no rows; ${fix}`);
    }
    await requireColumns(db, ANALYSIS, kind.columns(), `${file}: ${kind.name}`);
    lap("prepare");

    const dashboard = await buildDashboardInfo(db, ANALYSIS, kind.dashboard());
    const out = await kind.run({ db, table: ANALYSIS, file, logger, seed: spec.seed });
    lap("model");
    const results = assembleResults(out, {
      study: kind.name,
      name: spec.name,
      ...(spec.description ? { description: spec.description } : {}),
      ...(options.synthetic ? { synthetic: true } : {}),
      seed: spec.seed,
      warnings: logger.warnings,
      inputs,
      tableRows,
      dashboard,
    });
    const manifest: Manifest = {
      openbeat: VERSION,
      study_file: file,
      study_text: loaded.text,
      inputs,
      ...(Object.keys(portals).length ? { portals } : {}),
      seed: spec.seed,
      min_cell: spec.report.min_cell,
      versions: { openbeat: VERSION, node: process.version, duckdb: duckdbVersion() },
      started_at: started,
      timings,
    };
    checkContract(results, manifest);
    await writeOutput(staged.dir, { db, table: ANALYSIS, results, manifest, kind: out, logger });
    lap("write");
    await staged.commit();
    return { results, out: options.out, timings };
  } catch (e) {
    await staged.abort();
    throw e;
  } finally {
    await db.close();
  }
}

interface Common {
  study: string;
  name: string;
  description?: string;
  synthetic?: boolean;
  seed: number;
  warnings: Results["warnings"];
  inputs: InputInfo[];
  tableRows: number;
  dashboard: Results["dashboard"];
}

/** The kind's results with the keys every results.json shares, in the contract's order. */
function assembleResults(out: KindOutput, c: Common): Results {
  const { data, ...rest } = out.results;
  const { date_range, ...kindData } = data as typeof data & { date_range?: unknown };
  const { inputs, tableRows, dashboard, ...head } = c;
  return {
    ...head,
    data: { ...kindData, inputs, table_rows: tableRows, ...(date_range ? { date_range } : {}) },
    dashboard: {
      ...dashboard,
      ...out.dashboard,
      dimensions: [...dashboard.dimensions, ...(out.dashboard?.dimensions ?? [])],
    },
    ...rest,
  } as Results;
}

/** A results.json or manifest that breaks the contract is a bug in openbeat, caught before anything is written. */
function checkContract(results: Results, manifest: Manifest): void {
  for (const [name, parsed] of [
    ["results.json", resultsSchema.safeParse(results)],
    ["manifest.json", manifestSchema.safeParse(manifest)],
  ] as const) {
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${name} breaks the results contract at ${issue.path.join(".")}: ${issue.message}`);
    }
  }
}
