import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { inferPropertyType, loadGeojson } from "../../src/data/sources/load-geojson.js";
import { UserError } from "../../src/util/errors.js";

let db: Db;
let dir: string;
beforeAll(async () => {
  db = await Db.open();
  dir = mkdtempSync(join(tmpdir(), "openbeat-geojson-"));
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const square = (x: number) => ({
  type: "Polygon",
  coordinates: [
    [
      [x, 0],
      [x + 1, 0],
      [x + 1, 1],
      [x, 1],
      [x, 0],
    ],
  ],
});

describe("inferPropertyType(values)", () => {
  it("picks BIGINT, DOUBLE, BOOLEAN or VARCHAR", () => {
    expect(inferPropertyType([1, 2, null])).toBe("BIGINT");
    expect(inferPropertyType([1, 2.5])).toBe("DOUBLE");
    expect(inferPropertyType([true, null, false])).toBe("BOOLEAN");
    expect(inferPropertyType([1, "a"])).toBe("VARCHAR");
    expect(inferPropertyType([1, true])).toBe("VARCHAR");
    expect(inferPropertyType([null, undefined])).toBe("VARCHAR");
    expect(inferPropertyType([{ a: 1 }])).toBe("VARCHAR");
  });
});

describe("loadGeojson(db, table, path)", () => {
  it("creates a table of properties plus _feature and _geometry, and returns the collection", async () => {
    const fc = {
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: { name: "North", pop: 10, share: 0.5 }, geometry: square(0) },
        { type: "Feature", properties: { name: "South", pop: null, extra: { k: 1 } }, geometry: square(2) },
        { type: "Feature", properties: null, geometry: null },
      ],
    };
    const path = join(dir, "areas.geojson");
    writeFileSync(path, JSON.stringify(fc));
    const r = await loadGeojson(db, "areas", path);
    expect(r.rows).toBe(3);
    expect(r.collection).toEqual(fc);
    expect(await db.columns("areas")).toEqual([
      { name: "name", type: "VARCHAR" },
      { name: "pop", type: "BIGINT" },
      { name: "share", type: "DOUBLE" },
      { name: "extra", type: "VARCHAR" },
      { name: "_feature", type: "INTEGER" },
      { name: "_geometry", type: "VARCHAR" },
    ]);
    const rows = await db.query(`SELECT * FROM areas ORDER BY _feature`);
    expect(rows[0]).toMatchObject({ name: "North", pop: 10, share: 0.5, extra: null, _feature: 0 });
    expect(JSON.parse(String(rows[0]._geometry))).toEqual(square(0));
    expect(rows[1]).toMatchObject({ name: "South", pop: null, extra: '{"k":1}', _feature: 1 });
    expect(rows[2]).toMatchObject({ name: null, _geometry: null, _feature: 2 });
  });

  it("renames properties that clash with _geometry or differ only in case", async () => {
    const path = join(dir, "clash.geojson");
    writeFileSync(
      path,
      JSON.stringify({
        type: "FeatureCollection",
        features: [{ type: "Feature", properties: { _geometry: "x", Name: "a", name: "b" }, geometry: square(0) }],
      }),
    );
    await loadGeojson(db, "clash", path);
    expect((await db.columns("clash")).map((c) => c.name)).toEqual(["_geometry_2", "Name", "name_2", "_feature", "_geometry"]);
  });

  it("rejects invalid JSON and non-collections with a one-line UserError", async () => {
    const bad = join(dir, "bad.geojson");
    writeFileSync(bad, "{not json");
    await expect(loadGeojson(db, "bad", bad)).rejects.toThrow(UserError);
    const feature = join(dir, "feature.geojson");
    writeFileSync(feature, JSON.stringify({ type: "Feature", properties: {}, geometry: square(0) }));
    await expect(loadGeojson(db, "f", feature, { where: 's.yaml: source "f"' })).rejects.toThrow(
      /^s\.yaml: source "f": cannot load the file: expected a GeoJSON FeatureCollection, found type "Feature"$/,
    );
  });
});
