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
export { expandSourcePath, globBase, globRoot, globSegmentRegExp, isFileSet, isGlob } from "./expand-source-paths.js";
export type { SourceFile } from "./expand-source-paths.js";
export { columnDrift, columnKey, loadFileSet, loadSourceFileSet, unionFilesSql, SOURCE_FILE_COLUMN } from "./load-file-set.js";
export type { FileSetFormat, FileSetLoadResult, FileSetOptions, LoadedFile, ResolveFile } from "./load-file-set.js";
export { loadNative, loadNativeSql } from "./load-parquet.js";
export type { NativeFormat } from "./load-parquet.js";
