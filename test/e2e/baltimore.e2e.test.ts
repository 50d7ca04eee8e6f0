import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { SegmentsResults } from "../../src/results/types.js";
import { defined } from "../checks.js";
import { Db, quoteString } from "../../src/data/Db.js";
import { exampleRuns } from "./example-runs.js";
import { cli, must, SKIP_DATA } from "./helpers.js";

describe.skipIf(SKIP_DATA)("openbeat run examples/baltimore-victim-segments*.yaml (real Baltimore data)", () => {
  /** The results folders: the e2e tier's shared runs of the three examples (test/e2e/example-runs.ts). */
  const dir = { p1: "", p2: "", lca: "" };
  let part1: SegmentsResults;
  let part2: SegmentsResults;

  let lca: SegmentsResults;
  let summary1 = "";

  // Each run tests its structure against 20 reference draws, repeats the choice of k with five seeds and fits latent
  // class models: 20–30 s of CPU per study here, so the limit leaves room for a machine several times slower.
  beforeAll(async () => {
    const runs = await exampleRuns(["baltimore", "baltimore-demographics", "baltimore-lca"] as const);
    for (const [name, out] of [
      ["baltimore", "p1"],
      ["baltimore-demographics", "p2"],
      ["baltimore-lca", "lca"],
    ] as const) {
      const r = runs[name];
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(0);
      dir[out] = r.dir;
      if (out === "p1") summary1 = r.stdout;
    }
    part1 = JSON.parse(readFileSync(join(dir.p1, "results.json"), "utf8")) as SegmentsResults;
    part2 = JSON.parse(readFileSync(join(dir.p2, "results.json"), "utf8")) as SegmentsResults;
    lca = JSON.parse(readFileSync(join(dir.lca, "results.json"), "utf8")) as SegmentsResults;
  }, 1_800_000);

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
    const inertia = part1.k_selection.map((r) => r.inertia ?? NaN);
    for (let i = 1; i < inertia.length; ++i) expect(inertia[i]).toBeLessThan(inertia[i - 1]);
    expect(part1.k_rule).toMatch(
      /lowest mean rank over silhouette, Calinski-Harabasz, Davies-Bouldin, distance to the inertia knee and stability/,
    );
    expect(part1.clusters).toHaveLength(part1.k);
    expect(part1.clusters.reduce((s, c) => s + (c.size ?? Number.NaN), 0)).toBe(part1.data.rows);
  });

  it("part 1 tests its structure against shuffled data: k = 2, the old choice, is no better than chance", () => {
    const s = must(part1.structure);
    expect(s.null).toMatchObject({ method: "permuted", draws: 20, n_init: 3 });
    expect(s.null.per_k.map((r) => r.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The finding of issue 13: at k = 2 the silhouette barely exceeds that of independently shuffled columns.
    const k2 = s.null.per_k[0];
    expect(k2.excess).toBeLessThan(0.02);
    expect(k2.z).toBeLessThan(2);
    // The best case (k = 7) clears the weak margin (excess 0.029, z 2.2) but not the clear one.
    expect(s.verdict).toBe("weak");
    expect(s.excess).toBeGreaterThan(0.02);
    expect(s.excess).toBeLessThan(0.1);
    expect(s.summary).toMatch(/^Weak structure: at k = \d+ the silhouette is/);
    expect(summary1).toContain(`structure: weak (silhouette excess over chance ${s.excess.toFixed(3)} at k = ${s.k}`);
  });

  it("part 1 reports each k's stability and starts, and the choice of k over five seeds", () => {
    for (const r of part1.k_selection) {
      expect(r.stability).toMatchObject({ method: "subsample", fraction: 0.8, draws: 20 });
      expect(must(r.stability).mean).toBeGreaterThan(0.5);
      expect(must(r.starts).used).toBeGreaterThanOrEqual(10);
      expect(must(r.spread).silhouette.max).toBeGreaterThanOrEqual(must(r.spread).silhouette.min);
    }
    expect(part1.k_choice.seeds.map((s) => s.seed)).toEqual([42, 43, 44, 45, 46]);
    expect(part1.k_choice.seeds.every((s) => s.k === part1.k)).toBe(part1.k_choice.unanimous);
    expect(part1.k).toBe(3);
    expect(part1.stability.mean_ari).toBe(must(must(part1.k_selection.find((r) => r.k === part1.k)).stability).mean);
  });

  it("part 1 weighs every variable equally, and says that sex and age make the separation", () => {
    expect(part1.weights).toBe("variables");
    expect(part1.variance_shares.map((v) => v.variable)).toEqual(["Gender", "Race", "Description", "Weapon", "CrimeDateTime.hour", "Age"]);
    for (const v of part1.variance_shares) expect(v.share).toBeCloseTo(1 / 6, 3);
    const sep = Object.fromEntries(part1.variance_shares.map((v) => [v.variable, v.separation ?? 0]));
    expect(sep.Gender + sep.Age).toBeGreaterThan(0.9);
    expect(part1.warnings.some((w) => w.code === "segments.dominant_variable" && w.variable === "Gender")).toBe(true);
  });

  it("part 1 labels say what each cluster holds, with shares, and 'most common' below a majority", () => {
    for (const c of part1.clusters) {
      for (const part of c.label.split(" · ")) {
        const level = /^(most common )?[^:]+: [^(]+\((\d+)%\)/.exec(part);
        if (!level) continue;
        expect(Number(level[2]) >= 50 || (level[1] as string | undefined) !== undefined, part).toBe(true);
      }
      const age = must(c.profile.find((p) => p.feature === "Age"));
      expect(must(age.quartiles)[0]).toBeLessThanOrEqual(must(age.quartiles)[2]);
    }
    // A share of 100% says every member has the value ("not F" is 0 < min_cell): the label names the level without it.
    expect(part1.clusters.map((c) => c.label).join(" | ")).toMatch(/Gender: F( ·|$)/);
  });

  it("part 1 sets latent class analysis beside k-means, with its fit per K", () => {
    expect(must(part1.comparison).map((c) => c.method)).toEqual(["kmeans", "kprototypes", "lca"]);
    const fits = must(part1.lca).fits;
    expect(fits[0]).toMatchObject({ k: 1, entropy: null });
    expect(must(part1.lca).k).toBe(3);
    const bic = Object.fromEntries(fits.map((f) => [f.k, f.bic]));
    for (const f of fits) expect(bic[3]).toBeLessThanOrEqual(f.bic);
    expect(must(part1.lca).classes).toHaveLength(3);
  });

  it("describes each cluster with a label, distinguishing features, top values and an age distribution", () => {
    for (const c of part1.clusters) {
      expect(c.label.length).toBeGreaterThan(3);
      expect(c.profile[0].lift).not.toBe(1);
      expect(c.top_values.Description.length).toBeGreaterThan(0);
      expect(must(c.distribution).column).toBe("Age");
    }
    expect(part1.stability.mean_ari).toBeGreaterThan(0);
    expect(part1.stability.mean_ari).toBeLessThanOrEqual(1);
  });

  it("matches every neighborhood of the 2022 sample to the boundaries and writes the area shares for the map", () => {
    expect(must(part1.areas).unmatched).toEqual([]);
    expect(must(part1.areas).matched).toBe(1049);
    const geo = JSON.parse(readFileSync(join(dir.p1, "areas.geojson"), "utf8")) as {
      features: { properties: { rows: number | null; suppressed?: string[] } }[];
    };
    expect(geo.features).toHaveLength(278);
    // The disclosed collection: an area's row count is published only at 0 or min_cell (10) and above.
    const published = geo.features.map((f) => f.properties.rows).filter((n) => n !== null);
    for (const n of published) expect(n === 0 || n >= 10, `published area count ${n}`).toBe(true);
    const hidden = geo.features.filter((f) => f.properties.rows === null);
    expect(hidden.length).toBeGreaterThan(0);
    for (const f of hidden) expect(f.properties.suppressed).toContain("rows");
    expect(published.reduce((s, n) => s + n, 0)).toBeLessThanOrEqual(1049);
    expect(existsSync(join(dir.p1, "features.parquet"))).toBe(true);
  });

  it("part 2 joins census shares by neighborhood and reduces them with PCA", () => {
    expect(must(part2.pca).components).toBeGreaterThan(1);
    const ratios = must(part2.pca).explained_variance_ratio;
    expect(ratios.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(0.9);
    const features = new Set(part2.clusters[0].profile.map((p) => p.feature));
    for (const f of ["pct_black", "pct_renters", "pct_vacant", "pct_age_18_24"]) expect(features.has(f)).toBe(true);
    const black = must(part2.clusters[0].profile.find((p) => p.feature === "pct_black"));
    expect(black.overall_mean).toBeGreaterThan(40);
    expect(black.overall_mean).toBeLessThan(90);
  });

  it("part 2 warns that the neighbourhood columns make most of the separation: an ecological reading", () => {
    const area = part2.variance_shares.filter((v) => v.area_level).map((v) => v.variable);
    expect(area).toEqual(["pct_black", "pct_renters", "pct_vacant", "pct_age_18_24"]);
    // Four of nine equally weighted variables hold 4/9 of the variance, and two thirds of what separates the clusters.
    const eco = must(part2.warnings.find((w) => w.code === "segments.ecological"));
    expect(eco.share).toBeCloseTo(4 / 9, 3);
    expect(eco.separation).toBeGreaterThan(0.5);
    expect(eco.message).toMatch(/area-level columns \(pct_black, pct_renters, pct_vacant, pct_age_18_24\) hold 44% of the variance/);
    expect(must(part2.structure).verdict).toBe("weak");
    expect(must(part2.lca).fits.length).toBeGreaterThan(3);
  });

  it("method: lca chooses the classes by BIC and writes each row's class and its probability", async () => {
    expect(lca.method).toBe("lca");
    expect(lca.k).toBe(3);
    expect(lca.k_rule).toMatch(/^lowest BIC over K = 2\.\.\d/);
    for (const r of lca.k_selection) {
      for (const key of ["bic", "aic", "sabic", "entropy", "log_likelihood"] as const) expect(r[key], key).toBeTypeOf("number");
      expect(must(r.stability).draws).toBe(20);
    }
    expect(lca.clusters.every((c) => must(c.class_share) > 0 && must(c.mean_probability) > 0.9)).toBe(true);
    expect(must(lca.comparison).map((c) => c.method)).toEqual(["lca", "kmeans", "kprototypes"]);
    const db = await Db.open();
    try {
      const path = quoteString(join(dir.lca, "prepared.parquet"));
      const [row] = await db.query(
        `SELECT count(*)::INTEGER AS n, count(_cluster)::INTEGER AS assigned, min(_cluster_probability) AS lo, max(_cluster_probability) AS hi FROM read_parquet(${path})`,
      );
      expect(row.assigned).toBe(1054);
      expect(Number(row.lo)).toBeGreaterThan(1 / 3);
      expect(Number(row.hi)).toBeLessThanOrEqual(1);
    } finally {
      await db.close();
    }
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
    expect(areas.matched + unmatched.reduce((s, u) => s + (u.rows ?? Number.NaN), 0)).toBe(22281 - 1357);
    expect(res.warnings.some((w) => w.code === "segments.unmatched_areas")).toBe(true);
  });
});
