import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTableFromColumns, type ColumnData } from "../data/create-table.js";
import { quoteString, type Db } from "../data/Db.js";
import { copyToParquetSql } from "../data/sql/copy.js";
import { dropTableSql } from "../data/sql/tables.js";
import { discloseAreas } from "../disclosure/geo.js";
import type { DisclosurePolicy } from "../disclosure/policy.js";
import { isSparse, type SparseMatrix } from "../ml/sparse.js";
import { writeReport } from "../report/index.js";
import type { FeatureCollection } from "../report/types.js";
import type { Manifest, Results } from "../results/types.js";
import type { Logger } from "../util/logger.js";
import { aggregateCsvFiles } from "./aggregate-tables.js";
import { reportPointMap } from "./point-map.js";
import type { KindOutput } from "./kind.js";
import { designSelectSql, preparedSelectSql, slotDesignSelectSql, sortedSlotsSql, sparseDesignSelectSql } from "./sql/output.js";
import { stableJson } from "./write-results.js";

/**
 * Scratch tables holding the design matrix while it is written: dense (wide), or sparse (its entries and rows, or
 * its slots, then its slots in `_row` order with the id).
 */
const DESIGN = "_design";
const DESIGN_ENTRIES = "_design_entries";
const DESIGN_ROWS = "_design_rows";
const DESIGN_SLOTS = "_design_slots";
const DESIGN_SORTED = "_design_sorted";

/** Most entries in a row for the design to go to DuckDB by slots; a design with more is pivoted from its entries. */
export const MAX_DESIGN_SLOTS = 16;

/**
 * Writes the design matrix as features.parquet: `_row` (row of prepared.parquet), the id column when the study
 * names one, then one column per feature, named `COLUMN=value` for one-hot columns. Nothing n×p is built in
 * JavaScript for a sparse design. One with a few entries per row (an encoded design has one per input column)
 * goes to DuckDB by slots, the k-th entry of each row in the k-th pair of columns, and each feature column is the
 * value of the slot holding it: a scan of the narrow slot table, with no pivot and no sort of the wide rows.
 * Other sparse designs go as their nnz entries (`_row`, `_col`, `_value`, straight from the CSR
 * arrays) and are pivoted to the wide table in SQL; a dense one goes as its columns. Every way gives the same
 * rows, in `_row` order, with the same values.
 */
export async function writeDesignParquet(
  db: Db,
  path: string,
  table: string,
  design: KindOutput["design"],
  options: { pieceRows?: number; maxSlots?: number } = {},
): Promise<void> {
  const { X, names, keep, id } = design;
  const n = X.rows;
  const p = X.cols;
  if (isSparse(X)) {
    const slots = designSlots(X, keep, options.maxSlots ?? MAX_DESIGN_SLOTS);
    if (slots) {
      await createTableFromColumns(db, DESIGN_SLOTS, slots.columns, { nanAsNull: false });
      try {
        await db.exec(sortedSlotsSql(DESIGN_SORTED, DESIGN_SLOTS, table, id));
        await db.exec(dropTableSql(DESIGN_SLOTS));
        await db.exec(copyToParquetSql(slotDesignSelectSql(DESIGN_SORTED, names, slots.slotsOf, id), path));
      } finally {
        await db.exec(dropTableSql([DESIGN_SLOTS, DESIGN_SORTED]));
      }
      return;
    }
    const nnz = X.indptr[n];
    const rowOf = new Int32Array(nnz);
    for (let i = 0; i < n; ++i) rowOf.fill(keep[i], X.indptr[i], X.indptr[i + 1]);
    await createTableFromColumns(
      db,
      DESIGN_ENTRIES,
      [
        { name: "_row", type: "INTEGER", values: rowOf },
        { name: "_col", type: "INTEGER", values: X.indices.subarray(0, nnz) },
        { name: "_value", type: "DOUBLE", values: X.values.subarray(0, nnz) },
      ],
      { nanAsNull: false },
    );
    await createTableFromColumns(db, DESIGN_ROWS, [{ name: "_row", type: "INTEGER", values: keep }]);
    try {
      await writeSparseDesign(db, path, table, names, keep, id, options.pieceRows ?? DESIGN_PIECE_ROWS);
    } finally {
      await db.exec(dropTableSql([DESIGN_ENTRIES, DESIGN_ROWS]));
    }
    return;
  }
  const D = X.data;
  const cols: Float64Array[] = names.map(() => new Float64Array(n));
  for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) cols[j][i] = D[i * p + j];
  const columns: ColumnData[] = [
    { name: "_row", type: "INTEGER", values: keep },
    ...names.map((name, j) => ({ name, type: "DOUBLE" as const, values: cols[j] })),
  ];
  await createTableFromColumns(db, DESIGN, columns);
  await db.exec(copyToParquetSql(designSelectSql(DESIGN, table, names, id), path));
  await db.exec(dropTableSql(DESIGN));
}

/**
 * The columns of the slots table for a sparse design (`_row`, then `_c{s}`, `_v{s}` for each slot s: the row's
 * (s+1)-th entry, column −1 and value 0 where it has fewer) and the slots each feature occurs in; null when a row
 * has more than `maxSlots` entries.
 */
function designSlots(X: SparseMatrix, keep: Int32Array, maxSlots: number): { columns: ColumnData[]; slotsOf: number[][] } | null {
  const { rows: n, cols: p, indptr, indices, values } = X;
  let S = 0;
  for (let i = 0; i < n; ++i) S = Math.max(S, indptr[i + 1] - indptr[i]);
  // a feature's slots are a 32-bit mask
  if (S > Math.min(maxSlots, 32)) return null;
  const cols = Array.from({ length: S }, () => new Int32Array(n).fill(-1));
  const vals = Array.from({ length: S }, () => new Float64Array(n));
  const seen = new Uint32Array(p);
  for (let i = 0; i < n; ++i) {
    for (let k = indptr[i], s = 0; k < indptr[i + 1]; ++k, ++s) {
      cols[s][i] = indices[k];
      vals[s][i] = values[k];
      seen[indices[k]] |= 1 << s;
    }
  }
  const columns: ColumnData[] = [{ name: "_row", type: "INTEGER", values: keep }];
  for (let s = 0; s < S; ++s) {
    columns.push({ name: `_c${s}`, type: "INTEGER", values: cols[s] }, { name: `_v${s}`, type: "DOUBLE", values: vals[s] });
  }
  const slotsOf = Array.from(seen, (mask) => Array.from({ length: S }, (_, s) => s).filter((s) => (mask >>> s) & 1));
  return { columns, slotsOf };
}

/** Design rows pivoted at a time: the pivot and its sort hold about this many wide rows (1M × 114 columns: ~1 GB). */
export const DESIGN_PIECE_ROWS = 1_000_000;

/**
 * Writes the wide form of the sparse design held in the scratch tables: in one statement up to
 * `pieceRows` rows ({@link DESIGN_PIECE_ROWS}); above that, pivoted in pieces of that many rows (by `_row`, ascending) into
 * parquet files beside `path`, then copied into `path` in order and removed, so that the pivot's memory does not grow
 * with the rows. The rows, their order and their values are the same either way.
 */
async function writeSparseDesign(
  db: Db,
  path: string,
  table: string,
  names: string[],
  keep: Int32Array,
  id: string | undefined,
  pieceRows: number,
): Promise<void> {
  const n = keep.length;
  const ascending = keep.every((r, i) => i === 0 || r > keep[i - 1]);
  if (n <= pieceRows || !ascending) {
    await db.exec(copyToParquetSql(sparseDesignSelectSql(DESIGN_ENTRIES, DESIGN_ROWS, table, names, id), path));
    return;
  }
  const pieces: string[] = [];
  try {
    for (let start = 0; start < n; start += pieceRows) {
      const end = start + pieceRows;
      const piece = `${path}.piece-${pieces.length}`;
      pieces.push(piece);
      const range = { from: keep[start], ...(end < n ? { to: keep[end] } : {}) };
      await db.exec(copyToParquetSql(sparseDesignSelectSql(DESIGN_ENTRIES, DESIGN_ROWS, table, names, id, range), piece));
    }
    await db.exec(copyToParquetSql(`SELECT * FROM read_parquet([${pieces.map(quoteString).join(", ")}])`, path));
  } finally {
    for (const piece of pieces) await rm(piece, { force: true });
  }
}

/**
 * Writes prepared.parquet: the analysis table plus the kind's per-row output columns (`_score`, `_cluster`, joined
 * area columns), matched by `_row`.
 */
export async function writePreparedParquet(db: Db, path: string, table: string, rowOutput: string): Promise<void> {
  await db.exec(copyToParquetSql(preparedSelectSql(table, rowOutput), path));
}

/** Everything the one output writer needs. */
export interface OutputParts {
  db: Db;
  /** The analysis table. */
  table: string;
  results: Results;
  manifest: Manifest;
  kind: KindOutput;
  logger: Logger;
  /** The run's disclosure policy: the area GeoJSON and the report's map are written from disclosed counts. */
  policy: DisclosurePolicy;
}

/**
 * Writes every file of a results folder into the staged folder `dir`: results.json, the aggregate CSV tables
 * (findings.csv, …), model files and maps of the kind, features.parquet, prepared.parquet, manifest.json and report.html. Nothing else writes into it.
 */
export async function writeOutput(dir: string, parts: OutputParts): Promise<void> {
  const { db, table, results, kind, logger, policy } = parts;
  const areas = disclosedAreas(results, kind, policy);
  const tables = aggregateCsvFiles(results);
  const manifest: Manifest = {
    ...parts.manifest,
    files: folderFiles(
      kind,
      areas?.file,
      tables.map((t) => t.name),
    ),
  };
  await writeFile(join(dir, "results.json"), stableJson(results));
  for (const t of tables) await writeFile(join(dir, t.name), t.text);
  for (const f of kind.files) await writeFile(join(dir, f.name), f.text);
  if (areas) await writeFile(join(dir, areas.file), JSON.stringify(areas.collection));
  await writeDesignParquet(db, join(dir, "features.parquet"), table, kind.design);
  await writePreparedParquet(db, join(dir, "prepared.parquet"), table, kind.rowOutput.table);
  await writeFile(join(dir, "manifest.json"), stableJson(manifest));
  const points = await reportPointMap(db, table, results, kind.design.keep, policy);
  await writeReport(dir, results, {
    manifest,
    minCell: manifest.min_cell,
    areas: areas?.collection,
    points,
    generatedAt: manifest.started_at,
  });
  logger.info(`  wrote report.html`);
}

/** Files that hold one row per record, or a model fitted on them: never public. */
export const PRIVATE_FILES = ["prepared.parquet", "features.parquet"] as const;

/**
 * Which files of a results folder are public (aggregates passed through the disclosure policy: results.json,
 * report.html, the area GeoJSON, the aggregate CSV tables, manifest.json) and which private (row-level tables and scores in prepared.parquet
 * and features.parquet, and the kind's model files such as model.json). `openbeat publish` copies the public ones.
 * @param kind the kind's output (its extra files are private)
 * @param areasFile the area GeoJSON's name, when the run writes one
 * @param tables the aggregate CSV files' names
 */
export function folderFiles(
  kind: Pick<KindOutput, "files">,
  areasFile?: string,
  tables: readonly string[] = [],
): { public: string[]; private: string[] } {
  return {
    public: ["results.json", "report.html", ...(areasFile ? [areasFile] : []), ...tables, "manifest.json"],
    private: [...PRIVATE_FILES, ...kind.files.map((f) => f.name)],
  };
}

/**
 * The kind's area collection (`report.areas`) with its counts disclosed, and the file the dashboard section names
 * for it (default areas.geojson); undefined when the kind has no map.
 */
function disclosedAreas(
  results: Results,
  kind: KindOutput,
  policy: DisclosurePolicy,
): { file: string; collection: FeatureCollection } | undefined {
  const raw = kind.report?.areas;
  if (!raw) return undefined;
  const k = results.study === "segments" ? results.k : 0;
  const collection = discloseAreas(raw, k, policy) as unknown as FeatureCollection;
  return { file: results.dashboard.areas?.file ?? "areas.geojson", collection };
}
