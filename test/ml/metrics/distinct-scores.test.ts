import { describe, expect, it } from "vitest";
import { distinctScores, type DistinctScores } from "../../../src/ml/metrics/distinct-scores.js";
import { createRng } from "../../../src/util/random.js";

/** The count it replaces: a sort of all n scores, each row found by binary search. */
function bySort(scores: Float64Array, y?: Float64Array): DistinctScores {
  const n = scores.length;
  const sorted = Float64Array.from(scores).sort();
  let m = 0;
  for (let i = 0; i < n; ++i) if (m === 0 || sorted[i] !== sorted[m - 1]) sorted[m++] = sorted[i];
  const values = sorted.slice(0, m);
  const counts = new Float64Array(m);
  const positives = new Float64Array(m);
  const index = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid] < scores[i]) lo = mid + 1;
      else hi = mid;
    }
    index[i] = lo;
    counts[lo] += 1;
    if (y) positives[lo] += y[i];
  }
  return { values, counts, positives, index };
}

/** Element by element with Object.is: −0 and 0, and the last bit, must agree. */
function expectSame(a: DistinctScores, b: DistinctScores): void {
  for (const key of ["values", "counts", "positives", "index"] as const) {
    expect(a[key].length, key).toBe(b[key].length);
    const differ = Array.from(a[key]).findIndex((v, i) => !Object.is(v, b[key][i]));
    expect(differ, `${key}[${differ}]`).toBe(-1);
  }
}

describe("distinctScores(scores, y)", () => {
  const random = createRng(7);
  const rng = (): number => random.next();
  const draw = (n: number, levels: number): Float64Array =>
    Float64Array.from({ length: n }, () => (levels ? Math.floor(rng() * levels) / levels : rng()) * 0.3);

  it("gives the sort-based count bit for bit, with ties, without ties and across the table's growth", () => {
    for (const [n, levels] of [
      [0, 5],
      [1, 5],
      [2_000, 7],
      [20_000, 3_000],
      [5_000, 0],
    ]) {
      const scores = draw(n, levels);
      const y = Float64Array.from(scores, () => (rng() < 0.2 ? 1 : 0));
      expectSame(distinctScores(scores, y), bySort(scores, y));
      expectSame(distinctScores(scores), bySort(scores));
    }
  });

  it("merges −0 with 0 and keeps −0 where a sort puts it first, and sums fractional labels in row order", () => {
    const scores = Float64Array.from([0.5, 0, -0, 0.25, 0, 0.5, -0.1, 1e-300, -1e-300]);
    const y = Float64Array.from([0.1, 0.2, 0.7, 1, 0.3, 0.4, 0, 1, 0]);
    const got = distinctScores(scores, y);
    expectSame(got, bySort(scores, y));
    expect(Object.is(got.values[2], -0)).toBe(true);
    expect(Array.from(got.counts)).toEqual([1, 1, 3, 1, 1, 2]);
    const positiveZero = Float64Array.from([0, 0.5, 0]);
    expect(Object.is(distinctScores(positiveZero).values[0], 0)).toBe(true);
  });

  it("refuses a NaN score, naming the row", () => {
    expect(() => distinctScores(Float64Array.from([0.1, Number.NaN]))).toThrow("invalid scores[1]: NaN");
    // Past the table's limit of distinct scores, where the count goes by the sort.
    const many = Float64Array.from({ length: 10_000 }, (_, i) => i / 10_000);
    many[6_000] = Number.NaN;
    expect(() => distinctScores(many)).toThrow("invalid scores[6000]: NaN");
  });
});
