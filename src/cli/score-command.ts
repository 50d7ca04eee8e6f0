import { randomUUID } from "node:crypto";
import { realpathSync, statSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { readModel } from "../studies/risk/model-file.js";
import { scoreFile } from "../studies/risk/score.js";
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

/**
 * `openbeat score MODEL INPUT`: scores each row of a CSV or Parquet file with a fitted risk model. Writes id (when
 * the model has one) or row (the data row's place in the file), score (the calibrated risk), score_raw (the model's
 * raw score, for ranking), both at full precision (shortest round-trip decimals), and flag (score ≥ the study's threshold). Unseen categories are counted and reported on
 * stderr. `--out` may be neither the input nor the model, and is written whole or not at all.
 */
export async function scoreCommand(modelPath: string, inputPath: string, options: { out?: string }): Promise<void> {
  const io = cliIo();
  if (options.out !== undefined) {
    const target = realTarget(options.out);
    if (target === realTarget(inputPath)) throw new UserError("score.out_conflict", msg.scoreOutConflict(options.out, "the input file"));
    if (target === realTarget(modelPath)) throw new UserError("score.out_conflict", msg.scoreOutConflict(options.out, "the model file"));
  }
  const model = await readModel(modelPath);
  const r = await scoreFile(model, modelPath, inputPath);
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
