import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import {
  fixHeaderNames,
  loadCsv,
  loadCsvSql,
  normalizeHeaderName,
  readCsvHeader,
  repeatedHeaderSql,
} from "../../src/data/sources/load-csv.js";
import { UserError } from "../../src/util/errors.js";
import { defined } from "../checks.js";

const F = "test/fixtures/csv";
let db: Db;
beforeAll(async () => {
  db = await Db.open();
});
afterAll(async () => {
  await db.close();
});

describe("loadCsvSql(table, path, options)", () => {
  it("builds a CREATE TABLE … read_csv statement that DuckDB runs", async () => {
    const sql = loadCsvSql("simple", `${F}/simple.csv`);
    expect(sql).toMatch(/^CREATE OR REPLACE TABLE "simple" AS SELECT \* FROM read_csv\(/);
    expect(sql).toContain("sample_size = -1");
    expect(sql).toContain("header = true");
    await db.exec(sql);
    const rows = await db.query(`SELECT * FROM simple ORDER BY id`);
    expect(rows.map((r) => r.name)).toEqual(["alpha", "beta", "gamma, delta", 'say "hi"']);
    expect(rows[1].score).toBeNull();
    expect((await db.columns("simple")).map((c) => c.type)).toEqual(["BIGINT", "VARCHAR", "DOUBLE", "BOOLEAN"]);
  });

  it("applies delimiter, types, all_text and timestamp format", async () => {
    await db.exec(loadCsvSql("semi_t", `${F}/semicolon.csv`, { delimiter: ";", types: { amount: "VARCHAR" } }));
    expect(await db.query(`SELECT amount FROM semi_t ORDER BY id`)).toEqual([{ amount: "1,5" }, { amount: "2" }]);
    await db.exec(loadCsvSql("txt", `${F}/simple.csv`, { allText: true }));
    expect((await db.columns("txt")).every((c) => c.type === "VARCHAR")).toBe(true);
    await db.exec(loadCsvSql("ts", `${F}/timestamps.csv`, { timestampFormat: "%m/%d/%Y %H:%M" }));
    expect((await db.columns("ts"))[1].type).toBe("TIMESTAMP");
    expect(await db.query(`SELECT strftime(occurred, '%Y-%m-%d %H:%M') AS t FROM ts ORDER BY id`)).toEqual([
      { t: "2010-01-07 19:43" },
      { t: "2019-12-25 00:05" },
      { t: null },
    ]);
  });

  it("quotes paths, names and types so odd characters cannot break the SQL", () => {
    const sql = loadCsvSql("it's", "/tmp/o'neil.csv", { names: ["a'b"], types: { "x'y": "VARCHAR" } });
    expect(sql).toContain(`"it's"`);
    expect(sql).toContain(`'/tmp/o''neil.csv'`);
    expect(sql).toContain(`'a''b'`);
    expect(sql).toContain(`'x''y': 'VARCHAR'`);
    expect(() => loadCsvSql("t", "f.csv", { types: { a: "VARCHAR); DROP TABLE x; --" } })).toThrow(UserError);
    expect(loadCsvSql("t", "f.csv", { types: { a: "DECIMAL(10, 2)" } })).toContain("'DECIMAL(10, 2)'");
  });

  it("with rejects, skips malformed rows and records them", async () => {
    await db.exec(loadCsvSql("rg", `${F}/ragged.csv`, { rejects: { table: "rj", scan: "rs" } }));
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM rg`)).toEqual([{ n: 6 }]);
    const rejected = await db.query(`SELECT DISTINCT line::INTEGER AS line FROM rj ORDER BY line`);
    expect(rejected).toEqual([{ line: 4 }, { line: 6 }]);
  });
});

describe("readCsvHeader(path) and fixHeaderNames(header)", () => {
  it("reads the first record under a BOM and CRLF", async () => {
    const h = await readCsvHeader(`${F}/bom-crlf-blank-header.csv`);
    expect(h).toEqual({ fields: ["id", "when", "", "area"], bom: true, newline: "\r\n" });
  });

  it("handles quoted fields with delimiters and doubled quotes", async () => {
    const h = await readCsvHeader(`${F}/simple.csv`);
    expect(h.fields).toEqual(["id", "name", "score", "flag"]);
    expect(h.bom).toBe(false);
  });

  it("names empty headers column_N (1-based) and numbers duplicates case-insensitively", () => {
    expect(fixHeaderNames(["a", "", "b", ""])).toEqual({
      names: ["a", "column_2", "b", "column_4"],
      empty: ["column_2", "column_4"],
      duplicates: [],
    });
    expect(fixHeaderNames(["name", "Name", "x", "NAME"]).names).toEqual(["name", "Name_2", "x", "NAME_3"]);
    expect(fixHeaderNames(["column_2", ""]).names).toEqual(["column_2", "column_2_"]);
  });
});

describe("repeatedHeaderSql(table, columns)", () => {
  it("counts rows whose cells repeat the header names", async () => {
    await db.exec(
      `CREATE OR REPLACE TABLE rh AS SELECT * FROM (VALUES ('x', 'Officer Battered', NULL), ('CaseNumber', 'OfficerBattered', NULL), ('Case Number', 'yes', 'other')) t("Case Number", "Officer Battered", "Status")`,
    );
    const cols = await db.columns("rh");
    expect(await db.query(defined(repeatedHeaderSql("rh", cols), "the repeated-header SQL"))).toEqual([{ n: 1 }]);
    expect(normalizeHeaderName("Officer Battered")).toBe("officerbattered");
    expect(repeatedHeaderSql("rh", [{ name: "n", type: "BIGINT" }])).toBeNull();
  });

  it("matches a cell exactly when its letters and digits, lower-cased, spell the name", async () => {
    const cells = [
      "Case Number",
      "case_number",
      "-CASE-number-",
      "CaseNumber1",
      "Numbercase",
      "Case Numbe",
      "C a s e N u m b e r",
      "xcasenumber",
      "İcasenumber",
      "",
      null,
    ];
    await db.exec(
      `CREATE OR REPLACE TABLE rh1 AS SELECT * FROM (VALUES ${cells.map((c) => `(${c === null ? "NULL" : `'${c}'`}, 'Case Number')`).join(", ")}) t("Case Number", "Other")`,
    );
    const predicate = defined(repeatedHeaderSql("rh1", [{ name: "Case Number", type: "VARCHAR" }], "predicate"), "the predicate");
    const got = await db.query(`SELECT "Case Number" AS c, ${predicate} AS hit FROM rh1`);
    const want = cells.map((c) => ({ c, hit: c !== null && normalizeHeaderName(c) === "casenumber" }));
    expect(got).toEqual(want);
    expect(want.filter((w) => w.hit).length).toBe(4);
  });

  it("treats the characters whose lower case is an ASCII letter (İ, the Kelvin sign) as that letter", async () => {
    const cells = [
      "Kind Id",
      "\u212aind \u0130d",
      "kind\u0130d",
      "\u0130kind id",
      "kind id\u212a",
      "K\u00edndId",
      "kind-id!",
      "kindid2",
      "kin did",
    ];
    await db.exec(`CREATE OR REPLACE TABLE rh2 AS SELECT * FROM (VALUES ${cells.map((c) => `('${c}')`).join(", ")}) t("Kind Id")`);
    const predicate = defined(repeatedHeaderSql("rh2", [{ name: "Kind Id", type: "VARCHAR" }], "predicate"), "the predicate");
    const got = await db.query(`SELECT "Kind Id" AS c, ${predicate} AS hit FROM rh2`);
    const want = cells.map((c) => ({ c, hit: normalizeHeaderName(c) === "kindid" }));
    expect(got).toEqual(want);
    expect(want.map((w) => w.hit)).toEqual([true, true, true, false, false, false, true, false, true]);
  });
});

describe("loadCsv(db, table, path)", () => {
  it("loads a BOM + CRLF file and names the empty header column_N with a warning", async () => {
    const r = await loadCsv(db, "bom", `${F}/bom-crlf-blank-header.csv`);
    expect(r.rows).toBe(3);
    expect(r.dialect).toMatchObject({ delimiter: ",", newline: "\r\n", bom: true });
    expect((await db.columns("bom")).map((c) => c.name)).toEqual(["id", "when", "column_3", "area"]);
    expect(r.warnings.map((w) => w.code)).toEqual(["csv.empty_header"]);
    expect(await db.query(`SELECT area FROM bom ORDER BY id`)).toEqual([{ area: "NORTH" }, { area: "SOUTH" }, { area: null }]);
  });

  it("drops repeated header lines, re-detects types, and warns with the count", async () => {
    const r = await loadCsv(db, "rep", `${F}/repeated-header.csv`);
    expect(r.rows).toBe(5);
    expect(r.warnings).toEqual([expect.objectContaining({ code: "csv.repeated_header", rows: 2 })]);
    const cols = Object.fromEntries((await db.columns("rep")).map((c) => [c.name, c.type]));
    expect(cols["Officers Involved"]).toBe("BIGINT");
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM rep WHERE "Case Number" = 'CaseNumber'`)).toEqual([{ n: 0 }]);
  });

  it("keeps right-padded values as they are", async () => {
    await loadCsv(db, "pad", `${F}/padded.csv`);
    expect(await db.query(`SELECT address FROM pad ORDER BY code`)).toEqual([
      { address: "100 BLOCK MAIN ST     " },
      { address: "  200 BLOCK ELM AVE " },
      { address: "300 BLOCK OAK RD" },
    ]);
  });

  it("skips a few malformed rows with a csv.rejected_rows warning", async () => {
    const r = await loadCsv(db, "rag", `${F}/ragged.csv`);
    expect(r.rows).toBe(6);
    expect(r.warnings).toEqual([expect.objectContaining({ code: "csv.rejected_rows", rows: 2, first_line: 4, file: `${F}/ragged.csv` })]);
    expect(r.warnings[0].message).toMatch(/skipped 2 malformed rows \(first at line 4: Expected Number of Columns: 3 Found: 2\)/);
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name LIKE '_openbeat_reject%'`)).toEqual([
      { n: 0 },
    ]);
  });

  it("reads a clean file once, strictly; a file with malformed rows again, keeping them out", async () => {
    const reads = async (file: string) => {
      const sql: string[] = [];
      const spy = Object.assign(Object.create(db) as Db, {
        exec: (s: string) => {
          sql.push(s);
          return db.exec(s);
        },
      });
      await loadCsv(spy, "spied", `${F}/${file}`);
      return sql
        .filter((s) => s.includes("read_csv("))
        .map((s) => (s.includes("store_rejects") ? "rejects" : s.includes("skip = 0") ? "strict" : "other"));
    };
    expect(await reads("simple.csv")).toEqual(["strict"]);
    expect(await reads("ragged.csv")).toEqual(["strict", "rejects"]);
  });

  it("does not let the strict read skip leading lines to find a table that fits", async () => {
    // DuckDB's sniffer alone reads mostly-bad.csv as an empty table under its last line: the strict read must fail
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM read_csv('${F}/mostly-bad.csv', header = true, sample_size = -1)`)).toEqual([
      { n: 0 },
    ]);
    await expect(db.exec(loadCsvSql("strictly", `${F}/mostly-bad.csv`, { delimiter: ",", strict: true }))).rejects.toThrow();
  });

  it("fails with a UserError when most rows are malformed, and leaves no table", async () => {
    const e = (await loadCsv(db, "bad", `${F}/mostly-bad.csv`, { where: 'study.yaml: source "bad"' }).catch(
      (x: unknown) => x,
    )) as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.code).toBe("csv.rejected_rows");
    expect(e.message).toMatch(/^study\.yaml: source "bad": 4 of 5 data rows are malformed \(first at line 3/);
    expect(e.message.split("\n")).toHaveLength(1);
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'bad'`)).toEqual([{ n: 0 }]);
  });

  it("fails with a UserError on an empty file", async () => {
    const e = (await loadCsv(db, "empty", `${F}/empty.csv`).catch((x: unknown) => x)) as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.code).toBe("source.empty");
    expect(e.message).toContain("empty (0 bytes)");
  });

  it("loads a header-only file as an empty table with a warning", async () => {
    const r = await loadCsv(db, "hdr", `${F}/header-only.csv`);
    expect(r.rows).toBe(0);
    expect((await db.columns("hdr")).map((c) => c.name)).toEqual(["a", "b", "c"]);
    expect(r.warnings.map((w) => w.code)).toEqual(["csv.header_only"]);
  });

  it("renames duplicate header names with a warning", async () => {
    const r = await loadCsv(db, "dup", `${F}/duplicate-header.csv`);
    expect((await db.columns("dup")).map((c) => c.name)).toEqual(["name", "Name_2", "value", "value_2"]);
    expect(r.warnings).toEqual([
      expect.objectContaining({ code: "csv.duplicate_header", columns: ["Name -> Name_2", "value -> value_2"] }),
    ]);
    expect(await db.query(`SELECT "Name_2", value_2 FROM dup`)).toEqual([{ Name_2: "y", value_2: 2 }]);
  });

  it("detects a semicolon delimiter and honours a given one", async () => {
    const detected = await loadCsv(db, "semi2", `${F}/semicolon.csv`);
    expect(detected.dialect.delimiter).toBe(";");
    expect((await db.columns("semi2")).map((c) => c.name)).toEqual(["id", "label", "amount"]);
  });

  it("turns a bad forced type into a one-line UserError", async () => {
    const e = (await loadCsv(db, "x", `${F}/simple.csv`, { types: { nope: "BIGINT" }, where: 's.yaml: source "x"' }).catch(
      (x: unknown) => x,
    )) as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.code).toBe("csv.type_column");
    expect(e.message).toMatch(/^s\.yaml: source "x": column "nope" not found in table "x".*; run "openbeat inspect"/);
    const close = (await loadCsv(db, "x", `${F}/simple.csv`, { types: { Score: "DOUBLE" } }).catch((x: unknown) => x)) as UserError;
    expect(close).toBeInstanceOf(UserError);
    expect(close.message).toContain('did you mean "score"');
    expect(e.message.split("\n")).toHaveLength(1);
  });
});
