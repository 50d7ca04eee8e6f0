import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { VegaLiteSpec } from "./types.js";

/**
 * Advance widths of DejaVu Sans (the sans-serif most Linux browsers fall back to) in 1/1000 em, for ASCII
 * 32..126. Node has no canvas to measure text, and vega's own estimate (0.8 em per character) is so wide that
 * it truncates axis labels that would fit.
 */
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
    const c = ch.codePointAt(0)!;
    w += c >= 32 && c <= 126 ? WIDTHS[c - 32] : ch === "…" ? 1000 : 700;
  }
  return (w / 1000) * size * (bold ? 1.08 : 1);
}

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

let metricsInstalled = false;
function installTextMetrics(): void {
  if (metricsInstalled) return;
  metricsInstalled = true;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  metrics.width = (item, text) => {
    const s = text == null ? "" : String(text).trim();
    const bold = item.fontWeight === "bold" || Number(item.fontWeight) >= 600;
    const w = textWidth(s, item.fontSize != null ? +item.fontSize || 0 : 11, bold);
    return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
}

/**
 * Renumbers the ids vega writes (clip paths, gradients) as `<prefix>-<n>`: vega counts them per process, so
 * without this two renders of one spec differ, and two charts inlined in one page could share an id.
 */
export function renumberSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `${prefix}-${ids.size + 1}`);
  if (!ids.size) return svg;
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => a + (ids.get(id) ?? id) + b)
    .replace(/url\(#([^)]+)\)/g, (s, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : s))
    .replace(/(href=")#([^"]+)"/g, (s, a: string, id: string) => (ids.has(id) ? `${a}#${ids.get(id)}"` : s));
}

/** Compiles a Vega-Lite spec to Vega, collecting vega-lite's warnings instead of printing them. */
export function compileSpec(spec: VegaLiteSpec): { spec: vega.Spec; warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    error: (...args: unknown[]) => {
      throw new Error(args.join(" "));
    },
    warn: (...args: unknown[]) => (warnings.push(args.join(" ")), logger),
    info: () => logger,
    debug: () => logger,
  };
  const out = compile(spec as unknown as TopLevelSpec, { logger: logger as never });
  return { spec: out.spec, warnings };
}

/**
 * Renders a Vega-Lite spec to an SVG string in Node (no browser, no network).
 * @param spec Vega-Lite spec with inline data
 * @param options.idPrefix prefix for ids inside the SVG, unique per chart on a page (default "chart")
 */
export async function renderSvg(spec: VegaLiteSpec, options: { idPrefix?: string } = {}): Promise<string> {
  installTextMetrics();
  const vgSpec = compileSpec(spec).spec;
  const loader = vega.loader();
  loader.load = async (uri: string) => {
    throw new Error(`chart spec must not load data: ${uri}`);
  };
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none", loader, logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return renumberSvgIds(svg, options.idPrefix ?? "chart");
  } finally {
    view.finalize();
  }
}
