import { z } from "zod";
import { sourceSchema } from "../../data/sources/source-spec.js";

/**
 * The parts of a study file that every study kind shares. Every object is strict: an unknown key is an error that
 * names the closest known key. Column and table names are as they appear in the prepared tables (case-sensitive, as
 * DuckDB keeps them). Each kind adds `kind: "<name>"` and its own section (see {@link studyVariant}).
 */

const identifier = z.string().min(1);

/** One named SQL step; its result becomes a table of that name. */
export const prepareStepSchema = z.strictObject({
  name: identifier,
  sql: z.string().min(1),
  /** Engine `sql` is written for: "any" (portable, the default), "duckdb" or "postgres". */
  dialect: z.enum(["any", "duckdb", "postgres"]).default("any"),
  /** The same step written for PostgreSQL, used with `--db postgres://…` instead of `sql`. */
  postgres: z.string().min(1).optional(),
});
export type PrepareStep = z.infer<typeof prepareStepSchema>;

/** Keys shared by every study file. */
export const studyBaseShape = {
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.number().int().default(42),
  /** Folder for fetched portal data, relative to the study file (default .openbeat-cache). */
  cache_dir: z.string().min(1).optional(),
  sources: z.record(identifier, sourceSchema).refine((s) => Object.keys(s).length > 0, "at least one source is required"),
  prepare: z.array(prepareStepSchema).default([]),
  /** Analysis table: default the last prepare step (or the only source). */
  table: identifier.optional(),
  report: z
    .strictObject({
      /** Counts below this are suppressed in published tables and charts (default 10). */
      min_cell: z.number().int().min(0).default(10),
    })
    .prefault({}),
};

/** The shared part of a parsed study file, whatever its kind. */
export type StudyBase = z.infer<z.ZodObject<typeof studyBaseShape>>;

/**
 * The study-file schema of one kind: the shared keys, `kind: name`, and the kind's own section under the key `name`.
 * @param name the kind's name, e.g. "risk"
 * @param section the schema of its section
 */
export function studyVariant<K extends string, S extends z.ZodType>(name: K, section: S) {
  return z.strictObject({ ...studyBaseShape, kind: z.literal(name), ...({ [name]: section } as { [P in K]: S }) });
}
