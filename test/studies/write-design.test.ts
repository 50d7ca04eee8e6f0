import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTableFromColumns } from "../../src/data/create-table.js";
import { Db, quoteString } from "../../src/data/Db.js";
import { sparseToDense, type SparseMatrix } from "../../src/ml/sparse.js";
import { writeDesignParquet } from "../../src/studies/write-output.js";

let db: Db;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "openbeat-write-design-"));
  db = await Db.open();
  await db.exec(`CREATE TABLE a AS SELECT range::INTEGER AS _row, 'id' || range AS case_id FROM range(6)`);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const read = async (path: string) => {
  const from = `read_parquet(${quoteString(path)})`;
  const types = (await db.query(`DESCRIBE SELECT * FROM ${from}`)).map((r) => [r.column_name, r.column_type]);
  return { types, rows: await db.query(`SELECT * FROM ${from}`) };
};

describe("writeDesignParquet(db, path, table, design)", () => {
  it("writes a sparse design from its entries to the same features.parquet as its dense form", async () => {
    // rows of the analysis table 5, 0, 2, 3 (kept rows need not be in order); row 2 has no entries, row 3 an
    // explicit zero and a missing (NaN) numeric value
    const X: SparseMatrix = {
      rows: 4,
      cols: 4,
      indptr: Int32Array.of(0, 2, 4, 4, 7),
      indices: Int32Array.of(0, 3, 1, 3, 2, 0, 3),
      values: Float64Array.of(1, -1.25, 1, 0.5, 1, 0, NaN),
    };
    const names = ["area=North", "area=South", "area=(other)", "age"];
    const keep = Int32Array.of(5, 0, 2, 3);
    const sparsePath = join(dir, "sparse.parquet");
    const pivotPath = join(dir, "pivot.parquet");
    const densePath = join(dir, "dense.parquet");
    await writeDesignParquet(db, sparsePath, "a", { X, names, keep, id: "case_id" });
    // more entries in a row than slots: the entries are pivoted
    await writeDesignParquet(db, pivotPath, "a", { X, names, keep, id: "case_id" }, { maxSlots: 2 });
    await writeDesignParquet(db, densePath, "a", { X: sparseToDense(X), names, keep, id: "case_id" });
    const sparse = await read(sparsePath);
    expect(sparse).toEqual(await read(densePath));
    expect(await read(pivotPath)).toEqual(sparse);
    const noId = join(dir, "no-id.parquet");
    const denseNoId = join(dir, "dense-no-id.parquet");
    await writeDesignParquet(db, noId, "a", { X, names, keep });
    await writeDesignParquet(db, denseNoId, "a", { X: sparseToDense(X), names, keep });
    expect((await read(noId)).types[1]).toEqual(["area=North", "DOUBLE"]);
    expect(await read(noId)).toEqual(await read(denseNoId));
    expect(sparse.types).toEqual([
      ["_row", "INTEGER"],
      ["case_id", "VARCHAR"],
      ["area=North", "DOUBLE"],
      ["area=South", "DOUBLE"],
      ["area=(other)", "DOUBLE"],
      ["age", "DOUBLE"],
    ]);
    expect(sparse.rows.map((r) => [r._row, r.case_id, ...names.map((nm) => r[nm])])).toEqual([
      [0, "id0", 0, 1, 0, 0.5],
      [2, "id2", 0, 0, 0, 0],
      [3, "id3", 0, 0, 1, null],
      [5, "id5", 1, 0, 0, -1.25],
    ]);
    const left = await db.query(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_design%' ESCAPE '\\'`);
    expect(left).toEqual([]);
  });
});

describe("writeDesignParquet in pieces", () => {
  it("writes the same rows in the same order when the design is pivoted in pieces, and leaves no piece behind", async () => {
    await db.exec(`CREATE TABLE big AS SELECT range::INTEGER AS _row, 'id' || range AS case_id FROM range(1000)`);
    // 700 kept rows of 1,000 (ascending), 0-3 entries each over 9 columns, NaN and explicit zeros among them
    const keep = Int32Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 10 < 7);
    const indptr = [0];
    const indices: number[] = [];
    const values: number[] = [];
    keep.forEach((r, i) => {
      for (let j = 0; j < 9; ++j) {
        if ((r * 7 + j * 3) % 5 !== 0) continue;
        indices.push(j);
        values.push(j === 8 && r % 13 === 0 ? NaN : (r % 4) - 1.5 + j);
      }
      indptr.push(indices.length);
      if (i === 0) expect(indices.length).toBeGreaterThan(0);
    });
    const X: SparseMatrix = {
      rows: keep.length,
      cols: 9,
      indptr: Int32Array.from(indptr),
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    };
    const names = Array.from({ length: 9 }, (_, j) => `f${j}`);
    const whole = join(dir, "whole.parquet");
    const pieces = join(dir, "pieces.parquet");
    const slots = join(dir, "slots.parquet");
    await writeDesignParquet(db, whole, "big", { X, names, keep, id: "case_id" }, { maxSlots: 0 });
    await writeDesignParquet(db, pieces, "big", { X, names, keep, id: "case_id" }, { pieceRows: 64, maxSlots: 0 });
    await writeDesignParquet(db, slots, "big", { X, names, keep, id: "case_id" });
    const a = await read(whole);
    const b = await read(pieces);
    expect(b.rows.length).toBe(700);
    expect(b).toEqual(a);
    expect(await read(slots)).toEqual(a);
    expect(b.rows.map((r) => r._row)).toEqual(Array.from(keep));
    expect(readdirSync(dir).filter((f) => f.includes(".piece-"))).toEqual([]);
  });
});

describe("createTableFromColumns(db, table, columns, options)", () => {
  it("writes NaN as NULL, or as the DOUBLE NaN with nanAsNull: false, from typed arrays and plain arrays alike", async () => {
    const n = 5000; // more than two appender chunks
    const x = Float64Array.from({ length: n }, (_, i) => (i % 997 === 3 ? NaN : i / 4));
    const cols = [
      { name: "i", type: "INTEGER" as const, values: Int32Array.from({ length: n }, (_, i) => i) },
      { name: "x", type: "DOUBLE" as const, values: x },
      { name: "plain", type: "DOUBLE" as const, values: Array.from(x) },
    ];
    await createTableFromColumns(db, "t_null", cols);
    await createTableFromColumns(db, "t_nan", cols, { nanAsNull: false });
    const summary = (t: string) =>
      db.query(
        `SELECT count(*) FILTER (WHERE x IS NULL)::INTEGER AS x_null, count(*) FILTER (WHERE isnan(x))::INTEGER AS x_nan, ` +
          `count(*) FILTER (WHERE plain IS NULL)::INTEGER AS plain_null, count(*) FILTER (WHERE isnan(plain))::INTEGER AS plain_nan, ` +
          `sum(i)::BIGINT AS si, sum(x) FILTER (WHERE NOT isnan(x)) AS sx FROM "${t}"`,
      );
    const nans = Array.from(x).filter(Number.isNaN).length;
    const sum = Array.from(x).reduce((s, v) => (Number.isNaN(v) ? s : s + v), 0);
    expect(await summary("t_null")).toEqual([{ x_null: nans, x_nan: 0, plain_null: nans, plain_nan: 0, si: (n * (n - 1)) / 2, sx: sum }]);
    expect(await summary("t_nan")).toEqual([{ x_null: 0, x_nan: nans, plain_null: 0, plain_nan: nans, si: (n * (n - 1)) / 2, sx: sum }]);
  });
});
