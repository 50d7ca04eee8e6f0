import * as vega from "vega";
import { describe, expect, it } from "vitest";
import { installTextMetrics, textWidth } from "../../src/report/text-metrics.js";

interface Metrics {
  width: (item: { fontSize?: number | string; fontWeight?: string | number; limit?: number }, text: unknown) => number;
}

describe("installTextMetrics()", () => {
  it("makes vega measure text with the DejaVu Sans widths, once and idempotently", () => {
    installTextMetrics();
    const metrics = (vega as unknown as { textMetrics: Metrics }).textMetrics;
    const first = metrics.width;
    installTextMetrics();
    expect(metrics.width).toBe(first);
    expect(metrics.width({ fontSize: 10 }, "Hi")).toBeCloseTo(textWidth("Hi", 10), 12);
    // "H" is 752/1000 em and "i" 278/1000 em in DejaVu Sans; bold is 8% wider
    expect(textWidth("Hi", 10)).toBeCloseTo(10.3, 12);
    expect(metrics.width({ fontSize: 10, fontWeight: "bold" }, "Hi")).toBeCloseTo(10.3 * 1.08, 12);
    expect(metrics.width({ fontSize: "20", limit: 5 }, "Hi")).toBe(5);
    expect(metrics.width({}, null)).toBe(0);
    expect(metrics.width({ fontSize: 10 }, ["Hi", "Hi"])).toBeCloseTo(textWidth("Hi,Hi", 10), 12);
  });
});
