import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { discloseAreas, type AreaCollection } from "../../src/disclosure/geo.js";
import { resolvePolicy } from "../../src/disclosure/policy.js";

const policy = resolvePolicy();

function area(name: string, counts: number[]): AreaCollection["features"][number] {
  const rows = counts.reduce((a, b) => a + b, 0);
  const props: Record<string, unknown> = { name, rows, dominant: counts.indexOf(Math.max(...counts)) };
  counts.forEach((n, j) => {
    props[`count_${j}`] = n;
    props[`share_${j}`] = rows ? n / rows : null;
  });
  return {
    type: "Feature",
    properties: props,
    geometry: {
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    },
  };
}

/** The published (non-null) counts of the area × cluster table, with null for hidden ones. */
function table(fc: AreaCollection, k: number): { cells: (number | null)[][]; rows: (number | null)[] } {
  return {
    cells: fc.features.map((f) => Array.from({ length: k }, (_, j) => f.properties?.[`count_${j}`] as number | null)),
    rows: fc.features.map((f) => f.properties?.rows as number | null),
  };
}

/**
 * No hidden count follows from one published total: a row or column with a published total never has exactly one
 * hidden cell (unless the area also has rows outside every cluster, an unknown remainder, as the fixture's do).
 */
function expectNoSingleHidden(fc: AreaCollection, k: number, raw: AreaCollection): void {
  const { cells, rows } = table(fc, k);
  const exact = raw.features.map((f) => {
    const p = f.properties ?? {};
    return Array.from({ length: k }, (_, j) => Number(p[`count_${j}`])).reduce((a, b) => a + b, 0) === Number(p.rows);
  });
  cells.forEach((row, i) => {
    if (rows[i] !== null && exact[i]) expect(row.filter((c) => c === null).length, `area ${i}`).not.toBe(1);
  });
  for (let j = 0; j < k; ++j) expect(cells.map((r) => r[j]).filter((c) => c === null).length, `cluster ${j}`).not.toBe(1);
  expect(rows.filter((r) => r === null).length).not.toBe(1);
}

describe("discloseAreas", () => {
  it("hides small area totals and cluster counts, with complements along areas and clusters", () => {
    const fc: AreaCollection = {
      type: "FeatureCollection",
      features: [area("A", [40, 30, 20]), area("B", [3, 25, 30]), area("C", [2, 1, 0]), area("D", [50, 45, 12])],
    };
    const out = discloseAreas(fc, 3, policy);
    const [a, b, c, d] = out.features.map((f) => f.properties ?? {});
    expect(c.rows).toBeNull();
    expect([c.count_0, c.count_1, c.count_2]).toEqual([null, null, 0]);
    expect(c.dominant).toBeNull();
    expect(c.suppressed).toEqual(expect.arrayContaining(["rows", "count_0", "count_1"]));
    expect(b.count_0).toBeNull();
    expect(b.share_0).toBeNull();
    expect(a.rows).toBe(90);
    expect(d.name).toBe("D");
    expect(out.features[0].geometry).toEqual(fc.features[0].geometry);
    expectNoSingleHidden(out, 3, fc);
    // Counts that stay are the true ones, and so are the shares left.
    for (const [i, f] of out.features.entries()) {
      for (let j = 0; j < 3; ++j) {
        const v = f.properties?.[`count_${j}`];
        if (v !== null) expect(v).toBe(fc.features[i].properties?.[`count_${j}`]);
        const s = f.properties?.[`share_${j}`];
        if (s !== null && s !== undefined) {
          expect(v).not.toBeNull();
          expect(Number(v)).toBeGreaterThanOrEqual(10);
          expect(Number(f.properties?.rows) - Number(v)).toBeGreaterThanOrEqual(10);
        }
      }
    }
  });

  it("leaves no small count and no single hidden cell in the fixture areas.geojson", () => {
    const fc = JSON.parse(readFileSync("test/fixtures/results/areas.geojson", "utf8")) as AreaCollection;
    const out = discloseAreas(fc, 4, policy);
    expect(out.features).toHaveLength(fc.features.length);
    for (const f of out.features) {
      for (const [key, v] of Object.entries(f.properties ?? {})) {
        if (key === "rows" || key.startsWith("count_")) {
          if (typeof v === "number") expect(v === 0 || v >= 10, `${key} = ${v}`).toBe(true);
        }
      }
    }
    expectNoSingleHidden(out, 4, fc);
  });
});
