import { describe, expect, it } from "vitest";
import { topShare } from "../../../src/studies/risk/run-risk.js";
import { createRng } from "../../../src/util/random.js";

/** The definition: rows sorted by score (highest first, ties by row order), the first round(share · n) flagged. */
function bySort(y: Float64Array, s: Float64Array) {
  const order = Array.from(s.keys()).sort((a, b) => s[b] - s[a] || a - b);
  const total = y.reduce((a, v) => a + v, 0);
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5].map((share) => {
    const m = Math.max(1, Math.round(share * order.length));
    let tp = 0;
    for (let i = 0; i < m; ++i) tp += y[order[i]];
    return { share, threshold: round(s[order[m - 1]]), recall: round(tp / total), precision: round(tp / m) };
  });
}

describe("topShare(y, s)", () => {
  it("equals the sorted definition when shares cut through tied scores, with few or all-distinct scores", () => {
    for (const [n, levels, seed] of [
      [1000, 3, 1],
      [5000, 40, 2],
      [777, 777, 3],
      [50, 1, 4],
      [3, 2, 5],
    ] as const) {
      const rng = createRng(seed);
      const values = Array.from({ length: levels }, () => rng.next());
      const s = Float64Array.from({ length: n }, () => values[rng.int(levels)]);
      const y = Float64Array.from(s, (v) => (rng.next() < v ? 1 : 0));
      y[0] = 1;
      expect(topShare(y, s), `n ${n}, ${levels} scores`).toEqual(bySort(y, s));
    }
  });

  it("counts the positives of a cut tie in row order: the first rows of the tie are the flagged ones", () => {
    // 10 rows of one score: the top 10% is row 0, the top 20% rows 0-1, the top 50% rows 0-4.
    const s = new Float64Array(10).fill(0.3);
    const y = Float64Array.from([0, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
    const got = topShare(y, s);
    expect(got.find((r) => r.share === 0.1)?.precision).toBe(0);
    expect(got.find((r) => r.share === 0.2)?.precision).toBe(0.5);
    expect(got.find((r) => r.share === 0.5)?.precision).toBe(0.4);
  });
});
