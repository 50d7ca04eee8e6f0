import { join } from "node:path";
import { Db, quoteString } from "../../src/data/Db.js";
import { applyCalibrator } from "../../src/studies/risk/calibration.js";
import type { RiskModelFile } from "../../src/studies/risk/model-file.js";

/**
 * The reference for `openbeat score` on a study's own rows: the final model of model.json applied to the design
 * matrix the run wrote (features.parquet), σ(intercept + x·coef) and its calibration, by the id column.
 * @param out the run's results folder
 * @param model its model.json, read
 */
export async function referenceScores(out: string, model: RiskModelFile): Promise<Map<string, { raw: number; score: number }>> {
  const db = await Db.open();
  try {
    const { names, columns } = await db.queryColumns(
      `SELECT * FROM read_parquet(${quoteString(join(out, "features.parquet"))}) ORDER BY _row`,
    );
    const idIndex = names.indexOf(model.id ?? "");
    if (idIndex < 0) throw new Error("features.parquet has no id column");
    const n = columns[0].length;
    const raw = new Float64Array(n);
    const index = model.encoder.features.map((f) => {
      const k = names.indexOf(f.name);
      if (k < 0) throw new Error(`features.parquet lacks ${f.name}`);
      return k;
    });
    for (let i = 0; i < n; ++i) {
      let z = model.intercept;
      index.forEach((k, j) => (z += model.coef[j] * (columns[k][i] as number)));
      raw[i] = 1 / (1 + Math.exp(-z));
    }
    const cal = applyCalibrator(model.calibration ?? { method: "none" }, raw);
    return new Map(Array.from({ length: n }, (_, i) => [String(columns[idIndex][i]), { raw: raw[i], score: cal[i] }]));
  } finally {
    await db.close();
  }
}

/** Largest |values[i] - pick(ids[i])|. */
export function maxDiff(ids: string[], values: Float64Array, pick: (id: string) => number): number {
  let d = 0;
  ids.forEach((id, i) => (d = Math.max(d, Math.abs(values[i] - pick(id)))));
  return d;
}
