import { afterEach, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { DbPool, defaultPoolSize } from "../../src/data/db-pool.js";

/** A promise with its resolver, to hold a task open until the test lets it go. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

let pool: DbPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe("DbPool: connections of one DuckDB instance", () => {
  it("sizes itself from the cores: 2 to 4", () => {
    expect([1, 2, 3, 4, 8, 64].map((c) => defaultPoolSize(c))).toEqual([2, 2, 3, 4, 4, 4]);
  });

  it("every connection sees the tables and views of the instance, made before or after the pool opened, in UTC", async () => {
    const db = await Db.open();
    await db.exec(`CREATE TABLE before_t AS SELECT range AS x FROM range(1000)`);
    const p = await DbPool.open(db, 3);
    pool = p;
    await db.exec(`CREATE VIEW after_v AS SELECT x * 2 AS y FROM before_t`);
    const seen = new Set<Db>();
    const held = gate();
    // Three tasks at once hold three different connections, so each answer below comes from another connection.
    const tasks = [0, 1, 2].map(() =>
      p.use(async (c) => {
        seen.add(c);
        await held.wait;
        const [r] = await c.query(
          `SELECT (SELECT sum(x) FROM before_t)::BIGINT AS s, (SELECT max(y) FROM after_v)::BIGINT AS m, current_setting('TimeZone') AS tz, hour(TIMESTAMPTZ '2024-03-01 23:30:00+00') AS h`,
        );
        return r;
      }),
    );
    while (seen.size < 3) await new Promise((r) => setImmediate(r));
    held.open();
    const answers = await Promise.all(tasks);
    expect(seen.size).toBe(3);
    for (const a of answers) expect(a).toEqual({ s: 499500, m: 1998, tz: "UTC", h: 23 });
  });

  it("hands out at most `size` connections; the next task waits for one to be freed, first come first served", async () => {
    pool = await DbPool.open(await Db.open(), 2);
    const order: string[] = [];
    const a = gate();
    const b = gate();
    const ta = pool.use(async () => {
      order.push("a start");
      await a.wait;
      order.push("a end");
    });
    const tb = pool.use(async () => {
      order.push("b start");
      await b.wait;
      order.push("b end");
    });
    const tc = pool.use(async (c) => {
      order.push("c start");
      return (await c.query("SELECT 42 AS v"))[0].v;
    });
    const td = pool.use(async () => {
      order.push("d start");
      return Promise.resolve();
    });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(["a start", "b start"]);
    b.open();
    await tb;
    expect(await tc).toBe(42);
    expect(order.slice(0, 4)).toEqual(["a start", "b start", "b end", "c start"]);
    a.open();
    await Promise.all([ta, td]);
    expect(order).toContain("d start");
    expect(order.indexOf("d start")).toBeGreaterThan(order.indexOf("c start"));
  });

  it("a failing task frees its connection", async () => {
    pool = await DbPool.open(await Db.open(), 1);
    await expect(pool.use((c) => c.query("SELECT * FROM no_such_table"))).rejects.toThrow(/no_such_table/);
    expect(await pool.use(async (c) => (await c.query("SELECT 1 AS one"))[0].one)).toBe(1);
  });

  it("answers on one connection while a long query runs on another", async () => {
    pool = await DbPool.open(await Db.open(), 2);
    let long: Db | undefined;
    const slow = pool.use((c) => {
      long = c;
      return c.query("SELECT count(*) AS n FROM range(100000000000) a WHERE a.range % 7 = 3");
    });
    // Resolves only if the second connection is not queued behind the first one's query.
    const quick = await pool.use(async (c) => (await c.query("SELECT 7 AS v"))[0].v);
    expect(quick).toBe(7);
    const settled = slow.then(
      () => "finished",
      (e: unknown) => String(e),
    );
    let outcome: string | undefined;
    void settled.then((o) => (outcome = o));
    while (outcome === undefined) {
      long?.interrupt();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(outcome).toMatch(/interrupt/i);
  });

  it("close waits for the tasks in flight, then refuses new ones", async () => {
    pool = await DbPool.open(await Db.open(), 2);
    const g = gate();
    let done = false;
    const task = pool.use(async (c) => {
      await g.wait;
      await c.query("SELECT 1");
      done = true;
    });
    const closed = pool.close();
    await expect(pool.use((c) => c.query("SELECT 1"))).rejects.toThrow(/closed/);
    g.open();
    await closed;
    await task;
    expect(done).toBe(true);
    pool = undefined;
  });

  it("refuses a size that is not a whole number of 1 or more", async () => {
    const db = await Db.open();
    await expect(DbPool.open(db, 0)).rejects.toThrow(/whole number/);
    await expect(DbPool.open(db, 1.5)).rejects.toThrow(/whole number/);
    await db.close();
  });
});
