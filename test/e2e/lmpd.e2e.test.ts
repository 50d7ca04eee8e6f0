import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import type { RiskResults } from "../../src/results/types.js";
import { exampleRun } from "./example-runs.js";
import { cli, SKIP_DATA } from "./helpers.js";

const DATA = "../shared/data/lmpd-assaulted-officers";
/** A run of the LMPD study takes about 15 s of CPU here; the CI machine can be 5× slower and shares its cores. */
const RUN_TIMEOUT = 900_000;

/** The value, or a failed test naming what was missing. */
function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing: ${what}`);
  return value;
}

/** The results and output of a run of the CLI, checked for a clean exit. */
function checked(
  r: { code: number; stdout: string; stderr: string },
  out: string,
): { results: RiskResults; stdout: string; stderr: string } {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code, r.stderr).toBe(0);
  return { results: JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as RiskResults, stdout: r.stdout, stderr: r.stderr };
}

async function run(study: string, out: string): Promise<{ results: RiskResults; stdout: string; stderr: string }> {
  return checked(await cli(["run", study, "--data", DATA, "--out", out]), out);
}

/** The e2e tier's shared run of an example (test/e2e/example-runs.ts), checked as {@link run} checks its own. */
async function shared(name: "lmpd" | "lmpd-no-leak"): Promise<{ out: string; results: RiskResults; stdout: string; stderr: string }> {
  const r = await exampleRun(name);
  return { out: r.dir, ...checked(r, r.dir) };
}

describe.skipIf(SKIP_DATA)("openbeat run examples/lmpd-officer-assaults.yaml (real LMPD data)", () => {
  let out = "";
  let results: RiskResults;
  let stdout = "";
  /** Files this file writes (the shared run's folder is only read). */
  const tmp = mkdtempSync(join(tmpdir(), "ob-lmpd-"));

  beforeAll(async () => {
    ({ out, results, stdout } = await shared("lmpd"));
  }, RUN_TIMEOUT);

  it("reproduces the join facts and leaves out the rows outside the officer export's window: 32,327 of 32,769", () => {
    expect(results.data.table_rows).toBe(32769);
    expect(results.data.positives).toBe(954);
    // The officer step keeps incidents from 2019-01-01, and the export ends on 2021-09-01: reports outside that
    // window cannot be labelled 1 (126 + 304 rows), and 12 have no premise.
    expect(results.data.dropped).toEqual({
      "dated before 2019-01-01 (label.censor_before)": 126,
      "dated after 2021-09-01 (label.censor_after)": 304,
      "missing PREMISE_TYPE": 12,
    });
    expect(results.data.rows).toBe(32327);
    expect(results.label).toMatchObject({
      censor_before: "2019-01-01",
      censor_after: "2021-09-01",
      censored_before: 126,
      censored_after: 304,
      // One undated row: below min_cell, so published as null (docs/disclosure.md).
      undated: null,
      suppressed: ["undated"],
    });
    expect(results.data.inputs.map((i) => [i.name, i.rows])).toEqual([
      ["officers", 5393],
      ["crimes", 32608],
    ]);
    expect(results.data.inputs[1].sha256).toBe("9f1a043621ea9809a2bda2efbf6686fba397af55e6d7ef9f3d9ac8225b325953");
  });

  it("reports the label's construction problems: 161 of 954 positives with no crime report, a rate drifting from 4.4% to 1.6%", () => {
    expect(results.label.checks).toEqual([
      { name: "officer incident with no crime report", where: "no_crime_report", rows: 161, positives: 161, negatives: 0 },
    ]);
    const d = must(results.label.drift, "drift");
    expect(d.first).toMatchObject({ period: "2019-Q1", positives: 111 });
    expect(d.first?.rate).toBeCloseTo(0.0436, 3);
    expect(d.last).toMatchObject({ period: "2021-Q3", positives: 37 });
    expect(d.last?.rate).toBeCloseTo(0.0158, 3);
    expect(d.drifts).toBe(true);
    const codes = results.warnings.map((w) => w.code);
    expect(codes).toContain("risk.label_drift");
    expect(codes).toContain("risk.label_check");
  });

  it("states the key findings with q-values: HIGHWAY / ROAD / ALLEY about 11.4% of 3,931 and MENACING about 32% of 865", () => {
    const road = must(
      results.findings.find((f) => f.by === "PREMISE_TYPE" && f.value === "HIGHWAY / ROAD / ALLEY"),
      "road",
    );
    expect(road.count).toBe(3931);
    expect(road.rate).toBeCloseTo(0.1145, 3);
    expect(road.ci95?.[0]).toBeLessThan(road.rate ?? Number.NaN);
    expect(road.ci95?.[1]).toBeGreaterThan(road.rate ?? Number.NaN);
    expect(road.q_value).toBeLessThan(1e-100);
    const menacing = must(
      results.findings.find((f) => f.by === "UOR_DESC" && f.value === "MENACING"),
      "menacing",
    );
    expect(menacing.count).toBe(865);
    expect(menacing.rate).toBeCloseTo(0.3214, 3);
    expect(
      results.findings.every(
        (f) =>
          f.count === null || (f.count >= 30 && (f.q_value === null || (f.p_value !== null && f.q_value >= f.p_value && f.q_value <= 1))),
      ),
    ).toBe(true);
    expect(results.multiple_testing).toMatchObject({ test: "fisher_exact", adjust: "bh", tested: results.findings.length, alpha: 0.05 });
    // "highest rates" lists only groups above the base rate
    const listed = stdout
      .slice(stdout.indexOf("highest rates"))
      .split("\n")
      .slice(1)
      .filter((l) => l.includes("× the base rate"));
    expect(listed.length).toBeGreaterThan(0);
    for (const l of listed) expect(Number(/, ([\d.]+)× the base rate/.exec(l)?.[1])).toBeGreaterThan(1);
    expect(stdout).toContain(`${results.findings.length} groups tested against the rest`);
  });

  it("replays the SMOTE pipeline (5 stratified folds, 0.5 on the SMOTE scores) and reports its calibrated risk", () => {
    const m = results.metrics;
    expect(results.validation).toMatchObject({ method: "stratified_kfold", folds: 5, resample: "smote", calibration: "prior_shift" });
    const balanced = must(m.balanced_accuracy, "balanced accuracy");
    const precision = must(m.precision, "precision");
    expect(balanced.mean).toBeGreaterThan(0.87);
    expect(balanced.mean).toBeLessThan(0.91);
    expect(precision.mean).toBeGreaterThan(0.24);
    expect(precision.mean).toBeLessThan(0.3);
    expect(m.roc_auc.mean).toBeGreaterThan(0.93);
    expect(balanced.folds).toHaveLength(5);
    const [[tn, fp], [fn, tp]] = m.confusion_matrix.map((row) => row.map((x) => x ?? Number.NaN));
    expect(tn + fp + fn + tp).toBe(32327);
    expect(fn + tp).toBe(954);
    expect(m.classification_report["1"].sup).toBe(954);
    // The balanced cost rule flags records at the base rate: 0.5 on the SMOTE-trained raw scores.
    expect(results.threshold_rule).toMatchObject({ method: "cost", balanced: true });
    expect(results.threshold).toBeCloseTo(results.base_rate, 4);
    const cal = m.calibration;
    expect(Math.abs(cal.mean_predicted / cal.observed_rate - 1)).toBeLessThan(0.1);
    expect(cal.raw.mean_predicted / cal.observed_rate).toBeGreaterThan(3);
    expect(cal.curve.reduce((s, b) => s + b.n, 0)).toBe(32327);
    expect(results.resampling_comparison.map((r) => [r.resample, r.chosen])).toEqual([
      ["smote", true],
      ["none", false],
      ["class_weight", false],
    ]);
  });

  it("writes calibrated out-of-fold risk as _score and the raw score as _score_raw in prepared.parquet", async () => {
    const db = await Db.open();
    try {
      const [r] = await db.query(
        `SELECT avg(_score)::DOUBLE AS cal, avg(_score_raw)::DOUBLE AS raw, avg(officer_assaulted)::DOUBLE AS obs, count(_score)::INTEGER AS n
         FROM read_parquet(${quoteString(join(out, "prepared.parquet"))}) WHERE _score IS NOT NULL`,
      );
      expect(r.n).toBe(32327);
      expect(Math.abs(Number(r.cal) / Number(r.obs) - 1)).toBeLessThan(0.1);
      expect(Number(r.raw)).toBeGreaterThan(3 * Number(r.obs));
    } finally {
      await db.close();
    }
  });

  it("flags every officer-victim code as leakage, the tiny ones too, without printing counts below 10", () => {
    const leaks = results.warnings.filter((w) => w.code === "risk.leakage");
    const values = leaks.map((w) => w.value);
    for (const v of [
      "ASSAULT-3RD DEGREE-POLICE/PROBATION OFFICER-IDENTIFY WEAPON",
      "WANTON ENDANGERMENT-1ST DEGREE-POLICE OFFICER",
      "OBSTRUCTING GOVERNMENTAL OPERATIONS",
      "ASSAULT - 1ST DEGREE - POLICE OFFICER",
      "DISARMING A PEACE OFFICER",
      "MURDER - POLICE OFFICER ATTEMPTED",
      "ASSAULT - 2ND DEGREE - POLICE OFFICER",
    ])
      expect(values).toContain(v);
    expect(values).not.toContain("MENACING");
    const w = must(
      leaks.find((x) => x.value === "ASSAULT-3RD DEGREE-POLICE/PROBATION OFFICER-IDENTIFY WEAPON"),
      "leak",
    );
    expect(w.count).toBe(167);
    expect(w.rate).toBeCloseTo(0.934, 3);
    const tiny = must(
      leaks.find((x) => x.value === "ASSAULT - 1ST DEGREE - POLICE OFFICER"),
      "tiny leak",
    );
    expect(tiny.message).toContain("all of its fewer than 10 rows");
    expect(tiny.message).not.toMatch(/\b3 of 3\b|\b3 rows\b/);
    expect(tiny.count).toBeNull();
    expect(w.message).toContain("risk.exclude_rows");
  });

  it("reports reference-coded Firth factors ranked by evidence, with each block's reference and both intercepts", () => {
    const inf = results.inference;
    expect(inf).toMatchObject({ method: "firth", intervals: "profile", converged: true });
    const premise = must(
      inf.variables.find((v) => v.column === "PREMISE_TYPE"),
      "premise",
    );
    expect(premise).toMatchObject({ reference: "RESIDENCE / HOME", reference_rule: "most_frequent" });
    expect(inf.variables.map((v) => v.rank).sort()).toEqual([1, 2]);
    for (const f of results.factors) expect(f.reference).toBe(inf.variables.find((v) => v.column === f.column)?.reference);
    // against RESIDENCE / HOME, other residences have higher odds (the penalized one-hot fit showed 0.59)
    const other = must(
      results.factors.find((f) => f.value === "OTHER RESIDENCE (APARTMENT/CONDO)"),
      "other residence",
    );
    expect(other.odds_ratio).toBeGreaterThan(1.3);
    expect(other.odds_ratio).toBeLessThan(1.7);
    for (const f of results.factors) {
      if (f.status !== "ranked") continue;
      expect(f.ci95[0]).toBeLessThanOrEqual(f.odds_ratio ?? NaN);
      expect(f.ci95[1]).toBeGreaterThanOrEqual(f.odds_ratio ?? NaN);
    }
    expect(results.factors.filter((f) => f.status === "below_min_cell").every((f) => f.rank === null)).toBe(true);
    const ranks = results.factors.filter((f) => f.rank !== null).map((f) => f.rank ?? 0);
    expect(ranks).toEqual(Array.from({ length: ranks.length }, (_, i) => i + 1));
    expect(inf.epv).toBeCloseTo(954 / 112, 3);
    expect(results.warnings.some((w) => w.code === "risk.low_epv")).toBe(true);
    expect(Number.isFinite(results.model.intercept)).toBe(true);
    expect(inf.intercept.coefficient).toBeLessThan(results.model.intercept);
  });

  it("writes the results folder, a TRIPOD report in the language of association, and a summary", () => {
    for (const f of ["results.json", "model.json", "manifest.json", "features.parquet", "prepared.parquet", "report.html"])
      expect(existsSync(join(out, f))).toBe(true);
    expect(stdout).toMatch(/balanced accuracy 0\.\d{3}/);
    expect(stdout).toMatch(/calibrated \(prior_shift\): mean risk 3\.0% vs observed 3\.0%/);
    expect(stdout).toContain(`results: ${out}/`);
    expect(readdirSync(join(out, "..")).filter((f) => f.includes(".tmp-"))).toEqual([]);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("Development and internal validation");
    expect(html).toContain('id="tripod"');
    for (const id of [
      "abstract",
      "eligibility",
      "outcome",
      "predictors",
      "sample-size",
      "missing",
      "methods",
      "performance",
      "model",
      "limitations",
      "appendix-sql",
    ])
      expect(html).toContain(`href="#${id}"`);
    expect(html).toContain('data-chart="calibration"');
    expect(html).toContain(`${results.findings.length} groups were tested`);
    expect(html).toContain("associated with");
    expect(html).not.toMatch(/raises the odds|1 = no effect|other things equal/i);
  });

  it("openbeat score writes calibrated risk and the raw score, counting unseen categories", async () => {
    const csv = join(tmp, "new.csv");
    writeFileSync(
      csv,
      "INCIDENT_NUMBER,UOR_DESC,PREMISE_TYPE\nA-1,MENACING,HIGHWAY / ROAD / ALLEY\nA-2,HARASSMENT (NO PHYSICAL CONTACT),RESIDENCE / HOME\nA-3,SOMETHING NEW,RESIDENCE / HOME\n",
    );
    const r = await cli(["score", join(out, "model.json"), csv]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("INCIDENT_NUMBER,score,score_raw,flag");
    expect(lines).toHaveLength(4);
    const scores = lines.slice(1).map((l) => Number(l.split(",")[1]));
    const raw = lines.slice(1).map((l) => Number(l.split(",")[2]));
    expect(scores[0]).toBeGreaterThan(scores[1]);
    for (let i = 0; i < 3; ++i) expect(scores[i]).toBeLessThan(raw[i]);
    expect(r.stderr).toMatch(/1 rows have a UOR_DESC value the model never saw/);
  });

  it("openbeat score with a missing column is a one-line user error", async () => {
    const csv = join(tmp, "bad.csv");
    writeFileSync(csv, "INCIDENT_NUMBER,UOR_DESC\nA-1,MENACING\n");
    const r = await cli(["score", join(out, "model.json"), csv]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/missing column "PREMISE_TYPE"/);
  });
});

describe.skipIf(SKIP_DATA)("the LMPD study with validation: temporal", () => {
  it(
    "runs: the undated report is counted and left out of the split, and the test set gets bootstrap intervals",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "ob-lmpd-temporal-"));
      const study = join(dir, "lmpd-temporal.yaml");
      const text = readFileSync("examples/lmpd-officer-assaults.yaml", "utf8").replace(
        "validation: { method: stratified_kfold, folds: 5 }",
        "validation: { method: temporal, column: DATE_OCCURED, test_from: 2021-01-01 }",
      );
      expect(text).toContain("method: temporal");
      writeFileSync(study, text);
      const { results } = await run(study, join(dir, "out"));
      // The one undated row is a count below min_cell: not published (the warning shows it as <10).
      expect(results.validation).toMatchObject({ method: "temporal", folds: 1, cut: "2021-01-01T00:00:00.000Z" });
      expect(results.validation.undated).toBeUndefined();
      expect((results.validation.train_rows ?? 0) + (results.validation.test_rows ?? 0)).toBe(results.data.rows - 1);
      const w = must(
        results.warnings.find((x) => x.code === "risk.temporal_undated"),
        "undated warning",
      );
      expect(w.rows).toBeNull();
      expect(w.message).toMatch(/^<10 row/);
      for (const k of ["roc_auc", "pr_auc", "balanced_accuracy", "precision", "recall", "f1"] as const) {
        const metric = must(results.metrics[k], k);
        const [lo, hi] = must(metric.ci95, `${k} interval`);
        expect(lo).toBeLessThanOrEqual(metric.mean);
        expect(hi).toBeGreaterThanOrEqual(metric.mean);
        expect(hi).toBeGreaterThan(lo);
      }
      expect(results.metrics.roc_auc.mean).toBeGreaterThan(0.9);
      expect(results.metrics.brier_ci95).toBeDefined();
    },
    RUN_TIMEOUT,
  );
});

describe.skipIf(SKIP_DATA)("openbeat run examples/lmpd-officer-assaults-no-leak.yaml", () => {
  it(
    "leaves out every code the detector flags, so nothing is flagged, and its calibrated risk matches the observed rate",
    async () => {
      const { results } = await shared("lmpd-no-leak");
      expect(results.warnings.filter((w) => w.code.includes("leak"))).toEqual([]);
      expect(results.data.positives).toBeLessThan(954);
      expect(results.data.dropped["UOR_DESC excluded by risk.exclude_rows"]).toBe(30);
      expect(results.factors.some((f) => /POLICE|PEACE OFFICER|OBSTRUCTING/.test(f.feature))).toBe(false);
      expect(results.metrics.roc_auc.mean).toBeGreaterThan(0.8);
      const cal = results.metrics.calibration;
      expect(Math.abs(cal.mean_predicted / cal.observed_rate - 1)).toBeLessThan(0.1);
    },
    RUN_TIMEOUT,
  );
});
