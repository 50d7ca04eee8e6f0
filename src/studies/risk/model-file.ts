import { readFile, stat } from "node:fs/promises";
import type { Encoder } from "../../features/encode.js";
import type { Calibrator } from "./calibration.js";
import { UserError } from "../../util/errors.js";
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
  if (!s || !s.isFile())
    throw new UserError("score.model_missing", `${path}: model file not found; pass the model.json of a risk study's results folder`);
  let model: Partial<RiskModelFile> | null;
  try {
    model = JSON.parse(await readFile(path, "utf8")) as Partial<RiskModelFile> | null;
  } catch {
    throw new UserError("score.model_invalid", `${path}: not valid JSON; pass the model.json of a risk study's results folder`);
  }
  if (
    typeof model !== "object" ||
    model === null ||
    model.openbeat_model !== 1 ||
    model.kind !== "risk" ||
    !Array.isArray(model.coef) ||
    typeof model.encoder !== "object"
  ) {
    throw new UserError("score.model_invalid", `${path}: not an openbeat risk model (model.json from "openbeat run" on a risk study)`);
  }
  if (model.coef.length !== model.encoder.features.length) {
    throw new UserError(
      "score.model_invalid",
      `${path}: model has ${model.coef.length} coefficients for ${model.encoder.features.length} features; the file was edited or comes from another version`,
    );
  }
  return model as RiskModelFile;
}
