import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  backoffDelay,
  diffColumns,
  fetchSource,
  fetchWithRetry,
  parseCsv,
  parseRetryAfter,
  stripSecrets,
} from "../../src/data/portal/index.js";
import { UserError } from "../../src/util/errors.js";
import { type TestPortal, readDataset, startPortal } from "./portal-server.js";

describe("parseRetryAfter(value)", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("backoffDelay(attempt, base, max, random)", () => {
  it("doubles per attempt, jitters within [d/2, d) and caps", () => {
    expect(backoffDelay(1, 500, 60_000, () => 0)).toBe(250);
    expect(backoffDelay(3, 500, 60_000, () => 0)).toBe(1000);
    expect(backoffDelay(3, 500, 60_000, () => 0.999)).toBe(1999);
    expect(backoffDelay(20, 500, 8000, () => 0)).toBe(4000);
  });
});

describe("stripSecrets(url)", () => {
  it("drops tokens and credentials and keeps the query", () => {
    expect(stripSecrets("https://u:p@x.gov/a/query?where=1%3D1&token=abc&$$app_token=zz&f=json")).toBe(
      "https://x.gov/a/query?where=1%3D1&f=json",
    );
  });
});

describe("diffColumns(before, after)", () => {
  it("lists added, removed and retyped columns", () => {
    expect(
      diffColumns(
        [
          { name: "a", type: "text" },
          { name: "b", type: "number" },
        ],
        [
          { name: "b", type: "text" },
          { name: "c", type: "text" },
        ],
      ),
    ).toEqual({ added: ["c"], removed: ["a"], retyped: [{ name: "b", from: "number", to: "text" }] });
  });
});

describe("fetchWithRetry(url, parse)", () => {
  let origin = "";
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/missing") return res.writeHead(404).end("no such dataset");
    if (path === "/flaky") return hits % 2 === 1 ? res.writeHead(502).end() : res.writeHead(200).end('{"ok":true}');
    res.writeHead(200).end("[1,2");
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      ),
  );
  const parseJson = (body: string): unknown => JSON.parse(body);
  const fast = { sleep: async () => {}, random: () => 0 };

  it("fails at once on 404 with the status in a UserError", async () => {
    hits = 0;
    const err = (await fetchWithRetry(`${origin}/missing?token=secret1`, parseJson, fast).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain("HTTP 404");
    expect(err.message).not.toContain("secret1");
    expect(hits).toBe(1);
  });

  it("retries a 502 and reports the attempts used", async () => {
    hits = 0;
    const events: string[] = [];
    const r = await fetchWithRetry(`${origin}/flaky`, parseJson, { ...fast, onRetry: (e) => events.push(e.reason) });
    expect(r.value).toEqual({ ok: true });
    expect(r.attempts).toBe(2);
    expect(events).toEqual(["HTTP 502"]);
  });

  it("treats a body that does not parse as broken, and stops after maxAttempts", async () => {
    hits = 0;
    const err = (await fetchWithRetry(`${origin}/cut`, parseJson, { ...fast, maxAttempts: 4 }).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/gave up after 4 attempts \(last: broken body/);
    expect(hits).toBe(4);
  });

  it("retries a refused connection", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) =>
      closed.close(() => {
        r();
      }),
    );
    const events: string[] = [];
    const err = await fetchWithRetry(`http://127.0.0.1:${port}/x`, parseJson, {
      ...fast,
      maxAttempts: 2,
      onRetry: (e) => {
        events.push(e.reason);
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(events).toEqual(["network: ECONNREFUSED"]);
  });
});

const lmpd = "../shared/data/lmpd-assaulted-officers/AssaultedOfficerData.csv";
describe.skipIf(!existsSync(lmpd) && !process.env.CI)("fetchSource with a url source", () => {
  let portal: TestPortal;
  let cacheDir: string;
  beforeAll(async () => {
    portal = await startPortal({ dataset: readDataset(lmpd) });
    cacheDir = await mkdtemp(join(tmpdir(), "openbeat-url-"));
  });
  afterAll(async () => {
    await portal.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("downloads a CSV, retrying a dropped connection, and infers column types", async () => {
    portal.faults.set("file", [{ kind: "destroy" }, { kind: "status", status: 429, retryAfter: "1" }]);
    const sleeps: number[] = [];
    const r = await fetchSource(
      "dl",
      { url: `${portal.origin}/files/data.csv` },
      {
        cacheDir,
        progress: false,
        retry: {
          sleep: (ms) => {
            sleeps.push(ms);
            return Promise.resolve();
          },
        },
      },
    );
    expect(r.meta.rows).toBe(5393);
    expect(r.meta.retries).toBe(2);
    expect(sleeps[1]).toBe(1000);
    expect(parseCsv(readFileSync(r.path, "utf8")).length - 1).toBe(5393);
    expect(r.meta.columns.find((c) => c.name === "OFFENSE_ZIP")?.type).toBe("number");
    expect(r.meta.columns.find((c) => c.name === "DATE_OCCURED")?.type).toBe("text");
  });

  it("needs a format when the URL has no extension", async () => {
    await expect(fetchSource("x", { url: `${portal.origin}/files/data` }, { cacheDir, progress: false })).rejects.toThrow(
      /add format: csv/,
    );
  });
});
