import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sourceReplacements } from "../../../src/cli/score-command.js";
import { missingColumnOf, probeValues, replacedSource } from "../../../src/studies/replay-study.js";
import { readModel, type RiskModelFile } from "../../../src/studies/risk/model-file.js";
import { writeLmpd } from "../../../src/synthetic/lmpd.js";
import { isUserError } from "../../../src/util/errors.js";
import { lines, runCli } from "../../reliability/run-cli.js";
import { referenceScores } from "../../reliability/score-reference.js";

/**
 * A CSV file's text without one column, cut by position (for files that quote no comma in that column or before it).
 * The test fails when the column is not in the header.
 */
function withoutColumn(path: string, column: string): string {
  const text = readFileSync(path, "utf8").split("\n");
  const k = text[0].split(",").indexOf(column);
  expect(k, `${column} in ${path}`).toBeGreaterThanOrEqual(0);
  return text
    .map((l) =>
      l
        ? l
            .split(",")
            .filter((_, i) => i !== k)
            .join(",")
        : l,
    )
    .join("\n");
}

/**
 * `openbeat score --raw` on the raw exports a study was run on gives, for every row that entered the model, the
 * run's own final model applied to that row (σ(intercept + x·coef) of features.parquet, calibrated), to 1e-12. The
 * `_score` column of prepared.parquet is out-of-fold and not comparable; features.parquet is the final model's input.
 */

const LMPD = "examples/lmpd-officer-assaults.yaml";

/**
 * The LMPD example as scoring sees it (its two sources, full outer join, label window, features and final model),
 * made lighter where scoring does not look: two folds instead of five, no comparison runs without resampling and
 * with class weights, and Wald instead of profile-likelihood intervals for the factors. The final model that
 * model.json holds is fitted on all rows either way. The test fails when the example's text no longer has what it
 * replaces.
 */
function lighterLmpd(): string {
  const text = readFileSync(LMPD, "utf8");
  const validation = "  validation: { method: stratified_kfold, folds: 5 }\n";
  expect(text).toContain(validation);
  expect(text).not.toMatch(/^ {2}(compare_resampling|factors):/m);
  return text.replace(
    validation,
    "  validation: { method: stratified_kfold, folds: 2 }\n  compare_resampling: false\n  factors: { intervals: wald }\n",
  );
}
const SMALL = "test/fixtures/risk-study/study.yaml";

let tmp: string;
const lmpd = { out: "", officers: "", crimes: "" };
const small = { out: "" };
let lmpdModel: RiskModelFile;
let smallModel: RiskModelFile;

/** Parsed score output: id or row, score, score_raw, flag per line after the header. */
function parseScores(stdout: string): { header: string[]; rows: { id: string; score: number; raw: number; flag: number }[] } {
  const [head, ...body] = stdout.trim().split("\n");
  return {
    header: head.split(","),
    rows: body.map((l) => {
      const [id, score, raw, flag] = l.split(",");
      return { id, score: Number(score), raw: Number(raw), flag: Number(flag) };
    }),
  };
}

/** Largest difference from the reference over the reference's ids, and how many of them the output lacks. */
function compare(rows: { id: string; score: number; raw: number }[], ref: Map<string, { raw: number; score: number }>) {
  const byId = new Map<string, { score: number; raw: number }[]>();
  for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  let raw = 0;
  let score = 0;
  let absent = 0;
  for (const [id, v] of ref) {
    const got = byId.get(id);
    if (!got) {
      absent++;
      continue;
    }
    // An id the full outer join repeats has one row per copy; each must score as the run's row did.
    for (const g of got) {
      raw = Math.max(raw, Math.abs(g.raw - v.raw));
      score = Math.max(score, Math.abs(g.score - v.score));
    }
  }
  return { raw, score, absent };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-score-raw-"));
  const data = join(tmp, "lmpd-data");
  const files = await writeLmpd(data, { seed: 11, scale: 0.2 });
  lmpd.officers = files.officers;
  lmpd.crimes = files.crimes;
  lmpd.out = join(tmp, "lmpd-out");
  const study = join(tmp, "lmpd-lighter.yaml");
  writeFileSync(study, lighterLmpd());
  const r = await runCli(["run", study, "--data", data, "--out", lmpd.out, "--quiet"]);
  if (r.code !== 0) throw new Error(r.stderr);
  lmpdModel = await readModel(join(lmpd.out, "model.json"));
  small.out = join(tmp, "small-out");
  const s = await runCli(["run", SMALL, "--out", small.out, "--quiet"]);
  if (s.code !== 0) throw new Error(s.stderr);
  smallModel = await readModel(join(small.out, "model.json"));
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("openbeat score --raw on a synthetic LMPD study (two sources, a full outer join)", () => {
  it("scores each raw row as the run's final model scored it, to 1e-12, and reports the rows the label window leaves out", async () => {
    const r = await runCli(["score", lmpd.out, "--source", `officers=${lmpd.officers}`, "--source", `crimes=${lmpd.crimes}`]);
    expect(r.code, r.stderr).toBe(0);
    const { header, rows } = parseScores(r.stdout);
    expect(header).toEqual(["INCIDENT_NUMBER", "score", "score_raw", "flag"]);
    const ref = await referenceScores(lmpd.out, lmpdModel);
    expect(ref.size).toBeGreaterThan(100);
    const d = compare(rows, ref);
    expect(d.absent).toBe(0);
    expect(d.raw).toBeLessThan(1e-12);
    expect(d.score).toBeLessThan(1e-12);
    // Every row of the analysis table is scored, the ones the study left out too, and those are reported by reason.
    const results = JSON.parse(readFileSync(join(lmpd.out, "results.json"), "utf8")) as {
      data: { table_rows: number; dropped: Record<string, number | null> };
    };
    expect(rows.length).toBe(results.data.table_rows);
    // Each reason of the run's dropped rows (label window, missing PREMISE_TYPE; small counts are suppressed as null).
    const reasons = Object.entries(results.data.dropped).filter(([, n]) => n !== null);
    expect(reasons.map(([k]) => k)).toEqual(expect.arrayContaining([expect.stringContaining("label.censor_before")]));
    for (const [reason, count] of reasons) {
      expect(r.stderr).toContain(`${String(count?.toLocaleString("en-US"))} rows the study would leave out (${reason})`);
    }
    expect(r.stderr).not.toMatch(/never saw/);
    expect(r.stderr).toMatch(/loaded officers: .* rows/);
    expect(r.stderr).toMatch(/prepared incidents: .* rows/);
  });

  it("gives exactly the scores of the prepared mode on prepared.parquet (the same rows, already prepared)", async () => {
    const raw = await runCli([
      "score",
      join(lmpd.out, "model.json"),
      "--raw",
      "--source",
      `officers=${lmpd.officers}`,
      "--source",
      `crimes=${lmpd.crimes}`,
    ]);
    const prepared = await runCli(["score", lmpd.out, join(lmpd.out, "prepared.parquet")]);
    expect(raw.code, raw.stderr).toBe(0);
    expect(prepared.code, prepared.stderr).toBe(0);
    const sort = (s: string) => s.trim().split("\n").slice(1).sort();
    expect(sort(raw.stdout)).toEqual(sort(prepared.stdout));
  });

  it("a positional file is refused when the study has several sources, and names them", async () => {
    const r = await runCli(["score", lmpd.out, "--raw", lmpd.crimes]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain("the study has 2 sources (officers, crimes)");
    expect(r.stderr).toContain("--source NAME=FILE");
  });

  it("a crime export without PREMISE_TYPE is one line naming the file and the column, and writes nothing", async () => {
    // The synthetic export quotes no field with a comma in PREMISE_TYPE's column or before it: cut it by position.
    const file = join(tmp, "crimes-no-premise.csv");
    writeFileSync(file, withoutColumn(lmpd.crimes, "PREMISE_TYPE"));
    const out = join(tmp, "never.csv");
    const r = await runCli(["score", lmpd.out, "--source", `officers=${lmpd.officers}`, "--source", `crimes=${file}`, "--out", out]);
    expect(r.code).toBe(1);
    const errors = lines(r.stderr).filter((l) => l.startsWith("openbeat:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${file} (source "crimes"): no column "PREMISE_TYPE"`);
    expect(existsSync(out)).toBe(false);
  });
});

describe("openbeat score --raw on a one-source study", () => {
  /** The fixture's CSV without its outcome column, as a new export before its labels are known. */
  function withoutTarget(): string {
    const file = join(tmp, "no-outcome", "incidents.csv");
    mkdirSync(join(tmp, "no-outcome"), { recursive: true });
    writeFileSync(file, withoutColumn("test/fixtures/risk-study/incidents.csv", "outcome"));
    return file;
  }

  it("needs no target column: the positional file replaces the only source, scores equal the run's to 1e-12", async () => {
    const file = withoutTarget();
    const r = await runCli(["score", small.out, "--raw", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`has no column "outcome"; it feeds only columns that scoring does not read`);
    const { rows } = parseScores(r.stdout);
    const ref = await referenceScores(small.out, smallModel);
    const d = compare(rows, ref);
    expect(d.absent).toBe(0);
    expect(d.raw).toBeLessThan(1e-12);
    expect(d.score).toBeLessThan(1e-12);
    expect(rows.length).toBe(3000);
  });

  it("--study replays the given file, and warns when it is not the one the results folder recorded", async () => {
    const edited = join(tmp, "study-edited.yaml");
    writeFileSync(edited, readFileSync(SMALL, "utf8").replace("name: Generated risk study", "name: Generated risk study (copy)"));
    const r = await runCli(["score", small.out, "--study", edited, "test/fixtures/risk-study/incidents.csv"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("differs from the study file recorded in");
    const same = await runCli(["score", small.out, "--raw", "test/fixtures/risk-study/incidents.csv"]);
    expect(r.stdout).toBe(same.stdout);
  });

  it("a new export that does not exist is one line naming it and the source", async () => {
    const r = await runCli(["score", small.out, "--raw", join(tmp, "nope.csv")]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([
      `openbeat: ${join(tmp, "nope.csv")}: not found; give the new export of source "incidents" (a CSV, Parquet or NDJSON file as the study reads it)`,
    ]);
  });

  it("the replayed prepare SQL runs on the locked engine: a step that reads a file is refused", async () => {
    const evil = join(tmp, "evil.yaml");
    writeFileSync(
      evil,
      readFileSync(SMALL, "utf8").replace("FROM incidents", `FROM incidents, read_csv('${join(process.cwd(), "package.json")}') AS p`),
    );
    const r = await runCli(["score", small.out, "--study", evil, "test/fixtures/risk-study/incidents.csv"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/prepare step "study_rows" failed: .*Permission Error/);
    expect(r.stdout).toBe("");
  });

  it("a failing replayed step names the study file's line of the SQL that failed, not the sql: key", async () => {
    const bad = join(tmp, "bad-column.yaml");
    const text = readFileSync(SMALL, "utf8").replace(
      "             late_report",
      "             no_such_function(late_report) AS late_report",
    );
    writeFileSync(bad, text);
    const r = await runCli(["score", small.out, "--study", bad, "test/fixtures/risk-study/incidents.csv"]);
    expect(r.code).toBe(1);
    const at = text.split("\n").findIndex((l) => l.includes("no_such_function")) + 1;
    expect(at).toBeGreaterThan(text.split("\n").findIndex((l) => l.includes("sql: |")) + 1);
    const error = lines(r.stderr).find((l) => l.startsWith("openbeat: ")) ?? "";
    expect(error).toMatch(new RegExp(`^openbeat: ${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${at}: prepare step "study_rows" failed: `));
    expect(r.stdout).toBe("");
  });

  it("without --raw, several inputs are refused with the hint to add --raw", async () => {
    const r = await runCli(["score", small.out, "a.csv", "b.csv"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("add --raw");
  });
});

describe("openbeat score --raw reads a new export with the types the run loaded", () => {
  /** A seeded 0..1 generator (linear congruential), so the rows are the same on every machine. */
  function lcg(seed: number): () => number {
    let x = seed >>> 0;
    return () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return x / 2 ** 32;
    };
  }

  it("a month without the zone 3A still reads zone as text (the run's type), so the prepare SQL's LIKE works and scores match", async () => {
    const dir = join(tmp, "zones");
    mkdirSync(dir, { recursive: true });
    const r = lcg(9);
    const rows = ["id,zone,unit,armed,age,hit"];
    const zones = ["1", "2", "3A"];
    for (let i = 0; i < 400; ++i) {
      const zone = zones[Math.floor(r() * 3)];
      const unit = r() < 0.5 ? "A" : "B";
      const armed = r() < 0.3 ? "Y" : "N";
      const age = 18 + Math.floor(r() * 50);
      const z = -1 + (zone === "3A" ? 1 : 0) + (unit === "B" ? 0.5 : 0) + (age - 40) / 40;
      rows.push([`Z-${String(i)}`, zone, unit, armed, String(age), r() < 1 / (1 + Math.exp(-z)) ? "1" : "0"].join(","));
    }
    writeFileSync(join(dir, "calls.csv"), rows.join("\n") + "\n");
    // The new export: the same rows without zone 3A, whose zone column DuckDB alone would read as numbers.
    const month = join(tmp, "zones-month.csv");
    writeFileSync(month, rows.filter((l) => !l.includes(",3A,")).join("\n") + "\n");
    const study = join(dir, "zones.yaml");
    writeFileSync(
      study,
      [
        "name: Zone codes",
        "kind: risk",
        "seed: 3",
        "sources:",
        "  calls: { path: calls.csv }",
        "prepare:",
        "  - name: study_rows",
        "    sql: |",
        "      SELECT id, zone, CASE WHEN zone LIKE '3%' THEN 'north' ELSE 'south' END AS side, unit,",
        "             CASE WHEN armed = 'Y' THEN 'armed' ELSE 'not armed' END AS armed, age, hit",
        "      FROM calls",
        "risk:",
        "  target: hit",
        "  id: id",
        "  features: { categorical: [zone, side, unit, armed], numeric: [age] }",
        "  compare_resampling: false",
        "",
      ].join("\n"),
    );
    const out = join(tmp, "zones-out");
    const run = await runCli(["run", study, "--out", out, "--quiet"]);
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as {
      source_columns: Record<string, Record<string, string>>;
    };
    expect(manifest.source_columns.calls).toMatchObject({ zone: "VARCHAR", age: "BIGINT" });
    const scored = await runCli(["score", out, "--raw", month]);
    expect(scored.code, scored.stderr).toBe(0);
    expect(scored.stderr).not.toMatch(/never saw/);
    const ref = await referenceScores(out, await readModel(join(out, "model.json")));
    const { rows: got } = parseScores(scored.stdout);
    expect(got.length).toBe(rows.length - 1 - rows.filter((l) => l.includes(",3A,")).length);
    let d = 0;
    for (const g of got) d = Math.max(d, Math.abs(g.raw - (ref.get(g.id)?.raw ?? NaN)));
    expect(d).toBeLessThan(1e-12);
    // Without the armed column a feature would be "not armed" for every row: NULL = 'Y' and '1' = 'Y' agree, but the
    // SQL's own literal 'Y' shows the dependence, and the column is refused.
    const unarmed = join(tmp, "zones-unarmed.csv");
    writeFileSync(
      unarmed,
      rows
        .map((l) =>
          l
            .split(",")
            .filter((_, j) => j !== 3)
            .join(","),
        )
        .join("\n") + "\n",
    );
    const refused = await runCli(["score", out, "--raw", unarmed]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${unarmed} (source "calls"): no column "armed"`);
    expect(refused.stdout).toBe("");
  });
});

describe("the pieces", () => {
  it("sourceReplacements: --source entries, positional files for a one-source study, errors otherwise", () => {
    expect([...sourceReplacements(["a"], ["x.csv", "y.csv"], [])]).toEqual([["a", ["x.csv", "y.csv"]]]);
    expect([...sourceReplacements(["a", "b"], [], ["b=1.csv", "a=2.csv", "b=3.csv"])]).toEqual([
      ["b", ["1.csv", "3.csv"]],
      ["a", ["2.csv"]],
    ]);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isUserError(e) ? e.code : "other";
      }
      return null;
    };
    expect(code(() => sourceReplacements(["a", "b"], ["x.csv"], []))).toBe("score.which_source");
    expect(code(() => sourceReplacements(["a"], [], ["x.csv"]))).toBe("score.source_arg");
    expect(code(() => sourceReplacements(["a"], [], ["a="]))).toBe("score.source_arg");
    expect(code(() => sourceReplacements(["a"], [], []))).toBe("score.inputs");
  });

  it("replacedSource keeps the loading rules and swaps the path; a portal source loses its dataset", () => {
    const s = replacedSource({ path: "old.csv", types: { ID: "VARCHAR" }, delimiter: ";", timestamp_format: "%d/%m/%Y" }, ["/n/new.csv"]);
    expect(s).toEqual({ path: "/n/new.csv", types: { ID: "VARCHAR" }, delimiter: ";", timestamp_format: "%d/%m/%Y" });
    const p = replacedSource({ socrata: { domain: "d.gov", dataset: "abcd-1234" } }, ["/n/a.csv", "/n/b.csv"]);
    expect(p).toEqual({ path: ["/n/a.csv", "/n/b.csv"], format: undefined });
  });

  it("probeValues: generic values and the SQL's own string and number literals", () => {
    const v = probeValues(["SELECT CASE WHEN a = 'Y' THEN 'it''s' END, b >= 4, x1 FROM t"]);
    expect(v).toEqual(expect.arrayContaining(["1", "0", "Y", "it's", "4"]));
    expect(v).not.toContain("x1");
  });

  it("missingColumnOf reads DuckDB's binder messages", () => {
    expect(missingColumnOf('Binder Error: Referenced column "zz" not found in FROM clause!')).toBe("zz");
    expect(missingColumnOf('Binder Error: Table "c" does not have a column named "PREMISE_TYPE"')).toBe("PREMISE_TYPE");
    expect(missingColumnOf('Binder Error: Column "outcome" referenced that exists in the SELECT clause - but')).toBe("outcome");
    expect(missingColumnOf("Parser Error: syntax error at or near")).toBeNull();
  });
});
