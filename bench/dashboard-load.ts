/**
 * Load test of the dashboard server on a real LMPD results folder.
 *
 *   npx tsx bench/dashboard-load.ts [--amount N] [--connections N] [--max-seconds N]
 *
 * Runs examples/lmpd-officer-assaults.yaml into a temp folder with the built CLI (`npm run build` first), starts
 * `openbeat serve` on it in its own process on 127.0.0.1 (so client and server do not share an event loop), then
 * sends N (default 10,000) POST /api/runs/lmpd/query requests with autocannon at the given concurrency (default 50),
 * rotating over filter bodies like the ones the dashboard sends. Every body is checked against a direct answer
 * first; under load each answer must be 2xx JSON with rows. Prints throughput, latency percentiles and error
 * counts, and exits 1 on any error, timeout, non-2xx or malformed answer, or when the run hits --max-seconds.
 * All traffic goes to 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Filters, QueryRequest, QueryResponse, RunSummary } from "../src/server/api-types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist/cli/main.js");
const LMPD_DATA = resolve(ROOT, "../shared/data/lmpd-assaulted-officers");

/** The part of autocannon's options and result this benchmark uses (the package ships no types). */
interface CannonOptions {
  url: string;
  connections: number;
  amount: number;
  timeout: number;
  requests: {
    method: string;
    path: string;
    headers: Record<string, string>;
    setupRequest: (req: Record<string, unknown>) => Record<string, unknown>;
  }[];
  verifyBody: (body: string) => boolean;
}
interface Histogram {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  total: number;
}
interface CannonResult {
  duration: number;
  requests: Histogram & { sent: number };
  latency: Histogram;
  throughput: Histogram;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  resets: number;
  "2xx": number;
}
interface CannonInstance extends PromiseLike<CannonResult> {
  stop(): void;
}
const autocannon = createRequire(import.meta.url)("autocannon") as (options: CannonOptions) => CannonInstance;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name} must be a positive whole number, not ${JSON.stringify(process.argv[i + 1])}`);
  return v;
}

/** Starts `openbeat serve` on an OS-chosen loopback port and resolves with its URL once it listens. */
function serve(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, "serve", dir, "--port", "0", "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolvePromise, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      reject(new Error(`openbeat serve did not start within 60 s: ${err}`));
    }, 60_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ url: m[1], child });
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`openbeat serve exited with ${code}: ${err}`));
    });
  });
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Request bodies like the dashboard's: the headline total and each view's grouped counts, under no filter, one
 * premise, a premise and an hour, an offence, and an offence with a weekday.
 */
async function filterBodies(base: string, run: RunSummary): Promise<QueryRequest[]> {
  const url = `${base}/api/runs/${run.id}/query`;
  const top = async (group: string, n: number): Promise<(string | number)[]> =>
    (await post<QueryResponse>(url, { group_by: group })).rows
      .filter((r) => r.key !== null)
      .slice(0, n)
      .map((r) => r.key as string | number);
  const [premises, offences] = await Promise.all([top("PREMISE_TYPE", 4), top("UOR_DESC", 4)]);
  const filterSets: Filters[] = [{}];
  for (const p of premises)
    filterSets.push({ PREMISE_TYPE: [p] }, { PREMISE_TYPE: [p], "hour:DATE_OCCURED": [(premises.indexOf(p) * 5 + 2) % 24] });
  for (const o of offences) filterSets.push({ UOR_DESC: [o] }, { UOR_DESC: [o], "weekday:DATE_OCCURED": [(offences.indexOf(o) % 7) + 1] });
  const groups: (string | undefined)[] = [undefined, ...run.dimensions.map((d) => d.key)];
  const bodies: QueryRequest[] = [];
  for (const filters of filterSets) {
    for (const group of groups) {
      // A view is not filtered by its own dimension (crossfilter), as in the dashboard.
      const own = Object.fromEntries(Object.entries(filters).filter(([k]) => k !== group));
      bodies.push(group ? { filters: own, group_by: group } : { filters: own });
    }
  }
  return bodies;
}

async function main(): Promise<number> {
  const amount = option("amount", 10_000);
  const connections = option("connections", 50);
  const maxSeconds = option("max-seconds", 300);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  if (!existsSync(join(LMPD_DATA, "Crime.csv"))) throw new Error(`${LMPD_DATA} is missing: the benchmark needs the real LMPD export`);

  const work = mkdtempSync(join(tmpdir(), "ob-dash-load-"));
  const dir = join(work, "lmpd");
  let child: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    const run = spawnSync(
      process.execPath,
      [CLI, "run", join(ROOT, "examples/lmpd-officer-assaults.yaml"), "--data", LMPD_DATA, "--out", dir],
      { encoding: "utf8" },
    );
    if (run.status !== 0) throw new Error(`openbeat run failed (${run.status}): ${run.stderr}`);
    console.log(`results folder: ${dir} (openbeat run ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

    const started = await serve(dir);
    child = started.child;
    const { runs } = (await (await fetch(`${started.url}/api/runs`)).json()) as { runs: RunSummary[] };
    const lmpd = runs[0];
    const path = `/api/runs/${encodeURIComponent(lmpd.id)}/query`;
    const bodies = await filterBodies(started.url, lmpd);
    const expected = await Promise.all(bodies.map((b) => post<QueryResponse>(started.url + path, b)));
    const total = expected[0].rows[0];
    console.log(
      `server: ${started.url}  run ${lmpd.id}: ${lmpd.rows.toLocaleString("en-US")} rows, ${total.positives} positives; ${bodies.length} filter bodies`,
    );
    const payloads = bodies.map((b) => JSON.stringify(b));

    let next = 0;
    const instance = autocannon({
      url: started.url,
      connections,
      amount,
      timeout: 10,
      requests: [
        {
          method: "POST",
          path,
          headers: { "content-type": "application/json" },
          setupRequest: (req) => ({ ...req, body: payloads[next++ % payloads.length] }),
        },
      ],
      verifyBody: (body) => body.startsWith('{"rows":['),
    });
    const watchdog = setTimeout(() => {
      instance.stop();
    }, maxSeconds * 1000);
    const r = await instance;
    clearTimeout(watchdog);

    // The load must not have changed any answer.
    const after = await Promise.all(bodies.map((b) => post<QueryResponse>(started.url + path, b)));
    const changed = after.filter((a, i) => JSON.stringify(a) !== JSON.stringify(expected[i])).length;

    const done = r["2xx"] + r.non2xx;
    console.log(
      `\nautocannon: ${amount.toLocaleString("en-US")} POST ${path} at concurrency ${connections} (limit ${maxSeconds} s), ${cpus().length} CPUs`,
    );
    console.log(`  completed     ${done.toLocaleString("en-US")} responses in ${r.duration.toFixed(2)} s`);
    console.log(
      `  throughput    ${(done / r.duration).toFixed(0)} req/s (autocannon per-second mean ${r.requests.average.toFixed(0)}, ${(r.throughput.average / 1024).toFixed(0)} KiB/s)`,
    );
    console.log(`  latency       p50 ${r.latency.p50} ms · p90 ${r.latency.p90} ms · p99 ${r.latency.p99} ms · max ${r.latency.max} ms`);
    console.log(`  errors        ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, ${r.mismatches} malformed bodies`);
    console.log(`  after load    ${changed} of ${bodies.length} answers differ from before`);
    const failed = r.errors + r.timeouts + r.non2xx + r.mismatches + changed > 0 || done < amount;
    if (done < amount) console.error(`FAILED: only ${done} of ${amount} requests completed within ${maxSeconds} s`);
    else if (failed) console.error("FAILED: errors under load");
    return failed ? 1 : 0;
  } finally {
    child?.kill("SIGTERM");
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`dashboard-load: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
