type Ring = number[][];

function planarArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, n = ring.length, j = n - 1; i < n; j = i++) a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return a / 2;
}

function orient(rings: Ring[]): Ring[] {
  // d3-geo (and so Vega's geoshape) wants exterior rings clockwise and holes counter-clockwise, the opposite of
  // RFC 7946; a ring the "wrong" way round is drawn as the whole globe minus the polygon.
  return rings.map((ring, i) => {
    const clockwise = planarArea(ring) < 0;
    return (i === 0) === clockwise ? ring : [...ring].reverse();
  });
}

/** A copy of a GeoJSON geometry with rings wound the way d3-geo expects, whatever the file's convention. */
export function rewindGeometry(geometry: unknown): unknown {
  const g = geometry as { type?: string; coordinates?: unknown; geometries?: unknown[] } | null;
  if (!g || typeof g !== "object") return geometry;
  switch (g.type) {
    case "Polygon":
      return { ...g, coordinates: orient(g.coordinates as Ring[]) };
    case "MultiPolygon":
      return { ...g, coordinates: (g.coordinates as Ring[][]).map(orient) };
    case "GeometryCollection":
      return { ...g, geometries: (g.geometries ?? []).map(rewindGeometry) };
    default:
      return geometry;
  }
}
