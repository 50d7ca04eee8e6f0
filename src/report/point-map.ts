import { topLevel } from "./chart-config.js";
import { chart } from "./chart-html.js";
import { escapeHtml as e, formatInt } from "./format.js";
import { polygonFeatures, rewindGeometry } from "./geo.js";
import { simplifyGeometries } from "./simplify.js";
import type { FeatureCollection, Geometry, ReportPointMap, VegaLiteSpec } from "./types.js";

/** Name of the point map's chart (`data-chart`). */
export const POINT_MAP_CHART = "point_map";

/** Outlines behind the squares are simplified harder than the area maps: they only place the squares. */
const OUTLINE_TOLERANCE = 1 / 400;

const r5 = (x: number): number => Math.round(x * 1e5) / 1e5;

/** The square (gy, gx) of the grid as a polygon, wound as Vega's geoshape expects. */
function square(map: Pick<ReportPointMap, "dLat" | "dLon">, gy: number, gx: number): Geometry {
  const [s, n] = [r5(gy * map.dLat), r5((gy + 1) * map.dLat)];
  const [w, east] = [r5(gx * map.dLon), r5((gx + 1) * map.dLon)];
  return rewindGeometry({
    type: "Polygon",
    coordinates: [
      [
        [w, s],
        [east, s],
        [east, n],
        [w, n],
        [w, s],
      ],
    ],
  });
}

/**
 * The outer edge of the areas (the city's outline, and any holes), as one MultiLineString: the edges of the simplified
 * rings that belong to one ring only (borders between two areas are left out: they are simplified alike on both
 * sides, so they match). Undefined without areas.
 */
function outline(areas: FeatureCollection | undefined): { type: "MultiLineString"; coordinates: number[][][] } | undefined {
  const polygons = areas ? polygonFeatures(areas).map((f) => f.geometry) : [];
  if (!polygons.length) return undefined;
  const simple = simplifyGeometries(polygons, { tolerance: OUTLINE_TOLERANCE });
  const rings = simple.flatMap((g) => (g.type === "Polygon" ? (g.coordinates as number[][][]) : (g.coordinates as number[][][][]).flat()));
  const key = (a: number[], b: number[]) => {
    const [p, q] = [`${a[0]},${a[1]}`, `${b[0]},${b[1]}`];
    return p < q ? `${p};${q}` : `${q};${p}`;
  };
  const uses = new Map<string, number>();
  for (const ring of rings)
    for (let i = 1; i < ring.length; ++i) uses.set(key(ring[i - 1], ring[i]), (uses.get(key(ring[i - 1], ring[i])) ?? 0) + 1);
  // Runs of consecutive outer edges become one line each.
  const lines: number[][][] = [];
  for (const ring of rings) {
    let line: number[][] = [];
    for (let i = 1; i < ring.length; ++i) {
      if (uses.get(key(ring[i - 1], ring[i])) === 1) {
        if (!line.length) line.push(ring[i - 1]);
        line.push(ring[i]);
      } else if (line.length) {
        lines.push(line);
        line = [];
      }
    }
    if (line.length) lines.push(line);
  }
  return lines.length ? { type: "MultiLineString", coordinates: lines } : undefined;
}

/** Width and height of the map: 480 px wide (at most), the height following the squares' extent (260–520 px). */
function size(map: ReportPointMap): { width: number; height: number } {
  const lats = map.cells.map((c) => c.lat);
  const lons = map.cells.map((c) => c.lon);
  const spanLat = Math.max(...lats) - Math.min(...lats) + map.dLat;
  const spanLon = Math.max(...lons) - Math.min(...lons) + map.dLon;
  // dLat and dLon are the same length on the ground, so the extent in squares gives the aspect.
  const aspect = spanLat / map.dLat / (spanLon / map.dLon);
  const width = 480;
  return { width, height: Math.round(Math.min(520, Math.max(260, width * aspect))) };
}

/**
 * The gridded point map as a Vega-Lite spec: one square per published cell, coloured by its published count on a
 * sequential scale that starts at the smallest count drawn; the areas' outlines (when the run has areas) in grey
 * behind them. Every count it holds is a published one: hidden squares are not in `map.cells`.
 */
export function pointMapSpec(map: ReportPointMap, areas?: FeatureCollection): VegaLiteSpec | undefined {
  if (!map.cells.length) return undefined;
  const counts = map.cells.map((c) => c.count);
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  const squares = map.cells.map((c) => ({
    type: "Feature",
    geometry: square(map, c.gy, c.gx),
    properties: {
      count: c.count,
      lat: c.lat,
      lon: c.lon,
      label: `records: ${formatInt(c.count)}; latitude: ${c.lat.toFixed(5)}; longitude: ${c.lon.toFixed(5)}`,
    },
  }));
  const back = outline(areas);
  const { width, height } = size(map);
  const layer: VegaLiteSpec[] = [];
  if (back)
    layer.push({
      data: { values: [{ type: "Feature", geometry: back, properties: {} }] },
      mark: { type: "geoshape", filled: false, stroke: "#9a9a9a", strokeWidth: 0.8, aria: false },
    });
  layer.push({
    data: { values: squares },
    mark: { type: "geoshape", stroke: "#ffffff", strokeWidth: 0.4 },
    encoding: {
      color: {
        field: "properties.count",
        type: "quantitative",
        title: `records per ${formatInt(map.grid_m)} m square`,
        // A square root scale: one hot square (Philadelphia: 120 records, most squares under 40) leaves the rest readable.
        scale: { type: "sqrt", scheme: "blues", domain: [lo, Math.max(hi, lo + 1)], zero: false },
        legend: { orient: "bottom", format: ",d", gradientLength: 220, tickCount: 4 },
      },
      // The label of each square (its tooltip and its aria-label in the SVG): the published count and the centre.
      description: { field: "properties.label" },
      tooltip: [
        { field: "properties.count", title: "records", format: "," },
        { field: "properties.lat", title: "latitude", format: ".5f" },
        { field: "properties.lon", title: "longitude", format: ".5f" },
      ],
    },
  });
  return topLevel(
    { text: `Located records on a ${formatInt(map.grid_m)} m grid` },
    { width, height, projection: { type: "mercator" }, layer },
  );
}

/** The caption under the map: what a square is, how counts are published and what is hidden. */
export function pointMapCaption(map: ReportPointMap): string {
  const counts = map.perturbed ? `, counted as in the dashboard (each count perturbed by at most ±${map.bound})` : "";
  return `Each square is ${formatInt(map.grid_m)} m × ${formatInt(map.grid_m)} m, coloured by the records located in it${counts}; squares with ${map.hidden_label} records are hidden (not drawn), and records without coordinates are left out.`;
}

/** The report's point-map section; empty when the run has no point map or no square to draw. */
export async function pointMapSection(map: ReportPointMap | undefined, areas?: FeatureCollection): Promise<string> {
  if (!map) return "";
  const spec = pointMapSpec(map, areas);
  if (!spec)
    return `<h2>Where the records are</h2>
<p class="muted" data-caption="${POINT_MAP_CHART}">No ${formatInt(map.grid_m)} m square holds enough located records to be shown (squares with ${e(map.hidden_label)} records are hidden), so the point map is left out.</p>`;
  return `<h2>Where the records are</h2>
${await chart(POINT_MAP_CHART, spec)}
<p class="muted" data-caption="${POINT_MAP_CHART}">${e(pointMapCaption(map))}</p>`;
}
