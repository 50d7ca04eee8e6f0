import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RiskResults } from "../../src/results/types.js";
import { defined } from "../checks.js";
import { cli, SKIP_DATA } from "./helpers.js";

const DATA = "../shared/data/lmpd-assaulted-officers";

describe.skipIf(SKIP_DATA)("openbeat run examples/lmpd-officer-assaults.yaml (real LMPD data)", () => {
  const out = join(mkdtempSync(join(tmpdir(), "ob-lmpd-")), "lmpd");
  let results: RiskResults;
  let stdout = "";

  beforeAll(async () => {
    const r = await cli(["run", "examples/lmpd-officer-assaults.yaml", "--data", DATA, "--out", out]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    stdout = r.stdout;
    results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as RiskResults;
  });

  it("reproduces the join facts: 954 officer incidents since 2019, 32,769 joined rows, 12 dropped for a missing premise", () => {
    expect(results.data.table_rows).toBe(32769);
    expect(results.data.positives).toBe(954);
    expect(results.data.dropped).toEqual({ "missing PREMISE_TYPE": 12 });
    expect(results.data.rows).toBe(32757);
    expect(results.data.inputs.map((i) => [i.name, i.rows])).toEqual([
      ["officers", 5393],
      ["crimes", 32608],
    ]);
    expect(results.data.inputs[1].sha256).toBe("9f1a043621ea9809a2bda2efbf6686fba397af55e6d7ef9f3d9ac8225b325953");
  });

  it("states the key findings: HIGHWAY / ROAD / ALLEY about 11.4% of 3,964 and MENACING about 32% of 870", () => {
    const road = defined(
      results.findings.find((f) => f.by === "PREMISE_TYPE" && f.value === "HIGHWAY / ROAD / ALLEY"),
      "the HIGHWAY / ROAD / ALLEY finding",
    );
    expect(road.count).toBe(3964);
    expect(road.rate).toBeCloseTo(0.1135, 3);
    expect(road.ci95[0]).toBeLessThan(road.rate);
    expect(road.ci95[1]).toBeGreaterThan(road.rate);
    const menacing = defined(
      results.findings.find((f) => f.by === "UOR_DESC" && f.value === "MENACING"),
      "the MENACING finding",
    );
    expect(menacing.count).toBe(870);
    expect(menacing.rate).toBeCloseTo(0.3195, 3);
    expect(results.findings.every((f) => f.count >= 30)).toBe(true);
  });

  it("reaches the reference pipeline's metrics with SMOTE inside 5 stratified folds", () => {
    const m = results.metrics;
    expect(results.validation).toMatchObject({ method: "stratified_kfold", folds: 5, resample: "smote" });
    expect(m.balanced_accuracy.mean).toBeGreaterThan(0.87);
    expect(m.balanced_accuracy.mean).toBeLessThan(0.91);
    expect(m.precision.mean).toBeGreaterThan(0.24);
    expect(m.precision.mean).toBeLessThan(0.3);
    expect(m.roc_auc.mean).toBeGreaterThan(0.93);
    expect(m.balanced_accuracy.folds).toHaveLength(5);
    const [[tn, fp], [fn, tp]] = m.confusion_matrix;
    expect(tn + fp + fn + tp).toBe(32757);
    expect(fn + tp).toBe(954);
    expect(m.classification_report["1"].sup).toBe(954);
  });

  it("warns about label leakage through the officer-specific offense codes", () => {
    const leaks = results.warnings.filter((w) => w.code === "risk.leakage");
    const values = leaks.map((w) => w.value);
    expect(values).toContain("ASSAULT-3RD DEGREE-POLICE/PROBATION OFFICER-IDENTIFY WEAPON");
    expect(values).toContain("WANTON ENDANGERMENT-1ST DEGREE-POLICE OFFICER");
    const w = defined(
      leaks.find((x) => x.value === "ASSAULT-3RD DEGREE-POLICE/PROBATION OFFICER-IDENTIFY WEAPON"),
      "the leakage warning for ASSAULT-3RD DEGREE-POLICE/PROBATION OFFICER-IDENTIFY WEAPON",
    );
    expect(w.count).toBe(167);
    expect(w.rate).toBeCloseTo(0.934, 3);
  });

  it("ranks factors with odds ratios and 95% intervals", () => {
    expect(results.factors.length).toBe(results.data.features);
    for (let i = 1; i < results.factors.length; ++i)
      expect(results.factors[i - 1].coefficient).toBeGreaterThanOrEqual(results.factors[i].coefficient);
    for (const f of results.factors) {
      expect(f.odds_ratio).toBeCloseTo(Math.exp(f.coefficient), 4);
      expect(f.ci95[0]).toBeLessThanOrEqual(f.odds_ratio);
      expect(f.ci95[1]).toBeGreaterThanOrEqual(f.odds_ratio);
    }
  });

  it("writes the results folder and a summary that says where it went", () => {
    for (const f of ["results.json", "model.json", "manifest.json", "features.parquet", "prepared.parquet", "report.html"])
      expect(existsSync(join(out, f))).toBe(true);
    expect(stdout).toMatch(/balanced accuracy 0\.\d{3}/);
    expect(stdout).toContain(`results: ${out}/`);
    expect(readdirSync(join(out, "..")).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("openbeat score applies the model to new records, counting unseen categories", async () => {
    const csv = join(out, "..", "new.csv");
    writeFileSync(
      csv,
      "INCIDENT_NUMBER,UOR_DESC,PREMISE_TYPE\nA-1,MENACING,HIGHWAY / ROAD / ALLEY\nA-2,HARASSMENT (NO PHYSICAL CONTACT),RESIDENCE / HOME\nA-3,SOMETHING NEW,RESIDENCE / HOME\n",
    );
    const r = await cli(["score", join(out, "model.json"), csv]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("INCIDENT_NUMBER,score,flag");
    expect(lines).toHaveLength(4);
    const scores = lines.slice(1).map((l) => Number(l.split(",")[1]));
    expect(scores[0]).toBeGreaterThan(scores[1]);
    expect(r.stderr).toMatch(/1 rows have a UOR_DESC value the model never saw/);
  });

  it("openbeat score with a missing column is a one-line user error", async () => {
    const csv = join(out, "..", "bad.csv");
    writeFileSync(csv, "INCIDENT_NUMBER,UOR_DESC\nA-1,MENACING\n");
    const r = await cli(["score", join(out, "model.json"), csv]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/missing column "PREMISE_TYPE"/);
  });
});

describe.skipIf(SKIP_DATA)("openbeat run examples/lmpd-officer-assaults-no-leak.yaml", () => {
  it("leaves out the officer-specific codes, so no officer code is flagged and fewer positives remain", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ob-lmpd-")), "noleak");
    const r = await cli(["run", "examples/lmpd-officer-assaults-no-leak.yaml", "--data", DATA, "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as RiskResults;
    const leaks = results.warnings.filter((w) => w.code === "risk.leakage").map((w) => String(w.value));
    expect(leaks.some((v) => /POLICE|PEACE OFFICER/.test(v))).toBe(false);
    expect(results.data.positives).toBeLessThan(954);
    expect(results.factors.some((f) => /POLICE|PEACE OFFICER/.test(f.feature))).toBe(false);
    expect(results.metrics.roc_auc.mean).toBeGreaterThan(0.8);
  });
});
