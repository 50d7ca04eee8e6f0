import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { loadShapefile } from "../../src/data/sources/load-shapefile.js";
import { UserError } from "../../src/util/errors.js";
import { writePolygonShapefile } from "./shapefile-fixture.js";

let db: Db;
let dir: string;
beforeAll(async () => {
  db = await Db.open();
  dir = mkdtempSync(join(tmpdir(), "openbeat-shp-"));
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("loadShapefile(db, table, path)", () => {
  it("loads DBF attributes (numbers as DOUBLE, text trimmed) and geometry in the file's coordinates", async () => {
    const stem = join(dir, "areas");
    const ring: [number, number][] = [
      [1400000, 560000],
      [1401000, 560000],
      [1401000, 561000],
      [1400000, 560000],
    ];
    writePolygonShapefile(
      stem,
      [
        { name: "Abell", pop: 889, ring },
        { name: "Caf\u00e9 Row", pop: null, ring: ring.map(([x, y]) => [x + 5000, y] as [number, number]) },
      ],
      'PROJCS["NAD_1983_StatePlane_Maryland_FIPS_1900_Feet"]',
    );
    const r = await loadShapefile(db, "areas", `${stem}.shp`);
    expect(r.rows).toBe(2);
    expect(r.prj).toBe('PROJCS["NAD_1983_StatePlane_Maryland_FIPS_1900_Feet"]');
    expect(r.encoding).toBe("latin1");
    expect(r.fields).toEqual([
      { name: "Name", dbfType: "C", type: "VARCHAR" },
      { name: "Pop", dbfType: "N", type: "DOUBLE" },
    ]);
    expect(await db.columns("areas")).toEqual([
      { name: "Name", type: "VARCHAR" },
      { name: "Pop", type: "DOUBLE" },
      { name: "_geometry", type: "VARCHAR" },
    ]);
    const rows = await db.query(`SELECT * FROM areas`);
    expect(rows.map((x) => [x.Name, x.Pop])).toEqual([
      ["Abell", 889],
      ["Caf\u00e9 Row", null],
    ]);
    const g = JSON.parse(String(rows[0]._geometry)) as { type: string; coordinates: number[][][] };
    expect(g.type).toBe("Polygon");
    expect(g.coordinates[0]).toContainEqual([1401000, 561000]);
  });

  it("reads the .cpg encoding, and a given encoding wins", async () => {
    const stem = join(dir, "enc");
    writePolygonShapefile(stem, [
      {
        name: "Caf\u00e9",
        pop: 1,
        ring: [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      },
    ]);
    writeFileSync(`${stem}.cpg`, "UTF-8");
    const r = await loadShapefile(db, "enc", `${stem}.shp`);
    expect(r.encoding).toBe("UTF-8");
    expect(r.prj).toBeNull();
    const r2 = await loadShapefile(db, "enc", `${stem}.shp`, { encoding: "latin1" });
    expect(r2.encoding).toBe("latin1");
    expect(await db.query(`SELECT Name FROM enc`)).toEqual([{ Name: "Caf\u00e9" }]);
  });

  it("fails with a UserError when the .dbf is missing", async () => {
    const stem = join(dir, "lonely");
    writePolygonShapefile(stem, [
      {
        name: "x",
        pop: 1,
        ring: [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      },
    ]);
    rmSync(`${stem}.dbf`);
    const e = (await loadShapefile(db, "lonely", `${stem}.shp`).catch((x: unknown) => x)) as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/attribute file .*lonely\.dbf is missing/);
  });
});
