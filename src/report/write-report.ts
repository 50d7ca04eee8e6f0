import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Results } from "../results/types.js";
import { buildReport, type ReportOptions } from "./html.js";

/**
 * Builds the report and writes it to `dir/report.html` (creating `dir` if needed).
 * @param dir results folder
 * @param results results.json content
 * @param options as for {@link buildReport}
 * @returns the path written
 */
export async function writeReport(dir: string, results: Results, options: ReportOptions = {}): Promise<string> {
  const html = await buildReport(results, options);
  await mkdir(dir, { recursive: true });
  const path = join(dir, "report.html");
  await writeFile(path, html);
  return path;
}
