import type { Cluster } from "../studies/results.js";
import { COLORS, topLevel } from "./chart-config.js";
import { formatInt, formatNumber, formatPct, isSuppressed, truncate } from "./format.js";
import type { FeatureCollection, ReportSegmentsResults, SegmentsChartOptions, VegaLiteSpec } from "./types.js";

/** Colour of cluster `id`, the same in every chart and card. */
export function clusterColor(id: number): string {
  return COLORS.categories[id % COLORS.categories.length];
}

function clusterScale(results: ReportSegmentsResults) {
  const ids = results.clusters.map((c) => `cluster ${c.id}`);
  return { domain: ids, range: results.clusters.map((c) => clusterColor(c.id)) };
}

/** Elbow and criteria panels over k, with the chosen k marked. */
function kSelectionChart(results: ReportSegmentsResults): VegaLiteSpec {
  const panels: [keyof ReportSegmentsResults["k_selection"][number], string, string][] = [
    ["inertia", "Inertia (elbow)", "lower is tighter"],
    ["silhouette", "Silhouette", "higher is better"],
    ["calinski_harabasz", "Calinski-Harabasz", "higher is better"],
    ["davies_bouldin", "Davies-Bouldin", "lower is better"],
  ];
  const values = results.k_selection.map((r) => ({ ...r, chosen: r.k === results.k }));
  return topLevel(
    { text: "Choosing the number of clusters", subtitle: `Chosen k = ${results.k}: ${results.k_rule}` },
    {
      data: { values },
      hconcat: panels.map(([field, title, hint]) => ({
        title: { text: title, subtitle: hint, fontSize: 12 },
        width: 170,
        height: 150,
        layer: [
          { mark: { type: "line", color: COLORS.bar, point: { filled: true, size: 30 } }, encoding: { x: { field: "k", type: "ordinal", axis: { labelAngle: 0 } }, y: { field, type: "quantitative", title: null, scale: { zero: false } } } },
          { transform: [{ filter: "datum.chosen" }], mark: { type: "point", shape: "circle", size: 180, stroke: COLORS.up, strokeWidth: 2.5, filled: false }, encoding: { x: { field: "k", type: "ordinal" }, y: { field, type: "quantitative" } } },
        ],
      })),
    },
  );
}

function sizesChart(results: ReportSegmentsResults, minCell: number): VegaLiteSpec {
  const values = results.clusters.map((c) => ({
    cluster: `cluster ${c.id}`,
    size: isSuppressed(c.size, minCell) ? null : c.size,
    text: `${isSuppressed(c.size, minCell) ? `<${minCell}` : formatInt(c.size)} (${formatPct(c.share)})`,
    label: truncate(c.label, 60),
  }));
  const y = { field: "cluster", type: "nominal", title: null, sort: values.map((v) => v.cluster) };
  return topLevel(
    { text: "Cluster sizes", subtitle: `${formatInt(results.data.rows)} rows in ${results.k} clusters` },
    {
      data: { values },
      width: 420,
      height: { step: 24 },
      layer: [
        { mark: { type: "bar" }, encoding: { y, x: { field: "size", type: "quantitative", title: "rows" }, color: { field: "cluster", type: "nominal", scale: clusterScale(results), legend: null }, tooltip: [{ field: "cluster" }, { field: "text", title: "size" }, { field: "label" }] } },
        { mark: { type: "text", align: "left", dx: 4, fontSize: 11 }, encoding: { y, x: { field: "size", type: "quantitative" }, text: { field: "text" } } },
      ],
    },
  );
}

function pcaChart(results: ReportSegmentsResults): VegaLiteSpec | null {
  const pts = results.pca_sample;
  if (!pts?.length) return null;
  const values = pts.map((p) => ({ pc1: p.pc1, pc2: p.pc2, cluster: `cluster ${p.cluster}` }));
  const ratio = results.pca?.explained_variance_ratio;
  const axis = (i: number) => (ratio && ratio[i] !== undefined ? `PC${i + 1} (${formatPct(ratio[i])} of variance)` : `PC${i + 1}`);
  return topLevel(
    { text: "Clusters on the first two principal components", subtitle: `A seeded sample of ${formatInt(values.length)} rows; points overlap where many rows share a profile` },
    {
      data: { values },
      width: 420,
      height: 320,
      mark: { type: "circle", size: 14, opacity: 0.45 },
      encoding: {
        x: { field: "pc1", type: "quantitative", title: axis(0), scale: { zero: false } },
        y: { field: "pc2", type: "quantitative", title: axis(1), scale: { zero: false } },
        color: { field: "cluster", type: "nominal", scale: clusterScale(results), legend: { orient: "right", title: null } },
      },
    },
  );
}

/** Features shown in the profile heatmap: the union of each cluster's most distinguishing ones (at most 24). */
export function heatmapFeatures(clusters: Cluster[], perCluster = 6): string[] {
  const out: string[] = [];
  for (let r = 0; r < perCluster; ++r) for (const c of clusters) {
    const f = c.profile[r]?.feature;
    if (f && !out.includes(f) && out.length < 24) out.push(f);
  }
  return out;
}

function profileChart(results: ReportSegmentsResults): VegaLiteSpec {
  const features = heatmapFeatures(results.clusters);
  const values = results.clusters.flatMap((c) =>
    features.map((f) => {
      const p = c.profile.find((x) => x.feature === f)!;
      const isShare = f.includes("=");
      const lift = Number.isFinite(p.lift) && p.lift > 0 ? p.lift : p.cluster_mean > 0 ? 8 : 0.125;
      return {
        cluster: `cluster ${c.id}`,
        feature: truncate(f.replace("=", " = "), 44),
        full: f,
        log2lift: Math.max(-3, Math.min(3, Math.log2(lift))),
        text: isShare ? formatPct(p.cluster_mean, 0) : formatNumber(p.cluster_mean, 1),
        detail: isShare ? `${formatPct(p.cluster_mean)} vs ${formatPct(p.overall_mean)} overall` : `${formatNumber(p.cluster_mean, 2)} vs ${formatNumber(p.overall_mean, 2)} overall`,
      };
    }),
  );
  const x = { field: "cluster", type: "nominal", title: null, axis: { orient: "top", labelAngle: 0 } };
  const y = { field: "feature", type: "nominal", title: null, sort: features.map((f) => truncate(f.replace("=", " = "), 44)), axis: { labelLimit: 300 } };
  return topLevel(
    { text: "What sets each cluster apart", subtitle: "Cell: share (or mean) in the cluster; colour: lift over everyone (red above, blue below)" },
    {
      data: { values },
      width: { step: 78 },
      height: { step: 20 },
      layer: [
        {
          mark: { type: "rect", stroke: "white" },
          encoding: {
            x, y,
            color: { field: "log2lift", type: "quantitative", title: "lift", scale: { scheme: "redblue", reverse: true, domain: [-3, 3] }, legend: { labelExpr: "format(pow(2, datum.value), '.2~f') + '×'", values: [-3, -2, -1, 0, 1, 2, 3], orient: "bottom", direction: "horizontal", gradientLength: 200 } },
            tooltip: [{ field: "cluster" }, { field: "full", title: "feature" }, { field: "detail", title: "cluster vs overall" }],
          },
        },
        { mark: { type: "text", fontSize: 10 }, encoding: { x, y, text: { field: "text" }, color: { condition: { test: "abs(datum.log2lift) > 2", value: "white" }, value: "#222" } } },
      ],
    },
  );
}

function distributionChart(results: ReportSegmentsResults, minCell: number): VegaLiteSpec | null {
  const withDist = results.clusters.filter((c) => c.distribution);
  if (!withDist.length) return null;
  const column = withDist[0].distribution!.column;
  const values = withDist.flatMap((c) => {
    const total = c.distribution!.histogram.reduce((a, h) => a + h.count, 0);
    return c.distribution!.histogram.map((h, i) => ({
      cluster: `cluster ${c.id}`,
      bin: h.bin,
      order: i,
      share: isSuppressed(h.count, minCell) || !total ? null : h.count / total,
      count: isSuppressed(h.count, minCell) ? `<${minCell}` : formatInt(h.count),
    }));
  });
  const bins = [...new Set(values.map((v) => v.bin))];
  return topLevel(
    { text: `${column} by cluster`, subtitle: `Share of each cluster's rows in each ${column} band; bands with fewer than ${minCell} rows are left out` },
    {
      data: { values },
      facet: { column: { field: "cluster", type: "nominal", title: null, header: { labelFontWeight: "bold" } } },
      spec: {
        width: 150,
        height: 120,
        mark: { type: "bar" },
        encoding: {
          x: { field: "bin", type: "ordinal", sort: bins, title: column, axis: { labelAngle: -45, labelFontSize: 9 } },
          y: { field: "share", type: "quantitative", title: "share of cluster", axis: { format: ".0%" } },
          color: { field: "cluster", type: "nominal", scale: clusterScale(results), legend: null },
          tooltip: [{ field: "cluster" }, { field: "bin" }, { field: "count", title: "rows" }, { field: "share", format: ".1%" }],
        },
      },
    },
  );
}

/** Signed planar area of a ring (lon/lat): positive when counter-clockwise. */
function ringArea(ring: number[][]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return a / 2;
}

/**
 * Rings wound the way d3-geo (inside Vega) expects: exterior clockwise, holes counter-clockwise. GeoJSON files
 * often wind the other way (RFC 7946), which d3 reads as "everything except this polygon".
 */
export function rewindForD3<T extends { geometry: { type: string; coordinates: unknown } | null }>(feature: T): T {
  const g = feature.geometry;
  if (!g) return feature;
  const fixPolygon = (rings: number[][][]) => rings.map((r, i) => ((i === 0 ? ringArea(r) < 0 : ringArea(r) > 0) ? r : [...r].reverse()));
  const coordinates = g.type === "Polygon" ? fixPolygon(g.coordinates as number[][][]) : g.type === "MultiPolygon" ? (g.coordinates as number[][][][]).map(fixPolygon) : g.coordinates;
  return { ...feature, geometry: { ...g, coordinates } };
}

function mapChart(results: ReportSegmentsResults, areas: FeatureCollection, minCell: number): VegaLiteSpec {
  const values = areas.features.filter((f) => f.geometry).map((f) => {
    const p = f.properties ?? {};
    const rows = Number(p.rows ?? 0);
    const dominant = p.dominant == null || isSuppressed(rows, minCell) ? "too few rows" : `cluster ${p.dominant}`;
    const share = p.dominant == null ? null : Number(p[`share_${p.dominant}`]);
    return rewindForD3({ type: "Feature", geometry: f.geometry, properties: { name: String(p.name ?? ""), rows: isSuppressed(rows, minCell) ? `<${minCell}` : formatInt(rows), dominant, share: share == null || isSuppressed(rows, minCell) ? "" : formatPct(share) } });
  });
  const scale = clusterScale(results);
  return topLevel(
    { text: "Most common cluster by area", subtitle: `Areas with fewer than ${minCell} rows are grey` },
    {
      data: { values },
      width: 440,
      height: 440,
      projection: { type: "mercator" },
      mark: { type: "geoshape", stroke: "white", strokeWidth: 0.4 },
      encoding: {
        color: { field: "properties.dominant", type: "nominal", title: null, scale: { domain: [...scale.domain, "too few rows"], range: [...scale.range, "#e3e3e3"] }, legend: { orient: "right" } },
        tooltip: [{ field: "properties.name", title: "area" }, { field: "properties.rows", title: "rows" }, { field: "properties.dominant", title: "most common" }, { field: "properties.share", title: "its share" }],
      },
    },
  );
}

/**
 * Chart specs for a segments study, keyed by name: `k_selection`, `sizes`, `pca` (when a sample is present),
 * `profile`, `distribution` (when the study summarizes a numeric column), `map` (when areas are given).
 * @param results segments results (results.json)
 * @param options.minCell suppression threshold; options.areas the run's areas GeoJSON
 */
export function segmentsCharts(results: ReportSegmentsResults, options: SegmentsChartOptions): Record<string, VegaLiteSpec> {
  const { minCell } = options;
  const charts: Record<string, VegaLiteSpec> = { k_selection: kSelectionChart(results), sizes: sizesChart(results, minCell) };
  const pca = pcaChart(results);
  if (pca) charts.pca = pca;
  charts.profile = profileChart(results);
  const dist = distributionChart(results, minCell);
  if (dist) charts.distribution = dist;
  if (options.areas?.features.length) charts.map = mapChart(results, options.areas, minCell);
  return charts;
}
