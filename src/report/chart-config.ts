import { CATEGORY_PALETTE } from "./palette.js";
import type { VegaLiteSpec } from "./types.js";

/** Colours used across the report; the categorical ones are the shared palette of `palette.ts`. */
export const COLORS = {
  up: "#c0392b",
  down: "#1f6fb2",
  neutral: "#555555",
  rule: "#888888",
  light: "#d0d0d0",
  bar: "#4a7fb0",
  categories: CATEGORY_PALETTE,
};

/** Shared Vega-Lite config: sans-serif text, quiet grid, left-aligned titles. */
export const CHART_CONFIG = {
  font: "sans-serif",
  background: "white",
  padding: 8,
  view: { stroke: null },
  title: { anchor: "start", fontSize: 15, fontWeight: "bold", subtitleFontSize: 12.5, subtitleColor: "#444", offset: 10 },
  axis: {
    labelFontSize: 12,
    titleFontSize: 12.5,
    titleFontWeight: "normal",
    titleColor: "#333",
    labelColor: "#333",
    gridColor: "#e8e8e8",
    domainColor: "#999",
    tickColor: "#999",
  },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: "normal", labelLimit: 400, titleLimit: 400 },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: "bold" },
};

/** A top-level spec: schema, config and title around `body`. */
export function topLevel(title: string | { text: string; subtitle?: string | string[] }, body: VegaLiteSpec): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    ...body,
    config: CHART_CONFIG,
  };
}
