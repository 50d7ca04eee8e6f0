import { describe, expect, it } from "vitest";
import { silhouetteScore } from "../../src/ml/metrics/clustering.js";
import { silhouetteScoreDistinct } from "../../src/ml/metrics/silhouette-distinct.js";
import { createRng } from "../../src/util/random.js";

function repeatedRows(n: number, distinct: number, p: number, seed: number) {
  const rng = createRng(seed);
  const base = Array.from({ length: distinct }, () => Array.from({ length: p }, () => Math.round(rng.next() * 4) / 2));
  const data = new Float64Array(n * p);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const r = rng.int(distinct);
    data.set(base[r], i * p);
    labels[i] = base[r][0] > 1 ? 1 : base[r][1] > 1 ? 2 : 0;
  }
  return { X: { rows: n, cols: p, data }, labels };
}

describe("silhouetteScoreDistinct", () => {
  it("silhouetteScoreDistinct(X, labels) equals silhouetteScore on data with many repeated rows", () => {
    const { X, labels } = repeatedRows(900, 40, 5, 1);
    expect(silhouetteScoreDistinct(X, labels)).toBeCloseTo(silhouetteScore(X, labels), 12);
  });
  it("with sampleSize it scores the same seeded sample as silhouetteScore", () => {
    const { X, labels } = repeatedRows(2000, 60, 4, 2);
    expect(silhouetteScoreDistinct(X, labels, { sampleSize: 500, seed: 7 })).toBeCloseTo(
      silhouetteScore(X, labels, { sampleSize: 500, seed: 7 }),
      12,
    );
  });
  it("handles singleton clusters (silhouette 0) and returns NaN for one cluster", () => {
    const X = { rows: 5, cols: 1, data: Float64Array.from([0, 0, 1, 1, 9]) };
    expect(silhouetteScoreDistinct(X, [0, 0, 1, 1, 2])).toBeCloseTo(silhouetteScore(X, [0, 0, 1, 1, 2]), 12);
    expect(silhouetteScoreDistinct(X, [0, 0, 0, 0, 0])).toBeNaN();
  });
});
