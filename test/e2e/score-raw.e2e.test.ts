import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { readModel, type RiskModelFile } from "../../src/studies/risk/model-file.js";
import { ensureDist, spawnCli } from "../reliability/run-cli.js";
import { referenceScores } from "../reliability/score-reference.js";
import { exampleRun } from "./example-runs.js";
import { SKIP_DATA } from "./helpers.js";

/**
 * The LMPD example's raw exports, as downloaded, scored by the built binary with `--raw`: the study's own loading and
 * prepare SQL (recorded in the results folder) make the same rows, and every row that entered the model scores as
 * the run's final model scored it (features.parquet under model.json), to 1e-12.
 */

const DATA = "../shared/data/lmpd-assaulted-officers";
let tmp: string;
let out: string;
let model: RiskModelFile;

beforeAll(async () => {
  if (SKIP_DATA) return;
  ensureDist();
  tmp = mkdtempSync(join(tmpdir(), "openbeat-score-raw-e2e-"));
  // The e2e tier's shared run of the example (test/e2e/example-runs.ts): scoring only reads it.
  const r = await exampleRun("lmpd");
  if (r.code !== 0) throw new Error(r.stderr);
  out = r.dir;
  model = await readModel(join(out, "model.json"));
}, 900_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(SKIP_DATA)("openbeat score --raw on the LMPD exports the example ran on", () => {
  it("scores every analysis row; the rows in the model equal the run's final-model scores to 1e-12", async () => {
    const scores = join(tmp, "scores.csv");
    const r = await spawnCli([
      "score",
      out,
      "--source",
      `officers=${join(DATA, "AssaultedOfficerData.csv")}`,
      "--source",
      `crimes=${join(DATA, "Crime.csv")}`,
      "--out",
      scores,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [head, ...body] = readFileSync(scores, "utf8").trim().split("\n");
    expect(head).toBe("INCIDENT_NUMBER,score,score_raw,flag");
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      data: { rows: number; table_rows: number; dropped: Record<string, number | null> };
    };
    expect(body.length).toBe(results.data.table_rows);
    const ref = await referenceScores(out, model);
    expect(ref.size).toBe(results.data.rows);
    const got = new Map<string, { raw: number; score: number }[]>();
    for (const line of body) {
      const [id, score, raw] = line.split(",");
      got.set(id, [...(got.get(id) ?? []), { raw: Number(raw), score: Number(score) }]);
    }
    let dRaw = 0;
    let dScore = 0;
    let absent = 0;
    for (const [id, v] of ref) {
      const g = got.get(id);
      if (!g) ++absent;
      for (const x of g ?? []) {
        dRaw = Math.max(dRaw, Math.abs(x.raw - v.raw));
        dScore = Math.max(dScore, Math.abs(x.score - v.score));
      }
    }
    expect(absent).toBe(0);
    expect(dRaw).toBeLessThan(1e-12);
    expect(dScore).toBeLessThan(1e-12);
    // The rows the run dropped (label window, missing premise) are scored and reported with the run's counts.
    for (const [reason, count] of Object.entries(results.data.dropped)) {
      expect(count).not.toBeNull();
      expect(r.stderr).toContain(`${String(count?.toLocaleString("en-US"))} rows the study would leave out (${reason})`);
    }
    expect(r.stderr).not.toMatch(/never saw/);
  });
});

const ORLANDO = "../shared/data/orlando-response-to-resistance";
let orlando: string;

describe.skipIf(SKIP_DATA)("openbeat score --raw on the Orlando export without its label column", () => {
  beforeAll(async () => {
    const r = await exampleRun("orlando");
    if (r.code !== 0) throw new Error(r.stderr);
    orlando = r.dir;
  }, 900_000);

  it("reads the missing label as empty and scores every row as the run's final model did, to 1e-12", async () => {
    // The export as it would come before its outcomes are known: every column but "Officer Battered", as text.
    const unlabelled = join(tmp, "OPD_unlabelled.csv");
    const db = await Db.open();
    try {
      await db.exec(
        `COPY (SELECT * EXCLUDE ("Officer Battered") FROM read_csv(${quoteString(join(ORLANDO, "OPD_Response_To_Resistance.csv"))}, all_varchar = true)) TO ${quoteString(unlabelled)} (HEADER)`,
      );
    } finally {
      await db.close();
    }
    const r = await spawnCli(["score", orlando, "--raw", unlabelled]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('has no column "Officer Battered"; it feeds only columns that scoring does not read');
    const ref = await referenceScores(orlando, await readModel(join(orlando, "model.json")));
    const body = r.stdout.trim().split("\n").slice(1);
    expect(body.length).toBe(ref.size);
    let d = 0;
    for (const line of body) {
      const [id, score, raw] = line.split(",");
      const v = ref.get(id);
      d = Math.max(d, Math.abs(Number(raw) - (v?.raw ?? NaN)), Math.abs(Number(score) - (v?.score ?? NaN)));
    }
    expect(d).toBeLessThan(1e-12);
  });
});
