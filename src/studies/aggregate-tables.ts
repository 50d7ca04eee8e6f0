import type { Row } from "../data/Db.js";
import { unionColumns } from "../data/export-results-to-pg.js";
import type { Results } from "../results/types.js";
import { toCsv, type CsvCell } from "../util/csv.js";

/**
 * The aggregate tables of a run, made from its disclosed results only (so every suppressed value stays null):
 * risk studies give findings, factors and the inference model's variables; segments give clusters, profiles
 * (one row per cluster and feature) and the k selection. They are written as public CSV files beside results.json
 * and, with `--export-db`, as PostgreSQL tables.
 */
export function aggregateTables(results: Results): Record<string, Row[]> {
  const list = (s: string[] | undefined) => s?.join(",") ?? null;
  if (results.study === "risk")
    return {
      findings: results.findings.map(({ ci95, suppressed, ...f }) => ({
        ...f,
        ci95_low: ci95?.[0] ?? null,
        ci95_high: ci95?.[1] ?? null,
        suppressed: list(suppressed),
      })),
      factors: results.factors.map(({ ci95, suppressed, ...f }) => ({
        ...f,
        ci95_low: ci95[0],
        ci95_high: ci95[1],
        suppressed: list(suppressed),
      })),
      variables: results.inference.variables.map((v) => ({ ...v })),
    };
  return {
    clusters: results.clusters.map((c) => ({
      id: c.id,
      label: c.label,
      size: c.size,
      share: c.share,
      suppressed: list(c.suppressed),
    })),
    profiles: results.clusters.flatMap((c) =>
      c.profile.map(({ quartiles, overall_quartiles, suppressed, ...p }) => ({
        cluster: c.id,
        cluster_label: c.label,
        ...p,
        q25: quartiles?.[0] ?? null,
        median: quartiles?.[1] ?? null,
        q75: quartiles?.[2] ?? null,
        overall_q25: overall_quartiles?.[0] ?? null,
        overall_median: overall_quartiles?.[1] ?? null,
        overall_q75: overall_quartiles?.[2] ?? null,
        suppressed: list(suppressed),
      })),
    ),
    k_selection: results.k_selection.map((r) => ({ ...r })),
  };
}

/** A cell of a result table as CSV: nested values (k selection's stability, spread) as JSON text. */
function cell(v: unknown): CsvCell {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return JSON.stringify(v);
}

/**
 * The aggregate tables as CSV files, `NAME.csv` each: columns are the union of the rows' keys in first-seen order,
 * suppressed values are empty cells and each row's `suppressed` column names them.
 */
export function aggregateCsvFiles(results: Results): { name: string; text: string }[] {
  return Object.entries(aggregateTables(results)).map(([name, rows]) => {
    const columns = unionColumns(rows);
    return {
      name: `${name}.csv`,
      text: toCsv(
        columns,
        rows.map((r) => columns.map((c) => cell(r[c]))),
      ),
    };
  });
}
