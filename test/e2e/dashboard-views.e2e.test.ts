import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { clickAndSettle, hasChromium, launchChromium } from "./browser.js";
import { exampleRuns } from "./example-runs.js";
import { must } from "./helpers.js";
import { servedRows } from "../server/truth.js";

const LMPD_DATA = "../shared/data/lmpd-assaulted-officers";
const BALTIMORE_DATA = "../shared/data";
const hasData = existsSync(join(LMPD_DATA, "Crime.csv")) && existsSync(join(BALTIMORE_DATA, "baltimore-part1-crime"));
const fixtures = resolve("test/fixtures/dashboard");
const artifacts = resolve("test-artifacts");
const WIDTHS = [390, 1024, 1440];

function newestMtime(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, String(f))).mtimeMs));
}

/** Builds the CLI when it is missing and the front end when it is missing or older than its sources. */
function build(): void {
  if (!existsSync("dist/cli/main.js"))
    execFileSync(process.execPath, [resolve("node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" });
  const built = resolve("web/dist/index.html");
  const sources = Math.max(
    newestMtime(resolve("web/src")),
    newestMtime(resolve("src/report")),
    statSync(resolve("web/index.html")).mtimeMs,
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(process.execPath, [resolve("node_modules/vite/bin/vite.js"), "build", "--config", resolve("web/vite.config.ts")], {
    stdio: "inherit",
  });
}

/** Rows of an RFC 4180 CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

/** Layout facts of the page as Chromium laid it out. */
interface Layout {
  scrollWidth: number;
  clientWidth: number;
  tabs: { text: string; left: number; right: number; top: number; bottom: number; clipped: boolean }[];
  menu?: { right: number; cardRight: number };
  legendTop?: number;
  shapesBottom?: number;
  /** Every card: its id, its right edge, whether its content is wider than it, and the widest chart drawn in it. */
  cards: { id: string; right: number; overflows: boolean; clientWidth: number; chartWidth: number }[];
  /**
   * Every chart's SVG (the map's included) against the content box of its card: a chart wider than its card is
   * clipped by the chart's hidden overflow, so the card itself does not overflow and only this shows it.
   */
  svgs: { chart: string; card: string; left: number; right: number; contentLeft: number; contentRight: number }[];
  /** The cluster profiles' names and values, and those of them whose text is wider than their box (runs into the next). */
  profiles: number;
  spills: string[];
}

function measure(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const tabs = [...document.querySelectorAll<HTMLElement>("#run-tabs button")].map((b) => {
      const r = b.getBoundingClientRect();
      return {
        text: b.textContent,
        left: r.left,
        right: r.right,
        top: r.top,
        bottom: r.bottom,
        clipped: b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1,
      };
    });
    const select = document.getElementById("map-metric");
    const card = document.getElementById("card-map");
    const legend = document.querySelector("#map .role-legend");
    const shapes = [...document.querySelectorAll('#map path[aria-roledescription="geoshape"]')].map((p) => p.getBoundingClientRect());
    return {
      scrollWidth: doc.scrollWidth,
      clientWidth: doc.clientWidth,
      tabs,
      menu: select && card ? { right: select.getBoundingClientRect().right, cardRight: card.getBoundingClientRect().right } : undefined,
      legendTop: legend ? legend.getBoundingClientRect().top : undefined,
      shapesBottom: shapes.length ? Math.max(...shapes.filter((r) => r.height > 0).map((r) => r.bottom)) : undefined,
      cards: [...document.querySelectorAll<HTMLElement>(".card")].map((c) => ({
        id: c.id,
        right: c.getBoundingClientRect().right,
        overflows: c.scrollWidth > c.clientWidth + 1,
        clientWidth: c.clientWidth,
        chartWidth: Math.max(0, ...[...c.querySelectorAll(".chart svg")].map((svg) => svg.getBoundingClientRect().width)),
      })),
      profiles: document.querySelectorAll(".profiles .name").length,
      spills: [...document.querySelectorAll<HTMLElement>(".profiles .name, .profiles .tops")]
        .filter((e) => e.scrollWidth > e.clientWidth + 1)
        .map((e) => e.textContent),
      svgs: [...document.querySelectorAll<HTMLElement>(".card .chart")].flatMap((chart) => {
        const card = chart.closest<HTMLElement>(".card");
        const svg = chart.querySelector(":scope > svg, :scope > .vega-embed > svg, :scope svg.marks");
        if (!card || !svg) return [];
        const box = card.getBoundingClientRect();
        const style = getComputedStyle(card);
        const r = svg.getBoundingClientRect();
        return [
          {
            chart: chart.id,
            card: card.id,
            left: r.left,
            right: r.right,
            contentLeft: box.left + card.clientLeft + parseFloat(style.paddingLeft),
            contentRight: box.left + card.clientLeft + card.clientWidth - parseFloat(style.paddingRight),
          },
        ];
      }),
    };
  });
}

describe.skipIf((!hasChromium || !hasData) && !process.env.CI)(
  "dashboard layout and shareable state (real LMPD and Baltimore runs)",
  () => {
    /** The e2e tier's shared runs of the two examples (test/e2e/example-runs.ts), set in beforeAll. */
    const dirs = { lmpd: "", baltimore: "" };
    // The rows the dashboard serves (read once the runs exist).
    const lmpd = () => `FROM ${servedRows(dirs.lmpd)}`;
    let server: RunningServer;
    let browser: Browser;
    let db: Db;
    const errors: string[] = [];

    async function open(path: string, width: number): Promise<Page> {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`${path}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`${path}: ${e.message}`));
      await page.goto(`${server.url}${path}`);
      await page.waitForSelector("#app[data-ready=true]", { timeout: 60_000 });
      return page;
    }

    const kpi = async (page: Page, id: string): Promise<number> => Number(await page.getAttribute(`#${id}`, "data-value"));

    /** The run's perturbation bound: shown counts are within this of the true count (0 when counts are exact). */
    async function bound(page: Page): Promise<number> {
      const runs = (await page.evaluate(async (): Promise<unknown> => (await fetch("/api/runs")).json())) as {
        runs: { id: string; disclosure: { perturbed: boolean; bound: number } }[];
      };
      const id = new URL(page.url()).searchParams.get("run");
      const d = runs.runs.find((r) => r.id === id)?.disclosure;
      if (!d) throw new Error(`run ${String(id)} is not served`);
      return d.perturbed ? d.bound : 0;
    }

    /** A shown count: within the policy's bound of the SQL count. */
    const near = (shown: number, sql: unknown, b: number): void => {
      expect(Math.abs(shown - Number(sql)), `shown ${shown}, SQL ${String(sql)}`).toBeLessThanOrEqual(b);
    };

    async function settled(page: Page): Promise<void> {
      await page.waitForSelector("#app[data-ready=true]", { timeout: 60_000 });
    }

    beforeAll(async () => {
      if (!hasData) throw new Error(`real data is missing under ${BALTIMORE_DATA}; these tests must run in CI`);
      build();
      mkdirSync(artifacts, { recursive: true });
      const runs = await exampleRuns(["lmpd", "baltimore"] as const);
      for (const r of Object.values(runs)) expect(r.code, r.stderr).toBe(0);
      dirs.lmpd = runs.lmpd.dir;
      dirs.baltimore = runs.baltimore.dir;
      db = await Db.open();
      // Four runs, as in the layout that hid the fourth tab at 1440 px.
      server = await startServer({
        dirs: [dirs.lmpd, dirs.baltimore, join(fixtures, "risk"), join(fixtures, "segments")],
        port: 0,
        log: (l) => errors.push(`server: ${l}`),
      });
      browser = await launchChromium();
    }, 900_000);

    afterAll(async () => {
      await (browser as Browser | undefined)?.close();
      await (server as RunningServer | undefined)?.close();
      await (db as Db | undefined)?.close();
    });

    it.each(WIDTHS)(
      "at %i px no page overflows sideways, every run tab is visible and whole, the map menu fits and its legend is under the map",
      async (width) => {
        for (const run of ["lmpd", "baltimore"]) {
          const page = await open(`?run=${run}`, width);
          const m = await measure(page);
          expect(m.scrollWidth, `${run} at ${width}`).toBeLessThanOrEqual(m.clientWidth);
          expect(m.tabs).toHaveLength(4);
          for (const t of m.tabs) {
            expect(t.left, `${t.text} at ${width}`).toBeGreaterThanOrEqual(0);
            expect(t.right, `${t.text} at ${width}`).toBeLessThanOrEqual(m.clientWidth);
            expect(t.bottom - t.top, `${t.text} at ${width}`).toBeGreaterThan(10);
            expect(t.clipped, `${t.text} at ${width}`).toBe(false);
          }
          // Tabs never overlap one another.
          for (const [i, a] of m.tabs.entries())
            for (const b of m.tabs.slice(i + 1)) {
              const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
              expect(apart, `${a.text} / ${b.text} at ${width}`).toBe(true);
            }
          // Every card, the risk views and the drill-down included, lies within the page and holds its content.
          const ids = m.cards.map((c) => c.id);
          expect(ids).toContain("card-drill");
          if (run === "lmpd") for (const id of ["card-calibration", "card-flagging", "card-histogram"]) expect(ids).toContain(id);
          for (const c of m.cards) {
            expect(c.right, `${c.id} of ${run} at ${width}`).toBeLessThanOrEqual(m.clientWidth);
            expect(c.overflows, `${c.id} of ${run} at ${width}`).toBe(false);
          }
          // The risk views' charts are drawn within their cards, not clipped by them.
          for (const c of m.cards.filter((x) => ["card-calibration", "card-flagging", "card-histogram"].includes(x.id)))
            expect(c.chartWidth, `${c.id} of ${run} at ${width}`).toBeLessThanOrEqual(c.clientWidth);
          // Every chart's SVG and the map's fit the content box of their card (at 390 px LMPD's UOR_DESC chart was
          // 11 px wider than its card, at 1440 px Baltimore's map 999 px wide in an 804 px card).
          if (run === "baltimore") expect(m.svgs.map((g) => g.chart)).toContain("map");
          expect(m.svgs.length, `charts of ${run} at ${width}`).toBeGreaterThan(5);
          for (const g of m.svgs) {
            expect(g.left, `${g.chart} of ${run} at ${width}`).toBeGreaterThanOrEqual(g.contentLeft - 1);
            expect(
              g.right,
              `${g.chart} of ${run} at ${width}: ${Math.round(g.right - g.left)} px in ${Math.round(g.contentRight - g.contentLeft)} px`,
            ).toBeLessThanOrEqual(g.contentRight + 1);
          }
          // Cluster profiles: long unbroken values (BLACK_OR_AFRICAN_AMERICAN) wrap inside their column instead of
          // running into the next one.
          if (run === "baltimore") expect(m.profiles, `profiles at ${width}`).toBeGreaterThan(0);
          expect(m.spills, `${run} at ${width}`).toEqual([]);
          if (run === "baltimore") {
            const menu = m.menu;
            expect(menu, "map menu").toBeDefined();
            if (menu) expect(menu.right).toBeLessThanOrEqual(menu.cardRight);
            expect(m.legendTop, "map legend").toBeDefined();
            expect(m.shapesBottom, "map areas").toBeDefined();
            expect(m.legendTop ?? 0).toBeGreaterThanOrEqual((m.shapesBottom ?? Infinity) - 1);
          }
          await page.screenshot({ path: join(artifacts, `dashboard-layout-${run}-${width}.png`), fullPage: width === 390 });
          await page.close();
        }
      },
      300_000,
    );

    it("LMPD: filters go to the address; reload, back and forward show the counts of SQL", async () => {
      const page = await open("?run=lmpd", 1440);
      const premise = "HIGHWAY / ROAD / ALLEY";
      await clickAndSettle(page, `.chart[data-dim='PREMISE_TYPE'] path[aria-roledescription="bar"][aria-label*=": ${premise};"]`);
      await clickAndSettle(page, `.chart[data-dim='hour:DATE_OCCURED'] path[aria-roledescription="bar"][aria-label*=": 22h;"]`);
      const url = new URL(page.url());
      expect(url.searchParams.get("run")).toBe("lmpd");
      expect(JSON.parse(url.searchParams.get("f.PREMISE_TYPE") ?? "null")).toEqual([premise]);
      expect(JSON.parse(url.searchParams.get("f.hour:DATE_OCCURED") ?? "null")).toEqual([22]);

      const [both] = await db.query(
        `SELECT count(*)::INTEGER AS n, sum(officer_assaulted)::INTEGER AS p ${lmpd()} WHERE PREMISE_TYPE = ${quoteString(premise)} AND hour(DATE_OCCURED) = 22`,
      );
      const [one] = await db.query(`SELECT count(*)::INTEGER AS n ${lmpd()} WHERE PREMISE_TYPE = ${quoteString(premise)}`);
      const [all] = await db.query(`SELECT count(*)::INTEGER AS n ${lmpd()}`);
      expect(Number(both.n)).toBeLessThan(Number(one.n));

      const b = await bound(page);
      const before = { n: await kpi(page, "kpi-count"), p: await kpi(page, "kpi-positives") };
      near(before.n, both.n, b);
      near(before.p, both.p, b);

      await page.reload();
      await settled(page);
      // The same filters give the same answer: perturbed counts are keyed on the records, not drawn afresh.
      expect(await kpi(page, "kpi-count")).toBe(before.n);
      expect(await kpi(page, "kpi-positives")).toBe(before.p);
      expect(await page.locator("#filters .chip").count()).toBe(2);

      // A link opened in a fresh page shows the same view.
      const shared = await open(url.search, 1024);
      expect(await kpi(shared, "kpi-count")).toBe(before.n);
      await shared.close();

      await page.goBack();
      await page.waitForFunction(() => document.querySelectorAll("#filters .chip").length === 1);
      await settled(page);
      near(await kpi(page, "kpi-count"), one.n, b);
      expect(JSON.parse(new URL(page.url()).searchParams.get("f.PREMISE_TYPE") ?? "null")).toEqual([premise]);
      await page.goBack();
      await page.waitForFunction(() => document.querySelectorAll("#filters .chip").length === 0);
      await settled(page);
      near(await kpi(page, "kpi-count"), all.n, b);
      await page.goForward();
      await page.waitForFunction(() => document.querySelectorAll("#filters .chip").length === 1);
      await settled(page);
      near(await kpi(page, "kpi-count"), one.n, b);
      await page.close();
    }, 300_000);

    it("Baltimore: the map's colour-by and a cluster filter survive a reload; a tab click is one history step", async () => {
      const page = await open("?run=baltimore", 1440);
      await page.selectOption("#map-metric", "count");
      await settled(page);
      await page.waitForFunction(() => new URL(location.href).searchParams.get("map") === "count");
      await clickAndSettle(page, `#clusters path[aria-roledescription="bar"]`);
      const cluster = JSON.parse(new URL(page.url()).searchParams.get("f._cluster") ?? "null") as number[];
      expect(cluster).toHaveLength(1);
      const [size] = await db.query(`SELECT count(*)::INTEGER AS n FROM ${servedRows(dirs.baltimore)} WHERE _cluster = ${cluster[0]}`);
      const b = await bound(page);
      const shown = await kpi(page, "kpi-count");
      near(shown, size.n, b);
      await page.reload();
      await settled(page);
      expect(await page.inputValue("#map-metric")).toBe("count");
      expect(await page.textContent("#map .role-legend")).toContain("Records");
      expect(await kpi(page, "kpi-count")).toBe(shown);

      await clickAndSettle(page, "#run-tabs button[data-run='lmpd']");
      expect(new URL(page.url()).searchParams.get("run")).toBe("lmpd");
      expect(await page.locator("#filters .chip").count()).toBe(0);
      await page.goBack();
      await page.waitForFunction(() => document.querySelector("#run-tabs button.active")?.getAttribute("data-run") === "baltimore");
      await settled(page);
      expect(await kpi(page, "kpi-count")).toBe(shown);
      expect(await page.inputValue("#map-metric")).toBe("count");
      await page.close();
    }, 300_000);

    /** Clicks an export button and reads the downloaded file. */
    async function exported(page: Page, chart: string, format: string): Promise<{ name: string; bytes: Buffer }> {
      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: 60_000 }),
        page.click(`.export[data-for='${chart}'] button[data-export='${format}']`),
      ]);
      return { name: download.suggestedFilename(), bytes: readFileSync(must(await download.path(), "download path")) };
    }

    it("LMPD: a chart exports its shown counts as CSV (within the policy's bound of SQL), and PNG and SVG images", async () => {
      const page = await open("?run=lmpd", 1440);
      const b = await bound(page);
      const chart = must(await page.getAttribute(".chart[data-dim='PREMISE_TYPE']", "id"), "premise chart id");
      const csv = await exported(page, chart, "csv");
      expect(csv.name).toBe("lmpd-PREMISE_TYPE.csv");
      const [header, ...rows] = parseCsv(csv.bytes.toString("utf8"));
      expect(header).toEqual([
        "PREMISE_TYPE",
        "records",
        "Officer assaulted",
        "rate",
        "rate_ci95_low",
        "rate_ci95_high",
        "mean_predicted_risk",
      ]);
      const sql = new Map(
        (await db.query(`SELECT PREMISE_TYPE AS v, count(*)::INTEGER AS n ${lmpd()} GROUP BY 1`)).map((r) => [String(r.v), Number(r.n)]),
      );
      expect(rows.length).toBe(sql.size);
      let compared = 0;
      for (const [label, records] of rows) {
        const truth = must(sql.get(label === "(missing)" ? "null" : label), `SQL group ${label}`);
        if (records.startsWith("≤")) expect(truth).toBeLessThanOrEqual(10);
        else {
          near(Number(records), truth, b);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(5);
      // The file holds what the chart shows: its top bar's count.
      const top = must(await page.locator(`#${chart} path[aria-roledescription="bar"]`).first().getAttribute("aria-label"), "bar label");
      expect(top).toContain(`Records: ${Number(rows[0][1]).toLocaleString("en-US")}`);

      const png = await exported(page, chart, "png");
      expect(png.name).toBe("lmpd-PREMISE_TYPE.png");
      expect(png.bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
      expect(png.bytes.length).toBeGreaterThan(5_000);
      const svg = await exported(page, "histogram", "svg");
      expect(svg.name).toBe("lmpd-histogram.svg");
      expect(svg.bytes.toString("utf8")).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      await page.close();
    }, 300_000);

    it("LMPD: the offence list searches and sorts; a rate bar carries its Wilson interval", async () => {
      const page = await open("?run=lmpd", 1440);
      const chart = ".chart[data-dim='UOR_DESC']";
      const card = page.locator("#card-" + must(await page.getAttribute(chart, "id"), "offence chart id"));
      const all = Number(await page.getAttribute(chart, "data-shown"));
      const [distinct] = await db.query(`SELECT count(DISTINCT UOR_DESC)::INTEGER AS n ${lmpd()}`);
      expect(all).toBeGreaterThanOrEqual(Number(distinct.n));
      const [wanton] = await db.query(`SELECT count(DISTINCT UOR_DESC)::INTEGER AS n ${lmpd()} WHERE UOR_DESC ILIKE '%wanton%'`);
      expect(Number(wanton.n)).toBeGreaterThan(1);
      await card.locator(".list-search").fill("wanton");
      await page.waitForFunction(
        (n) => document.querySelector(".chart[data-dim='UOR_DESC']")?.getAttribute("data-shown") === String(n),
        wanton.n,
      );
      await settled(page);
      const labels = await page.$$eval(`${chart} path[aria-roledescription="bar"]`, (els) =>
        els.map((e) => e.getAttribute("aria-label") ?? ""),
      );
      expect(labels.length).toBeGreaterThan(0);
      for (const l of labels) expect(l.toUpperCase()).toContain("WANTON");

      await card.locator(".list-search").fill("");
      await page.waitForFunction(
        (n) => document.querySelector(".chart[data-dim='UOR_DESC']")?.getAttribute("data-shown") === String(n),
        all,
      );
      await card.locator(".list-sort").selectOption("name");
      await settled(page);
      // Bars are drawn in the list's order, top to bottom (the y domain is the list itself).
      await page.waitForFunction(() => {
        const names = [...document.querySelectorAll(".chart[data-dim='UOR_DESC'] path[aria-roledescription='bar'][fill='#3b6ea8']")]
          .map((e) => /(?:^|; )label: (.*?);/.exec(e.getAttribute("aria-label") ?? "")?.[1])
          .filter((v): v is string => v !== undefined);
        return names.length > 10 && names.every((t, i) => i === 0 || names[i - 1].localeCompare(t, "en") <= 0);
      });
      await card.locator(".list-sort").selectOption("rate");
      await settled(page);
      const rates = await page.$$eval(`${chart} path[aria-roledescription="bar"][fill="#3b6ea8"]`, (els) =>
        els
          .map((e) => /Rate: ([\d.]+)%/.exec(e.getAttribute("aria-label") ?? "")?.[1])
          .filter((v): v is string => v !== undefined)
          .map(Number),
      );
      expect(rates.length).toBeGreaterThan(3);
      for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThanOrEqual(rates[i - 1]);
      // Interval rules beside the overall-rate rule: one per shown rate.
      const rules = await page.locator(`${chart} line[aria-roledescription="rule mark"]`).count();
      expect(rules).toBeGreaterThan(rates.length);
      await page.close();
    }, 300_000);

    it("logs no console or server errors", () => {
      expect(errors).toEqual([]);
    });
  },
);
