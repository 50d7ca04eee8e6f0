import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { installTextMetrics } from "./text-metrics.js";
import type { VegaLiteSpec } from "./types.js";

export { textWidth } from "./text-metrics.js";

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
  const out = compile(spec as unknown as TopLevelSpec, { logger });
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
  loader.load = (uri: string) => Promise.reject(new Error(`chart spec must not load data: ${uri}`));
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none", loader, logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return renumberSvgIds(svg, options.idPrefix ?? "chart");
  } finally {
    view.finalize();
  }
}
