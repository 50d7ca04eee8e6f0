import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { expect } from "vitest";
import { Db, quoteIdent, quoteString } from "../../src/data/Db.js";
import type { FilterValue, QueryRow, RangeFilter, RunSummary } from "../../src/server/api-types.js";
import { formatDay, parseDay } from "../../src/server/ranges.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { createRng } from "../../src/util/random.js";
import { defined } from "../checks.js";

/**
 * The run index (src/server/run-index.ts) against SQL: two servers on the same results folders, one answering from
 * the index and one from SQL only (`index: false`), both without the answer cache, get the same random filter and
 * range states on every endpoint the index answers and must answer each request byte for byte alike, errors
 * included. Used on the dashboard fixtures (test/server/run-index.test.ts) and on the real example runs
 * (test/e2e/run-index-real.e2e.test.ts).
 */

/** What a comparison covered, for the caller's assertions. */
export interface IndexComparison {
  /** Studies of the runs compared, in the order served. */
  studies: string[];
  /** Random states compared (each on every endpoint). */
  states: number;
  /** States whose total selected at least one record. */
  nonEmpty: number;
  /** Range kinds met (numeric, date). */
  kinds: string[];
  /** Ranges ending or starting on the day of a record at midnight. */
  midnightEdges: number;
  /** Requests compared. */
  requests: number;
}

async function ask(server: RunningServer, run: string, what: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}api/runs/${run}/${what}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** Compares the indexed and the SQL-only answers of `states` random states on each run of `dirs`. */
export async function compareIndexWithSql(dirs: readonly string[], states: number, seed: number): Promise<IndexComparison> {
  const webRoot = mkdtempSync(join(tmpdir(), "openbeat-index-"));
  const byId = new Map(dirs.map((d) => [basename(d), d]));
  let indexed: RunningServer | undefined;
  let sqlOnly: RunningServer | undefined;
  try {
    indexed = await startServer({ dirs: [...dirs], port: 0, webRoot, log: () => {}, cache: false });
    sqlOnly = await startServer({ dirs: [...dirs], port: 0, webRoot, log: () => {}, cache: false, index: false });
    const [a, b] = [indexed, sqlOnly];
    // The comparison means something only when one server answers from the index and the other does not.
    expect([...a.indexed].sort()).toEqual([...byId.keys()].sort());
    expect(b.indexed).toEqual([]);
    let requests = 0;
    /** Asks both servers; returns the answer after checking that they agree. */
    const same = async (run: string, what: string, body: unknown): Promise<{ status: number; text: string }> => {
      const [x, y] = await Promise.all([ask(a, run, what, body), ask(b, run, what, body)]);
      expect(x, `${run} ${what} ${JSON.stringify(body)}`).toEqual(y);
      requests++;
      return x;
    };
    const runs = ((await (await fetch(a.url + "api/runs")).json()) as { runs: RunSummary[] }).runs;
    const rng = createRng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];
    let compared = 0;
    let nonEmpty = 0;
    let midnightEdges = 0;
    const kinds = new Set<string>();
    for (const run of runs) {
      // Each dimension's values, from an unfiltered group-by (every value of the run has a row).
      const domains = new Map<string, FilterValue[]>();
      for (const d of run.dimensions) {
        const answer = await same(run.id, "query", { group_by: d.key });
        domains.set(
          d.key,
          (JSON.parse(answer.text) as { rows: QueryRow[] }).rows.map((r) => r.key),
        );
      }
      expect(run.ranges.length, run.id).toBeGreaterThan(0);
      for (const r of run.ranges) kinds.add(r.kind);
      const randomRange = (): RangeFilter => {
        const r = pick(run.ranges);
        if (r.kind === "numeric") {
          const a = Math.floor(rng.next() * r.bins);
          const b = a + 1 + Math.floor(rng.next() * (r.bins - a));
          return { column: r.column, min: r.start + a * r.width, max: r.start + b * r.width };
        }
        const first = defined(parseDay(r.first), "first day");
        const days = Math.max(2, Math.round((defined(parseDay(r.end), "end day") - first) / 86_400_000));
        const a = Math.floor(rng.next() * (days - 1));
        const b = a + 1 + Math.floor(rng.next() * (days - a));
        return { column: r.column, min: formatDay(first + a * 86_400_000), max: formatDay(first + b * 86_400_000) };
      };
      for (let state = 0; state < states; ++state) {
        const filters: Record<string, FilterValue[]> = {};
        const filtered = Math.floor(rng.next() * 3);
        for (let f = 0; f < filtered; ++f) {
          const d = pick(run.dimensions);
          const values = domains.get(d.key) ?? [];
          const chosen = new Set<FilterValue>();
          const m = 1 + Math.floor(rng.next() * 3);
          for (let j = 0; j < m; ++j) chosen.add(rng.next() < 0.1 ? "no such value" : pick(values));
          filters[d.key] = [...chosen];
        }
        const ranges = rng.next() < 0.5 ? [randomRange()] : [];
        const base = { filters, ranges };
        const total = JSON.parse((await same(run.id, "query", base)).text) as { rows: QueryRow[] };
        if (typeof total.rows[0]?.count === "number" && total.rows[0].count > 0) nonEmpty++;
        const group = pick(run.dimensions).key;
        await same(run.id, "query", { ...base, group_by: group });
        if (run.cluster_key) {
          await same(run.id, "query", { ...base, by_cluster: true });
          await same(run.id, "query", { ...base, group_by: group, by_cluster: true });
          await same(run.id, "areas", base);
        }
        if (run.has_score) {
          await same(run.id, "histogram", { ...base, bins: pick([10, 20, 37]) });
          await same(run.id, "calibration", base);
          await same(run.id, "flagging", base);
        }
        await same(run.id, "table", { ...base, group_by: [group, pick(run.dimensions).key] });
        const r = pick(run.ranges);
        await same(run.id, "distribution", {
          ...base,
          column: r.column,
          ...(r.kind === "date" ? { unit: pick(["week", "month"]) } : {}),
          ...(run.cluster_key ? { by_cluster: rng.next() < 0.5 } : {}),
        });
        compared++;
      }
      // Ranges that start or end on the day of a record at midnight (a half-open edge that random days rarely hit).
      for (const r of run.ranges) {
        if (r.kind !== "date") continue;
        const db = await Db.open();
        const file = quoteString(join(defined(byId.get(run.id), run.id), "prepared.parquet"));
        const ts = `TRY_CAST(${quoteIdent(r.column)} AS TIMESTAMP)`;
        const days = await db.query(
          `SELECT DISTINCT strftime(${ts}, '%Y-%m-%d') AS day FROM ${file} WHERE ${ts} = date_trunc('day', ${ts}) ORDER BY day LIMIT 3`,
        );
        await db.close();
        for (const { day } of days) {
          midnightEdges++;
          const at = String(day);
          for (const range of [
            { column: r.column, min: r.first, max: at },
            { column: r.column, min: at, max: r.end },
          ])
            await same(run.id, "query", { ranges: [range], group_by: pick(run.dimensions).key });
        }
      }
      // Requests that fail fail alike.
      for (const body of [
        { filters: { "no such column": ["x"] } },
        { ranges: [{ column: run.ranges[0].column, min: "not a day", max: 3 }] },
        { ranges: [randomRange(), { ...randomRange(), column: run.ranges[0].column }, { ...randomRange(), column: run.ranges[0].column }] },
      ]) {
        const answer = await same(run.id, "query", body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
      }
    }
    return { studies: runs.map((r) => r.study), states: compared, nonEmpty, kinds: [...kinds].sort(), midnightEdges, requests };
  } finally {
    await indexed?.close();
    await sqlOnly?.close();
    rmSync(webRoot, { recursive: true, force: true });
  }
}
