import type { ComputedSegmentsResults as SegmentsResults } from "../../results/types.js";
import type { StudyKind } from "../kind.js";
import { runSegments } from "./run-segments.js";
import { segmentsStudySchema, type SegmentsStudySpec } from "./spec.js";
import { checkWeights } from "./weights.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";

/** The areas block's boundaries must be a source, and its demographics table a source or prepare step. */
function checkAreaTables(spec: SegmentsStudySpec, file: string): void {
  const areas = spec.segments.areas;
  if (!areas) return;
  const sources = Object.keys(spec.sources);
  const tables = [...sources, ...spec.prepare.map((p) => p.name)];
  if (areas.boundaries !== undefined && !sources.includes(areas.boundaries))
    throw new UserError("study.no_table", msg.areaTableUnknown(file, "segments.areas.boundaries", areas.boundaries, "a source", sources));
  const demographics = areas.demographics?.table;
  if (demographics !== undefined && !tables.includes(demographics))
    throw new UserError(
      "study.no_table",
      msg.areaTableUnknown(file, "segments.areas.demographics.table", demographics, "a source or prepare step", tables),
    );
}

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
    checkAreaTables(spec, file);
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
      numeric: s.features.numeric,
    };
  },
  run: runSegments,
};
