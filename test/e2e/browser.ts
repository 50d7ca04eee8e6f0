import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";

/** Debian's Chromium, which .ci/run installs. */
export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background network). */
export function launchChromium(): Promise<Browser> {
  if (!hasChromium) throw new Error(`${CHROMIUM} is missing; install Debian's chromium package`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
}

/** Opens the dashboard on one run and waits until it has rendered; console and page errors go to `errors`. */
export async function openDashboard(browser: Browser, url: string, run: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${run}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`${run}: ${e.message}`));
  await page.goto(`${url}?run=${run}`);
  await page.waitForSelector("#app[data-ready=true]", { timeout: 60_000 });
  return page;
}

/** Clicks, then waits until the dashboard has re-queried and re-rendered every view. */
export async function clickAndSettle(page: Page, selector: string): Promise<void> {
  // Start from a settled page: a view re-rendered by the previous update replaces its elements.
  await page.waitForSelector("#app[data-ready=true]", { timeout: 60_000 });
  const gen = Number(await page.getAttribute("#app", "data-generation"));
  // The locator is resolved again on each attempt, and click() scrolls the element into view itself.
  await page.locator(selector).first().click({ timeout: 60_000 });
  await page.waitForFunction((g) => {
    const app = document.getElementById("app");
    if (!app) throw new Error("#app is missing");
    return Number(app.dataset.generation) > g && app.dataset.ready !== "false";
  }, gen);
  expect(await page.getAttribute("#app", "data-ready")).toBe("true");
}

/**
 * Drags the mouse from the centre of the first element matching `from` to the centre of the first matching `to`
 * (a brush on a histogram or the timeline), then waits until the dashboard has re-rendered every view.
 */
export async function dragAndSettle(page: Page, from: string, to: string): Promise<void> {
  await page.waitForSelector("#app[data-ready=true]", { timeout: 60_000 });
  const gen = Number(await page.getAttribute("#app", "data-generation"));
  const start = page.locator(from).first();
  await start.scrollIntoViewIfNeeded();
  const a = await start.boundingBox();
  const b = await page.locator(to).first().boundingBox();
  if (!a || !b) throw new Error(`nothing to drag between ${from} and ${to}`);
  const y = a.y + a.height / 2;
  await page.mouse.move(a.x + a.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, y, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(
    (g) => {
      const app = document.getElementById("app");
      if (!app) throw new Error("#app is missing");
      return Number(app.dataset.generation) > g && app.dataset.ready !== "false";
    },
    gen,
    { timeout: 60_000 },
  );
  expect(await page.getAttribute("#app", "data-ready")).toBe("true");
}

/** Waits until the dashboard has rendered after a navigation (reload, back, forward). */
export async function settled(page: Page): Promise<void> {
  await page.waitForSelector("#app[data-ready=true]", { timeout: 60_000 });
}
