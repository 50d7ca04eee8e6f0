import { describe, expect, it } from "vitest";
import { encodeDense, fitEncoder, type FeatureInput } from "../../src/features/encode.js";
import { featuresSchema } from "../../src/features/spec.js";
import { weightedColumnVariances } from "../../src/ml/variance-shares.js";
import { Logger } from "../../src/util/logger.js";
import { createRng } from "../../src/util/random.js";
import {
  checkWeights,
  designVariables,
  varianceShareRows,
  warnOnShares,
  weightDesign,
  type DesignVariable,
} from "../../src/studies/segments/weights.js";

/** 400 rows: a 2-level and a 5-level categorical, a numeric age and two area-level shares that repeat per area. */
function data() {
  const rng = createRng(3);
  const n = 400;
  const sex: string[] = [];
  const offense: string[] = [];
  const age = new Float64Array(n);
  const pctA = new Float64Array(n);
  const pctB = new Float64Array(n);
  const areaA = [10, 20, 80, 90];
  for (let i = 0; i < n; ++i) {
    sex.push(rng.next() < 0.5 ? "F" : "M");
    offense.push("ABCDE"[rng.int(5)]);
    age[i] = 20 + 40 * rng.next();
    const area = rng.int(4);
    pctA[i] = areaA[area];
    pctB[i] = 100 - areaA[area] + 5 * area;
  }
  const input: FeatureInput = { categorical: { sex, offense }, numeric: { age, pct_a: pctA, pct_b: pctB } };
  const fit = fitEncoder(input, { standardize: true });
  const { X } = encodeDense(fit.encoder, input, fit.keep);
  const variables = designVariables(fit.encoder, new Set(["pct_a", "pct_b"]));
  return { X, variables, pctA };
}

const sumOver = (v: Float64Array, variable: DesignVariable) => variable.columns.reduce((s, j) => s + v[j], 0);

describe("designVariables and weightDesign", () => {
  const { X, variables } = data();

  it("finds each variable's block of consecutive columns and marks the area-level ones", () => {
    expect(variables.map((v) => [v.name, v.columns.length, v.areaLevel])).toEqual([
      ["sex", 2, false],
      ["offense", 5, false],
      ["age", 1, false],
      ["pct_a", 1, true],
      ["pct_b", 1, true],
    ]);
    expect(variables[1].columns).toEqual([2, 3, 4, 5, 6]);
  });

  it('"variables" gives every variable a total variance of 1, whatever its levels', () => {
    const w = weightDesign(X, variables, "variables");
    const v = weightedColumnVariances(w.Z);
    for (const variable of variables) expect(sumOver(v, variable)).toBeCloseTo(1, 10);
    expect(w.mode).toBe("variables");
  });

  it('"levels" keeps the encoded columns, where a 2-level variable has variance 0.5 and a standardized number 1', () => {
    const w = weightDesign(X, variables, "levels");
    expect(w.Z).toBe(X);
    const v = weightedColumnVariances(w.Z);
    expect(sumOver(v, variables[0])).toBeCloseTo(0.5, 1);
    expect(sumOver(v, variables[2])).toBeCloseTo(1, 10);
  });

  it("a mapping gives variables their weight's share: per variable over per block over 1", () => {
    const w = weightDesign(X, variables, { age: 3, numeric: 0.5 });
    const rows = varianceShareRows(w.Z, variables, w, null, 1);
    // sex 1, offense 1, age 3, pct_a 0.5, pct_b 0.5: total 6
    expect(rows.map((r) => r.share)).toEqual([1 / 6, 1 / 6, 3 / 6, 0.5 / 6, 0.5 / 6].map((x) => Math.round(x * 1e4) / 1e4));
    expect(rows.map((r) => r.weight)).toEqual([1, 1, 3, 0.5, 0.5]);
    expect(rows.every((r) => r.separation === null)).toBe(true);
  });
});

describe("varianceShareRows and warnOnShares", () => {
  const { X, variables, pctA } = data();
  const w = weightDesign(X, variables, "variables");

  it("a partition by one area-level variable puts all of the separation on the area columns and warns of an ecological reading", () => {
    const labels = Int32Array.from(pctA, (v) => (v > 50 ? 1 : 0));
    const rows = varianceShareRows(w.Z, variables, w, labels, 2);
    const sep = rows.reduce((s, r) => s + (r.separation ?? 0), 0);
    expect(sep).toBeCloseTo(1, 3);
    const area = rows.filter((r) => r.area_level).reduce((s, r) => s + (r.separation ?? 0), 0);
    expect(area).toBeGreaterThan(0.95);
    const logger = new Logger({ silent: true });
    warnOnShares(rows, logger);
    const eco = logger.warnings.find((x) => x.code === "segments.ecological");
    expect(eco?.message).toMatch(
      /area-level columns \(pct_a, pct_b\) hold 40% of the variance and (9\d|100)% of what separates the clusters/,
    );
  });

  it("warns when one variable holds more than half of the variance", () => {
    const heavy = weightDesign(X, variables, { sex: 10 });
    const rows = varianceShareRows(heavy.Z, variables, heavy, null, 1);
    const logger = new Logger({ silent: true });
    warnOnShares(rows, logger);
    expect(logger.warnings.map((x) => x.code)).toEqual(["segments.dominant_variable"]);
    expect(logger.warnings[0].message).toMatch(/^sex dominates the clustering: it holds 71% of the variance/);
  });
});

describe("checkWeights(weights, features, file)", () => {
  const features = featuresSchema.parse({ categorical: ["Gender"], numeric: ["Age"], dates: [{ column: "t", parts: ["hour"] }] });

  it("accepts variables, date parts and block names, and names a misspelt key with a suggestion", () => {
    expect(() => {
      checkWeights({ Gender: 2, "t.hour": 0.5, numeric: 1 }, features, "s.yaml");
    }).not.toThrow();
    expect(() => {
      checkWeights({ Agee: 2 }, features, "s.yaml");
    }).toThrow(/s\.yaml: segments\.weights: "Agee" is not a variable of segments\.features \(did you mean "Age"\?\)/);
  });

  it("refuses weights that leave no variable with a positive weight", () => {
    expect(() => {
      checkWeights({ numeric: 0, categorical: 0 }, features, "s.yaml");
    }).toThrow(/every variable weight 0/);
  });
});
