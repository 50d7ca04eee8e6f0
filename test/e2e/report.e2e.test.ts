import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { hasChromium, launchChromium } from "./browser.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReport } from "../../src/report/index.js";
import type { FeatureCollection, ReportManifest } from "../../src/report/types.js";
import type { Results } from "../../src/results/types.js";

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
});
