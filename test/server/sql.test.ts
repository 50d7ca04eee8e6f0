import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import type { DimensionView } from "../../src/server/api-types.js";
import { ApiError, groupQuery, histogramQuery, pointsQuery, whereClause } from "../../src/server/sql.js";

const dims = new Map<string, DimensionView>([
  ["kind", { key: "kind", column: "kind", label: "Kind", kind: "category" }],
  ["hour:at", { key: "hour:at", column: "at", label: "Hour", kind: "hour" }],
  ['we"ird', { key: 'we"ird', column: 'we"ird', label: "Weird", kind: "category" }],
]);

let db: Db;
beforeAll(async () => {
  db = await Db.open();
  await db.exec(`CREATE TABLE t AS SELECT * FROM (VALUES
    ('a', TIMESTAMP '2020-01-01 22:10:00', 1, 0.9, 'x', 38.2, -85.7, 0),
    ('a', TIMESTAMP '2020-01-02 03:00:00', 0, 0.2, 'y', 38.3, -85.6, 1),
    ('b', TIMESTAMP '2021-05-01 22:00:00', 1, 0.6, NULL, NULL, -85.6, 2),
    (NULL, TIMESTAMP '2021-05-02 12:00:00', 0, 0.1, 'x', 38.1, -85.8, 3)
  ) v(kind, "at", hit, _score, "we""ird", lat, lon, _row)`);
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

  it("groupQuery counts groups with positives and mean score under filters", async () => {
    const where = whereClause({ "hour:at": [22, 3] }, dims);
    const q = groupQuery({ view: "t", where, group: dims.get("kind"), target: "hit", hasScore: true });
    const rows = await db.query(q.sql, q.params);
    expect(rows).toEqual([
      { key: "a", count: 2, positives: 1, mean_score: expect.closeTo(0.55, 9) as unknown },
      { key: "b", count: 1, positives: 1, mean_score: expect.closeTo(0.6, 9) as unknown },
    ]);
    const nulls = groupQuery({ view: "t", where: whereClause({ kind: [null] }, dims), target: "hit", hasScore: false });
    expect(await db.query(nulls.sql, nulls.params)).toEqual([{ key: null, count: 1, positives: 0 }]);
    const weird = groupQuery({ view: "t", where: whereClause({ 'we"ird': ["x"] }, dims), group: dims.get("hour:at"), hasScore: false });
    expect(await db.query(weird.sql, weird.params)).toEqual([
      { key: 12, count: 1 },
      { key: 22, count: 1 },
    ]);
  });

  it("histogramQuery puts a score of 1 in the last bin and pointsQuery skips rows without coordinates", async () => {
    await db.exec(`CREATE TABLE s AS SELECT * FROM (VALUES (0.0), (0.49), (0.5), (1.0)) v(_score)`);
    const h = histogramQuery("s", { sql: "", params: [] }, 2);
    expect(await db.query(h.sql, h.params)).toEqual([
      { bin: 0, count: 2 },
      { bin: 1, count: 2 },
    ]);
    const p = pointsQuery({
      view: "t",
      where: whereClause({}, dims),
      lat: "lat",
      lon: "lon",
      limit: 10,
      hasScore: true,
      target: "hit",
      hasRow: true,
    });
    expect(await db.query(p.total.sql, p.total.params)).toEqual([{ n: 3 }]);
    expect(await db.query(p.sample.sql, p.sample.params)).toHaveLength(3);
  });
});
