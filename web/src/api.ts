import type {
  CalibrationResponse,
  DistributionRequest,
  FlaggingResponse,
  RecordsRequest,
  RecordsResponse,
  TableRequest,
  TableResponse,
  DistributionResponse,
  Filters,
  HistogramBin,
  PointsResponse,
  QueryRequest,
  QueryRow,
  RangeFilter,
  RunSummary,
} from "../../src/server/api-types";

const token = new URLSearchParams(location.search).get("token");

async function call<T>(path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = ((await res.json()) as { error?: string }).error ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(message);
  }
  return (await res.json()) as T;
}

const runPath = (id: string, what: string): string => `/api/runs/${encodeURIComponent(id)}/${what}`;

/** All runs the server was started with. */
export const fetchRuns = (): Promise<{ runs: RunSummary[] }> => call("/api/runs");

/** Grouped counts for one run. */
export const fetchQuery = (id: string, request: QueryRequest): Promise<{ rows: QueryRow[] }> => call(runPath(id, "query"), request);

/** Score histogram of the filtered rows. */
export const fetchHistogram = (id: string, filters: Filters, ranges: RangeFilter[], bins = 20): Promise<{ bins: HistogramBin[] }> =>
  call(runPath(id, "histogram"), { filters, ranges, bins });

/** Counts per bin of a numeric column, or per week or month of the timeline. */
export const fetchDistribution = (id: string, request: DistributionRequest): Promise<DistributionResponse> =>
  call(runPath(id, "distribution"), request);

/** The filtered located rows counted on the run's grid (only when the study allows a gridded map). */
export const fetchPoints = (id: string, filters: Filters, ranges: RangeFilter[]): Promise<PointsResponse> =>
  call(runPath(id, "points"), { filters, ranges });

/** Counts per area of the filtered rows. */
export const fetchAreas = (id: string, filters: Filters, ranges: RangeFilter[]): Promise<{ column: string; rows: QueryRow[] }> =>
  call(runPath(id, "areas"), { filters, ranges });

/** The calibration curve's bins for the filtered rows (risk runs). */
export const fetchCalibration = (id: string, filters: Filters, ranges: RangeFilter[]): Promise<CalibrationResponse> =>
  call(runPath(id, "calibration"), { filters, ranges });

/** Events captured and precision when flagging the top N% of the filtered rows by score (risk runs). */
export const fetchFlagging = (id: string, filters: Filters, ranges: RangeFilter[]): Promise<FlaggingResponse> =>
  call(runPath(id, "flagging"), { filters, ranges });

/** The drill-down table of the filtered groups. */
export const fetchTable = (id: string, request: TableRequest): Promise<TableResponse> => call(runPath(id, "table"), request);

/** One page of the filtered records (only where the run's policy allows row-level output). */
export const fetchRecords = (id: string, request: RecordsRequest): Promise<RecordsResponse> => call(runPath(id, "records"), request);

/** The run's area GeoJSON. */
export const fetchGeojson = (id: string): Promise<{ type: string; features: GeoFeature[] }> => call(runPath(id, "areas.geojson"));

/** URL of the run's static report (carries the token when there is one). */
export const reportUrl = (id: string): string => runPath(id, "report.html") + (token ? `?token=${encodeURIComponent(token)}` : "");

/** A GeoJSON feature as the dashboard reads it. */
export interface GeoFeature {
  type: "Feature";
  properties: Record<string, unknown> | null;
  geometry: unknown;
}
