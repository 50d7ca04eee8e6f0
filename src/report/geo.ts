import type { Feature, FeatureCollection, Geometry } from "./types.js";

type Ring = number[][];

/** Twice the signed planar area of a lon/lat ring (positive = counter-clockwise). */
function signedArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) a += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  return a;
}

function fixRing(ring: Ring, exterior: boolean, digits: number): Ring {
  const f = 10 ** digits;
  const out: Ring = [];
  for (const p of ring) {
    const q = [Math.round(p[0] * f) / f, Math.round(p[1] * f) / f];
    const last = out.at(-1);
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  const clockwise = signedArea(out) < 0;
  return clockwise === exterior ? out : out.reverse();
}

/**
 * Copies a polygon geometry with coordinates rounded to `digits` decimals and rings wound as d3-geo (and so
 * Vega's geoshape) expects: exterior rings clockwise, holes counter-clockwise. GeoJSON files written to
 * RFC 7946 wind the other way, which d3 reads as "the whole globe minus this area".
 * @param digits decimals kept (default 5, about a metre)
 */
export function rewindGeometry(geometry: Geometry, digits = 5): Geometry {
  const polygon = (rings: Ring[]) => rings.map((r, i) => fixRing(r, i === 0, digits));
  if (geometry.type === "Polygon") return { type: "Polygon", coordinates: polygon(geometry.coordinates as Ring[]) };
  return { type: "MultiPolygon", coordinates: (geometry.coordinates as Ring[][]).map(polygon) };
}

/**
 * A point to mark a polygon area by: the planar centroid of its largest exterior ring (lon, lat), rounded to 5
 * decimals; the ring's first vertex when the ring has no area.
 */
export function labelPoint(geometry: Geometry): [number, number] {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates as Ring[]] : (geometry.coordinates as Ring[][]);
  let best: Ring | undefined;
  let bestArea = -1;
  for (const rings of polygons) {
    const a = rings.length ? Math.abs(signedArea(rings[0])) : 0;
    if (a > bestArea) {
      bestArea = a;
      best = rings[0];
    }
  }
  const ring = best ?? [[0, 0]];
  const r5 = (x: number) => Math.round(x * 1e5) / 1e5;
  const a = signedArea(ring);
  if (a === 0) return [r5(ring[0][0]), r5(ring[0][1])];
  let cx = 0;
  let cy = 0;
  for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) {
    const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
    cx += (ring[j][0] + ring[i][0]) * cross;
    cy += (ring[j][1] + ring[i][1]) * cross;
  }
  return [r5(cx / (3 * a)), r5(cy / (3 * a))];
}

/**
 * Share of cluster `id` in one area's properties: `shares[id]` or `share_<id>`; undefined when absent.
 */
export function clusterShare(properties: Record<string, unknown>, id: number): number | undefined {
  const shares = properties.shares as Record<string, unknown> | undefined;
  const v = shares && typeof shares === "object" ? shares[String(id)] : properties[`share_${id}`];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Area name: `name`, else the first string property. */
export function areaName(properties: Record<string, unknown>): string {
  if (typeof properties.name === "string") return properties.name;
  for (const v of Object.values(properties)) if (typeof v === "string") return v;
  return "";
}

/** Features with a polygon geometry, rewound and rounded. */
export function polygonFeatures(fc: FeatureCollection): (Feature & { geometry: Geometry; properties: Record<string, unknown> })[] {
  return fc.features.flatMap((f) => {
    // Files from elsewhere can hold points or lines although the type names only polygons.
    const type: string | undefined = f.geometry?.type;
    if (!f.geometry || (type !== "Polygon" && type !== "MultiPolygon")) return [];
    return [{ type: "Feature" as const, properties: f.properties ?? {}, geometry: rewindGeometry(f.geometry) }];
  });
}
