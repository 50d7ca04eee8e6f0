import { join } from "node:path";
import { Db, type Row } from "../data/Db.js";
import { exportResultsToPg } from "../data/export-results-to-pg.js";
import { PgDb } from "../data/PgDb.js";
import type { Results } from "../results/types.js";
import { aggregateTables } from "./aggregate-tables.js";
import { rowOutputSql } from "./sql/output.js";

/**
 * The result tables written for BI tools: the aggregate tables (findings, factors and variables, or clusters,
 * profiles and k selection) and the per-row output (scores or cluster assignments) from prepared.parquet.
 */
export async function resultTables(results: Results, dir: string): Promise<Record<string, Row[]>> {
  const db = await Db.open();
  try {
    const file = join(dir, "prepared.parquet");
    const perRow: Record<string, Row[]> =
      results.study === "risk"
        ? { scores: await db.query(rowOutputSql(file, "_score", "score", [["_score_raw", "score_raw"]])) }
        : { assignments: await db.query(rowOutputSql(file, "_cluster", "cluster")) };
    return { ...aggregateTables(results), ...perRow };
  } finally {
    await db.close();
  }
}

/**
 * Writes a run's result tables into a PostgreSQL schema (`--export-db URL --export-schema NAME`), replacing tables
 * of the same name. Returns rows written per table.
 */
export async function exportResults(results: Results, dir: string, url: string, schema: string): Promise<Record<string, number>> {
  const tables = await resultTables(results, dir);
  const pg = await PgDb.open(url);
  try {
    return await exportResultsToPg(pg, schema, tables);
  } finally {
    await pg.close();
  }
}
