import { z } from "zod";
import { sourceSchema } from "../../data/sources/source-spec.js";
import { minCellConflict } from "../../disclosure/policy.js";
import * as msg from "../../util/messages.js";

/**
 * The parts of a study file that every study kind shares. Every object is strict: an unknown key is an error that
 * names the closest known key. Column and table names are as they appear in the prepared tables (case-sensitive, as
 * DuckDB keeps them). Each kind adds `kind: "<name>"` and its own section (see {@link studyVariant}).
 */

const identifier = z.string().min(1);

/** A disclosure threshold: 0 (off) or at least 3 (with 1 or 2 a hidden count would be known to be exactly 1). */
const minCell = z
  .number()
  .int()
  .min(0)
  .refine((n) => n === 0 || n >= 3, "min_cell must be 0 (suppression off) or at least 3");

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

/** Largest seed: 2^32 - 1. */
export const MAX_SEED = 2 ** 32 - 1;
const SEED_RANGE = msg.seedRange(MAX_SEED);

/** Keys shared by every study file. */
export const studyBaseShape = {
  name: z.string().min(1),
  description: z.string().optional(),
  /** 0 to 2^32 - 1, the seeds numpy's RandomState takes (src/ml/numpy-random.ts draws as it does). */
  seed: z.number().int(SEED_RANGE).min(0, SEED_RANGE).max(MAX_SEED, SEED_RANGE).default(42),
  /** Folder for fetched portal data, relative to the study file (default .openbeat-cache). */
  cache_dir: z.string().min(1).optional(),
  sources: z.record(identifier, sourceSchema).refine((s) => Object.keys(s).length > 0, "at least one source is required"),
  prepare: z.array(prepareStepSchema).default([]),
  /** Analysis table: default the last prepare step (or the only source). */
  table: identifier.optional(),
  /** The small-cell policy every output passes through (docs/disclosure.md). */
  disclosure: z
    .strictObject({
      /** Counts 0 < n < min_cell are suppressed everywhere (default 10); 0 turns suppression off. */
      min_cell: minCell.optional(),
      dashboard: z
        .strictObject({
          /** Cell-key perturbation of every dashboard count (default true). */
          perturb: z.boolean().optional(),
          /** At most this many filtered dimensions at once (default 3). */
          max_filters: z.number().int().min(1).max(16).optional(),
        })
        .optional(),
      /** The point map: false (default) or a grid of `grid_m` metres; raw coordinates are never served. */
      points: z.union([z.literal(false), z.strictObject({ grid_m: z.number().int().min(100).max(100_000) })]).optional(),
      /** Record-level answers in the dashboard (default false). */
      row_level: z.boolean().optional(),
    })
    .optional(),
  report: z
    .strictObject({
      /** Alias of `disclosure.min_cell`. */
      min_cell: minCell.optional(),
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
  return z
    .strictObject({ ...studyBaseShape, kind: z.literal(name), ...({ [name]: section } as { [P in K]: S }) })
    .superRefine((spec, ctx) => {
      // The kind's section makes the inferred type generic; the shared keys are all this check reads.
      const base = spec as unknown as StudyBase;
      const conflict = minCellConflict(base.disclosure, base.report.min_cell);
      if (conflict) ctx.addIssue({ code: "custom", path: ["disclosure", "min_cell"], message: msg.minCellConflict(...conflict) });
    });
}
