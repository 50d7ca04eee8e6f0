import { basename, extname, join } from "node:path";
import { loadStudy } from "../studies/study-file/load-study.js";
import { runStudy } from "../studies/run-study.js";
import { isUserError, UserError } from "../util/errors.js";
import { Logger } from "../util/logger.js";
import { cliIo } from "./io.js";
import { printSummary } from "./summary.js";
import { exportResults } from "../studies/export-results.js";
import * as msg from "../util/messages.js";

export interface RunCommandOptions {
  data?: string;
  out?: string;
  seed?: number;
  db?: string;
  quiet?: boolean;
  cache?: string;
  refresh?: boolean;
  exportDb?: string;
  exportSchema?: string;
  force?: boolean;
  allowOutsidePaths?: boolean;
  /** Milliseconds (parsed by the CLI). */
  timeout?: number;
  memoryLimit?: string;
}

/** `openbeat run STUDY`: runs the study, prints progress on stderr and a short summary on stdout. */
export async function runCommand(studyFile: string, options: RunCommandOptions): Promise<void> {
  const io = cliIo();
  const loaded = await loadStudy(studyFile);
  const out = options.out ?? join("out", basename(studyFile, extname(studyFile)));
  const logger = new Logger({ silent: options.quiet, stream: io.stderr });
  const started = performance.now();
  let summary;
  try {
    summary = await runStudy(loaded, {
      dataDir: options.data,
      out,
      seed: options.seed,
      logger,
      dbUrl: options.db,
      cacheDir: options.cache,
      refresh: options.refresh,
      force: options.force,
      allowOutsidePaths: options.allowOutsidePaths,
      timeoutMs: options.timeout,
      memoryLimit: options.memoryLimit,
      progress: io.stderr,
    });
  } catch (e) {
    // Every run error names the study file, even when the code that raised it did not know it.
    if (isUserError(e) && !e.message.startsWith("--") && !e.message.includes(studyFile))
      throw new UserError(e.code, msg.inStudyFile(studyFile, e.message), { cause: e });
    throw e;
  }
  printSummary(summary.results, out, performance.now() - started, io.stdout, summary.policy);
  if (options.exportDb) {
    const schema = options.exportSchema ?? "openbeat";
    const counts = await exportResults(summary.results, out, options.exportDb, schema);
    io.stdout.write(
      `  exported to PostgreSQL schema ${schema}: ${Object.entries(counts)
        .map(([t, n]) => `${t} (${n.toLocaleString("en-US")} rows)`)
        .join(", ")}\n`,
    );
  }
}
