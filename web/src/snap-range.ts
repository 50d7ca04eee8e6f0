import type { DistributionBin, RangeView } from "../../src/server/api-types.js";
import type { UrlRange } from "./url-state.js";

const dayMs = (s: string): number => Date.parse(`${s}T00:00:00Z`);

/**
 * A brushed interval [lo, hi] (data units; milliseconds for the timeline) snapped outward to the range filter the
 * server accepts: bin edges for a numeric column, the edges of the weeks or months the brush touches for the
 * timeline. Undefined when the brush is empty or touches no bin.
 * @param bins the bins the chart shows (for the timeline, its weeks or months)
 */
export function snapRange(
  r: RangeView,
  lo: number,
  hi: number,
  bins: readonly Pick<DistributionBin, "start" | "end">[],
): UrlRange | undefined {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
  if (r.kind === "numeric") {
    const i = Math.max(0, Math.min(r.bins - 1, Math.floor((lo - r.start) / r.width + 1e-9)));
    const j = Math.max(i + 1, Math.min(r.bins, Math.ceil((hi - r.start) / r.width - 1e-9)));
    const edge = (k: number) => Number((r.start + k * r.width).toPrecision(12));
    return [edge(i), edge(j)];
  }
  const touched = bins.filter((b) => dayMs(String(b.end)) > lo && dayMs(String(b.start)) < hi);
  if (!touched.length) return undefined;
  return [String(touched[0].start), String(touched[touched.length - 1].end)];
}
