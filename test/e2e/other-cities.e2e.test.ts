import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RiskResults, SegmentsResults } from "../../src/results/types.js";
import { exampleRun } from "./example-runs.js";
import { must, SKIP_DATA } from "./helpers.js";

// The examples' runs are the e2e tier's shared ones (test/e2e/example-runs.ts).
describe.skipIf(SKIP_DATA)("a study file alone adapts openbeat to other cities", () => {
  it("Orlando: officer battered in use-of-force incidents (risk)", async () => {
    const r = await exampleRun("orlando");
    const out = r.dir;
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as RiskResults;
    expect(res.data.table_rows).toBe(5584); // 5,656 incidents less 72 exact repeats (the 73 duplicate rows of PROVENANCE.md include the repeated header)
    expect(res.data.positives).toBeGreaterThan(850);
    expect(res.data.positives).toBeLessThan(936);
    expect(res.warnings.some((w) => w.code === "csv.repeated_header")).toBe(true);
    expect(res.metrics.roc_auc.mean).toBeGreaterThan(0.55);
    expect(res.findings.some((f) => f.by === "physical_strikes")).toBe(true);
    // calibrated risk (prior shift from SMOTE's 50%) within 10% of the observed rate; the raw scores are twice it
    const cal = res.metrics.calibration;
    expect(Math.abs(cal.mean_predicted / cal.observed_rate - 1)).toBeLessThan(0.1);
    expect(cal.raw.mean_predicted / cal.observed_rate).toBeGreaterThan(1.5);
    // yes/no force types are reference-coded against their most frequent level, with a likelihood-ratio test each
    const strikes = res.inference.variables.find((v) => v.column === "physical_strikes");
    expect(strikes).toMatchObject({ reference: "no", df: 1 });
    expect(res.factors.find((f) => f.feature === "physical_strikes=yes")?.reference).toBe("no");
    // a subject race of MULTIPLE is exactly two or more subjects: aliased, reported, not estimated
    expect(res.inference.aliased.map((a) => a.feature)).toContain("subject_race=MULTIPLE");
    expect(res.factors.find((f) => f.feature === "subject_race=MULTIPLE")?.status).toBe("aliased");
    expect(res.warnings.some((w) => w.code === "risk.aliased")).toBe(true);
  }, 900_000);

  // The segments run tests its structure, repeats the choice of k with five seeds and fits latent classes: about
  // 35 s of CPU here, so the limit leaves room for a machine several times slower.
  it("Philadelphia: shooting victim segments (segments)", { timeout: 900_000 }, async () => {
    const r = await exampleRun("philadelphia");
    const out = r.dir;
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as SegmentsResults;
    expect(res.data.table_rows).toBeGreaterThan(2000);
    expect(res.data.table_rows).toBeLessThan(2262);
    expect(res.clusters.length).toBe(res.k);
    expect(res.dashboard.points).toEqual({ lat: "lat", lon: "lng" });
    // Structure beyond shuffled data, but modest: the best excess (k = 3) is 0.076 with z 2.4, short of clear.
    expect(must(res.structure).verdict).toBe("weak");
    expect(must(res.structure).null.per_k).toHaveLength(9);
    expect(res.k).toBe(5);
    expect(res.k_choice.unanimous).toBe(true);
    expect(res.k_choice.seeds).toHaveLength(5);
    expect(res.k_selection.every((r) => r.stability !== null && r.starts !== undefined)).toBe(true);
    expect(res.variance_shares).toHaveLength(8);
    expect(must(res.comparison).map((c) => c.method)).toEqual(["kmeans", "kprototypes", "lca"]);
    expect(must(res.lca).k).toBe(3);
  });
});
