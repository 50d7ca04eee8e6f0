import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport, compileSpec, renderSvg, riskCharts, segmentsCharts, writeReport } from "../../src/report/index.js";
import { roundDeep } from "../../src/report/format.js";
import { rewindGeometry } from "../../src/report/geo.js";
import { topShareSentence } from "../../src/report/risk-charts.js";
import type { FeatureCollection, ReportRiskResults, ReportSegmentsResults, VegaLiteSpec } from "../../src/report/types.js";

const fixture = (name: string) => JSON.parse(readFileSync(join("test/fixtures/results", name), "utf8"));
const risk = (): ReportRiskResults => fixture("risk.json");
const segments = (): ReportSegmentsResults => fixture("segments.json");
const areas = (): FeatureCollection => fixture("areas.geojson");

/** Numbers with more than 3 decimals rounded, so goldens survive last-digit float noise. */
function normalizeHtml(html: string): string {
  return html.replace(/-?\d+\.\d{4,}/g, (m) => String(Math.round(Number(m) * 1000) / 1000));
}

/** Inline data values of a (possibly layered, faceted or concatenated) spec. */
function dataValues(spec: VegaLiteSpec): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o.data && typeof o.data === "object" && Array.isArray((o.data as { values?: unknown }).values))
        out.push(...(o.data as { values: Record<string, unknown>[] }).values);
      for (const x of Object.values(o)) walk(x);
    }
  };
  walk(spec);
  return out;
}

describe("riskCharts(results, { minCell })", () => {
  const charts = riskCharts(risk(), { minCell: 10 });

  it("builds the headline, curve, factor and finding charts", () => {
    expect(Object.keys(charts)).toEqual(["metrics", "confusion", "roc", "pr", "top_share", "factors", "findings"]);
  });

  it.each(["metrics", "confusion", "roc", "pr", "top_share", "factors", "findings"])(
    "spec %s matches its golden and uses inline data only",
    async (name) => {
      const json = JSON.stringify(roundDeep(charts[name]), null, 1);
      expect(json).not.toMatch(/"url"\s*:/);
      await expect(json + "\n").toMatchFileSnapshot(`golden/risk-${name}.json`);
    },
  );

  it("shows the top 15 factors each side on a log scale with full names in the tooltip", () => {
    const values = dataValues(charts.factors).filter((v) => "odds_ratio" in v);
    expect(values.filter((v) => v.direction === "raises the odds")).toHaveLength(15);
    expect(values.filter((v) => v.direction === "lowers the odds")).toHaveLength(15);
    expect(JSON.stringify(charts.factors)).toContain('"type":"log"');
    const long = values.find((v) => String(v.name).length > 38)!;
    expect(String(long.label).length).toBeLessThanOrEqual(38);
    expect(String(long.label).endsWith("…")).toBe(true);
  });

  it("quotes the share flagged and the share of positives caught", () => {
    expect(topShareSentence(risk())).toBe("Flag the top 20% of incidents and you catch 63% of positives (precision 9.5%).");
    expect(JSON.stringify(charts.top_share)).toContain("Flag the top 20% of incidents");
  });

  it("every spec compiles without warnings that matter and renders to SVG with marks", async () => {
    for (const [name, spec] of Object.entries(charts)) {
      const { warnings } = compileSpec(spec);
      expect(
        warnings.filter((w) => !w.includes("faceted independent scales")),
        name,
      ).toEqual([]);
      const svg = await renderSvg(spec, { idPrefix: name });
      expect(svg.startsWith("<svg"), name).toBe(true);
      expect(svg, name).toMatch(/class="mark-(rect|symbol|line|rule|shape)/);
    }
  });
});

describe("segmentsCharts(results, { minCell, areas })", () => {
  const charts = segmentsCharts(segments(), { minCell: 10, areas: areas() });

  it("builds k selection, structure, variance shares, PCA, profile, sizes, per-cluster distributions and maps", () => {
    expect(Object.keys(charts)).toEqual([
      "k_selection",
      "structure",
      "variance_shares",
      "pca",
      "profile",
      "sizes",
      "distribution_0",
      "distribution_1",
      "distribution_2",
      "distribution_3",
      "map_dominant",
      "map_shares",
    ]);
  });

  it.each(["k_selection", "structure", "variance_shares", "pca", "profile", "sizes", "distribution_0", "map_dominant", "map_shares"])(
    "spec %s matches its golden",
    async (name) => {
      await expect(JSON.stringify(roundDeep(charts[name]), null, 1) + "\n").toMatchFileSnapshot(`golden/segments-${name}.json`);
    },
  );

  it("draws the data's silhouette against the reference band per k, and the stability of each k", () => {
    const r = segments();
    const band = dataValues(charts.structure);
    expect(band).toHaveLength(r.k_selection.length);
    const at4 = band.find((v) => v.k === 4)!;
    const row = r.structure!.null.per_k.find((x) => x.k === 4)!;
    expect(at4).toMatchObject({ observed: row.observed, lo: row.null_quantiles[0], hi: row.null_quantiles[2] });
    const stability = dataValues(charts.k_selection).filter((v) => String(v.metric).startsWith("Stability"));
    expect(stability.map((v) => v.k)).toEqual(r.k_selection.map((x) => x.k));
    expect(stability[0].value).toBe(r.k_selection[0].stability!.mean);
    const shares = dataValues(charts.variance_shares);
    expect(shares.filter((v) => v.measure === "share of the separation between clusters")).toHaveLength(r.variance_shares.length);
    expect(shares.some((v) => v.variable === "District (area)")).toBe(true);
  });

  it("tolerates results without pca_sample or areas", () => {
    const r = segments();
    delete r.pca_sample;
    const c = segmentsCharts(r, { minCell: 10 });
    expect(c.pca).toBeUndefined();
    expect(c.map_dominant).toBeUndefined();
    expect(c.profile).toBeDefined();
  });

  it("marks the chosen k and colours the profile by lift on a diverging scale", () => {
    const k = dataValues(charts.k_selection).filter((v) => v.chosen);
    expect(new Set(k.map((v) => v.k))).toEqual(new Set([4]));
    expect(JSON.stringify(charts.profile)).toContain('"domainMid":0');
  });

  it("every spec renders to SVG with marks", async () => {
    for (const [name, spec] of Object.entries(charts)) {
      const svg = await renderSvg(spec, { idPrefix: name });
      expect(svg, name).toMatch(/class="mark-(rect|symbol|line|rule|shape)/);
    }
  });
});

describe("small counts are suppressed", () => {
  it("confusion cells below minCell have no cell and read <minCell", () => {
    const r = risk();
    r.metrics.confusion_matrix = [
      [30000, 1600],
      [7, 947],
    ];
    const values = dataValues(riskCharts(r, { minCell: 10 }).confusion);
    const cell = values.find((v) => v.actual === "1 (positive)" && v.predicted === "0 (negative)")!;
    expect(cell).toMatchObject({ suppressed: true, count: null, share: null, label: "<10" });
    expect(values.filter((v) => !v.suppressed)).toHaveLength(3);
  });

  it("findings and factors with small counts are left out of charts and shown as <minCell in tables", async () => {
    const r = risk();
    r.findings[0] = { ...r.findings[0], value: "TINY GROUP", count: 7, positives: 2 };
    r.factors[0] = { ...r.factors[0], value: "TINY LEVEL", feature: `${r.factors[0].column}=TINY LEVEL`, count: 4 };
    const charts = riskCharts(r, { minCell: 10 });
    expect(dataValues(charts.findings).some((v) => v.full === "TINY GROUP")).toBe(false);
    expect(dataValues(charts.factors).some((v) => String(v.name).includes("TINY LEVEL"))).toBe(false);
    const html = await buildReport(r, { generatedAt: "2025-01-15" });
    const row = html.split("\n").find((l) => l.includes("<td>TINY GROUP</td>"))!;
    expect(row).toContain("&lt;10");
    expect(row).not.toContain(">7<");
    expect(html).toContain("Counts below 10 are shown as &quot;&lt;10&quot; and left out of the charts");
  });

  it("a larger minCell hides more, and results' report.min_cell is the default", async () => {
    const r = risk();
    const at10 = dataValues(riskCharts(r, { minCell: 10 }).findings).length;
    const at200 = dataValues(riskCharts(r, { minCell: 200 }).findings).length;
    expect(at200).toBeLessThan(at10);
    r.report = { min_cell: 200 };
    const html = await buildReport(r, { generatedAt: "x" });
    expect(html).toContain("Counts below 200");
  });

  it("histogram bins, top values and small areas are suppressed in segments", async () => {
    const charts = segmentsCharts(segments(), { minCell: 10, areas: areas() });
    const bins = dataValues(charts.distribution_3).map((v) => v.bin);
    expect(bins).not.toContain("40–49");
    expect(bins).toContain("10–19");
    const area = (charts.map_dominant.datasets as { areas: { properties: Record<string, unknown> }[] }).areas.find(
      (a) => a.properties.name === "Greenmount",
    )!;
    expect(area.properties).toMatchObject({ rows: "<10", suppressed: true, share_0: null, dominant: null });
    const html = await buildReport(segments(), { areas: areas(), generatedAt: "x" });
    expect(html).toMatch(/FIREARM <span class="muted">&lt;10<\/span>/);
    expect(html).toContain('<td>Mt. Washington </td><td class="n">&lt;10</td>');
  });
});

describe("buildReport(results, options)", () => {
  it("is deterministic: same input, byte-identical HTML", async () => {
    const opts = { manifest: fixture("risk-manifest.json"), generatedAt: "2025-01-15T10:00:00Z" };
    const a = await buildReport(risk(), opts);
    const b = await buildReport(risk(), opts);
    expect(a).toBe(b);
    expect(a).toContain("generated 2025-01-15T10:00:00Z");
    const s1 = await buildReport(segments(), { areas: areas(), generatedAt: "g" });
    const s2 = await buildReport(segments(), { areas: areas(), generatedAt: "g" });
    expect(s1).toBe(s2);
  });

  it("is self-contained: no scripts, nothing loaded from the network, print styles", async () => {
    for (const html of [
      await buildReport(risk(), { generatedAt: "g" }),
      await buildReport(segments(), { areas: areas(), generatedAt: "g" }),
    ]) {
      expect(html).not.toMatch(/<script|<link|<img|<iframe/i);
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(html).toContain("@media print");
      expect(html).toMatch(/<figure class="chart" data-chart="[a-z_0-9]+"><svg/);
    }
  });

  it("puts leakage warnings in a box at the top, then question and data, in presenting order", async () => {
    const html = await buildReport(risk(), { manifest: fixture("risk-manifest.json"), generatedAt: "g" });
    const at = (s: string) => html.indexOf(s);
    expect(at('class="leak"')).toBeGreaterThan(0);
    expect(at('class="leak"')).toBeLessThan(at("Question and data"));
    expect(html).toContain("<code>UOR_DESC</code>");
    const order = [
      "Question and data",
      "Warnings",
      "Headline",
      'data-chart="confusion"',
      'data-chart="factors"',
      "Raise the odds most",
      'data-chart="findings"',
      "Method in plain words",
    ];
    const positions = order.map(at);
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(html).toContain("89d6b1c695dc42d140e1372cdf24e06e4800f20f7e3710b8187e5dc0ca31b671");
    expect(html).toContain("2019-01-01T00:14:00");
    expect(html).toContain("SMOTE created synthetic minority rows from the training rows of each fold only");
    expect(html).toContain("C = 1.00");
  });

  it("shows the SYNTHETIC DATA banner only for synthetic results", async () => {
    expect(await buildReport(segments(), { generatedAt: "g" })).toContain("SYNTHETIC DATA");
    expect(await buildReport(risk(), { generatedAt: "g" })).not.toContain("SYNTHETIC DATA");
  });

  it("segments report has cluster cards, maps and the method", async () => {
    const html = await buildReport(segments(), { manifest: fixture("segments-manifest.json"), areas: areas(), generatedAt: "g" });
    expect(html.match(/<article class="cluster"/g)).toHaveLength(4);
    for (const n of ["map_dominant", "map_shares", "profile", "k_selection", "pca", "distribution_0"])
      expect(html).toContain(`data-chart="${n}"`);
    expect(html).toContain("k = 4 (seeds disagree: 4, 4, 4, 5, 4) was chosen by largest silhouette");
    expect(html).toContain('data-structure="clear"');
    expect(html).toContain('data-chart="structure"');
    expect(html).toContain('data-chart="variance_shares"');
    expect(html).toContain("PCA kept 2 components");
  });

  it("matches the normalized HTML goldens", async () => {
    const r = await buildReport(risk(), { manifest: fixture("risk-manifest.json"), generatedAt: "2025-01-15" });
    await expect(normalizeHtml(r)).toMatchFileSnapshot("golden/risk.html");
    const s = await buildReport(segments(), { manifest: fixture("segments-manifest.json"), areas: areas(), generatedAt: "2025-01-15" });
    await expect(normalizeHtml(s)).toMatchFileSnapshot("golden/segments.html");
  });

  it("writeReport(dir, results, options) writes dir/report.html", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openbeat-report-"));
    try {
      const path = await writeReport(join(dir, "out"), risk(), { generatedAt: "g" });
      expect(path).toBe(join(dir, "out", "report.html"));
      expect(readFileSync(path, "utf8")).toBe(await buildReport(risk(), { generatedAt: "g" }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("rewindGeometry(geometry)", () => {
  const ccw = [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
    [0, 0],
  ];
  it("winds exteriors clockwise and holes counter-clockwise, as d3-geo expects", () => {
    const g = rewindGeometry({ type: "Polygon", coordinates: [ccw, [...ccw].reverse()] });
    const [outer, hole] = g.coordinates as number[][][];
    expect(outer).toEqual([...ccw].reverse());
    expect(hole).toEqual(ccw);
  });
  it("leaves a clockwise exterior alone and rounds coordinates", () => {
    const g = rewindGeometry({
      type: "MultiPolygon",
      coordinates: [
        [
          [
            [0, 0],
            [0, 1.0000001],
            [1, 1],
            [1, 0],
            [0, 0],
          ],
        ],
      ],
    });
    expect(g.coordinates).toEqual([
      [
        [
          [0, 0],
          [0, 1],
          [1, 1],
          [1, 0],
          [0, 0],
        ],
      ],
    ]);
  });
});
