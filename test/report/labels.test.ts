import { describe, expect, it } from "vitest";
import { distinctLabels, truncateMiddle } from "../../src/report/labels.js";
import { logTicks } from "../../src/report/risk-charts.js";

describe("truncateMiddle(s, max) and distinctLabels(labels, max)", () => {
  it("cuts the middle so that labels differing at the end stay different, within max", () => {
    const a = "WANTON ENDANGERMENT-1ST DEGREE-POLICE OFFICER";
    const b = "WANTON ENDANGERMENT-1ST DEGREE";
    expect(truncateMiddle(b, 40)).toBe(b);
    const t = truncateMiddle(a, 30);
    expect(t.length).toBeLessThanOrEqual(30);
    expect(t.startsWith("WANTON ENDANGERM")).toBe(true);
    expect(t.endsWith("OFFICER")).toBe(true);
    expect(t).toContain("…");
  });

  it("numbers labels that still collide after shortening, and keeps every result within max", () => {
    const labels = ["ASSAULT 3RD - PEACE OFFICER - BODILY FLUID", "ASSAULT 3RD - PE OFFICER X - BODILY FLUID", "MENACING"];
    const out = distinctLabels(labels, 24);
    expect(new Set(out).size).toBe(3);
    expect(out[2]).toBe("MENACING");
    for (const l of out) expect(l.length).toBeLessThanOrEqual(24);
  });
});

describe("logTicks(lo, hi)", () => {
  it("labels an odds-ratio axis to its end: 1-2-5 steps up to 4 decades, powers of ten beyond", () => {
    expect(logTicks(0.5, 300)).toEqual([0.5, 1, 2, 5, 10, 20, 50, 100, 200]);
    const wide = logTicks(0.0004, 5000);
    expect(wide).toEqual([0.001, 0.01, 0.1, 1, 10, 100, 1000]);
    expect(logTicks(1e-5, 1e5).length).toBeLessThan(11);
    expect(logTicks(1e-5, 1e5)).toContain(1);
  });
});

describe("dataSection(results, minCell, manifest)", () => {
  it("prints timings in seconds, converting <step>_ms, and the versions", async () => {
    const { dataSection } = await import("../../src/report/sections.js");
    const { readFileSync } = await import("node:fs");
    const results = JSON.parse(readFileSync("test/fixtures/results/risk.json", "utf8")) as Parameters<typeof dataSection>[0];
    const html = dataSection(results, 10, {
      versions: { openbeat: "0.1.0", duckdb: "v1.5.6" },
      timings: { load_ms: 2416, model: 12.5, prepare: 0.034 },
    });
    expect(html).toContain("load 2.42 s");
    expect(html).toContain("model 12.5 s");
    expect(html).toContain("prepare 0.03 s");
    expect(html).not.toContain("_ms");
    expect(html).toContain("openbeat 0.1.0, duckdb v1.5.6");
  });
});
