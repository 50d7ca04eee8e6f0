import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { hasChromium, launchChromium, openDashboard, clickAndSettle, dragAndSettle, settled } from "./browser.js";
import type { NumericRangeView, RunSummary } from "../../src/server/api-types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { exampleRuns } from "./example-runs.js";
import { policyOfManifest } from "../../src/disclosure/policy.js";
import { expectedCount, expectedPositives, expectedRate, servedRows, truth } from "../server/truth.js";
import { readFileSync } from "node:fs";
import { PERTURBATION_BOUND } from "../../src/disclosure/perturb.js";

const LMPD_DATA = "../shared/data/lmpd-assaulted-officers";
const BALTIMORE_DATA = "../shared/data";
const hasData = existsSync(join(LMPD_DATA, "Crime.csv")) && existsSync(join(BALTIMORE_DATA, "baltimore-part1-crime"));
const artifacts = resolve("test-artifacts");

/** Builds the CLI and the front end when either build output is missing. */
function buildIfMissing(): void {
  if (!existsSync("dist/cli/main.js"))
    execFileSync(process.execPath, [resolve("node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" });
  if (!existsSync("web/dist/index.html")) {
    execFileSync(process.execPath, [resolve("node_modules/vite/bin/vite.js"), "build", "--config", resolve("web/vite.config.ts")], {
      stdio: "inherit",
    });
  }
}

/** Parses "Records: 3,964" out of a Vega mark's aria-label. */
function labelNumber(ariaLabel: string | null, field: string): number {
  const m = new RegExp(`${field}: ([\\d,]+)`).exec(ariaLabel ?? "");
  if (!m) throw new Error(`no ${field} in ${JSON.stringify(ariaLabel)}`);
  return Number(m[1].replace(/,/g, ""));
}

describe.skipIf((!hasChromium || !hasData) && !process.env.CI)(
  "dashboard on the real LMPD and Baltimore results (headless Chromium)",
  () => {
    /** The e2e tier's shared runs of the two examples (test/e2e/example-runs.ts), set in beforeAll. */
    const dirs = { lmpd: "", baltimore: "" };
    // The rows the dashboard serves: prepared.parquet restricted to the study's rows, as the server does (read once
    // the runs exist).
    const lmpdRows = () => servedRows(dirs.lmpd);
    const baltRows = () => servedRows(dirs.baltimore);
    let server: RunningServer;
    let browser: Browser;
    let db: Db;
    const errors: string[] = [];

    async function one(sql: string): Promise<Record<string, unknown>> {
      const rows = await db.query(sql);
      expect(rows).toHaveLength(1);
      return rows[0];
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

    /**
     * What the dashboard must show for the rows of run `run` matching `where`: the true counts from SQL on its
     * prepared.parquet passed through its disclosure policy (cell-key perturbation; null when hidden). Also checks
     * that a shown count is within 2 of the true one.
     */
    async function shown(run: "lmpd" | "baltimore", where: string, target?: string) {
      const dir = dirs[run];
      const policy = policyOfManifest(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
      const [t] = await truth(db, dir, where, "NULL", target);
      const n = expectedCount(t, policy);
      if (n !== null) expect(Math.abs(n - t.n)).toBeLessThanOrEqual(PERTURBATION_BOUND);
      return { n, p: target ? expectedPositives(t, policy) : null, rate: target ? expectedRate(t, policy) : null, truth: t };
    }

    /** The group of `expr` with the most true rows among those matching `where` (ties by key), and what is shown for it. */
    async function topGroup(run: "lmpd" | "baltimore", where: string, expr: string) {
      const dir = dirs[run];
      const policy = policyOfManifest(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
      const groups = (await truth(db, dir, where, expr)).filter((g) => g.key !== null);
      groups.sort((a, b) => b.n - a.n || String(a.key).localeCompare(String(b.key)));
      return { key: String(groups[0].key), n: expectedCount(groups[0], policy), groups, policy };
    }

    /** Axis labels of a chart that Vega shortened with an ellipsis. */
    const truncatedLabels = (page: Page, selector: string): Promise<string[]> =>
      page.$$eval(`${selector} .role-axis-label text`, (els) => els.map((e) => e.textContent).filter((t) => t.endsWith("…")));

    beforeAll(async () => {
      if (!hasData) throw new Error(`real data is missing under ${BALTIMORE_DATA}; these tests must run in CI`);
      buildIfMissing();
      mkdirSync(artifacts, { recursive: true });
      const runs = await exampleRuns(["lmpd", "baltimore"] as const);
      for (const r of Object.values(runs)) expect(r.code, r.stderr).toBe(0);
      dirs.lmpd = runs.lmpd.dir;
      dirs.baltimore = runs.baltimore.dir;
      db = await Db.open();
      server = await startServer({ dirs: [dirs.lmpd, dirs.baltimore], port: 0, log: (l) => errors.push(`server: ${l}`) });
      browser = await launchChromium();
      // The Baltimore segments run tests its structure and repeats the choice of k over seeds: about 20 s of CPU.
    }, 900_000);

    afterAll(async () => {
      // Any of them is unset when beforeAll failed part-way.
      await (browser as Browser | undefined)?.close();
      await (server as RunningServer | undefined)?.close();
      await (db as Db | undefined)?.close();
    });

    it("LMPD: premise and hour clicks give the counts, positives and rate of SQL on prepared.parquet", async () => {
      const page = await openDashboard(browser, server.url, "lmpd", errors);
      const all = await shown("lmpd", "true", "officer_assaulted");
      expect(all.truth.n).toBe(Number((await one(`SELECT count(*)::INTEGER AS n FROM ${lmpdRows()}`)).n));
      expect(await kpi(page, "kpi-count")).toBe(all.n);
      expect(await kpi(page, "kpi-positives")).toBe(all.p);
      expect(await page.textContent("#kpi-count .value")).toBe(Number(all.n).toLocaleString("en-US"));
      // Offence descriptions run to 60 characters; at this width none may be cut short.
      expect(await truncatedLabels(page, ".chart[data-dim='UOR_DESC']")).toEqual([]);
      expect(await truncatedLabels(page, ".chart[data-dim='PREMISE_TYPE']")).toEqual([]);
      await shot(page, "dashboard-real-lmpd.png");

      const premise = "HIGHWAY / ROAD / ALLEY";
      await clickAndSettle(page, `.chart[data-dim='PREMISE_TYPE'] path[aria-roledescription="bar"][aria-label*=": ${premise};"]`);
      const road = `PREMISE_TYPE = ${quoteString(premise)}`;
      const onRoad = await shown("lmpd", road, "officer_assaulted");
      expect(onRoad.n).toBeGreaterThan(0);
      expect(await kpi(page, "kpi-count")).toBe(onRoad.n);
      expect(await kpi(page, "kpi-positives")).toBe(onRoad.p);
      const rate = onRoad.rate ?? NaN;
      expect(await kpi(page, "kpi-rate")).toBeCloseTo(rate, 4);
      expect(await page.textContent("#kpi-count .value")).toBe(Number(onRoad.n).toLocaleString("en-US"));
      expect(await page.textContent("#kpi-positives .value")).toBe(Number(onRoad.p).toLocaleString("en-US"));
      expect(await page.textContent("#kpi-rate .value")).toBe(`${(rate * 100).toFixed(1)}%`);
      expect(await page.textContent("#filters .chip")).toContain(premise);

      await clickAndSettle(page, `.chart[data-dim='hour:DATE_OCCURED'] path[aria-roledescription="bar"][aria-label*=": 22h;"]`);
      const late = `${road} AND hour(DATE_OCCURED) = 22`;
      const lateRoad = await shown("lmpd", late, "officer_assaulted");
      expect(lateRoad.truth.n).toBeGreaterThan(0);
      expect(lateRoad.truth.n).toBeLessThan(onRoad.truth.n);
      expect(await kpi(page, "kpi-count")).toBe(lateRoad.n);
      expect(await kpi(page, "kpi-positives")).toBe(lateRoad.p);
      expect(await kpi(page, "kpi-rate")).toBe(lateRoad.rate);

      // The offence view is filtered by the other two: its top bar is the largest group, with the policy's count.
      const topBar = await page.locator(`.chart[data-dim='UOR_DESC'] path[aria-roledescription="bar"]`).first().getAttribute("aria-label");
      const top = await topGroup("lmpd", late, "UOR_DESC");
      expect(topBar).toContain(`: ${top.key};`);
      expect(labelNumber(topBar, "Records")).toBe(top.n);
      await shot(page, "dashboard-real-lmpd-filtered.png");

      await clickAndSettle(page, "#clear-filters");
      expect(await kpi(page, "kpi-count")).toBe(all.n);
      await page.close();
    });

    it("Baltimore: a cluster click then a map click give the counts of SQL on prepared.parquet", async () => {
      const page = await openDashboard(browser, server.url, "baltimore", errors);
      const all = await shown("baltimore", "true");
      expect(all.truth.n).toBe(Number((await one(`SELECT count(*)::INTEGER AS n FROM ${baltRows()}`)).n));
      expect(await kpi(page, "kpi-count")).toBe(all.n);
      const sizes = (await db.query(`SELECT _cluster AS c FROM ${baltRows()} GROUP BY 1 ORDER BY 1`)) as { c: number }[];
      expect(sizes.length).toBeGreaterThanOrEqual(2);
      for (const s of sizes) expect(await kpi(page, `kpi-cluster-${String(s.c)}`)).toBe((await shown("baltimore", `_cluster = ${s.c}`)).n);
      const shapes = await page.locator(`#map path[aria-roledescription="geoshape"]`).count();
      expect(shapes).toBeGreaterThan(200);
      expect(await truncatedLabels(page, ".chart[data-dim='Race']")).toEqual([]);
      await shot(page, "dashboard-real-baltimore.png");

      const cluster = sizes[1].c;
      const inCluster = await shown("baltimore", `_cluster = ${cluster}`);
      await clickAndSettle(page, `#clusters path[aria-roledescription="bar"][aria-label*=": ${cluster} · "]`);
      expect(await kpi(page, "kpi-count")).toBe(inCluster.n);
      expect(await kpi(page, `kpi-cluster-${cluster}`)).toBe(inCluster.n);
      // No record of the other cluster is left: with perturbation a count below min_cell, zero included, is hidden.
      expect(await kpi(page, `kpi-cluster-${String(sizes[0].c)}`)).toBe(
        (await shown("baltimore", `_cluster = ${sizes[0].c} AND _cluster = ${cluster}`)).n,
      );

      const area = await topGroup("baltimore", `_cluster = ${cluster} AND _area IS NOT NULL`, "_area");
      expect(area.n).not.toBeNull();
      const shape = `#map path[aria-roledescription="geoshape"][aria-label*=": ${area.key};"]`;
      // The map is filtered by the cluster, not by itself: the area's tooltip counts the cluster's rows there.
      expect(labelNumber(await page.locator(shape).first().getAttribute("aria-label"), "Records")).toBe(area.n);
      await clickAndSettle(page, shape);
      expect(await kpi(page, "kpi-count")).toBe(area.n);
      expect(await kpi(page, `kpi-cluster-${cluster}`)).toBe(area.n);
      expect(await page.locator("#filters .chip").count()).toBe(2);
      // The weapon view, filtered by cluster and area, draws the most common weapon there with the policy's count.
      const weapon = await topGroup("baltimore", `_cluster = ${cluster} AND _area = ${quoteString(area.key)}`, "Weapon");
      await shot(page, "dashboard-real-baltimore-filtered.png");
      const weaponLabels = await page
        .locator(`.chart[data-dim='Weapon'] path[aria-roledescription="bar"]`)
        .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
      const weaponBar = weaponLabels.find((l) => l.includes(`: ${weapon.key};`) && /Records: [\d,]+/.test(l));
      if (weapon.n === null) expect(weaponBar).toBeUndefined();
      else expect(labelNumber(weaponBar ?? null, "Records")).toBe(weapon.n);

      await clickAndSettle(page, "#filters .chip[data-dim='_cluster'] button");
      expect(await kpi(page, "kpi-count")).toBe((await shown("baltimore", `_area = ${quoteString(area.key)}`)).n);
      await page.close();
    });

    /** The run's summary as the dashboard gets it (its range columns and bins). */
    const summaryOf = async (id: string): Promise<RunSummary> => {
      const { runs } = (await (await fetch(server.url + "api/runs")).json()) as { runs: RunSummary[] };
      const run = runs.find((r) => r.id === id);
      if (!run) throw new Error(`no run ${id}`);
      return run;
    };

    /** The brushed range of `column` in the page's address, as the link holds it. */
    const urlRange = (page: Page, column: string): unknown => {
      const raw = new URL(page.url()).searchParams.get(`r.${column}`);
      return raw === null ? null : JSON.parse(raw);
    };

    /** A bar of a range chart whose tooltip names `label` (e.g. "Age: 20 to under 25"). */
    const binBar = (dim: string, label: string) => `.chart[data-dim='${dim}'] path[aria-roledescription="bar"][aria-label*="${label};"]`;

    it("Baltimore: brushing Age then a date range filters every view to the policy's counts of SQL, in the URL and history", async () => {
      const page = await openDashboard(browser, server.url, "baltimore", errors);
      const run = await summaryOf("baltimore");
      const age = run.ranges.find((r) => r.column === "Age") as NumericRangeView;
      expect(age.kind).toBe("numeric");
      expect(age.width).toBe(5);
      // Every bin of the histogram is a .chart with data-dim set to its column, split by cluster.
      expect(await page.getAttribute(".chart[data-dim='Age']", "data-bins")).toBe(String(age.bins));
      await dragAndSettle(page, binBar("Age", "Age: 20 – 25"), binBar("Age", "Age: 30 – 35"));
      expect(urlRange(page, "Age")).toEqual([20, 35]);
      const inAge = `"Age" >= 20 AND "Age" < 35`;
      const ageOnly = await shown("baltimore", inAge);
      expect(ageOnly.n).not.toBeNull();
      expect(await kpi(page, "kpi-count")).toBe(ageOnly.n);
      const sizes = (await db.query(`SELECT DISTINCT _cluster AS c FROM ${baltRows()} ORDER BY 1`)) as { c: number }[];
      for (const { c } of sizes)
        expect(await kpi(page, `kpi-cluster-${c}`)).toBe((await shown("baltimore", `${inAge} AND _cluster = ${c}`)).n);
      expect(await page.textContent("#filters .chip[data-dim='Age']")).toContain("20 to under 35");
      await shot(page, "dashboard-real-baltimore-age-brush.png");

      // The timeline: drag over two weeks; the range snaps to whole weeks (Monday to Monday).
      const weeks = await page
        .locator(`.chart[data-dim='CrimeDateTime'] path[aria-roledescription="bar"]`)
        .evaluateAll((els) => [
          ...new Set(els.map((e) => /CrimeDateTime: (Week of [^;]+)/.exec(e.getAttribute("aria-label") ?? "")?.[1] ?? "")),
        ]);
      const drawn = weeks.filter(Boolean);
      expect(drawn.length).toBeGreaterThanOrEqual(3);
      const [w0, w1] = [drawn[drawn.length - 3], drawn[drawn.length - 2]];
      await dragAndSettle(page, binBar("CrimeDateTime", `CrimeDateTime: ${w0}`), binBar("CrimeDateTime", `CrimeDateTime: ${w1}`));
      const dates = urlRange(page, "CrimeDateTime") as [string, string];
      expect(dates).toHaveLength(2);
      for (const d of dates) expect(new Date(`${d}T00:00:00Z`).getUTCDay()).toBe(1);
      // From the Monday of the first dragged week to the Monday after the last (weeks between them included).
      const monday = (label: string) => {
        const [, d, mon, y] = /Week of (\d+) (\w+) (\d+)/.exec(label) ?? [];
        const m = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].indexOf(mon);
        return new Date(Date.UTC(Number(y), m, Number(d))).toISOString().slice(0, 10);
      };
      expect(dates[0]).toBe(monday(w0));
      expect(dates[1]).toBe(new Date(Date.parse(monday(w1)) + 7 * 86_400_000).toISOString().slice(0, 10));
      const both = `${inAge} AND CrimeDateTime >= TIMESTAMP '${dates[0]}' AND CrimeDateTime < TIMESTAMP '${dates[1]}'`;
      const inBoth = await shown("baltimore", both);
      expect(inBoth.truth.n).toBeLessThan(ageOnly.truth.n);
      expect(await kpi(page, "kpi-count")).toBe(inBoth.n);
      expect(await page.locator("#filters .chip").count()).toBe(2);
      await shot(page, "dashboard-real-baltimore-date-brush.png");

      // A link opened elsewhere shows the same view; back and forward step through the brushes.
      await page.reload();
      await settled(page);
      expect(await kpi(page, "kpi-count")).toBe(inBoth.n);
      expect(urlRange(page, "Age")).toEqual([20, 35]);
      await page.goBack();
      await settled(page);
      expect(urlRange(page, "CrimeDateTime")).toBeNull();
      await page.waitForFunction((n) => document.querySelector("#kpi-count")?.getAttribute("data-value") === String(n), ageOnly.n);
      await page.goForward();
      await settled(page);
      await page.waitForFunction((n) => document.querySelector("#kpi-count")?.getAttribute("data-value") === String(n), inBoth.n);
      expect(urlRange(page, "CrimeDateTime")).toEqual(dates);

      await clickAndSettle(page, ".card .range-clear[data-column='Age']");
      expect(urlRange(page, "Age")).toBeNull();
      expect(await kpi(page, "kpi-count")).toBe((await shown("baltimore", both.replace(`${inAge} AND `, ""))).n);
      await page.close();
    });

    it("LMPD: the date brush by month gives the counts, positives and rate of SQL, and the week switch keeps it", async () => {
      const page = await openDashboard(browser, server.url, "lmpd", errors);
      const run = await summaryOf("lmpd");
      const timeline = run.ranges.find((r) => r.kind === "date");
      expect(timeline?.column).toBe("DATE_OCCURED");
      // Three years of reports: the timeline opens by month.
      expect(await page.inputValue("#timeline-unit")).toBe("month");
      await dragAndSettle(page, binBar("DATE_OCCURED", "DATE_OCCURED: Mar 2020"), binBar("DATE_OCCURED", "DATE_OCCURED: Jun 2020"));
      expect(urlRange(page, "DATE_OCCURED")).toEqual(["2020-03-01", "2020-07-01"]);
      const where = `DATE_OCCURED >= TIMESTAMP '2020-03-01' AND DATE_OCCURED < TIMESTAMP '2020-07-01'`;
      const want = await shown("lmpd", where, "officer_assaulted");
      expect(want.truth.n).toBeGreaterThan(1000);
      expect(await kpi(page, "kpi-count")).toBe(want.n);
      expect(await kpi(page, "kpi-positives")).toBe(want.p);
      expect(await kpi(page, "kpi-rate")).toBe(want.rate);
      // A month bar outside the range is drawn pale; one inside is drawn strong.
      const fill = (label: string) =>
        page
          .locator(binBar("DATE_OCCURED", `DATE_OCCURED: ${label}`))
          .first()
          .getAttribute("fill");
      expect(await fill("Jan 2020")).toBe("#cbd5e1");
      expect(await fill("Apr 2020")).toBe("#3b6ea8");
      // Combined with a premise click, as any filter.
      const premise = "RESIDENCE / HOME";
      await clickAndSettle(page, `.chart[data-dim='PREMISE_TYPE'] path[aria-roledescription="bar"][aria-label*=": ${premise};"]`);
      const withPremise = await shown("lmpd", `${where} AND PREMISE_TYPE = ${quoteString(premise)}`, "officer_assaulted");
      expect(await kpi(page, "kpi-count")).toBe(withPremise.n);
      await shot(page, "dashboard-real-lmpd-date-brush.png");

      await page.selectOption("#timeline-unit", "week");
      await page.waitForFunction(() => new URL(location.href).searchParams.get("unit") === "week");
      await settled(page);
      expect(await kpi(page, "kpi-count")).toBe(withPremise.n);
      expect(Number(await page.getAttribute(".chart[data-dim='DATE_OCCURED']", "data-bins"))).toBeGreaterThan(130);
      await page.reload();
      await settled(page);
      expect(await page.inputValue("#timeline-unit")).toBe("week");
      expect(await kpi(page, "kpi-count")).toBe(withPremise.n);
      await page.close();
    });

    it("logs no console or server errors", () => {
      expect(errors).toEqual([]);
    });
  },
);
