import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { hasChromium, launchChromium } from "./browser.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReport } from "../../src/report/index.js";
import type { FeatureCollection, ReportManifest } from "../../src/report/types.js";
import type { Results } from "../../src/results/types.js";
import { Db } from "../../src/data/Db.js";
import { auditHtml } from "../../src/disclosure/audit.js";
import { policyOfManifest } from "../../src/disclosure/policy.js";
import { reportSquares, sqlSquares } from "../report/point-map-helpers.js";
import { exampleRuns } from "./example-runs.js";

const ARTIFACTS = resolve("test-artifacts");
const fixture = (name: string): unknown => JSON.parse(readFileSync(join("test/fixtures/results", name), "utf8"));

describe.skipIf(!hasChromium && !process.env.CI)("report.html in headless Chromium", () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await writeReport(join(ARTIFACTS, "report-risk"), fixture("risk.json") as Results, {
      manifest: fixture("risk-manifest.json") as ReportManifest,
      generatedAt: "2025-01-15",
    });
    await writeReport(join(ARTIFACTS, "report-segments"), fixture("segments.json") as Results, {
      manifest: fixture("segments-manifest.json") as ReportManifest,
      areas: fixture("areas.geojson") as FeatureCollection,
      generatedAt: "2025-01-15",
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    // Unset when beforeAll failed.
    await browser?.close();
  });

  it.each([
    ["risk", 9],
    ["segments", 12],
  ])("the %s report shows every chart as an SVG with marks, offline and without console errors", async (name, charts) => {
    if (!browser) throw new Error("Chromium did not start");
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) requests.push(r.url());
    });
    await page.goto(pathToFileURL(join(ARTIFACTS, `report-${name}`, "report.html")).href, { waitUntil: "load" });

    const figures = await page.$$eval("figure.chart", (els) =>
      els.map((el) => {
        const svg = el.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        return {
          name: el.getAttribute("data-chart"),
          hasSvg: !!svg,
          marks: el.querySelectorAll('g[class*="role-mark"] > *').length,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    expect(figures).toHaveLength(charts);
    for (const f of figures) {
      expect(f.hasSvg, f.name ?? "").toBe(true);
      expect(f.marks, f.name ?? "").toBeGreaterThan(0);
      expect(f.width, f.name ?? "").toBeGreaterThan(100);
      expect(f.height, f.name ?? "").toBeGreaterThan(80);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, `report-${name}.png`), fullPage: true });
    await page.close();
  });

  it.each(["risk", "segments"])("the %s report fits a 390 px phone: no sideways scroll, wide tables scroll in place", async (name) => {
    if (!browser) throw new Error("Chromium did not start");
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(pathToFileURL(join(ARTIFACTS, `report-${name}`, "report.html")).href, { waitUntil: "load" });
    const m = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      tables: [...document.querySelectorAll("table")].map((t) => t.getBoundingClientRect().right),
      scrolling: [...document.querySelectorAll("table")].filter((t) => t.scrollWidth > t.clientWidth).length,
    }));
    expect(m.overflow).toBeLessThanOrEqual(0);
    expect(m.tables.length).toBeGreaterThan(0);
    for (const right of m.tables) expect(right).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, `report-${name}-390.png`), fullPage: false });
    await page.close();
  });
});

const BALTIMORE_DATA = "../shared/data";
const hasBaltimore = existsSync(join(BALTIMORE_DATA, "baltimore-part1-crime"));

describe.skipIf(!hasBaltimore && !process.env.CI)("report size and point map of the Baltimore examples", () => {
  let db: Db;

  beforeAll(async () => {
    db = await Db.open();
  });

  afterAll(async () => {
    await (db as Db | undefined)?.close();
  });

  it("each Baltimore example writes a report under 1.5 MB with its maps drawn, the point map as the policy publishes it", async () => {
    if (!existsSync("dist/cli/main.js")) throw new Error("dist/cli/main.js is missing: run npm run build first");
    // The e2e tier's shared runs of the two examples (test/e2e/example-runs.ts).
    const examples = ["baltimore", "baltimore-demographics"] as const;
    const shared = await exampleRuns(examples);
    const runs = examples.map((x) => shared[x]);
    for (const [i, r] of runs.entries()) expect(r.code, `${examples[i]}: ${r.stderr}`).toBe(0);
    for (const x of examples) {
      const file = join(shared[x].dir, "report.html");
      const html = readFileSync(file, "utf8");
      expect(statSync(file).size, x).toBeLessThan(1.5 * 1024 * 1024);
      // Every one of the 278 Baltimore neighbourhoods is drawn once per map panel: the dominant map, one per cluster.
      const paths = (chart: string) =>
        (/<figure class="chart" data-chart="([^"]+)"[\s\S]*?<\/figure>/g.exec(html.slice(html.indexOf(`data-chart="${chart}"`) - 30)) ?? [
          "",
        ])[0].split("<path").length - 1;
      expect(paths("map_dominant"), x).toBeGreaterThan(270);
      expect(paths("map_shares"), x).toBeGreaterThan(2 * 270);
      // The gridded point map: the squares of a SQL aggregation of prepared.parquet under the policy, each above
      // the threshold, and the audit that `serve --public` runs finds nothing.
      const results = JSON.parse(readFileSync(join(shared[x].dir, "results.json"), "utf8")) as Results;
      const policy = policyOfManifest(JSON.parse(readFileSync(join(shared[x].dir, "manifest.json"), "utf8")) as Record<string, unknown>);
      const drawn = reportSquares(html);
      const expected = await sqlSquares(db, shared[x].dir, results, policy);
      expect(drawn.length, x).toBeGreaterThan(10);
      expect(expected.hidden, x).toBeGreaterThan(0);
      expect(drawn, x).toEqual(expected.cells);
      for (const c of drawn) expect(c.count, x).toBeGreaterThan(policy.min_cell);
      expect(html, x).toContain("squares with ≤10 records are hidden (not drawn)");
      expect(auditHtml(html, policy), x).toEqual([]);
    }
  }, 900_000);
});
