import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModel, type RiskModelFile } from "../../src/studies/risk/model-file.js";
import { scoreFile } from "../../src/studies/risk/score.js";
import { runCli } from "./run-cli.js";
import { maxDiff, referenceScores } from "./score-reference.js";

/**
 * `openbeat score` on a study's own training rows gives, row for row, the final model applied to features.parquet:
 * the input is read with the trained column types (a yes/no column stays text, a code written 07 is read as the
 * number it was in training), rows are labelled by id or by their place in the file (never DuckDB's rowid, which a
 * RowID column hides), and no level is unseen.
 */

const STUDY = "test/fixtures/bad/studies/score-types.yaml";

/** A small linear congruential generator, so the data are the same on every machine. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 240 rows whose columns DuckDB's sniffer would type as BOOLEAN, BIGINT or VARCHAR; ids in shuffled file order. */
function syntheticCsv(): string {
  const r = lcg(5);
  const offenses = ["ASSAULT", "=cmd|' /C calc'!A0", "BURGLARY", "@SUM(A1)", "THEFT"];
  const lines = ["ID,RowID,FLAG,ARMED,DIVISION,SHIFT,OFFENSE,AGE,hit"];
  for (let i = 0; i < 240; ++i) {
    const flag = r() < 0.4 ? "yes" : "no";
    const armed = r() < 0.3 ? "true" : "false";
    const division = `0${1 + Math.floor(r() * 6)}`;
    const shift = String(1 + Math.floor(r() * 3));
    const offense = offenses[Math.floor(r() * offenses.length)];
    const age = (18 + r() * 50).toFixed(3);
    const z = -1.2 + (flag === "yes" ? 1.1 : 0) + (armed === "true" ? 0.8 : 0) + (division === "03" ? 0.7 : 0) + (Number(age) - 40) / 30;
    const hit = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    // Ids that a spreadsheet would read as formulas, for the CSV escaping check.
    const id = i % 50 === 7 ? `-${i}` : i % 50 === 9 ? `+${i}` : `C-${String(1000 + i)}`;
    const cell = offense.includes(",") || offense.includes('"') ? `"${offense.replaceAll('"', '""')}"` : offense;
    lines.push([id, String(240 - i), flag, armed, division, shift, cell, age, String(hit)].join(","));
  }
  return lines.join("\n") + "\n";
}

let tmp: string;
let out: string;
let csvPath: string;
let model: RiskModelFile;
let reference: Map<string, { raw: number; score: number }>;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-score-"));
  csvPath = join(tmp, "data", "incidents.csv");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(tmp, "data"));
  writeFileSync(csvPath, syntheticCsv());
  out = join(tmp, "out");
  const r = await runCli(["run", STUDY, "--data", join(tmp, "data"), "--out", out, "--quiet"]);
  if (r.code !== 0) throw new Error(r.stderr);
  model = await readModel(join(out, "model.json"));
  reference = await referenceScores(out, model);
}, 120_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("openbeat score on the training rows", () => {
  it("the model records the trained column types (yes/no forced to text, BOOLEAN and BIGINT as DuckDB guessed them)", () => {
    expect(model.input_types).toMatchObject({ FLAG: "VARCHAR", ARMED: "BOOLEAN", DIVISION: "VARCHAR", SHIFT: "BIGINT", AGE: "DOUBLE" });
    const levels = (c: string) => model.encoder.categorical.find((x) => x.column === c)?.levels;
    expect(levels("FLAG")).toEqual(["no", "yes"]);
    expect(levels("ARMED")).toEqual(["false", "true"]);
    expect(levels("DIVISION")).toEqual(["01", "02", "03", "04", "05", "06"]);
  });

  it("scoreFile(model, csv) equals the final model applied to features.parquet, to 1e-12, with no unseen level", async () => {
    const r = await scoreFile(model, "model.json", csvPath);
    expect(r.unseen).toEqual({});
    expect(r.idColumn).toBe("ID");
    expect(r.ids.length).toBe(240);
    expect(new Set(r.ids)).toEqual(new Set(reference.keys()));
    const ref = (id: string) => reference.get(id) ?? { raw: NaN, score: NaN };
    expect(maxDiff(r.ids, r.raw, (id) => ref(id).raw)).toBeLessThan(1e-12);
    expect(maxDiff(r.ids, r.scores, (id) => ref(id).score)).toBeLessThan(1e-12);
  });

  it("scoreFile(model, prepared.parquet) reads the Parquet file as Parquet and gives the same scores", async () => {
    const r = await scoreFile(model, "model.json", join(out, "prepared.parquet"));
    expect(r.unseen).toEqual({});
    const ref = (id: string) => reference.get(id) ?? { raw: NaN, score: NaN };
    expect(r.ids.length).toBe(240);
    expect(maxDiff(r.ids, r.raw, (id) => ref(id).raw)).toBeLessThan(1e-12);
  });

  it("rows are labelled by their place in the file when the model has no id, whatever the RowID column holds", async () => {
    const anonymous = { ...model, id: null };
    const r = await scoreFile(anonymous, "model.json", csvPath);
    expect(r.idColumn).toBeNull();
    expect(r.ids.slice(0, 3)).toEqual(["1", "2", "3"]);
    const fileIds = readFileSync(csvPath, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",")[0]);
    const byPosition = (label: string) => reference.get(fileIds[Number(label) - 1])?.raw ?? NaN;
    expect(maxDiff(r.ids, r.raw, byPosition)).toBeLessThan(1e-12);
  });

  it("openbeat score prints every score at full precision and escapes cells a spreadsheet would run as formulas", async () => {
    const r = await runCli(["score", join(out, "model.json"), csvPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/never saw/);
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toBe("ID,score,score_raw,flag");
    expect(rows).toContain(rows.find((l) => l.startsWith("'-7,")));
    expect(rows.some((l) => l.startsWith("'+9,"))).toBe(true);
    expect(rows.slice(1).every((l) => !/^[=+\-@]/.test(l))).toBe(true);
    let d = 0;
    for (const line of rows.slice(1)) {
      const [id, score, raw] = line.split(",");
      const ref = reference.get(id.replace(/^'/, ""));
      d = Math.max(d, Math.abs(Number(raw) - (ref?.raw ?? NaN)), Math.abs(Number(score) - (ref?.score ?? NaN)));
    }
    expect(d).toBeLessThan(1e-12);
  });
});
