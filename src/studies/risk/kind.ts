import type { ComputedRiskResults as RiskResults } from "../../results/types.js";
import type { StudyKind } from "../kind.js";
import { runRisk } from "./run-risk.js";
import { riskStudySchema } from "./spec.js";

/** The risk study: a binary target, resampling inside training folds, logistic regression, factors and findings. */
export const riskKind: StudyKind<typeof riskStudySchema, RiskResults> = {
  name: "risk",
  schema: riskStudySchema,
  sectionHint: "target:",
  validate() {
    // Everything the risk section needs is checked by its schema; data-dependent checks run with the data.
  },
  columns(spec) {
    const r = spec.risk;
    return [r.target, ...(r.id ? [r.id] : []), ...(r.date ? [r.date] : [])];
  },
  dashboard(spec) {
    const r = spec.risk;
    return {
      time: r.date ?? r.features.dates[0]?.column,
      categories: [...r.features.categorical, ...(r.findings.by ?? [])],
      target: r.target,
      numeric: r.features.numeric,
    };
  },
  run: runRisk,
};
