import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { hasChromium, launchChromium, openDashboard, clickAndSettle } from "./browser.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { defined } from "../checks.js";
import { policyOfManifest, type DisclosurePolicy } from "../../src/disclosure/policy.js";
import { expectedCount, expectedPositives, truth } from "../server/truth.js";
import { PERTURBATION_BOUND } from "../../src/disclosure/perturb.js";

const fixtures = resolve("test/fixtures/dashboard");
const artifacts = resolve("test-artifacts");
const riskParquet = quoteString(join(fixtures, "risk", "prepared.parquet"));
const riskDir = join(fixtures, "risk");
const segDir = join(fixtures, "segments");

/** The disclosure policy a fixture run is served under (its manifest.json, or the defaults). */
function policyOf(dir: string): DisclosurePolicy {
  const file = join(dir, "manifest.json");
  return policyOfManifest(existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {});
}

function newestMtime(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, String(f))).mtimeMs));
}

/** Builds web/dist when it is missing or older than the front-end sources. */
function buildWebIfMissing(): void {
  const built = resolve("web/dist/index.html");
  const sources = Math.max(
    newestMtime(resolve("web/src")),
    statSync(resolve("web/index.html")).mtimeMs,
    statSync(resolve("web/vite.config.ts")).mtimeMs,
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(process.execPath, [resolve("node_modules/vite/bin/vite.js"), "build", "--config", resolve("web/vite.config.ts")], {
    stdio: "inherit",
  });
}

describe.skipIf(!hasChromium && !process.env.CI)("dashboard in headless Chromium", () => {
  let server: RunningServer;
  let browser: Browser;
  let db: Db;
  const errors: string[] = [];

  async function count(sql: string): Promise<number> {
    const [row] = await db.query(sql);
    return Number(row.n);
  }

  /**
   * What the dashboard must show for the rows of `dir`'s prepared.parquet matching `where`: the true count from
   * SQL passed through the run's disclosure policy (cell-key perturbation; null when hidden).
   */
  async function shown(dir: string, where: string): Promise<number | null> {
    const [t] = await truth(db, dir, where, "NULL");
    return expectedCount(t, policyOf(dir));
  }

  /** The positives of `target` the dashboard must show for the rows matching `where`. */
  async function shownPositives(dir: string, where: string, target: string): Promise<number | null> {
    const [t] = await truth(db, dir, where, "NULL", target);
    return expectedPositives(t, policyOf(dir));
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.evaluate(() => {
      window.scrollTo(0, 0);
    });
    await page.screenshot({ path: join(artifacts, name), fullPage: true });
  }

  /** A KPI's number, or null when the dashboard hides it (no data-value). */
  const kpi = async (page: Page, id: string): Promise<number | null> => {
    const v = await page.getAttribute(`#${id}`, "data-value");
    return v === null ? null : Number(v);
  };

  beforeAll(async () => {
    buildWebIfMissing();
    mkdirSync(artifacts, { recursive: true });
    db = await Db.open();
    server = await startServer({ dirs: [fixtures], port: 0, log: (l) => errors.push(`server: ${l}`) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    // Any of them is unset when beforeAll failed part-way.
    await (browser as Browser | undefined)?.close();
    await (server as RunningServer | undefined)?.close();
    await (db as Db | undefined)?.close();
  });

  it("risk run: headline counts follow bar clicks and equal SQL counts", async () => {
    const page = await openDashboard(browser, server.url, "risk", errors);
    const total = defined(await shown(riskDir, "true"), "the shown total");
    expect(total).toBe(await count(`SELECT count(*)::INTEGER AS n FROM read_parquet(${riskParquet})`));
    expect(await kpi(page, "kpi-count")).toBe(total);
    expect(await page.textContent("#kpi-count .value")).toBe(total.toLocaleString("en-US"));
    await shot(page, "dashboard-risk.png");

    await clickAndSettle(page, `#dim-0 path[aria-roledescription="bar"][aria-label*="Offense: Menacing;"]`);
    const menacing = `"OFFENSE" = 'Menacing'`;
    const menacingShown = await shown(riskDir, menacing);
    // Perturbed by at most PERTURBATION_BOUND from the true count, and exactly what the policy gives for this set of records.
    expect(
      Math.abs(
        defined(menacingShown, "Menacing's count") -
          (await count(`SELECT count(*)::INTEGER AS n FROM read_parquet(${riskParquet}) WHERE ${menacing}`)),
      ),
    ).toBeLessThanOrEqual(PERTURBATION_BOUND);
    expect(await kpi(page, "kpi-count")).toBe(menacingShown);
    expect(await kpi(page, "kpi-positives")).toBe(await shownPositives(riskDir, menacing, "ASSAULTED"));
    expect(await page.textContent("#filters .chip")).toContain("Offense: Menacing");
    // The score histogram of Menacing's 174 records: bins of 10 or more are drawn.
    const histogramTotal = await page.evaluate(() => document.querySelectorAll("#histogram path[aria-roledescription='bar']").length);
    expect(histogramTotal).toBeGreaterThan(0);
    // The clicked view keeps showing every offense so the selection can be extended.
    expect(await page.locator(`#dim-0 path[aria-roledescription="bar"][aria-label*="Offense: Trespass;"]`).count()).toBeGreaterThan(0);

    // The busiest hour for Menacing: its bar is shown (a group below min_cell has none to click).
    const [busiest] = await db.query(
      `SELECT hour("DATE_OCCURED")::INTEGER AS h, count(*)::INTEGER AS n FROM read_parquet(${riskParquet}) WHERE ${menacing} GROUP BY 1 ORDER BY n DESC, h LIMIT 1`,
    );
    const hour = Number(busiest.h);
    const hourCard = await page.locator(".chart[data-dim='hour:DATE_OCCURED']").getAttribute("id");
    await clickAndSettle(
      page,
      `#${hourCard} path[aria-roledescription="bar"][aria-label*="Hour of day: ${String(hour).padStart(2, "0")}h;"]`,
    );
    const atHour = await shown(riskDir, `${menacing} AND hour("DATE_OCCURED") = ${hour}`);
    expect(atHour).toBeGreaterThanOrEqual(10);
    expect(await kpi(page, "kpi-count")).toBe(atHour);
    // A combination below min_cell is hidden, never shown as its count: Menacing at 22h holds 7 records.
    expect(await shown(riskDir, `${menacing} AND hour("DATE_OCCURED") = 22`)).toBeNull();
    await shot(page, "dashboard-risk-filtered.png");

    await clickAndSettle(page, "#clear-filters");
    expect(await kpi(page, "kpi-count")).toBe(total);
    expect(await page.locator("#filters .chip").count()).toBe(0);
    await page.close();
  });

  it("segments run: cluster and map clicks filter every view and equal SQL counts", async () => {
    const page = await openDashboard(browser, server.url, "segments", errors);
    expect(await kpi(page, "kpi-count")).toBe(await shown(segDir, "true"));
    for (const c of [0, 1, 2, 3]) expect(await kpi(page, `kpi-cluster-${c}`)).toBe(await shown(segDir, `"_cluster" = ${c}`));
    expect(await page.locator(`#map path[aria-roledescription="geoshape"]`).count()).toBe(16);
    // The fixture's rings follow RFC 7946 (counter-clockwise); drawn unwound they would cover the whole map.
    const mapBox = defined(await page.locator("#map svg").boundingBox(), "the map's box");
    const areaBox = defined(
      await page.locator(`#map path[aria-roledescription="geoshape"][aria-label*="Neighborhood: Fir;"]`).boundingBox(),
      "the box of area Fir",
    );
    expect(areaBox.width).toBeLessThan(mapBox.width / 3);
    expect(areaBox.height).toBeLessThan(mapBox.height / 3);
    await shot(page, "dashboard-segments.png");

    await clickAndSettle(page, `#clusters path[aria-roledescription="bar"][aria-label*="Cluster: 1 · Knife, mixed;"]`);
    const knife = await shown(segDir, `"_cluster" = 1`);
    expect(await kpi(page, "kpi-count")).toBe(knife);
    expect(await kpi(page, "kpi-cluster-1")).toBe(knife);
    // No record of cluster 0 is left: with perturbation a count below min_cell, zero included, is hidden.
    expect(await kpi(page, "kpi-cluster-0")).toBe(await shown(segDir, `"_cluster" = 0 AND "_cluster" = 1`));

    await clickAndSettle(page, `#map path[aria-roledescription="geoshape"][aria-label*="Neighborhood: Fir;"]`);
    const both = await shown(segDir, `"_cluster" = 1 AND "Neighborhood" = 'Fir'`);
    expect(both).toBeGreaterThan(0);
    expect(await kpi(page, "kpi-count")).toBe(both);
    expect(await page.locator("#filters .chip").count()).toBe(2);
    await shot(page, "dashboard-segments-filtered.png");

    await clickAndSettle(page, "#filters .chip[data-dim='_cluster'] button");
    expect(await kpi(page, "kpi-count")).toBe(await shown(segDir, `"Neighborhood" = 'Fir'`));
    await page.close();
  });

  it("logs no console errors", () => {
    expect(errors).toEqual([]);
  });
});
