import { randomUUID } from "node:crypto";
import { realpathSync, statSync } from "node:fs";
import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { readModel } from "../studies/risk/model-file.js";
import { scoreFile, type ScoreResult } from "../studies/risk/score.js";
import { scoreRawExports, type LeftOut } from "../studies/risk/score-raw.js";
import type { StudySpec } from "../studies/registry.js";
import type { SourceReplacements } from "../studies/replay-study.js";
import { loadStudy, parseStudy } from "../studies/study-file/load-study.js";
import { Logger } from "../util/logger.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import { cliIo } from "./io.js";

/**
 * One CSV cell: quoted when it holds a delimiter, quote or line break, and prefixed with `'` when it starts with a
 * character a spreadsheet reads as a formula (`=`, `+`, `-`, `@`, tab, carriage return), as OWASP's "CSV Injection"
 * page recommends.
 * @param v the cell's text
 */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** True unless `path` exists and is a device, FIFO or socket (written in place: it cannot be renamed over). */
function isRegularOrAbsent(path: string): boolean {
  try {
    const s = statSync(path);
    return s.isFile() || s.isDirectory();
  } catch {
    return true;
  }
}

/** The real path of a file that may not exist yet: its folder resolved through links, then its name. */
function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/** Options of `openbeat score`. */
export interface ScoreCommandOptions {
  out?: string;
  /** The inputs are raw exports: apply the study's source loading and prepare SQL first. */
  raw?: boolean;
  /** `NAME=FILE`: a new file that takes the place of the study's source NAME (repeatable; implies --raw). */
  source?: string[];
  /** The study file to replay instead of the one recorded in the results folder (implies --raw). */
  study?: string;
  /** Folder the study's own source paths are relative to, for sources that are not replaced. */
  data?: string;
  /** Longest a prepare step may run, in milliseconds. */
  timeout?: number;
}

/** The model file and its results folder, from either of them. */
async function modelAndFolder(arg: string): Promise<{ modelPath: string; dir: string }> {
  const s = await stat(arg).catch(() => null);
  return s?.isDirectory() ? { modelPath: join(arg, "model.json"), dir: arg } : { modelPath: arg, dir: dirname(arg) };
}

/**
 * The study to replay: `--study FILE` when given (with a warning when the results folder recorded another text),
 * else the text the run recorded in manifest.json (`study_text`), parsed as the run parsed it.
 */
async function studyToReplay(
  dir: string,
  studyOption: string | undefined,
): Promise<{ spec: StudySpec; file: string; sourceTypes?: Record<string, Record<string, string>>; text: string }> {
  const manifestPath = join(dir, "manifest.json");
  let manifest: Record<string, unknown> | null = null;
  try {
    const v: unknown = JSON.parse(await readFile(manifestPath, "utf8"));
    if (v && typeof v === "object" && !Array.isArray(v)) manifest = v as Record<string, unknown>;
  } catch {
    manifest = null;
  }
  const recorded = typeof manifest?.study_text === "string" ? manifest.study_text : undefined;
  const sourceTypes = recordedTypes(manifest?.source_columns);
  if (studyOption !== undefined) {
    const loaded = await loadStudy(studyOption);
    if (recorded !== undefined && recorded !== loaded.text)
      cliIo().stderr.write(`warning: ${msg.scoreStudyDiffers(studyOption, manifestPath)}\n`);
    return { spec: loaded.spec, file: studyOption, sourceTypes, text: loaded.text };
  }
  if (!manifest) throw new UserError("score.no_study", msg.scoreNoStudy(dir, "no readable manifest.json beside model.json"));
  if (recorded === undefined)
    throw new UserError("score.no_study", msg.scoreNoStudy(dir, "manifest.json does not record the study file's text"));
  const file = typeof manifest.study_file === "string" && manifest.study_file ? manifest.study_file : join(dir, "study.yaml");
  return { spec: parseStudy(recorded, file), file, sourceTypes, text: recorded };
}

/** The manifest's `source_columns` when it has the expected shape (source to column to type), else undefined. */
function recordedTypes(value: unknown): Record<string, Record<string, string>> | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const out: Record<string, Record<string, string>> = {};
  for (const [source, columns] of Object.entries(value)) {
    if (!columns || typeof columns !== "object" || Array.isArray(columns)) return undefined;
    out[source] = Object.fromEntries(Object.entries(columns as Record<string, unknown>).filter(([, t]) => typeof t === "string")) as Record<
      string,
      string
    >;
  }
  return out;
}

/** The new files by source: `--source NAME=FILE` entries, and positional files for a study with one source. */
export function sourceReplacements(sourceNames: string[], positional: string[], sourceArgs: string[]): SourceReplacements {
  const out: SourceReplacements = new Map();
  const add = (name: string, file: string) => out.set(name, [...(out.get(name) ?? []), file]);
  for (const arg of sourceArgs) {
    const eq = arg.indexOf("=");
    if (eq <= 0 || eq === arg.length - 1) throw new UserError("score.source_arg", msg.scoreSourceArg(arg));
    add(arg.slice(0, eq), arg.slice(eq + 1));
  }
  if (positional.length) {
    if (sourceNames.length !== 1) throw new UserError("score.which_source", msg.scoreWhichSource(positional, sourceNames));
    for (const f of positional) add(sourceNames[0], f);
  }
  if (!out.size) throw new UserError("score.inputs", msg.scoreNoExports(sourceNames));
  return out;
}

/**
 * `openbeat score MODEL INPUT`: scores each row of a CSV or Parquet file with a fitted risk model. Writes id (when
 * the model has one) or row (the data row's place in the file), score (the calibrated risk), score_raw (the model's
 * raw score, for ranking), both at full precision (shortest round-trip decimals), and flag (score ≥ the study's threshold). Unseen categories are counted and reported on
 * stderr. `--out` may be neither the input nor the model, and is written whole or not at all.
 *
 * With `--raw` (or `--source`, `--study`) the inputs are raw exports: the study's source loading rules and prepare SQL
 * (recorded in the results folder's manifest.json, or `--study`) make the analysis table from them, as a run does,
 * and each of its rows is scored; without an id column rows are numbered in the analysis table's order. MODEL may be
 * the results folder or its model.json.
 */
export async function scoreCommand(modelArg: string, inputs: string[], options: ScoreCommandOptions): Promise<void> {
  const io = cliIo();
  const raw = options.raw === true || (options.source?.length ?? 0) > 0 || options.study !== undefined;
  if (!raw && inputs.length !== 1) throw new UserError("score.inputs", msg.scoreInputs(inputs.length));
  const { modelPath, dir } = await modelAndFolder(modelArg);
  const files = [...inputs, ...(options.source ?? []).map((a) => a.slice(a.indexOf("=") + 1))];
  if (options.out !== undefined) {
    const target = realTarget(options.out);
    for (const f of files)
      if (target === realTarget(f)) throw new UserError("score.out_conflict", msg.scoreOutConflict(options.out, "the input file"));
    if (target === realTarget(modelPath)) throw new UserError("score.out_conflict", msg.scoreOutConflict(options.out, "the model file"));
  }
  const model = await readModel(modelPath);
  let r: ScoreResult;
  let leftOut: LeftOut[] = [];
  if (raw) {
    const { spec, file, sourceTypes, text } = await studyToReplay(dir, options.study);
    const replacements = sourceReplacements(Object.keys(spec.sources), inputs, options.source ?? []);
    const logger = new Logger({ stream: io.stderr });
    const result = await scoreRawExports(model, modelPath, spec, replacements, {
      studyFile: file,
      dataDir: options.data,
      sourceTypes,
      studyText: text,
      logger,
      timeoutMs: options.timeout,
    });
    // The logger has printed the loaders' warnings already.
    r = { ...result, warnings: [] };
    leftOut = result.leftOut;
  } else r = await scoreFile(model, modelPath, inputs[0]);
  for (const w of r.warnings) io.stderr.write(`warning: ${w.message}\n`);
  const lines = [[csvCell(r.idColumn ?? "row"), "score", "score_raw", "flag"].join(",")];
  for (let i = 0; i < r.scores.length; ++i) lines.push([csvCell(r.ids[i]), String(r.scores[i]), String(r.raw[i]), r.flags[i]].join(","));
  const text = lines.join("\n") + "\n";
  if (options.out && !isRegularOrAbsent(options.out)) {
    const out = options.out;
    // A write error (ENOSPC on /dev/full) carries no path of its own; the message names the file.
    await writeFile(out, text).catch((e: unknown) => {
      if (e instanceof Error) (e as NodeJS.ErrnoException).path ??= out;
      throw e;
    });
  } else if (options.out) {
    // Written beside the target and renamed over it, so a failed write never leaves half a file.
    const temp = join(dirname(resolve(options.out)), `.${basename(options.out)}.tmp-${randomUUID()}`);
    try {
      await writeFile(temp, text);
      await rename(temp, options.out);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  } else io.stdout.write(text);
  for (const l of leftOut) io.stderr.write(`warning: ${msg.scoreLeftOut(l.rows, l.reason)}\n`);
  for (const [col, count] of Object.entries(r.unseen)) {
    io.stderr.write(
      `warning: ${count} rows have a ${col} value the model never saw; they were scored as "(other)" or with no ${col} effect\n`,
    );
  }
  const flagged = r.flags.reduce((a, v) => a + v, 0);
  io.stderr.write(
    `scored ${r.scores.length} rows with ${modelPath}: ${flagged} flagged (calibrated risk ≥ ${model.threshold.toPrecision(4)})${options.out ? `; wrote ${options.out}` : ""}\n`,
  );
}
