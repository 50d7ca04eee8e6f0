/**
 * Times openbeat's clustering kernels on the matrix written by `bench/clustering.py gen`, the same one the
 * Python side times: `npx tsx bench/clustering.ts` after `/usr/bin/python3 bench/clustering.py gen`.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { kmeans } from "../src/ml/kmeans.js";
import { silhouetteScore } from "../src/ml/metrics/clustering.js";

const PATH = "/tmp/openbeat-bench-X.f64";
const n = 50_000;
const p = 40;
const buf = readFileSync(PATH);
const data = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
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
