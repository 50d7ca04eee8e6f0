import type { DashboardInfo, Results } from "../results/types.js";

/** How a dimension's values are derived: the column itself, or a part of a timestamp column. */
export type DimensionKind = DashboardInfo["dimensions"][number]["kind"];

/** Dimension kinds computed from a timestamp column in SQL. */
export const TIME_KINDS: readonly DimensionKind[] = ["year", "month", "weekday", "hour"];

/**
 * A dimension the dashboard can filter and group by. `key` names it in requests: the column for `category` and
 * `cluster`, `kind:column` (e.g. `hour:DATE_OCCURED`) for timestamp parts.
 */
export interface DimensionView {
  key: string;
  column: string;
  label: string;
  kind: DimensionKind;
}

/** One run in `GET /api/runs`. */
export interface RunSummary {
  id: string;
  name: string;
  study: Results["study"];
  /** Total rows in prepared.parquet. */
  rows: number;
  /** Dimensions usable in this run (those of results.json whose columns exist, plus the cluster for segments). */
  dimensions: DimensionView[];
  /** Key of the cluster dimension (segments), if any. */
  cluster_key?: string;
  /** Whether `_score` exists (risk). */
  has_score: boolean;
  /** Problems found when opening the run, e.g. a dashboard column missing from prepared.parquet. */
  warnings: string[];
  results: Results;
}

/** A filter value as sent by the client; `null` selects missing values. */
export type FilterValue = string | number | boolean | null;

/** Selected values per dimension key; rows must match one value of every listed dimension. */
export type Filters = Record<string, FilterValue[]>;

/** Body of `POST /api/runs/:id/query`. Without `group_by` the answer is one total row with `key: null`. */
export interface QueryRequest {
  filters?: Filters;
  group_by?: string | [DimensionKind, string];
  /** Segments: also count rows per cluster within each group. */
  by_cluster?: boolean;
}

/** One group of a query answer. `positives` and `rate` need a target, `mean_score` needs `_score`. */
export interface QueryRow {
  key: string | number | boolean | null;
  count: number;
  positives?: number;
  rate?: number | null;
  mean_score?: number | null;
  /** Rows per cluster id within the group (with `by_cluster`). */
  clusters?: Record<string, number>;
}

/** Answer of the query and area endpoints. */
export interface QueryResponse {
  rows: QueryRow[];
}

/** One bin of `POST /api/runs/:id/histogram`: scores in [start, end). */
export interface HistogramBin {
  start: number;
  end: number;
  count: number;
  positives?: number;
}

/** Answer of `POST /api/runs/:id/points`: a deterministic sample of at most `limit` located rows. */
export interface PointsResponse {
  total: number;
  points: { lat: number; lon: number; score?: number | null; target?: number | null; cluster?: number | null }[];
}
