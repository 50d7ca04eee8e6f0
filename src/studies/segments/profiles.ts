import { compareStrings, MISSING, type Encoder, type FeatureInput } from "../../features/encode.js";
import type { Matrix } from "../../ml/matrix.js";
import type { ComputedCluster as Cluster } from "../../results/types.js";

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

export interface ProfileInput {
  /** Design matrix (kept rows), standardized numeric columns as encoded. */
  X: Matrix;
  names: string[];
  encoder: Encoder;
  labels: Int32Array;
  k: number;
  input: FeatureInput;
  keep: Int32Array;
  describe: FeatureInput | null;
  dist: Float64Array | null;
  distName?: string;
  /** Levels with fewer rows than this in a cluster are not ranked (report.min_cell). */
  minCell: number;
}

/**
 * Cluster profiles in the data's own units: for one-hot columns the share of the cluster with that level, for
 * numeric columns the mean with the within-cluster quartiles; lift = cluster mean / overall mean. Each feature
 * carries its evidence, a z of the cluster against all other rows — the two-proportion z for a level (pooled
 * standard error), Welch's z for a numeric column (missing values left out) — and features are ranked by
 * |evidence|, so the first rows are those the data most clearly set apart, not those with the largest ratio on
 * a handful of rows. A level held by fewer than `minCell` rows of the cluster is not ranked (evidence null, after
 * every ranked feature): a ratio on so few rows is noise, and too small a count to publish.
 */
export function describeClusters(p: ProfileInput): Cluster[] {
  const { X, names, labels, k, keep } = p;
  const n = X.rows;
  const cols = X.cols;
  const raw = new Float64Array(n * cols);
  const numericStart = cols - p.encoder.numeric.length;
  for (let i = 0; i < n; ++i) for (let j = 0; j < cols; ++j) raw[i * cols + j] = X.data[i * cols + j];
  p.encoder.numeric.forEach((nc, c) => {
    const j = numericStart + c;
    for (let i = 0; i < n; ++i) raw[i * cols + j] = raw[i * cols + j] * nc.scale + nc.center;
  });
  const overall = new Float64Array(cols);
  const sums = new Float64Array(k * cols);
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; ++i) {
    const c = labels[i];
    sizes[c]++;
    for (let j = 0; j < cols; ++j) {
      const v = raw[i * cols + j];
      overall[j] += v;
      sums[c * cols + j] += v;
    }
  }
  const numeric = p.encoder.numeric.map((nc) => numericSummary(p.input.numeric[nc.column], keep, labels, k));
  const clusters: Cluster[] = [];
  for (let c = 0; c < k; ++c) {
    const profile: (Cluster["profile"][number] & { rank: number })[] = [];
    for (let j = 0; j < cols; ++j) {
      const om = overall[j] / n;
      const cm = sizes[c] ? sums[c * cols + j] / sizes[c] : NaN;
      if (j < numericStart) {
        const count = Math.round(sums[c * cols + j]);
        const z = twoProportionZ(count, sizes[c], Math.round(overall[j]), n);
        const ranked = count >= p.minCell && Number.isFinite(z);
        profile.push({
          feature: names[j],
          cluster_mean: round(cm),
          overall_mean: round(om),
          lift: round(om ? cm / om : NaN, 4),
          count,
          evidence: ranked ? round(z, 3) : null,
          rank: ranked ? Math.abs(z) : -1,
        });
      } else {
        const s = numeric[j - numericStart];
        const z = welchZ(s.clusters[c], s.all);
        const ranked = s.clusters[c].n >= p.minCell && Number.isFinite(z);
        profile.push({
          feature: names[j],
          cluster_mean: round(cm),
          overall_mean: round(om),
          lift: round(om ? cm / om : NaN, 4),
          count: s.clusters[c].n,
          evidence: ranked ? round(z, 3) : null,
          // A cluster can hold only rows where the value is missing (imputed in the design): no quartiles then.
          ...(s.clusters[c].n > 0 ? { quartiles: s.clusters[c].quartiles } : {}),
          ...(s.all.n > 0 ? { overall_quartiles: s.all.quartiles } : {}),
          rank: ranked ? Math.abs(z) : -1,
        });
      }
    }
    profile.sort((a, b) => b.rank - a.rank || compareStrings(a.feature, b.feature));
    const topValues: Cluster["top_values"] = {};
    if (p.describe) {
      for (const [col, values] of Object.entries(p.describe.categorical)) {
        const counts = new Map<string, number>();
        for (let r = 0; r < n; ++r)
          if (labels[r] === c) {
            const v = values[keep[r]] ?? MISSING;
            counts.set(v, (counts.get(v) ?? 0) + 1);
          }
        topValues[col] = [...counts.entries()]
          .sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))
          .slice(0, 5)
          .map(([value, count]) => ({ value, count, share: round(count / Math.max(1, sizes[c]), 4) }));
      }
    }
    clusters.push({
      id: c,
      label: "",
      size: sizes[c],
      share: round(sizes[c] / n, 6),
      profile: profile.map(withoutRank),
      top_values: topValues,
      ...(p.dist && p.distName ? { distribution: distribution(p.dist, keep, labels, c, p.distName) } : {}),
    });
  }
  return clusters;
}

function withoutRank(row: Cluster["profile"][number] & { rank: number }): Cluster["profile"][number] {
  const out: Cluster["profile"][number] & { rank?: number } = { ...row };
  delete out.rank;
  return out;
}

/**
 * Two-proportion z of x₁ of n₁ (the cluster) against the rest, x − x₁ of n − n₁, with the pooled standard error
 * √(p̂(1 − p̂)(1/n₁ + 1/n₂)) (e.g. Agresti, "Categorical Data Analysis", 3rd ed., §3.1.3). NaN when either group
 * is empty or the level is constant.
 * @param x1 rows of the cluster with the level
 * @param n1 rows of the cluster
 * @param x rows with the level overall
 * @param n rows overall
 */
export function twoProportionZ(x1: number, n1: number, x: number, n: number): number {
  const n2 = n - n1;
  if (n1 <= 0 || n2 <= 0) return NaN;
  const pooled = x / n;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return NaN;
  return (x1 / n1 - (x - x1) / n2) / se;
}

interface Moments {
  n: number;
  mean: number;
  /** Sum of squared deviations (Welford). */
  m2: number;
  quartiles: [number, number, number];
}

/** Welch's z of a cluster's mean against the other rows, from the cluster's and the overall moments. */
function welchZ(c: Moments, all: Moments): number {
  const nRest = all.n - c.n;
  if (c.n < 2 || nRest < 2) return NaN;
  // The rest's moments follow from the overall and the cluster's (Chan, Golub & LeVeque 1983, pairwise update, inverted).
  const meanRest = (all.n * all.mean - c.n * c.mean) / nRest;
  const m2Rest = all.m2 - c.m2 - (c.n * nRest * (c.mean - meanRest) ** 2) / all.n;
  const se = Math.sqrt(c.m2 / (c.n - 1) / c.n + Math.max(0, m2Rest) / (nRest - 1) / nRest);
  return se > 0 ? (c.mean - meanRest) / se : NaN;
}

/** Moments and quartiles of a numeric column's present values, per cluster and over all kept rows. */
function numericSummary(values: Float64Array, keep: Int32Array, labels: Int32Array, k: number): { clusters: Moments[]; all: Moments } {
  const per: number[][] = Array.from({ length: k }, () => []);
  const all: number[] = [];
  for (let r = 0; r < keep.length; ++r) {
    const v = values[keep[r]];
    if (Number.isNaN(v)) continue;
    all.push(v);
    per[labels[r]].push(v);
  }
  return { clusters: per.map(moments), all: moments(all) };
}

function moments(xs: number[]): Moments {
  let mean = 0;
  let m2 = 0;
  xs.forEach((x, i) => {
    // Welford's update (Welford 1962; d3-array variance.js)
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
  });
  const sorted = Float64Array.from(xs).sort();
  return { n: xs.length, mean, m2, quartiles: [quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75)] };
}

/** Linear-interpolation quantile of sorted values (numpy's default, Hyndman & Fan type 7); NaN when empty. */
function quantile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return round(sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]), 6);
}

function distribution(values: Float64Array, keep: Int32Array, labels: Int32Array, c: number, column: string) {
  const xs: number[] = [];
  const all: number[] = [];
  for (let r = 0; r < keep.length; ++r) {
    const v = values[keep[r]];
    if (Number.isNaN(v)) continue;
    all.push(v);
    if (labels[r] === c) xs.push(v);
  }
  xs.sort((a, b) => a - b);
  const q = (f: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(f * (xs.length - 1)))] : NaN);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const width = niceWidth((hi - lo) / 8);
  const start = Math.floor(lo / width) * width;
  const bins = new Map<number, number>();
  for (const v of xs) {
    const b = start + Math.floor((v - start) / width) * width;
    bins.set(b, (bins.get(b) ?? 0) + 1);
  }
  const histogram = [];
  for (let b = start; b <= hi; b += width) histogram.push({ bin: `${b}–${b + width - 1}`, count: bins.get(b) ?? 0 });
  return {
    column,
    mean: round(xs.reduce((a, v) => a + v, 0) / Math.max(1, xs.length), 3),
    quartiles: [q(0.25), q(0.5), q(0.75)] as [number, number, number],
    histogram,
  };
}

function niceWidth(x: number): number {
  if (!(x > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(x));
  const f = x / e;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e;
}
