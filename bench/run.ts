/**
 * End-to-end benchmark: openbeat's CLI against the pandas / scikit-learn equivalent, on the same data.
 *
 *   npx tsx bench/run.ts [risk|segments|all] [--repeat N]
 *
 * Each command is timed from process start to exit (results written), N times (default 3), alternating tools so
 * that load on the shared machine hits both alike. Prints medians, the openbeat/python ratio and each side's key
 * metrics, and writes bench/results.json. openbeat needs `npm run build` (dist/cli/main.js); Python needs
 * /usr/bin/python3 with pandas, scikit-learn and imbalanced-learn. A side that is missing is reported unavailable.
 * OPENBEAT_CLI=path/to/main.js benchmarks another build of the CLI.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBaltimore } from "../src/synthetic/baltimore.js";
import { writeLmpd } from "../src/synthetic/lmpd.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The CLI under test; OPENBEAT_CLI points at another build. */
const CLI = resolve(process.env.OPENBEAT_CLI ?? join(ROOT, "dist/cli/main.js"));
const PYTHON = "/usr/bin/python3";
const BENCH_DATA = "/tmp/openbeat-bench";
const BALTIMORE_FILE = "baltimore-part1-280k.csv";
const BALTIMORE_ROWS = 280_000;
const BALTIMORE_SEED = 2024;
const LMPD_DIR = resolve(ROOT, "../shared/data/lmpd-assaulted-officers");

type Tool = "openbeat" | "python";
type BenchName = "risk" | "segments";

interface Bench {
  name: BenchName;
  /** Folder given to `--data` (openbeat) and to the Python script. */
  data: string;
  dataNote: string;
  study: string;
  python: string;
  /** Python's `--data` argument. */
  pythonData: string;
  metrics: (results: Record<string, unknown>, tool: Tool) => Record<string, number | null>;
}

interface Run {
  seconds: number;
  ok: boolean;
  error?: string;
}

interface SideResult {
  available: boolean;
  reason?: string;
  command?: string;
  runs_s: number[];
  median_s: number | null;
  failures: string[];
  metrics: Record<string, number | null> | null;
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function get(obj: unknown, ...path: (string | number)[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

function findingRate(results: Record<string, unknown>, by: string, value: string): number | null {
  const findings = results.findings;
  if (!Array.isArray(findings)) return null;
  const f: unknown = findings.find((x) => get(x, "by") === by && get(x, "value") === value);
  return num(get(f, "rate"));
}

function riskMetrics(results: Record<string, unknown>): Record<string, number | null> {
  return {
    rows: num(get(results, "data", "rows")),
    positives: num(get(results, "data", "positives")),
    balanced_accuracy: num(get(results, "metrics", "balanced_accuracy", "mean")),
    precision: num(get(results, "metrics", "precision", "mean")),
    recall: num(get(results, "metrics", "recall", "mean")),
    roc_auc: num(get(results, "metrics", "roc_auc", "mean")),
    pr_auc: num(get(results, "metrics", "pr_auc", "mean")),
    rate_highway_road_alley: findingRate(results, "PREMISE_TYPE", "HIGHWAY / ROAD / ALLEY"),
    rate_menacing: findingRate(results, "UOR_DESC", "MENACING"),
  };
}

function segmentsMetrics(results: Record<string, unknown>): Record<string, number | null> {
  const k = num(results.k);
  const selection: unknown[] = Array.isArray(results.k_selection) ? results.k_selection : [];
  const chosen = selection.find((s) => get(s, "k") === k);
  const best = selection.reduce<number | null>((m, s) => {
    const v = num(get(s, "silhouette"));
    return v !== null && (m === null || v > m) ? v : m;
  }, null);
  return {
    rows: num(get(results, "data", "rows")),
    k,
    silhouette_at_k: num(get(chosen, "silhouette")),
    best_silhouette: best,
    inertia_k2: num(get(selection[0], "inertia")),
  };
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The most telling line of a failed run's stderr: the first that names an error, else the last non-empty one. */
function errorLine(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? "(no stderr)";
}

function time(command: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, TZ: "UTC" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on("error", (e) => {
      done({ seconds: (performance.now() - start) / 1000, ok: false, error: e.message });
    });
    child.on("close", (code) => {
      const seconds = (performance.now() - start) / 1000;
      done(code === 0 ? { seconds, ok: true } : { seconds, ok: false, error: `exit ${code}: ${errorLine(stderr)}` });
    });
  });
}

function pythonAvailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ["-c", "import pandas, sklearn, imblearn"], { encoding: "utf8" });
  return r.status === 0 ? null : `${PYTHON} lacks pandas / scikit-learn / imbalanced-learn: ${r.stderr.trim().split("\n").pop()}`;
}

async function ensureBaltimore(): Promise<string> {
  const path = join(BENCH_DATA, BALTIMORE_FILE);
  if (!existsSync(path)) {
    const t = performance.now();
    await writeBaltimore(path, { seed: BALTIMORE_SEED, rows: BALTIMORE_ROWS });
    console.log(`generated ${path} (${BALTIMORE_ROWS} rows) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return path;
}

async function ensureLmpd(): Promise<{ dir: string; note: string }> {
  if (existsSync(join(LMPD_DIR, "Crime.csv"))) return { dir: LMPD_DIR, note: "real LMPD exports (../shared/data/lmpd-assaulted-officers)" };
  const dir = join(BENCH_DATA, "lmpd");
  if (!existsSync(join(dir, "Crime.csv"))) await writeLmpd(dir, { seed: BALTIMORE_SEED });
  return { dir, note: "synthetic LMPD exports (real data absent)" };
}

async function benches(which: string): Promise<Bench[]> {
  const out: Bench[] = [];
  if (which === "risk" || which === "all") {
    const { dir, note } = await ensureLmpd();
    out.push({
      name: "risk",
      data: dir,
      dataNote: note,
      pythonData: dir,
      study: join(ROOT, "examples/lmpd-officer-assaults.yaml"),
      python: join(ROOT, "bench/python/risk.py"),
      metrics: riskMetrics,
    });
  }
  if (which === "segments" || which === "all") {
    const file = await ensureBaltimore();
    out.push({
      name: "segments",
      data: BENCH_DATA,
      pythonData: file,
      dataNote: `synthetic Baltimore export, ${BALTIMORE_ROWS} rows, seed ${BALTIMORE_SEED} (src/synthetic/baltimore.ts)`,
      study: join(ROOT, "bench/studies/baltimore-bench.yaml"),
      python: join(ROOT, "bench/python/segments.py"),
      metrics: segmentsMetrics,
    });
  }
  if (!out.length) throw new Error(`unknown benchmark: ${which} (expected risk, segments or all)`);
  return out;
}

async function runBench(bench: Bench, repeat: number, pythonMissing: string | null): Promise<Record<string, unknown>> {
  const work = await mkdtemp(join(tmpdir(), `openbeat-bench-${bench.name}-`));
  const sides: Record<Tool, SideResult> = {
    openbeat: { available: true, runs_s: [], median_s: null, failures: [], metrics: null },
    python: { available: true, runs_s: [], median_s: null, failures: [], metrics: null },
  };
  const args: Record<Tool, (out: string) => [string, string[]]> = {
    openbeat: (out) => [process.execPath, [CLI, "run", bench.study, "--data", bench.data, "--out", out]],
    python: (out) => [PYTHON, [bench.python, "--data", bench.pythonData, "--out", join(out, "results.json")]],
  };
  if (!existsSync(CLI)) Object.assign(sides.openbeat, { available: false, reason: `${CLI} not built (npm run build)` });
  else if (!existsSync(bench.study)) Object.assign(sides.openbeat, { available: false, reason: `${bench.study} missing` });
  if (pythonMissing) Object.assign(sides.python, { available: false, reason: pythonMissing });

  for (let i = 0; i < repeat; ++i) {
    for (const tool of ["openbeat", "python"] as const) {
      const side = sides[tool];
      if (!side.available) continue;
      const out = join(work, `${tool}-${i}`);
      await mkdir(out, { recursive: true });
      const [cmd, argv] = args[tool](out);
      side.command = [cmd, ...argv].join(" ");
      const run = await time(cmd, argv);
      const resultsPath = join(out, "results.json");
      if (run.ok && existsSync(resultsPath)) {
        side.runs_s.push(run.seconds);
        if (!side.metrics) side.metrics = bench.metrics(JSON.parse(await readFile(resultsPath, "utf8")) as Record<string, unknown>, tool);
      } else side.failures.push(run.error ?? "no results.json written");
      console.log(`  ${bench.name} ${tool} run ${i + 1}: ${run.ok ? `${run.seconds.toFixed(2)} s` : `FAILED ${side.failures.at(-1)}`}`);
    }
  }
  await rm(work, { recursive: true, force: true });
  for (const side of Object.values(sides)) side.median_s = median(side.runs_s);
  const o = sides.openbeat.median_s;
  const p = sides.python.median_s;
  return {
    data: bench.dataNote,
    openbeat: sides.openbeat,
    python: sides.python,
    ratio_openbeat_over_python: o !== null && p ? o / p : null,
  };
}

function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined ? "-" : Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const which = argv.find((a) => !a.startsWith("--")) ?? "all";
  const r = argv.indexOf("--repeat");
  const repeat = r >= 0 ? Number(argv[r + 1]) : 3;
  if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error(`invalid --repeat: ${argv[r + 1]}`);
  await mkdir(BENCH_DATA, { recursive: true });
  const pythonMissing = pythonAvailable();
  const python = pythonMissing
    ? null
    : spawnSync(
        PYTHON,
        [
          "-c",
          "import sys, pandas, sklearn, imblearn; print(sys.version.split()[0], pandas.__version__, sklearn.__version__, imblearn.__version__)",
        ],
        { encoding: "utf8" },
      )
        .stdout.trim()
        .split(" ");
  const results: Record<string, unknown> = {};
  for (const bench of await benches(which)) {
    console.log(`${bench.name}: ${bench.dataNote}, ${repeat} runs each`);
    results[bench.name] = { repeat, ...(await runBench(bench, repeat, pythonMissing)) };
  }

  const path = join(ROOT, "bench/results.json");
  const previous = existsSync(path) ? (JSON.parse(await readFile(path, "utf8")) as { benchmarks?: Record<string, unknown> }) : {};
  const report = {
    generated_at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? "unknown",
      memory_gib: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    python: python ? { version: python[0], pandas: python[1], scikit_learn: python[2], imbalanced_learn: python[3] } : null,
    repeat,
    benchmarks: { ...(previous.benchmarks ?? {}), ...results },
  };
  await writeFile(path, JSON.stringify(report, null, 2) + "\n");

  console.log("\nbenchmark   openbeat median   python median   openbeat/python");
  for (const [name, r] of Object.entries(results) as [
    string,
    { openbeat: SideResult; python: SideResult; ratio_openbeat_over_python: number | null },
  ][]) {
    const side = (s: SideResult) => (s.available ? (s.median_s === null ? "failed" : `${s.median_s.toFixed(2)} s`) : "unavailable");
    console.log(
      `${name.padEnd(11)} ${side(r.openbeat).padStart(15)}   ${side(r.python).padStart(13)}   ${fmt(r.ratio_openbeat_over_python, 2).padStart(15)}`,
    );
    for (const tool of ["openbeat", "python"] as const) {
      const s = r[tool];
      if (!s.available) console.log(`  ${tool}: unavailable (${s.reason})`);
      else if (s.metrics)
        console.log(
          `  ${tool}: ${Object.entries(s.metrics)
            .map(([k, v]) => `${k}=${fmt(v)}`)
            .join(" ")}`,
        );
    }
  }
  console.log(`\nwrote ${path}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
