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
import { openResultsFolder, stableJson, writeText } from "./results-folder.js";
import { protectedInputs } from "./protected-inputs.js";
import { lockDownDuckDb } from "../data/sandbox.js";
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
  /** Replace an `--out` folder written by an older openbeat, which has no marker (`--force`). */
  force?: boolean;
  /** Accept source paths outside the study file's folder and `--data` (`--allow-outside-paths`). */
  allowOutsidePaths?: boolean;
  /** Longest a prepare step may run, in milliseconds (`--timeout`; default 10 minutes, 0: no limit). */
  timeoutMs?: number;
}

/** Default `--timeout` for a prepare step: 10 minutes. */
export const DEFAULT_STEP_TIMEOUT_MS = 10 * 60_000;

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
  const staged = await openResultsFolder(options.out, {
    force: options.force,
    protect: protectedInputs(spec, file, { dataDir: options.dataDir, cacheDir: options.cacheDir }),
    notice: (line) => {
      logger.info(line);
    },
  });
  const db = await Db.open().catch(async (e: unknown) => {
    await staged.abort();
    throw e;
  });
  const lockDown = () => lockDownDuckDb(db, { allowedDirectories: [staged.dir], tempDirectory: staged.scratch });
  try {
    logger.info(`openbeat: ${spec.name} (${spec.kind} study, seed ${spec.seed})`);
    const { sources: resolved, fetched } = await resolvePortalSources(spec, {
      studyFile: file,
      cacheDir: options.cacheDir,
      refresh: options.refresh,
      logger,
    });
    const fetchedFiles = new Map(Object.keys(fetched).map((name) => [name, { path: resolved[name].path, format: resolved[name].format }]));
    const inputs: InputInfo[] = await loadSources(db, spec, {
      studyFile: file,
      dataDir: options.dataDir,
      logger,
      fetched: fetchedFiles,
      allowOutsidePaths: options.allowOutsidePaths,
    });
    const portals = Object.fromEntries(Object.entries(fetched).map(([name, f]) => [name, f.meta]));
    lap("load_ms");
    const table = analysisTableName(spec, file);
    // From here on the study file's SQL runs: in DuckDB only on a locked engine (data/sandbox.ts). With --db the
    // steps run in PostgreSQL, and DuckDB is locked once the analysis table is copied back.
    if (!options.dbUrl) await lockDown();
    await runPrepare(db, spec, file, table, logger, options.dbUrl, { timeoutMs: options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS });
    if (options.dbUrl) await lockDown();
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
      const risk = spec.risk;
      if (!risk) throw new Error("a risk study without a risk section passed validation");
      const out = await runRisk(db, spec, file, logger);
      lap("model_ms");
      const { data, ...rest } = out.results;
      results = {
        study: "risk",
        ...common,
        data: { ...data, inputs, table_rows: tableRows, ...(await dateRange(db, risk.date)) } as Results["data"],
        dashboard,
        ...rest,
      };
      await writeText(staged.dir, "model.json", stableJson(out.model));
      await writeDesignParquet(db, join(staged.dir, "features.parquet"), out.design.X, out.design.names, out.keep, risk.id);
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
    const { kept } = await staged.commit();
    if (kept.length)
      logger.info(`kept ${kept.length} file${kept.length === 1 ? "" : "s"} openbeat did not write in ${options.out}: ${kept.join(", ")}`);
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
  return { date_range: { column, min: typeof r.lo === "string" ? r.lo : null, max: typeof r.hi === "string" ? r.hi : null } };
}
