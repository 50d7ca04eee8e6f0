import type { VisualizationSpec } from "vega-embed";
import { distinctLabels } from "../../src/report/labels.js";
import { CATEGORY_PALETTE } from "../../src/report/palette.js";
import { textWidth } from "../../src/report/text-metrics.js";

/** Colours used across the dashboard. */
export const COLORS = {
  count: "#3b6ea8",
  faded: "#cbd5e1",
  rate: "#d9480f",
  rateFaded: "#f3c9b4",
  positive: "#d9480f",
  negative: "#9fb3c8",
  text: "#1f2933",
  muted: "#52606d",
  empty: "#eceff3",
  hidden: "#9aa5b1",
};

/** Cluster colours by position in the run's cluster list: the report's palette, so cluster i looks the same in both. */
export const CLUSTER_COLORS: readonly string[] = CATEGORY_PALETTE;

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: {
    labelColor: COLORS.muted,
    titleColor: COLORS.muted,
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 500,
    domainColor: "#cbd2d9",
    tickColor: "#cbd2d9",
    gridColor: "#eef1f4",
  },
  legend: { labelColor: COLORS.muted, titleColor: COLORS.muted, labelFontSize: 11, titleFontSize: 11 },
  title: { font: FONT, fontSize: 12, fontWeight: 500, color: COLORS.muted, anchor: "start" },
};

/** One bar of a dimension chart; `count` is null when the group is hidden (drawn as `hidden_label`, never as a bar). */
export interface BarDatum {
  key: string | number | boolean | null;
  label: string;
  count: number | null;
  /** The count as text: the number, or the hidden label such as "≤10". */
  count_text: string;
  rate?: number | null;
  /** 95% Wilson interval of the rate, when the rate is shown. */
  rate_lo?: number;
  rate_hi?: number;
  positives?: number | null;
  positives_text?: string;
  mean_score?: number | null;
  /** True when some values of this dimension are selected and this one is not. */
  faded: boolean;
  selected: boolean;
}

/** One cluster part of a bar (segments); `n` is null when hidden (not drawn). */
export interface StackDatum {
  key: string | number | boolean | null;
  label: string;
  cluster: string;
  n: number | null;
  n_text: string;
  share: number | null;
  cluster_index: number;
  faded: boolean;
  /** The value's published count over all clusters (null: hidden), and as shown ("≤10"). */
  total: number | null;
  total_text: string;
}

const ROW_HEIGHT = 20;

/** Rates of groups smaller than this are drawn faint: with a few records a rate says little. */
export const RATE_MIN_COUNT = 30;
const SMALL = `datum.count < ${RATE_MIN_COUNT}`;

/**
 * The rate line, its Wilson interval rules and its points, faded where the group is small (SMALL). With a tooltip
 * the line and points are clickable (a category chart); without one they only show (the timeline).
 */
function rateLayers(o: {
  rateY: Record<string, unknown>;
  lineFilter: string;
  strokeWidth: number;
  ruleOpacity: number;
  pointSize: number;
  tooltip?: unknown;
}): Record<string, unknown>[] {
  const pointer = o.tooltip === undefined ? { interactive: false } : { cursor: "pointer" };
  return [
    { transform: [{ filter: o.lineFilter }], mark: { type: "line", color: COLORS.rate, strokeWidth: o.strokeWidth, ...pointer } },
    {
      transform: [{ filter: "isValid(datum.rate_lo)" }],
      mark: { type: "rule", color: COLORS.rate, strokeWidth: 1, interactive: false },
      encoding: {
        y: { ...o.rateY, field: "rate_lo" },
        y2: { field: "rate_hi" },
        opacity: { condition: { test: SMALL, value: 0.2 }, value: o.ruleOpacity },
      },
    },
    {
      transform: [{ filter: "isValid(datum.rate)" }],
      mark: { type: "point", filled: true, size: o.pointSize, color: COLORS.rate, ...pointer },
      encoding: {
        opacity: { condition: { test: SMALL, value: 0.3 }, value: 1 },
        ...(o.tooltip === undefined ? {} : { tooltip: o.tooltip }),
      },
    },
  ];
}

/** Time-part axes drop every other label when they would touch (24 hours on a half-width card). */
const TIME_AXIS = { labelAngle: 0, labelOverlap: "parity", labelSeparation: 6 } as const;

/** Upper bound of the mean glyph width of an 11px axis label, capitals included. */
const LABEL_CHAR_PX = 7;

/**
 * Axis labels that fit `px` pixels and stay distinct: long values are cut in the middle ("WANTON ENDANGER…-1ST
 * DEGREE"), not at the end, so offences that differ only in their degree keep different labels (as in the report);
 * the full value stays in the tooltip. Returns a `labelExpr` mapping each value to its short form, or nothing when
 * every value fits.
 */
export function shortAxisLabels(values: readonly string[], px: number, fontSize = 11): { labelExpr?: string } {
  const fits = (t: string) => textWidth(t, fontSize) <= px * 0.92;
  if (values.every(fits)) return {};
  // The most characters at which every shortened label fits (DejaVu Sans widths, as the report measures them)
  let short = [...values];
  for (let max = Math.floor(px / 5); max >= 8; --max) {
    short = distinctLabels([...values], max);
    if (short.every(fits)) break;
  }
  const map: Record<string, string> = {};
  values.forEach((v, i) => (map[v] = short[i]));
  return { labelExpr: `${JSON.stringify(map)}[datum.value] || datum.label` };
}

/** The whole chart, axes and labels included, fits the given width. */
const FIT_X = { type: "fit-x", contains: "padding" } as const;

/** Horizontal bars of counts and rates for a category dimension of a risk run. */
export function riskCategorySpec(
  data: BarDatum[],
  width: number,
  title: string,
  targetLabel: string,
  overallRate: number | null,
): VisualizationSpec {
  const height = Math.max(ROW_HEIGHT * data.length, 40);
  // Labels get what the longest one needs (up to 45% of the width) and the two bar charts share the rest,
  // so short labels leave no empty band at the right and 60-character offence names stay whole.
  const longest = Math.max(0, ...data.map((d) => d.label.length));
  // On a phone the labels get less and the bars take what is left, so the rate panel is not pushed out of the card.
  const narrow = width < 500;
  const labelWidth = Math.min(Math.round(width * (narrow ? 0.38 : 0.45)), Math.ceil(longest * LABEL_CHAR_PX) + 8);
  const rest = Math.max(narrow ? 120 : 220, width - labelWidth - 22 - 24);
  const countWidth = Math.round(rest * 0.58);
  const rateWidth = rest - countWidth;
  // One explicit domain for the count and the rate charts: layers with their own data (the interval rules) would
  // otherwise union the band domains in sorted order and move rates away from their labels.
  const y = { field: "label", type: "nominal", sort: null, title: null, scale: { domain: data.map((d) => d.label) } };
  const tooltip = [
    { field: "label", title: title },
    { field: "count_text", title: "Records" },
    { field: "positives_text", title: targetLabel },
    { field: "rate", title: "Rate", format: ".1%" },
    { field: "rate_lo", title: "Rate, 95% interval from", format: ".1%" },
    { field: "rate_hi", title: "to", format: ".1%" },
    { field: "mean_score", title: "Mean predicted risk", format: ".1%" },
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    data: { values: data },
    spacing: 22,
    hconcat: [
      {
        width: countWidth,
        height,
        encoding: {
          y: {
            ...y,
            axis: {
              labelLimit: Math.max(narrow ? 90 : 120, labelWidth),
              labelColor: COLORS.text,
              ...shortAxisLabels(
                data.map((d) => d.label),
                Math.max(narrow ? 90 : 120, labelWidth),
              ),
            },
          },
        },
        layer: [
          {
            mark: { type: "bar", cursor: "pointer", cornerRadiusEnd: 2 },
            encoding: {
              x: {
                field: "count",
                type: "quantitative",
                title: "Records",
                axis: { format: ",d", tickMinStep: 1, labelSeparation: 6, orient: "top", tickCount: 4 },
              },
              color: { condition: { test: "datum.faded", value: COLORS.faded }, value: COLORS.count },
              tooltip,
            },
          },
          hiddenText("x", tooltip),
        ],
      },
      {
        width: rateWidth,
        height,
        layer: [
          {
            mark: { type: "bar", cursor: "pointer", cornerRadiusEnd: 2, strokeWidth: 1 },
            encoding: {
              y: { ...y, axis: null },
              x: {
                field: "rate",
                type: "quantitative",
                title: `${targetLabel} rate`,
                // The title is centred over its panel: wider than a phone's narrow rate panel, it stuck out of the card.
                axis: { format: ".0%", orient: "top", tickCount: 3, titleLimit: rateWidth },
              },
              color: { condition: { test: "datum.faded", value: COLORS.rateFaded }, value: COLORS.rate },
              stroke: { condition: { test: "datum.faded", value: COLORS.rateFaded }, value: COLORS.rate },
              fillOpacity: { condition: { test: SMALL, value: 0.12 }, value: 1 },
              tooltip,
            },
          },
          {
            // 95% Wilson interval; faint where the group has too few records for its rate to say much.
            transform: [{ filter: "isValid(datum.rate_lo)" }],
            // Not interactive: a click through the interval reaches the bar under it.
            mark: { type: "rule", color: COLORS.text, strokeWidth: 1, interactive: false },
            encoding: {
              y: { ...y, axis: null },
              x: { field: "rate_lo", type: "quantitative", title: `${targetLabel} rate` },
              x2: { field: "rate_hi" },
              opacity: { condition: { test: SMALL, value: 0.25 }, value: 0.75 },
              tooltip,
            },
          },
          ...(overallRate === null
            ? []
            : [
                {
                  data: { values: [{ rate: overallRate }] },
                  mark: { type: "rule", strokeDash: [4, 3], color: COLORS.text, opacity: 0.6 },
                  encoding: {
                    x: { field: "rate", type: "quantitative" },
                    tooltip: [{ field: "rate", title: "Overall rate (filtered)", format: ".1%" }],
                  },
                },
              ]),
        ],
      },
    ],
  } as VisualizationSpec;
}

/** Vertical bars of counts with a rate line, for a time part of a risk run. */
export function riskTimeSpec(data: BarDatum[], width: number, title: string, targetLabel: string): VisualizationSpec {
  const rateY = {
    field: "rate",
    type: "quantitative",
    title: `${targetLabel} rate`,
    axis: { format: ".0%", tickCount: 4, titleColor: COLORS.rate, grid: false },
  };
  const tooltip = [
    { field: "label", title },
    { field: "count_text", title: "Records" },
    { field: "positives_text", title: targetLabel },
    { field: "rate", title: "Rate", format: ".1%" },
    { field: "rate_lo", title: "Rate, 95% interval from", format: ".1%" },
    { field: "rate_hi", title: "to", format: ".1%" },
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    data: { values: data },
    autosize: FIT_X,
    width,
    height: 170,
    encoding: { x: { field: "label", type: "ordinal", sort: null, title: null, axis: TIME_AXIS } },
    layer: [
      {
        mark: { type: "bar", cursor: "pointer", cornerRadiusEnd: 2 },
        encoding: {
          y: {
            field: "count",
            type: "quantitative",
            title: "Records",
            axis: { format: ",d", tickMinStep: 1, labelSeparation: 6, tickCount: 4, titleColor: COLORS.count },
          },
          color: { condition: { test: "datum.faded", value: COLORS.faded }, value: COLORS.count },
          tooltip,
        },
      },
      hiddenText("y", tooltip),
      {
        // One rate scale and axis for the line and its points, even when no group is large enough for the line.
        encoding: { y: rateY },
        layer: [
          // The line joins only groups large enough for a rate; missing timestamps are not a point in time.
          ...rateLayers({
            rateY,
            lineFilter: `datum.key !== null && !(${SMALL})`,
            strokeWidth: 2,
            ruleOpacity: 0.6,
            pointSize: 28,
            tooltip,
          }),
        ],
      },
    ],
    resolve: { scale: { y: "independent" } },
  } as VisualizationSpec;
}

/**
 * A small "≤10" where a hidden group's bar would start, so hidden groups read as hidden rather than as empty.
 * @param along the chart's count axis
 */
function hiddenText(along: "x" | "y", tooltip: object[]): object {
  return {
    transform: [{ filter: "datum.count === null" }, { calculate: "0", as: "zero" }],
    mark: {
      type: "text",
      fontSize: 10,
      color: COLORS.hidden,
      cursor: "pointer",
      ...(along === "x" ? { align: "left", dx: 3, baseline: "middle" } : { angle: 270, align: "left", dy: 3, dx: 3, baseline: "middle" }),
    },
    encoding: { [along]: { field: "zero", type: "quantitative", axis: null }, text: { field: "count_text" }, tooltip },
  };
}

function clusterColor(domain: string[]) {
  return { domain, range: domain.map((_, i) => CLUSTER_COLORS[i % CLUSTER_COLORS.length]) };
}

/** Bars split by cluster, horizontal for categories and vertical for time parts (segments runs). */
export function stackedSpec(
  data: StackDatum[],
  width: number,
  title: string,
  clusters: string[],
  vertical: boolean,
  rows: number,
): VisualizationSpec {
  const category = { field: "label", type: vertical ? "ordinal" : "nominal", sort: null, title: null };
  const value = {
    field: "n",
    type: "quantitative",
    stack: "zero",
    title: "Records",
    axis: { format: ",d", tickMinStep: 1, labelSeparation: 6, tickCount: 4, ...(vertical ? {} : { orient: "top" }) },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    data: { values: data },
    autosize: FIT_X,
    width,
    height: vertical ? 170 : Math.max(ROW_HEIGHT * rows, 40),
    encoding: vertical
      ? { x: { ...category, axis: TIME_AXIS } }
      : {
          y: {
            ...category,
            axis: {
              labelLimit: Math.max(190, Math.round(width * 0.4)),
              labelColor: COLORS.text,
              ...shortAxisLabels([...new Set(data.map((d) => d.label))], Math.max(190, Math.round(width * 0.4))),
            },
          },
        },
    layer: [
      {
        mark: { type: "bar", cursor: "pointer" },
        encoding: {
          [vertical ? "y" : "x"]: value,
          color: { field: "cluster", type: "nominal", scale: clusterColor(clusters), legend: null },
          order: { field: "cluster_index", type: "quantitative" },
          opacity: { condition: { test: "datum.faded", value: 0.28 }, value: 1 },
          tooltip: [
            { field: "label", title },
            { field: "cluster", title: "Cluster" },
            { field: "n_text", title: "Records" },
            { field: "share", title: "Share of this bar", format: ".1%" },
          ],
        },
      },
      // A value whose count is hidden keeps its row, marked "≤10", instead of vanishing from the axis.
      {
        transform: [{ filter: "datum.cluster_index === 0 && datum.total === null" }, { calculate: "0", as: "zero" }],
        mark: {
          type: "text",
          fontSize: 10,
          color: COLORS.hidden,
          cursor: "pointer",
          ...(vertical ? { angle: 270, align: "left", dy: 3, dx: 3, baseline: "middle" } : { align: "left", dx: 3, baseline: "middle" }),
        },
        encoding: {
          [vertical ? "y" : "x"]: { field: "zero", type: "quantitative", axis: null },
          text: { field: "total_text" },
          tooltip: [
            { field: "label", title },
            { field: "total_text", title: "Records" },
          ],
        },
      },
    ],
  } as VisualizationSpec;
}

/** Horizontal bars of cluster sizes (segments). */
export function clusterSpec(data: (BarDatum & { share: number | null })[], width: number, clusters: string[]): VisualizationSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    data: { values: data },
    autosize: FIT_X,
    width,
    height: Math.max(28 * data.length, 60),
    encoding: {
      y: {
        field: "label",
        type: "nominal",
        sort: null,
        title: null,
        axis: { labelLimit: Math.max(200, Math.round(width * 0.45)), labelColor: COLORS.text, labelFontSize: 12 },
      },
    },
    layer: [
      {
        mark: { type: "bar", cursor: "pointer", cornerRadiusEnd: 2 },
        encoding: {
          x: {
            field: "count",
            type: "quantitative",
            title: "Records",
            axis: { format: ",d", tickMinStep: 1, labelSeparation: 6, tickCount: 4 },
          },
          color: { field: "label", type: "nominal", scale: clusterColor(clusters), legend: null },
          opacity: { condition: { test: "datum.faded", value: 0.28 }, value: 1 },
          tooltip: [
            { field: "label", title: "Cluster" },
            { field: "count_text", title: "Records" },
            { field: "share", title: "Share", format: ".1%" },
          ],
        },
      },
      {
        transform: [{ filter: "datum.count !== null" }],
        mark: { type: "text", align: "left", dx: 4, color: COLORS.muted, fontSize: 11 },
        encoding: { x: { field: "count", type: "quantitative" }, text: { field: "share", type: "quantitative", format: ".1%" } },
      },
      hiddenText("x", [
        { field: "label", title: "Cluster" },
        { field: "count_text", title: "Records" },
      ]),
    ],
  } as VisualizationSpec;
}

/** Stacked histogram of predicted risk for the filtered rows, split by the observed outcome. */
export function histogramSpec(
  bins: { start: number; end: number; count: number | null; positives?: number | null; negatives?: number | null }[],
  width: number,
  targetLabel: string,
  threshold: number | undefined,
  scoreTitle = "Predicted risk (out-of-fold)",
): VisualizationSpec {
  // Hidden parts (null) are left out, never drawn as zero or derived from the other part.
  const withTarget = bins.some((b) => b.positives !== undefined);
  const values = withTarget
    ? bins.flatMap((b) => [
        ...(b.positives == null ? [] : [{ start: b.start, end: b.end, outcome: targetLabel, n: b.positives, order: 0 }]),
        ...(b.negatives == null ? [] : [{ start: b.start, end: b.end, outcome: "Other records", n: b.negatives, order: 1 }]),
      ])
    : bins.flatMap((b) => (b.count === null ? [] : [{ start: b.start, end: b.end, outcome: "Records", n: b.count, order: 0 }]));
  const domain = withTarget ? [targetLabel, "Other records"] : ["Records"];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    autosize: FIT_X,
    width,
    height: 200,
    layer: [
      {
        data: { values },
        mark: { type: "bar", binSpacing: 1 },
        encoding: {
          x: {
            field: "start",
            type: "quantitative",
            bin: { binned: true, step: bins.length ? bins[0].end - bins[0].start : 0.05 },
            title: scoreTitle,
            axis: { format: ".0%" },
          },
          x2: { field: "end" },
          y: {
            field: "n",
            type: "quantitative",
            stack: "zero",
            title: "Records",
            axis: { format: ",d", tickMinStep: 1, labelSeparation: 6, tickCount: 4 },
          },
          color: {
            field: "outcome",
            type: "nominal",
            title: null,
            scale: { domain, range: withTarget ? [COLORS.positive, COLORS.negative] : [COLORS.count] },
            legend: { orient: "top", direction: "horizontal" },
          },
          order: { field: "order", type: "quantitative" },
          tooltip: [
            { field: "start", title: "From", format: ".0%" },
            { field: "end", title: "To", format: ".0%" },
            { field: "outcome", title: "Outcome" },
            { field: "n", title: "Records", format: "," },
          ],
        },
      },
      ...(threshold === undefined
        ? []
        : [
            {
              data: { values: [{ t: threshold, label: `threshold ${Math.round(threshold * 100)}%` }] },
              layer: [
                { mark: { type: "rule", strokeDash: [4, 3], color: COLORS.text }, encoding: { x: { field: "t", type: "quantitative" } } },
                {
                  mark: { type: "text", align: "left", dx: 4, y: 4, baseline: "top", color: COLORS.text, fontSize: 10 },
                  encoding: { x: { field: "t", type: "quantitative" }, text: { field: "label" } },
                },
              ],
            },
          ]),
    ],
  } as VisualizationSpec;
}

/** Colouring choices of the area map. */
export type AreaMetric = { kind: "count" } | { kind: "rate" } | { kind: "dominant" } | { kind: "share"; cluster: string; index: number };

/** Room a legend entry takes besides its label: the symbol, its offset and the padding between columns. */
const LEGEND_ENTRY_EXTRA = 40;

/** Columns of a symbol legend under a map `width` wide: one per 220 px. */
function legendColumns(width: number): number {
  return Math.max(1, Math.floor(width / 220));
}

/** Choropleth of areas; each feature carries `key`, `count`, `rate`, `dominant`, `share_*` and `selected`. */
export function areaMapSpec(
  features: object[],
  width: number,
  height: number,
  metric: AreaMetric,
  clusters: string[],
  areaLabel: string,
): VisualizationSpec {
  const noData = "datum.count === null || !datum.count";
  let color: object;
  switch (metric.kind) {
    case "count":
      color = {
        condition: { test: noData, value: COLORS.empty },
        field: "count",
        type: "quantitative",
        title: "Records",
        scale: { scheme: "blues" },
        legend: { format: ",d" },
      };
      break;
    case "rate":
      color = {
        condition: { test: noData, value: COLORS.empty },
        field: "rate",
        type: "quantitative",
        title: "Rate",
        scale: { scheme: "orangered", domainMin: 0 },
        legend: { format: ".0%" },
      };
      break;
    case "dominant":
      color = {
        condition: { test: noData, value: COLORS.empty },
        field: "dominant",
        type: "nominal",
        title: "Largest cluster",
        scale: clusterColor(clusters),
      };
      break;
    case "share":
      color = {
        condition: { test: noData, value: COLORS.empty },
        field: `share_${metric.index}`,
        type: "quantitative",
        title: `Share: ${metric.cluster}`,
        scale: { range: ["#f7f7f7", CLUSTER_COLORS[metric.index % CLUSTER_COLORS.length]], domainMin: 0 },
        legend: { format: ".0%" },
      };
      break;
  }
  const tooltip: object[] = [
    { field: "key", title: areaLabel },
    { field: "count_text", title: "Records" },
  ];
  if (metric.kind === "rate") tooltip.push({ field: "rate", title: "Rate", format: ".1%" });
  if (metric.kind === "dominant")
    tooltip.push({ field: "dominant", title: "Largest cluster" }, { field: "dominant_share", title: "Its share", format: ".0%" });
  if (metric.kind === "share") tooltip.push({ field: `share_${metric.index}`, title: metric.cluster, format: ".1%" });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    // The legend sits under the map, never over it: an overlaid corner legend hid the city's southern tip.
    config: {
      ...CONFIG,
      legend: {
        ...CONFIG.legend,
        orient: "bottom",
        direction: "horizontal",
        columns: legendColumns(width),
        gradientLength: Math.min(260, Math.max(120, width - 80)),
        // Each column's symbol, label and padding fit the map's width: labels of 40% of the width in three columns
        // made the legend (and the SVG) a quarter wider than the map at 1440 px.
        labelLimit: Math.max(100, Math.floor(width / legendColumns(width)) - LEGEND_ENTRY_EXTRA),
      },
    },
    width,
    height,
    projection: { type: "mercator" },
    data: { values: features },
    mark: { type: "geoshape", cursor: "pointer" },
    encoding: {
      color,
      stroke: { condition: { test: "datum.selected", value: "#111827" }, value: "#ffffff" },
      strokeWidth: { condition: { test: "datum.selected", value: 2.2 }, value: 0.6 },
      tooltip,
    },
  } as VisualizationSpec;
}

/**
 * Gridded point map without tiles: one square per grid cell with a shown count (cells with few or no records are
 * not drawn), coloured by its records. Squares are drawn at their centres, sized to the grid on screen.
 */
export function gridMapSpec(
  cells: { lat: number; lon: number; count: number }[],
  width: number,
  height: number,
  gridM: number,
): VisualizationSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: {
      ...CONFIG,
      legend: { ...CONFIG.legend, orient: "bottom", direction: "horizontal", gradientLength: Math.min(260, Math.max(120, width - 80)) },
    },
    width,
    height,
    projection: { type: "mercator" },
    data: { values: cells },
    mark: { type: "square", size: cells.length > 400 ? 30 : cells.length > 100 ? 70 : 140, opacity: 0.85 },
    encoding: {
      longitude: { field: "lon", type: "quantitative" },
      latitude: { field: "lat", type: "quantitative" },
      color: { field: "count", type: "quantitative", title: "Records", scale: { scheme: "blues" }, legend: { format: ",d" } },
      tooltip: [
        { field: "count", title: `Records in this ${gridM} m square`, format: "," },
        { field: "lat", title: "Square centre, latitude", format: ".3f" },
        { field: "lon", title: "Square centre, longitude", format: ".3f" },
      ],
    },
  } as VisualizationSpec;
}

/** One bin of a histogram or a timeline week/month; counts null when hidden (drawn as hidden, never as zero). */
export interface RangeDatum {
  /** Left and right edges: numbers, or ISO days for the timeline. */
  start: number | string;
  end: number | string;
  label: string;
  count: number | null;
  count_text: string;
  rate?: number | null;
  rate_lo?: number;
  rate_hi?: number;
  positives_text?: string;
  /** Segments: the cluster this part of the bar counts (stacked), with its index for colour and order. */
  cluster?: string;
  cluster_index?: number;
  /** True when a range is brushed and this bin is outside it. */
  faded: boolean;
}

/** Name of the brush selection of a histogram or a timeline (read by the dashboard's signal listener). */
export const BRUSH = "brush";

/**
 * A histogram of a numeric column or a timeline of a timestamp column, with an x brush (drag to select a range).
 * Bars are records (stacked by cluster on segments runs); on risk runs the line is the rate, drawn only through bins
 * of 30 or more records, with Wilson intervals. Hidden bins carry the hidden label at the axis, not a bar.
 * @param temporal true for the timeline (x is UTC time)
 * @param clusters the cluster labels, for stacked bars (segments)
 */
export function rangeSpec(
  data: RangeDatum[],
  width: number,
  title: string,
  options: { temporal: boolean; targetLabel?: string; clusters?: string[]; format?: string },
): VisualizationSpec {
  const { temporal, targetLabel, clusters } = options;
  const xType = temporal ? "temporal" : "quantitative";
  const x = {
    field: "start",
    type: xType,
    title: temporal ? null : title,
    ...(temporal ? { scale: { type: "utc" } } : { bin: { binned: true } }),
    axis: temporal
      ? { format: "%b %Y", formatType: "utc", labelOverlap: true, tickCount: 6 }
      : { labelOverlap: true, ...(options.format ? { format: options.format } : {}) },
  };
  const x2 = { field: "end" };
  const tooltip = [
    { field: "label", title },
    ...(clusters ? [{ field: "cluster", title: "Cluster" }] : []),
    { field: "count_text", title: "Records" },
    ...(targetLabel
      ? [
          { field: "positives_text", title: targetLabel },
          { field: "rate", title: "Rate", format: ".1%" },
          { field: "rate_lo", title: "Rate, 95% interval from", format: ".1%" },
          { field: "rate_hi", title: "to", format: ".1%" },
        ]
      : []),
  ];
  const countY = {
    field: "count",
    type: "quantitative",
    stack: clusters ? "zero" : null,
    title: "Records",
    axis: { format: ",d", tickMinStep: 1, labelSeparation: 6, tickCount: 4, titleColor: COLORS.count },
  };
  const bars = {
    // The brush lives on the bars' layer; dragging anywhere in the plot sets it.
    params: [
      {
        name: BRUSH,
        select: {
          type: "interval",
          encodings: ["x"],
          clear: "dblclick",
          mark: { fill: COLORS.text, fillOpacity: 0.08, stroke: COLORS.muted },
        },
      },
    ],
    // Vertical although x has two edges: stacked counts rise from the axis, one bar per bin.
    mark: { type: "bar", orient: "vertical", cursor: "crosshair", binSpacing: 1 },
    encoding: {
      x,
      x2,
      y: countY,
      ...(clusters
        ? {
            color: { field: "cluster", type: "nominal", scale: clusterColor(clusters), legend: null },
            order: { field: "cluster_index", type: "quantitative" },
            opacity: { condition: { test: "datum.faded", value: 0.28 }, value: 1 },
          }
        : { color: { condition: { test: "datum.faded", value: COLORS.faded }, value: COLORS.count } }),
      tooltip,
    },
  };
  const middle = temporal ? "(toDate(datum.start) + toDate(datum.end)) / 2" : "(datum.start + datum.end) / 2";
  const midX = { field: "mid", type: xType, ...(temporal ? { scale: { type: "utc" } } : {}) };
  const hidden = {
    // A hidden bin (or cluster part) is marked at the axis with a short grey tick, its label in the tooltip.
    transform: [{ filter: "datum.count === null" }, { calculate: "0", as: "zero" }, { calculate: middle, as: "mid" }],
    mark: { type: "tick", orient: "horizontal", color: COLORS.hidden, thickness: 3, cursor: "crosshair" },
    // The same y as the bars (title and axis), so that sharing the scale keeps the count axis.
    encoding: { x: midX, y: { ...countY, field: "zero", stack: null }, tooltip },
  };
  const rateY = {
    field: "rate",
    type: "quantitative",
    title: `${targetLabel ?? ""} rate`,
    axis: { format: ".0%", tickCount: 4, titleColor: COLORS.rate, grid: false },
  };
  const rate = targetLabel
    ? [
        {
          transform: [{ calculate: middle, as: "mid" }],
          encoding: { x: midX, y: rateY },
          layer: [
            ...rateLayers({ rateY, lineFilter: `isValid(datum.rate) && !(${SMALL})`, strokeWidth: 1.5, ruleOpacity: 0.5, pointSize: 14 }),
          ],
        },
      ]
    : [];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    data: { values: data },
    autosize: FIT_X,
    width,
    height: 170,
    // Bars and hidden-bin ticks share the count scale; the rate (risk) has its own, on the right.
    layer: [{ layer: [bars, hidden] }, ...rate],
    ...(targetLabel ? { resolve: { scale: { y: "independent" } } } : {}),
  } as VisualizationSpec;
}

/** One bin of the calibration chart: mean predicted score (x) and observed rate (y) with its Wilson interval. */
export interface CalibrationDatum {
  label: string;
  mean: number | null;
  rate: number | null;
  rate_lo?: number;
  rate_hi?: number;
  count: number | null;
  count_text: string;
  positives_text: string;
  rate_text: string;
  mean_text: string;
}

/**
 * Calibration curve: per score bin, the mean predicted score against the observed rate with its 95% Wilson interval,
 * and the diagonal where they agree. Bins whose rate is hidden are ticks on the x axis (their mean, when shown).
 * @param scoreLabel "Predicted risk" for calibrated scores, "Score" otherwise
 */
export function calibrationSpec(data: CalibrationDatum[], width: number, scoreLabel: string, targetLabel: string): VisualizationSpec {
  const size = Math.max(200, Math.min(width, 420));
  const tooltip = [
    { field: "label", title: `${scoreLabel} bin` },
    { field: "count_text", title: "Records" },
    { field: "positives_text", title: targetLabel },
    { field: "mean_text", title: `Mean ${scoreLabel.toLowerCase()}` },
    { field: "rate_text", title: "Observed rate (95% CI)" },
  ];
  const axis = { format: ".0%", tickCount: 5, labelSeparation: 6 };
  const x = { field: "mean", type: "quantitative", title: `Mean ${scoreLabel.toLowerCase()} in the bin`, scale: { domain: [0, 1] }, axis };
  const y = { type: "quantitative", title: `Observed rate of ${targetLabel.toLowerCase()}`, scale: { domain: [0, 1] }, axis };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    autosize: FIT_X,
    width,
    height: size,
    layer: [
      {
        data: { values: [{ a: 0 }, { a: 1 }] },
        mark: { type: "line", strokeDash: [4, 3], color: COLORS.muted, strokeWidth: 1, interactive: false },
        encoding: { x: { field: "a", type: "quantitative", scale: { domain: [0, 1] }, axis, title: x.title }, y: { ...y, field: "a" } },
      },
      {
        data: { values: data },
        layer: [
          {
            transform: [{ filter: "isValid(datum.rate) && isValid(datum.mean)" }],
            mark: { type: "line", color: COLORS.rate, strokeWidth: 1.5, interactive: false },
            encoding: { x, y: { ...y, field: "rate" } },
          },
          {
            transform: [{ filter: "isValid(datum.rate_lo) && isValid(datum.mean)" }],
            mark: { type: "rule", color: COLORS.rate, strokeWidth: 1.2 },
            encoding: { x, y: { ...y, field: "rate_lo" }, y2: { field: "rate_hi" }, tooltip },
          },
          {
            transform: [{ filter: "isValid(datum.rate) && isValid(datum.mean)" }],
            mark: { type: "point", filled: true, size: 55, color: COLORS.rate },
            encoding: { x, y: { ...y, field: "rate" }, opacity: { condition: { test: SMALL, value: 0.35 }, value: 1 }, tooltip },
          },
          {
            transform: [{ filter: "!isValid(datum.rate) && isValid(datum.mean)" }, { calculate: "0", as: "zero" }],
            mark: { type: "tick", orient: "vertical", color: COLORS.hidden, thickness: 2, size: 14 },
            encoding: { x, y: { ...y, field: "zero" }, tooltip },
          },
        ],
      },
    ],
  } as VisualizationSpec;
}

/** One point of the flagging chart: a series ("Events captured", "Precision") at N% flagged. */
export interface FlaggingDatum {
  percent: number;
  series: string;
  value: number | null;
  flagged_text: string;
  positives_text: string;
  captured_text: string;
  precision_text: string;
}

/**
 * Top-N% flagging: when the top N% of the filtered records by score are flagged, the share of their events captured
 * and the precision (events among the flagged), with the diagonal of flagging at random. Hidden values are gaps.
 */
export function flaggingSpec(data: FlaggingDatum[], width: number, series: [string, string], scoreNoun: string): VisualizationSpec {
  const x = {
    field: "percent",
    type: "quantitative",
    // On a phone the long title would run past the chart's right edge
    title: width < 500 ? "Top N% flagged" : `Top N% of the filtered records flagged (by ${scoreNoun})`,
    scale: { domain: [0, 100] },
    axis: { labelExpr: "datum.value + '%'", tickCount: 5, labelSeparation: 6 },
  };
  const y = { type: "quantitative", title: null, scale: { domain: [0, 1] }, axis: { format: ".0%", tickCount: 5 } };
  const tooltip = [
    { field: "percent", title: "Top N% flagged" },
    { field: "flagged_text", title: "Flagged records" },
    { field: "positives_text", title: "Events among them" },
    { field: "captured_text", title: series[0] },
    { field: "precision_text", title: series[1] },
  ];
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    scale: { domain: series, range: [COLORS.rate, COLORS.count] },
    legend: { orient: "top", direction: "horizontal" },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    autosize: FIT_X,
    width,
    // As tall as the calibration chart beside it.
    height: Math.max(200, Math.min(width, 420)),
    layer: [
      {
        data: {
          values: [
            { p: 0, v: 0 },
            { p: 100, v: 1 },
          ],
        },
        mark: { type: "line", strokeDash: [4, 3], color: COLORS.muted, strokeWidth: 1, interactive: false },
        encoding: { x: { ...x, field: "p" }, y: { ...y, field: "v" } },
      },
      {
        data: { values: data },
        layer: [
          {
            mark: { type: "line", strokeWidth: 1.8, interactive: false, invalid: "break-paths-show-path-domains" },
            encoding: { x, y: { ...y, field: "value" }, color },
          },
          {
            transform: [{ filter: "isValid(datum.value)" }],
            mark: { type: "point", filled: true, size: 40 },
            encoding: { x, y: { ...y, field: "value" }, color, tooltip },
          },
        ],
      },
    ],
  } as VisualizationSpec;
}
