import { cpSync, mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { PERTURBATION_BOUND, perturbCount } from "../../src/disclosure/perturb.js";
import { auditHtml } from "../../src/disclosure/audit.js";
import { resolvePolicy } from "../../src/disclosure/policy.js";
import type { HistogramBin, PointsResponse, QueryRow, RunSummary } from "../../src/server/api-types.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { UserError } from "../../src/util/errors.js";
import { defined } from "../checks.js";
import { expectedCount, expectedPositives, expectedRate, truth } from "./truth.js";

const fixtures = resolve("test/fixtures/dashboard");
const riskParquet = quoteString(join(fixtures, "risk", "prepared.parquet"));

let server: RunningServer;
let db: Db;
let webRoot: string;
let outside: string;

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => join(e.parentPath, e.name))
    .map((p) => `${p}:${statSync(p).size}:${statSync(p).mtimeMs}`)
    .sort();
}
const before = listing(fixtures);

/**
 * A parsed API answer: the fields of the endpoint asked, or `error`. A body that is not JSON stays its raw text,
 * whose fields then read as undefined.
 */
interface Answer {
  rows: QueryRow[];
  bins: HistogramBin[];
  total: number | null;
  cells: PointsResponse["cells"];
  error: string;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Answer }> {
  const res = await fetch(server.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json: json as Answer };
}

/** GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method: "GET", headers }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => {
        ok({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("error", fail);
    req.end();
  });
}

async function sql(text: string): Promise<Record<string, unknown>[]> {
  return db.query(text);
}

function byKey<R extends { key: unknown }>(rows: R[]): Map<string, R> {
  return new Map(rows.map((r) => [String(r.key), r]));
}

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), "openbeat-server-"));
  webRoot = join(base, "web");
  mkdirSync(join(webRoot, "assets"), { recursive: true });
  writeFileSync(
    join(webRoot, "index.html"),
    `<!doctype html><script type="module" src="/assets/app.js"></script><link rel="stylesheet" href="/assets/app.css">`,
  );
  writeFileSync(join(webRoot, "assets", "app.js"), "console.log('app')");
  writeFileSync(join(webRoot, "assets", "app.css"), "body{}");
  outside = join(base, "secret.txt");
  writeFileSync(outside, "TOP-SECRET");
  server = await startServer({ dirs: [fixtures], port: 0, webRoot, log: () => {} });
  db = await Db.open();
});

afterAll(async () => {
  // Either is unset when beforeAll failed part-way.
  await (server as RunningServer | undefined)?.close();
  await (db as Db | undefined)?.close();
});

const policy = resolvePolicy();
const riskDir = join(fixtures, "risk");
const json = { "content-type": "application/json" };
const segDir = join(fixtures, "segments");

describe("startServer API", () => {
  it("GET /api/runs lists both fixture runs with their policy and only the results the dashboard shows", async () => {
    const res = await fetch(server.url + "api/runs");
    expect(res.status).toBe(200);
    const { runs } = (await res.json()) as { runs: RunSummary[] };
    expect(runs.map((r) => [r.id, r.study])).toEqual([
      ["risk", "risk"],
      ["segments", "segments"],
    ]);
    expect(runs[0].rows).toBe(1500);
    expect(runs[0].results.dashboard.target).toBe("ASSAULTED");
    expect(runs[0].dimensions.map((d) => d.key)).toContain("hour:DATE_OCCURED");
    expect(runs[1].cluster_key).toBe("_cluster");
    expect(runs[0].disclosure).toEqual({
      min_cell: 10,
      perturbed: true,
      bound: PERTURBATION_BOUND,
      smallest_shown: 12,
      hidden_label: "≤10",
      max_filters: 3,
      points: { grid_m: 3000 },
      row_level: false,
    });
    expect(runs[1].disclosure.points).toBe(false);
    // No counts tables, curves, warnings or row-level samples in the summary.
    const text = JSON.stringify(runs);
    for (const key of ["pca_sample", "findings", "factors", "confusion_matrix", "curves", 'warnings":[{']) expect(text).not.toContain(key);
    const seg = runs[1].results;
    if (seg.study !== "segments") throw new Error("expected segments");
    for (const c of seg.clusters)
      for (const values of Object.values(c.top_values)) for (const v of values) expect(v).toEqual({ value: v.value, share: v.share });
  });

  it("query group_by each risk dimension answers every value of the run with the disclosed counts, positives and rates", async () => {
    const exprs: [string | [string, string], string][] = [
      ["OFFENSE", `"OFFENSE"`],
      ["PREMISE_TYPE", `"PREMISE_TYPE"`],
      [["year", "DATE_OCCURED"], `year("DATE_OCCURED")`],
      [["month", "DATE_OCCURED"], `month("DATE_OCCURED")`],
      ["weekday:DATE_OCCURED", `isodow("DATE_OCCURED")`],
      [["hour", "DATE_OCCURED"], `hour("DATE_OCCURED")`],
    ];
    let hidden = 0;
    let rates = 0;
    const cases = exprs.flatMap(([group, expr]) => [
      { group, expr, filters: {}, where: "true" },
      { group, expr, filters: { PREMISE_TYPE: ["Bar / night club"] }, where: `"PREMISE_TYPE" = 'Bar / night club'` },
    ]);
    for (const { group, expr, filters, where } of cases) {
      const { status, json } = await post("api/runs/risk/query", { group_by: group, filters });
      expect(status).toBe(200);
      const want = await truth(db, riskDir, where, expr, "ASSAULTED");
      const got = byKey(json.rows);
      expect(got.size).toBeGreaterThanOrEqual(want.length);
      for (const w of want) {
        const g = defined(got.get(String(w.key)), `the answer row for ${String(w.key)}`);
        expect(g.count, `${JSON.stringify(group)}=${String(w.key)}`).toBe(expectedCount(w, policy));
        expect(g.positives).toBe(expectedPositives(w, policy));
        expect(g.rate).toBe(expectedRate(w, policy));
        if (g.count === null) ++hidden;
        if (g.rate !== null && g.rate !== undefined) ++rates;
        if (g.count !== null) {
          expect(Math.abs(g.count - w.n)).toBeLessThanOrEqual(PERTURBATION_BOUND);
          expect(g.mean_score).toBeCloseTo(Number(w.s), 2);
        } else expect(g.mean_score).toBeNull();
      }
      // Values without records under the filters are answered too, hidden like small ones.
      for (const [k, g] of got) if (!want.some((w) => String(w.key) === k)) expect(g.count).toBeNull();
    }
    expect(hidden).toBeGreaterThan(0);
    expect(rates).toBeGreaterThan(0);
  });

  it("filters combine with AND across columns and OR within one, including null and quoted values", async () => {
    const filters = {
      OFFENSE: ["Menacing", "Assault 4th degree"],
      PREMISE_TYPE: [null, `O'Brien's "Corner" Store`, "Bar / night club"],
      "hour:DATE_OCCURED": [22, 23, 0, 1],
    };
    const { status, json } = await post("api/runs/risk/query", { filters, group_by: ["weekday", "DATE_OCCURED"] });
    expect(status).toBe(200);
    const want = await truth(
      db,
      riskDir,
      `"OFFENSE" IN ('Menacing', 'Assault 4th degree')
        AND ("PREMISE_TYPE" IS NULL OR "PREMISE_TYPE" IN ('O''Brien''s "Corner" Store', 'Bar / night club'))
        AND hour("DATE_OCCURED") IN (22, 23, 0, 1)`,
      `isodow("DATE_OCCURED")`,
      "ASSAULTED",
    );
    expect(want.length).toBeGreaterThan(3);
    const got = byKey(json.rows);
    expect([...got.keys()]).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    for (const w of want) {
      const g = got.get(String(w.key));
      expect([g?.count, g?.positives]).toEqual([expectedCount(w, policy), expectedPositives(w, policy)]);
    }

    const quoted = await post("api/runs/risk/query", { filters: { PREMISE_TYPE: [`O'Brien's "Corner" Store`] } });
    const [q] = await truth(db, riskDir, `"PREMISE_TYPE" = 'O''Brien''s "Corner" Store'`, "NULL", "ASSAULTED");
    expect(q.n).toBeGreaterThan(0);
    expect(quoted.json.rows[0].count).toBe(expectedCount(q, policy));
  });

  it("the same records always get the same answer, whichever filters reach them", async () => {
    // Hour 22 of the premises in the data is the same set as hour 22 with no premise filter.
    const premises = (await sql(`SELECT DISTINCT "PREMISE_TYPE" AS v FROM read_parquet(${riskParquet})`)).map((r) => r.v as string | null);
    const a = await post("api/runs/risk/query", { filters: { "hour:DATE_OCCURED": [22] } });
    const b = await post("api/runs/risk/query", { filters: { "hour:DATE_OCCURED": [22], PREMISE_TYPE: premises } });
    const c = await post("api/runs/risk/query", { filters: { "hour:DATE_OCCURED": [22] } });
    expect(a.json.rows).toEqual(b.json.rows);
    expect(a.json.rows).toEqual(c.json.rows);
    expect(a.json.rows[0].count).not.toBeNull();
  });

  it("refuses more filtered dimensions than disclosure.dashboard.max_filters", async () => {
    const four = { OFFENSE: ["Menacing"], PREMISE_TYPE: ["Bar / night club"], "hour:DATE_OCCURED": [22], "weekday:DATE_OCCURED": [1] };
    const { status, json } = await post("api/runs/risk/query", { filters: four });
    expect(status).toBe(400);
    expect(json.error).toMatch(/at most 3 filtered dimensions at once \(disclosure.dashboard.max_filters\)/);
    // An empty value list filters nothing and does not count.
    expect((await post("api/runs/risk/query", { filters: { ...four, OFFENSE: [] } })).status).toBe(200);
  });

  it("segments query by_cluster and areas answer disclosed counts per cluster and shares only when allowed", async () => {
    const { json } = await post("api/runs/segments/query", {
      filters: { Weapon: ["Knife", "Hands"] },
      group_by: "District",
      by_cluster: true,
    });
    const where = `"Weapon" IN ('Knife', 'Hands')`;
    const parts = await truth(db, segDir, where, `"District" || '|' || "_cluster"`);
    const totals = byKey(await truth(db, segDir, where, `"District"`));
    const got = byKey(json.rows);
    let shares = 0;
    for (const w of parts) {
      const [district, c] = String(w.key).split("|");
      const row = defined(got.get(district), `the answer row for ${district}`);
      expect(defined(row.clusters, "clusters")[c]).toBe(expectedCount(w, policy));
      const total = defined(totals.get(district), "the district total");
      const share = defined(row.cluster_shares, "cluster shares")[c];
      if (w.n > 10 && total.n - w.n > 10) {
        ++shares;
        expect(share).toBeCloseTo(Number(expectedCount(w, policy)) / Number(expectedCount(total, policy)), 3);
      } else expect(share).toBeNull();
    }
    expect(shares).toBeGreaterThan(0);

    const areas = await post("api/runs/segments/areas", { filters: { _cluster: [1] } });
    expect(areas.status).toBe(200);
    const wantAreas = await truth(db, segDir, `"_cluster" = 1`, `"Neighborhood"`);
    const gotAreas = byKey(areas.json.rows);
    for (const w of wantAreas)
      expect(defined(gotAreas.get(String(w.key)), `the area ${String(w.key)}`).count).toBe(expectedCount(w, policy));

    const geo = await fetch(server.url + "api/runs/segments/areas.geojson");
    expect(geo.status).toBe(200);
    const features = ((await geo.json()) as { features: { properties: Record<string, unknown> }[] }).features;
    expect(features).toHaveLength(16);
    // Only names (and shapes): counts per area come through the API.
    for (const f of features) expect(Object.keys(f.properties)).toEqual(["NBRDESC"]);
  });

  it("histogram bins are disclosed, and the point map answers gridded counts only, never coordinates of records", async () => {
    const { json } = await post("api/runs/risk/histogram", { filters: { OFFENSE: ["Trespass"] }, bins: 10 });
    const want = byKey(await truth(db, riskDir, `"OFFENSE" = 'Trespass'`, `least(floor("_score" * 10), 9)::INTEGER`, "ASSAULTED"));
    expect(json.bins).toHaveLength(10);
    json.bins.forEach((b, i) => {
      const w = want.get(String(i));
      expect(b.count).toBe(expectedCount(w, policy));
      expect(b.positives).toBe(expectedPositives(w, policy));
      expect(b.negatives).toBe(perturbCount((w?.n ?? 0) - (w?.p ?? 0), ((w?.ck ?? 0) - (w?.ckp ?? 0) + 256) % 256, policy));
    });

    const pts = await post("api/runs/risk/points", {});
    expect(pts.status).toBe(200);
    const grid = pts.json as unknown as PointsResponse;
    expect(grid.grid_m).toBe(3000);
    expect(grid.cells.length).toBeGreaterThan(0);
    for (const c of grid.cells) {
      expect(c.count).toBeGreaterThanOrEqual(12);
      expect(Object.keys(c).sort()).toEqual(["count", "lat", "lon"]);
    }
    const raw = await sql(`SELECT LATITUDE AS lat, LONGITUDE AS lon FROM read_parquet(${riskParquet})`);
    const coordinates = new Set(raw.map((r) => `${String(r.lat)},${String(r.lon)}`));
    for (const c of grid.cells) expect(coordinates.has(`${c.lat},${c.lon}`)).toBe(false);
    expect((await post("api/runs/risk/points", { limit: 10 })).status).toBe(400);
    const off = await post("api/runs/segments/points", {});
    expect(off.status).toBe(400);
    expect((await post("api/runs/segments/histogram", {})).status).toBe(400);
  });
});

describe("startServer input validation", () => {
  const injections = [`' OR '1'='1`, `x'); DROP VIEW run_0; --`, `"; DROP TABLE x; --`, "\\'; SELECT 1; --", "%' --"];

  it("SQL-injection strings as filter values only match nothing", async () => {
    for (const v of injections) {
      const { status, json } = await post("api/runs/risk/query", { filters: { OFFENSE: [v] } });
      expect(status).toBe(200);
      expect(json.rows[0].count).toBeNull();
    }
    expect((await post("api/runs/risk/query", {})).json.rows[0].count).toBe(
      expectedCount((await truth(db, riskDir, "true", "NULL"))[0], policy),
    );
  });

  it("SQL-injection strings and unknown or undeclared columns as names answer 400 JSON", async () => {
    const names = [...injections, `OFFENSE" OR 1=1 --`, "LATITUDE", "_score", "ASSAULTED", "nope", "year:OFFENSE", "hour:nope"];
    for (const name of names) {
      for (const body of [{ filters: { [name]: ["x"] } }, { group_by: name }, { group_by: ["hour", name] }]) {
        const { status, json } = await post("api/runs/risk/query", body);
        expect(status, JSON.stringify(body)).toBe(400);
        expect(typeof json.error).toBe("string");
        expect(json.error).not.toMatch(/\n\s+at /);
      }
    }
    expect((await post("api/runs/risk/query", { group_by: ["category", "DATE_OCCURED"] })).status).toBe(400);
    expect((await post("api/runs/risk/query", {})).json.rows[0].count).not.toBeNull();
  });

  it("malformed JSON, wrong types, extra keys and unknown runs answer 4xx JSON; oversized bodies 413", async () => {
    const bad: unknown[] = [
      "{not json",
      '{"filters": ',
      { filters: "OFFENSE" },
      { filters: { OFFENSE: "Menacing" } },
      { filters: { OFFENSE: [{ $gt: 1 }] } },
      `{"filters": {"OFFENSE": [1e400]}}`,
      { group_by: 5 },
      { group_by: ["minute", "DATE_OCCURED"] },
      { drop: true },
      [],
      "null",
      '{"__proto__": {"x": 1}}',
    ];
    for (const body of bad) {
      const { status, json } = await post("api/runs/risk/query", body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(typeof json.error).toBe("string");
    }
    const big = { filters: { OFFENSE: Array.from({ length: 2000 }, (_, i) => `value-${i}-${"x".repeat(40)}`) } };
    const huge = await post("api/runs/risk/query", big);
    expect(huge.status).toBe(413);
    expect(typeof huge.json.error).toBe("string");
    const wrongType = await fetch(server.url + "api/runs/risk/query", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    expect(wrongType.status).toBe(400);
    const xml = await fetch(server.url + "api/runs/risk/query", {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: "<a/>",
    });
    expect(xml.status).toBe(415);
    expect((await post("api/runs/nope/query", {})).status).toBe(404);
    expect((await post("api/runs/risk/query", {})).status).toBe(200);
  });

  it("never writes to the results folders", () => {
    expect(listing(fixtures)).toEqual(before);
  });
});

describe("startServer static files", () => {
  it("serves index.html and assets", async () => {
    const index = await rawGet(server.url, "/");
    expect(index.status).toBe(200);
    expect(index.body).toContain("/assets/app.js");
    expect((await rawGet(server.url, "/assets/app.js")).body).toContain("console.log");
    expect((await rawGet(server.url, "/assets/missing.js")).status).toBe(404);
  });

  it("refuses path traversal in every spelling", async () => {
    const paths = [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2e%2e%2fsecret.txt",
      "/..%2fsecret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/%2E%2E%2F%2E%2E%2Fsecret.txt",
      "/..%5csecret.txt",
      "/..\\secret.txt",
      "//etc/passwd",
      "/%2fetc%2fpasswd",
      `/${encodeURIComponent(outside)}`,
      "/C:%5cWindows%5cwin.ini",
      "/index.html%00.js",
      "/%ff%fe",
      "/%252e%252e%252fsecret.txt",
    ];
    for (const p of paths) {
      const res = await rawGet(server.url, p);
      expect([400, 404], p).toContain(res.status);
      expect(res.body).not.toContain("TOP-SECRET");
      expect(res.body).not.toContain("root:");
    }
  });
});

describe("startServer --public and the policy of each folder", () => {
  it("with --public serves report.html only when its audit passes, never a private file, and says so in the run summary", async () => {
    // A copy of the risk fixture whose report lists a group of 4 rows: the audit finds it, so --public withholds it.
    const base = mkdtempSync(join(tmpdir(), "openbeat-public-report-"));
    cpSync(join(fixtures, "risk"), join(base, "leaky"), { recursive: true });
    const leaky =
      '<table><thead><tr><th>value</th><th class="n">rows</th></tr></thead><tbody><tr><td>A</td><td class="n">4</td></tr></tbody></table>';
    expect(auditHtml(leaky, resolvePolicy()).length).toBeGreaterThan(0);
    writeFileSync(join(base, "leaky", "report.html"), leaky);
    const withheld = await startServer({ dirs: [join(base, "leaky")], port: 0, webRoot, public: true, log: () => {} });
    try {
      const { runs } = (await (await fetch(withheld.url + "api/runs")).json()) as { runs: RunSummary[] };
      expect(runs.map((r) => r.has_report)).toEqual([false]);
      expect((await fetch(withheld.url + "api/runs/leaky/report.html")).status).toBe(404);
    } finally {
      await withheld.close();
      rmSync(base, { recursive: true, force: true });
    }
    const s = await startServer({ dirs: [fixtures], port: 0, webRoot, public: true, log: () => {} });
    try {
      const { runs } = (await (await fetch(s.url + "api/runs")).json()) as { runs: RunSummary[] };
      // The fixtures' reports print no count below min_cell, so their audit passes.
      expect(runs.map((r) => r.has_report)).toEqual([true, true]);
      expect((await fetch(s.url + "api/runs/risk/report.html")).status).toBe(200);
      for (const f of ["prepared.parquet", "features.parquet", "model.json", "results.json", "manifest.json"]) {
        expect((await rawGet(s.url, `/api/runs/risk/${f}`)).status).toBe(404);
        expect((await rawGet(s.url, `/${f}`)).status).toBe(404);
      }
    } finally {
      await s.close();
    }
    const { runs } = (await (await fetch(server.url + "api/runs")).json()) as { runs: RunSummary[] };
    expect(runs[0].has_report).toBe(true);
    expect((await fetch(server.url + "api/runs/risk/report.html")).status).toBe(200);
  });

  it("a folder whose policy turns perturbation off answers exact counts with small ones hidden, and is refused by --public", async () => {
    const base = mkdtempSync(join(tmpdir(), "openbeat-policy-"));
    const dir = join(base, "exact");
    cpSync(riskDir, dir, { recursive: true });
    const exact = resolvePolicy({ dashboard: { perturb: false } });
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ min_cell: 10, disclosure: exact }));
    try {
      await expect(startServer({ dirs: [dir], port: 0, webRoot, public: true })).rejects.toThrow(
        /not served with --public because disclosure.dashboard.perturb is false/,
      );
      const s = await startServer({ dirs: [dir], port: 0, webRoot, log: () => {} });
      try {
        const answer = async (body: unknown) =>
          (
            (await (
              await fetch(s.url + "api/runs/exact/query", {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify(body),
              })
            ).json()) as { rows: QueryRow[] }
          ).rows;
        expect((await answer({}))[0].count).toBe(1500);
        const rows = await answer({ group_by: "OFFENSE", filters: { "hour:DATE_OCCURED": [3] } });
        const want = byKey(await truth(db, riskDir, `hour("DATE_OCCURED") = 3`, `"OFFENSE"`));
        for (const r of rows) {
          const n = want.get(String(r.key))?.n ?? 0;
          expect(r.count).toBe(n > 0 && n < 10 ? null : n);
        }
      } finally {
        await s.close();
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe("startServer host and token", () => {
  it("refuses a non-loopback host without a token", async () => {
    await expect(startServer({ dirs: [fixtures], port: 0, host: "0.0.0.0", webRoot })).rejects.toBeInstanceOf(UserError);
    await expect(startServer({ dirs: [fixtures], port: 0, host: "192.168.1.10", webRoot })).rejects.toThrow(/token/);
  });

  it("answers only requests addressed to localhost when there is no token", async () => {
    const res = await rawGet(server.url, "/api/runs", { Host: "attacker.example" });
    expect(res.status).toBe(403);
    expect((await rawGet(server.url, "/api/runs", { Host: "localhost" })).status).toBe(200);
  });

  it("checks the token on every request, from the header or the query string", async () => {
    const token = "s3cret-token-value";
    const s = await startServer({ dirs: [join(fixtures, "risk")], port: 0, token, webRoot, log: () => {} });
    try {
      expect((await fetch(s.url + "api/runs")).status).toBe(401);
      expect((await fetch(s.url + "api/runs", { headers: { Authorization: "Bearer wrong-token-value" } })).status).toBe(401);
      expect((await fetch(s.url + "api/runs", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(s.url + `api/runs?token=${token}`)).status).toBe(200);
      expect((await fetch(s.url + "assets/app.js")).status).toBe(401);
      expect((await rawGet(s.url, "/../secret.txt")).status).toBe(401);
      const page = await fetch(s.url + `?token=${token}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`/assets/app.js?token=${token}`);
      expect((await fetch(s.url + `assets/app.js?token=${token}`)).status).toBe(200);
      const q = await fetch(s.url + "api/runs/risk/query", {
        method: "POST",
        headers: { "content-type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ filters: { OFFENSE: ["Menacing"] } }),
      });
      const [n] = await truth(db, riskDir, `"OFFENSE" = 'Menacing'`, "NULL");
      expect(((await q.json()) as { rows: QueryRow[] }).rows[0].count).toBe(expectedCount(n, policy));
    } finally {
      await s.close();
    }
  });

  it("answers concurrent requests on a pool of connections, and repeated ones from its cache, exactly as one connection computes them one at a time", async () => {
    // One connection and no kept answers, against three connections with the answer cache.
    const one = await startServer({ dirs: [fixtures], port: 0, webRoot, connections: 1, cache: false, log: () => {} });
    const three = await startServer({ dirs: [fixtures], port: 0, webRoot, connections: 3, log: () => {} });
    try {
      const { runs } = (await (await fetch(one.url + "api/runs")).json()) as { runs: RunSummary[] };
      // The requests one filter change sends on each run: totals, every dimension, the ranges, the risk views, the
      // drill-down table, the map; under no filter and under a filter of the first dimension.
      const requests: [string, unknown][] = [];
      for (const run of runs) {
        const api = `api/runs/${run.id}/`;
        const first = run.dimensions[0];
        const domain = (
          (await (
            await fetch(one.url + api + "query", { method: "POST", headers: json, body: JSON.stringify({ group_by: first.key }) })
          ).json()) as {
            rows: QueryRow[];
          }
        ).rows.map((r) => r.key);
        for (const filters of [{}, { [first.key]: domain.slice(0, 1) }]) {
          requests.push([api + "query", { filters }], [api + "query", { filters, by_cluster: true }]);
          for (const d of run.dimensions) requests.push([api + "query", { filters, group_by: d.key }]);
          for (const r of run.ranges) requests.push([api + "distribution", { filters, column: r.column }]);
          requests.push([api + "table", { filters, group_by: [first.key] }]);
          if (run.study === "risk")
            requests.push(
              [api + "histogram", { filters }],
              [api + "calibration", { filters }],
              [api + "flagging", { filters }],
              [api + "points", { filters }],
            );
          else requests.push([api + "areas", { filters }]);
        }
      }
      const ask = async (base: string, [path, body]: [string, unknown]) => {
        const res = await fetch(base + path, { method: "POST", headers: json, body: JSON.stringify(body) });
        return `${res.status} ${await res.text()}`;
      };
      const sequential: string[] = [];
      for (const r of requests) sequential.push(await ask(one.url, r));
      expect(sequential.filter((a) => !a.startsWith("200 ")).length).toBe(0);
      // Every request twice, all at once.
      const concurrent = await Promise.all([...requests, ...requests].map((r) => ask(three.url, r)));
      expect(concurrent).toEqual([...sequential, ...sequential]);
    } finally {
      await Promise.all([one.close(), three.close()]);
    }
  });

  it("refuses a number of connections outside 1 to 64 with a UserError", async () => {
    for (const connections of [0, -1, 65, 2.5])
      await expect(startServer({ dirs: [fixtures], port: 0, webRoot, connections })).rejects.toThrow(/1 to 64 database connections/);
  });

  it("rejects folders that are not results folders with a UserError", async () => {
    const empty = mkdtempSync(join(tmpdir(), "openbeat-empty-"));
    try {
      await expect(startServer({ dirs: [empty], port: 0, webRoot })).rejects.toThrow(/results\.json/);
      await expect(startServer({ dirs: [join(empty, "missing")], port: 0, webRoot })).rejects.toBeInstanceOf(UserError);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
