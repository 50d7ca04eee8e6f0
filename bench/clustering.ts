/**
 * openbeat's side of the clustering benchmarks, on the files written by `/usr/bin/python3 bench/clustering.py gen`:
 *
 *   npx tsx bench/clustering.ts                              k sweep (k = 2..10, nInit 10) and silhouette, as the .py
 *   npx tsx bench/clustering.ts kernels [--threads N] [--only NAME,...]
 *                                                           each kernel once on N threads, one JSON line per kernel
 *
 * bench/clustering-table.ts alternates both sides and prints the ratios.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { kmeans } from "../src/ml/kmeans.js";
import { kmeansPlusPlus } from "../src/ml/kmeans-plus-plus.js";
import type { Matrix } from "../src/ml/matrix.js";
import { calinskiHarabaszScore, daviesBouldinScore, silhouetteScore } from "../src/ml/metrics/clustering.js";
import { pca } from "../src/ml/pca.js";
import { kernelModule } from "../src/ml/wasm/kernel-arena.js";
import { setKernelThreads, startWorkers } from "../src/ml/wasm/thread-pool.js";
import { createRng } from "../src/util/random.js";

const PATH = "/tmp/openbeat-bench-X.f64";
const KERNEL_DIR = "/tmp/openbeat-bench-clustering";

function readF64(path: string): Float64Array {
  const buf = readFileSync(path);
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function readI32(path: string): Int32Array {
  const buf = readFileSync(path);
  return new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function sweep(): void {
  const n = 50_000;
  const p = 40;
  const data = readF64(PATH);
  if (data.length !== n * p) throw new Error(`${PATH}: ${data.length} values (expected ${n * p})`);
  const X = { rows: n, cols: p, data };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 2; k <= 10; ++k) {
    const t = performance.now();
    const r = kmeans(X, { k, nInit: 10, seed: 0 });
    console.log(`k=${k} inertia=${r.inertia.toFixed(6)} n_iter=${r.iterations} ${((performance.now() - t) / 1000).toFixed(3)}s`);
  }
  const cu = process.cpuUsage(c0);
  console.log(`kmeans sweep total ${((performance.now() - t0) / 1000).toFixed(3)}s (cpu ${((cu.user + cu.system) / 1e6).toFixed(3)}s)`);
  const X10 = { rows: 10_000, cols: p, data: data.subarray(0, 10_000 * p) };
  const labels = kmeans(X10, { k: 5, nInit: 1, seed: 0 }).labels;
  const t1 = performance.now();
  const s = silhouetteScore(X10, labels);
  console.log(`silhouette 10k x ${p}: ${s.toFixed(12)} ${((performance.now() - t1) / 1000).toFixed(3)}s`);
}

interface KernelData {
  A: Matrix;
  B: Matrix;
  S: Matrix;
  initA: Matrix;
  initB: Matrix;
  labelsS: Int32Array;
  labelsB: Int32Array;
}

const firstRows = (X: Matrix, m: number): Matrix => ({ rows: m, cols: X.cols, data: X.data.subarray(0, m * X.cols) });

const CASES: Record<string, (d: KernelData) => Record<string, number | string>> = {
  "lloyd A 100k×20 k=8": (d) => lloyd(d.A, d.initA),
  // openbeat's Lloyd already assigns with Elkan's bounds: the same run is compared with both of scikit-learn's
  "elkan A 100k×20 k=8": (d) => lloyd(d.A, d.initA),
  "lloyd B 200k×100 k=8": (d) => lloyd(d.B, d.initB),
  "elkan B 200k×100 k=8": (d) => lloyd(d.B, d.initB),
  "k-means++ seeding A ×10": (d) => {
    for (let seed = 0; seed < 10; ++seed) kmeansPlusPlus(d.A, 8, createRng(seed));
    return {};
  },
  "k-means fit A n_init=10": (d) => {
    const r = kmeans(d.A, { k: 8, nInit: 10, seed: 0 });
    return { n_iter: r.iterations, inertia: r.inertia };
  },
  "pca A all components": (d) => ({ explained_variance_ratio_0: pca(d.A).explainedVarianceRatio[0] }),
  "pca A 2 components": (d) => ({ explained_variance_ratio_0: pca(d.A, { components: 2 }).explainedVarianceRatio[0] }),
  "silhouette exact S 10k×61": (d) => ({ score: silhouetteScore(d.S, d.labelsS) }),
  "silhouette sample 10k of B": (d) => ({
    score: silhouetteScore(d.B, d.labelsB, { sampleSize: Math.min(10_000, d.B.rows - 1), seed: 0 }),
  }),
  "calinski-harabasz B": (d) => ({ score: calinskiHarabaszScore(d.B, d.labelsB) }),
  "davies-bouldin B": (d) => ({ score: daviesBouldinScore(d.B, d.labelsB) }),
};

function lloyd(X: Matrix, init: Matrix) {
  const r = kmeans(X, { k: 8, init });
  return { n_iter: r.iterations, inertia: r.inertia };
}

async function kernels(threads: number, only: string[]): Promise<void> {
  const meta = JSON.parse(readFileSync(`${KERNEL_DIR}/meta.json`, "utf8")) as Record<string, [number, number]>;
  const load = (name: string): Matrix => ({ rows: meta[name][0], cols: meta[name][1], data: readF64(`${KERNEL_DIR}/${name}.f64`) });
  const init = (name: string): Matrix => {
    const data = readF64(`${KERNEL_DIR}/${name}-init.f64`);
    return { rows: 8, cols: data.length / 8, data };
  };
  const full: KernelData = {
    A: load("A"),
    B: load("B"),
    S: load("S"),
    initA: init("A"),
    initB: init("B"),
    labelsS: readI32(`${KERNEL_DIR}/S-labels.i32`),
    labelsB: readI32(`${KERNEL_DIR}/B-labels.i32`),
  };
  // a warm-up run of every kernel on the first 2,000 rows (as the Python side does), so that no timing includes
  // compiling the code on its first call
  const small: KernelData = {
    ...full,
    A: firstRows(full.A, 2000),
    B: firstRows(full.B, 2000),
    S: firstRows(full.S, 2000),
    labelsS: full.labelsS.subarray(0, 2000),
    labelsB: full.labelsB.subarray(0, 2000),
  };
  setKernelThreads(threads);
  const module = kernelModule();
  // workers start once per process, as in a study run; the timings do not include their start-up
  if (module && threads > 1) await startWorkers(module, threads);
  for (const [name, run] of Object.entries(CASES)) {
    if (only.length && !only.includes(name)) continue;
    run(small);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const check = run(full);
    const wall = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    console.log(JSON.stringify({ side: "openbeat", kernel: name, threads, wall_s: wall, cpu_s: (cu.user + cu.system) / 1e6, ...check }));
  }
}

const args = process.argv.slice(2);
if (args[0] === "kernels") {
  const at = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  await kernels(Number(at("--threads") ?? 2), at("--only")?.split(",") ?? []);
} else {
  sweep();
}
