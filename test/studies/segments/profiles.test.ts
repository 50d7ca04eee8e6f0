import { describe, expect, it } from "vitest";
import { encodeDense, fitEncoder, type FeatureInput } from "../../../src/features/encode.js";
import type { Cluster } from "../../../src/results/types.js";
import { clusterLabel, describeClusters } from "../../../src/studies/segments/profiles.js";

/**
 * Six people in two clusters, to count by hand: cluster 0 is three young men (ages 20, 22, 21), cluster 1 three
 * older women (60, 62, 61). Overall: mean age 41, half men.
 */
const input: FeatureInput = {
  categorical: { sex: ["M", "M", "F", "F", "M", "F"] },
  numeric: { age: Float64Array.from([20, 22, 60, 62, 21, 61]) },
};
const labels = Int32Array.from([0, 0, 1, 1, 0, 1]);
const describe6: FeatureInput = { categorical: { district: ["N", "N", "S", "S", "E", "S"] }, numeric: {} };

function clusters(options: { standardize: boolean; withDescribe?: boolean }): Cluster[] {
  const encoded = fitEncoder(input, { standardize: options.standardize });
  const { X } = encodeDense(encoded.encoder, input, encoded.keep);
  return describeClusters({
    X,
    names: encoded.encoder.features.map((f) => f.name),
    encoder: encoded.encoder,
    labels,
    k: 2,
    input,
    keep: encoded.keep,
    describe: options.withDescribe ? describe6 : null,
    dist: options.withDescribe ? input.numeric.age : null,
    distName: "age",
  });
}

const row = (c: Cluster, feature: string) => c.profile.find((p) => p.feature === feature);

describe("describeClusters(p)", () => {
  it("sizes add up to n; profiles are in the data's units whether or not the design was standardized", () => {
    for (const standardize of [true, false]) {
      const [young, old] = clusters({ standardize });
      expect([young.size, old.size]).toEqual([3, 3]);
      expect(young.share + old.share).toBe(1);
      expect(row(young, "age")).toEqual({ feature: "age", cluster_mean: 21, overall_mean: 41, lift: Math.round((21 / 41) * 1e4) / 1e4 });
      expect(row(old, "age")?.cluster_mean).toBe(61);
      expect(row(young, "sex=M")).toMatchObject({ cluster_mean: 1, overall_mean: 0.5, lift: 2 });
      expect(row(old, "sex=M")).toMatchObject({ cluster_mean: 0, lift: 0 });
    }
  });

  it("orders features by how far the cluster departs from everyone, ties by name", () => {
    // |z| of sex=F and sex=M is exactly 1; age's is 20 / 20.017 (population sd of the six ages).
    expect(clusters({ standardize: true })[0].profile.map((p) => p.feature)).toEqual(["sex=F", "sex=M", "age"]);
  });

  it("describes each cluster's most common values and its distribution of the distribution column", () => {
    const [young, old] = clusters({ standardize: true, withDescribe: true });
    expect(young.top_values.district).toEqual([
      { value: "N", count: 2, share: 0.6667 },
      { value: "E", count: 1, share: 0.3333 },
    ]);
    expect(old.top_values.district).toEqual([{ value: "S", count: 3, share: 1 }]);
    expect(young.distribution).toMatchObject({ column: "age", mean: 21, quartiles: [20, 21, 21] });
    const counted = (young.distribution?.histogram ?? []).reduce((s, b) => s + b.count, 0);
    expect(counted).toBe(3);
  });
});

describe("clusterLabel(c)", () => {
  it("names the distinguishing one-hot values with their share and numeric features as higher or lower", () => {
    const [young, old] = clusters({ standardize: true });
    expect(clusterLabel(young)).toBe("sex: M (100%) · lower age (21.0 vs 41.0)");
    expect(clusterLabel(old)).toBe("sex: F (100%) · higher age (61.0 vs 41.0)");
  });

  it("says 'mixed profile' when no value is both common in the cluster and over-represented", () => {
    const c: Cluster = {
      id: 0,
      label: "",
      size: 10,
      share: 0.5,
      profile: [
        { feature: "sex=M", cluster_mean: 0.4, overall_mean: 0.2, lift: 2 },
        { feature: "sex=F", cluster_mean: 0.6, overall_mean: 0.55, lift: 1.09 },
      ],
      top_values: {},
    };
    expect(clusterLabel(c)).toBe("mixed profile");
  });
});
