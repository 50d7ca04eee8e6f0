import type { DimensionView, FilterValue } from "../../src/server/api-types";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const intFormat = new Intl.NumberFormat("en-US");

/** 12345 -> "12,345". */
export const formatInt = (n: number): string => intFormat.format(n);

/** 0.1234 -> "12.3%"; null -> "–". */
export function formatPct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : `${(x * 100).toFixed(digits)}%`;
}

/** Display label of a dimension value: month and weekday names, two-digit hours, "(missing)" for null. */
export function valueLabel(kind: DimensionView["kind"], key: FilterValue | undefined, clusterLabel?: (id: number) => string): string {
  if (key === null || key === undefined) return "(missing)";
  const n = Number(key);
  switch (kind) {
    case "month":
      return MONTHS[n - 1] ?? String(key);
    case "weekday":
      return WEEKDAYS[n - 1] ?? String(key);
    case "hour":
      return `${String(n).padStart(2, "0")}h`;
    case "cluster":
      return clusterLabel ? clusterLabel(n) : `Cluster ${key}`;
    default:
      return String(key);
  }
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for insertion into HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}
