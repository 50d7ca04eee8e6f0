import type { SegmentsResults } from "../../results/types.js";
import type { StudyKind } from "../kind.js";
import { runSegments } from "./run-segments.js";
import { segmentsStudySchema } from "./spec.js";

/** The segments study: k-means (or k-prototypes) over a k range, profiles, stability and area maps. */
export const segmentsKind: StudyKind<typeof segmentsStudySchema, SegmentsResults> = {
  name: "segments",
  schema: segmentsStudySchema,
  sectionHint: "features:",
  validate() {
    // Everything the segments section needs is checked by its schema; data-dependent checks run with the data.
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
