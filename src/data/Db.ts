import { DuckDBInstance, StatementType, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";

/** A row as plain JavaScript values (BIGINT becomes number when safe, else string; dates become ISO strings). */
export type Row = Record<string, unknown>;

/** Column name and SQL type as the database reports it. */
export interface ColumnInfo {
  name: string;
  type: string;
}

/**
 * The small database interface every part of openbeat uses: DuckDB (embedded, default) or PostgreSQL.
 * Parameters are always bound, never spliced into SQL text.
 */
export interface Database {
  /** Engine name, used to pick SQL dialect and in messages. */
  readonly dialect: "duckdb" | "postgres";
  /** Runs statements that return nothing. */
  exec(sql: string, params?: unknown[]): Promise<void>;
  /** Runs a query and returns its rows. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Column names and types of a table or view. */
  columns(table: string): Promise<ColumnInfo[]>;
  /** Releases the connection. */
  close(): Promise<void>;
}

/** Error from the database, carrying the SQL that failed as context and the driver's error as `cause`. */
export class QueryError extends Error {
  readonly sql: string;
  constructor(message: string, sql: string, cause: unknown) {
    super(message, { cause });
    this.name = "QueryError";
    this.sql = sql;
  }
}

/** First line of a driver error message, without the engine's noise. */
export function driverMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n")[0].trim();
}

/** Quotes an SQL identifier (table or column name) for DuckDB and PostgreSQL alike. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes an SQL string literal; only for values openbeat itself controls, such as file paths. */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function toJs(v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  return v;
}

/** DuckDB's memory_limit for a run's database per thread it runs (see {@link defaultMemoryLimit}). */
export const MEMORY_PER_THREAD = 2 ** 30;

/**
 * The memory_limit a run's database gets unless `--memory-limit` says otherwise: 1 GiB per thread DuckDB runs (one
 * per core), at least 1 GiB and at most half the machine's memory, in MiB. DuckDB's own default (80% of RAM) lets
 * its buffers grow into the memory the models need: a 10M-row risk run peaked at 10.5 GB under it and at 4.5 GB
 * under 2 GB, in the same time (docs/benchmarks.md). Beyond the limit DuckDB spills to the run's scratch folder.
 * @param threads DuckDB's threads (default: the cores)
 * @param total the machine's memory in bytes
 */
export function defaultMemoryLimit(threads = availableParallelism(), total = totalmem()): string {
  const bytes = Math.min(Math.max(threads * MEMORY_PER_THREAD, 2 ** 30), total / 2);
  return `${Math.max(1, Math.floor(bytes / 2 ** 20))}MiB`;
}

/** DuckDB, embedded in the process. `path` ":memory:" (default) or a database file. */
export class Db implements Database {
  readonly dialect = "duckdb" as const;
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Whether closing this Db closes the instance too (the one `open` made), or only its own connection. */
    private readonly ownsInstance: boolean,
    /** The instance's spill folder (see {@link Db.open}), removed when the instance closes. */
    private readonly spillFolder?: string,
  ) {}

  /** A connection of `instance` with the settings every openbeat connection has. */
  private static async connectTo(instance: DuckDBInstance): Promise<DuckDBConnection> {
    const connection = await instance.connect();
    // Timestamps with a time zone must read the same on every machine: hour and weekday features depend on it.
    // A connection's settings are its own, so each one is set.
    await connection.run("SET TimeZone = 'UTC'");
    return connection;
  }

  /**
   * Opens an in-memory database, or a file; `readOnly` opens the file read-only; `memoryLimit` (e.g. "4GB") caps
   * DuckDB's memory before it spills to its temporary folder. That folder is `tempDirectory` (the caller's, which
   * the caller removes), or a new one under the OS temp folder, made by DuckDB only when it spills and removed on
   * close: DuckDB's own default for an in-memory database is `.tmp` in the working directory, a place nobody told
   * openbeat to write. It is set here, once: DuckDB refuses to move it after it has spilled.
   */
  static async open(
    path = ":memory:",
    options: { readOnly?: boolean; threads?: number; memoryLimit?: string; tempDirectory?: string } = {},
  ): Promise<Db> {
    const temp = options.tempDirectory ?? join(tmpdir(), `openbeat-duckdb-${process.pid}-${randomUUID()}`);
    const config: Record<string, string> = { temp_directory: temp };
    if (options.readOnly) config.access_mode = "READ_ONLY";
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (e) {
      throw new UserError("db.open", msg.dbOpenFailed(path, driverMessage(e)), { cause: e });
    }
    return new Db(instance, await Db.connectTo(instance), true, options.tempDirectory ? undefined : temp);
  }

  /**
   * Another connection to the same database: it sees the same tables and views (the catalog is the instance's, not
   * the connection's; `TEMP` objects are the exception), and queries on different connections run at the same time.
   * Closing it closes only that connection; close every one of them before the Db they came from.
   */
  async connect(): Promise<Db> {
    return new Db(this.instance, await Db.connectTo(this.instance), false);
  }

  async exec(sql: string, params: unknown[] = []): Promise<void> {
    try {
      await this.connection.run(sql, params.length ? (params as DuckDBValue[]) : undefined);
    } catch (e) {
      throw new QueryError(driverMessage(e), sql, e);
    }
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      const reader = await this.connection.runAndReadAll(sql, params.length ? (params as DuckDBValue[]) : undefined);
      const rows = reader.getRowObjectsJS() as Row[];
      for (const row of rows) for (const k in row) row[k] = toJs(row[k]);
      return rows;
    } catch (e) {
      throw new QueryError(driverMessage(e), sql, e);
    }
  }

  /** Columns of a query result as arrays (faster than row objects for large results). */
  async queryColumns(sql: string, params: unknown[] = []): Promise<{ names: string[]; columns: unknown[][] }> {
    try {
      const reader = await this.connection.runAndReadAll(sql, params.length ? (params as DuckDBValue[]) : undefined);
      const columns = reader.getColumnsJS() as unknown[][];
      for (const col of columns) for (let i = 0; i < col.length; ++i) col[i] = toJs(col[i]);
      return { names: reader.columnNames(), columns };
    } catch (e) {
      throw new QueryError(driverMessage(e), sql, e);
    }
  }

  /**
   * Columns of a query whose values are numbers (integers, doubles, booleans as 0/1) as Float64Arrays, without a
   * JavaScript value per cell; NULL reads as NaN. Other types (DECIMAL, text) are an error: cast them in the query.
   * For large numeric results such as the dashboard's run index and the feature columns.
   */
  async queryNumbers(sql: string, params: unknown[] = []): Promise<{ names: string[]; columns: Float64Array[] }> {
    try {
      const result = await this.connection.run(sql, params.length ? (params as DuckDBValue[]) : undefined);
      const names = result.columnNames();
      const chunks = await result.fetchAllChunks();
      const n = chunks.reduce((s, c) => s + c.rowCount, 0);
      const columns = names.map(() => new Float64Array(n));
      let offset = 0;
      for (const chunk of chunks) {
        for (let j = 0; j < columns.length; ++j) {
          const out = columns[j];
          const values = chunk.getColumnValues(j);
          for (let i = 0; i < values.length; ++i) {
            const v = values[i];
            if (typeof v === "number") out[offset + i] = v;
            else if (typeof v === "bigint" || typeof v === "boolean") out[offset + i] = Number(v);
            else if (v === null) out[offset + i] = NaN;
            else throw new Error(`queryNumbers: column ${names[j]} is not numeric (cast it to DOUBLE in the query)`);
          }
        }
        offset += chunk.rowCount;
      }
      return { names, columns };
    } catch (e) {
      throw new QueryError(driverMessage(e), sql, e);
    }
  }

  /**
   * Splits `sql` into statements with DuckDB's own parser, without running anything: how many there are and, when
   * there is exactly one, its type after binding (`SELECT`, `COPY`, `ATTACH`, `SET`, …). Parse and bind errors
   * throw a {@link QueryError}. Binding can already act (binding `EXPORT DATABASE` creates its folder), so SQL from
   * a study file is only classified on an engine locked by `lockDownDuckDb` (data/sandbox.ts).
   */
  async classifyStatements(sql: string): Promise<{ count: number; type: string | null }> {
    try {
      const extracted = await this.connection.extractStatements(sql);
      if (extracted.count !== 1) return { count: extracted.count, type: null };
      const prepared = await extracted.prepare(0);
      try {
        return { count: 1, type: StatementType[prepared.statementType] };
      } finally {
        prepared.destroySync();
      }
    } catch (e) {
      throw new QueryError(driverMessage(e), sql, e);
    }
  }

  /** Runs `sql`, which must be exactly one statement (as DuckDB's parser splits it); more than one is an error. */
  async execOne(sql: string): Promise<void> {
    try {
      const extracted = await this.connection.extractStatements(sql);
      if (extracted.count !== 1) throw new Error(`expected one SQL statement, found ${extracted.count}`);
      const prepared = await extracted.prepare(0);
      try {
        await prepared.run();
      } finally {
        prepared.destroySync();
      }
    } catch (e) {
      throw new QueryError(driverMessage(e), sql, e);
    }
  }

  /** Stops the query running on this connection; it then fails with DuckDB's "Interrupted" error. */
  interrupt(): void {
    this.connection.interrupt();
  }

  /** An appender for bulk inserts into an existing table. */
  appender(table: string): Promise<DuckDBAppender> {
    return this.connection.createAppender(table);
  }

  async columns(table: string): Promise<ColumnInfo[]> {
    const rows = await this.query(`DESCRIBE ${quoteIdent(table)}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  close(): Promise<void> {
    this.connection.closeSync();
    if (this.ownsInstance) {
      this.instance.closeSync();
      if (this.spillFolder) rmSync(this.spillFolder, { recursive: true, force: true });
    }
    return Promise.resolve();
  }
}
