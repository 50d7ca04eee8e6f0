import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import type { PgDb } from "../../src/data/PgDb.js";
import { copyToParquetSql } from "../../src/data/sql/copy.js";
import { commentOnTableSql } from "../../src/data/sql/tables.js";
import { featuresSchema, type FeaturesSpec } from "../../src/features/spec.js";
import {
  columnRangeSql,
  columnTextSql,
  epochMsSql,
  scoringTableSql,
  targetNotBinarySql,
  targetValuesSql,
} from "../../src/studies/risk/sql.js";
import {
  areaClusterCountsSql,
  areaJoinSql,
  areaNamesSql,
  boundaryNamesSql,
  boundaryShapesSql,
  demographicKeysSql,
  demographicsSql,
  missingAreaSql,
  segmentRowsSql,
} from "../../src/studies/segments/sql.js";
import { copyAnalysisTableSql, tableCommentSql, tableExistsSql } from "../../src/studies/sql/analysis-table.js";
import {
  categoryLevelsSql,
  featureStatsSql,
  featureValuesSql,
  numericFeatureValuesSql,
  textFeatureCodesSql,
  textFeatureExprs,
} from "../../src/studies/sql/features.js";
import {
  designSelectSql,
  preparedSelectSql,
  rowOutputSql,
  slotDesignSelectSql,
  sortedSlotsSql,
  sparseDesignSelectSql,
} from "../../src/studies/sql/output.js";
import { PG_URL, explainDuck, explainPg, openScratchPg } from "../sql-explain.js";

/** The tiny tables every builder here is checked against, in DuckDB's and PostgreSQL's spelling. */
function fixtureSql(dialect: "duckdb" | "postgres"): string[] {
  const double = dialect === "duckdb" ? "DOUBLE" : "double precision";
  return [
    `CREATE TABLE a (_row INTEGER, area VARCHAR, "we""ird" VARCHAR, age VARCHAR, y VARCHAR, ts TIMESTAMP, x ${double})`,
    `INSERT INTO a VALUES
      (0, 'North', 'p', '30', 'yes', TIMESTAMP '2021-01-01 22:15:00', 1.5),
      (1, 'north ', 'p', 'thirty', '0', TIMESTAMP '2021-01-06 03:00:00', 'NaN'),
      (2, NULL, 'q', NULL, NULL, NULL, NULL),
      (3, 'South', 'q', '41', 'maybe', TIMESTAMP '2021-12-31 12:00:00', 2.5)`,
    `CREATE TABLE src (area VARCHAR, "we""ird" VARCHAR, n INTEGER)`,
    `INSERT INTO src VALUES ('South', 'q', 3), ('North', 'p', 1), (NULL, 'q', 2), ('North', 'p', 0)`,
    `CREATE TABLE boundaries (_feature INTEGER, name VARCHAR, _geometry VARCHAR)`,
    `INSERT INTO boundaries VALUES (0, 'South', '{"type":"Point","coordinates":[0,0]}'), (1, 'North', '{"type":"Point","coordinates":[1,1]}')`,
    `CREATE TABLE demo (nbhd VARCHAR, pop INTEGER, poor INTEGER)`,
    `INSERT INTO demo VALUES ('North', 100, 20), ('South', 50, 5), (NULL, 1, 1)`,
    `CREATE TABLE rows_out (_row INTEGER, _area VARCHAR, _cluster INTEGER)`,
    `INSERT INTO rows_out VALUES (0, 'North', 0), (1, 'North', 1), (2, NULL, 0), (3, 'South', 1)`,
  ];
}

const features = (f: Partial<FeaturesSpec>): FeaturesSpec => featuresSchema.parse(f);

/** Every portable builder, over the fixture tables. */
const portable = (): [string, string][] => [
  ["copyAnalysisTableSql", copyAnalysisTableSql("copy", "src", ["area", 'we"ird', "n"])],
  ["categoryLevelsSql", categoryLevelsSql("a", 'we"ird', 2)],
  ["targetNotBinarySql", targetNotBinarySql("a", "y")],
  ["targetValuesSql", targetValuesSql("a", "y")],
  ["columnRangeSql", columnRangeSql("a", "ts")],
  ["columnTextSql", columnTextSql("a", 'we"ird')],
  ["areaNamesSql", areaNamesSql("a", "area")],
  ["missingAreaSql", missingAreaSql("a", "area")],
  ["boundaryNamesSql", boundaryNamesSql("boundaries", "name")],
  ["demographicKeysSql", demographicKeysSql("demo_keys")],
  ["areaClusterCountsSql", areaClusterCountsSql("rows_out")],
  ["boundaryShapesSql", boundaryShapesSql("boundaries", "name")],
];

let db: Db;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "openbeat-studies-sql-"));
  db = await Db.open();
  for (const sql of fixtureSql("duckdb")) await db.exec(sql);
  await db.exec(`CREATE TABLE demo_keys AS SELECT nbhd AS _key FROM demo`);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("analysis table builders (src/studies/sql/analysis-table.ts)", () => {
  it("copyAnalysisTableSql numbers rows by every column, so the copy does not depend on the source's row order", async () => {
    const sql = copyAnalysisTableSql("c1", "a", ["area", 'we"ird']);
    expect(sql).toBe(
      `CREATE TABLE "c1" AS SELECT (row_number() OVER (ORDER BY "area", "we""ird") - 1)::INTEGER AS _row, * FROM "a" ORDER BY _row`,
    );
    expect(copyAnalysisTableSql("c1", "a", ["area"], { replace: true })).toMatch(/^CREATE OR REPLACE TABLE "c1" AS /);
    await db.exec(`CREATE TABLE shuffled AS SELECT area, "we""ird" FROM a ORDER BY _row DESC`);
    await db.exec(`CREATE TABLE ordered AS SELECT area, "we""ird" FROM a ORDER BY _row`);
    await db.exec(copyAnalysisTableSql("c1", "shuffled", ["area", 'we"ird']));
    await db.exec(copyAnalysisTableSql("c2", "ordered", ["area", 'we"ird']));
    const c1 = await db.query(`SELECT * FROM c1 ORDER BY _row`);
    expect(c1.map((r) => r._row)).toEqual([0, 1, 2, 3]);
    expect(c1).toEqual(await db.query(`SELECT * FROM c2 ORDER BY _row`));
  });

  it("tableExistsSql and tableCommentSql bind the table name instead of writing it into the SQL", async () => {
    const odd = "x'; DROP TABLE a; --";
    const q = tableExistsSql(odd);
    expect(q.sql).not.toContain("DROP");
    expect(q.params).toEqual([odd]);
    await explainDuck(db, q.sql, q.params);
    expect(await db.query(q.sql, q.params)).toEqual([{ n: 0 }]);
    const a = tableExistsSql("a");
    expect(await db.query(a.sql, a.params)).toEqual([{ n: 1 }]);
    await db.exec(commentOnTableSql("c1", "incidents"));
    const c = tableCommentSql("c1");
    expect(await db.query(c.sql, c.params)).toEqual([{ comment: "incidents" }]);
  });
});

describe("feature builders (src/studies/sql/features.ts)", () => {
  it("featureStatsSql checks every numeric column and summarizes every feature column in a single query", async () => {
    const spec = features({ categorical: ['we"ird', "area"], numeric: ["age", "x"], dates: [{ column: "ts", parts: ["hour"] }] });
    const q = featureStatsSql("a", spec);
    expect(q).not.toBeNull();
    if (!q) return;
    expect(q.sql.match(/\bFROM\b/g)).toHaveLength(1);
    expect(q.columns.map((c) => [c.column, c.kind])).toEqual([
      ['we"ird', "categorical"],
      ["area", "categorical"],
      ["age", "numeric"],
      ["x", "numeric"],
      ["ts", "date"],
    ]);
    await explainDuck(db, q.sql);
    const [row] = await db.query(q.sql);
    const [age, x] = q.numeric;
    expect([row[age.bad], row[age.badExample], row[age.odd]]).toEqual([1, "thirty", 0]);
    expect([row[x.bad], row[x.odd], row[x.oddExample]]).toEqual([0, 1, "nan"]);
    expect(row[q.rows ?? ""]).toBe(4);
    const byColumn = Object.fromEntries(q.columns.map((c) => [c.column, [row[c.present], row[c.lo], row[c.hi]]]));
    expect(byColumn).toEqual({
      'we"ird': [4, "p", "q"],
      area: [3, "North", "north "],
      age: [3, "30", "thirty"],
      x: [3, "1.5", "nan"],
      ts: [3, "2021-01-01 22:15:00", "2021-12-31 12:00:00"],
    });
  });

  it("featureStatsSql leaves the summary out without check, and is null when there is nothing to compute", () => {
    const numericOnly = featureStatsSql("a", features({ categorical: ["area"], numeric: ["age"] }), { check: false });
    expect(numericOnly?.columns).toEqual([]);
    expect(numericOnly?.rows).toBeUndefined();
    expect(numericOnly?.sql).not.toContain("approx_count_distinct");
    expect(featureStatsSql("a", features({ categorical: ["area"] }), { check: false })).toBeNull();
    expect(featureStatsSql("a", features({}))).toBeNull();
  });

  it("categoryLevelsSql counts the values seen at least min_frequency times and refuses a non-integer", async () => {
    expect(await db.query(categoryLevelsSql("a", 'we"ird', 1))).toEqual([{ levels: 2 }]);
    expect(await db.query(categoryLevelsSql("a", "area", 2))).toEqual([{ levels: 0 }]);
    expect(() => categoryLevelsSql("a", "area", 1.5)).toThrow(/minFrequency/);
  });

  it("featureValuesSql reads categories, then date parts, then numbers, ordered by _row when asked", async () => {
    const spec = features({
      categorical: ["area"],
      numeric: ["age"],
      dates: [{ column: "ts", parts: ["hour", "weekday", "month", "year", "day_of_year"] }],
    });
    const sql = featureValuesSql("a", spec, { ordered: true });
    expect(sql).toMatch(/ORDER BY _row$/);
    expect(featureValuesSql("a", spec)).not.toContain("ORDER BY");
    expect(featureValuesSql("a", features({}))).toBeNull();
    const { columns } = await db.queryColumns(sql ?? "");
    expect(columns).toEqual([
      ["North", "north ", null, "South"],
      ["22", "03", null, "12"],
      ["5-Fri", "3-Wed", null, "5-Fri"],
      ["01", "01", null, "12"],
      ["2021", "2021", null, "2021"],
      ["001", "006", null, "365"],
      [30, null, null, 41],
    ]);
  });

  it("textFeatureCodesSql gives each text column as codes into its levels, the same values as featureValuesSql by _row", async () => {
    const spec = features({
      categorical: ["area", 'we"ird'],
      numeric: ["age"],
      dates: [{ column: "ts", parts: ["hour", "weekday"] }],
    });
    const exprs = textFeatureExprs(spec);
    expect(exprs).toHaveLength(4);
    const { columns } = await db.queryColumns(featureValuesSql("a", spec, { ordered: true }) ?? "");
    for (const [j, expr] of exprs.entries()) {
      const q = textFeatureCodesSql("a", expr);
      await explainDuck(db, q.levels);
      await explainDuck(db, q.codes);
      const levels = (await db.query(q.levels)).map((r) => r.level);
      // Ascending, missing last, each value once.
      expect(levels.at(-1) === null || !levels.includes(null), expr).toBe(true);
      expect(new Set(levels).size).toBe(levels.length);
      const [codes] = (await db.queryNumbers(q.codes)).columns;
      expect(
        Array.from(codes, (c) => levels[c]),
        expr,
      ).toEqual(columns[j]);
    }
    const numeric = numericFeatureValuesSql("a", spec) ?? "";
    await explainDuck(db, numeric);
    expect(Array.from((await db.queryNumbers(numeric)).columns[0])).toEqual([30, NaN, NaN, 41]);
    expect(numericFeatureValuesSql("a", features({ categorical: ["area"] }))).toBeNull();
  });
});

describe("output builders (src/studies/sql/output.ts)", () => {
  it("designSelectSql joins the design to the id column, and preparedSelectSql adds the per-row output", async () => {
    await db.exec(`CREATE TABLE design AS SELECT * FROM (VALUES (0, 1.0, 0.0), (3, 0.0, 1.0)) v(_row, "area=North", "area=South")`);
    const design = designSelectSql("design", "a", ["area=North", "area=South"], 'we"ird');
    expect(design).toContain(`, a."we""ird", d."area=North", d."area=South" FROM "design" d JOIN "a" a USING (_row)`);
    expect(await db.query(design)).toEqual([
      { _row: 0, 'we"ird': "p", "area=North": 1, "area=South": 0 },
      { _row: 3, 'we"ird': "q", "area=North": 0, "area=South": 1 },
    ]);
    expect(designSelectSql("design", "a", [])).toBe(`SELECT d._row FROM "design" d JOIN "a" a USING (_row) ORDER BY d._row`);
    await db.exec(`CREATE TABLE scores AS SELECT * FROM (VALUES (0, 0.25), (3, 0.75)) v(_row, _score)`);
    const prepared = preparedSelectSql("a", "scores");
    const rows = await db.query(prepared);
    expect(rows.map((r) => [r._row, r._score])).toEqual([
      [0, 0.25],
      [1, null],
      [2, null],
      [3, 0.75],
    ]);
    expect(Object.keys(rows[0])).toEqual(["_row", "area", 'we"ird', "age", "y", "ts", "x", "_score"]);
  });

  it("sparseDesignSelectSql pivots a design's entries to the wide table designSelectSql gives for its dense form", async () => {
    const names = ["area=North", 'we"ird=q', "x"];
    const sql = sparseDesignSelectSql("entries", "design_rows", "a", names, 'we"ird');
    expect(sql).toBe(
      `WITH w AS (PIVOT "entries" ON _col IN (0, 1, 2) USING max(_value) GROUP BY _row) ` +
        `SELECT r._row, a."we""ird", nullif(coalesce(w."0", 0), 'NaN'::DOUBLE) AS "area=North", ` +
        `nullif(coalesce(w."1", 0), 'NaN'::DOUBLE) AS "we""ird=q", nullif(coalesce(w."2", 0), 'NaN'::DOUBLE) AS "x" ` +
        `FROM "design_rows" r JOIN "a" a USING (_row) LEFT JOIN w USING (_row) ORDER BY r._row`,
    );
    // rows 0, 1, 3 of the analysis table; row 1 has no entries, row 3 a NaN (missing) and an explicit −0
    await db.exec(`CREATE TABLE design_rows AS SELECT * FROM (VALUES (3), (0), (1)) v(_row)`);
    await db.exec(
      `CREATE TABLE entries AS SELECT _row::INTEGER AS _row, _col::INTEGER AS _col, _value::DOUBLE AS _value FROM (VALUES ` +
        `(0, 0, 1.0::DOUBLE), (0, 2, 1.5), (3, 1, 1.0), (3, 2, 'NaN'::DOUBLE), (3, 0, '-0.0'::DOUBLE)) v(_row, _col, _value)`,
    );
    await db.exec(
      `CREATE TABLE dense AS SELECT _row::INTEGER AS _row, COLUMNS(* EXCLUDE (_row))::DOUBLE FROM (VALUES (0, 1.0, 0.0, 1.5), ` +
        `(1, 0.0, 0.0, 0.0), (3, '-0.0'::DOUBLE, 1.0, NULL)) ` +
        `v(_row, "area=North", "we""ird=q", x)`,
    );
    await explainDuck(db, sql);
    const wide = await db.query(sql);
    expect(wide).toEqual(await db.query(designSelectSql("dense", "a", names, 'we"ird')));
    expect(wide.map((r) => [r._row, r['we"ird'], r["area=North"], r['we"ird=q'], r.x])).toEqual([
      [0, "p", 1, 0, 1.5],
      [1, "p", 0, 0, 0],
      [3, "q", -0, 1, null],
    ]);
    const types = async (q: string) => (await db.query(`DESCRIBE ${q}`)).map((r) => [r.column_name, r.column_type]);
    expect(await types(sql)).toEqual(await types(designSelectSql("dense", "a", names, 'we"ird')));
    // Above DuckDB's pivot_limit of columns, the FILTER aggregates of before.
    const many = Array.from({ length: 100_001 }, (_, j) => `f${j}`);
    expect(sparseDesignSelectSql("entries", "design_rows", "a", many)).toMatch(
      /^WITH w AS \(SELECT _row, max\(_value\) FILTER \(WHERE _col = 0\) AS "0"/,
    );
    expect(sparseDesignSelectSql("entries", "design_rows", "a", many.slice(0, 100_000))).toMatch(/^WITH w AS \(PIVOT /);
    expect(sparseDesignSelectSql("entries", "design_rows", "a", [])).toBe(
      `SELECT r._row FROM "design_rows" r JOIN "a" a USING (_row) ORDER BY r._row`,
    );
    expect(await db.query(sparseDesignSelectSql("entries", "design_rows", "a", []))).toEqual([{ _row: 0 }, { _row: 1 }, { _row: 3 }]);
  });

  it("slotDesignSelectSql reads a design held by slots as the same wide table, checking only the slots a feature occurs in", async () => {
    const names = ["area=North", 'we"ird=q', "x"];
    // the rows of the sparseDesignSelectSql case: row 3's entries are columns 0 (−0), 1 and 2 (NaN), row 1 has none
    await db.exec(
      `CREATE TABLE design_slots AS SELECT _row::INTEGER AS _row, _c0::INTEGER AS _c0, _v0::DOUBLE AS _v0, _c1::INTEGER AS _c1, ` +
        `_v1::DOUBLE AS _v1, _c2::INTEGER AS _c2, _v2::DOUBLE AS _v2 FROM (VALUES (3, 0, '-0.0'::DOUBLE, 1, 1.0, 2, 'NaN'::DOUBLE), ` +
        `(0, 0, 1.0, 2, 1.5, -1, 0.0), (1, -1, 0.0, -1, 0.0, -1, 0.0)) v(_row, _c0, _v0, _c1, _v1, _c2, _v2)`,
    );
    const sort = sortedSlotsSql("design_sorted", "design_slots", "a", 'we"ird');
    expect(sort).toBe(
      `CREATE OR REPLACE TEMP TABLE "design_sorted" AS SELECT s.*, a."we""ird" AS _id FROM "design_slots" s JOIN "a" a USING (_row) ORDER BY s._row`,
    );
    await db.exec(sort);
    const slotsOf = [[0], [1], [1, 2]];
    const sql = slotDesignSelectSql("design_sorted", names, slotsOf, 'we"ird');
    expect(sql).toBe(
      `SELECT _row, _id AS "we""ird", nullif(CASE WHEN _c0 = 0 THEN _v0 ELSE 0 END, 'NaN'::DOUBLE) AS "area=North", ` +
        `nullif(CASE WHEN _c1 = 1 THEN _v1 ELSE 0 END, 'NaN'::DOUBLE) AS "we""ird=q", ` +
        `nullif(CASE WHEN _c1 = 2 THEN _v1 WHEN _c2 = 2 THEN _v2 ELSE 0 END, 'NaN'::DOUBLE) AS "x" FROM "design_sorted"`,
    );
    await explainDuck(db, sql);
    const wide = await db.query(sql);
    expect(wide).toEqual(await db.query(designSelectSql("dense", "a", names, 'we"ird')));
    const types = async (q: string) => (await db.query(`DESCRIBE ${q}`)).map((r) => [r.column_name, r.column_type]);
    expect(await types(sql)).toEqual(await types(designSelectSql("dense", "a", names, 'we"ird')));
    // a feature in no row's entries is 0, as a DOUBLE
    expect(slotDesignSelectSql("design_sorted", ["none"], [[]])).toBe(
      `SELECT _row, nullif(0::DOUBLE, 'NaN'::DOUBLE) AS "none" FROM "design_sorted"`,
    );
    expect(await types(slotDesignSelectSql("design_sorted", ["none"], [[]]))).toEqual([
      ["_row", "INTEGER"],
      ["none", "DOUBLE"],
    ]);
  });

  it("rowOutputSql reads one output column of a prepared.parquet, renamed, for the rows that have it", async () => {
    const path = join(dir, "prepared.parquet");
    await db.exec(copyToParquetSql(preparedSelectSql("a", "scores"), path));
    const sql = rowOutputSql(path, "_score", "score");
    await explainDuck(db, sql);
    expect(await db.query(sql)).toEqual([
      { _row: 0, score: 0.25 },
      { _row: 3, score: 0.75 },
    ]);
  });
});

describe("risk builders (src/studies/risk/sql.ts)", () => {
  it("targetNotBinarySql lists values that are not 0/1, and targetValuesSql maps the rest to 1.0, 0.0 or NULL", async () => {
    expect(await db.query(targetNotBinarySql("a", "y"))).toEqual([{ v: "maybe", n: 1 }]);
    const { columns } = await db.queryColumns(targetValuesSql("a", "y"));
    expect(columns[0]).toEqual([1, 0, null, 0]);
  });

  it("epochMsSql, columnRangeSql and columnTextSql read a column in _row order", async () => {
    const { columns } = await db.queryColumns(epochMsSql("a", "ts"));
    expect(columns[0]).toEqual([Date.UTC(2021, 0, 1, 22, 15), Date.UTC(2021, 0, 6, 3), null, Date.UTC(2021, 11, 31, 12)]);
    expect(await db.query(columnRangeSql("a", "ts"))).toEqual([{ lo: "2021-01-01 22:15:00", hi: "2021-12-31 12:00:00" }]);
    expect((await db.queryColumns(columnTextSql("a", "x"))).columns[0]).toEqual(["1.5", "nan", null, "2.5"]);
  });

  it("scoringTableSql numbers the input rows in file order", async () => {
    await db.exec(`CREATE TABLE input AS SELECT * FROM (VALUES ('c'), ('a'), ('b')) v(id)`);
    const sql = scoringTableSql("scored", "input");
    await explainDuck(db, sql);
    await db.exec(sql);
    expect(await db.query(`SELECT _row, id FROM scored ORDER BY _row`)).toEqual([
      { _row: 0, id: "c" },
      { _row: 1, id: "a" },
      { _row: 2, id: "b" },
    ]);
  });
});

describe("segments builders (src/studies/segments/sql.ts)", () => {
  it("areaNamesSql, missingAreaSql and boundaryNamesSql list names with counts, the rows without one, and boundary names", async () => {
    expect(await db.query(areaNamesSql("a", "area"))).toEqual([
      { name: "North", n: 1 },
      { name: "South", n: 1 },
      { name: "north ", n: 1 },
    ]);
    expect(await db.query(missingAreaSql("a", "area"))).toEqual([{ nulls: 1 }]);
    expect(await db.query(boundaryNamesSql("boundaries", "name"))).toEqual([{ n: "North" }, { n: "South" }]);
  });

  it("demographicsSql computes the user's expressions per key, and demographicKeysSql lists the keys", async () => {
    const sql = demographicsSql("d", "demo", "nbhd", { poverty: "poor / pop", "odd name": "pop" });
    expect(sql).toContain(`CAST((poor / pop) AS DOUBLE) AS "poverty", CAST((pop) AS DOUBLE) AS "odd name"`);
    await explainDuck(db, sql);
    await db.exec(sql);
    expect(await db.query(`SELECT * FROM d WHERE _key = 'North'`)).toEqual([{ _key: "North", poverty: 0.2, "odd name": 100 }]);
    expect(await db.query(demographicKeysSql("d"))).toEqual([{ _key: "North" }, { _key: "South" }]);
  });

  it("areaJoinSql adds each row's area and demographics, and segmentRowsSql puts clusters beside the area columns", async () => {
    await db.exec(`CREATE TABLE area_map AS SELECT * FROM (VALUES
      ('North', 'North', 'North'), ('north ', 'North', 'North'), ('South', 'South', 'South')) v(_name, _area, _demo_key)`);
    const join1 = areaJoinSql("joined", {
      table: "a",
      column: "area",
      areaMap: "area_map",
      demographics: { table: "d", columns: ["poverty"] },
    });
    await explainDuck(db, join1);
    await db.exec(join1);
    expect(await db.query(`SELECT _row, _area, poverty FROM joined ORDER BY _row`)).toEqual([
      { _row: 0, _area: "North", poverty: 0.2 },
      { _row: 1, _area: "North", poverty: 0.2 },
      { _row: 2, _area: null, poverty: null },
      { _row: 3, _area: "South", poverty: 0.1 },
    ]);
    const noDemo = areaJoinSql("joined2", { table: "a", column: "area", areaMap: "area_map" });
    expect(noDemo).not.toContain('JOIN "d"');
    await db.exec(noDemo);
    expect((await db.columns("joined2")).map((c) => c.name).slice(-1)).toEqual(["_area"]);
    await db.exec(`CREATE TABLE clusters AS SELECT * FROM (VALUES (0, 1), (1, 0), (2, NULL), (3, 1)) v(_row, _cluster)`);
    await db.exec(segmentRowsSql("seg", "clusters", "joined", ["_area", "poverty"]));
    expect(await db.query(`SELECT * FROM seg ORDER BY _row`)).toEqual([
      { _row: 0, _area: "North", poverty: 0.2, _cluster: 1 },
      { _row: 1, _area: "North", poverty: 0.2, _cluster: 0 },
      { _row: 2, _area: null, poverty: null, _cluster: null },
      { _row: 3, _area: "South", poverty: 0.1, _cluster: 1 },
    ]);
  });

  it("areaClusterCountsSql counts rows per area and cluster, and boundaryShapesSql keeps the boundary file's order", async () => {
    const counts = await db.query(`${areaClusterCountsSql("rows_out")} ORDER BY 1, 2`);
    expect(counts).toEqual([
      { area: "North", cluster: 0, n: 1 },
      { area: "North", cluster: 1, n: 1 },
      { area: "South", cluster: 1, n: 1 },
    ]);
    expect((await db.query(boundaryShapesSql("boundaries", "name"))).map((r) => r.name)).toEqual(["South", "North"]);
  });
});

describe("portable builders", () => {
  it("every one binds in DuckDB", async () => {
    for (const [name, sql] of portable()) await expect(explainDuck(db, sql), name).resolves.toBeTypeOf("string");
  });

  describe.skipIf(!PG_URL)("on PostgreSQL", () => {
    let pg: PgDb;
    beforeAll(async () => {
      pg = await openScratchPg(PG_URL ?? "");
      for (const sql of fixtureSql("postgres")) await pg.exec(sql);
      await pg.exec(`CREATE TABLE demo_keys AS SELECT nbhd AS _key FROM demo`);
    });
    afterAll(async () => {
      await pg.close();
    });

    it("every one plans in PostgreSQL", async () => {
      for (const [name, sql] of portable()) {
        const plan = await explainPg(pg, sql).catch((e: unknown) => `${name}: ${String(e)}`);
        expect(plan, name).not.toContain(`${name}:`);
      }
    });

    it("the group-bys and counts give DuckDB's answers", async () => {
      for (const sql of [
        areaNamesSql("a", "area"),
        missingAreaSql("a", "area"),
        categoryLevelsSql("a", 'we"ird', 1),
        targetNotBinarySql("a", "y"),
      ]) {
        expect(await pg.query(sql), sql).toEqual(await db.query(sql));
      }
      expect(await pg.query(`${areaClusterCountsSql("rows_out")} ORDER BY 1, 2`)).toEqual(
        await db.query(`${areaClusterCountsSql("rows_out")} ORDER BY 1, 2`),
      );
    });

    it("the analysis-table copy numbers every row once", async () => {
      await pg.exec(copyAnalysisTableSql("copy_pg", "src", ["area", 'we"ird', "n"]));
      const rows = await pg.query(`SELECT _row, n FROM copy_pg ORDER BY _row`);
      expect(rows.map((r) => r._row)).toEqual([0, 1, 2, 3]);
      expect(rows.map((r) => r.n).sort()).toEqual([0, 1, 2, 3]);
    });
  });
});
