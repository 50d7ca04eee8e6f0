import { join } from "node:path";
import { Db, type Row } from "../data/Db.js";
import { exportResultsToPg } from "../data/export-results-to-pg.js";
import { PgDb } from "../data/PgDb.js";
import type { Results } from "../results/types.js";
import { rowOutputSql } from "./sql/output.js";

/** The result tables written for BI tools: findings and factors, or clusters and k selection; plus per-row output. */
export async function resultTables(results: Results, dir: string): Promise<Record<string, Row[]>> {
  const db = await Db.open();
  try {
    const file = join(dir, "prepared.parquet");
    if (results.study === "risk") {
      const scores = await db.query(rowOutputSql(file, "_score", "score", [["_score_raw", "score_raw"]]));
      return {
        findings: results.findings.map(({ ci95, suppressed, ...f }) => ({
          ...f,
          ci95_low: ci95?.[0] ?? null,
          ci95_high: ci95?.[1] ?? null,
          suppressed: suppressed?.join(",") ?? null,
        })),
        factors: results.factors.map(({ ci95, suppressed, ...f }) => ({
          ...f,
          ci95_low: ci95[0],
          ci95_high: ci95[1],
          suppressed: suppressed?.join(",") ?? null,
        })),
        scores,
      };
    }
    const assignments = await db.query(rowOutputSql(file, "_cluster", "cluster"));
    return {
      clusters: results.clusters.map((c) => ({
        id: c.id,
        label: c.label,
        size: c.size,
        share: c.share,
        suppressed: c.suppressed?.join(",") ?? null,
      })),
      k_selection: results.k_selection.map((r) => ({ ...r })),
      assignments,
    };
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
