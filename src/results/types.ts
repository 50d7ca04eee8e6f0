import type { z } from "zod";
import type {
  classReportSchema,
  clusterSchema,
  dashboardInfoSchema,
  dataInfoSchema,
  calibrationSchema,
  factorSchema,
  findingSchema,
  inferenceSchema,
  labelInfoSchema,
  variableSchema,
  inputInfoSchema,
  kSelectionRowSchema,
  lcaFitSchema,
  manifestSchema,
  meanSdSchema,
  nullRowSchema,
  pcaPointSchema,
  profileRowSchema,
  resultsSchema,
  riskResultsSchema,
  segmentsResultsSchema,
  stabilitySchema,
  structureSchema,
  varianceShareSchema,
  warningSchema,
} from "./schema.js";

/** The TypeScript side of the results contract, inferred from the schemas in schema.ts (the one definition). */
export type Warning = z.infer<typeof warningSchema>;
export type InputInfo = z.infer<typeof inputInfoSchema>;
export type DataInfo = z.infer<typeof dataInfoSchema>;
export type DashboardInfo = z.infer<typeof dashboardInfoSchema>;
export type DimensionKind = DashboardInfo["dimensions"][number]["kind"];
export type MeanSd = z.infer<typeof meanSdSchema>;
export type ClassReport = z.infer<typeof classReportSchema>;
export type Factor = z.infer<typeof factorSchema>;
export type Finding = z.infer<typeof findingSchema>;
export type CalibrationInfo = z.infer<typeof calibrationSchema>;
export type InferenceInfo = z.infer<typeof inferenceSchema>;
export type VariableTest = z.infer<typeof variableSchema>;
export type LabelInfo = z.infer<typeof labelInfoSchema>;
export type RiskResults = z.infer<typeof riskResultsSchema>;
export type KSelectionRow = z.infer<typeof kSelectionRowSchema>;
export type ProfileRow = z.infer<typeof profileRowSchema>;
export type Cluster = z.infer<typeof clusterSchema>;
export type PcaPoint = z.infer<typeof pcaPointSchema>;
export type Stability = z.infer<typeof stabilitySchema>;
export type NullRow = z.infer<typeof nullRowSchema>;
export type Structure = z.infer<typeof structureSchema>;
export type VarianceShareRow = z.infer<typeof varianceShareSchema>;
export type LcaFit = z.infer<typeof lcaFitSchema>;
export type SegmentsResults = z.infer<typeof segmentsResultsSchema>;
export type Results = z.infer<typeof resultsSchema>;
export type Manifest = z.infer<typeof manifestSchema>;
/** The keys every study kind's results share; a kind computes the rest. */
export type CommonResultsKey = "study" | "name" | "description" | "synthetic" | "seed" | "warnings" | "data" | "dashboard";
