import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTableFromColumns } from "../../src/data/create-table.js";
import { Db } from "../../src/data/Db.js";
import { encodeDense, fitEncoder, OTHER, type FeatureInput } from "../../src/features/encode.js";
import { adjustedRandIndex } from "../../src/ml/metrics/clustering.js";
import { comparedMethods } from "../../src/studies/segments/compare-methods.js";
import {
  chooseLcaK,
  fitLcaRange,
  lcaFitRows,
  lcaIndicators,
  lcaProfiles,
  lcaStability,
  modalAssignment,
} from "../../src/studies/segments/lca-study.js";
import { describeClusters } from "../../src/studies/segments/profiles.js";
import { addClusterProbability, withProbabilitySql } from "../../src/studies/segments/row-probability.js";
import { createRng } from "../../src/util/random.js";

/** 600 rows from 3 latent classes over 4 categorical indicators (3 levels) and one numeric, with some missing values. */
function generated() {
  const rng = createRng(11);
  const n = 600;
  const truth = new Int32Array(n);
  const cat: (string | null)[][] = [[], [], [], []];
  const age = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const c = rng.int(3);
    truth[i] = c;
    for (let j = 0; j < 4; ++j) {
      const level = rng.next() < 0.85 ? (c + j) % 3 : rng.int(3);
      cat[j].push(i % 37 === j ? null : "abc"[level]);
    }
    age[i] = i % 41 === 0 ? NaN : 20 + 15 * c + 4 * (rng.next() - 0.5);
  }
  const input: FeatureInput = { categorical: { v0: cat[0], v1: cat[1], v2: cat[2], v3: cat[3] }, numeric: { age } };
  return { input, truth };
}

const settings = { starts: 5, maxIter: 500, tol: 1e-6 * 600, criterion: "bic" as const };

describe("lcaIndicators(input, encoder, keep)", () => {
  it("keeps missing values missing (−1, NaN) for full-information likelihood and rare values in (other)", () => {
    const input: FeatureInput = {
      categorical: { g: ["F", "M", null, "F", "X", "M"] },
      numeric: { age: Float64Array.from([20, NaN, 30, 20, 40, 50]) },
    };
    const fit = fitEncoder(input, { minFrequency: 2, missingNumeric: "median" });
    const ind = lcaIndicators(input, fit.encoder, fit.keep);
    expect(ind.categorical[0].levels).toEqual(["F", "M", OTHER]);
    const codes = Array.from(ind.index, (g) => ind.data.categorical[0][g]);
    expect(codes).toEqual([0, 1, -1, 0, 2, 1]);
    const ages = Array.from(ind.index, (g) => ind.data.numeric?.data[g]);
    expect(ages[1]).toBeNaN();
    expect(ages[4]).toBe(40);
    // Rows 0 and 3 are identical: merged with count 2.
    expect(ind.index[0]).toBe(ind.index[3]);
    expect(ind.weight[ind.index[0]]).toBe(2);
    expect(ind.n).toBe(6);
  });
});

describe("latent class models over K", () => {
  const { input, truth } = generated();
  const fit = fitEncoder(input, { missingNumeric: "median" });
  const ind = lcaIndicators(input, fit.encoder, fit.keep);
  const models = fitLcaRange(ind, 8, [2], settings, 1);

  it("recovers the generating classes, chooses K = 3 by BIC, and stops once BIC has risen twice", () => {
    expect(chooseLcaK(models, "bic", 2)).toBe(3);
    expect([...models.keys()]).toEqual([1, 2, 3, 4, 5]);
    const m = models.get(3);
    if (!m) throw new Error("K = 3 was not fitted");
    const modal = modalAssignment(m, ind);
    expect(adjustedRandIndex(truth, modal.labels)).toBeGreaterThan(0.9);
    expect(Math.min(...modal.probability)).toBeGreaterThan(1 / 3);
    const rows = lcaFitRows(models, settings.starts);
    expect(rows[0]).toMatchObject({ k: 1, entropy: null, converged: true });
    expect(rows.map((r) => r.bic)).toEqual(rows.map((r) => Math.round((models.get(r.k)?.bic ?? NaN) * 1e4) / 1e4));
  });

  it("profiles classes by their class-conditional response probabilities, and is stable under subsampling", () => {
    const m = models.get(3);
    if (!m) throw new Error("K = 3 was not fitted");
    const modal = modalAssignment(m, ind);
    const { X } = encodeDense(fit.encoder, input, fit.keep);
    const clusters = describeClusters({
      X,
      names: fit.encoder.features.map((f) => f.name),
      encoder: fit.encoder,
      labels: modal.labels,
      k: 3,
      input,
      keep: fit.keep,
      describe: null,
      dist: null,
      minCell: 10,
    });
    const classes = lcaProfiles(clusters, m, ind, modal.probability, modal.labels);
    const j = ind.categorical.findIndex((c) => c.column === "v0");
    const level = ind.categorical[j].levels.indexOf("a");
    const row = classes[0].profile.find((p) => p.feature === "v0=a");
    expect(row?.cluster_mean).toBeCloseTo(m.probabilities[j][0 * 3 + level], 6);
    expect(classes[0].class_share).toBeCloseTo(m.shares[0], 6);
    expect(classes[0].mean_probability).toBeGreaterThan(0.8);
    const s = lcaStability(ind, m, 4, 2, settings, 3);
    expect(s?.draws).toBe(4);
    expect(s?.mean).toBeGreaterThan(0.85);
  });
});

describe("comparedMethods(spec)", () => {
  it("runs every other method for true, none for false, and the listed others for a list", () => {
    expect(comparedMethods({ method: "kmeans", compare_methods: true })).toEqual(["kprototypes", "lca"]);
    expect(comparedMethods({ method: "lca", compare_methods: true })).toEqual(["kmeans", "kprototypes"]);
    expect(comparedMethods({ method: "kmeans", compare_methods: false })).toEqual([]);
    expect(comparedMethods({ method: "kmeans", compare_methods: ["kmeans", "lca"] })).toEqual(["lca"]);
  });
});

describe("addClusterProbability(db, rows, probability)", () => {
  let db: Db;
  beforeAll(async () => {
    db = await Db.open();
    await createTableFromColumns(db, "_segments_rows", [
      { name: "_row", type: "INTEGER", values: [0, 1, 2] },
      { name: "_cluster", type: "INTEGER", values: [1, null, 0] },
    ]);
  });
  afterAll(async () => {
    await db.close();
  });

  it("builds SQL that DuckDB accepts", async () => {
    await createTableFromColumns(db, "_p", [
      { name: "_row", type: "INTEGER", values: [0] },
      { name: "_cluster_probability", type: "DOUBLE", values: [0.5] },
    ]);
    await expect(db.query(`EXPLAIN ${withProbabilitySql("_segments_rows", "_p", "_out")}`)).resolves.toBeDefined();
  });

  it("adds each row's probability beside its cluster, NULL for rows left out", async () => {
    const table = await addClusterProbability(db, "_segments_rows", Float64Array.from([0.91, NaN, 0.62]));
    const rows = await db.query(`SELECT _row, _cluster, _cluster_probability FROM ${table} ORDER BY _row`);
    expect(rows).toEqual([
      { _row: 0, _cluster: 1, _cluster_probability: 0.91 },
      { _row: 1, _cluster: null, _cluster_probability: null },
      { _row: 2, _cluster: 0, _cluster_probability: 0.62 },
    ]);
  });
});
