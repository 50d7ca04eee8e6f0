import { describe, expect, it } from "vitest";
import { encodeDense, fitEncoder, type FeatureInput } from "../../src/features/encode.js";
import type { ComputedCluster as Cluster } from "../../src/results/types.js";
import { clusterLabel } from "../../src/studies/segments/labels.js";
import { describeClusters, twoProportionZ } from "../../src/studies/segments/profiles.js";

/** 100 rows in two clusters: cluster 0 is 64% "<18" and 33% "45-64" (two groups in one), cluster 1 mostly "25-44". */
function design() {
  const age: string[] = [];
  const sex: string[] = [];
  const years: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 100; ++i) {
    const c = i < 50 ? 0 : 1;
    labels.push(c);
    if (c === 0) age.push(i < 32 ? "<18" : i < 48 ? "45-64" : "25-44");
    else age.push(i < 95 ? "25-44" : "<18");
    // A level held by 4 rows of cluster 1 only: below min_cell, never ranked or named.
    sex.push(c === 1 && i >= 96 ? "U" : i % 2 ? "F" : "M");
    years.push(c === 0 ? 10 + (i % 10) : 30 + (i % 20));
  }
  const input: FeatureInput = { categorical: { age_group: age, sex }, numeric: { years: Float64Array.from(years) } };
  const fit = fitEncoder(input, { standardize: true });
  const { X } = encodeDense(fit.encoder, input, fit.keep);
  const clusters = describeClusters({
    X,
    names: fit.encoder.features.map((f) => f.name),
    encoder: fit.encoder,
    labels: Int32Array.from(labels),
    k: 2,
    input,
    keep: fit.keep,
    describe: null,
    dist: null,
    minCell: 5,
  });
  return { clusters, features: fit.encoder.features };
}

describe("twoProportionZ(x1, n1, x, n)", () => {
  it("equals the pooled two-proportion z computed by hand", () => {
    // 30 of 50 against 10 of 50: p = 0.4, se = √(0.4·0.6·(1/50 + 1/50)) = 0.09798, z = 0.4 / 0.09798
    expect(twoProportionZ(30, 50, 40, 100)).toBeCloseTo(0.4 / Math.sqrt(0.4 * 0.6 * 0.04), 12);
    expect(twoProportionZ(10, 50, 40, 100)).toBeCloseTo(-0.4 / Math.sqrt(0.4 * 0.6 * 0.04), 12);
  });
  it("is NaN when a group is empty or the level is constant", () => {
    expect(twoProportionZ(5, 0, 5, 10)).toBeNaN();
    expect(twoProportionZ(10, 10, 10, 10)).toBeNaN();
    expect(twoProportionZ(10, 10, 20, 20)).toBeNaN();
  });
});

describe("describeClusters(input) ranks by evidence with a minimum count", () => {
  const { clusters } = design();

  it("orders each profile by |evidence|, strongest first, and puts levels below min_cell last and unranked", () => {
    for (const c of clusters) {
      const ranked = c.profile.filter((p) => p.evidence !== null);
      const mags = ranked.map((p) => Math.abs(p.evidence ?? 0));
      expect(mags).toEqual([...mags].sort((a, b) => b - a));
      const firstUnranked = c.profile.findIndex((p) => p.evidence === null);
      if (firstUnranked >= 0) expect(c.profile.slice(firstUnranked).every((p) => p.evidence === null)).toBe(true);
    }
    const u = clusters[1].profile.find((p) => p.feature === "sex=U");
    expect(u).toMatchObject({ count: 4, evidence: null });
  });

  it("gives a level's count, share and two-proportion z against the other rows", () => {
    const young = clusters[0].profile.find((p) => p.feature === "age_group=<18");
    expect(young).toMatchObject({ count: 32, cluster_mean: 0.64, overall_mean: 0.37 });
    expect(young?.evidence).toBeCloseTo(twoProportionZ(32, 50, 37, 100), 3);
  });

  it("gives a numeric column its within-cluster quartiles and Welch's z", () => {
    const years = clusters[0].profile.find((p) => p.feature === "years");
    expect(years?.quartiles).toEqual([12, 14.5, 17]);
    expect(years?.cluster_mean).toBeCloseTo(14.5, 9);
    // Welch's z by numpy: a = 10 + i % 10 (i < 50), b = 30 + i % 20 (50 ≤ i < 100);
    // (a.mean() − b.mean()) / sqrt(a.var(ddof=1)/50 + b.var(ddof=1)/50) = (14.5 − 40.5) / sqrt(8.41837/50 + 32.90816/50)
    expect(years?.evidence).toBeCloseTo(-28.598540927989255, 3);
  });
});

describe("clusterLabel(cluster, features)", () => {
  const { clusters, features } = design();

  it("names a two-group cluster by both groups with their shares, and a numeric column by its quartiles", () => {
    const label = clusterLabel(clusters[0], features);
    expect(label).toContain("age_group: <18 (64%), 45-64 (32%)");
    expect(label).toContain("years 12–17 (median 14.5)");
  });

  it("says 'most common' for a level that is not a majority and never names a level below min_cell", () => {
    const c: Cluster = {
      id: 0,
      label: "",
      size: 100,
      share: 0.5,
      top_values: {},
      profile: [
        { feature: "race=W", cluster_mean: 0.44, overall_mean: 0.2, lift: 2.2, count: 44, evidence: 6 },
        { feature: "race=B", cluster_mean: 0.4, overall_mean: 0.7, lift: 0.57, count: 40, evidence: -5 },
        { feature: "race=A", cluster_mean: 0.16, overall_mean: 0.1, lift: 1.6, count: 16, evidence: 2 },
        { feature: "sex=U", cluster_mean: 0.06, overall_mean: 0.01, lift: 6, count: 6, evidence: null },
      ],
    };
    const info = [
      { name: "race=W", column: "race", value: "W" },
      { name: "race=B", column: "race", value: "B" },
      { name: "race=A", column: "race", value: "A" },
      { name: "sex=U", column: "sex", value: "U" },
    ];
    expect(clusterLabel(c, info)).toBe("most common race: W (44%), B (40%)");
  });

  it("leaves out a variable too spread to name, and says 'mixed profile' when nothing stands out", () => {
    const spread: Cluster = {
      id: 1,
      label: "",
      size: 100,
      share: 0.5,
      top_values: {},
      profile: [
        { feature: "hour=17", cluster_mean: 0.06, overall_mean: 0.04, lift: 1.5, count: 60, evidence: 3 },
        { feature: "hour=03", cluster_mean: 0.05, overall_mean: 0.04, lift: 1.2, count: 50, evidence: -1 },
      ],
    };
    const info = [
      { name: "hour=17", column: "hour", value: "17" },
      { name: "hour=03", column: "hour", value: "03" },
    ];
    expect(clusterLabel(spread, info)).toBe("mixed profile");
  });
});
