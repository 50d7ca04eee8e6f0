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
  pcaDensitySchema,
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
export type PcaDensity = z.infer<typeof pcaDensitySchema>;
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

/**
 * The numbers a study kind computes before disclosure control: the same records with the counts and the statistics
 * made from them still present (never null). `discloseResults` (src/disclosure/results.ts) turns these into the
 * published {@link Results}, where any of them may be null.
 */
export type ComputedFinding = Finding & {
  count: number;
  positives: number;
  rate: number;
  ci95: [number, number];
  lift: number;
  p_value: number;
  q_value: number;
};
/** A profile row before disclosure control. */
export type ComputedProfileRow = ProfileRow & { cluster_mean: number; overall_mean: number; lift: number; count?: number };
/** A cluster before disclosure control. */
export type ComputedCluster = Omit<Cluster, "size" | "share" | "profile" | "top_values" | "distribution"> & {
  size: number;
  share: number;
  profile: ComputedProfileRow[];
  top_values: Record<string, { value: string; count: number; share: number }[]>;
  distribution?: Omit<NonNullable<Cluster["distribution"]>, "histogram"> & { histogram: { bin: string; count: number }[] };
};
/** A risk study's results before disclosure control. */
export type ComputedRiskResults = Omit<RiskResults, "findings" | "metrics"> & {
  findings: ComputedFinding[];
  metrics: Omit<RiskResults["metrics"], "confusion_matrix"> & { confusion_matrix: [[number, number], [number, number]] };
};
/** A segments study's results before disclosure control. */
export type ComputedSegmentsResults = Omit<SegmentsResults, "clusters" | "lca"> & {
  clusters: ComputedCluster[];
  lca?: Omit<NonNullable<SegmentsResults["lca"]>, "classes"> & { classes?: ComputedCluster[] };
};
/** Results of any study kind before disclosure control. */
export type ComputedResults = ComputedRiskResults | ComputedSegmentsResults;
