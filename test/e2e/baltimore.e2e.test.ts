import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { SegmentsResults } from "../../src/results/types.js";
import { defined } from "../checks.js";
import { cli, SKIP_DATA } from "./helpers.js";

describe.skipIf(SKIP_DATA)("openbeat run examples/baltimore-victim-segments*.yaml (real Baltimore data)", () => {
  const base = mkdtempSync(join(tmpdir(), "ob-balt-"));
  let part1: SegmentsResults;
  let part2: SegmentsResults;

  beforeAll(async () => {
    for (const [study, out] of [
      ["baltimore-victim-segments", "p1"],
      ["baltimore-victim-segments-demographics", "p2"],
    ]) {
      const r = await cli(["run", `examples/${study}.yaml`, "--data", "../shared/data", "--out", join(base, out)]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(0);
    }
    part1 = JSON.parse(readFileSync(join(base, "p1", "results.json"), "utf8")) as SegmentsResults;
    part2 = JSON.parse(readFileSync(join(base, "p2", "results.json"), "utf8")) as SegmentsResults;
  });

  it("keeps person victims of the most recent year and cleans the codes", () => {
    expect(part1.data.table_rows).toBe(1054);
    expect(part1.data.inputs[0].rows).toBe(1261);
    const genders = part1.clusters.flatMap((c) => c.profile.filter((p) => p.feature.startsWith("Gender=")).map((p) => p.feature));
    expect(new Set(genders)).toEqual(new Set(["Gender=F", "Gender=M", "Gender=U"]));
  });

  it("sweeps k = 2..10 with all four criteria and picks k by the documented rule", () => {
    expect(part1.k_selection.map((r) => r.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const r of part1.k_selection) {
      expect(r.silhouette).toBeGreaterThan(0);
      expect(r.silhouette).toBeLessThan(0.3);
      expect(r.calinski_harabasz).toBeGreaterThan(0);
      expect(r.davies_bouldin).toBeGreaterThan(0);
    }
    const inertia = part1.k_selection.map((r) => r.inertia);
    for (let i = 1; i < inertia.length; ++i) expect(inertia[i]).toBeLessThan(inertia[i - 1]);
    expect(part1.k_rule).toMatch(/lowest mean rank/);
    expect(part1.clusters).toHaveLength(part1.k);
    expect(part1.clusters.reduce((s, c) => s + c.size, 0)).toBe(part1.data.rows);
  });

  it("describes each cluster with a label, distinguishing features, top values and an age distribution", () => {
    for (const c of part1.clusters) {
      expect(c.label.length).toBeGreaterThan(3);
      expect(c.profile[0].lift).not.toBe(1);
      expect(c.top_values.Description.length).toBeGreaterThan(0);
      expect(defined(c.distribution, "the age distribution").column).toBe("Age");
    }
    expect(part1.stability.mean_ari).toBeGreaterThan(0);
    expect(part1.stability.mean_ari).toBeLessThanOrEqual(1);
    expect(defined(part1.comparison, "the method comparison").map((c) => c.method)).toEqual(["kmeans", "kprototypes"]);
  });

  it("matches every neighborhood of the 2022 sample to the boundaries and writes the area shares for the map", () => {
    const areas = defined(part1.areas, "the areas section");
    expect(areas.unmatched).toEqual([]);
    expect(areas.matched).toBe(1049);
    const geo = JSON.parse(readFileSync(join(base, "p1", "areas.geojson"), "utf8")) as { features: { properties: { rows: number } }[] };
    expect(geo.features).toHaveLength(278);
    const total = geo.features.reduce((s, f) => s + f.properties.rows, 0);
    expect(total).toBe(1049);
    expect(existsSync(join(base, "p1", "features.parquet"))).toBe(true);
  });

  it("part 2 joins census shares by neighborhood and reduces them with PCA", () => {
    const pca = defined(part2.pca, "the PCA section");
    expect(pca.components).toBeGreaterThan(1);
    const ratios = pca.explained_variance_ratio;
    expect(ratios.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(0.9);
    const features = new Set(part2.clusters[0].profile.map((p) => p.feature));
    for (const f of ["pct_black", "pct_renters", "pct_vacant", "pct_age_18_24"]) expect(features.has(f)).toBe(true);
    const black = defined(
      part2.clusters[0].profile.find((p) => p.feature === "pct_black"),
      "the pct_black profile row",
    );
    expect(black.overall_mean).toBeGreaterThan(40);
    expect(black.overall_mean).toBeLessThan(90);
  });
});

describe.skipIf(SKIP_DATA)("openbeat run examples/baltimore-2019-crime-segments.yaml (older export, aliases)", () => {
  it("matches truncated names automatically, aliases the rest and reports every unmatched name with its rows", async () => {
    // The point is the name matching on the real 2019 export: the example's sources, prepare and areas as they are,
    // with a light clustering (the example's k = 2..10 sweep spends most of a minute on silhouettes of 10,000 rows).
    const dir = mkdtempSync(join(tmpdir(), "ob-balt19-"));
    const study = parse(readFileSync("examples/baltimore-2019-crime-segments.yaml", "utf8")) as { segments: Record<string, unknown> };
    Object.assign(study.segments, {
      k: { min: 2, max: 3 },
      n_init: 2,
      stability_resamples: 1,
      compare_methods: false,
      silhouette_sample: 500,
    });
    writeFileSync(join(dir, "study.yaml"), stringify(study));
    const out = join(dir, "r");
    const r = await cli(["run", join(dir, "study.yaml"), "--data", "../shared/data", "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as SegmentsResults;
    expect(res.data.table_rows).toBe(22281);
    const areas = defined(res.areas, "the areas section");
    const unmatched = areas.unmatched;
    expect(unmatched.map((u) => u.name)).toContain("BALTIMORE-LINWOOD");
    expect(unmatched.map((u) => u.name)).not.toContain("HUDSON-HIGHLANDTOWN");
    expect(areas.matched + unmatched.reduce((s, u) => s + u.rows, 0)).toBe(22281 - 1357);
    expect(res.warnings.some((w) => w.code === "segments.unmatched_areas")).toBe(true);
  });
});
