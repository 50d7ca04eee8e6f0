import pg from "pg";
import { UserError } from "../util/errors.js";
import { type ColumnInfo, type Database, type Row, QueryError, driverMessage, quoteIdent } from "./Db.js";
import * as msg from "../util/messages.js";

/** Options for {@link PgDb.open}. */
export interface PgDbOptions {
  /** Work inside this schema: created if missing and put first on the search_path. */
  schema?: string;
  /** Drop `schema` (CASCADE) when the database is closed (default false). */
  dropSchemaOnClose?: boolean;
}

/**
 * Replaces the password in a PostgreSQL connection string (`postgres://user:***@host`) and any
 * `password=` parameter, so the result is safe for messages and logs.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, "$1:***@").replace(/([?&]password=)[^&#]*/gi, "$1***");
}

function passwordOf(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes every occurrence of the connection string and its password from `text`. */
function scrub(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  const password = passwordOf(url);
  if (password && password.length >= 2) out = out.split(password).join("***");
  return out;
}

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

function parseInt8(s: string): number | string {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

function parseNumeric(s: string): number | string {
  const n = Number(s);
  if (!Number.isFinite(n)) return s === "NaN" ? NaN : s;
  const digits = s
    .replace(/^[-+]?0*/, "")
    .replace(".", "")
    .replace(/^0+/, "")
    .replace(/0+$/, "");
  // More than 15 significant digits cannot round-trip through a double.
  return digits.length <= 15 ? n : s;
}

function parseTimestamp(s: string): string {
  if (s === "infinity" || s === "-infinity") return s;
  const d = new Date(s.replace(" ", "T") + "Z");
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

function parseTimestamptz(s: string): string {
  if (s === "infinity" || s === "-infinity") return s;
  const iso = s.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

function parseDate(s: string): string {
  return /^\d{4}-\d\d-\d\d$/.test(s) ? `${s}T00:00:00.000Z` : s;
}

const parsers: Record<number, (s: string) => unknown> = {
  [INT8]: parseInt8,
  [NUMERIC]: parseNumeric,
  [DATE]: parseDate,
  [TIMESTAMP]: parseTimestamp,
  [TIMESTAMPTZ]: parseTimestamptz,
};

/** Value conversions matching {@link Db}: int8/numeric as numbers when exact, dates and timestamps as ISO strings. */
const typeOverrides = {
  getTypeParser(oid: number, format?: string) {
    const parser = parsers[oid] as ((s: string) => unknown) | undefined;
    if (parser && format !== "binary") return parser;
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
};

/**
 * PostgreSQL behind the {@link Database} interface, over one `pg` client. Values come back like DuckDB's:
 * BIGINT and NUMERIC as JS numbers when exact (else strings), DATE and TIMESTAMP as ISO strings.
 * Connection strings and passwords never appear in its messages.
 */
export class PgDb implements Database {
  readonly dialect = "postgres" as const;
  private closed = false;

  private constructor(
    /** The underlying `pg` client, for COPY streams. */
    readonly client: pg.Client,
    /** Connection string with the password replaced by `***`. */
    readonly redactedUrl: string,
    private readonly url: string,
    /** Working schema, when one was asked for. */
    readonly schema: string | undefined,
    private readonly dropSchemaOnClose: boolean,
  ) {}

  /**
   * Connects to `url` (`postgres://…` or `postgresql://…`).
   * @param url connection string; never echoed unredacted
   * @param options working schema and whether to drop it on close
   */
  static async open(url: string, options: PgDbOptions = {}): Promise<PgDb> {
    const client = new pg.Client({ connectionString: url, types: typeOverrides });
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => {});
      throw new UserError("db.connect", msg.dbConnectFailed(redactUrl(url), scrub(driverMessage(e), url)));
    }
    const db = new PgDb(client, redactUrl(url), url, options.schema, options.dropSchemaOnClose ?? false);
    if (options.schema) {
      try {
        await db.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
        await db.exec(`SET search_path TO ${quoteIdent(options.schema)}, public`);
      } catch (e) {
        await client.end().catch(() => {});
        throw e;
      }
    }
    return db;
  }

  private wrap(e: unknown, sql: string): QueryError {
    const message = scrub(driverMessage(e), this.url);
    return new QueryError(message, sql, e);
  }

  async exec(sql: string, params: unknown[] = []): Promise<void> {
    try {
      await this.client.query(sql, params.length ? params : undefined);
    } catch (e) {
      throw this.wrap(e, sql);
    }
  }

  /**
   * Runs `sql` with the extended query protocol, which takes exactly one statement: a second one is an error
   * ("cannot insert multiple commands into a prepared statement"), never run.
   */
  async execOne(sql: string): Promise<void> {
    try {
      await this.client.query({ text: sql, values: [], queryMode: "extended" } as pg.QueryConfig);
    } catch (e) {
      throw this.wrap(e, sql);
    }
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      const result = (await this.client.query(sql, params.length ? params : undefined)) as pg.QueryResult<Row> | pg.QueryResult<Row>[];
      // Multi-statement text returns an array of results; the last one is the answer.
      const last = Array.isArray(result) ? result.at(-1) : result;
      return last?.rows ?? [];
    } catch (e) {
      throw this.wrap(e, sql);
    }
  }

  async columns(table: string): Promise<ColumnInfo[]> {
    const rows = await this.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum`,
      [quoteIdent(table)],
    );
    if (!rows.length) {
      const exists = await this.query("SELECT to_regclass($1) IS NOT NULL AS ok", [quoteIdent(table)]);
      if (!exists[0]?.ok) throw new QueryError(`relation "${table}" does not exist`, `columns(${table})`, undefined);
    }
    return rows.map((r) => ({ name: String(r.name), type: String(r.type) }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.schema && this.dropSchemaOnClose) await this.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`);
    } finally {
      await this.client.end().catch(() => {});
    }
  }
}
