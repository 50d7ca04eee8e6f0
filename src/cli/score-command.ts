import { writeFile } from "node:fs/promises";
import { readModel } from "../studies/risk/model-file.js";
import { scoreFile } from "../studies/risk/score.js";
import { cliIo } from "./io.js";

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * `openbeat score MODEL INPUT`: scores each row of a CSV with a fitted risk model. Writes id (when the model has
 * one), score (the calibrated risk), score_raw (the model's raw score, for ranking) and flag (score ≥ the study's
 * threshold). Unseen categories are counted and reported on stderr.
 */
export async function scoreCommand(modelPath: string, inputPath: string, options: { out?: string }): Promise<void> {
  const io = cliIo();
  const model = await readModel(modelPath);
  const r = await scoreFile(model, modelPath, inputPath);
  for (const w of r.warnings) io.stderr.write(`warning: ${w.message}\n`);
  const lines = [[r.idColumn ?? "row", "score", "score_raw", "flag"].join(",")];
  for (let i = 0; i < r.scores.length; ++i)
    lines.push([csvCell(r.ids[i]), r.scores[i].toFixed(6), r.raw[i].toFixed(6), r.flags[i]].join(","));
  const text = lines.join("\n") + "\n";
  if (options.out) await writeFile(options.out, text);
  else io.stdout.write(text);
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
