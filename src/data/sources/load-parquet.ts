import { driverMessage, quoteIdent, quoteString, type Database } from "../Db.js";
import { countRowsSql } from "../sql/tables.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";

/** File formats DuckDB reads natively, without openbeat's CSV repairs. */
export type NativeFormat = "parquet" | "ndjson";

/**
 * Builds (does not run) `CREATE OR REPLACE TABLE table AS SELECT * FROM read_parquet(…)` or, for newline-delimited
 * JSON, `read_json(…, format = 'newline_delimited')` with types sampled over the whole file.
 * @param table table name (quoted here)
 * @param path file path as DuckDB should open it
 * @param format parquet or ndjson
 */
export function loadNativeSql(table: string, path: string, format: NativeFormat): string {
  const reader =
    format === "parquet"
      ? `read_parquet(${quoteString(path)})`
      : `read_json(${quoteString(path)}, format = 'newline_delimited', sample_size = -1)`;
  return `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM ${reader}`;
}

/**
 * Loads a Parquet or newline-delimited JSON file into a table with DuckDB's own readers.
 * @param db DuckDB database
 * @param table table to create (replaced if it exists)
 * @param path file
 * @param format parquet or ndjson
 * @param options `where` prefixes error messages (default: the path)
 */
export async function loadNative(
  db: Database,
  table: string,
  path: string,
  format: NativeFormat,
  options: { where?: string } = {},
): Promise<{ rows: number }> {
  try {
    await db.exec(loadNativeSql(table, path, format));
  } catch (e) {
    throw new UserError("source.load", msg.sourceLoadFailed(options.where ?? path, driverMessage(e)), { cause: e });
  }
  return { rows: Number((await db.query(countRowsSql(table)))[0].n) };
}
