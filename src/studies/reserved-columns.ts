/**
 * Names of the columns openbeat adds beside the user's data: the row number (`_row`), the risk scores, the cluster
 * of a row and its probability, joined areas, and the dashboard's record key. A data column of the same name would
 * silently take the place of openbeat's own, so the analysis table may not have one.
 */
export const RESERVED_COLUMNS = ["_row", "_score", "_score_raw", "_cluster", "_cluster_probability", "_area", "_rk", "_record_key"];

/**
 * The first of `columns` named like one of openbeat's own (compared without case, as SQL does), or undefined.
 * Names starting with `_openbeat` are openbeat's scratch names and count as well.
 * @param columns column names of a table
 */
export function reservedColumn(columns: Iterable<string>): string | undefined {
  const reserved = new Set(RESERVED_COLUMNS);
  for (const c of columns) {
    const lower = c.toLowerCase();
    if (reserved.has(lower) || lower.startsWith("_openbeat")) return c;
  }
  return undefined;
}
