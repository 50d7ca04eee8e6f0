import { readFile, stat, writeFile } from "node:fs/promises";
import { Db, quoteIdent } from "../data/Db.js";
import { loadCsv } from "../data/sources/load-csv.js";
import { encodeSparse } from "../features/encode.js";
import { predictProba } from "../ml/logistic-regression.js";
import { featureColumns, readFeatureInput } from "../studies/analysis-table.js";
import type { RiskModelFile } from "../studies/risk/run-risk.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";

/** Reads and checks a model.json; a file that is not an openbeat risk model is a user error. */
export async function readModel(path: string): Promise<RiskModelFile> {
  const s = await stat(path).catch(() => null);
  if (!s || !s.isFile())
    throw new UserError("score.model_missing", `${path}: model file not found; pass the model.json of a risk study's results folder`);
  let model: RiskModelFile;
  try {
    model = JSON.parse(await readFile(path, "utf8"));
  } catch {
    throw new UserError("score.model_invalid", `${path}: not valid JSON; pass the model.json of a risk study's results folder`);
  }
  if (!model || model.openbeat_model !== 1 || model.kind !== "risk" || !Array.isArray(model.coef) || !model.encoder) {
    throw new UserError("score.model_invalid", `${path}: not an openbeat risk model (model.json from "openbeat run" on a risk study)`);
  }
  if (model.coef.length !== model.encoder.features.length) {
    throw new UserError(
      "score.model_invalid",
      `${path}: model has ${model.coef.length} coefficients for ${model.encoder.features.length} features; the file was edited or comes from another version`,
    );
  }
  return model;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * `openbeat score MODEL INPUT`: scores each row of a CSV with a fitted risk model. Writes id (when the model has
 * one), score and flag (score ≥ the study's threshold). Unseen categories are counted and reported on stderr.
 */
export async function scoreCommand(modelPath: string, inputPath: string, options: { out?: string }): Promise<void> {
  const model = await readModel(modelPath);
  const db = await Db.open();
  try {
    const s = await stat(inputPath).catch(() => null);
    if (!s || !s.isFile())
      throw new UserError(
        "score.input_missing",
        `${inputPath}: input file not found; give a CSV with the columns ${[...model.features.categorical, ...model.features.numeric].join(", ")}`,
      );
    const loaded = await loadCsv(db, "input", inputPath);
    for (const w of loaded.warnings) process.stderr.write(`warning: ${w.message}\n`);
    await db.exec(`CREATE OR REPLACE TABLE scored AS SELECT (rowid)::INTEGER AS _row, * FROM input ORDER BY rowid`);
    const needed = featureColumns(model.features);
    const present = (await db.columns("scored")).map((c) => c.name);
    const absent = needed.filter((c) => !present.includes(c));
    if (absent.length) throw new UserError("score.input_columns", msg.scoreInputColumns(inputPath, modelPath, absent, needed, present));
    const input = await readFeatureInput(db, "scored", model.features, `${inputPath}`, { check: false });
    const n = Number((await db.query(`SELECT count(*)::INTEGER AS n FROM scored`))[0].n);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const { X, unseen } = encodeSparse(model.encoder, input, rows);
    const p = predictProba({ coef: Float64Array.from(model.coef), intercept: model.intercept, iterations: 0, converged: true, C: 1 }, X);
    const idCol = model.id && (await db.columns("scored")).some((c) => c.name === model.id) ? model.id : null;
    const ids = idCol
      ? ((await db.queryColumns(`SELECT CAST(${quoteIdent(idCol)} AS VARCHAR) FROM scored ORDER BY _row`)).columns[0] as unknown[])
      : null;
    const lines = [[...(idCol ? [idCol] : ["row"]), "score", "flag"].join(",")];
    for (let i = 0; i < n; ++i) lines.push([csvCell(ids ? ids[i] : i + 1), p[i].toFixed(6), p[i] >= model.threshold ? 1 : 0].join(","));
    const text = lines.join("\n") + "\n";
    if (options.out) await writeFile(options.out, text);
    else process.stdout.write(text);
    for (const [col, count] of Object.entries(unseen)) {
      process.stderr.write(
        `warning: ${count} rows have a ${col} value the model never saw; they were scored as "(other)" or with no ${col} effect\n`,
      );
    }
    const flagged = Array.from(p).filter((v) => v >= model.threshold).length;
    process.stderr.write(
      `scored ${n} rows with ${modelPath}: ${flagged} flagged (score ≥ ${model.threshold})${options.out ? `; wrote ${options.out}` : ""}\n`,
    );
  } finally {
    await db.close();
  }
}
