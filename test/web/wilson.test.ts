import { describe, expect, it } from "vitest";
import { wilsonInterval as reportWilson } from "../../src/ml/stats.js";
import { wilsonInterval } from "../../web/src/wilson.js";

describe("wilsonInterval(k, n) of the dashboard", () => {
  it("matches the textbook value for 5 of 10 and the interval the report prints", () => {
    const [lo, hi] = wilsonInterval(5, 10);
    expect(lo).toBeCloseTo(0.236593, 5);
    expect(hi).toBeCloseTo(0.763407, 5);
    for (const [k, n] of [
      [0, 12],
      [3, 40],
      [431, 3879],
      [40, 40],
    ]) {
      const a = wilsonInterval(k, n);
      const b = reportWilson(k, n);
      expect(a[0]).toBeCloseTo(b[0], 6);
      expect(a[1]).toBeCloseTo(b[1], 6);
    }
    expect(wilsonInterval(1, 0).every(Number.isNaN)).toBe(true);
  });
});
