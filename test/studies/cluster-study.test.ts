import { describe, expect, it } from "vitest";
import { encodeDense, fitEncoder, type FeatureInput } from "../../src/features/encode.js";
import { kSelectionRowSchema, segmentsResultsSchema } from "../../src/results/schema.js";
import { clusterStudy } from "../../src/studies/segments/cluster-study.js";
import { segmentsSchema } from "../../src/studies/segments/spec.js";
import { Logger } from "../../src/util/logger.js";
import { createRng } from "../../src/util/random.js";

/** 360 victims from 3 types over sex, weapon, place and age, plus an area share that is pure noise. */
function victims() {
  const rng = createRng(21);
  const n = 360;
  const sex: string[] = [];
  const weapon: string[] = [];
  const place: string[] = [];
  const age = new Float64Array(n);
  const pct = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const t = i % 3;
    const pick = (levels: string[]) => levels[rng.next() < 0.9 ? t : rng.int(3)];
    sex.push(pick(["M", "F", "M"]));
    weapon.push(pick(["FIREARM", "HANDS", "KNIFE"]));
    place.push(pick(["STREET", "HOME", "SHOP"]));
    age[i] = [22, 35, 60][t] + 6 * (rng.next() - 0.5);
    pct[i] = 100 * rng.next();
  }
  const input: FeatureInput = { categorical: { sex, weapon, place }, numeric: { age, pct_area: pct } };
  return input;
}

function run(method: "kmeans" | "lca") {
  const input = victims();
  const spec = segmentsSchema.parse({
    features: { categorical: ["sex", "weapon", "place"], numeric: ["age", "pct_area"] },
    method,
    k: { min: 2, max: 5, seeds: 3 },
    stability_resamples: 5,
    structure: { draws: 20, n_init: 2, silhouette_sample: 500 },
    lca: { starts: 4, stability_starts: 2 },
  });
  const fit = fitEncoder(input, { standardize: true });
  const { X } = encodeDense(fit.encoder, input, fit.keep);
  const logger = new Logger({ silent: true });
  const out = clusterStudy({
    spec,
    where: "t.yaml",
    seed: 7,
    minCell: 10,
    logger,
    input,
    encoder: fit.encoder,
    keep: fit.keep,
    X,
    names: fit.encoder.features.map((f) => f.name),
    areaColumns: new Set(["pct_area"]),
    describe: null,
    dist: null,
  });
  return { out, logger };
}

describe("clusterStudy(input): the segments analysis on generated victims of three types", () => {
  const { out, logger } = run("kmeans");
  const r = out.results;

  it("finds clear structure and chooses k = 3, the same with every seed, each k with its stability and starts", () => {
    expect(r.structure?.verdict).toBe("clear");
    expect(r.k).toBe(3);
    expect(r.k_choice.seeds).toEqual([7, 8, 9].map((seed) => ({ seed, k: 3 })));
    expect(r.k_choice.unanimous).toBe(true);
    for (const row of r.k_selection) {
      expect(kSelectionRowSchema.safeParse(row).success).toBe(true);
      expect(row.stability?.draws).toBe(5);
      expect(row.starts?.used).toBeGreaterThanOrEqual(10);
      expect(row.spread?.silhouette.min).toBeLessThanOrEqual(row.spread?.silhouette.max ?? -1);
    }
    expect(r.k_selection.find((x) => x.k === 3)?.stability?.mean).toBeGreaterThan(0.95);
    expect(r.stability.mean_ari).toBe(r.k_selection.find((x) => x.k === 3)?.stability?.mean);
  });

  it("gives every variable an equal share and puts almost no separation on the noise column", () => {
    expect(r.weights).toBe("variables");
    for (const v of r.variance_shares) expect(v.share).toBeCloseTo(0.2, 3);
    const noise = r.variance_shares.find((v) => v.variable === "pct_area");
    expect(noise?.area_level).toBe(true);
    expect(noise?.separation).toBeLessThan(0.05);
    expect(logger.warnings.map((w) => w.code)).not.toContain("segments.ecological");
  });

  it("labels each type by its levels with their shares, and compares k-prototypes and LCA at the same k", () => {
    const labels = r.clusters.map((c) => c.label).join(" | ");
    expect(labels).toMatch(/weapon: FIREARM \(9\d%\)/);
    expect(labels).toMatch(/place: HOME \(9\d%\)/);
    expect(r.comparison?.map((c) => c.method)).toEqual(["kmeans", "kprototypes", "lca"]);
    expect(r.comparison?.find((c) => c.method === "lca")?.agreement).toBeGreaterThan(0.8);
    expect(r.lca?.k).toBe(3);
    expect(r.lca?.classes).toHaveLength(3);
    expect(out.probability).toBeNull();
  });

  it("passes the results contract once the run's common keys are added", () => {
    const results = {
      study: "segments",
      name: "t",
      seed: 7,
      warnings: logger.warnings,
      dashboard: { dimensions: [] },
      data: { rows: 360, features: 11, table_rows: 360, dropped: {}, missing: {}, inputs: [] },
      ...(JSON.parse(JSON.stringify(r)) as typeof r),
    };
    const parsed = segmentsResultsSchema.safeParse(results);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});

describe("clusterStudy(input) with method: lca", () => {
  const { out } = run("lca");
  const r = out.results;

  it("chooses K = 3 by BIC, reports the fit of each K and every row's class probability", () => {
    expect(r.method).toBe("lca");
    expect(r.k).toBe(3);
    expect(r.k_rule).toMatch(/^lowest BIC over K = 2\.\.\d; every one of 3 seeds picks k = 3/);
    for (const row of r.k_selection) {
      expect(row.bic).toBeTypeOf("number");
      expect(row.aic).toBeTypeOf("number");
      expect(row.entropy).toBeTypeOf("number");
      expect(row.log_likelihood).toBeTypeOf("number");
    }
    expect(r.lca?.fits[0].k).toBe(1);
    expect(out.probability?.length).toBe(360);
    expect(Math.min(...(out.probability ?? [0]))).toBeGreaterThan(1 / 3);
    expect(r.clusters.every((c) => c.class_share !== undefined && (c.mean_probability ?? 0) > 0.8)).toBe(true);
    expect(r.comparison?.map((c) => c.method)).toEqual(["lca", "kmeans", "kprototypes"]);
  });
});
