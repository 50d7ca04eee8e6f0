import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { auditHtml } from "../../src/disclosure/audit.js";
import { publishFloor } from "../../src/disclosure/perturb.js";
import { policyOfManifest, type DisclosurePolicy } from "../../src/disclosure/policy.js";
import type { Results } from "../../src/results/types.js";
import { loadRuns } from "../../src/server/load-runs.js";
import { gridCells } from "../../src/server/answers.js";
import { gridQuery } from "../../src/server/sql.js";
import { runStudy } from "../../src/studies/run-study.js";
import { loadStudy } from "../../src/studies/study-file/load-study.js";
import { Logger } from "../../src/util/logger.js";
import { reportSquares, sqlSquares } from "../report/point-map-helpers.js";

/**
 * The report's point map, from a run in this process: its squares are the dashboard's point map with no filter, and
 * each equals an independent SQL aggregation of prepared.parquet (located rows of the design per square, with the
 * sum of their record keys) put through the policy; no drawn square is at or below the threshold.
 */

let tmp: string;
let db: Db;

/** Deterministic located victims: three hot spots around Baltimore and a thin spread, some rows without coordinates. */
function victimsCsv(n: number): string {
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const spots = [
    [39.29, -76.61],
    [39.31, -76.58],
    [39.27, -76.65],
  ];
  const lines = ["id,sex,age,lat,lon"];
  for (let i = 0; i < n; ++i) {
    const spot = spots[i % 3];
    const spread = i % 5 === 0 ? 0.08 : 0.012;
    const located = i % 17 !== 0;
    const lat = located ? (spot[0] + (rnd() - 0.5) * spread).toFixed(6) : "";
    const lon = located ? (spot[1] + (rnd() - 0.5) * spread).toFixed(6) : "";
    lines.push(`${i + 1},${rnd() < 0.5 ? "M" : "F"},${18 + Math.floor(rnd() * 60)},${lat},${lon}`);
  }
  return `${lines.join("\n")}\n`;
}

const study = (points: string) => `name: located victims
kind: segments
seed: 3
sources:
  victims: { path: victims.csv }
segments:
  id: id
  features:
    categorical: [sex]
    numeric: [age]
  k: { min: 2, max: 3 }
  compare_methods: false
  stability_resamples: 0
  structure: false
disclosure:
  points: ${points}
`;

async function run(name: string, points: string): Promise<string> {
  const dir = join(tmp, "out", name);
  writeFileSync(join(tmp, "data", `${name}.yaml`), study(points));
  await runStudy(await loadStudy(join(tmp, "data", `${name}.yaml`)), {
    dataDir: join(tmp, "data"),
    out: dir,
    logger: new Logger({ silent: true }),
    startedAt: "2024-01-02T03:04:05.000Z",
  });
  return dir;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-point-map-"));
  mkdirSync(join(tmp, "data"));
  writeFileSync(join(tmp, "data", "victims.csv"), victimsCsv(1500));
  db = await Db.open();
});
afterAll(async () => {
  await db.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("the report's gridded point map", () => {
  it("draws exactly the published squares of a SQL aggregation of prepared.parquet, none at or below the threshold", async () => {
    const dir = await run("on", "{ grid_m: 1000 }");
    const html = readFileSync(join(dir, "report.html"), "utf8");
    const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as Results;
    const policy: DisclosurePolicy = policyOfManifest(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as never);
    const drawn = reportSquares(html);
    const expected = await sqlSquares(db, dir, results, policy);
    expect(expected.hidden).toBeGreaterThan(0);
    expect(expected.cells.length).toBeGreaterThan(5);
    expect(drawn).toEqual(expected.cells);
    for (const c of drawn) expect(c.count).toBeGreaterThanOrEqual(publishFloor(policy));
    expect(Math.min(...drawn.map((c) => c.count))).toBeGreaterThan(policy.min_cell);
    expect(auditHtml(html, policy)).toEqual([]);
    expect(html).toContain("Each square is 1,000 m × 1,000 m");
    expect(html).toContain("squares with ≤10 records are hidden (not drawn)");
  });

  it("is the dashboard's point map with no filter: same squares, same published counts", async () => {
    const dir = join(tmp, "out", "on");
    const served = await Db.open();
    try {
      const [r] = await loadRuns(served, [dir]);
      if (!r.grid || !r.points) throw new Error("the run has no point map in the dashboard");
      const q = gridQuery({ view: r.view, where: { sql: "", params: [] }, lat: r.points.lat, lon: r.points.lon, grid: r.grid });
      const answer = gridCells(await served.query(q.sql, q.params), r.grid, r.policy);
      const drawn = reportSquares(readFileSync(join(dir, "report.html"), "utf8"));
      expect(drawn.map((c) => ({ lat: c.lat, lon: c.lon, count: c.count }))).toEqual(answer.cells);
    } finally {
      await served.close();
    }
  });

  it("is left out when the policy has no point map, and turning it on leaves results.json as it was", async () => {
    const off = await run("off", "false");
    const html = readFileSync(join(off, "report.html"), "utf8");
    expect(html).not.toContain('data-chart="point_map"');
    expect(html).not.toContain("Where the records are");
    expect(readFileSync(join(off, "results.json"), "utf8")).toBe(readFileSync(join(tmp, "out", "on", "results.json"), "utf8"));
  });

  it("the audit finds a square below the threshold planted in the map", () => {
    const html = readFileSync(join(tmp, "out", "on", "report.html"), "utf8");
    const policy: DisclosurePolicy = policyOfManifest(JSON.parse(readFileSync(join(tmp, "out", "on", "manifest.json"), "utf8")) as never);
    const planted = html.replace(/(data-chart="point_map"[\s\S]*?aria-label="[^"]*?records: )[0-9,]+/, "$13");
    expect(planted).not.toBe(html);
    expect(auditHtml(planted, policy)).toEqual([{ file: "report.html", field: "point map square", value: 3 }]);
  });
});
