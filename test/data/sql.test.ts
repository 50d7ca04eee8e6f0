import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import type { PgDb } from "../../src/data/PgDb.js";
import { loadTableIntoPg } from "../../src/data/load-table-into-pg.js";
import { readTableFromPg } from "../../src/data/read-table-from-pg.js";
import { columnStatsSql, hasRange, topValuesSql } from "../../src/data/sql/column-summary.js";
import {
  copyFromStdinSql,
  copyToCsvSql,
  copyToParquetSql,
  copyToStdoutSql,
  insertNdjsonSql,
  parquetViewSql,
} from "../../src/data/sql/copy.js";
import {
  copyCsvWithoutRowsSql,
  csvRejectsSql,
  loadCsvSql,
  loadCsvWithColumnsSql,
  repeatedHeaderSql,
  sniffCsvSql,
} from "../../src/data/sql/csv.js";
import {
  commentOnTableSql,
  countRowsSql,
  createSchemaSql,
  createTableAsSql,
  createTableSql,
  dropTableSql,
  setTimeZoneSql,
  tableRef,
} from "../../src/data/sql/tables.js";
import { PG_URL, explainDuck, explainPg, openScratchPg } from "../sql-explain.js";

/** A table whose names need quoting: a double quote in a column, an apostrophe in the table name. */
const T = "it's";
const W = 'we"ird';

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "openbeat-sql-"));
  writeFileSync(join(dir, "small.csv"), 'a,b\n1,x\n2,"y"\nA,B\n3,z\n');
  writeFileSync(join(dir, "rows.ndjson"), '{"id":1,"name":"a"}\n{"id":2,"name":null}\n');
  db = await Db.open();
  await db.exec(`CREATE TABLE "it's" AS SELECT * FROM (VALUES
    (1, 'a', 0.5, TIMESTAMP '2021-03-04 05:06:07'),
    (2, 'a', NULL, TIMESTAMP '2022-01-01 00:00:00'),
    (3, NULL, 2.5, NULL)
  ) v(id, "we""ird", x, "at")`);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("table builders (src/data/sql/tables.ts)", () => {
  it("tableRef(table, schema) quotes each part and countRowsSql counts with an optional condition and alias", async () => {
    expect(tableRef(T)).toBe(`"it's"`);
    expect(tableRef(W, "s p")).toBe(`"s p"."we""ird"`);
    expect(countRowsSql(T)).toBe(`SELECT count(*)::INTEGER AS "n" FROM "it's"`);
    expect(await db.query(countRowsSql(T))).toEqual([{ n: 3 }]);
    const sql = countRowsSql(T, { where: `"we""ird" IS NULL`, alias: "nulls" });
    expect(sql).toContain(`WHERE "we""ird" IS NULL`);
    expect(await db.query(sql)).toEqual([{ nulls: 1 }]);
  });

  it("createTableSql, createTableAsSql and dropTableSql replace only when asked and drop several tables", async () => {
    const columns = [
      { name: W, type: "VARCHAR" },
      { name: "n", type: "INTEGER" },
    ];
    expect(createTableSql("t1", columns)).toBe(`CREATE TABLE "t1" ("we""ird" VARCHAR, "n" INTEGER)`);
    expect(createTableSql("t1", columns, { replace: true, schema: "main" })).toBe(
      `CREATE OR REPLACE TABLE "main"."t1" ("we""ird" VARCHAR, "n" INTEGER)`,
    );
    expect(createTableAsSql("t2", "SELECT 1 AS x")).toBe(`CREATE OR REPLACE TABLE "t2" AS SELECT 1 AS x`);
    expect(createTableAsSql("t2", "SELECT 1 AS x", { replace: false })).toBe(`CREATE TABLE "t2" AS SELECT 1 AS x`);
    expect(dropTableSql(["t1", "t2"])).toBe(`DROP TABLE IF EXISTS "t1"; DROP TABLE IF EXISTS "t2"`);
    await db.exec(createTableSql("t1", columns));
    await expect(db.exec(createTableSql("t1", columns))).rejects.toThrow(/already exists/);
    await db.exec(createTableSql("t1", columns, { replace: true }));
    await db.exec(createTableAsSql("t2", countRowsSql(T)));
    expect(await db.query(`SELECT * FROM t2`)).toEqual([{ n: 3 }]);
    await db.exec(dropTableSql(["t1", "t2"]));
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name IN ('t1', 't2')`)).toEqual([{ n: 0 }]);
  });

  it("commentOnTableSql quotes the comment, createSchemaSql is idempotent and setTimeZoneSql pins the zone", async () => {
    expect(commentOnTableSql(T, "o'neil")).toBe(`COMMENT ON TABLE "it's" IS 'o''neil'`);
    await db.exec(commentOnTableSql(T, "o'neil"));
    expect(await db.query(`SELECT comment FROM duckdb_tables() WHERE table_name = ?`, [T])).toEqual([{ comment: "o'neil" }]);
    await db.exec(createSchemaSql("x y"));
    await db.exec(createSchemaSql("x y"));
    expect(setTimeZoneSql()).toBe(`SET TimeZone = 'UTC'`);
    await db.exec(setTimeZoneSql("UTC"));
    expect(await db.query(`SELECT current_setting('TimeZone') AS z`)).toEqual([{ z: "UTC" }]);
  });
});

describe("CSV builders (src/data/sql/csv.ts)", () => {
  it("sniffCsvSql reports the dialect columns and binds in DuckDB", async () => {
    const path = join(dir, "small.csv");
    const sql = sniffCsvSql(path, { delimiter: ",", encoding: "latin1" });
    expect(sql).toContain("delim = ','");
    expect(sql).toContain("encoding = 'latin-1'");
    const [row] = await db.query(sniffCsvSql(path));
    expect([row.d, row.q, row.n]).toEqual([",", '"', "\\n"]);
    expect(Object.keys(row)).toEqual(["d", "q", "e", "n"]);
  });

  it("csvRejectsSql summarizes the rejects table that loadCsvSql fills", async () => {
    const path = join(dir, "ragged.csv");
    writeFileSync(path, "a,b\n1,2\n3\n4,5\n6,7,8\n");
    await db.exec(loadCsvSql("ragged", path, { types: { a: "INTEGER", b: "INTEGER" }, rejects: { table: "rj", scan: "rs" } }));
    const sql = csvRejectsSql("rj");
    await explainDuck(db, sql);
    const [r] = await db.query(sql);
    expect(r).toMatchObject({ n: 2, first: 3, unicode: null });
    expect(String(r.reason)).toMatch(/column/i);
    await db.exec(dropTableSql(["rj", "rs", "ragged"]));
  });

  it("copyCsvWithoutRowsSql writes the file as text without the matching rows", async () => {
    const path = join(dir, "small.csv");
    await db.exec(loadCsvSql("small", path, { allText: true }));
    const predicate = repeatedHeaderSql("small", await db.columns("small"), "predicate");
    expect(predicate).not.toBeNull();
    const out = join(dir, "clean.csv");
    const sql = copyCsvWithoutRowsSql(path, out, predicate ?? "", { delimiter: "," });
    expect(sql).toContain("all_varchar = true");
    await explainDuck(db, sql);
    await db.exec(sql);
    await db.exec(
      loadCsvWithColumnsSql("clean", out, [
        { name: "a", type: "VARCHAR" },
        { name: "b", type: "VARCHAR" },
      ]),
    );
    expect(await db.query(`SELECT a, b FROM clean ORDER BY a`)).toEqual([
      { a: "1", b: "x" },
      { a: "2", b: "y" },
      { a: "3", b: "z" },
    ]);
  });

  it("loadCsvWithColumnsSql reads a known CSV with the given names and types", async () => {
    const sql = loadCsvWithColumnsSql(W, join(dir, "small.csv"), [
      { name: "a", type: "VARCHAR" },
      { name: "b", type: "VARCHAR" },
    ]);
    expect(sql).toMatch(
      /^CREATE OR REPLACE TABLE "we""ird" AS SELECT \* FROM read_csv\('.*small\.csv', header = true, columns = \{'a': 'VARCHAR', 'b': 'VARCHAR'\}\)$/,
    );
    await explainDuck(db, sql);
  });
});

describe("COPY and file builders (src/data/sql/copy.ts)", () => {
  it("copyToParquetSql and parquetViewSql write a query to parquet and read it back as a view", async () => {
    const path = join(dir, "o'neil.parquet");
    const sql = copyToParquetSql(`SELECT * FROM "it's" ORDER BY id`, path);
    expect(sql).toContain("o''neil.parquet' (FORMAT parquet)");
    await explainDuck(db, sql);
    await db.exec(sql);
    const view = parquetViewSql("v", path);
    await explainDuck(db, view);
    await db.exec(view);
    expect(await db.query(`SELECT id, "we""ird" AS w FROM v ORDER BY id`)).toEqual([
      { id: 1, w: "a" },
      { id: 2, w: "a" },
      { id: 3, w: null },
    ]);
  });

  it("copyToCsvSql writes header-less CSV with NULL empty and the empty string quoted", async () => {
    await db.exec(`CREATE TABLE e AS SELECT * FROM (VALUES (1, ''), (2, NULL)) v(id, s)`);
    const path = join(dir, "e.csv");
    const sql = copyToCsvSql(
      "e",
      [
        { name: "id", expr: `"id"` },
        { name: W, expr: `CAST("s" AS VARCHAR)` },
      ],
      path,
    );
    expect(sql).toContain(`CAST("s" AS VARCHAR) AS "we""ird"`);
    await explainDuck(db, sql);
    await db.exec(sql);
    expect(readFileSync(path, "utf8")).toBe('1,""\n2,\n');
  });

  it("insertNdjsonSql appends NDJSON rows with the declared types", async () => {
    await db.exec(
      createTableSql(
        "j",
        [
          { name: "id", type: "BIGINT" },
          { name: "name", type: "VARCHAR" },
        ],
        { replace: true },
      ),
    );
    const sql = insertNdjsonSql(
      "j",
      join(dir, "rows.ndjson"),
      [
        { name: "id", type: "BIGINT" },
        { name: "name", type: "VARCHAR" },
      ],
      1 << 20,
    );
    expect(sql).toContain("maximum_object_size = 1048576");
    await explainDuck(db, sql);
    await db.exec(sql);
    expect(await db.query(`SELECT * FROM j ORDER BY id`)).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: null },
    ]);
  });

  it("copyFromStdinSql and copyToStdoutSql name the target, the columns and CSV", () => {
    expect(copyFromStdinSql(tableRef(W, "s"), ["a", W])).toBe(`COPY "s"."we""ird" ("a", "we""ird") FROM STDIN (FORMAT csv)`);
    expect(copyToStdoutSql(T)).toBe(`COPY (SELECT * FROM "it's") TO STDOUT (FORMAT csv, HEADER true)`);
  });
});

describe("column summary builders (src/data/sql/column-summary.ts)", () => {
  it("columnStatsSql gives nulls and distinct counts for every column and ranges for ordered types, in one query", async () => {
    const columns = await db.columns(T);
    const sql = columnStatsSql(T, columns);
    expect(sql.match(/\bFROM\b/g)).toHaveLength(1);
    expect(columns.map((c) => hasRange(c.type))).toEqual([true, false, true, true]);
    const [r] = await db.query(sql);
    expect(r).toEqual({
      n0: 0,
      d0: 3,
      lo0: 1,
      hi0: 3,
      n1: 1,
      d1: 1,
      n2: 1,
      d2: 2,
      lo2: 0.5,
      hi2: 2.5,
      n3: 1,
      d3: 2,
      lo3: "2021-03-04 05:06:07",
      hi3: "2022-01-01 00:00:00",
    });
  });

  it("topValuesSql lists the most frequent values first, ties by value, without NULL", async () => {
    expect(await db.query(topValuesSql(T, W))).toEqual([{ v: "a", n: 2 }]);
    expect(await db.query(topValuesSql(T, "id", 2))).toEqual([
      { v: "1", n: 1 },
      { v: "2", n: 1 },
    ]);
  });
});

describe.skipIf(!PG_URL)("portable builders on PostgreSQL", () => {
  let pg: PgDb;
  beforeAll(async () => {
    pg = await openScratchPg(PG_URL ?? "");
    await pg.exec(`CREATE TABLE "it's" AS SELECT * FROM (VALUES
      (1, 'a', 0.5::double precision, TIMESTAMP '2021-03-04 05:06:07'),
      (2, 'a', NULL, TIMESTAMP '2022-01-01 00:00:00'),
      (3, NULL, 2.5, NULL)
    ) v(id, "we""ird", x, "at")`);
  });
  afterAll(async () => {
    await pg.close();
  });

  it("plans the counts, the top values and CREATE TABLE AS", async () => {
    for (const sql of [
      countRowsSql(T),
      countRowsSql(T, { where: `"we""ird" IS NULL`, alias: "nulls" }),
      topValuesSql(T, W),
      createTableAsSql("copy", countRowsSql(T), { replace: false }),
    ]) {
      await explainPg(pg, sql);
    }
    expect(await pg.query(topValuesSql(T, W))).toEqual([{ v: "a", n: 2 }]);
    expect(await pg.query(countRowsSql(T, { where: `"we""ird" IS NULL`, alias: "nulls" }))).toEqual([{ nulls: 1 }]);
  });

  it("runs the schema, table, comment and time-zone statements", async () => {
    const schema = pg.schema ?? "";
    const columns = [
      { name: W, type: "text" },
      { name: "n", type: "integer" },
    ];
    await pg.exec(createSchemaSql(schema));
    await pg.exec(createTableSql("t1", columns, { schema }));
    await pg.exec(commentOnTableSql("t1", "o'neil"));
    expect(await pg.query(`SELECT obj_description(to_regclass('t1'), 'pg_class') AS c`)).toEqual([{ c: "o'neil" }]);
    await pg.exec(dropTableSql(["t1", "t2"], schema));
    expect(await pg.query(`SELECT to_regclass('t1') IS NULL AS gone`)).toEqual([{ gone: true }]);
    await pg.exec(setTimeZoneSql("UTC"));
    expect(await pg.query(`SELECT current_setting('TimeZone') AS z`)).toEqual([{ z: "UTC" }]);
  });

  it("copies a table in and out with the COPY builders (loadTableIntoPg, readTableFromPg)", async () => {
    const r = await loadTableIntoPg(db, pg, T, { target: "copied" });
    expect(r.rows).toBe(3);
    expect(await readTableFromPg(pg, db, "copied", "back")).toBe(3);
    expect(await db.query(`SELECT id, "we""ird" AS w, x, CAST("at" AS VARCHAR) AS "at" FROM back ORDER BY id`)).toEqual(
      await db.query(`SELECT id, "we""ird" AS w, x, CAST("at" AS VARCHAR) AS "at" FROM "it's" ORDER BY id`),
    );
  });
});
