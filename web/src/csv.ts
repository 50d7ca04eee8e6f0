export { toCsv, type CsvCell } from "../../src/util/csv.js";
