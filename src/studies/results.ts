import type { Warning } from "../util/logger.js";

/**
 * results.json: the contract between computing and showing. Keys are snake_case; extend freely, never rename.
 */
export interface InputInfo {
  /** Source name in the study file. */
  name: string;
  /** Path as given in the study file (relative), never an absolute local path. */
  path: string;
  sha256: string;
  rows: number;
}

export interface DataInfo {
  /** Rows of the analysis table that entered the model. */
  rows: number;
  /** Columns of the design matrix. */
  features: number;
  inputs: InputInfo[];
  /** Rows of the analysis table before any row was dropped. */
  table_rows: number;
  /** Rows dropped, by reason, e.g. { "missing PREMISE_TYPE": 12 }. */
  dropped: Record<string, number>;
  /** Missing values per used column before the missing-value policy. */
  missing: Record<string, number>;
  positives?: number;
  date_range?: { column: string; min: string | null; max: string | null };
}

export interface MeanSd {
  mean: number;
  sd: number;
  folds: number[];
}

export interface ClassReport {
  pre: number;
  rec: number;
  spe: number;
  f1: number;
  geo: number;
  iba: number;
  sup: number;
}

export interface Factor {
  feature: string;
  column: string;
  value: string | null;
  coefficient: number;
  std_error: number;
  odds_ratio: number;
  ci95: [number, number];
  count: number;
}

export interface Finding {
  by: string;
  value: string;
  count: number;
  positives: number;
  rate: number;
  ci95: [number, number];
  lift: number;
  statement: string;
}

/**
 * What the dashboard may show and filter. `prepared.parquet` in the results folder holds the analysis table's
 * columns named here, plus `_row` (row number), and `_score` (risk: out-of-fold predicted probability) or
 * `_cluster` (segments: cluster id). Only these columns may be filtered or grouped by.
 */
export interface DashboardInfo {
  /** Dimensions to filter and group by. `kind` says how to order and label values. */
  dimensions: { column: string; label: string; kind: "category" | "year" | "month" | "weekday" | "hour" | "cluster" }[];
  /** Binary target column (risk) whose rate follows the filters. */
  target?: string;
  /** Timestamp column for time views, if any (its parts are also dimensions). */
  time?: string;
  /** Point coordinates for an incident map, if the table has them. */
  points?: { lat: string; lon: string };
  /** Area map: GeoJSON file in the results folder, its name property, and the table column it joins. */
  areas?: { file: string; name_property: string; column: string };
}

export interface CommonResults {
  study: "risk" | "segments";
  name: string;
  description?: string;
  synthetic?: boolean;
  seed: number;
  data: DataInfo;
  warnings: Warning[];
  dashboard: DashboardInfo;
}

export interface RiskResults extends CommonResults {
  study: "risk";
  target: string;
  validation: { method: string; folds: number; resample: string; test_rows?: number; train_rows?: number; cut?: string };
  threshold: number;
  /** The final model's settings and whether L-BFGS converged. */
  model: { type: string; C: number; converged?: boolean };
  metrics: {
    balanced_accuracy: MeanSd;
    precision: MeanSd;
    recall: MeanSd;
    f1: MeanSd;
    roc_auc: MeanSd;
    pr_auc: MeanSd;
    confusion_matrix: [[number, number], [number, number]];
    classification_report: { "0": ClassReport; "1": ClassReport; avg: ClassReport };
  };
  /** Out-of-fold curves for charts, thinned to at most a few hundred points. */
  curves: {
    roc: { fpr: number[]; tpr: number[] };
    pr: { recall: number[]; precision: number[] };
    /** Flag the top `share` of rows by score: catch `recall` of positives at `precision`. */
    top_share: { share: number; threshold: number; recall: number; precision: number }[];
  };
  factors: Factor[];
  findings: Finding[];
  base_rate: number;
}

export interface KSelectionRow {
  k: number;
  inertia: number;
  silhouette: number;
  calinski_harabasz: number;
  davies_bouldin: number;
}

export interface ProfileRow {
  feature: string;
  cluster_mean: number;
  overall_mean: number;
  lift: number;
}

export interface Cluster {
  id: number;
  label: string;
  size: number;
  share: number;
  profile: ProfileRow[];
  top_values: Record<string, { value: string; count: number; share: number }[]>;
  distribution?: { column: string; mean: number; quartiles: [number, number, number]; histogram: { bin: string; count: number }[] };
}

export interface SegmentsResults extends CommonResults {
  study: "segments";
  method: string;
  k_selection: KSelectionRow[];
  k: number;
  k_rule: string;
  pca: { components: number; explained_variance_ratio: number[] } | null;
  clusters: Cluster[];
  stability: { method: string; resamples: number; mean_ari: number };
  comparison?: { method: string; k: number; silhouette: number; calinski_harabasz: number; davies_bouldin: number }[];
  areas?: { column: string; matched: number; unmatched: { name: string; rows: number }[]; file: string };
  /** Up to 2,000 rows on the first two principal components, for the scatter chart. */
  pca_sample?: { pc1: number; pc2: number; cluster: number }[];
}

export type Results = RiskResults | SegmentsResults;
