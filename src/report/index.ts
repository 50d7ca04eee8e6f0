export { buildReport, type ReportOptions } from "./html.js";
export { riskCharts } from "./risk-charts.js";
export { segmentsCharts, rewindForD3 } from "./segments-charts.js";
export { renderSvg, compileSpec } from "./render-svg.js";
export type { VegaLiteSpec, FeatureCollection } from "./types.js";
