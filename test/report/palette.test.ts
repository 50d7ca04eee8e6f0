import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATEGORY_PALETTE, categoryColor, clusterColor, segmentsCharts } from "../../src/report/index.js";
import type { ReportSegmentsResults } from "../../src/report/types.js";
import { CLUSTER_COLORS, clusterSpec, stackedSpec } from "../../web/src/charts.js";

const segments = () => JSON.parse(readFileSync(join("test/fixtures/results", "segments.json"), "utf8")) as ReportSegmentsResults;

/** name -> colour of every colour scale with an explicit domain and range in a (nested) spec. */
function scaleColors(spec: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const s = o.scale as { domain?: unknown; range?: unknown } | undefined;
      if (o.field === "cluster" || o.field === "label") {
        if (s && Array.isArray(s.domain) && Array.isArray(s.range))
          s.domain.forEach((d, i) => out.set(String(d), String((s.range as unknown[])[i])));
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(spec);
  return out;
}

describe("the shared category palette", () => {
  it("categoryColor(i) repeats after the palette's length and stays distinct within it", () => {
    expect(new Set(CATEGORY_PALETTE).size).toBe(CATEGORY_PALETTE.length);
    expect(categoryColor(CATEGORY_PALETTE.length + 2)).toBe(CATEGORY_PALETTE[2]);
    expect(categoryColor(-1)).toBe(CATEGORY_PALETTE[CATEGORY_PALETTE.length - 1]);
  });

  it("the report and the dashboard give cluster i the same colour", () => {
    const results = segments();
    const names = results.clusters.map((c) => (c.label ? `${String(c.id)} · ${c.label}` : `Cluster ${String(c.id)}`));
    expect(names.length).toBeGreaterThanOrEqual(3);
    const report = scaleColors(segmentsCharts(results, { minCell: 10 }));
    const dashSizes = scaleColors(clusterSpec([], 600, names));
    const dashBars = scaleColors(stackedSpec([], 600, "x", names, false, 0));
    for (const [i, name] of names.entries()) {
      expect(report.get(name), name).toBe(clusterColor(i));
      expect(dashSizes.get(name), name).toBe(report.get(name));
      expect(dashBars.get(name), name).toBe(report.get(name));
      expect(CLUSTER_COLORS[i]).toBe(clusterColor(i));
    }
  });
});
