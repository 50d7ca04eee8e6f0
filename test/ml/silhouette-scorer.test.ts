import { describe, expect, it } from "vitest";
import { kmeans } from "../../src/ml/kmeans.js";
import { silhouetteScoreDistinct } from "../../src/ml/metrics/silhouette-distinct.js";
import { silhouetteScorer } from "../../src/ml/metrics/silhouette-scorer.js";
import { createRng } from "../../src/util/random.js";

function repeatedRows(n: number, distinct: number, p: number, seed: number) {
  const rng = createRng(seed);
  const base = Array.from({ length: distinct }, () => Array.from({ length: p }, () => Math.round(rng.next() * 4) / 2));
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) data.set(base[rng.int(distinct)], i * p);
  return { rows: n, cols: p, data };
}

describe("silhouetteScorer(X, options)", () => {
  it("gives silhouetteScoreDistinct's value bit for bit for k-means labels at every k, sampled or not", () => {
    const X = repeatedRows(1500, 200, 6, 3);
    for (const options of [{}, { sampleSize: 400, seed: 9 }]) {
      const score = silhouetteScorer(X, options);
      for (const k of [2, 3, 5, 8]) {
        const labels = kmeans(X, { k, nInit: 2, seed: k }).labels;
        expect(score(labels)).toBe(silhouetteScoreDistinct(X, labels, options));
      }
    }
  });

  it("falls back to the direct computation when identical rows carry different labels, and above maxCached", () => {
    const X = { rows: 6, cols: 1, data: Float64Array.from([0, 0, 1, 1, 5, 5]) };
    const split = [0, 1, 0, 1, 2, 2];
    expect(silhouetteScorer(X)(split)).toBe(silhouetteScoreDistinct(X, split));
    const Y = repeatedRows(300, 120, 4, 5);
    const labels = kmeans(Y, { k: 3, nInit: 1, seed: 1 }).labels;
    expect(silhouetteScorer(Y, { maxCached: 10 })(labels)).toBe(silhouetteScoreDistinct(Y, labels));
  });

  it("returns NaN for one cluster", () => {
    const X = { rows: 4, cols: 1, data: Float64Array.from([0, 1, 2, 3]) };
    expect(silhouetteScorer(X)([0, 0, 0, 0])).toBeNaN();
  });
});
