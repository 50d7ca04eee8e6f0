import { availableParallelism } from "node:os";
import type { Db } from "./Db.js";

/**
 * Connections for a server's concurrent reads: a connection of one in-memory DuckDB per query at a time. 2 to 4 by
 * default, from the cores: each query already runs on all of DuckDB's threads, so more connections than cores only
 * queue inside DuckDB; two let a short query pass a long one and overlap the JavaScript work of one answer (JSON,
 * the policy) with the next query.
 */
export function defaultPoolSize(cores = availableParallelism()): number {
  return Math.min(4, Math.max(2, cores));
}

/**
 * A fixed set of connections of one DuckDB instance, handed out one query task at a time in arrival order. Every
 * connection sees the instance's tables and views (anything made before or after the pool opened, except `TEMP`
 * objects), so the tables a server reads into the instance at start-up are served by each of them.
 */
export class DbPool {
  private readonly free: Db[];
  private readonly waiting: ((db: Db) => void)[] = [];
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly primary: Db,
    private readonly all: readonly Db[],
  ) {
    this.free = [...all];
  }

  /**
   * The pool of `size` connections: `db` itself and `size - 1` more of its instance. Closing the pool closes them
   * all, `db` (and so the instance) last.
   */
  static async open(db: Db, size: number): Promise<DbPool> {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a pool needs a whole number of connections (1 or more), not ${size}`);
    const all = [db];
    try {
      while (all.length < size) all.push(await db.connect());
    } catch (e) {
      for (const c of all.slice(1)) await c.close();
      throw e;
    }
    return new DbPool(db, all);
  }

  /** Number of connections. */
  get size(): number {
    return this.all.length;
  }

  /** Runs `task` on a free connection (waiting for one, first come first served) and frees it when the task settles. */
  async use<T>(task: (db: Db) => Promise<T>): Promise<T> {
    if (this.closing) throw new Error("the database pool is closed");
    const db = this.free.pop() ?? (await new Promise<Db>((resolve) => this.waiting.push(resolve)));
    try {
      return await task(db);
    } finally {
      const next = this.waiting.shift();
      if (next) next(db);
      else this.free.push(db);
    }
  }

  /** Waits for the tasks already given, then closes every connection and the instance. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const held: Db[] = [];
      while (held.length < this.all.length) {
        held.push(this.free.pop() ?? (await new Promise<Db>((resolve) => this.waiting.push(resolve))));
      }
      for (const c of this.all) if (c !== this.primary) await c.close();
      await this.primary.close();
    })();
    return this.closing;
  }
}
