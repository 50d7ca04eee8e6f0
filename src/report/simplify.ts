import type { Geometry } from "./types.js";

type Point = number[];
type Ring = Point[];

/** Options of {@link simplifyGeometries}. */
export interface SimplifyOptions {
  /**
   * Largest distance a dropped vertex may lie from the simplified line, as a fraction of the larger side of the
   * geometries' bounding box (default 1/1500: under a third of a pixel on a 460-pixel map).
   */
  tolerance?: number;
}

const key = (p: Point): string => `${p[0]},${p[1]}`;

/** Squared distance of point (px, py) from the segment (ax, ay)-(bx, by). */
function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = px - (ax + t * dx);
  const ey = py - (ay + t * dy);
  return ex * ex + ey * ey;
}

/**
 * Douglas–Peucker simplification of an open polyline (Douglas D., Peucker T., "Algorithms for the reduction of the
 * number of points required to represent a digitized line or its caricature", The Canadian Cartographer 10(2),
 * 1973). Both ends are kept; an explicit stack replaces the recursion. `kx` scales x (longitude) so that distances
 * are measured on the ground.
 */
function douglasPeucker(line: Point[], tol2: number, kx: number): Point[] {
  const n = line.length;
  if (n <= 2) return line;
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const stack: number[] = [0, n - 1];
  while (stack.length) {
    const last = stack.pop() as number;
    const first = stack.pop() as number;
    const ax = line[first][0] * kx;
    const ay = line[first][1];
    const bx = line[last][0] * kx;
    const by = line[last][1];
    let worst = -1;
    let worstD = tol2;
    for (let i = first + 1; i < last; ++i) {
      const d = segmentDistance2(line[i][0] * kx, line[i][1], ax, ay, bx, by);
      if (d > worstD) [worst, worstD] = [i, d];
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push(first, worst, worst, last);
    }
  }
  return line.filter((_, i) => keep[i] === 1);
}

/** The rings of a polygon or multipolygon, each closed (first point repeated last). */
function ringsOf(g: Geometry): Ring[] {
  const polygons = g.type === "Polygon" ? [g.coordinates as Ring[]] : (g.coordinates as Ring[][]);
  return polygons.flat();
}

/**
 * Simplifies polygon geometries that share borders (neighbourhoods, districts) so that neighbours stay glued:
 * rings are cut into arcs at junctions (vertices where the set of rings through them changes, as TopoJSON's
 * arcs are), and every arc is simplified once, in one canonical direction, so the two rings along a border get the
 * same simplified line. Rings that would collapse below a triangle keep all their vertices.
 * Coordinates must already be rounded (see `rewindGeometry`) so that shared vertices compare equal.
 * @param geometries Polygon or MultiPolygon geometries in lon/lat
 * @param options.tolerance see {@link SimplifyOptions}
 * @returns geometries of the same types and ring counts, in the same order
 */
export function simplifyGeometries(geometries: Geometry[], options: SimplifyOptions = {}): Geometry[] {
  const rings = geometries.flatMap(ringsOf);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const r of rings)
    for (const [x, y] of r) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  if (!rings.length) return geometries;
  // Longitude degrees shrink with latitude; measuring in scaled x keeps the tolerance even in both directions.
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const tol = Math.max((maxX - minX) * kx, maxY - minY) * (options.tolerance ?? 1 / 1500);
  const tol2 = tol * tol;

  // Which rings pass through each vertex, as a sorted id list.
  const through = new Map<string, number[]>();
  rings.forEach((r, id) => {
    for (let i = 0; i < r.length - 1; ++i) {
      const k = key(r[i]);
      const list = through.get(k);
      if (!list) through.set(k, [id]);
      else if (list.at(-1) !== id) list.push(id);
    }
  });
  const sig = (p: Point): string => (through.get(key(p)) ?? []).join(" ");
  const junctions = new Set<string>();
  for (const r of rings) {
    const m = r.length - 1;
    for (let i = 0; i < m; ++i) {
      const s = sig(r[i]);
      if (s !== sig(r[(i + m - 1) % m]) || s !== sig(r[(i + 1) % m])) junctions.add(key(r[i]));
    }
  }

  const arcs = new Map<string, Point[]>();
  const simplifyArc = (arc: Point[]): Point[] => {
    const a = key(arc[0]);
    const b = key(arc[arc.length - 1]);
    const forward = a < b || (a === b && key(arc[1]) <= key(arc[arc.length - 2]));
    const canonical = forward ? arc : [...arc].reverse();
    const id = canonical.map(key).join(";");
    let out = arcs.get(id);
    if (!out) {
      out = douglasPeucker(canonical, tol2, kx);
      arcs.set(id, out);
    }
    return forward ? out : [...out].reverse();
  };

  const simplifyRing = (r: Ring): Ring => {
    const m = r.length - 1;
    if (m < 4) return r;
    const cuts: number[] = [];
    for (let i = 0; i < m; ++i) if (junctions.has(key(r[i]))) cuts.push(i);
    if (cuts.length < 2) {
      // An island or a ring all along one neighbour: cut at its smallest vertex and the vertex farthest from it,
      // both chosen from the point set alone, so a ring and its twin (a hole and the island in it) cut alike.
      let lo = 0;
      for (let i = 1; i < m; ++i) if (key(r[i]) < key(r[lo])) lo = i;
      let far = lo;
      let farD = -1;
      for (let i = 0; i < m; ++i) {
        const d = ((r[i][0] - r[lo][0]) * kx) ** 2 + (r[i][1] - r[lo][1]) ** 2;
        if (d > farD || (d === farD && key(r[i]) < key(r[far]))) [far, farD] = [i, d];
      }
      cuts.length = 0;
      cuts.push(...[lo, far].filter((v, i, a) => a.indexOf(v) === i).sort((x, y) => x - y));
      if (cuts.length < 2) return r;
    }
    const out: Ring = [];
    for (let c = 0; c < cuts.length; ++c) {
      const from = cuts[c];
      const to = c + 1 < cuts.length ? cuts[c + 1] : cuts[0] + m;
      const arc: Point[] = [];
      for (let i = from; i <= to; ++i) arc.push(r[i % m]);
      const s = simplifyArc(arc);
      for (let i = 0; i < s.length - 1; ++i) out.push(s[i]);
    }
    out.push(out[0]);
    return out.length >= 4 ? out : r;
  };

  return geometries.map((g) =>
    g.type === "Polygon"
      ? { type: "Polygon", coordinates: (g.coordinates as Ring[]).map(simplifyRing) }
      : { type: "MultiPolygon", coordinates: (g.coordinates as Ring[][]).map((p) => p.map(simplifyRing)) },
  );
}
