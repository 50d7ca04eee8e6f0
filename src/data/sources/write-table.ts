import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import type { Database } from "../Db.js";
import { insertNdjsonSql } from "../sql/copy.js";
import { createTableSql } from "../sql/tables.js";

/** A column to create: name and DuckDB type. */
export interface ColumnSpec {
  name: string;
  type: "BIGINT" | "DOUBLE" | "BOOLEAN" | "VARCHAR" | "DATE" | "INTEGER";
}

/**
 * Creates (or replaces) a table with exactly these columns and fills it from JavaScript rows. Rows go through a
 * temporary newline-delimited JSON file read by DuckDB's `read_json` with the column types given, which is much
 * faster than one INSERT per row when cells hold large geometries.
 * @param db DuckDB database
 * @param table table name
 * @param columns column names and types, in order
 * @param rows objects keyed by column name; missing keys are NULL
 */
export async function writeTable(
  db: Database,
  table: string,
  columns: ColumnSpec[],
  rows: Iterable<Record<string, unknown>>,
): Promise<void> {
  await db.exec(createTableSql(table, columns, { replace: true }));
  const temp = join(tmpdir(), `openbeat-${randomUUID()}.ndjson`);
  let longest = 0;
  let count = 0;
  try {
    const out = createWriteStream(temp, { encoding: "utf8" });
    for (const row of rows) {
      const line = JSON.stringify(row) + "\n";
      longest = Math.max(longest, Buffer.byteLength(line));
      if (!out.write(line)) await once(out, "drain");
      ++count;
    }
    out.end();
    await once(out, "finish");
    if (count === 0) return;
    await db.exec(insertNdjsonSql(table, temp, columns, Math.max(16 << 20, longest * 2)));
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Unique, non-empty column names (DuckDB compares names case-insensitively): empty names become `column_N`,
 * repeats and reserved names get `_2`, `_3`, …
 * @param names names in order
 * @param reserved names already used by the caller, e.g. `_geometry`
 */
export function uniqueNames(names: string[], reserved: string[] = []): string[] {
  const taken = new Set(reserved.map((r) => r.toLowerCase()));
  return names.map((raw, i) => {
    const base = raw.trim() === "" ? `column_${i + 1}` : raw;
    let name = base;
    for (let k = 2; taken.has(name.toLowerCase()); ++k) name = `${base}_${k}`;
    taken.add(name.toLowerCase());
    return name;
  });
}
