import { describe, expect, it } from "vitest";
import { encodeDense, fitEncoder, type FeatureInput } from "../../../src/features/encode.js";
import type { ComputedCluster as Cluster } from "../../../src/results/types.js";
import { describeClusters } from "../../../src/studies/segments/profiles.js";

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
    minCell: 1,
  });
}

const row = (c: Cluster, feature: string) => c.profile.find((p) => p.feature === feature);

describe("describeClusters(p)", () => {
  it("sizes add up to n; profiles are in the data's units whether or not the design was standardized", () => {
    for (const standardize of [true, false]) {
      const [young, old] = clusters({ standardize });
      expect([young.size, old.size]).toEqual([3, 3]);
      expect(young.share + old.share).toBe(1);
      expect(row(young, "age")).toMatchObject({
        feature: "age",
        cluster_mean: 21,
        overall_mean: 41,
        lift: Math.round((21 / 41) * 1e4) / 1e4,
      });
      expect(row(old, "age")?.cluster_mean).toBe(61);
      expect(row(young, "sex=M")).toMatchObject({ cluster_mean: 1, overall_mean: 0.5, lift: 2 });
      expect(row(old, "sex=M")).toMatchObject({ cluster_mean: 0, lift: 0 });
    }
  });

  it("orders features by the evidence that the cluster departs from the other rows", () => {
    // age's Welch z against the other three rows (21 vs 61, tiny spread) is far beyond the shares' z of sex.
    expect(clusters({ standardize: true })[0].profile.map((p) => p.feature)).toEqual(["age", "sex=M", "sex=F"]);
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

describe("describeClusters(p) with imputed values", () => {
  it("a cluster whose numeric values are all missing (imputed) has no quartiles rather than NaN ones", () => {
    const gaps: FeatureInput = {
      categorical: { sex: ["M", "M", "F", "F", "M", "F"] },
      numeric: { age: Float64Array.from([20, 22, NaN, NaN, 21, NaN]) },
    };
    const encoded = fitEncoder(gaps, { standardize: true, missingNumeric: "median" });
    const { X } = encodeDense(encoded.encoder, gaps, encoded.keep);
    const [young, gap] = describeClusters({
      X,
      names: encoded.encoder.features.map((f) => f.name),
      encoder: encoded.encoder,
      labels,
      k: 2,
      input: gaps,
      keep: encoded.keep,
      describe: null,
      dist: null,
      minCell: 1,
    });
    expect(row(young, "age")?.quartiles).toEqual([20.5, 21, 21.5]);
    expect(row(gap, "age")?.count).toBe(0);
    expect(row(gap, "age")?.quartiles).toBeUndefined();
    expect(row(gap, "age")?.overall_quartiles).toEqual([20.5, 21, 21.5]);
  });
});
