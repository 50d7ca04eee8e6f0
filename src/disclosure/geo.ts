import { suppressTwoWay } from "./cells.js";
import { shareAllowed, type DisclosurePolicy } from "./policy.js";

/** A GeoJSON feature as the area files hold it (geometry is passed through untouched). */
export interface AreaFeature {
  type: "Feature";
  properties: Record<string, unknown> | null;
  geometry: unknown;
}

/** An area GeoJSON FeatureCollection. */
export interface AreaCollection {
  type: "FeatureCollection";
  features: AreaFeature[];
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * The areas.geojson of a segments run with its counts disclosed: each feature's `rows` (records in the area),
 * `count_<j>` (records of cluster j) and `share_<j>` pass through primary suppression and complementary
 * suppression along areas, along clusters and along both margins (the area × cluster table with its totals), so
 * no hidden count follows from a published total. A hidden count is `null` and named in the feature's
 * `suppressed` list; a share is null when its count, or the area's other records, are below min_cell; `dominant`
 * is null when the area's total is hidden. Other properties and the geometry are kept.
 * @param collection features with raw `rows`, `count_<j>`, `share_<j>` and `dominant` properties
 * @param k number of clusters (j = 0..k-1)
 */
export function discloseAreas(collection: AreaCollection, k: number, policy: Pick<DisclosurePolicy, "min_cell">): AreaCollection {
  const X = collection.features.map((f) => Array.from({ length: k }, (_, j) => num(f.properties?.[`count_${j}`])));
  const rowTotals = collection.features.map((f, i) =>
    Math.max(
      num(f.properties?.rows),
      X[i].reduce((a, b) => a + b, 0),
    ),
  );
  const hide = suppressTwoWay(X, policy, { rowTotals });
  const features = collection.features.map((f, i): AreaFeature => {
    const props: Record<string, unknown> = { ...(f.properties ?? {}) };
    const suppressed: string[] = [];
    const total = rowTotals[i];
    const totalHidden = hide.rows[i];
    if (totalHidden) {
      props.rows = null;
      suppressed.push("rows");
    }
    for (let j = 0; j < k; ++j) {
      const n = X[i][j];
      if (hide.cells[i][j]) {
        props[`count_${j}`] = null;
        suppressed.push(`count_${j}`);
      }
      const shareOk = !hide.cells[i][j] && !totalHidden && shareAllowed(n, total, policy);
      if (`share_${j}` in props && !shareOk) {
        if (props[`share_${j}`] !== null) suppressed.push(`share_${j}`);
        props[`share_${j}`] = null;
      }
    }
    if (totalHidden && "dominant" in props) props.dominant = null;
    if (suppressed.length) props.suppressed = suppressed;
    return { type: "Feature", properties: props, geometry: f.geometry };
  });
  return { type: "FeatureCollection", features };
}
