import { compareStrings, MISSING, type Encoder, type FeatureInput } from "../../features/encode.js";
import type { Matrix } from "../../ml/matrix.js";
import type { Cluster } from "../../results/types.js";

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
}

/**
 * Cluster profiles in the data's own units: for one-hot columns the share of the cluster with that value, for numeric
 * columns the mean; lift = cluster mean / overall mean. Features are ordered by how far the cluster departs from
 * everyone (standardized difference), so the first rows say what sets the cluster apart.
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
  const overallSq = new Float64Array(cols);
  const sums = new Float64Array(k * cols);
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; ++i) {
    const c = labels[i];
    sizes[c]++;
    for (let j = 0; j < cols; ++j) {
      const v = raw[i * cols + j];
      overall[j] += v;
      overallSq[j] += v * v;
      sums[c * cols + j] += v;
    }
  }
  const clusters: Cluster[] = [];
  for (let c = 0; c < k; ++c) {
    const profile = [];
    for (let j = 0; j < cols; ++j) {
      const om = overall[j] / n;
      const sdv = Math.sqrt(Math.max(0, overallSq[j] / n - om * om));
      const cm = sizes[c] ? sums[c * cols + j] / sizes[c] : NaN;
      profile.push({
        feature: names[j],
        cluster_mean: round(cm),
        overall_mean: round(om),
        lift: round(om ? cm / om : NaN, 4),
        z: sdv ? (cm - om) / sdv : 0,
      });
    }
    profile.sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || compareStrings(a.feature, b.feature));
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
      profile: profile.map(({ z: _z, ...rest }) => rest),
      top_values: topValues,
      ...(p.dist && p.distName ? { distribution: distribution(p.dist, keep, labels, c, p.distName) } : {}),
    });
  }
  return clusters;
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

/** A short readable label from the three features that most set the cluster apart. */
export function clusterLabel(c: Cluster): string {
  const parts: string[] = [];
  for (const f of c.profile) {
    if (parts.length >= 3) break;
    const isOneHot = f.feature.includes("=");
    if (isOneHot) {
      if (f.cluster_mean < 0.5 || f.lift < 1.2) continue;
      parts.push(`${f.feature.replace("=", ": ")} (${Math.round(100 * f.cluster_mean)}%)`);
    } else {
      parts.push(
        `${f.cluster_mean < f.overall_mean ? "lower" : "higher"} ${f.feature} (${f.cluster_mean.toFixed(1)} vs ${f.overall_mean.toFixed(1)})`,
      );
    }
  }
  return parts.length ? parts.join(" · ") : "mixed profile";
}
