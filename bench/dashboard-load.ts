/**
 * Load benchmark of the dashboard server: filter changes as the web page sends them, on any results folder.
 *
 *   npx tsx bench/dashboard-load.ts [--dir RESULTS] [--run ID] [--connections 1,4,4+cache] [--rounds N]
 *                                   [--parallel N] [--answers FILE] [--json FILE] [--max-seconds N]
 *   npx tsx bench/dashboard-load.ts --throughput [--dir RESULTS] [--amount N] [--concurrency N] [--max-seconds N]
 *
 * Without --dir it runs examples/lmpd-officer-assaults.yaml on the real LMPD exports into a temp folder first with
 * the built CLI (`npm run build` first). It starts `openbeat serve` on the folder in its own process on 127.0.0.1
 * (so client and server do not share an event loop), once per configuration of --connections (default
 * "1,4,4+cache": one connection, four, four with the answer cache; without "+cache" the server runs with
 * --no-cache, and with "+sql" with --no-index, answering every request in SQL instead of from its in-memory index), and replays a sequence of filter changes on the run (--run, default the first): for
 * each change, every request the page's refresh() sends (the totals, each dimension's grouped counts and the
 * reference rate of each category, the numeric histograms and the timeline, the map, the clusters, the score
 * histogram, the calibration curve and the flagging chart of risk runs, the drill-down table), at most --parallel
 * (default 6, a browser's connections per host) at a time, the follow-up requests after the ones they wait for.
 * A warm-up change (a filter the sequence does not use), then --rounds (default 3) passes of the sequence; with
 * the cache only the first pass computes answers, so its figures are printed apart. It prints p50/p95/p99 latency per endpoint and
 * per whole filter change (first request sent to last answer read), the server's CPU time and peak memory, wall
 * time, and the load average; every answer must be 200 JSON and the same under every configuration and round
 * (and the same as in --answers FILE when that file exists; otherwise they are written to it).
 *
 * OPENBEAT_CLI=/path/to/main.js measures another build ("default+cache" then passes no server option at all).
 *
 * --throughput keeps the older test: N (default 10,000) POST /query requests with autocannon at --concurrency
 * (default 50). All traffic goes to 127.0.0.1; every loop is bounded by --max-seconds (default 600).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Filters, QueryRequest, QueryResponse, RangeFilter, RunSummary } from "../src/server/api-types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = process.env.OPENBEAT_CLI ?? join(ROOT, "dist/cli/main.js");
const LMPD_DATA = resolve(ROOT, "../shared/data/lmpd-assaulted-officers");

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function option(name: string, fallback: number): number {
  const given = arg(name);
  if (given === undefined) return fallback;
  const v = Number(given);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive whole number, not ${JSON.stringify(given)}`);
  return v;
}

/** Starts `openbeat serve` on an OS-chosen loopback port and resolves with its URL once it listens. */
function serve(
  dir: string,
  connections?: number,
  cache = true,
  index = true,
): Promise<{ url: string; child: ChildProcess; startMs: number }> {
  const extra = [
    ...(connections === undefined ? [] : ["--connections", String(connections)]),
    ...(cache ? [] : ["--no-cache"]),
    ...(index ? [] : ["--no-index"]),
  ];
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, "serve", dir, "--port", "0", "--host", "127.0.0.1", ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolvePromise, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`openbeat serve did not start within 600 s: ${err}`));
    }, 600_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ url: m[1], child, startMs: performance.now() - t0 });
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

/** CPU seconds (user + system) and peak resident memory of a process, from /proc. */
function procStats(pid: number): { cpu: number; peakMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s on Linux.
  const cpu = (Number(fields[11]) + Number(fields[12])) / 100;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpu, peakMb: hwm ? Number(hwm[1]) / 1024 : NaN };
}

const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

// ---- the page's requests ----

/** A filter state of the page: selected values per dimension and brushed ranges. */
interface FilterState {
  name: string;
  filters: Filters;
  ranges: RangeFilter[];
}

/** One request of a filter change; `then` are sent once it is answered (the page awaits it first). */
interface Step {
  endpoint: string;
  body: unknown;
  then?: Step[];
}

const without = (filters: Filters, key?: string): Filters => Object.fromEntries(Object.entries(filters).filter(([k]) => k !== key));

/** The requests of the page's refresh() for one filter state (web/src/main.ts), in the order the page starts them. */
function changeRequests(run: RunSummary, s: FilterState): Step[] {
  const risk = run.study === "risk";
  const { filters, ranges } = s;
  const steps: Step[] = [];
  const key = run.cluster_key;
  // Totals (renderKpis).
  steps.push({ endpoint: "query", body: risk ? { filters, ranges } : { filters, ranges, by_cluster: !!key } });
  // The map (renderMap).
  const dash = run.results.dashboard;
  if (dash.areas && !run.warnings.some((w) => w.startsWith("area file")))
    steps.push({ endpoint: "areas", body: { filters: without(filters, dash.areas.column), ranges } });
  else if (dash.points && run.disclosure.points) steps.push({ endpoint: "points", body: { filters, ranges } });
  if (run.has_score) steps.push({ endpoint: "histogram", body: { filters, ranges, bins: 20 } });
  if (key) {
    const own = without(filters, key);
    steps.push({
      endpoint: "query",
      body: { filters: own, ranges, group_by: key },
      then: [{ endpoint: "query", body: { filters: own, ranges, by_cluster: true } }],
    });
  }
  if (risk && run.has_score && dash.target) {
    steps.push({ endpoint: "calibration", body: { filters, ranges } }, { endpoint: "flagging", body: { filters, ranges } });
  }
  // The drill-down table of the filtered groups (renderDrill, default mode).
  const filtered = Object.keys(filters).filter(
    (k) => filters[k].length && (run.dimensions.some((d) => d.key === k) || k === dash.areas?.column),
  );
  const first = run.dimensions.find((d) => d.kind === "category") ?? run.dimensions[0];
  steps.push({ endpoint: "table", body: { filters, ranges, group_by: filtered.length ? filtered : [first.key] } });
  // Every dimension's chart, and the ranges' histograms and timeline.
  for (const d of run.dimensions) {
    if (d.key === key) continue;
    const own = without(filters, d.key);
    const then = risk && d.kind === "category" ? [{ endpoint: "query", body: { filters: own, ranges } }] : undefined;
    steps.push({ endpoint: "query", body: { filters: own, ranges, group_by: d.key, by_cluster: !risk }, then });
  }
  for (const r of run.ranges) {
    steps.push({
      endpoint: "distribution",
      body: { filters, ranges, column: r.column, ...(r.kind === "date" ? { unit: "week" } : {}), by_cluster: !risk && !!key },
    });
  }
  return steps;
}

/**
 * The filter changes of an analyst exploring the run: a value of the largest category, a second dimension on top,
 * a second value, another category, a brushed date range and numeric range, time parts, and back to no filter.
 * Never more filtered dimensions than the run's max_filters.
 */
async function filterStates(base: string, run: RunSummary): Promise<{ states: FilterState[]; warmUp: FilterState }> {
  const url = `${base}/api/runs/${encodeURIComponent(run.id)}/query`;
  const top = async (key: string, n: number): Promise<(string | number)[]> => {
    const rows = (await post<QueryResponse>(url, { group_by: key })).rows.filter((r) => r.key !== null && r.count !== null);
    return rows
      .sort((a, b) => (b.count ?? 0) - (a.count ?? 0))
      .slice(0, n)
      .map((r) => r.key as string | number);
  };
  const cats = run.dimensions.filter((d) => d.kind === "category" || d.kind === "cluster");
  const times = run.dimensions.filter((d) => d.kind !== "category" && d.kind !== "cluster");
  const states: FilterState[] = [];
  const add = (name: string, filters: Filters, ranges: RangeFilter[] = []) => {
    const n = Object.keys(filters).length + ranges.length;
    if (n <= run.disclosure.max_filters) states.push({ name, filters, ranges });
  };
  const c1 = cats.at(0);
  const c2 = cats.at(1) ?? c1;
  const v1 = c1 ? await top(c1.key, 3) : [];
  const v2 = c2 ? await top(c2.key, 3) : [];
  const tpart = times.find((d) => d.kind === "hour") ?? times.at(0);
  const tv = tpart ? await top(tpart.key, 2) : [];
  add("no filter", {});
  if (c1 && v1.length) {
    add(`${c1.key} = top value`, { [c1.key]: [v1[0]] });
    if (tpart && tv.length) add(`… and ${tpart.key}`, { [c1.key]: [v1[0]], [tpart.key]: [tv[0]] });
    add(`${c1.key} = two values`, { [c1.key]: v1.slice(0, 2) });
  }
  if (c2 && c2 !== c1 && v2.length) add(`${c2.key} = top value`, { [c2.key]: [v2[0]] });
  const date = run.ranges.find((r) => r.kind === "date");
  if (date) {
    // The middle third of the timeline, on day edges.
    const a = Date.parse(date.first);
    const b = Date.parse(date.end);
    const day = (t: number) => new Date(Math.floor(t / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
    const brushed = { column: date.column, min: day(a + (b - a) / 3), max: day(a + (2 * (b - a)) / 3) };
    add("date range", {}, [brushed]);
    if (c2 && v2.length) add(`date range and ${c2.key}`, { [c2.key]: [v2[1] ?? v2[0]] }, [brushed]);
  }
  const num = run.ranges.find((r) => r.kind === "numeric");
  if (num) {
    const lo = num.start + Math.floor(num.bins / 4) * num.width;
    add("numeric range", {}, [{ column: num.column, min: lo, max: lo + Math.max(1, Math.floor(num.bins / 4)) * num.width }]);
  }
  const year = times.find((d) => d.kind === "year");
  if (year) {
    const y = await top(year.key, 1);
    if (y.length) add(`${year.key} = busiest`, { [year.key]: y });
  }
  const wd = times.find((d) => d.kind === "weekday");
  if (wd && c1 && v1.length) add(`${wd.key} and ${c1.key}`, { [wd.key]: [6, 7], [c1.key]: [v1[2] ?? v1[0]] });
  add("no filter again", {});
  // The warm-up change filters a value no state of the sequence filters, so that it leaves no answer of theirs kept.
  const warmUp: FilterState = { name: "warm-up", filters: c2 ? { [c2.key]: [v2[2] ?? v2[0]] } : {}, ranges: [] };
  return { states, warmUp };
}

// ---- replay ----

interface Timed {
  endpoint: string;
  ms: number;
}

/** Runs the steps of one filter change with at most `parallel` requests in flight; answers by request text. */
async function replayChange(
  base: string,
  run: RunSummary,
  steps: Step[],
  parallel: number,
  answers: Map<string, string>,
): Promise<{ ms: number; requests: Timed[] }> {
  const timed: Timed[] = [];
  const queue: Step[] = [...steps];
  let inFlight = 0;
  const t0 = performance.now();
  await new Promise<void>((done, fail) => {
    const pump = () => {
      if (!queue.length && !inFlight) {
        done();
        return;
      }
      while (inFlight < parallel && queue.length) {
        const step = queue.shift() as Step;
        inFlight++;
        const text = JSON.stringify(step.body);
        const s0 = performance.now();
        fetch(`${base}/api/runs/${encodeURIComponent(run.id)}/${step.endpoint}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: text,
        })
          .then(async (res) => {
            const body = await res.text();
            timed.push({ endpoint: step.endpoint, ms: performance.now() - s0 });
            if (res.status !== 200) throw new Error(`${step.endpoint} ${text}: HTTP ${res.status} ${body}`);
            const id = `${step.endpoint} ${text}`;
            const before = answers.get(id);
            if (before !== undefined && before !== body) throw new Error(`${id}: the answer changed between runs`);
            answers.set(id, body);
            inFlight--;
            queue.push(...(step.then ?? []));
            pump();
          })
          .catch(fail);
      }
    };
    pump();
  });
  return { ms: performance.now() - t0, requests: timed };
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1] };
}

interface ConfigResult {
  config: string;
  start_s: number;
  wall_s: number;
  server_cpu_s: number;
  client_cpu_s: number;
  server_peak_mb: number;
  load_before: string;
  load_after: string;
  changes: ReturnType<typeof summary>;
  /** The sequence's first pass: with the answer cache, the only one whose answers are computed. */
  first_round: ReturnType<typeof summary>;
  endpoints: Record<string, ReturnType<typeof summary>>;
  requests: number;
}

/** A configuration of --connections: a pool size (or "default"), then "+cache" and/or "+sql" (the server's --no-index). */
function parseConfig(config: string): { connections: string; cache: boolean; index: boolean } {
  const [connections, ...flags] = config.split("+");
  if (connections !== "default" && !(Number.isInteger(Number(connections)) && Number(connections) >= 1))
    throw new Error(`--connections takes pool sizes such as 1,4,4+cache,4+sql (or "default"), not ${JSON.stringify(config)}`);
  for (const f of flags)
    if (f !== "cache" && f !== "sql") throw new Error(`--connections: unknown "+${f}" in ${JSON.stringify(config)} (use +cache or +sql)`);
  return { connections, cache: flags.includes("cache"), index: !flags.includes("sql") };
}

async function replay(dir: string, config: string, rounds: number, parallel: number, maxSeconds: number, answers: Map<string, string>) {
  const { connections, cache, index } = parseConfig(config);
  const started = await serve(dir, connections === "default" ? undefined : Number(connections), cache, index);
  try {
    const { runs } = (await (await fetch(`${started.url}/api/runs`)).json()) as { runs: RunSummary[] };
    const wanted = arg("run");
    const run = wanted ? runs.find((r) => r.id === wanted) : runs[0];
    if (!run) throw new Error(`no run ${JSON.stringify(wanted)} here; runs: ${runs.map((r) => r.id).join(", ")}`);
    const { states, warmUp } = await filterStates(started.url, run);
    const plans = states.map((s) => ({ state: s, steps: changeRequests(run, s) }));
    const perChange = plans.reduce((n, p) => n + p.steps.reduce((m, s) => m + 1 + (s.then?.length ?? 0), 0), 0) / plans.length;
    console.log(
      `\nserver --connections ${connections}${cache ? "" : " --no-cache"}${index ? "" : " --no-index"}: ${started.url}, started in ${(started.startMs / 1000).toFixed(1)} s; run ${run.id} (${run.study}, ${run.rows.toLocaleString("en-US")} rows); ${states.length} filter changes of ${perChange.toFixed(1)} requests on average, ${parallel} at a time`,
    );
    // Warm-up, not counted: three times the warm-up change (its answers are kept, if at all, under its own requests).
    for (let i = 0; i < 3; ++i) await replayChange(started.url, run, changeRequests(run, warmUp), parallel, new Map());
    const pid = started.child.pid as number;
    const cpu0 = procStats(pid).cpu;
    const client0 = process.cpuUsage();
    const load0 = loads();
    const t0 = performance.now();
    const changes: number[] = [];
    const firstRound: number[] = [];
    const all: Timed[] = [];
    const slowest = new Map<string, number>();
    for (let r = 0; r < rounds; ++r) {
      for (const p of plans) {
        if ((performance.now() - t0) / 1000 > maxSeconds) throw new Error(`stopped after --max-seconds ${maxSeconds}`);
        const c = await replayChange(started.url, run, p.steps, parallel, answers);
        changes.push(c.ms);
        if (r === 0) firstRound.push(c.ms);
        all.push(...c.requests);
        slowest.set(p.state.name, Math.max(slowest.get(p.state.name) ?? 0, c.ms));
      }
    }
    const wall = (performance.now() - t0) / 1000;
    const after = procStats(pid);
    const client = process.cpuUsage(client0);
    const endpoints: Record<string, ReturnType<typeof summary>> = {};
    for (const e of [...new Set(all.map((t) => t.endpoint))].sort())
      endpoints[e] = summary(all.filter((t) => t.endpoint === e).map((t) => t.ms));
    const result: ConfigResult = {
      config,
      start_s: started.startMs / 1000,
      wall_s: wall,
      server_cpu_s: after.cpu - cpu0,
      client_cpu_s: (client.user + client.system) / 1e6,
      server_peak_mb: after.peakMb,
      load_before: load0,
      load_after: loads(),
      changes: summary(changes),
      first_round: summary(firstRound),
      endpoints,
      requests: all.length,
    };
    const f = (x: number) => x.toFixed(0).padStart(6);
    console.log(`  endpoint       n     p50    p95    p99    max  (ms)`);
    for (const [e, s] of Object.entries(endpoints))
      console.log(`  ${e.padEnd(12)} ${String(s.n).padStart(4)} ${f(s.p50)} ${f(s.p95)} ${f(s.p99)} ${f(s.max)}`);
    const c = result.changes;
    console.log(`  ${"whole change".padEnd(12)} ${String(c.n).padStart(4)} ${f(c.p50)} ${f(c.p95)} ${f(c.p99)} ${f(c.max)}`);
    const c1 = result.first_round;
    console.log(`  ${"  1st round".padEnd(12)} ${String(c1.n).padStart(4)} ${f(c1.p50)} ${f(c1.p95)} ${f(c1.p99)} ${f(c1.max)}`);
    console.log(
      `  ${all.length} requests in ${wall.toFixed(1)} s wall; server CPU ${result.server_cpu_s.toFixed(1)} s, client CPU ${result.client_cpu_s.toFixed(1)} s; server peak RSS ${after.peakMb.toFixed(0)} MB; load ${load0} → ${result.load_after}`,
    );
    console.log(`  slowest change per state: ${[...slowest].map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join("; ")}`);
    return result;
  } finally {
    started.child.kill("SIGTERM");
  }
}

// ---- the older throughput test ----

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
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface CannonResult {
  duration: number;
  requests: Histogram;
  latency: Histogram;
  throughput: Histogram;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  "2xx": number;
}
interface CannonInstance extends PromiseLike<CannonResult> {
  stop(): void;
}

async function throughput(dir: string, maxSeconds: number): Promise<number> {
  const autocannon = createRequire(import.meta.url)("autocannon") as (options: CannonOptions) => CannonInstance;
  const amount = option("amount", 10_000);
  const concurrency = option("concurrency", 50);
  const started = await serve(dir, arg("connections") === undefined ? undefined : option("connections", 1));
  try {
    const { runs } = (await (await fetch(`${started.url}/api/runs`)).json()) as { runs: RunSummary[] };
    const run = runs[0];
    const path = `/api/runs/${encodeURIComponent(run.id)}/query`;
    const bodies: QueryRequest[] = (await filterStates(started.url, run)).states.flatMap((s) =>
      changeRequests(run, s)
        .filter((x) => x.endpoint === "query")
        .map((x) => x.body as QueryRequest),
    );
    const expected = await Promise.all(bodies.map((b) => post<QueryResponse>(started.url + path, b)));
    console.log(`server: ${started.url}  run ${run.id}: ${run.rows.toLocaleString("en-US")} rows; ${bodies.length} filter bodies`);
    const payloads = bodies.map((b) => JSON.stringify(b));
    let next = 0;
    const instance = autocannon({
      url: started.url,
      connections: concurrency,
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
    const after = await Promise.all(bodies.map((b) => post<QueryResponse>(started.url + path, b)));
    const changed = after.filter((a, i) => JSON.stringify(a) !== JSON.stringify(expected[i])).length;
    const done = r["2xx"] + r.non2xx;
    console.log(`autocannon: ${amount} POST ${path} at concurrency ${concurrency}, ${cpus().length} CPUs`);
    console.log(`  completed     ${done} responses in ${r.duration.toFixed(2)} s (${(done / r.duration).toFixed(0)} req/s)`);
    console.log(`  latency       p50 ${r.latency.p50} ms · p90 ${r.latency.p90} ms · p99 ${r.latency.p99} ms · max ${r.latency.max} ms`);
    console.log(`  errors        ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, ${r.mismatches} malformed bodies`);
    console.log(`  after load    ${changed} of ${bodies.length} answers differ from before`);
    return r.errors + r.timeouts + r.non2xx + r.mismatches + changed > 0 || done < amount ? 1 : 0;
  } finally {
    started.child.kill("SIGTERM");
  }
}

async function main(): Promise<number> {
  const maxSeconds = option("max-seconds", 600);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  let dir = arg("dir");
  let work: string | undefined;
  try {
    if (!dir) {
      if (!existsSync(join(LMPD_DATA, "Crime.csv"))) throw new Error(`${LMPD_DATA} is missing: pass --dir RESULTS or add the LMPD export`);
      work = mkdtempSync(join(tmpdir(), "ob-dash-load-"));
      dir = join(work, "lmpd");
      const t0 = performance.now();
      const run = spawnSync(
        process.execPath,
        [CLI, "run", join(ROOT, "examples/lmpd-officer-assaults.yaml"), "--data", LMPD_DATA, "--out", dir],
        {
          encoding: "utf8",
        },
      );
      if (run.status !== 0) throw new Error(`openbeat run failed (${run.status}): ${run.stderr}`);
      console.log(`results folder: ${dir} (openbeat run ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    dir = resolve(dir);
    if (process.argv.includes("--throughput")) return await throughput(dir, maxSeconds);
    const rounds = option("rounds", 3);
    const parallel = option("parallel", 6);
    const configs = (arg("connections") ?? "1,4,4+cache").split(",").map((c) => c.trim());
    for (const c of configs) parseConfig(c);
    console.log(`results folder: ${dir}; ${cpus().length} CPUs; load average ${loads()}`);
    // --answers FILE: every answer must equal the one in FILE (written by an earlier run, e.g. of another build);
    // without the file, it is written.
    const answersFile = arg("answers");
    const saved =
      answersFile && existsSync(answersFile) ? (JSON.parse(readFileSync(answersFile, "utf8")) as Record<string, string>) : undefined;
    const answers = new Map<string, string>(Object.entries(saved ?? {}));
    const results: ConfigResult[] = [];
    for (const c of configs) results.push(await replay(dir, c, rounds, parallel, maxSeconds, answers));
    console.log(
      `\n${answers.size} distinct requests, each answered the same under every configuration and round${saved ? ` and as in ${answersFile}` : ""}`,
    );
    if (answersFile && !saved) writeFileSync(answersFile, JSON.stringify(Object.fromEntries(answers)) + "\n");
    const out = arg("json");
    if (out) writeFileSync(out, JSON.stringify({ dir, cpus: cpus().length, rounds, parallel, results }, null, 2) + "\n");
    return 0;
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`dashboard-load: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
