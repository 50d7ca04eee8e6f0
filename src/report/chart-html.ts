import { escapeHtml as e } from "./format.js";
import { renderSvg } from "./render-svg.js";
import type { VegaLiteSpec } from "./types.js";

/** One chart as a figure with its inline SVG. */
export async function chart(name: string, spec: VegaLiteSpec): Promise<string> {
  const svg = await renderSvg(spec, { idPrefix: name });
  return `<figure class="chart" data-chart="${e(name)}">${svg}</figure>`;
}

/** The charts of `names` that exist in `specs`, in that order. */
export async function charts(specs: Record<string, VegaLiteSpec>, names: string[]): Promise<string> {
  const out: string[] = [];
  for (const n of names) if (Object.hasOwn(specs, n)) out.push(await chart(n, specs[n]));
  return out.join("\n");
}
