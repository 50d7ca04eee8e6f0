import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { resolvePolicy } from "../../src/disclosure/policy.js";
import type { DistributionResponse, NumericRangeView, QueryRow, RangeView, RunSummary } from "../../src/server/api-types.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { andWhere } from "../../src/server/sql.js";
import {
  binEdges,
  binExpr,
  dateBuckets,
  dateDomain,
  distributionQuery,
  MAX_BINS,
  niceBins,
  parseDay,
  rangeCondition,
} from "../../src/server/ranges.js";
import { ApiError, measures } from "../../src/server/sql.js";
import { expectedCount, expectedPositives, expectedRate, truth } from "./truth.js";

const age: NumericRangeView = { key: "age", column: "age", label: "Age", kind: "numeric", start: 0, width: 5, bins: 4 };
const share: NumericRangeView = { key: "pct", column: "pct", label: "pct", kind: "numeric", start: 0.1, width: 0.05, bins: 4 };
const views = new Map<string, RangeView>([
  ["age", age],
  ["pct", share],
  ["at", { key: "at", column: "at", label: "at", kind: "date", first: "2020-01-01", end: "2020-03-01" }],
]);

let db: Db;
beforeAll(async () => {
  db = await Db.open();
  await db.exec(`CREATE TABLE t AS SELECT * FROM (VALUES
    (0, 0.1, TIMESTAMP '2020-01-01 00:00:00', 1, 10),
    (4, 0.15, TIMESTAMP '2020-01-05 23:59:59', 0, 20),
    (5, 0.2, TIMESTAMP '2020-01-06 00:00:00', 1, 30),
    (19, 0.29, TIMESTAMP '2020-02-29 12:00:00', 0, 40),
    (NULL, NULL, NULL, 1, 50)
  ) v(age, pct, "at", hit, _rk)`);
});
afterAll(async () => db.close());

async function count(cond: { sql: string; params: unknown[] }): Promise<number> {
  const w = andWhere({ sql: "", params: [] }, cond);
  const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM t ${w.sql}`, w.params);
  return Number(n);
}

describe("niceBins(min, max, integer)", () => {
  it("picks the smallest 1-2-5 width giving at most 30 bins, starting on a multiple of the width", () => {
    expect(niceBins(0, 100, true)).toEqual({ start: 0, width: 5, bins: 21 });
    expect(niceBins(16, 99, true)).toEqual({ start: 15, width: 5, bins: 17 });
    expect(niceBins(0, 0.93, false)).toEqual({ start: 0, width: 0.05, bins: 19 });
    expect(niceBins(0.013, 0.61, false)).toEqual({ start: 0, width: 0.05, bins: 13 });
    expect(niceBins(3, 3, true)).toEqual({ start: 3, width: 1, bins: 1 });
    expect(niceBins(1, 10, true)).toEqual({ start: 1, width: 1, bins: 10 });
    expect(niceBins(-12.5, 1.2e6, false)).toEqual({ start: -50000, width: 50000, bins: 26 });
  });

  it("always covers min and max with at most 30 bins", () => {
    for (const [lo, hi, whole] of [
      [0, 1, false],
      [0.001, 0.002, false],
      [-7, 7, true],
      [1e-9, 5e9, false],
      [99, 1000, true],
    ] as const) {
      const b = niceBins(lo, hi, whole);
      expect(b.bins).toBeLessThanOrEqual(MAX_BINS);
      expect(b.start).toBeLessThanOrEqual(lo);
      expect(b.start + b.bins * b.width).toBeGreaterThan(hi);
      if (whole) expect(b.width).toBeGreaterThanOrEqual(1);
    }
    expect(() => niceBins(2, 1, true)).toThrow();
  });
});

describe("range filters in SQL", () => {
  it("numeric ranges are half-open unions of bins, missing values never match", async () => {
    expect(await count(rangeCondition([{ column: "age", min: 0, max: 5 }], views))).toBe(2);
    expect(await count(rangeCondition([{ column: "age", min: 5, max: 20 }], views))).toBe(2);
    expect(await count(rangeCondition([{ column: "age", min: 0, max: 20 }], views))).toBe(4);
    // 0.15 / 0.05 is 2.9999999999999996 in floating point: still the bin [0.15, 0.2).
    expect(await count(rangeCondition([{ column: "pct", min: 0.15, max: 0.2 }], views))).toBe(1);
    expect(await count(rangeCondition([{ column: "pct", min: 0.2, max: 0.3 }], views))).toBe(2);
  });

  it("date ranges are half-open from midnight to midnight, and combine with AND", async () => {
    expect(await count(rangeCondition([{ column: "at", min: "2020-01-01", max: "2020-01-06" }], views))).toBe(2);
    expect(await count(rangeCondition([{ column: "at", min: "2020-01-06", max: "2020-03-01" }], views))).toBe(2);
    const both = rangeCondition(
      [
        { column: "at", min: "2020-01-01", max: "2020-01-07" },
        { column: "age", min: 5, max: 10 },
      ],
      views,
    );
    expect(both.params).toEqual(["2020-01-01", "2020-01-07", 1, 1]);
    expect(await count(both)).toBe(1);
    // The chart's own range is left out but still checked.
    expect(rangeCondition([{ column: "age", min: 5, max: 10 }], views, "age").sql).toBe("");
    expect(() => rangeCondition([{ column: "age", min: 6, max: 10 }], views, "age")).toThrow(ApiError);
  });

  it("refuses ranges off the bin edges, reversed or empty ranges, bad days, unknown and repeated columns", () => {
    const bad = (r: { column: string; min: number | string; max: number | string }[], text: RegExp) => {
      let err: unknown;
      try {
        rangeCondition(r, views);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      expect((err as ApiError).message).toMatch(text);
    };
    bad([{ column: "age", min: 3, max: 10 }], /min 3 is not a bin edge \(bins of 5 from 0 to 20: 0, 5, 10, …\)/);
    bad([{ column: "age", min: 0, max: 25 }], /max 25 is not a bin edge/);
    bad([{ column: "age", min: 10, max: 10 }], /min \(10\) must be less than max \(10\)/);
    bad([{ column: "age", min: 10, max: 5 }], /must be less than max/);
    bad([{ column: "age", min: "0", max: 5 }], /must be numbers/);
    bad([{ column: "at", min: "2020-02-30", max: "2020-03-01" }], /min "2020-02-30" is not a day as YYYY-MM-DD/);
    bad([{ column: "at", min: "2020-01-01", max: 5 }], /max 5 is not a day/);
    bad([{ column: "at", min: "2020-01-02", max: "2020-01-01" }], /must be before max/);
    bad([{ column: "nope", min: 0, max: 5 }], /unknown range column: "nope"/);
    bad(
      [
        { column: "age", min: 0, max: 5 },
        { column: "age", min: 5, max: 10 },
      ],
      /two ranges on "age"/,
    );
  });

  it("distributionQuery counts per bin and per week or month bucket", async () => {
    const m = measures("hit", false);
    const none = { sql: "", params: [] };
    const bins = await db.query(distributionQuery({ view: "t", where: none, range: age, unit: "week", measures: m }).sql);
    expect(bins.map((r) => [r.key, r.count, r.positives])).toEqual([
      [0, 2, 1],
      [1, 1, 1],
      [3, 1, 0],
      [null, 1, 1],
    ]);
    const at = defined(views.get("at"));
    const weeks = await db.query(distributionQuery({ view: "t", where: none, range: at, unit: "week", measures: m }).sql);
    expect(weeks.map((r) => [r.key, r.count])).toEqual([
      ["2019-12-30", 2],
      ["2020-01-06", 1],
      ["2020-02-24", 1],
      [null, 1],
    ]);
    const months = await db.query(distributionQuery({ view: "t", where: none, range: at, unit: "month", measures: m }).sql);
    expect(months.map((r) => [r.key, r.count])).toEqual([
      ["2020-01-01", 3],
      ["2020-02-01", 1],
      [null, 1],
    ]);
    expect(binExpr(age)).not.toContain("?");
  });

  it("bucket lists cover the domain: weeks from the Monday on or before the first day, months to the end", () => {
    expect(dateDomain("2019-01-03", "2021-08-31")).toEqual({ first: "2019-01-01", end: "2021-09-01" });
    expect(dateDomain("2020-12-31", "2020-12-31")).toEqual({ first: "2020-12-01", end: "2021-01-01" });
    const r = { first: "2020-01-01", end: "2020-03-01" };
    const months = dateBuckets(r, "month");
    expect(months.map((b) => b.key)).toEqual(["2020-01-01", "2020-02-01"]);
    expect(months[1].end).toBe("2020-03-01");
    const weeks = dateBuckets(r, "week");
    expect(weeks[0]).toEqual({ key: "2019-12-30", start: "2019-12-30", end: "2020-01-06" });
    expect(weeks.at(-1)?.key).toBe("2020-02-24");
    expect(weeks).toHaveLength(9);
    for (const w of weeks) expect(new Date(`${w.start}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(binEdges(share, "week").map((b) => [b.start, b.end])).toEqual([
      [0.1, 0.15],
      [0.15, 0.2],
      [0.2, 0.25],
      [0.25, 0.3],
    ]);
    expect(parseDay("2020-02-29")).toBe(Date.UTC(2020, 1, 29));
    expect(parseDay("2019-02-29")).toBeUndefined();
    expect(parseDay("2019-2-1")).toBeUndefined();
  });
});

function defined<T>(v: T | undefined): T {
  if (v === undefined) throw new Error("expected a value");
  return v;
}

describe("POST /api/runs/:id/distribution and range filters on the fixtures", () => {
  const fixtures = resolve("test/fixtures/dashboard");
  const policy = resolvePolicy();
  let server: RunningServer;
  let runs: RunSummary[];
  beforeAll(async () => {
    server = await startServer({ dirs: [fixtures], port: 0, webRoot: join(fixtures, "no-web"), log: () => {} });
    runs = ((await (await fetch(server.url + "api/runs")).json()) as { runs: RunSummary[] }).runs;
  });
  afterAll(async () => (server as RunningServer | undefined)?.close());

  const post = async (path: string, body: unknown) => {
    const res = await fetch(server.url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as DistributionResponse & { rows: QueryRow[]; error: string } };
  };

  it("the run summary lists the timeline and the numeric columns with bins chosen from the data", async () => {
    const risk = defined(runs.find((r) => r.id === "risk"));
    expect(risk.ranges).toEqual([
      { key: "DATE_OCCURED", column: "DATE_OCCURED", label: "DATE_OCCURED", kind: "date", first: "2019-01-01", end: "2023-01-01" },
    ]);
    const seg = defined(runs.find((r) => r.id === "segments"));
    const [{ lo, hi }] = await db.query(
      `SELECT min("Age")::INTEGER AS lo, max("Age")::INTEGER AS hi FROM read_parquet('${join(fixtures, "segments", "prepared.parquet")}')`,
    );
    expect(seg.ranges).toEqual([{ key: "Age", column: "Age", label: "Age", kind: "numeric", ...niceBins(Number(lo), Number(hi), true) }]);
  });

  it("numeric bins answer the policy's counts of SQL, every bin listed, filtered by the other filters only", async () => {
    const seg = defined(runs.find((r) => r.id === "segments"));
    const r = seg.ranges[0] as NumericRangeView;
    const dir = join(fixtures, "segments");
    const body = {
      filters: { Weapon: ["Knife"] },
      ranges: [{ column: "Age", min: r.start + r.width, max: r.start + 3 * r.width }],
      column: "Age",
      by_cluster: true,
    };
    const { status, json } = await post("api/runs/segments/distribution", body);
    expect(status).toBe(200);
    expect(json.kind).toBe("numeric");
    expect(json.bins).toHaveLength(r.bins);
    const bin = `CASE WHEN "Age" IS NOT NULL THEN least(greatest(floor("Age" / ${r.width}) - ${r.start / r.width}, 0), ${r.bins - 1})::INTEGER END`;
    const want = new Map(
      (await truth(db, dir, `"Weapon" = 'Knife'`, bin)).map((t) => [t.key === null ? "null" : String(t.key as number), t]),
    );
    let shown = 0;
    let hidden = 0;
    json.bins.forEach((b, i) => {
      expect(b.start).toBeCloseTo(r.start + i * r.width, 9);
      expect(b.end).toBeCloseTo(r.start + (i + 1) * r.width, 9);
      const c = expectedCount(want.get(String(i)), policy);
      expect(b.count).toBe(c);
      if (c === null) ++hidden;
      else ++shown;
    });
    expect(shown).toBeGreaterThan(0);
    expect(hidden).toBeGreaterThan(0);
    expect(json.missing.count).toBe(expectedCount(want.get("null"), policy));
    const perCluster = await truth(db, dir, `"Weapon" = 'Knife'`, `${bin} || '|' || "_cluster"`);
    for (const t of perCluster) {
      const [i, c] = String(t.key).split("|");
      expect(defined(json.bins[Number(i)].clusters)[c]).toBe(expectedCount(t, policy));
    }

    // The range filters the totals: [start + w, start + 3w) is the two bins 1 and 2.
    const q = await post("api/runs/segments/query", { filters: { Weapon: ["Knife"] }, ranges: body.ranges });
    expect(q.status).toBe(200);
    const [t] = await truth(db, dir, `"Weapon" = 'Knife' AND ${bin} BETWEEN 1 AND 2`, "NULL");
    expect(q.json.rows[0].count).toBe(expectedCount(t, policy));
  });

  it("the timeline answers weeks and months with counts, positives and rates of SQL under a date range", async () => {
    const dir = join(fixtures, "risk");
    const ranges = [{ column: "DATE_OCCURED", min: "2020-01-01", max: "2021-01-01" }];
    const inRange = `DATE_OCCURED >= TIMESTAMP '2020-01-01' AND DATE_OCCURED < TIMESTAMP '2021-01-01'`;
    for (const unit of ["week", "month"] as const) {
      const { status, json } = await post("api/runs/risk/distribution", { filters: {}, ranges, column: "DATE_OCCURED", unit });
      expect(status).toBe(200);
      expect(json.unit).toBe(unit);
      // The timeline is not filtered by its own range: all of 2019-2022.
      expect(json.bins).toHaveLength(unit === "month" ? 48 : 209);
      const want = new Map(
        (await truth(db, dir, "true", `strftime(date_trunc('${unit}', DATE_OCCURED), '%Y-%m-%d')`, "ASSAULTED")).map((t) => [
          String(t.key),
          t,
        ]),
      );
      for (const b of json.bins) {
        const t = want.get(String(b.start));
        expect(b.count).toBe(expectedCount(t, policy));
        expect(b.positives).toBe(expectedPositives(t, policy));
        expect(b.rate ?? null).toBe(expectedRate(t, policy));
      }
      expect(json.bins.filter((b) => b.count !== null).length, unit).toBeGreaterThan(unit === "month" ? 40 : 0);
    }
    const q = await post("api/runs/risk/query", { ranges, group_by: "OFFENSE" });
    const want = new Map((await truth(db, dir, inRange, `"OFFENSE"`, "ASSAULTED")).map((t) => [String(t.key), t]));
    for (const row of q.json.rows) expect(row.count).toBe(expectedCount(want.get(String(row.key)), policy));
  });

  it("answers 400 with a clear message for a bad range, and counts ranges toward max_filters", async () => {
    const off = await post("api/runs/risk/query", { ranges: [{ column: "DATE_OCCURED", min: "2020-1-1", max: "2021-01-01" }] });
    expect(off.status).toBe(400);
    expect(off.json.error).toMatch(/range on "DATE_OCCURED": min "2020-1-1" is not a day as YYYY-MM-DD/);
    const edge = await post("api/runs/segments/areas", { ranges: [{ column: "Age", min: 1.5, max: 40 }] });
    expect(edge.status).toBe(400);
    expect(edge.json.error).toMatch(/is not a bin edge/);
    const shape = await post("api/runs/segments/query", { ranges: [{ column: "Age", from: 1 }] });
    expect(shape.status).toBe(400);
    expect(shape.json.error).toMatch(/^invalid request body at ranges\.0/);
    const unknown = await post("api/runs/risk/distribution", { column: "OFFENSE" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatch(/no histogram or timeline for column "OFFENSE" \(this run has "DATE_OCCURED"\)/);
    const unit = await post("api/runs/segments/distribution", { column: "Age", unit: "month" });
    expect(unit.status).toBe(400);
    const many = await post("api/runs/risk/query", {
      filters: { OFFENSE: ["Trespass"], PREMISE_TYPE: ["Residence"], "hour:DATE_OCCURED": [1] },
      ranges: [{ column: "DATE_OCCURED", min: "2020-01-01", max: "2021-01-01" }],
    });
    expect(many.status).toBe(400);
    expect(many.json.error).toMatch(/at most 3 filtered dimensions .* filters 4: .*DATE_OCCURED/);
    for (const path of ["histogram", "points"]) {
      const ok = await post(`api/runs/risk/${path}`, { ranges: [{ column: "DATE_OCCURED", min: "2020-01-01", max: "2021-01-01" }] });
      expect(ok.status, path).toBe(200);
    }
  });
});
