import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import type { DimensionView } from "../../src/server/api-types.js";
import { defined } from "../checks.js";
import { ApiError, domainQuery, gridQuery, groupQuery, histogramQuery, whereClause } from "../../src/server/sql.js";

const dims = new Map<string, DimensionView>([
  ["kind", { key: "kind", column: "kind", label: "Kind", kind: "category" }],
  ["hour:at", { key: "hour:at", column: "at", label: "Hour", kind: "hour" }],
  ['we"ird', { key: 'we"ird', column: 'we"ird', label: "Weird", kind: "category" }],
]);

let db: Db;
beforeAll(async () => {
  db = await Db.open();
  await db.exec(`CREATE TABLE t AS SELECT * FROM (VALUES
    ('a', TIMESTAMP '2020-01-01 22:10:00', 1, 0.9, 'x', 38.2, -85.7, 0, 200),
    ('a', TIMESTAMP '2020-01-02 03:00:00', 0, 0.2, 'y', 38.3, -85.6, 1, 100),
    ('b', TIMESTAMP '2021-05-01 22:00:00', 1, 0.6, NULL, NULL, -85.6, 2, 7),
    (NULL, TIMESTAMP '2021-05-02 12:00:00', 0, 0.1, 'x', 38.1, -85.8, 3, 255)
  ) v(kind, "at", hit, _score, "we""ird", lat, lon, _row, _rk)`);
});
afterAll(async () => db.close());

describe("server SQL builders", () => {
  it("whereClause(filters) binds every value and keeps values out of the SQL text", () => {
    const w = whereClause({ kind: ["a'; DROP TABLE t; --", null], "hour:at": [22] }, dims);
    expect(w.sql).not.toContain("DROP");
    expect(w.params).toEqual(["a'; DROP TABLE t; --", 22]);
    expect(() => whereClause({ nope: ["a"] }, dims)).toThrow(ApiError);
    expect(whereClause({}, dims)).toEqual({ sql: "", params: [] });
  });

  it("groupQuery counts groups with their cell keys, positives and score sums under filters", async () => {
    const where = whereClause({ "hour:at": [22, 3] }, dims);
    const q = groupQuery({ view: "t", where, group: dims.get("kind"), target: "hit", hasScore: true });
    const rows = await db.query(q.sql, q.params);
    expect(rows).toEqual([
      { key: "a", count: 2, ck: 44, positives: 1, ck_pos: 200, score_sum: expect.closeTo(1.1, 9) as unknown, score_n: 2 },
      { key: "b", count: 1, ck: 7, positives: 1, ck_pos: 7, score_sum: expect.closeTo(0.6, 9) as unknown, score_n: 1 },
    ]);
    const nulls = groupQuery({ view: "t", where: whereClause({ kind: [null] }, dims), target: "hit", hasScore: false });
    expect(await db.query(nulls.sql, nulls.params)).toEqual([{ key: null, count: 1, ck: 255, positives: 0, ck_pos: 0 }]);
    const weird = groupQuery({ view: "t", where: whereClause({ 'we"ird': ["x"] }, dims), group: dims.get("hour:at"), hasScore: false });
    expect(await db.query(weird.sql, weird.params)).toEqual([
      { key: 12, count: 1, ck: 255 },
      { key: 22, count: 1, ck: 200 },
    ]);
    expect(await db.query(domainQuery("t", defined(dims.get("kind"), "kind")))).toEqual([{ key: "a" }, { key: "b" }, { key: null }]);
  });

  it("histogramQuery puts a score of 1 in the last bin and gridQuery counts located rows per square, no coordinates", async () => {
    await db.exec(`CREATE TABLE s AS SELECT * FROM (VALUES (0.0, 1), (0.49, 2), (0.5, 3), (1.0, 4)) v(_score, _rk)`);
    const h = histogramQuery("s", { sql: "", params: [] }, 2);
    expect(await db.query(h.sql, h.params)).toEqual([
      { bin: 0, count: 2, ck: 3 },
      { bin: 1, count: 2, ck: 7 },
    ]);
    const g = gridQuery({ view: "t", where: whereClause({}, dims), lat: "lat", lon: "lon", grid: { dLat: 1, dLon: 1 } });
    const cells = await db.query(g.sql, g.params);
    expect(cells).toEqual([{ gy: 38, gx: -86, count: 3, ck: (200 + 100 + 255) % 256 }]);
    expect(g.sql).not.toMatch(/SELECT\s+TRY_CAST\("lat"/);
  });
});
