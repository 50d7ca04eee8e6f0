import { describe, expect, it } from "vitest";
import { rewindGeometry } from "../../src/report/geo.js";
import { simplifyGeometries } from "../../src/report/simplify.js";
import type { Geometry } from "../../src/report/types.js";

type Point = number[];

/** A wiggly edge from a to b with `n` inner points (deterministic), as a border digitised at a fine step. */
function edge(a: Point, b: Point, n: number, phase: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i <= n + 1; ++i) {
    const t = i / (n + 1);
    const wiggle = i === 0 || i === n + 1 ? 0 : 0.002 * Math.sin(t * Math.PI * 3 + phase) + 0.00005 * Math.sin(i * 7.3);
    const nx = -(b[1] - a[1]);
    const ny = b[0] - a[0];
    out.push([a[0] + t * (b[0] - a[0]) + wiggle * nx * 10, a[1] + t * (b[1] - a[1]) + wiggle * ny * 10]);
  }
  return out;
}

/** An m×m grid of cells near Baltimore whose shared borders are the same points in both neighbours. */
function grid(m: number, n: number): Geometry[] {
  const p = (i: number, j: number): Point => [-76.7 + i * 0.02, 39.2 + j * 0.02];
  const edges = new Map<string, Point[]>();
  const side = (a: [number, number], b: [number, number]): Point[] => {
    const k = `${a.join()}-${b.join()}`;
    const rk = `${b.join()}-${a.join()}`;
    const known = edges.get(rk);
    if (known) return [...known].reverse();
    const e = edge(p(...a), p(...b), n, a[0] * 3 + a[1] * 5 + b[0]);
    edges.set(k, e);
    return e;
  };
  const cells: Geometry[] = [];
  for (let i = 0; i < m; ++i)
    for (let j = 0; j < m; ++j) {
      const corners: [number, number][] = [
        [i, j],
        [i + 1, j],
        [i + 1, j + 1],
        [i, j + 1],
      ];
      const ring: Point[] = [];
      for (let c = 0; c < 4; ++c) ring.push(...side(corners[c], corners[(c + 1) % 4]).slice(0, -1));
      ring.push(ring[0]);
      cells.push(rewindGeometry({ type: "Polygon", coordinates: [ring] }));
    }
  return cells;
}

const rings = (g: Geometry): Point[][] => (g.type === "Polygon" ? (g.coordinates as Point[][]) : (g.coordinates as Point[][][]).flat());
const key = (p: Point): string => `${p[0]},${p[1]}`;

describe("simplifyGeometries(geometries, { tolerance })", () => {
  const before = grid(3, 400);
  const after = simplifyGeometries(before);

  it("drops most vertices of finely digitised borders and keeps only original vertices, rings closed", () => {
    const count = (gs: Geometry[]) => gs.flatMap(rings).reduce((s, r) => s + r.length, 0);
    expect(count(after)).toBeLessThan(count(before) / 5);
    const original = new Set(before.flatMap(rings).flat().map(key));
    for (const r of after.flatMap(rings)) {
      expect(r.length).toBeGreaterThanOrEqual(4);
      expect(key(r[0])).toBe(key(r[r.length - 1]));
      for (const q of r) expect(original.has(key(q))).toBe(true);
    }
  });

  it("keeps neighbours glued: each simplified edge is in every cell that owns both its ends, and every corner stays", () => {
    const owners = new Map<string, Set<number>>();
    before.forEach((g, c) => {
      for (const r of rings(g)) for (const q of r) owners.set(key(q), (owners.get(key(q)) ?? new Set()).add(c));
    });
    const edgeCells = new Map<string, Set<number>>();
    after.forEach((g, c) => {
      for (const r of rings(g))
        for (let i = 0; i + 1 < r.length; ++i) {
          const e = [key(r[i]), key(r[i + 1])].sort().join("|");
          edgeCells.set(e, (edgeCells.get(e) ?? new Set()).add(c));
        }
    });
    let shared = 0;
    for (const [e, cells] of edgeCells) {
      const [a, b] = e.split("|").map((k) => owners.get(k) ?? new Set<number>());
      const both = [...a].filter((c) => b.has(c));
      // A border edge drawn by one neighbour only would leave a gap or a sliver.
      expect(cells.size, e).toBe(both.length);
      if (both.length === 2) shared++;
    }
    expect(shared).toBeGreaterThanOrEqual(12);
    const kept = new Set(after.flatMap(rings).flat().map(key));
    const corners = [...owners].filter(([, cells]) => cells.size >= 3).map(([k]) => k);
    expect(corners.length).toBeGreaterThanOrEqual(4);
    for (const k of corners) expect(kept.has(k), k).toBe(true);
  });

  it("leaves a ring that would collapse, and a geometry list without polygons, as they are", () => {
    const triangle: Geometry = {
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [0, 1],
          [0, 0],
        ],
      ],
    };
    expect(simplifyGeometries([triangle])).toEqual([triangle]);
    expect(simplifyGeometries([])).toEqual([]);
  });
});
