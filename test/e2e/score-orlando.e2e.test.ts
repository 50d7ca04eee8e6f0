import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { readModel, type RiskModelFile } from "../../src/studies/risk/model-file.js";
import { scoreFile } from "../../src/studies/risk/score.js";
import { runCli } from "../reliability/run-cli.js";
import { maxDiff, referenceScores } from "../reliability/score-reference.js";
import { exampleRun } from "./example-runs.js";
import { SKIP_DATA } from "./helpers.js";

/**
 * The Orlando example's own analysis rows, scored with its model.json, give the final model applied to its
 * features.parquet: yes/no force columns stay text (DuckDB would read them as booleans) and no level is unseen.
 */

let tmp: string;
let out: string;
let model: RiskModelFile;
let reference: Map<string, { raw: number; score: number }>;

beforeAll(async () => {
  if (SKIP_DATA) return;
  tmp = mkdtempSync(join(tmpdir(), "openbeat-orlando-score-"));
  // The e2e tier's shared run of the example (test/e2e/example-runs.ts): scoring only reads it.
  const r = await exampleRun("orlando");
  if (r.code !== 0) throw new Error(r.stderr);
  out = r.dir;
  model = await readModel(join(out, "model.json"));
  reference = await referenceScores(out, model);
  // The analysis rows as a CSV, as an analyst would export them for scoring.
  const db = await Db.open();
  try {
    await db.exec(
      `COPY (SELECT * EXCLUDE (_row, _score, _score_raw) FROM read_parquet(${quoteString(join(out, "prepared.parquet"))}) ORDER BY _row) TO ${quoteString(join(tmp, "rows.csv"))} (HEADER)`,
    );
  } finally {
    await db.close();
  }
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(SKIP_DATA)("openbeat score on the Orlando example's own rows", () => {
  it("a CSV of the analysis rows scores as the final model on features.parquet, to 1e-12, no level unseen", async () => {
    const r = await scoreFile(model, "model.json", join(tmp, "rows.csv"));
    expect(r.unseen).toEqual({});
    expect(r.ids.length).toBe(reference.size);
    const ref = (id: string) => reference.get(id) ?? { raw: NaN, score: NaN };
    expect(maxDiff(r.ids, r.raw, (id) => ref(id).raw)).toBeLessThan(1e-12);
    expect(maxDiff(r.ids, r.scores, (id) => ref(id).score)).toBeLessThan(1e-12);
    const flagged = r.flags.reduce((a, v) => a + v, 0);
    let expected = 0;
    for (const v of reference.values()) if (v.score >= model.threshold) ++expected;
    expect(flagged).toBe(expected);
  });

  it("prepared.parquet scores the same, read as Parquet", async () => {
    const r = await scoreFile(model, "model.json", join(out, "prepared.parquet"));
    expect(r.unseen).toEqual({});
    const ref = (id: string) => reference.get(id) ?? { raw: NaN, score: NaN };
    expect(maxDiff(r.ids, r.raw, (id) => ref(id).raw)).toBeLessThan(1e-12);
  });

  it("openbeat score prints the same scores", async () => {
    const r = await runCli(["score", join(out, "model.json"), join(tmp, "rows.csv")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/never saw/);
    let d = 0;
    for (const line of r.stdout.trim().split("\n").slice(1)) {
      const [id, , raw] = line.split(",");
      d = Math.max(d, Math.abs(Number(raw) - (reference.get(id)?.raw ?? NaN)));
    }
    expect(d).toBeLessThan(1e-12);
  });
});
