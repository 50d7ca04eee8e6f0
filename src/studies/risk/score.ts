import { open, stat } from "node:fs/promises";
import { Db } from "../../data/Db.js";
import { countRowsSql } from "../../data/sql/tables.js";
import { loadCsv } from "../../data/sources/load-csv.js";
import { encodeSparse, type UnseenCounts } from "../../features/encode.js";
import { predictProba } from "../../ml/logistic-regression.js";
import { UserError } from "../../util/errors.js";
import type { Warning } from "../../util/logger.js";
import * as msg from "../../util/messages.js";
import { featureColumns, readFeatureInput } from "../analysis-table.js";
import { reservedColumn } from "../reserved-columns.js";
import { applyCalibrator } from "./calibration.js";
import type { RiskModelFile } from "./model-file.js";
import { castCheckSql, columnTextSql, loadParquetSql, renameColumnSql, ROWID_STANDIN, scoringTableSql } from "./sql.js";
import { iota, mapUint8 } from "../../util/typed-arrays.js";

/** Scores of new rows under a fitted risk model. */
export interface ScoreResult {
  /** Name of the id column written beside the scores, or null (rows are numbered from 1 in file order). */
  idColumn: string | null;
  /** Row labels: ids, or data-row numbers in the file (1 = the first row after the header). */
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

/** DuckDB type names a model's `input_types` may give (a plain or parameterised type name, no expressions). */
const TYPE_NAME = /^[A-Z][A-Z0-9_ ]*(\(\d+(, ?\d+)?\))?$/;

/** True when the file starts with Parquet's magic bytes `PAR1`. */
async function isParquet(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString("latin1") === "PAR1";
  } finally {
    await handle.close();
  }
}

/**
 * The type each categorical and date column is read as: the type it had in the analysis table the model was trained
 * on (model.json's `input_types`), else text for categories and TIMESTAMP for dates. Numeric columns are read as
 * numbers by the feature reader, which reports values that are not.
 */
function trainedTypes(model: RiskModelFile): Record<string, string> {
  const types: Record<string, string> = {};
  const given = new Map(Object.entries(model.input_types ?? {}));
  const pick = (c: string, fallback: string) => {
    const t = given.get(c)?.toUpperCase();
    types[c] = t && TYPE_NAME.test(t) ? t : fallback;
  };
  for (const c of model.features.categorical) pick(c, "VARCHAR");
  for (const d of model.features.dates) pick(d.column, "TIMESTAMP");
  return types;
}

/**
 * Scores each row of a CSV or Parquet file with a fitted risk model: the raw score of the scoring model and the
 * calibrated risk (model.json's calibration applied to it), flagged at the model's threshold on the calibrated risk.
 * The file is read with the column types the model was trained on (no type guessing: a yes/no column stays text), and
 * rows are labelled by the model's id column when the input has it, else by their position in the file.
 * @param model the model (see readModel)
 * @param modelPath its path, for messages
 * @param inputPath CSV or Parquet file with the model's feature columns (Parquet is recognised by its content)
 */
export async function scoreFile(model: RiskModelFile, modelPath: string, inputPath: string): Promise<ScoreResult> {
  const needed = featureColumns(model.features);
  const s = await stat(inputPath).catch(() => null);
  if (!s) throw new UserError("score.input_missing", msg.scoreInputNotFound(inputPath, needed));
  if (!s.isFile())
    throw new UserError("score.input_missing", msg.scoreInputNotFile(inputPath, s.isDirectory() ? "a folder" : "not a regular file"));
  const db = await Db.open();
  try {
    const warnings: Warning[] = [];
    if (await isParquet(inputPath)) {
      await db.exec(loadParquetSql(INPUT, inputPath)).catch((e: unknown) => {
        throw new UserError("source.load", msg.sourceLoadFailed(inputPath, e instanceof Error ? e.message : String(e)), { cause: e });
      });
    } else {
      // Every column as text: the trained types are applied below, so nothing depends on DuckDB's guess.
      const loaded = await loadCsv(db, INPUT, inputPath, { allText: true });
      warnings.push(...loaded.warnings);
      const rejected = loaded.warnings.find((w) => w.code === "csv.rejected_rows");
      if (rejected && !(model.id && (await db.columns(INPUT)).some((c) => c.name === model.id))) {
        throw new UserError("score.input_rows", msg.scoreRowsRejected(inputPath, Number(rejected.rows), Number(rejected.first_line)));
      }
    }
    return await scoreLoaded(db, model, modelPath, INPUT, inputPath, warnings);
  } finally {
    await db.close();
  }
}

/**
 * Scores the rows of a table already loaded into `db` (in its insertion order), as {@link scoreFile} does once the
 * input is loaded: trained types, reserved and missing columns checked, rows labelled by the model's id column when
 * the table has it, else numbered from 1 in table order.
 * @param db the database holding `table`
 * @param model the model
 * @param modelPath its path, for messages
 * @param table the loaded rows
 * @param where what to name in messages (the input file, or the exports a study made the rows from)
 * @param warnings warnings met while loading, returned with the scores
 */
export async function scoreLoaded(
  db: Db,
  model: RiskModelFile,
  modelPath: string,
  table: string,
  where: string,
  warnings: Warning[] = [],
): Promise<ScoreResult> {
  const needed = featureColumns(model.features);
  const loadedColumns = (await db.columns(table)).map((c) => c.name);
  const clash = reservedColumn(loadedColumns.filter((c) => c.toLowerCase() !== "_row"));
  if (clash && needed.includes(clash)) throw new UserError("data.reserved_column", msg.reservedColumn(where, "the input", clash));
  const absent = needed.filter((c) => !loadedColumns.includes(c));
  if (absent.length) throw new UserError("score.input_columns", msg.scoreInputColumns(where, modelPath, absent, needed, loadedColumns));
  const toCast = trainedTypes(model);
  const checked = Object.fromEntries(Object.entries(toCast).filter(([, t]) => t !== "VARCHAR"));
  if (Object.keys(checked).length) {
    const [row] = await db.query(castCheckSql(table, checked));
    Object.entries(checked).forEach(([c, t], i) => {
      const bad = Number(row[`bad_${i}`]);
      if (bad > 0) throw new UserError("score.input_type", msg.scoreInputType(where, c, t, bad, row[`example_${i}`]));
    });
  }
  const rowidColumn = loadedColumns.find((c) => c.toLowerCase() === "rowid");
  if (rowidColumn) await db.exec(renameColumnSql(table, rowidColumn, ROWID_STANDIN));
  const exclude = loadedColumns.filter((c) => c.toLowerCase() === "_row");
  await db.exec(scoringTableSql(SCORED, table, { casts: toCast, rowidColumn, exclude }));
  const input = await readFeatureInput(db, SCORED, model.features, where, { check: false });
  const n = Number((await db.query(countRowsSql(SCORED)))[0].n);
  const rows = iota(n);
  const { X, unseen } = encodeSparse(model.encoder, input, rows);
  const raw = predictProba({ coef: Float64Array.from(model.coef), intercept: model.intercept, iterations: 0, converged: true, C: 1 }, X);
  const scores = applyCalibrator(model.calibration ?? { method: "none" }, raw);
  const idColumn = model.id && loadedColumns.includes(model.id) ? model.id : null;
  const ids = idColumn
    ? ((await db.queryColumns(columnTextSql(SCORED, idColumn))).columns[0] as (string | null)[]).map((v) => v ?? "")
    : Array.from({ length: n }, (_, i) => String(i + 1));
  const flags = mapUint8(scores, (v) => (v >= model.threshold ? 1 : 0));
  return { idColumn, ids, scores, raw, flags, unseen, warnings };
}
