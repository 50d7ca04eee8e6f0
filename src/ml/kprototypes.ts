import { checkMatrix, type Matrix } from "./matrix.js";
import { createRng, type Rng } from "../util/random.js";

/** Options of {@link kPrototypes}. */
export interface KPrototypesOptions {
  /** Number of clusters, 1..n. */
  k: number;
  /** Weight of one categorical mismatch against squared numeric distance. Default: 0.5 × mean standard deviation of the numeric columns (1 without numeric spread). */
  gamma?: number;
  /** Independent runs; the one with the lowest cost wins. Default 10. */
  nInit?: number;
  /** Maximum iterations per run. Default 100. */
  maxIter?: number;
  /** Seed of the initialisation. Default 0. */
  seed?: number;
}

/** Result of {@link kPrototypes}. */
export interface KPrototypesResult {
  /** Cluster of each row, 0..k-1. */
  labels: Int32Array;
  /** k×p numeric part of the prototypes (cluster means). */
  centroidsNum: Matrix;
  /** Categorical part of the prototypes: per categorical column, the k cluster modes (-1 if never observed). */
  centroidsCat: Int32Array[];
  /** Σ squared numeric distance + gamma × categorical mismatches of every row to its prototype. */
  cost: number;
  /** Iterations of the winning run. */
  iterations: number;
  /** The gamma used. */
  gamma: number;
}

/**
 * k-prototypes clustering of mixed numeric and categorical data (Huang 1997, "Clustering large data sets with
 * mixed numeric and categorical values"; Huang 1998): the dissimilarity of a row to a prototype is the squared
 * Euclidean distance on the numeric columns plus gamma times the number of categorical columns that differ.
 * Each iteration assigns rows to their nearest prototype, moves a farthest row into any empty cluster, then
 * sets prototypes to cluster means (numeric) and modes (categorical, smallest code on ties); both steps can
 * only lower the cost, and runs stop when no label changes. Missing codes (-1) add no mismatch and do not
 * count towards modes. Seeding is k-means++ on the same dissimilarity.
 * @param Xnum n×p numeric columns (row-major, finite; p may be 0)
 * @param Xcat one code array per categorical column, codes 0..m-1 and -1 for missing
 * @param options k, gamma, nInit, maxIter, seed
 */
export function kPrototypes(Xnum: Matrix, Xcat: Int32Array[], options: KPrototypesOptions): KPrototypesResult {
  const { k, nInit = 10, maxIter = 100, seed = 0 } = options;
  checkMatrix(Xnum, "Xnum");
  const n = Xnum.rows;
  const p = Xnum.cols;
  const q = Xcat.length;
  if (p === 0 && q === 0) throw new Error("invalid input: no numeric and no categorical columns");
  for (let j = 0; j < q; ++j) {
    const col = Xcat[j];
    if (!(col instanceof Int32Array) || col.length !== n) throw new Error(`invalid Xcat[${j}]: expected an Int32Array of ${n} codes`);
    for (let i = 0; i < n; ++i) if (col[i] < -1) throw new Error(`invalid Xcat[${j}]: code ${col[i]} at row ${i} (expected ≥ -1)`);
  }
  for (let i = 0; i < Xnum.data.length; ++i) {
    if (!Number.isFinite(Xnum.data[i]))
      throw new Error(`invalid Xnum: non-finite value ${Xnum.data[i]} at row ${Math.floor(i / p)}, column ${i % p}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`invalid k: ${k} (expected 1..${n})`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new Error(`invalid nInit: ${nInit} (expected ≥ 1)`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new Error(`invalid maxIter: ${maxIter} (expected ≥ 1)`);
  const gamma = options.gamma ?? defaultGamma(Xnum);
  if (!(gamma >= 0) || !Number.isFinite(gamma)) throw new Error(`invalid gamma: ${gamma} (expected ≥ 0)`);

  const levels = Xcat.map((col) => {
    let m = 0;
    for (let i = 0; i < n; ++i) if (col[i] + 1 > m) m = col[i] + 1;
    return m;
  });
  const problem: Problem = { n, p, q, k, gamma, X: Xnum.data, cat: Xcat, levels };
  const rng = createRng(seed);
  let best: RunResult | undefined;
  for (let run = 0; run < nInit; ++run) {
    const r = runOnce(problem, rng, maxIter);
    if (!best || r.cost < best.cost) best = r;
  }
  if (!best) throw new Error(`invalid nInit: ${nInit} (expected ≥ 1)`);
  const b = best;
  return {
    labels: b.labels,
    centroidsNum: { rows: k, cols: p, data: b.P },
    centroidsCat: Array.from({ length: q }, (_, j) => {
      const modes = new Int32Array(k);
      for (let c = 0; c < k; ++c) modes[c] = b.M[c * q + j];
      return modes;
    }),
    cost: b.cost,
    iterations: b.iterations,
    gamma,
  };
}

interface Problem {
  n: number;
  p: number;
  q: number;
  k: number;
  gamma: number;
  X: Float64Array;
  cat: Int32Array[];
  levels: number[];
}

interface RunResult {
  labels: Int32Array;
  /** k×p numeric prototypes. */
  P: Float64Array;
  /** k×q categorical prototypes. */
  M: Int32Array;
  cost: number;
  iterations: number;
}

/** Huang's suggestion: half the mean (population) standard deviation of the numeric columns. */
function defaultGamma(Xnum: Matrix): number {
  const { rows: n, cols: p, data } = Xnum;
  if (p === 0 || n === 0) return 1;
  let total = 0;
  for (let j = 0; j < p; ++j) {
    let mean = 0;
    for (let i = 0; i < n; ++i) mean += data[i * p + j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; ++i) ss += (data[i * p + j] - mean) ** 2;
    total += Math.sqrt(ss / n);
  }
  const g = (0.5 * total) / p;
  return g > 0 ? g : 1;
}

/** Dissimilarity of row i to prototype c. */
function dissimilarity(pr: Problem, i: number, P: Float64Array, M: Int32Array, c: number): number {
  const { p, q, X, cat, gamma } = pr;
  let s = 0;
  const row = i * p;
  const o = c * p;
  for (let j = 0; j < p; ++j) {
    const d = X[row + j] - P[o + j];
    s += d * d;
  }
  let miss = 0;
  for (let j = 0; j < q; ++j) {
    const v = cat[j][i];
    if (v !== -1 && v !== M[c * q + j]) ++miss;
  }
  return s + gamma * miss;
}

function setPrototypeToRow(pr: Problem, i: number, P: Float64Array, M: Int32Array, c: number): void {
  const { p, q, X, cat } = pr;
  for (let j = 0; j < p; ++j) P[c * p + j] = X[i * p + j];
  for (let j = 0; j < q; ++j) M[c * q + j] = cat[j][i];
}

/** k-means++ seeding (one candidate per step) on the mixed dissimilarity. */
function seed(pr: Problem, rng: Rng, P: Float64Array, M: Int32Array): void {
  const { n, k } = pr;
  const closest = new Float64Array(n).fill(Infinity);
  setPrototypeToRow(pr, rng.int(n), P, M, 0);
  for (let c = 1; c < k; ++c) {
    let total = 0;
    for (let i = 0; i < n; ++i) {
      const d = dissimilarity(pr, i, P, M, c - 1);
      if (d < closest[i]) closest[i] = d;
      total += closest[i];
    }
    let pick = rng.int(n);
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n; ++i) {
        r -= closest[i];
        if (r < 0 && closest[i] > 0) {
          pick = i;
          break;
        }
      }
    }
    setPrototypeToRow(pr, pick, P, M, c);
  }
}

function runOnce(pr: Problem, rng: Rng, maxIter: number): RunResult {
  const { n, p, q, k, X, cat, levels } = pr;
  const P = new Float64Array(k * p);
  const M = new Int32Array(k * q);
  seed(pr, rng, P, M);
  const labels = new Int32Array(n).fill(-1);
  const cost = new Float64Array(n);
  const sizes = new Int32Array(k);
  const counts = levels.map((m) => new Int32Array(k * m));
  let iterations = 0;
  for (let it = 0; it < maxIter; ++it) {
    iterations = it + 1;
    let changed = false;
    sizes.fill(0);
    for (let i = 0; i < n; ++i) {
      let bestD = Infinity;
      let bestC = 0;
      for (let c = 0; c < k; ++c) {
        const d = dissimilarity(pr, i, P, M, c);
        if (d < bestD) {
          bestD = d;
          bestC = c;
        }
      }
      if (labels[i] !== bestC) changed = true;
      labels[i] = bestC;
      cost[i] = bestD;
      sizes[bestC]++;
    }
    for (let c = 0; c < k; ++c) {
      if (sizes[c] > 0) continue;
      // the costliest row whose cluster can spare it starts the empty cluster, at zero cost
      let far = -1;
      for (let i = 0; i < n; ++i) if (sizes[labels[i]] > 1 && (far < 0 || cost[i] > cost[far])) far = i;
      if (far < 0) break;
      sizes[labels[far]]--;
      labels[far] = c;
      sizes[c] = 1;
      cost[far] = 0;
      changed = true;
    }
    if (!changed) break;
    P.fill(0);
    for (let i = 0; i < n; ++i) {
      const o = labels[i] * p;
      for (let j = 0; j < p; ++j) P[o + j] += X[i * p + j];
    }
    for (let c = 0; c < k; ++c) for (let j = 0; j < p; ++j) P[c * p + j] /= sizes[c];
    for (let j = 0; j < q; ++j) {
      const m = levels[j];
      const cnt = counts[j];
      cnt.fill(0);
      const col = cat[j];
      for (let i = 0; i < n; ++i) if (col[i] >= 0) cnt[labels[i] * m + col[i]]++;
      for (let c = 0; c < k; ++c) {
        let bestV = -1;
        let bestN = 0;
        for (let v = 0; v < m; ++v) {
          if (cnt[c * m + v] > bestN) {
            bestN = cnt[c * m + v];
            bestV = v;
          }
        }
        // a cluster with only missing values keeps its previous mode: any value costs its rows nothing
        if (bestV >= 0) M[c * q + j] = bestV;
      }
    }
  }
  let total = 0;
  for (let i = 0; i < n; ++i) total += dissimilarity(pr, i, P, M, labels[i]);
  return { labels, P, M, cost: total, iterations };
}
