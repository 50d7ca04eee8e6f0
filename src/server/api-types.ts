import type { DashboardInfo, Results, RiskResults, SegmentsResults } from "../results/types.js";

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

/**
 * How the run's answers are protected (docs/disclosure.md). Every count is either `null` (hidden: `hidden_label`,
 * e.g. "≤10", which includes zero) or at least `smallest_shown`; with `perturbed`, shown counts are the true count
 * moved by at most `bound` records (and always even).
 */
export interface DashboardDisclosure {
  min_cell: number;
  /** True when counts are perturbed (cell-key method); false means exact counts with small ones hidden. */
  perturbed: boolean;
  /** Largest change perturbation makes to a count. */
  bound: number;
  /** Smallest count an answer shows. */
  smallest_shown: number;
  /** What a hidden count means, e.g. "≤10" (perturbed) or "<10" (exact). */
  hidden_label: string;
  /** At most this many dimensions may be filtered in one request. */
  max_filters: number;
  /** Gridded point map (cell size in metres), or false when the point map is off. */
  points: false | { grid_m: number };
  /** Whether the policy allows record-level answers (the drill-down's record table, `POST /api/runs/:id/records`). */
  row_level: boolean;
}

/** A cluster as the dashboard shows it: id, label, and its most common values with their shares (when allowed). */
export interface DashboardCluster {
  id: number;
  label: string;
  /** Per described column, values whose count and "not that value" count are both above min_cell. */
  top_values: Record<string, { value: string; share: number }[]>;
}

/**
 * The part of results.json the dashboard reads, with nothing that counts a few records: model quality, the study's
 * settings, cluster labels and allowed shares. Row-level samples, warnings and count tables stay out.
 */
export type DashboardResults = Pick<Results, "name" | "description" | "synthetic" | "dashboard"> &
  (
    | ({ study: "risk" } & Pick<RiskResults, "target" | "threshold" | "base_rate"> & {
          validation: Pick<RiskResults["validation"], "method" | "folds"> & { calibration?: string };
          metrics: Pick<RiskResults["metrics"], "balanced_accuracy" | "precision" | "recall" | "f1" | "roc_auc" | "pr_auc">;
        })
    | ({ study: "segments" } & Pick<SegmentsResults, "k" | "method"> & {
          clusters: DashboardCluster[];
          areas?: { column: string };
        })
  );

/**
 * A numeric column drawn as a histogram and filtered by range: `bins` bins of `width` from `start`, chosen once per
 * run from the data (a 1, 2 or 5 times a power of ten width giving at most 30 bins). Bin i holds values in
 * [start + i·width, start + (i+1)·width); range filters must start and end on these edges.
 */
export interface NumericRangeView {
  key: string;
  column: string;
  label: string;
  kind: "numeric";
  start: number;
  width: number;
  bins: number;
}

/**
 * The timestamp column as a timeline, counted by week (ISO, from Monday) or month. `first` is the first day of the
 * first month holding more than min_cell records over the whole run, `end` the first day of the month after the last
 * such month (both `YYYY-MM-DD`, UTC): a few stray old dates do not stretch the timeline, and are counted apart.
 * Range filters start and end on day edges (days are the cells; the front end snaps to weeks or months).
 */
export interface DateRangeView {
  key: string;
  column: string;
  label: string;
  kind: "date";
  first: string;
  end: string;
}

/** A column that can be filtered by a range. */
export type RangeView = NumericRangeView | DateRangeView;

/**
 * A half-open range filter: rows with `min <= column < max`; missing values never match. Numbers for numeric
 * columns (on the column's bin edges), `YYYY-MM-DD` days for the timeline's column.
 */
export interface RangeFilter {
  column: string;
  min: number | string;
  max: number | string;
}

/** Time buckets of the timeline. */
export type TimeUnit = "week" | "month";

/** One run in `GET /api/runs`. */
export interface RunSummary {
  id: string;
  name: string;
  study: Results["study"];
  /** Rows the study analysed (those of features.parquet; results.json's data.rows). */
  rows: number;
  /** Dimensions usable in this run (those of results.json whose columns exist, plus the cluster for segments). */
  dimensions: DimensionView[];
  /** Columns filtered by range: numeric histograms and the timeline (see {@link RangeView}). */
  ranges: RangeView[];
  /** Key of the cluster dimension (segments), if any. */
  cluster_key?: string;
  /** Whether `_score` exists (risk). */
  has_score: boolean;
  /** Whether the run's report.html is served. */
  has_report: boolean;
  /** Problems found when opening the run, e.g. a dashboard column missing from prepared.parquet. */
  warnings: string[];
  disclosure: DashboardDisclosure;
  results: DashboardResults;
}

/** A filter value as sent by the client; `null` selects missing values. */
export type FilterValue = string | number | boolean | null;

/** Selected values per dimension key; rows must match one value of every listed dimension. */
export type Filters = Record<string, FilterValue[]>;

/**
 * Body of `POST /api/runs/:id/query`. Without `group_by` the answer is one total row with `key: null`; with it,
 * one row per value of that dimension in the whole run (hidden when few or none match).
 */
export interface QueryRequest {
  filters?: Filters;
  /** Range filters, at most one per column; each counts as one filtered dimension. */
  ranges?: RangeFilter[];
  group_by?: string | [DimensionKind, string];
  /** Segments: also count rows per cluster within each group (or within the total without `group_by`). */
  by_cluster?: boolean;
}

/**
 * One group of a query answer. A count is `null` when hidden (see {@link DashboardDisclosure}); `positives` and
 * `rate` need a target, `mean_score` needs `_score`. A rate is shown only when the group's positives and
 * negatives are both above min_cell; a mean score only when the group is shown.
 */
export interface QueryRow {
  key: string | number | boolean | null;
  count: number | null;
  positives?: number | null;
  rate?: number | null;
  mean_score?: number | null;
  /** Rows per cluster id within the group (with `by_cluster`); null when hidden. */
  clusters?: Record<string, number | null>;
  /** Share of each cluster within the group (with `by_cluster`); null unless the cluster's rows and the rest are both above min_cell. */
  cluster_shares?: Record<string, number | null>;
}

/** Answer of the query and area endpoints. */
export interface QueryResponse {
  rows: QueryRow[];
}

/**
 * Body of `POST /api/runs/:id/distribution`: counts per bin of a numeric column, or per week or month of the
 * timeline's column, under the filters and the ranges of the other columns (a chart is not filtered by its own range).
 */
export interface DistributionRequest {
  filters?: Filters;
  ranges?: RangeFilter[];
  column: string;
  /** Timeline buckets (default week); only for the timeline's column. */
  unit?: TimeUnit;
  /** Segments: also count rows per cluster within each bin. */
  by_cluster?: boolean;
}

/** One bin of a distribution: values in [start, end) (numbers, or `YYYY-MM-DD` days), with the counts of a query row. */
export interface DistributionBin extends QueryRow {
  start: number | string;
  end: number | string;
}

/**
 * Answer of `POST /api/runs/:id/distribution`: every bin of the column's domain, the rows where it is missing, and
 * (timeline) the rows dated outside the drawn months.
 */
export interface DistributionResponse {
  column: string;
  kind: RangeView["kind"];
  unit?: TimeUnit;
  bins: DistributionBin[];
  missing: QueryRow;
  /** Timeline: rows dated before `first` or from `end` on (the thin tails left out of the drawn range). */
  outside?: QueryRow;
}

/** One bin of `POST /api/runs/:id/histogram`: scores in [start, end); counts null when hidden. */
export interface HistogramBin {
  start: number;
  end: number;
  count: number | null;
  positives?: number | null;
  negatives?: number | null;
}

/** One square of the gridded point map: its centre and its records (shown only when above min_cell). */
export interface GridCell {
  lat: number;
  lon: number;
  count: number;
}

/**
 * Answer of `POST /api/runs/:id/points` (only when the study allows a gridded map): the filtered located records
 * counted on a square grid of `grid_m` metres. Squares with few or no records are left out; raw coordinates never
 * leave the server.
 */
export interface PointsResponse {
  grid_m: number;
  /** Located records under the filters (null when hidden). */
  total: number | null;
  cells: GridCell[];
}

/**
 * One bin of `POST /api/runs/:id/calibration`: scored records with a predicted score in [start, end) (the last bin
 * up to 1 included), with the published counts and rate of a query row and the mean predicted score (null when
 * hidden). The bins are the same for every filter: the run's predicted events cut into tenths (see risk-sql.ts).
 */
export interface CalibrationBin extends QueryRow {
  start: number;
  end: number;
}

/** Answer of `POST /api/runs/:id/calibration` (risk runs); `calibrated` says whether `_score` is a calibrated risk. */
export interface CalibrationResponse {
  calibrated: boolean;
  bins: CalibrationBin[];
  /** All scored records under the filters. */
  total: QueryRow;
}

/**
 * One point of `POST /api/runs/:id/flagging`: the top `percent`% of the filtered scored records by score are
 * flagged. `flagged` and `positives` are published counts (null when hidden); `captured` is the published positives
 * over the published positives of all scored records, `precision` the published positives over the published
 * flagged, each null unless the counts on both sides of the share are large enough.
 */
export interface FlaggingPoint {
  percent: number;
  flagged: number | null;
  positives: number | null;
  captured: number | null;
  precision: number | null;
}

/** Answer of `POST /api/runs/:id/flagging`. */
export interface FlaggingResponse {
  points: FlaggingPoint[];
  /** All scored records under the filters (N = 100), with their positives and rate. */
  total: QueryRow;
}

/**
 * Body of `POST /api/runs/:id/table`: the groups of the filtered records by one or more dimensions (each
 * combination of their values; a filtered dimension lists its selected values only). The dimensions filtered or
 * grouped together count against max_filters + 1, as a grouped query under max_filters filters does.
 */
export interface TableRequest {
  filters?: Filters;
  ranges?: RangeFilter[];
  group_by: (string | [DimensionKind, string])[];
}

/** One group of the drill-down table: its dimension values (in `group_by` order) and the counts of a query row. */
export interface TableRow extends QueryRow {
  keys: FilterValue[];
}

/** Answer of `POST /api/runs/:id/table`: every combination of the grouped dimensions' values, in domain order. */
export interface TableResponse {
  groups: DimensionView[];
  rows: TableRow[];
}

/**
 * Body of `POST /api/runs/:id/records`: one page of the filtered records themselves. Answered only when the study's
 * disclosure policy allows row-level output (`disclosure.row_level: true`); 403 otherwise.
 */
export interface RecordsRequest {
  filters?: Filters;
  ranges?: RangeFilter[];
  sort?: { column: string; desc?: boolean };
  offset?: number;
  limit?: number;
}

/** Answer of `POST /api/runs/:id/records`: the shown columns, the page's rows and the filter's exact total. */
export interface RecordsResponse {
  columns: string[];
  rows: Record<string, string | number | boolean | null>[];
  total: number;
  offset: number;
}
