import { stat } from "node:fs/promises";
import { Db } from "../../data/Db.js";
import { countRowsSql } from "../../data/sql/tables.js";
import { loadCsv } from "../../data/sources/load-csv.js";
import { encodeSparse, type UnseenCounts } from "../../features/encode.js";
import { predictProba } from "../../ml/logistic-regression.js";
import { UserError } from "../../util/errors.js";
import type { Warning } from "../../util/logger.js";
import * as msg from "../../util/messages.js";
import { featureColumns, readFeatureInput } from "../analysis-table.js";
import { applyCalibrator } from "./calibration.js";
import type { RiskModelFile } from "./model-file.js";
import { columnTextSql, scoringTableSql } from "./sql.js";

/** Scores of new rows under a fitted risk model. */
export interface ScoreResult {
  /** Name of the id column written beside the scores, or null (rows are numbered from 1). */
  idColumn: string | null;
  /** Row labels: ids, or row numbers. */
  ids: string[];
  /** Calibrated risk (the raw score for model files without a calibration). */
  scores: Float64Array;
  /** Raw model score, for ranking. */
  raw: Float64Array;
  /** score >= the model's threshold. */
  flags: Uint8Array;
  /** Rows per column whose value the model never saw. */
  unseen: UnseenCounts;
  /** Warnings from reading the input file. */
  warnings: Warning[];
}

/** The input file as loaded, and numbered in file order. */
const INPUT = "input";
const SCORED = "scored";

/**
 * Scores each row of a CSV file with a fitted risk model: the raw score of the scoring model and the calibrated
 * risk (model.json's calibration applied to it), flagged at the model's threshold on the calibrated risk.
 * @param model the model (see readModel)
 * @param modelPath its path, for messages
 * @param inputPath CSV file with the model's feature columns
 */
export async function scoreFile(model: RiskModelFile, modelPath: string, inputPath: string): Promise<ScoreResult> {
  const db = await Db.open();
  try {
    const s = await stat(inputPath).catch(() => null);
    if (!s || !s.isFile())
      throw new UserError(
        "score.input_missing",
        msg.scoreInputNotFound(inputPath, [...model.features.categorical, ...model.features.numeric]),
      );
    const loaded = await loadCsv(db, INPUT, inputPath);
    await db.exec(scoringTableSql(SCORED, INPUT));
    const needed = featureColumns(model.features);
    const present = (await db.columns(SCORED)).map((c) => c.name);
    const absent = needed.filter((c) => !present.includes(c));
    if (absent.length) throw new UserError("score.input_columns", msg.scoreInputColumns(inputPath, modelPath, absent, needed, present));
    const input = await readFeatureInput(db, SCORED, model.features, inputPath, { check: false });
    const n = Number((await db.query(countRowsSql(SCORED)))[0].n);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const { X, unseen } = encodeSparse(model.encoder, input, rows);
    const raw = predictProba({ coef: Float64Array.from(model.coef), intercept: model.intercept, iterations: 0, converged: true, C: 1 }, X);
    const scores = applyCalibrator(model.calibration ?? { method: "none" }, raw);
    const idColumn = model.id && present.includes(model.id) ? model.id : null;
    const ids = idColumn
      ? ((await db.queryColumns(columnTextSql(SCORED, idColumn))).columns[0] as (string | null)[]).map((v) => v ?? "")
      : Array.from({ length: n }, (_, i) => String(i + 1));
    const flags = Uint8Array.from(scores, (v) => (v >= model.threshold ? 1 : 0));
    return { idColumn, ids, scores, raw, flags, unseen, warnings: loaded.warnings };
  } finally {
    await db.close();
  }
}
