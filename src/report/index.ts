export { buildReport, type ReportOptions } from "./html.js";
export { writeReport } from "./write-report.js";
export { riskCharts, topShareSentence } from "./risk-charts.js";
export { segmentsCharts, rewindForD3, clusterColor } from "./segments-charts.js";
export { renderSvg, compileSpec } from "./render-svg.js";
export { formatCount, isSuppressed } from "./format.js";
export { CATEGORY_PALETTE, categoryColor } from "./palette.js";
export type { VegaLiteSpec, FeatureCollection, Manifest, PcaPoint } from "./types.js";
