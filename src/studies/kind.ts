import type { z } from "zod";
import type { Db } from "../data/Db.js";
import type { Matrix } from "../ml/matrix.js";
import type { SparseMatrix } from "../ml/sparse.js";
import type { CommonResultsKey, ComputedResults as Results, DashboardInfo, DataInfo } from "../results/types.js";
import type { FeatureCollection } from "../report/types.js";
import type { Logger } from "../util/logger.js";

/** What a study kind is given: the database, the analysis table (read-only: a kind never changes it), and context. */
export interface KindInput {
  db: Db;
  /**
   * The materialized analysis table, ordered and numbered by `_row`. Kinds read it and create their own tables
   * (prefixed with an underscore and the kind's name) but never change or replace it.
   */
  table: string;
  /** The study file's path, for messages. */
  file: string;
  logger: Logger;
  seed: number;
  /** The disclosure threshold: counts 0 < n < minCell are never printed or ranked (docs/disclosure.md). */
  minCell: number;
}

/** A file the kind adds to the results folder, written by the one output writer. */
export interface OutputFile {
  name: string;
  text: string;
}

/** What a study kind returns; run-study adds the common keys and one writer writes every file. */
export interface KindOutput<R extends Results = Results> {
  /** The kind's own results keys, and its part of `data` (inputs and table_rows are added by the runner). */
  results: Omit<R, CommonResultsKey> & { data: Omit<DataInfo, "inputs" | "table_rows"> & { table_rows?: number } };
  /**
   * A table the kind created with `_row` and the per-row columns that prepared.parquet adds to the analysis table
   * (`_score`, `_cluster`, joined area columns); rows the model left out hold NULL.
   */
  rowOutput: { table: string };
  /** The design matrix for features.parquet: rows are analysis rows `keep[i]`; `id` is kept beside them. */
  design: { X: Matrix | SparseMatrix; names: string[]; keep: Int32Array; id?: string };
  /** Extra files (model.json). */
  files: OutputFile[];
  /** Dashboard dimensions and maps the kind adds to the common ones. */
  dashboard?: Partial<DashboardInfo>;
  /**
   * In-memory data the report draws (so it never reads back a file the run just wrote). `areas` holds raw counts:
   * the writer discloses them and writes the result as the area GeoJSON that `dashboard.areas.file` names.
   */
  report?: { areas?: FeatureCollection };
}

/** The columns of the analysis table a kind shows in the dashboard. */
export interface KindDashboard {
  /** Timestamp column for time views. */
  time?: string;
  /** Categorical columns to filter and group by, in order. */
  categories: string[];
  /** Binary target whose rate follows the filters. */
  target?: string;
  /** Numeric columns drawn as histograms and filtered by range, in order. */
  numeric?: string[];
}

/** The study-file variant of a kind: a strict object with `kind` as a literal. */
export type KindSchema = z.ZodObject<{ kind: z.ZodLiteral<string> } & z.ZodRawShape, z.core.$strict>;

/**
 * A study kind: a study-file variant and the analysis it runs. Adding a kind means a folder with its spec, its run
 * function and one object of this type, listed in the registry.
 */
export interface StudyKind<Schema extends KindSchema, R extends Results = Results> {
  /** The value of `kind:` in the study file, and the name of the kind's section. */
  readonly name: string;
  /** The kind's study-file variant (see studyVariant). */
  readonly schema: Schema;
  /** What a new section needs at least, for the "missing section" message, e.g. `target:`. */
  readonly sectionHint: string;
  /** Checks of the study file that need no data (run before any source is read); throws a UserError. */
  validate(spec: z.infer<Schema>, file: string): void;
  /** Analysis-table columns the study needs (all are checked at once before the analysis runs). */
  columns(spec: z.infer<Schema>): string[];
  /** Columns the dashboard shows. */
  dashboard(spec: z.infer<Schema>): KindDashboard;
  run(input: KindInput, spec: z.infer<Schema>): Promise<KindOutput<R>>;
}
