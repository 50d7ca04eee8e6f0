import type { ComputedSegmentsResults as SegmentsResults } from "../../results/types.js";
import type { StudyKind } from "../kind.js";
import { runSegments } from "./run-segments.js";
import { segmentsStudySchema } from "./spec.js";
import { checkWeights } from "./weights.js";

/**
 * The segments study: k-means, k-prototypes or latent class analysis over a k range, tested against chance, with
 * stability, seeds, variance shares, profiles and area maps.
 */
export const segmentsKind: StudyKind<typeof segmentsStudySchema, SegmentsResults> = {
  name: "segments",
  schema: segmentsStudySchema,
  sectionHint: "features:",
  validate(spec, file) {
    // The schema checks the rest; data-dependent checks run with the data.
    checkWeights(spec.segments.weights, spec.segments.features, file);
  },
  columns() {
    // Feature, describe and area columns are checked as they are read.
    return [];
  },
  dashboard(spec) {
    const s = spec.segments;
    return {
      time: s.features.dates[0]?.column,
      categories: [...s.features.categorical, ...s.describe, ...(s.areas ? [s.areas.column] : [])],
    };
  },
  run: runSegments,
};
