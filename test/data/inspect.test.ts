import { describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { formatInspect, inspectFile } from "../../src/data/inspect.js";

describe("inspectFile(path)", () => {
  it("summarizes every column of a CSV with the detected dialect", async () => {
    const r = await inspectFile("test/fixtures/csv/simple.csv");
    expect(r).toMatchObject({ format: "csv", rows: 4, warnings: [] });
    expect(r.dialect).toMatchObject({ delimiter: ",", quote: '"', newline: "\n", bom: false, encoding: "utf-8" });
    const [id, name, score, flag] = r.columns;
    expect(id).toEqual({ name: "id", type: "BIGINT", nulls: 0, distinct: 4, min: 1, max: 4, top: expect.any(Array) as unknown });
    expect(name.min).toBeUndefined();
    expect(score).toMatchObject({ nulls: 1, distinct: 3, min: 1.25, max: 4 });
    expect(flag.top).toEqual([
      { value: "false", count: 2 },
      { value: "true", count: 2 },
    ]);
  });

  it("keeps at most five top values, most frequent first", async () => {
    const db = await Db.open();
    const r = await inspectFile("test/fixtures/csv/timestamps.csv", { db });
    expect(r.columns[1]).toMatchObject({ type: "VARCHAR", nulls: 1, distinct: 2 });
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM duckdb_tables()`)).toEqual([{ n: 0 }]);
    await db.close();
    const rep = await inspectFile("test/fixtures/csv/repeated-header.csv");
    expect(rep.rows).toBe(5);
    expect(rep.columns[3].top).toEqual([
      { value: "Mapped", count: 2 },
      { value: "M", count: 1 },
      { value: "U", count: 1 },
      { value: "Unmapped", count: 1 },
    ]);
    expect(rep.warnings.map((w) => w.code)).toEqual(["csv.repeated_header"]);
  });
});

describe("formatInspect(result)", () => {
  it("prints an aligned table with the dialect, warnings and top values", async () => {
    const text = formatInspect(await inspectFile("test/fixtures/csv/bom-crlf-blank-header.csv"));
    const lines = text.split("\n");
    expect(lines[0]).toBe("test/fixtures/csv/bom-crlf-blank-header.csv");
    expect(lines[1]).toBe('csv · 3 rows · 4 columns · delimiter "," · no quoting · CRLF line ends · utf-8 with BOM');
    expect(text).toContain("1 column has an empty header, named column_3");
    const header = lines.findIndex((l) => /^#\s+column\s+type\s+nulls\s+distinct\s+min\s+max$/.test(l.trim()));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 2, header + 6);
    expect(rows.map((l) => l.trim().split(/\s{2,}/)[1])).toEqual(["id", "when", "column_3", "area"]);
    const typeAt = lines[header].indexOf("type");
    for (const l of rows) expect(l[typeAt - 1]).toBe(" ");
    expect(text).toMatch(/column_3\s+\(all empty\)/);
    expect(text).toMatch(/area\s+NORTH \(1\) · SOUTH \(1\)/);
  });

  it("quotes padded values so the padding shows", async () => {
    const text = formatInspect(await inspectFile("test/fixtures/csv/padded.csv"));
    expect(text).toContain('"100 BLOCK MAIN ST     " (1)');
    expect(text).toContain("300 BLOCK OAK RD (1)");
  });
});
