import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import type { Encoder } from "../../features/encode.js";
import { featuresSchema } from "../../features/spec.js";
import type { Calibrator } from "./calibration.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import type { RiskSpec } from "./spec.js";

/**
 * A fitted risk model as written to model.json: everything `openbeat score` needs. The raw score is
 * σ(intercept + x·coef) of the encoded row; the calibrated risk is `calibration` applied to it (files written before
 * calibration existed have none, and their threshold is on the raw score); `flag` is calibrated risk ≥ threshold.
 */
export interface RiskModelFile {
  openbeat_model: 1;
  study: string;
  kind: "risk";
  target: string;
  id: string | null;
  features: RiskSpec["features"];
  encoder: Encoder;
  coef: number[];
  intercept: number;
  /** Decision threshold on the calibrated risk. */
  threshold: number;
  resample: string;
  /** Raw score to calibrated risk; absent in older files (treated as none). */
  calibration?: Calibrator;
  /** How the threshold was chosen, in words. */
  threshold_reason?: string;
  /**
   * DuckDB type of each feature column (and the id column) in the analysis table the model was trained on, so that
   * `openbeat score` reads new rows the same way; absent in older files (categories are then read as text).
   */
  input_types?: Record<string, string>;
}

// z.number() refuses NaN and ±Infinity, and JSON writes them as null: a non-finite coefficient fails here.
const finite = z.number();
const foldSchema = z.strictObject({ case: z.boolean().optional(), whitespace: z.boolean().optional() });
const encoderSchema = z.strictObject({
  categorical: z.array(
    z.strictObject({
      column: z.string().min(1),
      levels: z.array(z.string()),
      other: z.boolean(),
      exclude: z.array(z.string()),
      fold: foldSchema.optional(),
      rare: z.array(z.string()).optional(),
    }),
  ),
  numeric: z.array(
    z.strictObject({
      column: z.string().min(1),
      center: finite,
      scale: finite.refine((s) => s > 0, "must be > 0"),
      fill: finite.nullable(),
    }),
  ),
  missingCategorical: z.enum(["category", "drop"]),
  features: z.array(z.strictObject({ name: z.string(), column: z.string(), value: z.string().nullable() })),
});
const calibratorSchema = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("none") }),
  z.strictObject({ method: z.literal("prior_shift"), original_rate: finite, resampled_rate: finite }),
  z.strictObject({ method: z.literal("platt"), a: finite, b: finite }),
  z.strictObject({ method: z.literal("isotonic"), x: z.array(finite), y: z.array(finite) }),
]);

/** The shape of model.json, checked when `openbeat score` loads it. */
export const riskModelFileSchema = z.object({
  openbeat_model: z.literal(1),
  study: z.string(),
  kind: z.literal("risk"),
  target: z.string(),
  id: z.string().nullable(),
  features: featuresSchema,
  encoder: encoderSchema,
  coef: z.array(finite),
  intercept: finite,
  threshold: finite.min(0).max(1),
  resample: z.string(),
  calibration: calibratorSchema.optional(),
  threshold_reason: z.string().optional(),
  input_types: z.record(z.string(), z.string()).optional(),
});

/** Reads and checks a model.json; a file that is not an openbeat risk model, or a damaged one, is a user error. */
export async function readModel(path: string): Promise<RiskModelFile> {
  const s = await stat(path).catch(() => null);
  if (!s || !s.isFile()) throw new UserError("score.model_missing", msg.modelNotFound(path));
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch {
    throw new UserError("score.model_invalid", msg.modelNotJson(path));
  }
  if (!isRiskModel(parsed)) throw new UserError("score.model_invalid", msg.notRiskModel(path));
  const checked = riskModelFileSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const at = issue.path.map(String).join(".");
    throw new UserError("score.model_invalid", msg.modelFieldInvalid(path, at, describeValue(valueAt(parsed, issue.path)), issue.message));
  }
  const model: RiskModelFile = checked.data;
  if (model.coef.length !== model.encoder.features.length) {
    throw new UserError("score.model_invalid", msg.modelShapeMismatch(path, model.coef.length, model.encoder.features.length));
  }
  const levels = model.encoder.categorical.reduce((s, c) => s + c.levels.length, 0) + model.encoder.numeric.length;
  if (levels !== model.encoder.features.length) {
    throw new UserError("score.model_invalid", msg.modelShapeMismatch(path, levels, model.encoder.features.length));
  }
  return model;
}

/** The marks of a risk model file (a results.json or another tool's JSON has none of them). */
function isRiskModel(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Partial<Record<keyof RiskModelFile, unknown>>;
  return m.openbeat_model === 1 && m.kind === "risk";
}

/** The value at a zod issue's path, or undefined. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** A short description of a JSON value for a message: `null`, `"text"`, `a list`, `missing`. */
function describeValue(v: unknown): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
