export {
  loadCsv,
  loadCsvSql,
  sniffCsv,
  readCsvHeader,
  fixHeaderNames,
  repeatedHeaderSql,
  normalizeHeaderName,
  csvEncoding,
} from "./load-csv.js";
export type { CsvOptions, CsvDialect, CsvLoadResult } from "./load-csv.js";
export { loadGeojson, writeFeatures, inferPropertyType } from "./load-geojson.js";
export type { GeojsonLoadResult } from "./load-geojson.js";
export { loadShapefile } from "./load-shapefile.js";
export type { ShapefileLoadResult } from "./load-shapefile.js";
export { writeTable, uniqueNames } from "./write-table.js";
export type { ColumnSpec } from "./write-table.js";
