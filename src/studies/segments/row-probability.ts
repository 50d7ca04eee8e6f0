import { createTableFromColumns } from "../../data/create-table.js";
import type { Db } from "../../data/Db.js";
import { quoteIdent } from "../../data/Db.js";

/** The per-row output table with `_cluster_probability` added. */
export const ROWS_WITH_PROBABILITY = "_segments_rows_probability";

/**
 * SQL that copies a per-row output table (`_row`, …, `_cluster`) and adds `_cluster_probability` from a table of
 * (`_row`, `_cluster_probability`), ordered by `_row`.
 * @param rows the per-row output table
 * @param probabilities the table of row probabilities
 * @param out the table to create
 */
export function withProbabilitySql(rows: string, probabilities: string, out: string): string {
  return `CREATE OR REPLACE TABLE ${quoteIdent(out)} AS SELECT r.*, p._cluster_probability FROM ${quoteIdent(rows)} r LEFT JOIN ${quoteIdent(probabilities)} p USING (_row) ORDER BY r._row`;
}

/**
 * Adds each row's posterior probability of its (modal) class as `_cluster_probability` to the per-row output:
 * a new table {@link ROWS_WITH_PROBABILITY} that prepared.parquet takes its per-row columns from. Rows the study
 * left out hold NULL.
 * @param db the database
 * @param rows the per-row output table (`_segments_rows`)
 * @param probability one value per analysis row (NaN for rows left out)
 * @returns the name of the new table
 */
export async function addClusterProbability(db: Db, rows: string, probability: Float64Array): Promise<string> {
  const table = "_segments_probability";
  await createTableFromColumns(db, table, [
    { name: "_row", type: "INTEGER", values: Int32Array.from(probability.keys()) },
    { name: "_cluster_probability", type: "DOUBLE", values: probability },
  ]);
  await db.exec(withProbabilitySql(rows, table, ROWS_WITH_PROBABILITY));
  return ROWS_WITH_PROBABILITY;
}
