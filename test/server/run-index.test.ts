import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteIdent, quoteString } from "../../src/data/Db.js";
import type { FilterValue, QueryRow, RangeFilter, RunSummary } from "../../src/server/api-types.js";
import { formatDay, parseDay } from "../../src/server/ranges.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { createRng } from "../../src/util/random.js";
import { defined } from "../checks.js";

/**
 * The run index (run-index.ts) answers every endpoint as SQL does: two servers on the dashboard fixtures, one
 * answering from the index and one from SQL only (`index: false`), both without the answer cache, get the same
 * random filter and range states and must answer each request identically, errors included.
 */

const fixtures = resolve("test/fixtures/dashboard");

let webRoot: string;
let indexed: RunningServer;
let sqlOnly: RunningServer;

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), "openbeat-index-"));
  indexed = await startServer({ dirs: [fixtures], port: 0, webRoot, log: () => {}, cache: false });
  sqlOnly = await startServer({ dirs: [fixtures], port: 0, webRoot, log: () => {}, cache: false, index: false });
});

afterAll(async () => {
  await (indexed as RunningServer | undefined)?.close();
  await (sqlOnly as RunningServer | undefined)?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

async function ask(server: RunningServer, run: string, what: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.url}api/runs/${run}/${what}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** Asks both servers; returns the answer after checking that they agree. */
async function same(run: string, what: string, body: unknown): Promise<{ status: number; text: string }> {
  const [a, b] = await Promise.all([ask(indexed, run, what, body), ask(sqlOnly, run, what, body)]);
  expect(a, `${run} ${what} ${JSON.stringify(body)}`).toEqual(b);
  return a;
}

describe("the run index", () => {
  it("answers random filter and range states as SQL does, on the risk and segments fixtures", async () => {
    const runs = ((await (await fetch(indexed.url + "api/runs")).json()) as { runs: RunSummary[] }).runs;
    expect(runs.map((r) => r.study).sort()).toEqual(["risk", "segments"]);
    const rng = createRng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];
    let compared = 0;
    let nonEmpty = 0;
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
      for (let state = 0; state < 30; ++state) {
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
        const file = quoteString(join(fixtures, run.id, "prepared.parquet"));
        const ts = `TRY_CAST(${quoteIdent(r.column)} AS TIMESTAMP)`;
        const days = await db.query(
          `SELECT DISTINCT strftime(${ts}, '%Y-%m-%d') AS day FROM ${file} WHERE ${ts} = date_trunc('day', ${ts}) ORDER BY day LIMIT 3`,
        );
        await db.close();
        expect(days.length, run.id).toBeGreaterThan(0);
        for (const { day } of days) {
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
    expect(compared).toBe(60);
    expect([...kinds].sort()).toEqual(["date", "numeric"]);
    // Most states select some rows, so that the answers compared are not all empty.
    expect(nonEmpty).toBeGreaterThan(20);
  }, 120_000);
});
