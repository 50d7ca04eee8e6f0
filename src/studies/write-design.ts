import { createTableFromColumns, type ColumnData } from "../data/create-table.js";
import type { Db } from "../data/Db.js";
import { quoteIdent, quoteString } from "../data/Db.js";
import type { Matrix } from "../ml/matrix.js";
import { isSparse, type SparseMatrix } from "../ml/sparse.js";
import { ANALYSIS } from "./analysis-table.js";

/**
 * Writes the design matrix as features.parquet: `_row` (row of prepared.parquet), the id column when the study
 * names one, then one column per feature, named `COLUMN=value` for one-hot columns.
 */
export async function writeDesignParquet(
  db: Db,
  path: string,
  X: Matrix | SparseMatrix,
  names: string[],
  keep: Int32Array,
  id?: string,
): Promise<void> {
  const n = X.rows;
  const p = X.cols;
  const cols: Float64Array[] = names.map(() => new Float64Array(n));
  if (isSparse(X)) {
    for (let i = 0; i < n; ++i) for (let k = X.indptr[i]; k < X.indptr[i + 1]; ++k) cols[X.indices[k]][i] = X.values[k];
  } else {
    for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) cols[j][i] = X.data[i * p + j];
  }
  const columns: ColumnData[] = [
    { name: "_row", type: "INTEGER", values: keep },
    ...names.map((name, j) => ({ name, type: "DOUBLE" as const, values: cols[j] })),
  ];
  await createTableFromColumns(db, "_design", columns);
  const idSql = id ? `, a.${quoteIdent(id)}` : "";
  const feats = names.map((nm) => `d.${quoteIdent(nm)}`).join(", ");
  await db.exec(
    `COPY (SELECT d._row${idSql}${feats ? ", " + feats : ""} FROM _design d JOIN ${ANALYSIS} a USING (_row) ORDER BY d._row) TO ${quoteString(path)} (FORMAT parquet)`,
  );
  await db.exec(`DROP TABLE _design`);
}

/** Table holding the per-row model output (`_score` or `_cluster`) by `_row`, kept for later queries of the run. */
export const ROW_OUTPUT = "_row_output";

/**
 * Writes prepared.parquet: the analysis table plus one model output per row (`_score` for risk, `_cluster` for
 * segments; NaN where a row was left out becomes NULL). The output also stays in {@link ROW_OUTPUT}.
 */
export async function writePreparedParquet(db: Db, path: string, column: "_score" | "_cluster", values: Float64Array): Promise<void> {
  await createTableFromColumns(db, ROW_OUTPUT, [
    { name: "_row", type: "INTEGER", values: Int32Array.from(values.keys()) },
    { name: column, type: column === "_score" ? "DOUBLE" : "INTEGER", values },
  ]);
  await db.exec(
    `COPY (SELECT a.*, o.${column} FROM ${ANALYSIS} a JOIN ${ROW_OUTPUT} o USING (_row) ORDER BY _row) TO ${quoteString(path)} (FORMAT parquet)`,
  );
}
