import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manifest, RiskResults, SegmentsResults } from "../../src/results/types.js";
import { ensureDist, lines, runCli, spawnCli, type CliResult } from "../reliability/run-cli.js";

/** The command line on good inputs: exit codes, output files and what a user reads on stdout and stderr. */

const BAD = "test/fixtures/bad";
const STUDY = `${BAD}/studies/risk.yaml`;
const DATA = `${BAD}/data/good`;
let tmp: string;

beforeAll(() => {
  ensureDist();
  tmp = mkdtempSync(join(tmpdir(), "openbeat-cli-"));
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("openbeat", () => {
  it("--version and --help exit 0", async () => {
    const v = await spawnCli(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await spawnCli(["--help"]);
    expect(h.code).toBe(0);
    for (const command of ["run", "score", "inspect", "serve"]) expect(h.stdout).toContain(command);
  });

  it("no command is a usage error (exit 1), not a crash", async () => {
    const r = await spawnCli(["frobnicate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^openbeat: .*frobnicate/);
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
  });
});

describe("openbeat run", () => {
  const out = () => join(tmp, "risk");
  let first: Awaited<ReturnType<typeof spawnCli>>;
  beforeAll(async () => {
    first = await spawnCli(["run", STUDY, "--data", DATA, "--out", out()]);
  }, 120_000);

  it("exits 0, prints progress on stderr and a summary naming the results folder on stdout", () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/loaded incidents: 90 rows/);
    expect(first.stdout).toContain(out());
    expect(first.stdout).toMatch(/balanced accuracy/);
  });

  it("writes the results folder and nothing beside it", () => {
    expect(readdirSync(out()).sort()).toEqual(
      expect.arrayContaining(["features.parquet", "manifest.json", "model.json", "prepared.parquet", "report.html", "results.json"]),
    );
    expect(readdirSync(tmp).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("results.json follows the contract", () => {
    const r = JSON.parse(readFileSync(join(out(), "results.json"), "utf8")) as RiskResults;
    expect(r).toMatchObject({ study: "risk", name: "reliability base risk study", seed: 7 });
    expect(r.data).toMatchObject({ rows: 90, positives: 23 });
    expect(r.validation).toMatchObject({ method: "stratified_kfold", folds: 3, resample: "class_weight" });
    const cm = r.metrics.confusion_matrix.flat();
    // The metrics at the threshold are hidden exactly when a confusion cell is (they would give it back).
    const cellHidden = cm.some((x) => x === null);
    for (const m of ["balanced_accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc"] as const) {
      const v = r.metrics[m];
      if (cellHidden && m !== "roc_auc" && m !== "pr_auc") {
        expect(v).toBeNull();
        continue;
      }
      expect(v?.mean).toBeGreaterThanOrEqual(0);
      expect(v?.mean).toBeLessThanOrEqual(1);
    }
    // Hidden cells (null) come in pairs whose sum is at least min_cell; the published ones add up to at most the rows.
    expect(cm.reduce<number>((a, b) => a + (b ?? 0), 0)).toBeLessThanOrEqual(90);
    expect(Array.isArray(r.warnings)).toBe(true);
    // factors: ranked by evidence, each naming its column's reference level; calibration and q-values present
    const ranks = r.factors.filter((f) => f.rank !== null).map((f) => f.rank ?? 0);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    for (const f of r.factors) expect(typeof f.reference === "string" || f.value === null).toBe(true);
    expect(r.metrics.calibration.curve.length).toBeGreaterThan(0);
    expect(r.findings.every((f) => f.q_value === null || (f.q_value >= 0 && f.q_value <= 1))).toBe(true);
  });

  it("the manifest records each input's sha256 as it is on disk", () => {
    const m = JSON.parse(readFileSync(join(out(), "manifest.json"), "utf8")) as Manifest;
    const sha = createHash("sha256")
      .update(readFileSync(join(DATA, "incidents.csv")))
      .digest("hex");
    expect(m.inputs).toEqual([expect.objectContaining({ name: "incidents", path: "incidents.csv", sha256: sha, rows: 90 })]);
    expect(m.seed).toBe(7);
    expect(m.study_text).toBe(readFileSync(STUDY, "utf8"));
  });

  it("--seed overrides the study file and replaces an existing results folder", async () => {
    const r = await spawnCli(["run", STUDY, "--data", DATA, "--out", out(), "--seed", "11", "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect((JSON.parse(readFileSync(join(out(), "results.json"), "utf8")) as RiskResults).seed).toBe(11);
    expect(readdirSync(tmp).filter((f) => f.includes(".tmp-") || f.endsWith(".old"))).toEqual([]);
  });

  it("runs a segments study", async () => {
    const seg = join(tmp, "segments");
    const r = await spawnCli(["run", `${BAD}/studies/segments.yaml`, "--data", `${BAD}/data/segments-small`, "--out", seg, "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(join(seg, "results.json"), "utf8")) as SegmentsResults;
    expect(res.study).toBe("segments");
    // Eight rows: every cluster is below min_cell, so every size is hidden.
    expect(res.clusters.every((c) => c.size === null || c.size === 8)).toBe(true);
  });
});

describe("openbeat score", () => {
  it("scores every row with the fitted model, to stdout or --out", async () => {
    const model = join(tmp, "risk", "model.json");
    if (!existsSync(model)) {
      const r = await spawnCli(["run", STUDY, "--data", DATA, "--out", join(tmp, "risk"), "--quiet"]);
      expect(r.code, r.stderr).toBe(0);
    }
    const r = await spawnCli(["score", model, `${DATA}/incidents.csv`]);
    expect(r.code, r.stderr).toBe(0);
    const rows = lines(r.stdout);
    expect(rows[0]).toBe("INCIDENT_NUMBER,score,score_raw,flag");
    expect(rows).toHaveLength(91);
    const { threshold } = JSON.parse(readFileSync(model, "utf8")) as { threshold: number };
    for (const row of rows.slice(1)) {
      const [, score, raw, flag] = row.split(",");
      expect(Number(score)).toBeGreaterThanOrEqual(0);
      expect(Number(score)).toBeLessThanOrEqual(1);
      expect(Number(raw)).toBeGreaterThanOrEqual(0);
      expect(flag).toBe(Number(score) >= threshold ? "1" : "0");
    }
    expect(r.stderr).toMatch(/scored 90 rows/);
    const file = join(tmp, "scores.csv");
    const w = await spawnCli(["score", model, `${DATA}/incidents.csv`, "--out", file]);
    expect(w.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(r.stdout);
  });
});

describe("openbeat inspect", () => {
  it("describes each column", async () => {
    const r = await spawnCli(["inspect", `${DATA}/incidents.csv`]);
    expect(r.code, r.stderr).toBe(0);
    for (const c of ["INCIDENT_NUMBER", "DATE_OCCURED", "OFFENSE", "PREMISE", "UNIT", "AGE", "officer_assaulted"])
      expect(r.stdout).toContain(c);
  });
});

const TIME = /\b\d+(?:\.\d+)? m?s\b/g;

describe("the in-process command line (runCli, which the unit tests use)", () => {
  it("prints exactly what the built binary prints, with the same exit code", async () => {
    const model = join(tmp, "risk", "model.json");
    if (!existsSync(model)) {
      const r = await spawnCli(["run", STUDY, "--data", DATA, "--out", join(tmp, "risk"), "--quiet"]);
      expect(r.code, r.stderr).toBe(0);
    }
    const cases = [
      ["--version"],
      ["--help"],
      ["run", "--help"],
      ["frobnicate"],
      ["run", STUDY, "--sed", "3"],
      ["run", STUDY, "--seed", "abc"],
      ["run", STUDY, "--data", `${BAD}/data/one-class`, "--out", join(tmp, "parity")],
      ["run", `${BAD}/studies/wrong-type.yaml`, "--out", join(tmp, "parity")],
      ["score", model, `${DATA}/incidents.csv`],
      ["score", model, `${BAD}/score/missing-column.csv`],
      ["inspect", `${DATA}/incidents.csv`],
    ];
    // Progress lines carry durations ("(39 ms)", "done in 1.2 s"): the rest must be the same to the byte.
    const untimed = (r: CliResult) => ({ ...r, stdout: r.stdout.replace(TIME, "<t>"), stderr: r.stderr.replace(TIME, "<t>") });
    for (const args of cases) {
      const child = await spawnCli(args);
      expect(untimed(await runCli(args)), args.join(" ")).toEqual(untimed(child));
    }
  });
});
