import * as vega from "vega";

/** Advance widths of DejaVu Sans (the sans-serif most Linux browsers fall back to) in 1/1000 em, for ASCII 32..126. */
const WIDTHS = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337,
  337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
  684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635,
  635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

/** Width in pixels of `text` in DejaVu Sans at `size` px (bold about 8% wider). */
export function textWidth(text: string, size: number, bold = false): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    w += c >= 32 && c <= 126 ? WIDTHS[c - 32] : ch === "…" ? 1000 : 700;
  }
  return (w / 1000) * size * (bold ? 1.08 : 1);
}

/** What vega passes as a mark's text: a value, or the lines of a multi-line label. */
type TextValue = string | number | boolean | readonly (string | number)[] | null | undefined;

interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
  limit?: number;
}

let metricsInstalled = false;

/**
 * Replaces vega's text width estimate with {@link textWidth}, once per process (idempotent).
 */
export function installTextMetrics(): void {
  if (metricsInstalled) return;
  metricsInstalled = true;
  // Why a process-wide patch: Node has no canvas to measure text, vega's fallback (0.8 em per character) is so
  // wide that it truncates axis labels that would fit, and vega reads widths only from its module-level
  // textMetrics object, with no per-view option to pass a measure instead.
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: TextValue) => number } }).textMetrics;
  metrics.width = (item, text) => {
    const s = text == null ? "" : (Array.isArray(text) ? text.join(",") : String(text)).trim();
    const bold = item.fontWeight === "bold" || Number(item.fontWeight) >= 600;
    const w = textWidth(s, item.fontSize != null ? Number(item.fontSize) || 0 : 11, bold);
    return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
}
