import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  adjustedRandIndex,
  calinskiHarabaszScore,
  daviesBouldinScore,
  silhouetteSamples,
  silhouetteScore,
} from "../../src/ml/metrics/clustering.js";
import { fromRows, type Matrix } from "../../src/ml/matrix.js";

interface MetricCase {
  data: string;
  labels: number[];
  silhouette: number;
  silhouette_samples: number[];
  calinski_harabasz: number;
  davies_bouldin: number;
}
const ref = JSON.parse(readFileSync(new URL("../reference/clustering.json", import.meta.url), "utf8")) as {
  data: Record<string, number[][]>;
  metrics: MetricCase[];
  ari: { a: number[]; b: number[]; ari: number }[];
};

/** Brute-force silhouette straight from the definition, for cross-checking the tiled kernel. */
function naiveSilhouette(X: Matrix, labels: number[]): number[] {
  const n = X.rows;
  const p = X.cols;
  const dist = (i: number, j: number) => {
    let s = 0;
    for (let f = 0; f < p; ++f) s += (X.data[i * p + f] - X.data[j * p + f]) ** 2;
    return Math.sqrt(s);
  };
  const ks = [...new Set(labels)];
  return labels.map((li, i) => {
    const mean = (c: number) => {
      let s = 0;
      let m = 0;
      for (let j = 0; j < n; ++j) {
        if (j !== i && labels[j] === c) {
          s += dist(i, j);
          ++m;
        }
      }
      return s / m;
    };
    if (labels.filter((l) => l === li).length === 1) return 0;
    const a = mean(li);
    const b = Math.min(...ks.filter((c) => c !== li).map(mean));
    return (b - a) / Math.max(a, b);
  });
}

describe("clustering metrics equal scikit-learn", () => {
  for (const [n, c] of ref.metrics.entries()) {
    const X = fromRows(ref.data[c.data]);
    it(`case ${n} (${c.data}, ${new Set(c.labels).size} clusters)`, () => {
      expect(silhouetteScore(X, c.labels)).toBeCloseTo(c.silhouette, 10);
      const s = silhouetteSamples(X, Int32Array.from(c.labels));
      for (let i = 0; i < s.length; ++i) expect(s[i]).toBeCloseTo(c.silhouette_samples[i], 10);
      expect(calinskiHarabaszScore(X, c.labels)).toBeCloseTo(c.calinski_harabasz, 8);
      expect(calinskiHarabaszScore(X, c.labels) / c.calinski_harabasz).toBeCloseTo(1, 10);
      expect(daviesBouldinScore(X, c.labels)).toBeCloseTo(c.davies_bouldin, 10);
    });
  }

  for (const [n, c] of ref.ari.entries()) {
    it(`adjustedRandIndex case ${n} (${c.a.length} labels)`, () => {
      expect(adjustedRandIndex(c.a, c.b)).toBeCloseTo(c.ari, 12);
      expect(adjustedRandIndex(c.b, c.a)).toBeCloseTo(c.ari, 12);
    });
  }
});

describe("silhouetteSamples(X, labels)", () => {
  it("matches the definition on odd sizes that exercise the tile edges", () => {
    const rows: number[][] = [];
    const labels: number[] = [];
    let seed = 1;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 523; ++i) {
      labels.push(i % 3);
      rows.push([rand() + (i % 3), rand(), rand() * 2 - (i % 3)]);
    }
    const X = fromRows(rows);
    const got = silhouetteSamples(X, labels);
    const want = naiveSilhouette(X, labels);
    for (let i = 0; i < want.length; ++i) expect(got[i]).toBeCloseTo(want[i], 10);
  });

  it("is 1 for two tight well-separated pairs and 0 for a singleton", () => {
    const X = fromRows([[0], [0.001], [100], [100.001], [50]]);
    const s = silhouetteSamples(X, [0, 0, 1, 1, 2]);
    expect(s[0]).toBeCloseTo(1 - 0.001 / 50, 10);
    expect(s[4]).toBe(0);
  });
});

describe("silhouetteScore(X, labels, { sampleSize, seed })", () => {
  const X = fromRows(ref.data.blobs);
  const labels = ref.metrics[0].labels;
  it("is seeded, varies with the seed and is near the exact score", () => {
    const a = silhouetteScore(X, labels, { sampleSize: 120, seed: 1 });
    expect(silhouetteScore(X, labels, { sampleSize: 120, seed: 1 })).toBe(a);
    expect(silhouetteScore(X, labels, { sampleSize: 120, seed: 2 })).not.toBe(a);
    expect(Math.abs(a - ref.metrics[0].silhouette)).toBeLessThan(0.1);
  });
  it("is exact when sampleSize ≥ n", () => {
    expect(silhouetteScore(X, labels, { sampleSize: 1000 })).toBeCloseTo(ref.metrics[0].silhouette, 12);
  });
});

describe("degenerate labellings", () => {
  const X = fromRows([
    [0, 1],
    [1, 1],
    [2, 0],
    [3, 5],
  ]);
  it("one cluster gives NaN", () => {
    expect(silhouetteScore(X, [1, 1, 1, 1])).toBeNaN();
    expect(calinskiHarabaszScore(X, [1, 1, 1, 1])).toBeNaN();
    expect(daviesBouldinScore(X, [1, 1, 1, 1])).toBeNaN();
    expect(Array.from(silhouetteSamples(X, [0, 0, 0, 0])).every(Number.isNaN)).toBe(true);
  });
  it("n clusters (one row each) gives NaN", () => {
    expect(silhouetteScore(X, [0, 1, 2, 3])).toBeNaN();
    expect(calinskiHarabaszScore(X, [0, 1, 2, 3])).toBeNaN();
  });
  it("rejects labels of the wrong length", () => {
    expect(() => silhouetteScore(X, [0, 1])).toThrow("invalid labels: length 2 (expected 4 rows)");
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow("invalid labels: lengths 2 and 1 differ");
  });
  it("adjustedRandIndex is 1 for a relabelled partition and agrees with the pair-count formula on 200,000 labels", () => {
    expect(adjustedRandIndex([3, 3, 7, 7, 9], [0, 0, 1, 1, 2])).toBe(1);
    const n = 200_000;
    const a = new Int32Array(n).map((_, i) => i % 7);
    const b = new Int32Array(n).map((_, i) => (i % 7 === 0 ? 1 : i % 5));
    // Hubert & Arabie's formula from pair counts in floating point
    const cells = new Map<string, number>();
    const ra = new Map<number, number>();
    const rb = new Map<number, number>();
    for (let i = 0; i < n; ++i) {
      cells.set(`${a[i]},${b[i]}`, (cells.get(`${a[i]},${b[i]}`) ?? 0) + 1);
      ra.set(a[i], (ra.get(a[i]) ?? 0) + 1);
      rb.set(b[i], (rb.get(b[i]) ?? 0) + 1);
    }
    const pairs = (m: number) => (m * (m - 1)) / 2;
    const index = [...cells.values()].reduce((s, m) => s + pairs(m), 0);
    const sa = [...ra.values()].reduce((s, m) => s + pairs(m), 0);
    const sb = [...rb.values()].reduce((s, m) => s + pairs(m), 0);
    const expected = (sa * sb) / pairs(n);
    const want = (index - expected) / ((sa + sb) / 2 - expected);
    expect(adjustedRandIndex(a, b)).toBeCloseTo(want, 10);
  });
});
