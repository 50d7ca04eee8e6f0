/**
 * Calinski-Harabasz and Davies-Bouldin of one partition: over all n rows, each index on its own (what the segments
 * sweep did: two passes, labels and means computed twice), against both from the distinct rows with their counts
 * (`clusterCriteriaDistinct`, what it does now). One-hot-like rows drawn from `distinct` patterns, as a segments
 * design of categorical features.
 *
 *   npx tsx bench/cluster-criteria.ts [ROWS] [DISTINCT] [COLS] [K]
 *
 * Prints the CPU milliseconds of each (median of 5 after a warm-up; compressDenseRows itself is not counted: the
 * study computes it once for k-means) and the largest relative difference between the two.
 */
import { compressDenseRows } from "../src/ml/compress-dense-rows.js";
import { kmeans } from "../src/ml/kmeans.js";
import type { Matrix } from "../src/ml/matrix.js";
import { calinskiHarabaszScore, clusterCriteriaDistinct, daviesBouldinScore } from "../src/ml/metrics/clustering.js";
import { createRng } from "../src/util/random.js";

const [n = 1_000_000, distinct = 3_000, p = 22, k = 6] = process.argv.slice(2).map(Number);
const rng = createRng(1);
const base = Array.from({ length: distinct }, () => Array.from({ length: p }, () => (rng.next() < 0.2 ? 1 : 0)));
const data = new Float64Array(n * p);
for (let i = 0; i < n; ++i) data.set(base[rng.int(distinct)], i * p);
const X: Matrix = { rows: n, cols: p, data };
const d = compressDenseRows(X);
const run = kmeans(d.X, { k, nInit: 1, seed: 0, sampleWeight: d.weight });
const labels = Int32Array.from(d.index, (g) => run.labels[g]);

function cpuMs<T>(f: () => T): { ms: number; value: T } {
  const t = process.cpuUsage();
  const value = f();
  const u = process.cpuUsage(t);
  return { ms: (u.user + u.system) / 1000, value };
}
function median(f: () => { ch: number; db: number }): { ms: number; ch: number; db: number } {
  f();
  const runs = Array.from({ length: 5 }, () => cpuMs(f));
  runs.sort((a, b) => a.ms - b.ms);
  return { ms: runs[2].ms, ...runs[2].value };
}
const before = median(() => ({ ch: calinskiHarabaszScore(X, labels), db: daviesBouldinScore(X, labels) }));
const after = median(() => {
  const c = clusterCriteriaDistinct(X, d, labels);
  return { ch: c.calinskiHarabasz, db: c.daviesBouldin };
});
const rel = Math.max(Math.abs(after.ch / before.ch - 1), Math.abs(after.db / before.db - 1));
console.log(
  JSON.stringify({ rows: n, distinct: d.X.rows, cols: p, k, all_rows_ms: before.ms, distinct_ms: after.ms, max_relative_difference: rel }),
);
