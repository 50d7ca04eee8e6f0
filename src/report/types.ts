import type { Cluster, Manifest, PcaPoint, RiskResults, SegmentsResults } from "../results/types.js";

/** A Vega-Lite specification as plain JSON data (inline values only, never URLs). */
export type VegaLiteSpec = { [key: string]: unknown };

/** Minimal GeoJSON types: what the report reads from an areas file. */
export interface Geometry {
  type: "Polygon" | "MultiPolygon";
  coordinates: number[][][] | number[][][][];
}

/** One GeoJSON feature; `properties` carries the area name and per-cluster shares. */
export interface Feature {
  type: "Feature";
  properties: Record<string, unknown> | null;
  geometry: Geometry | null;
}

/**
 * Areas for the segments maps. Each feature's properties hold `name`, `rows` (records in the area) and the
 * share of each cluster, either as `shares: { "<cluster id>": share }` or as flat `share_<cluster id>` keys.
 */
export interface FeatureCollection {
  type: "FeatureCollection";
  features: Feature[];
}

/**
 * Optional results fields the report reads when present; studies may add them without breaking older files.
 * `report.min_cell` is the study file's suppression threshold, `row_label` the plural noun for one row
 * (e.g. "incidents"), `model` the fitted model's settings, `scaling` how segment features were scaled.
 */
export interface ReportExtras {
  report?: { min_cell?: number };
  row_label?: string;
  model?: { type?: string; C?: number; [key: string]: unknown };
  scaling?: string;
}

/** Risk results as the report reads them. */
export type ReportRiskResults = RiskResults & ReportExtras;

/** Segments results as the report reads them, with the optional PCA sample. */
export type ReportSegmentsResults = SegmentsResults & ReportExtras & { pca_sample?: PcaPoint[] };

/** manifest.json as the report reads it (any subset of its keys). */
export type ReportManifest = Partial<Manifest> & Record<string, unknown>;

/**
 * The gridded point map of a run, as published: the dashboard's point map with no filter (studies/point-map.ts).
 * Only squares with a published count are listed; `hidden_label` says which counts are hidden (e.g. "≤10").
 */
export interface ReportPointMap {
  grid_m: number;
  /** Square sizes in degrees; square (gy, gx) spans [gy·dLat, (gy+1)·dLat) × [gx·dLon, (gx+1)·dLon). */
  dLat: number;
  dLon: number;
  /** Published total of the located records (null when hidden). */
  total: number | null;
  cells: { gy: number; gx: number; lat: number; lon: number; count: number }[];
  /** Counts are perturbed by their cell keys, as in the dashboard (false: exact, with counts below min_cell hidden). */
  perturbed: boolean;
  bound: number;
  hidden_label: string;
}

/** Options shared by the chart builders. */
export interface ChartOptions {
  /** Counts below this are suppressed: shown as "<minCell" in tables and left out of charts. */
  minCell: number;
}

/** Options of {@link segmentsCharts}. */
export interface SegmentsChartOptions extends ChartOptions {
  areas?: FeatureCollection;
}

export type { Cluster, Manifest, PcaPoint };
