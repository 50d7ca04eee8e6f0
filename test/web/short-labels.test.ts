import { describe, expect, it } from "vitest";
import { renderSvg } from "../../src/report/render-svg.js";
import { textWidth } from "../../src/report/text-metrics.js";
import { riskCategorySpec, shortAxisLabels, type BarDatum } from "../../web/src/charts.js";

const OFFENCES = [
  "WANTON ENDANGERMENT-1ST DEGREE-POLICE OFFICER",
  "WANTON ENDANGERMENT-1ST DEGREE",
  "ASSAULT - 4TH DEGREE - DOMESTIC VIOLENCE",
  "ASSAULT - 4TH DEGREE - POLICE OFFICER",
  "MENACING",
];

const bar = (label: string, i: number): BarDatum =>
  ({ key: label, label, count: 100 - i, count_text: String(100 - i), positives: 10, positives_text: "10", rate: 0.1 }) as BarDatum;

describe("category labels of the dashboard's charts", () => {
  it("cut long values in the middle and keep them distinct; short values are left alone", () => {
    expect(shortAxisLabels(["MENACING", "THEFT"], 120)).toEqual({});
    const labelExpr = shortAxisLabels(OFFENCES, 140).labelExpr ?? "";
    expect(labelExpr).toContain("[datum.value]");
    const map = JSON.parse(labelExpr.slice(0, labelExpr.indexOf("[datum.value]"))) as Record<string, string>;
    const short = OFFENCES.map((o) => map[o]);
    expect(new Set(short).size).toBe(OFFENCES.length);
    for (const s of short) expect(textWidth(s, 11)).toBeLessThanOrEqual(140);
    expect(map["ASSAULT - 4TH DEGREE - POLICE OFFICER"]).toMatch(/^ASSAULT.*….*FICER$/);
    expect(map.MENACING).toBe("MENACING");
  });

  it("draw the short, distinct labels on a phone-width risk chart (Vega renders the labelExpr)", async () => {
    const spec = riskCategorySpec(OFFENCES.map(bar), 340, "UOR_DESC", "Officer assaulted", 0.1);
    const svg = await renderSvg(spec as Parameters<typeof renderSvg>[0]);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    const labels = texts.filter((t) => t.includes("…") && /ASSAULT|WANTON/.test(t));
    // The four long offences, each once and distinct: cut at the end alone, the two WANTON and the two ASSAULT
    // values would read the same ("WANTON ENDA…").
    expect(labels).toHaveLength(4);
    expect(new Set(labels).size).toBe(4);
    for (const l of labels) expect(l.indexOf("…")).toBeLessThan(l.length - 2);
  });
});
