import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defined } from "../checks.js";
import { describe, expect, it } from "vitest";
import { buildReport, compileSpec, renderSvg, riskCharts, segmentsCharts, writeReport } from "../../src/report/index.js";
import { roundDeep } from "../../src/report/format.js";
import { rewindGeometry } from "../../src/report/geo.js";
import { topShareSentence } from "../../src/report/risk-charts.js";
import type { FeatureCollection, ReportManifest, ReportRiskResults, ReportSegmentsResults, VegaLiteSpec } from "../../src/report/types.js";

const fixture = (name: string): unknown => JSON.parse(readFileSync(join("test/fixtures/results", name), "utf8"));
const risk = () => fixture("risk.json") as ReportRiskResults;
const segments = () => fixture("segments.json") as ReportSegmentsResults;
const areas = () => fixture("areas.geojson") as FeatureCollection;
const manifest = (name: string) => fixture(name) as ReportManifest;

/** The value, or a failed test naming what was missing. */
function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing: ${what}`);
  return value;
}

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

  it("builds the headline, curve, calibration, factor, finding and drift charts", () => {
    expect(Object.keys(charts)).toEqual(["metrics", "confusion", "roc", "pr", "calibration", "top_share", "factors", "findings", "drift"]);
  });

  it.each(["metrics", "confusion", "roc", "pr", "calibration", "top_share", "factors", "findings", "drift"])(
    "spec %s matches its golden and uses inline data only",
    async (name) => {
      const json = JSON.stringify(roundDeep(charts[name]), null, 1);
      expect(json).not.toMatch(/"url"\s*:/);
      await expect(json + "\n").toMatchFileSnapshot(`golden/risk-${name}.json`);
    },
  );

  it("shows the strongest ranked levels of each predictor against its reference on a log scale, full names in the tooltip", () => {
    const values = dataValues(charts.factors).filter((v) => "odds_ratio" in v);
    const r = risk();
    const predictors = new Set(r.factors.filter((f) => f.status === "ranked").map((f) => f.column));
    expect(values).toHaveLength(Math.min(30, r.factors.filter((f) => f.status === "ranked").length));
    for (const c of predictors) expect(values.some((v) => String(v.name).startsWith(`${c} = `))).toBe(true);
    const ranks = values.map((v) => Number(v.rank));
    const byColumn = (v: Record<string, unknown>) => String(v.name).split(" = ")[0];
    for (let i = 1; i < values.length; ++i)
      if (byColumn(values[i]) === byColumn(values[i - 1])) expect(ranks[i]).toBeGreaterThan(ranks[i - 1]);
    expect(values.every((v) => typeof v.reference === "string")).toBe(true);
    for (const v of values)
      expect(v.direction).toBe(Number(v.odds_ratio) >= 1 ? "higher odds than the reference level" : "lower odds than the reference level");
    expect(JSON.stringify(charts.factors)).toContain('"type":"log"');
    expect(JSON.stringify(charts.factors)).not.toMatch(/raises the odds|1 = no effect|other things equal/);
    // Long names are cut in the middle (their ends tell offences apart), and no two labels are the same.
    const long = values.find((v) => String(v.name).length > 50);
    expect(long).toBeDefined();
    const label = String(long?.label);
    expect(label.length).toBeLessThanOrEqual(50);
    expect(label.slice(1, -1)).toContain("…");
    expect(String(long?.name).endsWith(label.split("…")[1].replace(/ \(\d+\)$/, ""))).toBe(true);
    expect(new Set(values.map((v) => v.label)).size).toBe(values.length);
  });

  it("draws the reliability curve with every bin's mean risk and observed rate on a square-root scale", () => {
    const values = dataValues(charts.calibration).filter((v) => "observed" in v);
    expect([...new Set(values.map((v) => v.bin))]).toEqual(risk().metrics.calibration.curve.map((b) => b.bin));
    for (const b of risk().metrics.calibration.curve)
      expect(values.find((v) => v.bin === b.bin)).toMatchObject({ predicted: b.mean_predicted, observed: b.observed });
    expect(JSON.stringify(charts.calibration)).toContain('"type":"sqrt"');
  });

  it("quotes the share flagged and the share of positives caught", () => {
    const row = risk().curves.top_share.find((r) => r.share === 0.2);
    expect(row).toBeDefined();
    const sentence = `Flag the top 20% of incidents and you catch ${Math.round(100 * (row?.recall ?? NaN))}% of positives`;
    expect(topShareSentence(risk())).toContain(sentence);
    expect(JSON.stringify(charts.top_share)).toContain(sentence);
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

  it("draws the disclosed PCA density, one circle per shown cell at its centre, when there is no row sample", () => {
    const { pca_sample: _sample, ...rest } = segments();
    const density = {
      bins: 4,
      pc1: [0, 4] as [number, number],
      pc2: [-2, 2] as [number, number],
      cells: [
        { cluster: 0, i: 0, j: 0, count: 25 },
        { cluster: 0, i: 1, j: 3, count: null, suppressed: ["count"] },
        { cluster: 1, i: 3, j: 2, count: 12 },
      ],
    };
    const pca = defined(segmentsCharts({ ...rest, pca_density: density }, { minCell: 10 }).pca, "the PCA chart");
    const values = dataValues(pca);
    expect(values.map((v) => [v.pc1, v.pc2, v.rows])).toEqual([
      [0.5, -1.5, 25],
      [3.5, 0.5, 12],
    ]);
    expect(JSON.stringify(pca)).toContain("1 small cell not drawn");
  });

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
    const at4 = must(
      band.find((v) => v.k === 4),
      "the band at k = 4",
    );
    const row = must(
      must(r.structure, "structure").null.per_k.find((x) => x.k === 4),
      "the null at k = 4",
    );
    expect(at4).toMatchObject({ observed: row.observed, lo: row.null_quantiles[0], hi: row.null_quantiles[2] });
    const stability = dataValues(charts.k_selection).filter((v) => String(v.metric).startsWith("Stability"));
    expect(stability.map((v) => v.k)).toEqual(r.k_selection.map((x) => x.k));
    expect(stability[0].value).toBe(must(r.k_selection[0].stability, "stability at the first k").mean);
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
    const cell = must(
      values.find((v) => v.actual === "1 (positive)" && v.predicted === "0 (negative)"),
      "cell",
    );
    expect(cell).toMatchObject({ suppressed: true, count: null, share: null, label: "<10" });
    expect(values.filter((v) => !v.suppressed)).toHaveLength(3);
  });

  it("findings and factors with small counts are left out of charts and shown as <minCell in tables", async () => {
    const r = risk();
    r.findings[0] = { ...r.findings[0], value: "TINY GROUP", count: 7, positives: 2 };
    expect(r.factors[0].status).toBe("ranked");
    r.factors[0] = { ...r.factors[0], value: "TINY LEVEL", feature: `${r.factors[0].column}=TINY LEVEL`, count: 4 };
    const charts = riskCharts(r, { minCell: 10 });
    expect(dataValues(charts.findings).some((v) => v.full === "TINY GROUP")).toBe(false);
    expect(dataValues(charts.factors).some((v) => String(v.name).includes("TINY LEVEL"))).toBe(false);
    const html = await buildReport(r, { generatedAt: "2025-01-15" });
    const row = must(
      html.split("\n").find((l) => l.includes("<td>TINY GROUP</td>")),
      "row",
    );
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
    const area = must(
      (charts.map_dominant.datasets as { areas: { properties: Record<string, unknown> }[] }).areas.find(
        (a) => a.properties.name === "Greenmount",
      ),
      "area",
    );
    expect(area.properties).toMatchObject({ rows: "<10", suppressed: true, share_0: null, dominant: null });
    const html = await buildReport(segments(), { areas: areas(), generatedAt: "x" });
    expect(html).toMatch(/FIREARM <span class="muted">&lt;10<\/span>/);
    expect(html).toContain('<td>Mt. Washington </td><td class="n">&lt;10</td>');
  });
});

describe("buildReport(results, options)", () => {
  it("is deterministic: same input, byte-identical HTML", async () => {
    const opts = { manifest: manifest("risk-manifest.json"), generatedAt: "2025-01-15T10:00:00Z" };
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
    const html = await buildReport(risk(), { manifest: manifest("risk-manifest.json"), generatedAt: "g" });
    const at = (s: string) => html.indexOf(s);
    expect(at('class="leak"')).toBeGreaterThan(0);
    expect(at('class="leak"')).toBeLessThan(at("Question and data"));
    expect(html).toContain("<code>UOR_DESC</code>");
    const order = [
      'id="abstract"',
      "Question and data",
      'id="eligibility"',
      'id="outcome"',
      'id="predictors"',
      'id="sample-size"',
      'id="missing"',
      "Warnings",
      'id="methods"',
      'id="performance"',
      'data-chart="calibration"',
      'id="threshold"',
      'data-chart="confusion"',
      'id="comparison"',
      'id="model"',
      'id="factors"',
      'data-chart="factors"',
      'id="findings"',
      'data-chart="findings"',
      'id="limitations"',
      'id="interpretation"',
      'id="tripod"',
      'id="appendix-sql"',
      'id="appendix-model"',
    ];
    const positions = order.map(at);
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(html).toContain("89d6b1c695dc42d140e1372cdf24e06e4800f20f7e3710b8187e5dc0ca31b671");
    expect(html).toContain(String(risk().data.date_range?.min));
    expect(html).toContain("SMOTE created synthetic minority rows from the training rows of each fold only");
    expect(html).toContain("C = 1.00");
  });

  it("follows TRIPOD: says what the study is, links every checklist item to its section, and speaks of association", async () => {
    const html = await buildReport(risk(), { manifest: manifest("risk-manifest.json"), generatedAt: "g" });
    expect(html).toContain("Development and internal validation of a model that predicts <strong>officer_assaulted</strong>");
    expect(html).toContain("TRIPOD type 1b");
    const table = html.slice(html.indexOf('id="tripod"'), html.indexOf('id="appendix-sql"'));
    for (const item of [
      "1",
      "2",
      "4a",
      "4b",
      "5b",
      "6a",
      "7a",
      "8",
      "9",
      "10a",
      "10b",
      "10d",
      "13a",
      "14a",
      "15a",
      "15b",
      "16",
      "18",
      "19b",
      "20",
    ])
      expect(table).toContain(`<tr><td>${item}</td>`);
    for (const [, id] of table.matchAll(/href="#([a-z-]+)"/g)) expect(html, id).toContain(`id="${id}"`);
    expect(html).not.toMatch(/raises the odds|1 = no effect|other things equal/i);
    expect(html).toContain("associated with");
    expect(html).toMatch(/\d+ groups were tested/);
    expect(html).toContain("events per variable");
    // both models and both intercepts
    expect(html).toContain("The scoring model");
    expect(html).toContain("The inference model");
    const prepare = risk().eligibility.steps[0].sql.split("\n")[0];
    expect(html).toContain(prepare.replaceAll("'", "&#39;"));
  });

  it("generates limitations from the run: leakage, EPV, label checks, calibration, internal validation", async () => {
    const r = risk();
    const html = await buildReport(r, { generatedAt: "g" });
    const limits = html.slice(html.indexOf('id="limitations"'), html.indexOf('id="interpretation"'));
    expect(limits).toContain("Label leakage");
    expect(limits).toContain("Few events per variable");
    expect(limits).toContain("Internal validation only");
    expect(limits).toContain("Observational records");
    r.warnings = r.warnings.filter((w) => !w.code.includes("leak") && w.code !== "risk.low_epv");
    r.inference.epv = 25;
    const clean = await buildReport(r, { generatedAt: "g" });
    const cleanLimits = clean.slice(clean.indexOf('id="limitations"'), clean.indexOf('id="interpretation"'));
    expect(cleanLimits).not.toContain("Label leakage");
    expect(cleanLimits).not.toContain("Few events per variable");
  });

  it("shows the SYNTHETIC DATA banner only for synthetic results", async () => {
    expect(await buildReport(segments(), { generatedAt: "g" })).toContain("SYNTHETIC DATA");
    expect(await buildReport(risk(), { generatedAt: "g" })).not.toContain("SYNTHETIC DATA");
  });

  it("segments report has cluster cards, maps and the method", async () => {
    const html = await buildReport(segments(), { manifest: manifest("segments-manifest.json"), areas: areas(), generatedAt: "g" });
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
    const r = await buildReport(risk(), { manifest: manifest("risk-manifest.json"), generatedAt: "2025-01-15" });
    await expect(normalizeHtml(r)).toMatchFileSnapshot("golden/risk.html");
    const s = await buildReport(segments(), { manifest: manifest("segments-manifest.json"), areas: areas(), generatedAt: "2025-01-15" });
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
