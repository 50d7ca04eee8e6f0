import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeReport } from "../report/index.js";
import type { Logger } from "../util/logger.js";
import type { Results } from "./results.js";

/** Renders report.html into a staged results folder, with the area GeoJSON when the run wrote one. */
export async function writeReportFile(dir: string, results: Results, manifest: Record<string, unknown>, logger: Logger): Promise<void> {
  const areasFile = results.dashboard.areas?.file;
  const areas = areasFile ? JSON.parse(await readFile(join(dir, areasFile), "utf8")) : undefined;
  const minCell = (manifest.min_cell as number | undefined) ?? 10;
  await writeReport(dir, results, { manifest, minCell, areas, generatedAt: String(manifest.started_at) });
  logger.info(`  wrote report.html`);
}
