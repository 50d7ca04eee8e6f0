import { Db, quoteIdent } from "../data/Db.js";
import { loadSources } from "../data/load-sources.js";
import { resolvePortalSources } from "../data/portal/index.js";
import type { LoadedStudy } from "../study/load-study.js";
import { UserError } from "../util/errors.js";
import { Logger } from "../util/logger.js";
import { ANALYSIS, analysisTableName, materializeAnalysis, requireTable } from "./analysis-table.js";
import type { InputInfo, Results } from "./results.js";
import { runRisk } from "./risk/run-risk.js";
import { runSegments } from "./segments/run-segments.js";
import { stableJson, stageResults, writeText } from "./write-results.js";
import { writeDesignParquet, writePreparedParquet } from "./write-design.js";
import { buildDashboardInfo } from "./dashboard-info.js";
import { join } from "node:path";
import { writeReportFile } from "./write-report.js";
import { runPrepare } from "./prepare.js";

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
  /** Versions and start time for the manifest; injected so tests can pin them. */
  startedAt?: string;
}

export interface RunSummary {
  results: Results;
  out: string;
  timings: Record<string, number>;
}

const VERSION = "0.1.0";

/** Runs a study end to end and writes its results folder atomically. */
export async function runStudy(loaded: LoadedStudy, options: RunOptions): Promise<RunSummary> {
  const logger = options.logger ?? new Logger();
  const spec = { ...loaded.spec, seed: options.seed ?? loaded.spec.seed };
  const file = loaded.file;
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  const staged = await stageResults(options.out);
  const db = await Db.open();
  try {
    logger.info(`openbeat: ${spec.name} (${spec.kind} study, seed ${spec.seed})`);
    const { sources: resolved, fetched } = await resolvePortalSources(spec, {
      studyFile: file,
      cacheDir: options.cacheDir,
      refresh: options.refresh,
      logger,
    });
    const fetchedFiles = new Map(Object.keys(fetched).map((name) => [name, { path: resolved[name].path, format: resolved[name].format }]));
    const inputs: InputInfo[] = await loadSources(db, spec, { studyFile: file, dataDir: options.dataDir, logger, fetched: fetchedFiles });
    const portals = Object.fromEntries(Object.entries(fetched).map(([name, f]) => [name, f.meta]));
    lap("load_ms");
    const table = analysisTableName(spec, file);
    await runPrepare(db, spec, file, table, logger, options.dbUrl);
    await requireTable(db, table, file);
    const tableRows = await materializeAnalysis(db, table);
    if (tableRows === 0) {
      const fix = spec.prepare.length ? "check the prepare SQL filters" : "check that the source file has data rows";
      throw new UserError("data.empty", `${file}: the analysis table "${table}" has no rows; ${fix}`);
    }
    lap("prepare_ms");

    let results: Results;
    const dashboard = await buildDashboardInfo(db, spec);
    const common = {
      name: spec.name,
      ...(spec.description ? { description: spec.description } : {}),
      ...(options.synthetic ? { synthetic: true } : {}),
      seed: spec.seed,
      warnings: logger.warnings,
    };
    if (spec.kind === "risk") {
      const out = await runRisk(db, spec, file, logger);
      lap("model_ms");
      const { data, ...rest } = out.results;
      results = {
        study: "risk",
        ...common,
        data: { ...data, inputs, table_rows: tableRows, ...(await dateRange(db, spec.risk!.date)) } as Results["data"],
        dashboard,
        ...rest,
      };
      await writeText(staged.dir, "model.json", stableJson(out.model));
      await writeDesignParquet(db, join(staged.dir, "features.parquet"), out.design.X, out.design.names, out.keep, spec.risk!.id);
      await writePreparedParquet(db, join(staged.dir, "prepared.parquet"), "_score", out.scores);
    } else {
      const out = await runSegments(db, spec, file, logger, staged.dir);
      lap("model_ms");
      const { data, ...rest } = out.results;
      results = {
        study: "segments",
        ...common,
        data: { ...data, inputs, table_rows: tableRows } as Results["data"],
        dashboard: { ...dashboard, ...out.dashboard, dimensions: [...dashboard.dimensions, ...(out.dashboard.dimensions ?? [])] },
        ...rest,
      };
    }
    lap("write_ms");
    await writeText(staged.dir, "results.json", stableJson(results));
    const manifest = {
      openbeat: VERSION,
      study_file: file,
      study_text: loaded.text,
      inputs,
      ...(Object.keys(portals).length ? { portals } : {}),
      seed: spec.seed,
      min_cell: spec.report.min_cell,
      node: process.version,
      started_at: options.startedAt ?? new Date().toISOString(),
      timings,
    };
    await writeText(staged.dir, "manifest.json", stableJson(manifest));
    await writeReportFile(staged.dir, results, manifest, logger);
    lap("report_ms");
    await staged.commit();
    return { results, out: options.out, timings };
  } catch (e) {
    await staged.abort();
    throw e;
  } finally {
    await db.close();
  }
}

async function dateRange(db: Db, column: string | undefined) {
  if (!column) return {};
  const [r] = await db.query(
    `SELECT CAST(min(${quoteIdent(column)}) AS VARCHAR) AS lo, CAST(max(${quoteIdent(column)}) AS VARCHAR) AS hi FROM ${ANALYSIS}`,
  );
  return { date_range: { column, min: (r.lo as string) ?? null, max: (r.hi as string) ?? null } };
}
