import { DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";
import type { Db } from "./Db.js";
import { createTableSql } from "./sql/tables.js";

/** One column to write: name, SQL type, and values (NaN and null become SQL NULL). */
export interface ColumnData {
  name: string;
  type: "DOUBLE" | "INTEGER" | "VARCHAR";
  values: ArrayLike<number | string | null>;
}

const TYPES: Record<ColumnData["type"], DuckDBType> = { DOUBLE, INTEGER, VARCHAR };
const CHUNK = 2048;

/** Creates (or replaces) a DuckDB table from columns, appending in data chunks (much faster than row inserts). */
export async function createTableFromColumns(db: Db, table: string, columns: ColumnData[]): Promise<void> {
  await db.exec(createTableSql(table, columns, { replace: true }));
  const n = columns.length ? columns[0].values.length : 0;
  const appender = await db.appender(table);
  const types = columns.map((c) => TYPES[c.type]);
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    const chunk = DuckDBDataChunk.create(types, m);
    chunk.setColumns(
      columns.map((c) => {
        const out = new Array<DuckDBValue>(m);
        for (let r = 0; r < m; ++r) {
          const v = c.values[start + r];
          out[r] = v === null || (typeof v === "number" && Number.isNaN(v)) ? null : v;
        }
        return out;
      }),
    );
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
}
