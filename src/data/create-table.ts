import { DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";
import type { Db } from "./Db.js";
import { createTableSql } from "./sql/tables.js";

/** One column to write: name, SQL type, and values (NaN and null become SQL NULL unless `nanAsNull` is false). */
export interface ColumnData {
  name: string;
  type: "DOUBLE" | "INTEGER" | "VARCHAR";
  values: ArrayLike<number | string | null>;
}

/** Options for {@link createTableFromColumns}. */
export interface CreateTableOptions {
  /**
   * NaN becomes SQL NULL (default true). With false, a Float64Array's NaN is written as the DOUBLE NaN, so that SQL
   * can tell a missing value from a row that has none.
   */
  nanAsNull?: boolean;
}

const TYPES: Record<ColumnData["type"], DuckDBType> = { DOUBLE, INTEGER, VARCHAR };
const CHUNK = 2048;

/**
 * Creates (or replaces) a DuckDB table from columns, appending in data chunks (much faster than row inserts).
 * Int32Array columns, and Float64Array columns without NaN in a chunk (or with `nanAsNull: false`), go to the
 * appender as views of the typed array; other columns are copied per chunk with NaN and null as NULL.
 */
export async function createTableFromColumns(
  db: Db,
  table: string,
  columns: ColumnData[],
  options: CreateTableOptions = {},
): Promise<void> {
  const nanAsNull = options.nanAsNull ?? true;
  await db.exec(createTableSql(table, columns, { replace: true }));
  const n = columns.length ? columns[0].values.length : 0;
  const appender = await db.appender(table);
  const types = columns.map((c) => TYPES[c.type]);
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    const chunk = DuckDBDataChunk.create(types, m);
    chunk.setColumns(columns.map((c) => chunkValues(c, start, m, nanAsNull)));
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
}

/** Values start..start+m of a column as the appender takes them. */
function chunkValues(c: ColumnData, start: number, m: number, nanAsNull: boolean): readonly DuckDBValue[] {
  const v = c.values;
  if ((c.type === "INTEGER" && v instanceof Int32Array) || (c.type === "DOUBLE" && v instanceof Float64Array)) {
    const view = v.subarray(start, start + m);
    // the chunk reads only `length` and `[i]` of each column (DuckDBDataChunk.setColumnValues), so a view will do
    if (!nanAsNull || !view.some(Number.isNaN)) return view as unknown as readonly DuckDBValue[];
  }
  const out = new Array<DuckDBValue>(m);
  for (let r = 0; r < m; ++r) {
    const x = v[start + r];
    out[r] = x === null || (typeof x === "number" && Number.isNaN(x) && nanAsNull) ? null : x;
  }
  return out;
}
