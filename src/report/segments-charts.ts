import { COLORS, topLevel } from "./chart-config.js";
import { formatInt, formatNumber, formatPct, isSuppressed, truncate } from "./format.js";
import { categoryColor } from "./palette.js";
import { areaName, clusterShare, labelPoint, polygonFeatures, rewindGeometry } from "./geo.js";
import { simplifyGeometries } from "./simplify.js";
import type { Cluster, FeatureCollection, Geometry, ReportSegmentsResults, SegmentsChartOptions, VegaLiteSpec } from "./types.js";

/** Most features the profile heatmap shows (the most distinctive ones). */
export const PROFILE_FEATURES = 28;

/** Lift beyond 2^LIFT_CLAMP (or below its inverse) gets the end colour of the heatmap. */
const LIFT_CLAMP = 2;

/** Colour of the cluster at position `index` of `results.clusters`, the same in every chart and card. */
export function clusterColor(index: number): string {
  return categoryColor(index);
}

/**
 * A GeoJSON feature with its rings wound the way d3-geo (inside Vega) expects: exterior clockwise, holes
 * counter-clockwise (see {@link rewindGeometry}).
 */
export function rewindForD3<T extends { geometry: { type: string; coordinates: unknown } | null }>(feature: T): T {
  const g = feature.geometry;
  if (!g || (g.type !== "Polygon" && g.type !== "MultiPolygon")) return feature;
  return { ...feature, geometry: rewindGeometry(g as Geometry) };
}

/** "0 · label" for a cluster. */
export function clusterName(c: Pick<Cluster, "id" | "label">): string {
  return c.label ? `${c.id} · ${c.label}` : `Cluster ${c.id}`;
}

function clusterColors(results: ReportSegmentsResults) {
  const names = results.clusters.map(clusterName);
  return { domain: names, range: results.clusters.map((_, i) => clusterColor(i)) };
}

/** The criteria the k-selection chart shows, for k-means or latent class results. */
export function kSelectionMetrics(results: ReportSegmentsResults): [string, string][] {
  const stability: [string, string][] = results.k_selection.some((r) => r.stability)
    ? [["stability", "Stability (subsample ARI, higher is steadier)"]]
    : [];
  if (results.method === "lca")
    return [
      ["bic", "BIC (lower is better)"],
      ["aic", "AIC (lower is better)"],
      ["sabic", "Sample-size adjusted BIC (lower is better)"],
      ["entropy", "Entropy (1 = classes well separated)"],
      ...stability,
    ];
  return [
    ["inertia", "Inertia (elbow: look for the bend)"],
    ["silhouette", "Silhouette (higher is better)"],
    ["calinski_harabasz", "Calinski–Harabasz (higher is better)"],
    ["davies_bouldin", "Davies–Bouldin (lower is better)"],
    ...stability,
  ];
}

/** "k = 6" or "k = 6 (seeds disagree: 5, 5, 6)" from the k choice. */
export function kChoiceText(results: Pick<ReportSegmentsResults, "k" | "k_choice">): string {
  const seeds = results.k_choice.seeds;
  if (seeds.length < 2) return `k = ${results.k}`;
  const picks = seeds.map((s) => s.k).join(", ");
  return results.k_choice.unanimous
    ? `k = ${results.k} (${seeds.length} of ${seeds.length} seeds agree)`
    : `k = ${results.k} (seeds disagree: ${picks})`;
}

function kSelectionChart(results: ReportSegmentsResults): VegaLiteSpec {
  const metrics = kSelectionMetrics(results);
  const values = results.k_selection.flatMap((row) =>
    metrics.flatMap(([key, label]) => {
      const v = key === "stability" ? row.stability?.mean : (row as Record<string, unknown>)[key];
      const sdv = key === "stability" ? row.stability?.sd : undefined;
      return typeof v === "number" && Number.isFinite(v)
        ? [
            {
              k: row.k,
              metric: label,
              value: v,
              ...(typeof sdv === "number" ? { lo: v - sdv, hi: v + sdv } : {}),
              chosen: row.k === results.k,
            },
          ]
        : [];
    }),
  );
  const x = {
    field: "k",
    type: "quantitative",
    title: results.method === "lca" ? "K (number of classes)" : "k (number of clusters)",
    axis: { tickMinStep: 1, format: "d" },
    scale: { zero: false },
  };
  const y = { field: "value", type: "quantitative", title: null, scale: { zero: false } };
  return topLevel(
    {
      text: "Choosing the number of clusters",
      subtitle: `${kChoiceText(results)}; the chosen k is marked (the rule is stated below the chart)`,
    },
    {
      data: { values },
      columns: 2,
      facet: {
        field: "metric",
        type: "nominal",
        sort: metrics.map((m) => m[1]),
        title: null,
        header: { labelAnchor: "start", labelFontWeight: "normal", labelFontSize: 12 },
      },
      resolve: { scale: { y: "independent" } },
      spacing: { row: 16, column: 40 },
      spec: {
        width: 250,
        height: 150,
        layer: [
          { mark: { type: "rule", strokeDash: [4, 3], color: COLORS.rule }, encoding: { x: { datum: results.k, type: "quantitative" } } },
          {
            transform: [{ filter: "isValid(datum.lo)" }],
            mark: { type: "rule", color: COLORS.light, strokeWidth: 3 },
            encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
          },
          {
            mark: { type: "line", color: COLORS.bar, point: { color: COLORS.bar } },
            encoding: { x, y, tooltip: [{ field: "k" }, { field: "value", format: ".3f" }] },
          },
          {
            transform: [{ filter: "datum.chosen" }],
            mark: { type: "point", filled: true, size: 110, color: COLORS.up },
            encoding: { x, y },
          },
        ],
      },
    },
  );
}

/** The data's silhouette per k against the band of the reference draws (5%–95%) and their mean. */
function structureChart(results: ReportSegmentsResults): VegaLiteSpec | undefined {
  const s = results.structure;
  if (!s) return undefined;
  const values = s.null.per_k.map((r) => ({
    k: r.k,
    observed: r.observed,
    null_mean: r.null_mean,
    lo: r.null_quantiles[0],
    hi: r.null_quantiles[2],
    excess: r.excess,
    z: r.z,
  }));
  const x = {
    field: "k",
    type: "quantitative",
    title: "k (number of clusters)",
    axis: { tickMinStep: 1, format: "d" },
    scale: { zero: false },
  };
  const reference = s.null.method === "permuted" ? "shuffled data" : "uniform data";
  return topLevel(
    {
      text: `Structure against chance: ${s.verdict}`,
      subtitle: [
        `Silhouette of the data (blue) and of ${s.null.draws} draws of ${reference} without structure (grey band: 5%–95%, line: mean)`,
        `Both clustered the same way: ${s.null.clustering}`,
      ],
    },
    {
      data: { values },
      width: 460,
      height: 220,
      layer: [
        {
          mark: { type: "area", color: COLORS.light, opacity: 0.7 },
          encoding: { x, y: { field: "lo", type: "quantitative", title: "silhouette", scale: { zero: false } }, y2: { field: "hi" } },
        },
        {
          mark: { type: "line", color: COLORS.neutral, strokeDash: [4, 3] },
          encoding: { x, y: { field: "null_mean", type: "quantitative" } },
        },
        {
          mark: { type: "line", color: COLORS.bar, point: { color: COLORS.bar, size: 50 } },
          encoding: {
            x,
            y: { field: "observed", type: "quantitative" },
            tooltip: [
              { field: "k" },
              { field: "observed", title: "data", format: ".3f" },
              { field: "null_mean", title: "reference mean", format: ".3f" },
              { field: "excess", format: ".3f" },
              { field: "z", format: ".1f" },
            ],
          },
        },
        { mark: { type: "rule", strokeDash: [4, 3], color: COLORS.rule }, encoding: { x: { datum: results.k, type: "quantitative" } } },
      ],
    },
  );
}

/** Per variable, its share of the variance the clustering sees and of what separates the clusters. */
function varianceSharesChart(results: ReportSegmentsResults): VegaLiteSpec | undefined {
  const rows = results.variance_shares;
  if (!rows.length) return undefined;
  const name = (r: (typeof rows)[number]) => (r.area_level ? `${r.variable} (area)` : r.variable);
  const values = rows.flatMap((r) => [
    { variable: name(r), measure: "share of the variance", value: r.share },
    ...(r.separation === null ? [] : [{ variable: name(r), measure: "share of the separation between clusters", value: r.separation }]),
  ]);
  const y = { field: "variable", type: "nominal", title: null, sort: rows.map(name), axis: { labelLimit: 260 } };
  const measures = ["share of the variance", "share of the separation between clusters"];
  return topLevel(
    {
      text: "What the clustering weighs, and what separates the clusters",
      subtitle: `Weights: ${results.scaling}`,
    },
    {
      data: { values },
      width: 360,
      height: { step: 14 },
      encoding: { y, yOffset: { field: "measure", sort: measures } },
      layer: [
        {
          mark: { type: "bar", height: { band: 0.9 } },
          encoding: {
            x: { field: "value", type: "quantitative", title: "share", axis: { format: ".0%" }, scale: { domain: [0, 1] } },
            color: {
              field: "measure",
              type: "nominal",
              title: null,
              scale: { domain: measures, range: [COLORS.light, COLORS.bar] },
              legend: { orient: "bottom" },
            },
            tooltip: [{ field: "variable" }, { field: "measure" }, { field: "value", format: ".1%" }],
          },
        },
        {
          mark: { type: "text", align: "left", dx: 3, fontSize: 10 },
          encoding: { x: { field: "value", type: "quantitative" }, text: { field: "value", format: ".0%" } },
        },
      ],
    },
  );
}

/**
 * The clusters on the first two components from `pca_density` (what a disclosed results.json holds instead of row
 * points): one circle per grid cell and cluster at the cell's centre, its area the cell's count; hidden cells are
 * not drawn.
 */
function pcaDensityChart(results: ReportSegmentsResults): VegaLiteSpec | undefined {
  const density = results.pca_density;
  if (!density?.cells.length) return undefined;
  const byId = new Map(results.clusters.map((c) => [c.id, clusterName(c)]));
  const step1 = (density.pc1[1] - density.pc1[0]) / density.bins;
  const step2 = (density.pc2[1] - density.pc2[0]) / density.bins;
  const values = density.cells.flatMap((c) =>
    c.count === null
      ? []
      : [
          {
            pc1: density.pc1[0] + (c.i + 0.5) * step1,
            pc2: density.pc2[0] + (c.j + 0.5) * step2,
            rows: c.count,
            cluster: byId.get(c.cluster) ?? `Cluster ${c.cluster}`,
          },
        ],
  );
  if (!values.length) return undefined;
  const hidden = density.cells.length - values.length;
  const ev = results.pca?.explained_variance_ratio ?? [];
  const axisTitle = (i: number) => (i < ev.length ? `PC${i + 1} (${formatPct(ev[i])} of variance)` : `PC${i + 1}`);
  return topLevel(
    {
      text: "Clusters on the first two principal components",
      subtitle: `Rows counted on a ${density.bins} × ${density.bins} grid per cluster${hidden ? `; ${formatInt(hidden)} small cell${hidden === 1 ? "" : "s"} not drawn` : ""}; overlap here does not mean overlap in all dimensions`,
    },
    {
      data: { values },
      width: 420,
      height: 320,
      mark: { type: "circle", opacity: 0.55 },
      encoding: {
        x: { field: "pc1", type: "quantitative", title: axisTitle(0), scale: { zero: false, nice: true } },
        y: { field: "pc2", type: "quantitative", title: axisTitle(1), scale: { zero: false, nice: true } },
        size: { field: "rows", type: "quantitative", title: "rows", scale: { range: [20, 600] } },
        color: { field: "cluster", type: "nominal", title: null, scale: clusterColors(results), legend: { orient: "right" } },
      },
    },
  );
}

function pcaChart(results: ReportSegmentsResults): VegaLiteSpec | undefined {
  const sample = results.pca_sample;
  if (!sample?.length) return pcaDensityChart(results);
  const byId = new Map(results.clusters.map((c) => [c.id, clusterName(c)]));
  const values = sample.map((p) => ({ pc1: p.pc1, pc2: p.pc2, cluster: byId.get(p.cluster) ?? `Cluster ${p.cluster}` }));
  const ev = results.pca?.explained_variance_ratio ?? [];
  const axisTitle = (i: number) => (i < ev.length ? `PC${i + 1} (${formatPct(ev[i])} of variance)` : `PC${i + 1}`);
  return topLevel(
    {
      text: "Clusters on the first two principal components",
      subtitle: `A sample of ${formatInt(values.length)} rows; overlap here does not mean overlap in all dimensions`,
    },
    {
      data: { values },
      width: 420,
      height: 320,
      mark: { type: "circle", size: 14, opacity: 0.6 },
      encoding: {
        x: { field: "pc1", type: "quantitative", title: axisTitle(0), scale: { zero: false, nice: true } },
        y: { field: "pc2", type: "quantitative", title: axisTitle(1), scale: { zero: false, nice: true } },
        color: { field: "cluster", type: "nominal", title: null, scale: clusterColors(results), legend: { orient: "right" } },
      },
    },
  );
}

function wrapLines(s: string, width: number, maxLines: number): string[] {
  const words = s.split(/\s+/);
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    if (cur && (cur + " " + w).length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? cur + " " + w : w;
  }
  if (cur) lines.push(cur);
  if (lines.length > maxLines) {
    lines.length = maxLines;
    lines[maxLines - 1] = truncate(lines[maxLines - 1] + " …", width);
  }
  return lines;
}

/**
 * Features for the heatmap, at most `PROFILE_FEATURES`: each cluster's most distinguishing ones in the study's
 * order (profiles come ranked by evidence, strongest first; levels with too few rows to rank are left out),
 * grouped by cluster.
 */
export function profileFeatures(clusters: Cluster[]): string[] {
  if (!clusters.length) return [];
  const per = Math.max(1, Math.floor(PROFILE_FEATURES / clusters.length));
  const out: string[] = [];
  for (const c of clusters) {
    let taken = 0;
    for (const p of c.profile) {
      if (taken >= per || out.length >= PROFILE_FEATURES) break;
      if (p.lift === null || !(p.lift > 0) || !Number.isFinite(p.lift) || p.evidence === null || out.includes(p.feature)) continue;
      out.push(p.feature);
      ++taken;
    }
  }
  return out;
}

function profileChart(results: ReportSegmentsResults, minCell: number): VegaLiteSpec | undefined {
  const clusters = results.clusters.filter((c) => !isSuppressed(c.size, minCell));
  const features = profileFeatures(clusters);
  if (!features.length) return undefined;
  const keep = new Set(features);
  const values = clusters.flatMap((c) =>
    c.profile
      .flatMap((p) => (p.lift !== null && keep.has(p.feature) && p.lift > 0 && Number.isFinite(p.lift) ? [{ ...p, lift: p.lift }] : []))
      .map((p) => {
        const l = Math.log2(p.lift);
        return {
          cluster: wrapLines(clusterName(c), 16, 3).join("|"),
          feature: truncate(p.feature, 40),
          full: p.feature,
          log_lift: Math.max(-LIFT_CLAMP, Math.min(LIFT_CLAMP, l)),
          text: `${formatNumber(p.lift, p.lift >= 10 ? 0 : 1)}×`,
          dark: Math.abs(l) > 1.2,
          cluster_mean: p.cluster_mean,
          overall_mean: p.overall_mean,
        };
      }),
  );
  const names = clusters.map((c) => wrapLines(clusterName(c), 16, 3));
  const lines = Math.max(1, ...names.map((n) => n.length));
  // Vega stacks extra label lines downwards, into the cells of a top axis: pad them up by those lines.
  const axis = {
    orient: "top",
    labelAngle: 0,
    labelExpr: "split(datum.label, '|')",
    labelLimit: 0,
    labelFontWeight: "bold",
    labelLineHeight: 14,
    labelPadding: 4 + 14 * (lines - 1),
  };
  const x = { field: "cluster", type: "nominal", title: null, sort: names.map((n) => n.join("|")), axis };
  const y = { field: "feature", type: "nominal", title: null, sort: features.map((f) => truncate(f, 40)), axis: { labelLimit: 300 } };
  return topLevel(
    {
      text: "What sets each cluster apart",
      subtitle: "Lift = cluster mean ÷ overall mean; red: more common in the cluster, blue: less common",
    },
    {
      data: { values },
      width: { step: 120 },
      height: { step: 20 },
      layer: [
        {
          mark: { type: "rect", stroke: "white", strokeWidth: 1 },
          encoding: {
            x,
            y,
            color: {
              field: "log_lift",
              type: "quantitative",
              title: "lift",
              scale: { scheme: "redblue", reverse: true, domain: [-LIFT_CLAMP, LIFT_CLAMP], domainMid: 0 },
              legend: {
                orient: "right",
                values: [-2, -1, 0, 1, 2],
                labelExpr: "format(pow(2, datum.value), '~g') + '×'",
                gradientLength: 160,
              },
            },
            tooltip: [
              { field: "full", title: "feature" },
              { field: "text", title: "lift" },
              { field: "cluster_mean", title: "cluster mean", format: ".3~f" },
              { field: "overall_mean", title: "overall mean", format: ".3~f" },
            ],
          },
        },
        {
          mark: { type: "text", fontSize: 10 },
          encoding: { x, y, text: { field: "text" }, color: { condition: { test: "datum.dark", value: "white" }, value: "#222" } },
        },
      ],
    },
  );
}

function sizesChart(results: ReportSegmentsResults, minCell: number): VegaLiteSpec {
  const values = results.clusters.map((c) => {
    const suppressed = isSuppressed(c.size, minCell);
    return {
      cluster: clusterName(c),
      size: suppressed ? null : c.size,
      text: suppressed ? `<${minCell}` : `${formatInt(c.size)} (${formatPct(c.share, 0)})`,
    };
  });
  const y = { field: "cluster", type: "nominal", title: null, sort: values.map((v) => v.cluster), axis: { labelLimit: 320 } };
  const maxSize = Math.max(1, ...values.map((v) => v.size ?? 0));
  return topLevel(
    { text: "Cluster sizes", subtitle: `Rows per cluster (share of ${formatInt(results.data.rows)})` },
    {
      data: { values },
      width: 320,
      height: { step: 24 },
      layer: [
        {
          transform: [{ filter: "datum.size != null" }],
          mark: { type: "bar", height: { band: 0.7 } },
          encoding: {
            y,
            x: { field: "size", type: "quantitative", title: "rows", scale: { domain: [0, maxSize * 1.35] } },
            color: { field: "cluster", type: "nominal", scale: clusterColors(results), legend: null },
          },
        },
        {
          mark: { type: "text", align: "left", dx: 4 },
          encoding: { y, x: { field: "size", type: "quantitative" }, text: { field: "text" } },
        },
      ],
    },
  );
}

function distributionChart(results: ReportSegmentsResults, c: Cluster, index: number, minCell: number): VegaLiteSpec | undefined {
  const d = c.distribution;
  if (!d || !d.histogram.length) return undefined;
  const bins = d.histogram.map((h) => h.bin);
  const values = d.histogram.filter((h) => !isSuppressed(h.count, minCell)).map((h) => ({ bin: h.bin, count: h.count }));
  const color = clusterColor(index);
  return topLevel(
    {
      text: d.column,
      subtitle: `mean ${formatNumber(d.mean, 1)}, quartiles ${d.quartiles.map((q) => formatNumber(q, 0)).join(" / ")}`,
      fontSize: 12,
    } as never,
    {
      data: { values },
      width: 250,
      height: 100,
      mark: { type: "bar", color },
      encoding: {
        x: { field: "bin", type: "ordinal", sort: bins, scale: { domain: bins }, title: null, axis: { labelAngle: 0, labelFontSize: 10 } },
        y: { field: "count", type: "quantitative", title: "rows", axis: { tickCount: 3 } },
        tooltip: [{ field: "bin" }, { field: "count", format: "," }],
      },
    },
  );
}

interface AreaRow {
  type: "Feature";
  geometry: unknown;
  properties: Record<string, unknown>;
}

function areaRows(results: ReportSegmentsResults, areas: FeatureCollection, minCell: number): AreaRow[] {
  const names = new Map(results.clusters.map((c) => [c.id, clusterName(c)]));
  const features = polygonFeatures(areas);
  // Simplified once, borders kept shared, and the one dataset is reused by every map panel.
  const shapes = simplifyGeometries(features.map((f) => f.geometry));
  return features.map((f, index) => {
    const p = f.properties;
    const rows = typeof p.rows === "number" ? p.rows : undefined;
    const suppressed = rows != null && isSuppressed(rows, minCell);
    const props: Record<string, unknown> = {
      name: areaName(p),
      rows: rows == null ? "" : suppressed ? `<${minCell}` : formatInt(rows),
      suppressed,
    };
    let dominant: number | undefined;
    let best = -1;
    for (const c of results.clusters) {
      const count = p[`count_${c.id}`];
      const smallCount = typeof count === "number" && isSuppressed(count, minCell);
      const s = suppressed || smallCount ? undefined : clusterShare(p, c.id);
      props[`share_${c.id}`] = s ?? null;
      if (s != null && s > best) {
        best = s;
        dominant = c.id;
      }
    }
    props.dominant = dominant == null ? null : names.get(dominant);
    props.dominant_share = dominant == null ? null : best;
    props.missing = dominant == null;
    // Areas where the most common cluster is under half of the rows get a ring at their centre.
    props.no_majority = dominant != null && best < 0.5;
    [props.lon, props.lat] = labelPoint(shapes[index]);
    return { type: "Feature", geometry: shapes[index], properties: props };
  });
}

const PROJECTION = { type: "mercator" };

function dominantMap(results: ReportSegmentsResults, rows: AreaRow[]): VegaLiteSpec {
  return topLevel(
    {
      text: "Dominant cluster by area",
      subtitle: "Colour: the most common cluster; ○: it holds under half of the area's rows; grey: suppressed or no data",
    },
    {
      datasets: { areas: rows },
      data: { name: "areas" },
      width: 460,
      height: 380,
      projection: PROJECTION,
      layer: [
        {
          // Grey only where the colour layer draws nothing: each area is drawn once.
          transform: [{ filter: "datum.properties.missing" }],
          mark: { type: "geoshape", fill: "#e4e4e4", stroke: "white", strokeWidth: 0.7 },
          encoding: {
            tooltip: [
              { field: "properties.name", title: "area" },
              { field: "properties.rows", title: "rows" },
            ],
          },
        },
        {
          transform: [{ filter: "!datum.properties.missing" }],
          mark: { type: "geoshape", stroke: "white", strokeWidth: 0.7 },
          encoding: {
            color: {
              field: "properties.dominant",
              type: "nominal",
              title: null,
              scale: clusterColors(results),
              legend: { orient: "bottom", columns: 2 },
            },
            tooltip: [
              { field: "properties.name", title: "area" },
              { field: "properties.dominant", title: "dominant cluster" },
              { field: "properties.dominant_share", title: "its share", format: ".0%" },
              { field: "properties.rows", title: "rows" },
            ],
          },
        },
        {
          // A lighter colour would read as another cluster (the palette has pale members), so a weak majority is
          // marked with a ring, not by fading the fill.
          transform: [{ filter: "datum.properties.no_majority" }],
          mark: { type: "point", shape: "circle", filled: false, stroke: "#222", strokeWidth: 1.2, size: 22 },
          encoding: {
            longitude: { field: "properties.lon", type: "quantitative" },
            latitude: { field: "properties.lat", type: "quantitative" },
            tooltip: [
              { field: "properties.name", title: "area" },
              { field: "properties.dominant", title: "most common cluster" },
              { field: "properties.dominant_share", title: "its share", format: ".0%" },
            ],
          },
        },
      ],
    },
  );
}

function sharesMap(results: ReportSegmentsResults, rows: AreaRow[], minCell: number): VegaLiteSpec {
  let max = 0;
  for (const r of rows) for (const c of results.clusters) max = Math.max(max, (r.properties[`share_${c.id}`] as number | null) ?? 0);
  const clusters = results.clusters.filter((c) => !isSuppressed(c.size, minCell));
  return topLevel(
    {
      text: "Where each cluster lives",
      subtitle: "Share of each area's rows in the cluster; same colour scale in every panel; grey: suppressed or no data",
    },
    {
      datasets: { areas: rows },
      columns: 2,
      spacing: 24,
      concat: clusters.map((c) => ({
        title: { text: truncate(clusterName(c), 44), fontSize: 12 },
        data: { name: "areas" },
        width: 300,
        height: 240,
        projection: PROJECTION,
        layer: [
          {
            transform: [{ filter: `datum.properties.share_${c.id} == null` }],
            mark: { type: "geoshape", fill: "#e4e4e4", stroke: "white", strokeWidth: 0.5 },
          },
          {
            transform: [{ filter: `datum.properties.share_${c.id} != null` }, { calculate: `datum.properties.share_${c.id}`, as: "share" }],
            mark: { type: "geoshape", stroke: "white", strokeWidth: 0.5 },
            encoding: {
              color: {
                field: "share",
                type: "quantitative",
                title: "share of area",
                scale: { scheme: "purples", domain: [0, Math.max(0.01, max)] },
                legend: { format: ".0%", orient: "bottom", gradientLength: 200 },
              },
              tooltip: [
                { field: "properties.name", title: "area" },
                { field: "share", title: "share", format: ".0%" },
                { field: "properties.rows", title: "rows" },
              ],
            },
          },
        ],
      })),
      resolve: { scale: { color: "shared" }, legend: { color: "shared" } },
    },
  );
}

/**
 * Chart specs for a segments study, keyed by name: `k_selection`, `structure` (when `results.structure` is present),
 * `variance_shares`, `pca` (when `results.pca_sample` is present),
 * `profile`, `sizes`, `distribution_<cluster id>`, and with `options.areas` `map_dominant` and `map_shares`.
 * Areas whose `rows` property is below `minCell` are drawn grey without shares.
 * @param results segments results (results.json)
 * @param options.minCell suppression threshold
 * @param options.areas GeoJSON areas with per-cluster shares in their properties
 */
export function segmentsCharts(results: ReportSegmentsResults, options: SegmentsChartOptions): Record<string, VegaLiteSpec> {
  const { minCell } = options;
  const charts: Record<string, VegaLiteSpec> = { k_selection: kSelectionChart(results) };
  const structure = structureChart(results);
  if (structure) charts.structure = structure;
  const shares = varianceSharesChart(results);
  if (shares) charts.variance_shares = shares;
  const pca = pcaChart(results);
  if (pca) charts.pca = pca;
  const profile = profileChart(results, minCell);
  if (profile) charts.profile = profile;
  charts.sizes = sizesChart(results, minCell);
  results.clusters.forEach((c, i) => {
    if (isSuppressed(c.size, minCell)) return;
    const d = distributionChart(results, c, i, minCell);
    if (d) charts[`distribution_${c.id}`] = d;
  });
  if (options.areas) {
    const rows = areaRows(results, options.areas, minCell);
    if (rows.length) {
      charts.map_dominant = dominantMap(results, rows);
      charts.map_shares = sharesMap(results, rows, minCell);
    }
  }
  return charts;
}
