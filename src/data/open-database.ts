import { randomBytes } from "node:crypto";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import { type Database, Db } from "./Db.js";
import { PgDb, redactUrl } from "./PgDb.js";

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** PostgreSQL: schema to work in (default a fresh `openbeat_run_<time>_<hex>`). */
  schema?: string;
  /** PostgreSQL: keep the schema after close (default false: a run leaves nothing behind). */
  keepSchema?: boolean;
}

/** A fresh, unique schema name for one run: `openbeat_run_<yyyymmddhhmmss>_<8 hex>`. */
export function runSchemaName(now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  return `openbeat_run_${stamp}_${randomBytes(4).toString("hex")}`;
}

/**
 * Opens the database a run works in: in-memory DuckDB when `url` is absent or empty, PostgreSQL for
 * `postgres://` and `postgresql://` URLs (in its own schema, dropped on close unless `keepSchema`), a
 * {@link UserError} for anything else.
 * @param url the `--db` value
 */
export async function openDatabase(url?: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  if (!url) return Db.open();
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return PgDb.open(url, { schema: options.schema ?? runSchemaName(), dropSchemaOnClose: !options.keepSchema });
  }
  throw new UserError("db.url", msg.unsupportedDbUrl(redactUrl(url)));
}
