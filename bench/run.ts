/**
 * End-to-end benchmark: openbeat's CLI against the pandas / scikit-learn equivalent, on the same data with the same
 * study settings (the Python scripts read the study file).
 *
 *   npx tsx bench/run.ts [lmpd|lmpd-no-firth|lmpd-x8|baltimore|baltimore-bench|all] [--repeat N]
 *
 * Every command runs under /usr/bin/time (wall, user and system CPU seconds, peak resident memory), N times
 * (default 3), alternating tools so that the load of the shared machine hits both alike; the load average is read
 * before and after each benchmark. Prints medians, openbeat/python ratios and a Markdown table for
 * docs/benchmarks.md, and writes bench/results.json. openbeat needs `npm run build` (dist/cli/main.js); Python
 * needs /usr/bin/python3 with pandas, scikit-learn, imbalanced-learn and PyYAML. OPENBEAT_CLI=path/to/main.js
 * benchmarks another build of the CLI.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, symlinkSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBaltimore } from "../src/synthetic/baltimore.js";
import { writeLmpd } from "../src/synthetic/lmpd.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The CLI under test; OPENBEAT_CLI points at another build. */
const CLI = resolve(process.env.OPENBEAT_CLI ?? join(ROOT, "dist/cli/main.js"));
const PYTHON = "/usr/bin/python3";
const TIME = "/usr/bin/time";
const SHARED = resolve(ROOT, "../shared/data");
const BENCH_DATA = "/tmp/openbeat-bench";
const SEED = 2024;

type Tool = "openbeat" | "python";

interface Bench {
  name: string;
  /** What the data is, for the table. */
  data: string;
  study: string;
  /** Arguments after `node main.js` (the output folder is appended). */
  openbeat: (out: string) => string[];
  /** Arguments after `python3` (results.json path is appended). */
  python: (results: string) => string[];
  metrics: (results: Record<string, unknown>) => Record<string, number | null>;
}

interface Run {
  wall_s: number;
  user_s: number;
  sys_s: number;
  cpu_s: number;
  max_rss_mb: number;
}

interface Side {
  available: boolean;
  reason?: string;
  command?: string;
  runs: Run[];
  failures: string[];
  median: Run | null;
  metrics: Record<string, number | null> | null;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function get(obj: unknown, ...path: (string | number)[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

function riskMetrics(r: Record<string, unknown>): Record<string, number | null> {
  return {
    rows: num(get(r, "data", "rows")),
    positives: num(get(r, "data", "positives")),
    balanced_accuracy: num(get(r, "metrics", "balanced_accuracy", "mean")),
    precision: num(get(r, "metrics", "precision", "mean")),
    roc_auc: num(get(r, "metrics", "roc_auc", "mean")),
    pr_auc: num(get(r, "metrics", "pr_auc", "mean")),
  };
}

function segmentsMetrics(r: Record<string, unknown>): Record<string, number | null> {
  const k = num(r.k);
  const selection: unknown[] = Array.isArray(r.k_selection) ? r.k_selection : [];
  const comparison: unknown[] = Array.isArray(r.comparison) ? r.comparison : [];
  return {
    rows: num(get(r, "data", "rows")),
    features: num(get(r, "data", "features")),
    k,
    silhouette_at_k: num(
      get(
        selection.find((s) => get(s, "k") === k),
        "silhouette",
      ),
    ),
    mean_ari: num(get(r, "stability", "mean_ari")),
    // the choice of k over seeds, the structure test against chance and the k-prototypes comparison
    seeds_agreement: num(get(r, "k_choice", "agreement")),
    structure_k: num(get(r, "structure", "k")),
    structure_excess: num(get(r, "structure", "excess")),
    structure_z: num(get(r, "structure", "z")),
    gap_k: num(get(r, "structure", "null", "gap_k")),
    kprototypes_agreement: num(
      get(
        comparison.find((c) => get(c, "method") === "kprototypes"),
        "agreement",
      ),
    ),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function medianRun(runs: Run[]): Run | null {
  if (!runs.length) return null;
  const pick = (k: keyof Run) => median(runs.map((r) => r[k]));
  return { wall_s: pick("wall_s"), user_s: pick("user_s"), sys_s: pick("sys_s"), cpu_s: pick("cpu_s"), max_rss_mb: pick("max_rss_mb") };
}

/** The most telling line of a failed run's stderr: the first that names an error, else the last non-empty one. */
function errorLine(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? "(no stderr)";
}

/** Runs `command args` under /usr/bin/time; resolves with its measurements or the error. */
function measure(command: string, args: string[], timeFile: string): Promise<{ run?: Run; error?: string }> {
  return new Promise((done) => {
    const child = spawn(TIME, ["-o", timeFile, "-f", "%e %U %S %M", command, ...args], {
      cwd: ROOT,
      env: { ...process.env, TZ: "UTC" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on("error", (e) => {
      done({ error: e.message });
    });
    child.on("close", (code) => {
      void readFile(timeFile, "utf8").then(
        (text) => {
          const last = text.trim().split("\n").at(-1) ?? "";
          const [wall, user, sys, rss] = last.split(/\s+/).map(Number);
          if (code !== 0 || ![wall, user, sys, rss].every(Number.isFinite)) done({ error: `exit ${code}: ${errorLine(stderr)}` });
          else done({ run: { wall_s: wall, user_s: user, sys_s: sys, cpu_s: user + sys, max_rss_mb: rss / 1024 } });
        },
        () => {
          done({ error: `exit ${code}: ${errorLine(stderr)}` });
        },
      );
    });
  });
}

function pythonMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ["-c", "import pandas, sklearn, imblearn, yaml"], { encoding: "utf8" });
  return r.status === 0 ? null : `${PYTHON} lacks pandas / scikit-learn / imbalanced-learn / PyYAML: ${r.stderr.trim().split("\n").pop()}`;
}

async function ensureBaltimoreBench(): Promise<void> {
  const file = join(BENCH_DATA, "baltimore-part1-280k.csv");
  if (!existsSync(file)) await writeBaltimore(file, { seed: SEED, rows: 280_000 });
  const boundaries = join(BENCH_DATA, "baltimore-boundaries");
  if (!existsSync(boundaries)) symlinkSync(join(SHARED, "baltimore-boundaries"), boundaries);
}

async function ensureLmpdX8(): Promise<string> {
  const dir = join(BENCH_DATA, "lmpd-x8");
  if (!existsSync(join(dir, "Crime.csv"))) await writeLmpd(dir, { seed: SEED, scale: 8 });
  return dir;
}

/** The LMPD risk example on `data`, against bench/python/risk.py with `pythonArgs` added. */
function lmpdBench(name: string, data: string, description: string, pythonArgs: string[] = []): Bench {
  const study = join(ROOT, "examples/lmpd-officer-assaults.yaml");
  return {
    name,
    data: description,
    study,
    openbeat: (out) => ["run", study, "--data", data, "--out", out, "--quiet"],
    python: (res) => [join(ROOT, "bench/python/risk.py"), "--study", study, "--data", data, "--out", res, ...pythonArgs],
    metrics: riskMetrics,
  };
}

async function benches(which: string): Promise<Bench[]> {
  const real = join(SHARED, "lmpd-assaulted-officers");
  const all: Record<string, () => Promise<Bench>> = {
    lmpd: () => Promise.resolve(lmpdBench("lmpd", real, "LMPD exports (real), examples/lmpd-officer-assaults.yaml")),
    // The same study against the Python script without its Firth step: that step is the reference's plain numpy
    // (no Python library fits Firth's model), so this is the ratio against everything a library does for Python.
    "lmpd-no-firth": () =>
      Promise.resolve(
        lmpdBench(
          "lmpd-no-firth",
          real,
          "LMPD exports (real), examples/lmpd-officer-assaults.yaml; Python without the Firth inference step",
          ["--skip-inference"],
        ),
      ),
    "lmpd-x8": async () =>
      lmpdBench("lmpd-x8", await ensureLmpdX8(), `LMPD-shaped exports at 8x (src/synthetic/lmpd.ts, seed ${SEED}), the same study`),
    baltimore: () => {
      const study = join(ROOT, "examples/baltimore-victim-segments.yaml");
      return Promise.resolve({
        name: "baltimore",
        data: "Baltimore Part 1 export (real), examples/baltimore-victim-segments.yaml",
        study,
        openbeat: (out) => ["run", study, "--data", SHARED, "--out", out, "--quiet"],
        python: (res) => [
          join(ROOT, "bench/python/segments.py"),
          "--study",
          study,
          "--crimes",
          join(SHARED, "baltimore-part1-crime/Part_1_Crime_Data_.csv"),
          "--boundaries",
          join(SHARED, "baltimore-boundaries/baltimore.geojson"),
          "--out",
          res,
        ],
        metrics: segmentsMetrics,
      });
    },
    "baltimore-bench": async () => {
      await ensureBaltimoreBench();
      const study = join(ROOT, "bench/studies/baltimore-bench.yaml");
      return {
        name: "baltimore-bench",
        data: `Baltimore-shaped export, 280,000 rows (src/synthetic/baltimore.ts, seed ${SEED}), bench/studies/baltimore-bench.yaml`,
        study,
        // the boundaries are linked from the shared data folder, outside --data once resolved
        openbeat: (out) => ["run", study, "--data", BENCH_DATA, "--out", out, "--quiet", "--allow-outside-paths"],
        python: (res) => [
          join(ROOT, "bench/python/segments.py"),
          "--study",
          study,
          "--crimes",
          join(BENCH_DATA, "baltimore-part1-280k.csv"),
          "--boundaries",
          join(BENCH_DATA, "baltimore-boundaries/baltimore.geojson"),
          "--out",
          res,
        ],
        metrics: segmentsMetrics,
      };
    },
  };
  const names = which === "all" ? Object.keys(all) : which.split(",");
  const out: Bench[] = [];
  for (const n of names) {
    const make = all[n] as (() => Promise<Bench>) | undefined;
    if (!make) throw new Error(`unknown benchmark: ${n} (expected ${Object.keys(all).join(", ")} or all)`);
    out.push(await make());
  }
  return out;
}

async function runBench(bench: Bench, repeat: number, noPython: string | null) {
  const work = await mkdtemp(join(tmpdir(), `openbeat-bench-${bench.name}-`));
  const side = (): Side => ({ available: true, runs: [], failures: [], median: null, metrics: null });
  const sides: Record<Tool, Side> = { openbeat: side(), python: side() };
  if (!existsSync(CLI)) Object.assign(sides.openbeat, { available: false, reason: `${CLI} not built (npm run build)` });
  if (noPython) Object.assign(sides.python, { available: false, reason: noPython });
  const load = { before: loadavg().map((x) => Math.round(x * 100) / 100), after: [] as number[] };
  for (let i = 0; i < repeat; ++i) {
    for (const tool of ["openbeat", "python"] as const) {
      const s = sides[tool];
      if (!s.available) continue;
      const out = join(work, `${tool}-${i}`);
      await mkdir(out, { recursive: true });
      const results = join(out, "results.json");
      const [cmd, args] = tool === "openbeat" ? [process.execPath, [CLI, ...bench.openbeat(out)]] : [PYTHON, bench.python(results)];
      s.command = [cmd, ...args].join(" ");
      const r = await measure(cmd, args, join(work, `${tool}-${i}.time`));
      if (r.run && existsSync(results)) {
        s.runs.push(r.run);
        s.metrics ??= bench.metrics(JSON.parse(await readFile(results, "utf8")) as Record<string, unknown>);
        console.log(
          `  ${bench.name} ${tool} ${i + 1}: wall ${r.run.wall_s.toFixed(2)} s, cpu ${r.run.cpu_s.toFixed(2)} s, peak ${r.run.max_rss_mb.toFixed(0)} MB`,
        );
      } else {
        s.failures.push(r.error ?? "no results.json written");
        console.log(`  ${bench.name} ${tool} ${i + 1}: FAILED ${s.failures.at(-1)}`);
      }
    }
  }
  load.after = loadavg().map((x) => Math.round(x * 100) / 100);
  await rm(work, { recursive: true, force: true });
  for (const s of Object.values(sides)) s.median = medianRun(s.runs);
  const o = sides.openbeat.median;
  const p = sides.python.median;
  const ratio = o && p ? { wall: o.wall_s / p.wall_s, cpu: o.cpu_s / p.cpu_s, max_rss: o.max_rss_mb / p.max_rss_mb } : null;
  return { data: bench.data, study: bench.study, repeat, load, openbeat: sides.openbeat, python: sides.python, ratio };
}

const f2 = (v: number | null | undefined): string => (v === null || v === undefined ? "-" : v.toFixed(2));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const which = argv.find((a) => !a.startsWith("--")) ?? "all";
  const r = argv.indexOf("--repeat");
  const repeat = r >= 0 ? Number(argv[r + 1]) : 3;
  if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error(`invalid --repeat: ${argv[r + 1]}`);
  if (!existsSync(TIME)) throw new Error(`${TIME} not found (GNU time measures CPU and peak memory)`);
  await mkdir(BENCH_DATA, { recursive: true });
  const noPython = pythonMissing();
  const versions = noPython
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
  const results: Record<string, Awaited<ReturnType<typeof runBench>>> = {};
  for (const bench of await benches(which)) {
    console.log(
      `${bench.name}: ${bench.data}, ${repeat} runs each (load ${loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")})`,
    );
    results[bench.name] = await runBench(bench, repeat, noPython);
  }
  const path = join(ROOT, "bench/results.json");
  const previous = existsSync(path) ? (JSON.parse(await readFile(path, "utf8")) as { benchmarks?: Record<string, unknown> }) : {};
  await writeFile(
    path,
    JSON.stringify(
      {
        generated_at: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          cpu_model: cpus()[0]?.model ?? "unknown",
          memory_gib: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
        python: versions ? { version: versions[0], pandas: versions[1], scikit_learn: versions[2], imbalanced_learn: versions[3] } : null,
        benchmarks: { ...(previous.benchmarks ?? {}), ...results },
      },
      null,
      2,
    ) + "\n",
  );
  console.log("\n| benchmark | openbeat wall / CPU / peak | python wall / CPU / peak | ratio wall / CPU / peak | load before → after |");
  console.log("|---|---|---|---|---|");
  for (const [name, b] of Object.entries(results)) {
    const cell = (s: Side) =>
      s.median
        ? `${f2(s.median.wall_s)} s / ${f2(s.median.cpu_s)} s / ${s.median.max_rss_mb.toFixed(0)} MB`
        : s.available
          ? "failed"
          : "unavailable";
    const ratio = b.ratio ? `**${f2(b.ratio.wall)}** / **${f2(b.ratio.cpu)}** / ${f2(b.ratio.max_rss)}` : "-";
    console.log(
      `| ${name} | ${cell(b.openbeat)} | ${cell(b.python)} | ${ratio} | ${b.load.before.join(" ")} → ${b.load.after.join(" ")} |`,
    );
  }
  for (const [name, b] of Object.entries(results)) {
    for (const tool of ["openbeat", "python"] as const) {
      const s = b[tool];
      if (!s.available) console.log(`${name} ${tool}: unavailable (${s.reason})`);
      else if (s.metrics)
        console.log(
          `${name} ${tool}: ${Object.entries(s.metrics)
            .map(([k, v]) => `${k}=${v === null ? "-" : Number.isInteger(v) ? v : v.toFixed(4)}`)
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
