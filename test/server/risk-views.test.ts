import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { resolvePolicy } from "../../src/disclosure/policy.js";
import type { CalibrationResponse, FlaggingResponse, RecordsResponse, TableResponse } from "../../src/server/api-types.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { FLAG_PERCENTS } from "../../src/server/risk-sql.js";
import { expectedCount, expectedPositives, expectedRate, servedRows, truth, type Truth } from "./truth.js";

/**
 * The risk views (calibration curve, top-N% flagging) and the drill-down (groups table, and the record table where
 * the policy allows row-level output) against SQL on the fixture's prepared.parquet through the policy.
 */

const fixtures = resolve("test/fixtures/dashboard");
const riskDir = join(fixtures, "risk");
const policy = resolvePolicy();
const TARGET = "ASSAULTED";
const ROAD = "Highway / road";

let server: RunningServer;
let rowLevel: RunningServer;
let db: Db;
let base: string;

/** The answer of each endpoint (or its error). */
interface Answers {
  calibration: CalibrationResponse;
  flagging: FlaggingResponse;
  table: TableResponse;
  records: RecordsResponse;
}

async function post<K extends keyof Answers>(
  srv: RunningServer,
  path: K,
  body: unknown,
): Promise<{ status: number; json: Answers[K] & { error?: string } }> {
  const res = await fetch(`${srv.url}api/runs/risk/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Answers[K] & { error?: string } };
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "openbeat-risk-views-"));
  // A copy of the risk fixture whose policy allows row-level output.
  cpSync(riskDir, join(base, "risk"), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(riskDir, "manifest.json"), "utf8")) as { disclosure: Record<string, unknown> };
  manifest.disclosure.row_level = true;
  writeFileSync(join(base, "risk", "manifest.json"), JSON.stringify(manifest));
  server = await startServer({ dirs: [fixtures], port: 0, webRoot: join(base, "web"), log: () => {} });
  rowLevel = await startServer({ dirs: [join(base, "risk")], port: 0, webRoot: join(base, "web"), log: () => {} });
  db = await Db.open();
});

afterAll(async () => {
  await (server as RunningServer | undefined)?.close();
  await (rowLevel as RunningServer | undefined)?.close();
  await (db as Db | undefined)?.close();
  rmSync(base, { recursive: true, force: true });
});

/** The mean score the API must answer for `t` (rounded to 0.001, only when the group is large enough). */
const expectedMean = (t: Truth | undefined): number | null =>
  t && t.n > policy.min_cell && t.s !== null ? Math.round(t.s * 1000) / 1000 : null;

describe("calibration curve", () => {
  it("bins are fixed per run, each holding about a tenth of the run's predicted events, and their counts are SQL's through the policy", async () => {
    const all = await post(server, "calibration", {});
    expect(all.status).toBe(200);
    // The fixture's results.json names no calibration method: its scores are not called calibrated.
    expect(all.json.calibrated).toBe(false);
    const edges = [...all.json.bins.map((b) => b.start), all.json.bins[all.json.bins.length - 1].end];
    expect(edges[0]).toBe(0);
    expect(edges[edges.length - 1]).toBe(1);
    for (let i = 1; i < edges.length; ++i) expect(edges[i]).toBeGreaterThan(edges[i - 1]);
    expect(edges.length).toBeGreaterThanOrEqual(6);
    // Each inner edge is the lowest score of a tenth of the predicted events (sum of scores), to two digits.
    const [{ total }] = await db.query(`SELECT sum(_score)::DOUBLE AS total FROM ${servedRows(riskDir)}`);
    for (const e of edges.slice(1, -1)) {
      const [{ below }] = await db.query(
        `SELECT coalesce(sum(_score), 0)::DOUBLE AS below FROM ${servedRows(riskDir)} WHERE _score < ${e}`,
      );
      const tenths = (Number(below) / Number(total)) * 10;
      // Rounding the edge to two digits moves the cut by a few records: near a multiple of a tenth.
      expect(Math.abs(tenths - Math.round(tenths))).toBeLessThan(0.25);
    }
    for (const filters of [{}, { PREMISE_TYPE: [ROAD] }, { PREMISE_TYPE: [ROAD], "hour:DATE_OCCURED": [22, 23] }]) {
      const answer = await post(server, "calibration", { filters });
      expect(answer.json.bins.map((b) => b.start)).toEqual(edges.slice(0, -1));
      const cond = [
        "true",
        ...Object.entries(filters).map(([k, v]) =>
          k === "PREMISE_TYPE" ? `PREMISE_TYPE IN (${(v as string[]).map(quoteString).join(", ")})` : `hour(DATE_OCCURED) IN (22, 23)`,
        ),
      ].join(" AND ");
      for (const [i, bin] of answer.json.bins.entries()) {
        const top = i === answer.json.bins.length - 1 ? `_score <= ${bin.end}` : `_score < ${bin.end}`;
        const [t] = await truth(db, riskDir, `${cond} AND _score >= ${bin.start} AND ${top}`, "NULL", TARGET);
        expect(bin.count, `bin ${i} ${JSON.stringify(filters)}`).toBe(expectedCount(t, policy));
        expect(bin.positives).toBe(expectedPositives(t, policy));
        expect(bin.rate).toBe(expectedRate(t, policy));
        expect(bin.mean_score).toBe(expectedMean(t));
        // A shown rate needs more than min_cell positives and negatives; hidden counts are null, never small.
        if (bin.rate !== null) expect(Math.min(t.p, t.n - t.p)).toBeGreaterThan(policy.min_cell);
        if (bin.count !== null) expect(bin.count).toBeGreaterThan(policy.min_cell);
      }
      const [t] = await truth(db, riskDir, `${cond} AND _score IS NOT NULL`, "NULL", TARGET);
      expect(answer.json.total.count).toBe(expectedCount(t, policy));
      expect(answer.json.total.positives).toBe(expectedPositives(t, policy));
    }
  });

  it("is refused on a run without scores, and obeys max_filters", async () => {
    const seg = await fetch(`${server.url}api/runs/segments/calibration`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(seg.status).toBe(400);
    const many = await post(server, "calibration", {
      filters: { PREMISE_TYPE: [ROAD], OFFENSE: ["x"], "hour:DATE_OCCURED": [1], "month:DATE_OCCURED": [1] },
    });
    expect(many.status).toBe(400);
    expect(many.json.error).toContain("max_filters");
  });
});

/** The rows flagged at `pct`% under `cond`: the top ceil(pct·n/100) scored rows by score, ties by _row. */
function flaggedWhere(cond: string, pct: number): string {
  return `_row IN (SELECT _row FROM (SELECT _row, row_number() OVER (ORDER BY _score DESC, _row) AS r, count(*) OVER () AS n
    FROM ${servedRows(riskDir)} WHERE ${cond} AND _score IS NOT NULL) WHERE r <= (${pct} * n + 99) // 100)`;
}

describe("top-N% flagging", () => {
  it("flags the top N% of the filtered records; counts are SQL's through the policy, shares come from published counts", async () => {
    for (const [filters, cond] of [
      [{}, "true"],
      [{ PREMISE_TYPE: [ROAD] }, `PREMISE_TYPE = ${quoteString(ROAD)}`],
    ] as const) {
      const { json } = await post(server, "flagging", { filters });
      expect(json.points.map((p) => p.percent)).toEqual(FLAG_PERCENTS);
      const [all] = await truth(db, riskDir, `${cond} AND _score IS NOT NULL`, "NULL", TARGET);
      const allPos = expectedPositives(all, policy);
      expect(json.total.positives).toBe(allPos);
      expect(json.total.count).toBe(expectedCount(all, policy));
      let shownCaptured = 0;
      for (const p of json.points) {
        const [t] = await truth(db, riskDir, flaggedWhere(cond, p.percent), "NULL", TARGET);
        expect(t.n, `${p.percent}%`).toBe(Math.ceil((p.percent * all.n) / 100));
        expect(p.flagged).toBe(expectedCount(t, policy));
        expect(p.positives).toBe(expectedPositives(t, policy));
        const big = (n: number) => n > policy.min_cell;
        const wantPrecision =
          big(t.p) && big(t.n - t.p) && p.flagged && p.positives !== null ? Math.round((p.positives / p.flagged) * 1e4) / 1e4 : null;
        expect(p.precision).toBe(wantPrecision);
        const wantCaptured =
          p.percent === 100
            ? 1
            : big(t.p) && big(all.p - t.p) && allPos && p.positives !== null
              ? Math.round((p.positives / allPos) * 1e4) / 1e4
              : null;
        expect(p.captured, `${p.percent}% captured`).toBe(wantCaptured);
        if (p.captured !== null) ++shownCaptured;
      }
      expect(shownCaptured).toBeGreaterThan(3);
    }
  });
});

describe("drill-down", () => {
  it("the groups table lists every combination of the grouped values with SQL's counts through the policy, hidden ones null", async () => {
    const filters = { PREMISE_TYPE: [ROAD, "Parking lot"] };
    const { status, json } = await post(server, "table", { filters, group_by: ["PREMISE_TYPE", ["hour", "DATE_OCCURED"]] });
    expect(status).toBe(200);
    expect(json.groups.map((g) => g.key)).toEqual(["PREMISE_TYPE", "hour:DATE_OCCURED"]);
    // The filtered dimension lists its selected values only; the hour all 24.
    expect(json.rows).toHaveLength(2 * 24);
    const truths = await truth(
      db,
      riskDir,
      `PREMISE_TYPE IN (${filters.PREMISE_TYPE.map(quoteString).join(", ")})`,
      `PREMISE_TYPE || '|' || hour(DATE_OCCURED)`,
      TARGET,
    );
    const byKey = new Map(truths.map((t) => [String(t.key), t]));
    let hidden = 0;
    for (const row of json.rows) {
      const t = byKey.get(`${String(row.keys[0])}|${String(row.keys[1])}`);
      expect(row.count, JSON.stringify(row.keys)).toBe(expectedCount(t, policy));
      expect(row.positives).toBe(expectedPositives(t, policy));
      expect(row.rate).toBe(expectedRate(t, policy));
      if (row.count === null) ++hidden;
    }
    expect(hidden).toBeGreaterThan(0);
    expect(hidden).toBeLessThan(json.rows.length);
  });

  it("counts filtered and grouped dimensions together against max_filters + 1, and refuses records without row-level output", async () => {
    const tooMany = await post(server, "table", {
      filters: { PREMISE_TYPE: [ROAD], OFFENSE: ["Assault"], "month:DATE_OCCURED": [1] },
      group_by: [
        ["hour", "DATE_OCCURED"],
        ["weekday", "DATE_OCCURED"],
      ],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toContain("max_filters");
    const records = await post(server, "records", {});
    expect(records.status).toBe(403);
    expect(records.json.error).toContain("row_level");
  });

  it("with disclosure.row_level the record table pages and sorts the filtered records as SQL does", async () => {
    const dir = join(base, "risk");
    const filters = { PREMISE_TYPE: [ROAD] };
    const first = await post(rowLevel, "records", { filters, sort: { column: "_score", desc: true }, limit: 20 });
    expect(first.status).toBe(200);
    const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM ${servedRows(dir)} WHERE PREMISE_TYPE = ${quoteString(ROAD)}`);
    expect(first.json.total).toBe(Number(n));
    expect(first.json.columns).toContain("_score");
    expect(first.json.columns).toContain(TARGET);
    const page2 = await post(rowLevel, "records", {
      filters,
      sort: { column: "_score", desc: true },
      offset: 20,
      limit: 20,
    });
    const want = await db.query(
      `SELECT _score FROM ${servedRows(dir)} WHERE PREMISE_TYPE = ${quoteString(ROAD)} ORDER BY _score DESC NULLS LAST, _row LIMIT 40`,
    );
    expect([...first.json.rows, ...page2.json.rows].map((r) => r._score)).toEqual(want.map((r) => r._score));
    const bad = await post(rowLevel, "records", { sort: { column: "_rk" } });
    expect(bad.status).toBe(400);
  });
});
