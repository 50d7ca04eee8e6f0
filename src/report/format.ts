/**
 * Formatting helpers for the report: numbers, percentages, suppressed counts and HTML escaping. All output is
 * locale-independent so the report is byte-identical on every machine.
 */

/** Escapes `& < > " '` for HTML text and attribute values. */
export function escapeHtml(s: unknown): string {
  return htmlText(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Thousands separated with commas: `formatInt(12345) === "12,345"`; "—" for null (suppressed) and non-finite. */
export function formatInt(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return "—";
  const s = Math.round(Math.abs(n))
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return n < 0 ? "-" + s : s;
}

/** A number with `digits` decimals, "—" when null (suppressed) or not finite. @param digits decimals (default 3) */
export function formatNumber(x: number | null, digits = 3): string {
  if (x === null || !Number.isFinite(x)) return "—";
  const s = x.toFixed(digits);
  return s === "-0" || /^-0\.0+$/.test(s) ? s.slice(1) : s;
}

/** A proportion as a percentage: `formatPct(0.1234) === "12.3%"`; "—" when null (suppressed). @param digits decimals (default 1) */
export function formatPct(p: number | null, digits = 1): string {
  return p !== null && Number.isFinite(p) ? `${formatNumber(100 * p, digits)}%` : "—";
}

/** True when count `n` must not be published: null (hidden by disclosure control) or below `minCell`. */
export function isSuppressed(n: number | null, minCell: number): n is null {
  return n === null || n < minCell;
}

/** A count for a table: "<minCell" when suppressed (null or small), else the count with separators. */
export function formatCount(n: number | null, minCell: number): string {
  return isSuppressed(n, minCell) ? `<${minCell}` : formatInt(n);
}

/** Text shortened to `max` characters with an ellipsis. @param max characters kept, ellipsis included (default 40) */
export function truncate(s: string, max = 40): string {
  return s.length <= max ? s : s.slice(0, max - 1).trimEnd() + "…";
}

/** The footnote printed wherever counts were suppressed. */
export function suppressionNote(minCell: number): string {
  return `Counts below ${minCell} are shown as "<${minCell}" and left out of the charts, so that small groups cannot be identified.`;
}

/** Rounds every number in a JSON-like value to `digits` decimals (for stable goldens). */
export function roundDeep<T>(value: T, digits = 3): T {
  const f = 10 ** digits;
  const walk = (v: unknown): unknown => {
    if (typeof v === "number") return Number.isFinite(v) ? Math.round(v * f) / f + 0 : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** Text of a value for HTML: strings as they are, numbers and booleans by String, null and undefined empty, else JSON. */
function htmlText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}
