import type { FilterValue, TimeUnit } from "../../src/server/api-types.js";

/** A brushed range [min, max): numbers for a numeric column, `YYYY-MM-DD` days for the timeline. */
export type UrlRange = [number, number] | [string, string];

/** The part of the dashboard's state that a link carries: run, filters, brushed ranges and the map's colouring. */
export interface UrlState {
  run?: string;
  /** Selected values per dimension key, in the order they were set. */
  filters: Map<string, FilterValue[]>;
  /** Brushed ranges per column, in the order they were set. */
  ranges: Map<string, UrlRange>;
  /** The timeline's buckets; undefined is the run's default (weeks, or months on a timeline of over two years). */
  unit?: TimeUnit;
  /** The map's colour-by choice, as the map menu's option value ("rate", "share:2", ...). */
  map?: string;
}

/** Prefix of a filter's query parameter: `f.PREMISE_TYPE=["HIGHWAY"]`. */
const FILTER = "f.";
/** Prefix of a range's query parameter: `r.Age=[20,35]`, `r.DATE_OCCURED=["2020-01-06","2020-03-02"]`. */
const RANGE = "r.";
/** Parameters the dashboard does not own and keeps as they are (the access token). */
const KEEP = ["token"];

const isFilterValue = (v: unknown): v is FilterValue => v === null || ["string", "number", "boolean"].includes(typeof v);

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A range as a link holds it: two finite numbers or two days, min before max. */
function isUrlRange(v: unknown): v is UrlRange {
  if (!Array.isArray(v) || v.length !== 2) return false;
  const [a, b] = v as unknown[];
  if (typeof a === "number" && typeof b === "number") return Number.isFinite(a) && Number.isFinite(b) && a < b;
  return typeof a === "string" && typeof b === "string" && DAY.test(a) && DAY.test(b) && a < b;
}

/**
 * Reads the state from a query string. Values that do not parse (a hand-edited link) are dropped, not thrown on.
 * @param search `location.search`, with or without the leading "?"
 */
export function decodeUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const filters = new Map<string, FilterValue[]>();
  const ranges = new Map<string, UrlRange>();
  for (const [name, raw] of params) {
    const prefix = name.startsWith(FILTER) ? FILTER : name.startsWith(RANGE) ? RANGE : undefined;
    if (!prefix || name.length === prefix.length) continue;
    let values: unknown;
    try {
      values = JSON.parse(raw);
    } catch {
      continue;
    }
    if (prefix === RANGE) {
      if (isUrlRange(values)) ranges.set(name.slice(RANGE.length), values);
    } else if (Array.isArray(values) && values.length && values.every(isFilterValue)) filters.set(name.slice(FILTER.length), values);
  }
  const unit = params.get("unit");
  return {
    run: params.get("run") ?? undefined,
    filters,
    ranges,
    ...(unit === "week" || unit === "month" ? { unit } : {}),
    map: params.get("map") ?? undefined,
  };
}

/**
 * Writes the state as a query string (without "?"); parameters in `KEEP` are carried over from `current`.
 * Filters keep their insertion order so that the same clicks give the same link.
 */
export function encodeUrlState(state: UrlState, current = ""): string {
  const old = new URLSearchParams(current);
  const params = new URLSearchParams();
  for (const k of KEEP) {
    const v = old.get(k);
    if (v !== null) params.set(k, v);
  }
  if (state.run !== undefined) params.set("run", state.run);
  for (const [key, values] of state.filters) if (values.length) params.set(FILTER + key, JSON.stringify(values));
  for (const [key, range] of state.ranges) params.set(RANGE + key, JSON.stringify(range));
  if (state.unit !== undefined) params.set("unit", state.unit);
  if (state.map !== undefined) params.set("map", state.map);
  return params.toString();
}
