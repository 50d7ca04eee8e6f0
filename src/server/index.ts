export { startServer, type ServerOptions, type RunningServer } from "./start-server.js";
export { resolveStaticPath, type StaticResolution } from "./resolve-static-path.js";
export type {
  DimensionKind,
  DimensionView,
  RunSummary,
  FilterValue,
  Filters,
  QueryRequest,
  QueryRow,
  QueryResponse,
  HistogramBin,
  PointsResponse,
  GridCell,
  DashboardDisclosure,
  DashboardResults,
  DashboardCluster,
} from "./api-types.js";
