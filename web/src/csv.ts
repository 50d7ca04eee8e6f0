/** A cell of an exported table: numbers as they are, null as an empty cell. */
export type CsvCell = string | number | boolean | null | undefined;

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; quotes doubled. */
function field(v: CsvCell): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A table as CSV text with a header row and CRLF line ends (RFC 4180).
 * @param columns header names, in order
 * @param rows one array of cells per row, in the order of `columns`
 */
export function toCsv(columns: string[], rows: CsvCell[][]): string {
  return [columns, ...rows].map((r) => r.map(field).join(",")).join("\r\n") + "\r\n";
}
