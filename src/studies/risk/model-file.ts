import { readFile, stat } from "node:fs/promises";
import type { Encoder } from "../../features/encode.js";
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
}

/** Reads and checks a model.json; a file that is not an openbeat risk model is a user error. */
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
  if (parsed.coef.length !== parsed.encoder.features.length) {
    throw new UserError("score.model_invalid", msg.modelShapeMismatch(path, parsed.coef.length, parsed.encoder.features.length));
  }
  return parsed;
}

/** The marks of a risk model file; the rest of its shape is trusted (it is openbeat's own output). */
function isRiskModel(value: unknown): value is RiskModelFile {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Partial<Record<keyof RiskModelFile, unknown>>;
  return m.openbeat_model === 1 && m.kind === "risk" && Array.isArray(m.coef) && typeof m.encoder === "object";
}
