import { version as duckdbVersion } from "@duckdb/node-api";
import { Db, defaultMemoryLimit } from "../data/Db.js";
import { loadSources } from "../data/load-sources.js";
import { resolvePortalSources } from "../data/portal/index.js";
import { manifestSchema, resultsSchema } from "../results/schema.js";
import type { ComputedResults, InputInfo, Manifest, Results } from "../results/types.js";
import { UserError } from "../util/errors.js";
import { Logger, type TextSink } from "../util/logger.js";
import * as msg from "../util/messages.js";
import { VERSION } from "../util/version.js";
import { ANALYSIS, analysisTableName, prepareAnalysisTable, requireColumns } from "./analysis-table.js";
import { buildDashboardInfo } from "./dashboard-info.js";
import type { KindOutput } from "./kind.js";
import { runPrepare } from "./prepare.js";
import { activeKind } from "./registry.js";
import type { LoadedStudy } from "./study-file/load-study.js";
import { writeOutput } from "./write-output.js";
import { openResultsFolder, stableJson } from "./results-folder.js";
import { protectedInputs } from "./protected-inputs.js";
import { lockDownDuckDb } from "../data/sandbox.js";
import { resolvePolicy, type DisclosurePolicy } from "../disclosure/policy.js";
import { discloseResults } from "../disclosure/results.js";

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
  /** Replace an `--out` folder written by an older openbeat, which has no marker (`--force`). */
  force?: boolean;
  /** Accept source paths outside the study file's folder and `--data` (`--allow-outside-paths`). */
  allowOutsidePaths?: boolean;
  /** Longest a prepare step may run, in milliseconds (`--timeout`; default 10 minutes, 0: no limit). */
  timeoutMs?: number;
  /** DuckDB's memory_limit (`--memory-limit`, e.g. "4GB"); default {@link defaultMemoryLimit} (1 GiB per core). */
  memoryLimit?: string;
}

/** Default `--timeout` for a prepare step: 10 minutes. */
export const DEFAULT_STEP_TIMEOUT_MS = 10 * 60_000;

export interface RunSummary {
  results: Results;
  out: string;
  /** Seconds per phase. */
  timings: Record<string, number>;
  /** The disclosure policy the run applied (the summary prints suppressed values with its threshold). */
  policy: DisclosurePolicy;
  /**
   * The results before disclosure, for in-process checks against independent references only: nothing prints or
   * writes them (every output is made from `results`).
   */
  computed: ComputedResults;
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
  const staged = await openResultsFolder(options.out, {
    force: options.force,
    protect: protectedInputs(spec, file, { dataDir: options.dataDir, cacheDir: options.cacheDir }),
    notice: (line) => {
      logger.info(line);
    },
  });
  // DuckDB spills into the staged folder's scratch folder from the start (the sources' load can spill already).
  const db = await Db.open(":memory:", { memoryLimit: options.memoryLimit ?? defaultMemoryLimit(), tempDirectory: staged.scratch }).catch(
    async (e: unknown) => {
      await staged.abort();
      throw e;
    },
  );
  const lockDown = () => lockDownDuckDb(db, { allowedDirectories: [staged.dir] });
  try {
    logger.info(`openbeat: ${spec.name} (${spec.kind} study, seed ${spec.seed})`);
    const { fetched } = await resolvePortalSources(spec, {
      studyFile: file,
      cacheDir: options.cacheDir,
      refresh: options.refresh,
      logger,
      progress: options.progress,
    });
    const fetchedFiles = new Map(
      Object.keys(fetched).map((name) => [name, { path: fetched[name].path, format: fetched[name].meta.format }]),
    );
    const inputs: InputInfo[] = await loadSources(db, spec, {
      studyFile: file,
      dataDir: options.dataDir,
      logger,
      fetched: fetchedFiles,
      allowOutsidePaths: options.allowOutsidePaths,
    });
    const portals = Object.fromEntries(Object.entries(fetched).map(([name, f]) => [name, f.meta]));
    const sourceColumns: Record<string, Record<string, string>> = {};
    for (const name of Object.keys(spec.sources))
      sourceColumns[name] = Object.fromEntries((await db.columns(name)).map((c) => [c.name, c.type]));
    lap("load");
    const table = analysisTableName(spec, file);
    // From here on the study file's SQL runs: in DuckDB only on a locked engine (data/sandbox.ts). With --db the
    // steps run in PostgreSQL, and DuckDB is locked once the analysis table is copied back.
    if (!options.dbUrl) await lockDown();
    await runPrepare(db, spec, file, table, logger, options.dbUrl, {
      timeoutMs: options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
      text: loaded.text,
    });
    if (options.dbUrl) await lockDown();
    const tableRows = await prepareAnalysisTable(db, table, file);
    if (tableRows === 0) {
      throw new UserError("data.empty", msg.analysisTableEmpty(file, table, spec.prepare.length > 0));
    }
    await requireColumns(db, ANALYSIS, kind.columns(), `${file}: ${kind.name}`);
    lap("prepare");

    const policy = resolvePolicy(spec.disclosure, spec.report.min_cell);
    const dashboard = await buildDashboardInfo(db, ANALYSIS, kind.dashboard());
    const out = await kind.run({ db, table: ANALYSIS, file, logger, seed: spec.seed, minCell: policy.min_cell });
    lap("model");
    // Disclosure control before anything is written: every output below is made from the disclosed results.
    const computed = assembleResults(out, {
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
    const results = discloseResults(computed, policy);
    const manifest: Manifest = {
      openbeat: VERSION,
      study_file: file,
      study_text: loaded.text,
      inputs,
      source_columns: sourceColumns,
      ...(Object.keys(portals).length ? { portals } : {}),
      seed: spec.seed,
      min_cell: policy.min_cell,
      disclosure: policy,
      files: { public: [], private: [] },
      versions: { openbeat: VERSION, node: process.version, duckdb: duckdbVersion() },
      started_at: started,
      timings,
    };
    checkContract(results, manifest);
    await writeOutput(staged.dir, { db, table: ANALYSIS, results, manifest, kind: out, logger, policy });
    lap("write");
    const { kept } = await staged.commit();
    if (kept.length)
      logger.info(`kept ${kept.length} file${kept.length === 1 ? "" : "s"} openbeat did not write in ${options.out}: ${kept.join(", ")}`);
    return { results, out: options.out, timings, policy, computed };
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
function assembleResults(out: KindOutput, c: Common): ComputedResults {
  const { data, ...rest } = out.results;
  const { date_range, ...kindData } = data;
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
  } as ComputedResults;
}

/**
 * A results.json or manifest that breaks the contract is a bug in openbeat, caught before anything is written. The
 * check reads what the files will hold (non-finite numbers are written as null).
 */
function checkContract(results: Results, manifest: Manifest): void {
  const written = (value: unknown): unknown => JSON.parse(stableJson(value));
  for (const [name, parsed] of [
    ["results.json", resultsSchema.safeParse(written(results))],
    ["manifest.json", manifestSchema.safeParse(written(manifest))],
  ] as const) {
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${name} breaks the results contract at ${issue.path.join(".")}: ${issue.message}`);
    }
  }
}
