import type { FilterValue } from "../../src/server/api-types.js";

/** The part of the dashboard's state that a link carries: run, filters and the map's colouring. */
export interface UrlState {
  run?: string;
  /** Selected values per dimension key, in the order they were set. */
  filters: Map<string, FilterValue[]>;
  /** The map's colour-by choice, as the map menu's option value ("rate", "share:2", ...). */
  map?: string;
}

/** Prefix of a filter's query parameter: `f.PREMISE_TYPE=["HIGHWAY"]`. */
const FILTER = "f.";
/** Parameters the dashboard does not own and keeps as they are (the access token). */
const KEEP = ["token"];

const isFilterValue = (v: unknown): v is FilterValue => v === null || ["string", "number", "boolean"].includes(typeof v);

/**
 * Reads the state from a query string. Values that do not parse (a hand-edited link) are dropped, not thrown on.
 * @param search `location.search`, with or without the leading "?"
 */
export function decodeUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const filters = new Map<string, FilterValue[]>();
  for (const [name, raw] of params) {
    if (!name.startsWith(FILTER) || name.length === FILTER.length) continue;
    let values: unknown;
    try {
      values = JSON.parse(raw);
    } catch {
      continue;
    }
    if (Array.isArray(values) && values.length && values.every(isFilterValue)) filters.set(name.slice(FILTER.length), values);
  }
  return { run: params.get("run") ?? undefined, filters, map: params.get("map") ?? undefined };
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
  if (state.map !== undefined) params.set("map", state.map);
  return params.toString();
}
