import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeSparse, fitEncoder, type FeatureInput } from "../../../src/features/encode.js";
import { fitInference } from "../../../src/studies/risk/inference.js";
import { readModel } from "../../../src/studies/risk/model-file.js";
import { scoreFile } from "../../../src/studies/risk/score.js";
import { factorsSchema } from "../../../src/studies/risk/spec.js";
import { isUserError } from "../../../src/util/errors.js";
import { createRng } from "../../../src/util/random.js";

/**
 * 2,000 rows: `race` is MULTIPLE exactly when `subjects` is 2 or 3+ (as in Orlando's export), `place` has a common
 * level and a rare one (6 rows), and the outcome depends on `place` and `subjects`.
 */
function design() {
  const rng = createRng(9);
  const n = 2000;
  const race: string[] = [];
  const subjects: string[] = [];
  const place: string[] = [];
  const y = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const s = rng.next() < 0.8 ? "1" : rng.next() < 0.6 ? "2" : "3+";
    subjects.push(s);
    race.push(s === "1" ? (rng.next() < 0.5 ? "B" : "W") : "MULTIPLE");
    place.push(i < 6 ? "ROOF" : rng.next() < 0.7 ? "HOME" : "STREET");
    const z = -2 + (place[i] === "STREET" ? 1.2 : 0) + (s === "1" ? 0 : 0.8);
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  const input: FeatureInput = { categorical: { race, subjects, place }, numeric: {} };
  const enc = fitEncoder(input);
  const { X } = encodeSparse(enc.encoder, input, enc.keep);
  return { enc, X, y };
}

describe("fitInference(encoder, X, y, options)", () => {
  const { enc, X, y } = design();
  const run = (spec: Record<string, unknown> = {}) =>
    fitInference(enc.encoder, X, y, { spec: factorsSchema.parse(spec), minCell: 10, where: "s.yaml" });

  it("reference-codes each column against its most frequent level and reports an aliased level instead of estimating it", () => {
    const r = run();
    expect(r.variables.map((v) => [v.column, v.reference])).toEqual(
      expect.arrayContaining([
        ["race", "B"],
        ["subjects", "1"],
        ["place", "HOME"],
      ]),
    );
    // race = MULTIPLE exactly when subjects is 2 or 3+: the later column of the dependency is left out, as R's glm
    expect(r.aliased).toHaveLength(1);
    expect(r.aliased[0].feature).toBe("subjects=3+");
    expect(r.aliased[0].combination).toBe("race=MULTIPLE − subjects=2");
    const w = r.factors.find((f) => f.feature === "subjects=3+");
    expect(w).toMatchObject({ status: "aliased", rank: null });
    expect(w?.coefficient).toBeNaN();
    expect(r.parameters).toBe(r.factors.length - 1);
  });

  it("ranks predictors by their likelihood-ratio test and keeps levels below min_cell unranked", () => {
    const r = run();
    const byRank = [...r.variables].sort((a, b) => a.rank - b.rank);
    for (let i = 1; i < byRank.length; ++i) expect(byRank[i].p_value).toBeGreaterThanOrEqual(byRank[i - 1].p_value);
    const roof = r.factors.find((f) => f.feature === "place=ROOF");
    expect(roof).toMatchObject({ status: "below_min_cell", rank: null, count: 6 });
    const street = r.factors.find((f) => f.feature === "place=STREET");
    expect(street?.status).toBe("ranked");
    expect(street?.odds_ratio).toBeGreaterThan(2);
    expect(street?.ci95[0]).toBeGreaterThan(1);
  });

  it("takes the reference from the study file, and refuses a level or column that does not exist", () => {
    const r = run({ reference: { place: "STREET" } });
    const place = r.variables.find((v) => v.column === "place");
    expect(place).toMatchObject({ reference: "STREET", reference_rule: "study_file" });
    expect(r.factors.find((f) => f.feature === "place=HOME")?.odds_ratio).toBeLessThan(0.5);
    const err = (spec: Record<string, unknown>) => {
      try {
        run(spec);
        return null;
      } catch (e) {
        return e;
      }
    };
    const bad = err({ reference: { place: "STRET" } });
    expect(isUserError(bad) && bad.code).toBe("risk.reference_level");
    expect((bad as Error).message).toContain('did you mean "STREET"');
    expect(isUserError(err({ reference: { plaice: "HOME" } }))).toBe(true);
  });

  it("Wald intervals when asked, and the same estimates", () => {
    const p = run();
    const w = run({ intervals: "wald" });
    const a = p.factors.find((f) => f.feature === "place=STREET");
    const b = w.factors.find((f) => f.feature === "place=STREET");
    expect(b?.coefficient).toBeCloseTo(a?.coefficient ?? NaN, 12);
    expect(b?.ci95[0]).not.toBeCloseTo(a?.ci95[0] ?? NaN, 6);
    expect(Math.log(b?.ci95[1] ?? NaN) - (b?.coefficient ?? NaN)).toBeCloseTo(1.959964 * (b?.std_error ?? NaN), 5);
  });
});

describe("scoreFile(model, path, input): calibrated risk and raw score", () => {
  it("applies model.json's calibration; a file without one scores raw", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openbeat-score-"));
    try {
      const base = {
        openbeat_model: 1,
        study: "t",
        kind: "risk",
        target: "y",
        id: null,
        features: { categorical: ["c"], numeric: [], dates: [], min_frequency: 1, missing: { categorical: "category", numeric: "drop" } },
        encoder: {
          categorical: [{ column: "c", levels: ["a", "b"], other: false, exclude: [] }],
          numeric: [],
          missingCategorical: "category",
          features: [
            { name: "c=a", column: "c", value: "a" },
            { name: "c=b", column: "c", value: "b" },
          ],
        },
        coef: [0, 2],
        intercept: 0,
        resample: "smote",
      };
      writeFileSync(join(dir, "in.csv"), "c\na\nb\n");
      writeFileSync(
        join(dir, "new.json"),
        JSON.stringify({ ...base, threshold: 0.03, calibration: { method: "prior_shift", original_rate: 0.03, resampled_rate: 0.5 } }),
      );
      writeFileSync(join(dir, "old.json"), JSON.stringify({ ...base, threshold: 0.5 }));
      const m = await readModel(join(dir, "new.json"));
      const r = await scoreFile(m, "new.json", join(dir, "in.csv"));
      expect(r.raw[0]).toBeCloseTo(0.5, 12);
      expect(r.scores[0]).toBeCloseTo(0.03, 12);
      expect(Array.from(r.flags)).toEqual([1, 1]);
      const old = await scoreFile(await readModel(join(dir, "old.json")), "old.json", join(dir, "in.csv"));
      expect(Array.from(old.scores)).toEqual(Array.from(old.raw));
      expect(Array.from(old.flags)).toEqual([1, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
