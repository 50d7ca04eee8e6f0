import { describe, expect, it } from "vitest";
import { chooseK, kneeOf } from "../../src/studies/segments/choose-k.js";

describe("chooseK", () => {
  it("kneeOf(ks, inertia) finds the elbow of a curve that flattens at k = 4", () => {
    expect(kneeOf([2, 3, 4, 5, 6, 7], [1000, 600, 250, 220, 200, 185])).toBe(4);
  });
  it("chooseK(rows) takes the best mean rank and breaks ties toward the smaller k", () => {
    const rows = [2, 3, 4, 5, 6].map((k) => ({
      k,
      inertia: [1000, 600, 250, 220, 200][k - 2],
      silhouette: [0.3, 0.35, 0.5, 0.4, 0.38][k - 2],
      calinski_harabasz: [100, 150, 300, 260, 240][k - 2],
      davies_bouldin: [1.2, 1.0, 0.7, 0.8, 0.9][k - 2],
    }));
    const c = chooseK(rows);
    expect(c.k).toBe(4);
    expect(c.knee).toBe(4);
    expect(c.rule).toMatch(/knee at k=4/);
  });
});
