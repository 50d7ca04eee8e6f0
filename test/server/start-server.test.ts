import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import type { HistogramBin, PointsResponse, QueryRow, RunSummary } from "../../src/server/api-types.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { UserError } from "../../src/util/errors.js";
import { defined } from "../checks.js";

const fixtures = resolve("test/fixtures/dashboard");
const riskParquet = quoteString(join(fixtures, "risk", "prepared.parquet"));
const segParquet = quoteString(join(fixtures, "segments", "prepared.parquet"));

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
  total: number;
  points: PointsResponse["points"];
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

describe("startServer API", () => {
  it("GET /api/runs lists both fixture runs with their results", async () => {
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
  });

  it("query group_by each risk dimension equals the same counts in SQL", async () => {
    const exprs: [string | [string, string], string][] = [
      ["OFFENSE", `"OFFENSE"`],
      ["PREMISE_TYPE", `"PREMISE_TYPE"`],
      [["year", "DATE_OCCURED"], `year("DATE_OCCURED")`],
      [["month", "DATE_OCCURED"], `month("DATE_OCCURED")`],
      ["weekday:DATE_OCCURED", `isodow("DATE_OCCURED")`],
      [["hour", "DATE_OCCURED"], `hour("DATE_OCCURED")`],
    ];
    for (const [group, expr] of exprs) {
      const { status, json } = await post("api/runs/risk/query", { group_by: group });
      expect(status).toBe(200);
      const want = await sql(
        `SELECT ${expr} AS key, count(*)::INTEGER AS n, sum("ASSAULTED")::INTEGER AS p, avg("_score") AS s FROM read_parquet(${riskParquet}) GROUP BY 1`,
      );
      const got = byKey(json.rows);
      expect(got.size).toBe(want.length);
      for (const w of want) {
        const g = defined(got.get(String(w.key)), `the answer row for ${String(w.key)}`);
        expect(g.count, `${JSON.stringify(group)}=${String(w.key)}`).toBe(w.n);
        expect(g.positives).toBe(w.p);
        expect(g.rate).toBeCloseTo(Number(w.p) / Number(w.n), 12);
        expect(g.mean_score).toBeCloseTo(Number(w.s), 9);
      }
    }
  });

  it("filters combine with AND across columns and OR within one, including null and quoted values", async () => {
    const filters = {
      OFFENSE: ["Menacing", "Assault 4th degree"],
      PREMISE_TYPE: [null, `O'Brien's "Corner" Store`, "Bar / night club"],
      "hour:DATE_OCCURED": [22, 23, 0, 1],
    };
    const { status, json } = await post("api/runs/risk/query", { filters, group_by: ["weekday", "DATE_OCCURED"] });
    expect(status).toBe(200);
    const want =
      await sql(`SELECT isodow("DATE_OCCURED") AS key, count(*)::INTEGER AS n, sum("ASSAULTED")::INTEGER AS p FROM read_parquet(${riskParquet})
      WHERE "OFFENSE" IN ('Menacing', 'Assault 4th degree')
        AND ("PREMISE_TYPE" IS NULL OR "PREMISE_TYPE" IN ('O''Brien''s "Corner" Store', 'Bar / night club'))
        AND hour("DATE_OCCURED") IN (22, 23, 0, 1)
      GROUP BY 1`);
    expect(want.length).toBeGreaterThan(3);
    const got = byKey(json.rows);
    for (const w of want) expect([got.get(String(w.key))?.count, got.get(String(w.key))?.positives]).toEqual([w.n, w.p]);
    expect(json.rows.reduce((s, r) => s + r.count, 0)).toBe(want.reduce((s, r) => s + Number(r.n), 0));

    const quoted = await post("api/runs/risk/query", { filters: { PREMISE_TYPE: [`O'Brien's "Corner" Store`] } });
    const [q] = await sql(
      `SELECT count(*)::INTEGER AS n FROM read_parquet(${riskParquet}) WHERE "PREMISE_TYPE" = 'O''Brien''s "Corner" Store'`,
    );
    expect(q.n).toBeGreaterThan(0);
    expect(quoted.json.rows[0].count).toBe(q.n);
  });

  it("segments query by_cluster and areas equal SQL counts per cluster", async () => {
    const { json } = await post("api/runs/segments/query", {
      filters: { Weapon: ["Knife", "Hands"] },
      group_by: "District",
      by_cluster: true,
    });
    const want = await sql(
      `SELECT "District" AS key, "_cluster" AS c, count(*)::INTEGER AS n FROM read_parquet(${segParquet}) WHERE "Weapon" IN ('Knife', 'Hands') GROUP BY ALL`,
    );
    const got = byKey(json.rows);
    for (const w of want) {
      const row = defined(got.get(String(w.key)), `the answer row for ${String(w.key)}`);
      expect(defined(row.clusters, "clusters")[String(w.c)]).toBe(w.n);
    }

    const areas = await post("api/runs/segments/areas", { filters: { _cluster: [1] } });
    expect(areas.status).toBe(200);
    const wantAreas = await sql(
      `SELECT "Neighborhood" AS key, count(*)::INTEGER AS n FROM read_parquet(${segParquet}) WHERE "_cluster" = 1 GROUP BY 1`,
    );
    const gotAreas = byKey(areas.json.rows);
    expect(gotAreas.size).toBe(wantAreas.length);
    for (const w of wantAreas) expect(defined(gotAreas.get(String(w.key)), `the area ${String(w.key)}`).count).toBe(w.n);

    const geo = await fetch(server.url + "api/runs/segments/areas.geojson");
    expect(geo.status).toBe(200);
    expect(((await geo.json()) as { features: unknown[] }).features).toHaveLength(16);
  });

  it("histogram bins and points sample match SQL", async () => {
    const { json } = await post("api/runs/risk/histogram", { filters: { OFFENSE: ["Trespass"] }, bins: 10 });
    const want = await sql(
      `SELECT least(floor("_score" * 10), 9)::INTEGER AS b, count(*)::INTEGER AS n FROM read_parquet(${riskParquet}) WHERE "OFFENSE" = 'Trespass' GROUP BY 1`,
    );
    expect(json.bins).toHaveLength(10);
    for (const w of want) expect(json.bins[Number(w.b)].count).toBe(w.n);
    expect(json.bins.reduce((s, b) => s + b.count, 0)).toBe(want.reduce((s, r) => s + Number(r.n), 0));

    const pts = await post("api/runs/risk/points", { filters: { OFFENSE: ["Menacing"] } });
    const [n] = await sql(`SELECT count(*)::INTEGER AS n FROM read_parquet(${riskParquet}) WHERE "OFFENSE" = 'Menacing'`);
    expect(pts.json.total).toBe(n.n);
    expect(pts.json.points).toHaveLength(Number(n.n));
    const small = await post("api/runs/risk/points", { limit: 10 });
    expect(small.json.points).toHaveLength(10);
    expect((await post("api/runs/risk/points", { limit: 10 })).json.points).toEqual(small.json.points);
    expect((await post("api/runs/risk/points", { limit: 5001 })).status).toBe(400);
    expect((await post("api/runs/segments/points", {})).status).toBe(400);
    expect((await post("api/runs/segments/histogram", {})).status).toBe(400);
  });
});

describe("startServer input validation", () => {
  const injections = [`' OR '1'='1`, `x'); DROP VIEW run_0; --`, `"; DROP TABLE x; --`, "\\'; SELECT 1; --", "%' --"];

  it("SQL-injection strings as filter values only match nothing", async () => {
    for (const v of injections) {
      const { status, json } = await post("api/runs/risk/query", { filters: { OFFENSE: [v] } });
      expect(status).toBe(200);
      expect(json.rows[0].count).toBe(0);
    }
    expect((await post("api/runs/risk/query", {})).json.rows[0].count).toBe(1500);
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
    expect((await post("api/runs/risk/query", {})).json.rows[0].count).toBe(1500);
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
      const [n] = await sql(`SELECT count(*)::INTEGER AS n FROM read_parquet(${riskParquet}) WHERE "OFFENSE" = 'Menacing'`);
      expect(((await q.json()) as { rows: QueryRow[] }).rows[0].count).toBe(n.n);
    } finally {
      await s.close();
    }
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
