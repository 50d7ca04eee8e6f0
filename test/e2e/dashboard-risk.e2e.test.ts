import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { policyOfManifest, type DisclosurePolicy } from "../../src/disclosure/policy.js";
import type { CalibrationResponse } from "../../src/server/api-types.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { clickAndSettle, hasChromium, launchChromium, openDashboard } from "./browser.js";
import { exampleRun } from "./example-runs.js";
import { must } from "./helpers.js";
import { expectedCount, expectedPositives, expectedRate, servedRows, truth, type Truth } from "../server/truth.js";

/**
 * The risk views (calibration curve, top-N% flagging) and the drill-down of the real LMPD run in headless Chromium:
 * the numbers drawn are SQL's on prepared.parquet through the policy, before and after a filter; the groups table
 * sorts, pages and shows hidden cells as hidden; with row-level output allowed (a copy of the run), the record table
 * pages and sorts as SQL does.
 */

const LMPD_DATA = "../shared/data/lmpd-assaulted-officers";
const hasData = existsSync(join(LMPD_DATA, "Crime.csv"));
const TARGET = "officer_assaulted";
const ROAD = "HIGHWAY / ROAD / ALLEY";

function buildIfMissing(): void {
  if (!existsSync("dist/cli/main.js"))
    execFileSync(process.execPath, [resolve("node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" });
  if (!existsSync("web/dist/index.html"))
    execFileSync(process.execPath, [resolve("node_modules/vite/bin/vite.js"), "build", "--config", resolve("web/vite.config.ts")], {
      stdio: "inherit",
    });
}

/** "Records: 3,930" out of an aria-label, or null when the field reads as hidden (e.g. "≤10" or "hidden"). */
function field(label: string, name: string): string | undefined {
  return new RegExp(`(?:^|; )${name.replace(/[()]/g, "\\$&")}: ([^;]*)`).exec(label)?.[1];
}
const int = (s: string | undefined): number | null => (s === undefined || !/^[\d,]+$/.test(s) ? null : Number(s.replace(/,/g, "")));
const pct = (s: string | undefined): number | null => {
  const m = /^([\d.]+)%/.exec(s ?? "");
  return m ? Number(m[1]) / 100 : null;
};
/** A percentage as printed (one decimal) agrees with a rate: both hidden, or within the printed rounding. */
function samePct(printed: number | null, rate: number | null, what: string): void {
  if (rate === null) expect(printed, what).toBeNull();
  else expect(Math.abs(must(printed, what) - rate), what).toBeLessThanOrEqual(0.0005 + 1e-9);
}

describe.skipIf((!hasChromium || !hasData) && !process.env.CI)("risk views and drill-down on the real LMPD run (headless Chromium)", () => {
  const base = mkdtempSync(join(tmpdir(), "ob-dash-risk-"));
  /** The e2e tier's shared LMPD run (test/e2e/example-runs.ts), set in beforeAll; only read. */
  let dir = "";
  const rowsDir = join(base, "lmpd-rows");
  let server: RunningServer;
  let browser: Browser;
  let db: Db;
  let policy: DisclosurePolicy;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!hasData) throw new Error(`real data is missing under ${LMPD_DATA}; these tests must run in CI`);
    buildIfMissing();
    const r = await exampleRun("lmpd");
    expect(r.code, r.stderr).toBe(0);
    dir = r.dir;
    // A copy whose policy allows row-level output: the drill-down then offers the records themselves.
    mkdirSync(rowsDir);
    cpSync(dir, rowsDir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(rowsDir, "manifest.json"), "utf8")) as { disclosure: Record<string, unknown> };
    manifest.disclosure.row_level = true;
    writeFileSync(join(rowsDir, "manifest.json"), JSON.stringify(manifest));
    policy = policyOfManifest(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
    db = await Db.open();
    server = await startServer({ dirs: [dir, rowsDir], port: 0, log: (l) => errors.push(`server: ${l}`) });
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as RunningServer | undefined)?.close();
    await (db as Db | undefined)?.close();
    rmSync(base, { recursive: true, force: true });
  });

  const labels = (page: Page, selector: string): Promise<string[]> =>
    page.$$eval(selector, (els) => els.map((e) => e.getAttribute("aria-label") ?? ""));

  /** Checks the calibration chart's drawn bins against SQL for the records matching `cond`; returns the bins compared. */
  async function checkCalibration(page: Page, cond: string): Promise<number> {
    const edges = (
      (await (
        await fetch(`${server.url}api/runs/lmpd/calibration`, {
          method: "POST",
          body: "{}",
          headers: { "content-type": "application/json" },
        })
      ).json()) as CalibrationResponse
    ).bins;
    const drawn = await labels(page, `#calibration path[aria-roledescription="point"], #calibration path[aria-roledescription="tick"]`);
    let compared = 0;
    for (const [i, bin] of edges.entries()) {
      const top = i === edges.length - 1 ? `_score <= ${bin.end}` : `_score < ${bin.end}`;
      const [t] = (await truth(db, dir, `${cond} AND _score >= ${bin.start} AND ${top}`, "NULL", TARGET)) as (Truth | undefined)[];
      const n = expectedCount(t, policy);
      const rate = expectedRate(t, policy);
      const binLabel = drawn.find(
        (l) =>
          field(l, "Records") !== undefined &&
          l.includes(`Predicted risk bin: ${(bin.start * 100).toFixed(1)}% – ${(bin.end * 100).toFixed(1)}%`),
      );
      if (n === null || !t || t.n <= policy.min_cell) {
        // A hidden bin has no mean, so it is not drawn at all.
        if (binLabel) expect(field(binLabel, "Records")).toBe(policy.min_cell ? `≤${policy.min_cell}` : undefined);
        continue;
      }
      const label = must(binLabel, `calibration bin ${i} (${cond})`);
      expect(int(field(label, "Records")), label).toBe(n);
      expect(int(field(label, "Officer assaulted"))).toBe(expectedPositives(t, policy));
      samePct(pct(field(label, "Observed rate (95% CI)")), rate, label);
      if (rate === null) expect(field(label, "Observed rate (95% CI)")).toBe("hidden");
      samePct(pct(field(label, "Mean predicted risk")), Math.round((t.s ?? NaN) * 1000) / 1000, label);
      compared++;
    }
    return compared;
  }

  /** Checks the flagging chart's points against SQL's top-N% sets of the records matching `cond`. */
  async function checkFlagging(page: Page, cond: string): Promise<number> {
    const drawn = await labels(page, `#flagging path[aria-roledescription="point"]`);
    const byN = new Map(drawn.map((l) => [Number(field(l, "Top N% flagged")), l]));
    const [all] = await truth(db, dir, `${cond} AND _score IS NOT NULL`, "NULL", TARGET);
    let compared = 0;
    for (const [percent, label] of byN) {
      const where = `_row IN (SELECT _row FROM (SELECT _row, row_number() OVER (ORDER BY _score DESC, _row) AS r, count(*) OVER () AS n
        FROM ${servedRows(dir)} WHERE ${cond} AND _score IS NOT NULL) WHERE r <= (${percent} * n + 99) // 100)`;
      const [t] = await truth(db, dir, where, "NULL", TARGET);
      const flagged = expectedCount(t, policy);
      const positives = expectedPositives(t, policy);
      expect(int(field(label, "Flagged records")), label).toBe(flagged);
      expect(int(field(label, "Events among them"))).toBe(positives);
      const big = (n: number) => n > policy.min_cell;
      const precision = big(t.p) && big(t.n - t.p) && flagged && positives !== null ? positives / flagged : null;
      samePct(pct(field(label, "Precision")), precision === null ? null : Math.round(precision * 1e4) / 1e4, label);
      const allPos = expectedPositives(all, policy);
      const captured =
        percent === 100
          ? 1
          : big(t.p) && big(all.p - t.p) && allPos && positives !== null
            ? Math.round((positives / allPos) * 1e4) / 1e4
            : null;
      samePct(pct(field(label, "Events captured")), captured, `${percent}% captured`);
      compared++;
    }
    return compared;
  }

  it("LMPD: the calibration curve and the flagging chart draw SQL's counts, rates and shares, and follow a premise filter", async () => {
    const page = await openDashboard(browser, server.url, "lmpd", errors);
    // prior_shift calibration: the charts speak of predicted risk, not of a bare score.
    expect(await page.textContent("#card-calibration h2")).toContain("predicted risk");
    expect(await page.textContent("#card-flagging h2")).toContain("predicted risk");
    for (const id of ["calibration", "flagging"]) expect(await page.$(`.chart#${id}`)).not.toBeNull();
    expect(await checkCalibration(page, "true")).toBeGreaterThanOrEqual(6);
    const before = await labels(page, `#flagging path[aria-roledescription="point"]`);
    expect(await checkFlagging(page, "true")).toBeGreaterThan(10);

    await clickAndSettle(page, `.chart[data-dim='PREMISE_TYPE'] path[aria-roledescription="bar"][aria-label*=": ${ROAD};"]`);
    const road = `PREMISE_TYPE = ${quoteString(ROAD)}`;
    const after = await labels(page, `#flagging path[aria-roledescription="point"]`);
    expect(after).not.toEqual(before);
    expect(await checkCalibration(page, road)).toBeGreaterThanOrEqual(4);
    expect(await checkFlagging(page, road)).toBeGreaterThan(10);
    // The foot names the filtered scored records, as the policy publishes them.
    const [t] = await truth(db, dir, `${road} AND _score IS NOT NULL`, "NULL", TARGET);
    expect(await page.textContent("#flagging-foot")).toContain(Number(expectedCount(t, policy)).toLocaleString("en-US"));

    // Each chart exports PNG, SVG and its table as CSV, like the others.
    for (const id of ["calibration", "flagging"])
      for (const format of ["png", "svg", "csv"]) {
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.click(`.export[data-for='${id}'] button[data-export='${format}']`),
        ]);
        expect(download.suggestedFilename()).toBe(`lmpd-${id}.${format}`);
        const bytes = readFileSync(must(await download.path(), "download path"));
        if (format === "png") expect(bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
        if (format === "svg") expect(bytes.toString("utf8")).toMatch(/^<svg/);
        if (format === "csv" && id === "flagging") {
          const lines = bytes.toString("utf8").trim().split(/\r?\n/);
          expect(lines[0]).toContain("top_percent_flagged");
          expect(lines).toHaveLength(16);
        }
      }
    await page.close();
  }, 300_000);

  /** The drill-down table's body as text cells, row by row. */
  const tableCells = (page: Page): Promise<string[][]> =>
    page.$$eval("#drill tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));

  /** Clicks in the drill-down and waits until the table is drawn again. */
  async function drillClick(page: Page, selector: string): Promise<void> {
    const drawn = await page.getAttribute("#drill", "data-drawn");
    await page.click(selector);
    await page.waitForFunction((d) => document.getElementById("drill")?.dataset.drawn !== d, drawn);
    await page.waitForSelector("#app[data-ready=true]");
  }

  it("LMPD: the groups table sorts and pages, its counts are SQL's through the policy, and hidden cells read as hidden", async () => {
    const page = await openDashboard(browser, server.url, "lmpd", errors);
    await clickAndSettle(page, `.chart[data-dim='PREMISE_TYPE'] path[aria-roledescription="bar"][aria-label*=": ${ROAD};"]`);
    // Grouped by the filtered dimension: one row, the filter's own counts.
    const road = `PREMISE_TYPE = ${quoteString(ROAD)}`;
    const [t] = await truth(db, dir, road, "NULL", TARGET);
    const [[value, records, positives]] = await tableCells(page);
    expect(value).toBe(ROAD);
    expect(int(records)).toBe(expectedCount(t, policy));
    expect(int(positives)).toBe(expectedPositives(t, policy));

    // Grouped by offence under the filter: every offence of the run, 25 a page.
    await page.selectOption("#drill-mode", "UOR_DESC");
    await page.waitForFunction(() => document.querySelectorAll("#drill tbody tr").length === 25);
    await page.waitForSelector("#app[data-ready=true]");
    const groups = await truth(db, dir, road, "UOR_DESC", TARGET);
    const [{ n: offences }] = await db.query(`SELECT count(DISTINCT UOR_DESC)::INTEGER AS n FROM ${servedRows(dir)}`);
    const rows = Number(await page.getAttribute("#drill", "data-rows"));
    expect(rows).toBeGreaterThanOrEqual(Number(offences));
    expect(await page.textContent("#drill-range")).toContain(`of ${rows} groups`);
    // Sort by records, largest first: shown counts descend, hidden ones come last.
    await drillClick(page, "#drill th:nth-child(2) button");
    expect(await page.getAttribute("#drill th:nth-child(2)", "aria-sort")).toBe("descending");
    const seen: string[][] = [];
    const pages = Math.ceil(rows / 25);
    for (let p = 0; p < pages; p++) {
      seen.push(...(await tableCells(page)));
      if (p < pages - 1) await drillClick(page, "#drill-pager button[data-page='next']");
    }
    expect(seen).toHaveLength(rows);
    const hidden = `≤${policy.min_cell}`;
    const counts = seen.map((r) => r[1]);
    const firstHidden = counts.indexOf(hidden);
    expect(firstHidden).toBeGreaterThan(0);
    expect(counts.slice(firstHidden).every((c) => c === hidden)).toBe(true);
    const shown = counts.slice(0, firstHidden).map((c) => Number(c.replace(/,/g, "")));
    for (let i = 1; i < shown.length; i++) expect(shown[i]).toBeLessThanOrEqual(shown[i - 1]);
    // Every row is SQL's group through the policy; hidden counts and hidden rates read as hidden.
    const byName = new Map(groups.map((g) => [String(g.key), g]));
    for (const [name, n, pos, rate] of seen) {
      const g = byName.get(name);
      const want = expectedCount(g, policy);
      expect(n, name).toBe(want === null ? hidden : want.toLocaleString("en-US"));
      const wantPos = expectedPositives(g, policy);
      expect(pos).toBe(wantPos === null ? hidden : wantPos.toLocaleString("en-US"));
      const wantRate = expectedRate(g, policy);
      if (wantRate === null) expect(rate).toBe("hidden");
      else samePct(pct(rate), wantRate, name);
    }
    // Sorting by name, A to Z, from the first page again.
    await drillClick(page, "#drill th:nth-child(1) button");
    expect(await page.textContent("#drill-range")).toContain(`1–25 of ${rows}`);
    const names = (await tableCells(page)).map((r) => r[0]);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "en")));
    await page.close();
  }, 300_000);

  it("LMPD with row-level output allowed: the record table pages and sorts the filtered records as SQL does", async () => {
    const page = await openDashboard(browser, server.url, "lmpd-rows", errors);
    expect(await page.inputValue("#drill-mode")).toBe("records");
    await clickAndSettle(page, `.chart[data-dim='PREMISE_TYPE'] path[aria-roledescription="bar"][aria-label*=": ${ROAD};"]`);
    const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM ${servedRows(rowsDir)} WHERE PREMISE_TYPE = ${quoteString(ROAD)}`);
    expect(Number(await page.getAttribute("#drill", "data-rows"))).toBe(Number(n));
    const headers = await page.$$eval("#drill th button", (bs) => bs.map((b) => b.textContent));
    const scoreCol = headers.findIndex((h) => h.startsWith("Predicted risk")) + 1;
    expect(scoreCol).toBeGreaterThan(0);
    await drillClick(page, `#drill th:nth-child(${scoreCol}) button`);
    await drillClick(page, "#drill-pager button[data-page='next']");
    const want = await db.query(
      `SELECT _score FROM ${servedRows(rowsDir)} WHERE PREMISE_TYPE = ${quoteString(ROAD)} ORDER BY _score DESC NULLS LAST, _row LIMIT 25 OFFSET 25`,
    );
    const got = (await tableCells(page)).map((r) => Number(r[scoreCol - 1]));
    expect(got).toHaveLength(25);
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(Number(want[i]._score), 5);
    });
    await page.close();
  }, 300_000);

  it("logs no console or server errors", () => {
    expect(errors).toEqual([]);
  });
});
