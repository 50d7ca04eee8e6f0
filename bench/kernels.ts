/**
 * Kernel benchmark: openbeat's risk kernels against scikit-learn / imbalanced-learn / numpy on the same generated
 * matrices (bench/python/kernel_data.py), scikit-learn on 1 and on 2 threads.
 *
 *   /usr/bin/python3 bench/python/kernel_data.py      # once: writes /tmp/openbeat-bench/kernels
 *   npx tsx bench/kernels.ts [--rounds N] [--only lr_dense,smote_dense,...]
 *
 * Each round times every openbeat kernel in this process (wall clock and process CPU), then runs
 * bench/python/kernels.py with 1 and with 2 threads (each times its kernels inside Python, after imports), so that
 * the shared machine's load hits all three alike. Prints medians and ratios (openbeat / scikit-learn) with the load
 * average, and writes bench/kernels.json. openbeat's kernels run on one thread.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { binomialWasm, log1pExpArray } from "../src/ml/binomial-kernels.js";
import { fitLogisticRegression } from "../src/ml/logistic-regression.js";
import { smote } from "../src/ml/smote.js";
import { KERNEL_DATA, kernelDataExists, loadKernelData, type KernelData } from "./kernels/data.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = "/usr/bin/python3";

interface Timing {
  wall_s: number[];
  cpu_s: number[];
}

function timed(f: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const cu = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (cu.user + cu.system) / 1e6 };
}

/** The binomial loss and gradient over z with y = (z > 0), sw = 1, through the WebAssembly kernel. */
function binomialOver(z: Float64Array): () => void {
  const k = binomialWasm();
  if (!k) throw new Error("WebAssembly SIMD unavailable");
  const n = z.length;
  return () => {
    const bytes = 32 + 4 * 8 * n;
    if (k.memory.buffer.byteLength < bytes) k.memory.grow(Math.ceil((bytes - k.memory.buffer.byteLength) / 65536));
    const M = new Float64Array(k.memory.buffer, 0, 4 + 4 * n);
    M.fill(0, 0, 4);
    M.set(z, 4);
    for (let i = 0; i < n; ++i) {
      M[4 + n + i] = z[i] > 0 ? 1 : 0;
      M[4 + 2 * n + i] = 1;
    }
    k.binomial(32, 32 + 8 * n, 32 + 16 * n, 32 + 24 * n, 0, n, 0);
  };
}

function openbeatKernels(d: KernelData): Record<string, () => void> {
  return {
    lr_dense: () => fitLogisticRegression(d.dense.X, d.dense.y, { tol: 1e-4, maxIter: 1000 }),
    lr_csr: () => fitLogisticRegression(d.csr.X, d.csr.y, { tol: 1e-4, maxIter: 1000 }),
    smote_dense: () => smote(d.dense.X, d.dense.y, { seed: 0 }),
    smote_csr: () => smote(d.csr.X, d.csr.y, { seed: 0 }),
    log1pexp: () => log1pExpArray(d.z),
    logaddexp: () => log1pExpArray(d.z),
    binomial_loss_gradient: binomialOver(d.z),
  };
}

/**
 * The Python kernel each openbeat kernel is compared with: log1pexp against numpy's log1p(exp(z)) (which overflows
 * above z = 709), logaddexp (the same openbeat kernel) against numpy's stable logaddexp(0, z).
 */
const PYTHON_NAME: Record<string, string> = {
  lr_dense: "lr_dense",
  lr_csr: "lr_csr",
  smote_dense: "smote_dense",
  smote_csr: "smote_csr",
  log1pexp: "log1pexp",
  logaddexp: "logaddexp",
  binomial_loss_gradient: "binomial_loss_gradient",
};

function python(threads: number, only: string[]): Record<string, Timing> {
  const r = spawnSync(
    PYTHON,
    [join(ROOT, "bench/python/kernels.py"), "--threads", String(threads), "--repeat", "1", "--only", only.join(",")],
    {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    },
  );
  if (r.status !== 0) throw new Error(`kernels.py --threads ${threads} failed: ${r.stderr.trim().split("\n").pop()}`);
  return (JSON.parse(r.stdout) as { kernels: Record<string, Timing> }).kernels;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function main(): void {
  const argv = process.argv.slice(2);
  const r = argv.indexOf("--rounds");
  const rounds = r >= 0 ? Number(argv[r + 1]) : 5;
  const o = argv.indexOf("--only");
  if (!kernelDataExists()) {
    const g = spawnSync(PYTHON, [join(ROOT, "bench/python/kernel_data.py"), "--out", KERNEL_DATA], { stdio: "inherit" });
    if (g.status !== 0) throw new Error("kernel_data.py failed");
  }
  const d = loadKernelData();
  const kernels = openbeatKernels(d);
  const only = o >= 0 ? argv[o + 1].split(",") : Object.keys(kernels).filter((k) => k !== "smote_csr");
  const ours: Record<string, Timing> = {};
  const theirs: Record<1 | 2, Record<string, Timing>> = { 1: {}, 2: {} };
  const loads: number[][] = [loadavg()];
  for (const name of only) kernels[name](); // warm up: JIT, WebAssembly tier-up, first-touch memory
  for (let round = 0; round < rounds; ++round) {
    for (const name of only) {
      const t = timed(kernels[name]);
      (ours[name] ??= { wall_s: [], cpu_s: [] }).wall_s.push(t.wall);
      ours[name].cpu_s.push(t.cpu);
    }
    for (const threads of [1, 2] as const) {
      const res = python(threads, [...new Set(only.map((k) => PYTHON_NAME[k]).map((k) => (k === "logaddexp" ? "log1pexp" : k)))]);
      for (const [name, t] of Object.entries(res)) {
        const acc = (theirs[threads][name] ??= { wall_s: [], cpu_s: [] });
        acc.wall_s.push(...t.wall_s);
        acc.cpu_s.push(...t.cpu_s);
      }
    }
    loads.push(loadavg());
    console.log(
      `round ${round + 1}/${rounds} done (load ${loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")})`,
    );
  }
  const rows = only.map((name) => {
    const a = ours[name];
    const b1 = theirs[1][PYTHON_NAME[name]] as Timing | undefined;
    const b2 = theirs[2][PYTHON_NAME[name]] as Timing | undefined;
    const m = (t: Timing | undefined, k: keyof Timing) => (t ? median(t[k]) : NaN);
    return {
      kernel: name,
      openbeat: { wall_s: m(a, "wall_s"), cpu_s: m(a, "cpu_s") },
      sklearn_1_thread: { wall_s: m(b1, "wall_s"), cpu_s: m(b1, "cpu_s") },
      sklearn_2_threads: { wall_s: m(b2, "wall_s"), cpu_s: m(b2, "cpu_s") },
      ratio_vs_2_threads: { wall: m(a, "wall_s") / m(b2, "wall_s"), cpu: m(a, "cpu_s") / m(b2, "cpu_s") },
      ratio_vs_1_thread: { wall: m(a, "wall_s") / m(b1, "wall_s"), cpu: m(a, "cpu_s") / m(b1, "cpu_s") },
    };
  });
  const fmt = (x: number) => (x < 0.01 ? `${(x * 1000).toFixed(2)} ms` : `${x.toFixed(3)} s`);
  console.log(
    "\n| kernel | openbeat wall (CPU) | scikit-learn 1 thread wall (CPU) | 2 threads wall (CPU) | ratio vs 2 threads wall (CPU) | vs 1 thread wall (CPU) |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const x of rows) {
    console.log(
      `| ${x.kernel} | ${fmt(x.openbeat.wall_s)} (${fmt(x.openbeat.cpu_s)}) | ${fmt(x.sklearn_1_thread.wall_s)} (${fmt(x.sklearn_1_thread.cpu_s)}) | ${fmt(x.sklearn_2_threads.wall_s)} (${fmt(x.sklearn_2_threads.cpu_s)}) | **${x.ratio_vs_2_threads.wall.toFixed(2)}** (${x.ratio_vs_2_threads.cpu.toFixed(2)}) | ${x.ratio_vs_1_thread.wall.toFixed(2)} (${x.ratio_vs_1_thread.cpu.toFixed(2)}) |`,
    );
  }
  const loadRange = loads.map((l) => l[0]);
  console.log(`\nload average (1 min) over the run: ${Math.min(...loadRange).toFixed(2)} to ${Math.max(...loadRange).toFixed(2)}`);
  const path = join(ROOT, "bench/kernels.json");
  writeFileSync(
    path,
    JSON.stringify(
      { generated_at: new Date().toISOString(), rounds, node: process.version, loads, kernels: rows, raw: { ours, theirs } },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${path}`);
}

main();
