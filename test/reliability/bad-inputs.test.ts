import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDist, hashTree, lines, runCli } from "./run-cli.js";
import type { RiskResults } from "../../src/results/types.js";

/**
 * The bad-input corpus (test/fixtures/bad, see its README) run through the built command line. Every bad input must
 * end with exit 1 and one or two lines on stderr that name the file (and line or field), say what is wrong and what
 * to do, with no stack trace, no results folder left behind and the inputs untouched. Recoverable dirt must instead
 * succeed with the issue counted in results.json.
 */

const BAD = "test/fixtures/bad";
const S = `${BAD}/studies`;
const D = `${BAD}/data`;
const HEADER = "INCIDENT_NUMBER,DATE_OCCURED,OFFENSE,PREMISE,UNIT,AGE,officer_assaulted";

interface Ctx {
  /** Fresh temporary folder of this case. */
  tmp: string;
  /** `--out` path inside `tmp` (absent unless the case creates it). */
  out: string;
  /** model.json of the base study, fitted once. */
  model: string;
}

interface BadCase {
  name: string;
  args: (c: Ctx) => string[];
  /** Each must match stderr: the file, the problem, the fix. */
  expect: RegExp[];
  setup?: (c: Ctx) => void;
  skip?: boolean;
}

/** `run` of a corpus study; `data` is a case folder under data/, or a path. */
const run = (study: string, data: string) => (c: Ctx) => [
  "run",
  `${S}/${study}.yaml`,
  "--data",
  data.includes("/") ? data : `${D}/${data}`,
  "--out",
  c.out,
  "--quiet",
];
const dataCase = (data: string) => run("risk", data);
const studyCase = (study: string) => run(study, "good");

let shared: string;
let model: string;

function writeIncidents(dir: string, body: string | Buffer): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "incidents.csv"), body);
}

const cases: BadCase[] = [
  // ---- CSV files ----
  {
    name: "an empty file (0 bytes)",
    args: dataCase("empty"),
    expect: [/risk\.yaml: source "incidents" \(incidents\.csv\)/, /empty \(0 bytes\)/, /export the data again/],
  },
  { name: "a header and no rows", args: dataCase("header-only"), expect: [/risk\.yaml/, /"incidents" has no rows/, /check/] },
  {
    name: "mostly ragged rows",
    args: dataCase("ragged-most"),
    expect: [/incidents\.csv/, /4 of 5 data rows are malformed/, /line 3/, /Expected Number of Columns: 7/, /inspect/],
  },
  {
    name: "an unbalanced quote",
    args: dataCase("unbalanced-quote"),
    expect: [/incidents\.csv/, /line 3 opens a double quote/, /close or remove that quote/],
  },
  {
    name: "Latin-1 bytes in a file read as UTF-8",
    args: dataCase("latin1"),
    expect: [/incidents\.csv/, /not UTF-8/, /line 2/, /encoding: latin-1/],
  },
  {
    name: "a 10 MB single field",
    setup: (c) => {
      writeIncidents(join(c.tmp, "data"), `${HEADER}\nI-1,2021-01-01 10:00:00,${"A".repeat(10 << 20)},BAR,PATROL,30,1\n`);
    },
    args: (c) => run("risk", join(c.tmp, "data"))(c),
    expect: [/risk\.yaml: source "incidents" \(incidents\.csv\)/, /line 2 is 10,485,\d+ bytes long/, /fix or remove that line/],
  },
  {
    name: "a file that is not a CSV (an .xlsx)",
    args: run("source-unknown-format", "xlsx"),
    expect: [/source-unknown-format\.yaml: source "incidents"/, /incidents\.xlsx/, /format: csv/],
  },
  {
    name: "a CSV of random binary bytes",
    setup: (c) => {
      writeIncidents(join(c.tmp, "data"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
    },
    args: (c) => run("risk", join(c.tmp, "data"))(c),
    expect: [/risk\.yaml: source "incidents" \(incidents\.csv\)/, /UTF-8|malformed|cannot load|double quote/],
  },

  // ---- values ----
  {
    name: "a target with one class",
    args: dataCase("one-class"),
    expect: [/risk\.yaml/, /"officer_assaulted" has only one class/, /no 1s/, /check the label/],
  },
  {
    name: "a target that is all null",
    args: dataCase("target-all-null"),
    expect: [/risk\.yaml/, /"officer_assaulted"/, /is empty in all 4 rows/, /check the column name and the label/],
  },
  {
    name: "a target that is not binary",
    args: dataCase("target-not-binary"),
    expect: [/risk\.yaml/, /"officer_assaulted" has values other than 0\/1/, /"2"/, /derive a 0\/1 column/],
  },
  {
    name: "text in a numeric column",
    args: dataCase("text-in-numeric"),
    expect: [/risk\.yaml: risk\.features/, /"AGE" has 2 values that are not numbers/, /"unknown"/, /cast it in a prepare step/],
  },
  {
    name: "NaN and Infinity in a numeric column",
    args: dataCase("nan-infinity"),
    expect: [/risk\.yaml: risk\.features/, /"AGE" has 3 values that are NaN or infinite/, /isfinite/],
  },
  {
    name: "an all-null feature",
    args: dataCase("all-null-feature"),
    expect: [/risk\.yaml: risk\.features/, /"AGE" is empty \(all 4 values are missing\)/, /remove it/],
  },
  {
    name: "a category column with over 10,000 distinct values",
    setup: (c) => {
      const rows = Array.from(
        { length: 12_000 },
        (_, i) => `I-${i},2021-01-01 10:00:00,CODE-${i},BAR,PATROL,${20 + (i % 40)},${i % 4 === 0 ? 1 : 0}`,
      );
      writeIncidents(join(c.tmp, "data"), `${HEADER}\n${rows.join("\n")}\n`);
    },
    args: (c) => run("risk", join(c.tmp, "data"))(c),
    expect: [/risk\.yaml: risk\.features/, /"OFFENSE" has 12,000 distinct values in 12,000 rows/, /min_frequency/],
  },
  {
    name: "unparseable dates in a prepare step",
    args: run("risk-prepare", "bad-dates"),
    expect: [/risk-prepare\.yaml: prepare step "parsed" failed/, /"sometime in March"/, /%Y-%m-%d/],
  },
  {
    name: "mixed date formats in a date feature",
    args: run("risk-dates", "mixed-dates"),
    expect: [/risk-dates\.yaml: risk\.features/, /"DATE_OCCURED" has type VARCHAR, not a timestamp/, /strptime/],
  },

  // ---- the study file ----
  {
    name: "an unknown top-level key",
    args: studyCase("unknown-key"),
    expect: [/unknown-key\.yaml:3:/, /unknown key "seeed"/, /did you mean "seed"/],
  },
  {
    name: "a misspelled nested key",
    args: studyCase("misspelled-nested-key"),
    expect: [/misspelled-nested-key\.yaml:6:/, /unknown key "risk\.targt"/, /did you mean "target"/],
  },
  {
    name: "a word where a number goes",
    args: studyCase("wrong-type"),
    expect: [/wrong-type\.yaml:8:/, /"risk\.validation\.folds" should be a number, not "five"/],
  },
  {
    name: "a word where a list goes",
    args: studyCase("wrong-list-type"),
    expect: [/wrong-list-type\.yaml:8:/, /"risk\.features\.categorical" should be a list/],
  },
  {
    name: "a misspelled kind",
    args: studyCase("wrong-enum"),
    expect: [/wrong-enum\.yaml:2:/, /"kind" must be one of "risk", "segments"/, /did you mean "risk"/],
  },
  { name: "a value out of range", args: studyCase("out-of-range"), expect: [/out-of-range\.yaml:8:/, /"risk\.threshold"/, /<1/] },
  { name: "broken YAML", args: studyCase("invalid-yaml"), expect: [/invalid-yaml\.yaml:5: invalid YAML/, /check indentation/] },
  {
    name: "an alias to an anchor that is not defined",
    args: studyCase("yaml-alias"),
    expect: [/yaml-alias\.yaml: invalid YAML/, /offense_columns/, /define each &anchor before its \*alias/],
  },
  {
    name: "a key given twice",
    args: studyCase("duplicate-key"),
    expect: [/duplicate-key\.yaml:8: invalid YAML/, /"risk" appears twice/, /keep one/],
  },
  {
    name: "an empty study file",
    args: studyCase("empty"),
    expect: [/empty\.yaml/, /must be a YAML mapping with at least name, kind and sources/],
  },
  {
    name: "kind risk without a risk section",
    args: studyCase("no-risk-section"),
    expect: [/no-risk-section\.yaml/, /no "risk:" section/, /add one/],
  },
  {
    name: "a prepare step name used twice",
    args: studyCase("duplicate-step"),
    expect: [/duplicate-step\.yaml/, /"step" is used twice/, /its own name/],
  },
  { name: "several sources and no table", args: studyCase("no-table"), expect: [/no-table\.yaml/, /several sources/, /add "table:"/] },
  {
    name: "a table that does not exist",
    args: studyCase("table-missing"),
    expect: [/table-missing\.yaml/, /table "incident" does not exist/, /name a source or prepare step/],
  },
  {
    name: "a feature column that is absent",
    args: studyCase("missing-column"),
    expect: [/missing-column\.yaml: risk\.features/, /column "OFENSE" not found in table "incidents"/, /did you mean "OFFENSE"/],
  },
  {
    name: "a target column that is absent",
    args: studyCase("missing-target"),
    expect: [/missing-target\.yaml: risk/, /column "officer_assault" not found/, /did you mean "officer_assaulted"/],
  },
  {
    name: "a forced type for an absent column",
    args: studyCase("types-missing-column"),
    expect: [/types-missing-column\.yaml: source "incidents"/, /"INCIDENT_NUM" not found/, /did you mean "INCIDENT_NUMBER"/],
  },
  {
    name: "no feature columns",
    args: studyCase("no-features"),
    expect: [/no-features\.yaml/, /lists no columns/, /add categorical, numeric or dates/],
  },
  {
    name: "temporal validation on a text column",
    args: studyCase("temporal-not-date"),
    expect: [/temporal-not-date\.yaml/, /"OFFENSE" is VARCHAR, not a timestamp/, /parse it in a prepare step/],
  },
  {
    name: "SMOTE with more neighbours than minority rows",
    args: studyCase("smote-too-few"),
    expect: [/smote-too-few\.yaml/, /k_neighbors = 40/, /lower resample\.k_neighbors/],
  },
  {
    name: "more folds than one class can fill",
    args: studyCase("too-many-folds"),
    expect: [/too-many-folds\.yaml/, /has only one class/, /fewer folds/],
  },
  {
    name: "an unsupported encoding",
    args: studyCase("unsupported-encoding"),
    expect: [/unsupported-encoding\.yaml: source "incidents"/, /"cp1252"/, /latin-1/],
  },

  // ---- prepare SQL ----
  {
    name: "an unknown column in prepare SQL",
    args: studyCase("sql-error"),
    expect: [/sql-error\.yaml: prepare step "labelled" failed/, /"PREMISES" not found/],
  },
  {
    name: "a syntax error in prepare SQL",
    args: studyCase("sql-syntax"),
    expect: [/sql-syntax\.yaml: prepare step "filtered" failed/, /syntax error at or near "incidents"/],
  },
  {
    name: "an unknown table in prepare SQL",
    args: studyCase("sql-unknown-table"),
    expect: [/sql-unknown-table\.yaml: prepare step "joined" failed/, /officers does not exist/],
  },

  // ---- source paths ----
  {
    name: "a source path that is missing",
    args: studyCase("source-missing"),
    expect: [/source-missing\.yaml: source "incidents"/, /not found: incidents-2021\.csv/, /check the path/],
  },
  {
    name: "a source path that is a directory",
    args: run("source-is-directory", D),
    expect: [/source-is-directory\.yaml: source "incidents"/, /good is a directory/, /point the path at the data file/],
  },
  {
    name: "a source path that cannot be read (symlink loop)",
    setup: (c) => {
      mkdirSync(join(c.tmp, "data"));
      symlinkSync("incidents.csv", join(c.tmp, "data", "incidents.csv"));
    },
    args: (c) => run("risk", join(c.tmp, "data"))(c),
    expect: [/risk\.yaml: source "incidents"/, /cannot read incidents\.csv/, /ELOOP|too many/i],
  },
  {
    name: "a source file without read permission",
    skip: process.getuid?.() === 0,
    setup: (c) => {
      writeIncidents(join(c.tmp, "data"), readFileSync(`${D}/good/incidents.csv`));
      chmodSync(join(c.tmp, "data", "incidents.csv"), 0o000);
    },
    args: (c) => run("risk", join(c.tmp, "data"))(c),
    expect: [/risk\.yaml: source "incidents"/, /cannot read incidents\.csv/, /permissions/],
  },
  {
    name: "a study file that does not exist",
    args: (c) => ["run", `${S}/nope.yaml`, "--out", c.out],
    expect: [/nope\.yaml: study file not found/, /check the path/],
  },
  {
    name: "a study path that is a directory",
    args: (c) => ["run", S, "--out", c.out],
    expect: [/studies: is a directory/, /give the path of a study file/],
  },

  // ---- segments ----
  {
    name: "k larger than the row count",
    args: run("segments-k-too-big", "segments-small"),
    expect: [/segments-k-too-big\.yaml/, /k up to 12 needs more than 12 rows, but only 8/, /lower segments\.k/],
  },

  // ---- results folder ----
  {
    name: "--out pointing at a non-empty folder that is not a results folder",
    setup: (c) => {
      mkdirSync(c.out);
      writeFileSync(join(c.out, "notes.txt"), "my notes\n");
    },
    args: dataCase("good"),
    expect: [/--out .*\/out:/, /is not an openbeat results folder/, /choose a new or empty folder/],
  },
  {
    name: "--out pointing at a file",
    setup: (c) => {
      writeFileSync(c.out, "not a folder\n");
    },
    args: dataCase("good"),
    expect: [/--out .*\/out:/, /not a folder/, /choose another path/],
  },

  // ---- command line ----
  {
    name: "a seed that is not a number",
    args: (c) => ["run", `${S}/risk.yaml`, "--seed", "abc", "--out", c.out],
    expect: [/--seed must be a whole number, not "abc"/],
  },
  {
    name: "a misspelled option",
    args: (c) => ["run", `${S}/risk.yaml`, "--sed", "3", "--out", c.out],
    expect: [/unknown option '--sed'/, /--seed/, /openbeat --help/],
  },

  // ---- score ----
  {
    name: "score with a file that is not a model (results.json)",
    args: () => ["score", `${BAD}/models/not-a-model.json`, `${BAD}/score/unknown-codes.csv`],
    expect: [/not-a-model\.json: not an openbeat risk model/, /model\.json from "openbeat run"/],
  },
  {
    name: "score with a truncated model file",
    args: () => ["score", `${BAD}/models/truncated.json`, `${BAD}/score/unknown-codes.csv`],
    expect: [/truncated\.json: not valid JSON/, /pass the model\.json/],
  },
  {
    name: "score with a hand-edited model",
    args: () => ["score", `${BAD}/models/edited.json`, `${BAD}/score/unknown-codes.csv`],
    expect: [/edited\.json: model has 3 coefficients for 4 features/],
  },
  {
    name: "score with a model from a different study",
    args: () => ["score", `${BAD}/models/other-study.json`, `${BAD}/score/unknown-codes.csv`],
    expect: [/unknown-codes\.csv: missing columns "DIVISION", "SHIFT"/, /other-study\.json needs/],
  },
  {
    name: "score input missing a column",
    args: (c) => ["score", c.model, `${BAD}/score/missing-column.csv`],
    expect: [/missing-column\.csv: missing column "PREMISE"/, /model\.json needs/, /OFFENSE, PREMISE, UNIT, AGE/],
  },
  {
    name: "score input that does not exist",
    args: (c) => ["score", c.model, `${BAD}/score/nope.csv`],
    expect: [/nope\.csv: input file not found/, /OFFENSE, PREMISE, UNIT, AGE/],
  },
  {
    name: "score with a model path that does not exist",
    args: () => ["score", `${BAD}/models/nope.json`, `${BAD}/score/unknown-codes.csv`],
    expect: [/nope\.json: model file not found/],
  },

  // ---- inspect ----
  {
    name: "inspect on an empty file",
    args: () => ["inspect", `${D}/empty/incidents.csv`],
    expect: [/empty\/incidents\.csv: the file is empty/],
  },
  { name: "inspect on a missing file", args: () => ["inspect", `${D}/nope.csv`], expect: [/nope\.csv: file not found/, /check the path/] },
  { name: "inspect on a folder", args: () => ["inspect", D], expect: [/data: is a folder/, /give a CSV, GeoJSON or shapefile/] },
];

beforeAll(async () => {
  ensureDist();
  shared = mkdtempSync(join(tmpdir(), "openbeat-bad-"));
  const r = await runCli(["run", `${S}/risk.yaml`, "--data", `${D}/good`, "--out", join(shared, "good"), "--quiet"]);
  if (r.code !== 0) throw new Error(`the base study must run: ${r.stderr}`);
  model = join(shared, "good", "model.json");
}, 180_000);

afterAll(() => {
  if (shared) rmSync(shared, { recursive: true, force: true });
});

describe("bad inputs end with exit 1 and one clear line", () => {
  it("the corpus has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  for (const bad of cases) {
    it.skipIf(bad.skip)(bad.name, async () => {
      const tmp = mkdtempSync(join(tmpdir(), "openbeat-case-"));
      try {
        const c: Ctx = { tmp, out: join(tmp, "out"), model };
        bad.setup?.(c);
        const before = hashTree(BAD, tmp);
        const r = await runCli(bad.args(c));
        const err = lines(r.stderr);
        expect(r.code, r.stderr).toBe(1);
        expect(err.length, r.stderr).toBeGreaterThanOrEqual(1);
        expect(err.length, r.stderr).toBeLessThanOrEqual(2);
        expect(err[0]).toMatch(/^openbeat: /);
        expect(r.stderr).not.toMatch(/^\s{4}at /m);
        expect(r.stderr).not.toMatch(/internal error/);
        for (const re of bad.expect) expect(r.stderr).toMatch(re);
        expect(readdirSync(dirname(c.out)).filter((f) => f.includes(".tmp-"))).toEqual([]);
        expect(hashTree(BAD, tmp)).toEqual(before);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});

describe("recoverable dirt succeeds and is counted in results.json", () => {
  async function runOk(study: string, data: string) {
    const tmp = mkdtempSync(join(tmpdir(), "openbeat-ok-"));
    const out = join(tmp, "out");
    const before = hashTree(BAD);
    const r = await runCli(["run", `${S}/${study}.yaml`, "--data", `${D}/${data}`, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
    expect(hashTree(BAD)).toEqual(before);
    expect(readdirSync(tmp)).toEqual(["out"]);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as RiskResults;
    rmSync(tmp, { recursive: true, force: true });
    return { results, stderr: r.stderr };
  }
  const codes = (results: { warnings: { code: string }[] }) => results.warnings.map((w) => w.code);

  it("a few ragged rows are skipped and counted", async () => {
    const { results, stderr } = await runOk("risk", "ragged-few");
    const w = results.warnings.find((x: { code: string }) => x.code === "csv.rejected_rows");
    expect(w).toMatchObject({ rows: 2, first_line: 12, source: "incidents", file: "incidents.csv" });
    expect(results.data.rows).toBe(88);
    expect(stderr).toMatch(/warning: incidents\.csv: skipped 2 malformed rows/);
  });

  it("a BOM and CRLF line ends load as if absent", async () => {
    const { results } = await runOk("risk", "bom-crlf");
    const good = (await runOk("risk", "good")).results;
    expect(results.data.rows).toBe(90);
    expect(results.warnings.filter((w: { code: string }) => w.code.startsWith("csv."))).toEqual([]);
    expect(results.warnings).toEqual(good.warnings);
    expect(results.factors).toEqual(good.factors);
  });

  it("duplicate and empty header names are renamed with warnings", async () => {
    const { results } = await runOk("risk", "odd-headers");
    expect(codes(results)).toEqual(expect.arrayContaining(["csv.empty_header", "csv.duplicate_header"]));
    expect(JSON.stringify(results.warnings)).toContain("UNIT -> UNIT_2");
    expect(results.data.rows).toBe(90);
  });

  it("a constant feature is reported, not fatal", async () => {
    const { results } = await runOk("risk", "constant-feature");
    const w = results.warnings.find((x: { code: string }) => x.code === "data.constant_feature");
    expect(w).toMatchObject({ column: "UNIT", value: "PATROL", rows: 90 });
    expect(results.data.rows).toBe(90);
  });

  it("header lines repeated inside the data are dropped and counted", async () => {
    const { results } = await runOk("risk", "repeated-header");
    expect(results.warnings.find((x: { code: string }) => x.code === "csv.repeated_header")).toMatchObject({ rows: 1 });
    expect(results.data.rows).toBe(90);
  });

  it("a Latin-1 file loads when its encoding is declared", async () => {
    const { results } = await runOk("risk-latin1", "latin1-declared");
    expect(results.data.rows).toBe(90);
    const columns = results.model.coefficients.map((c: { feature: string }) => c.feature);
    expect(columns).toEqual(expect.arrayContaining(["PREMISE=CAFÉ", "PREMISE=STRAßE"]));
  });

  it("score counts codes the model never saw and still scores every row", async () => {
    const before = hashTree(BAD);
    const r = await runCli(["score", model, `${BAD}/score/unknown-codes.csv`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: 1 rows? ha(s|ve) an? OFFENSE value the model never saw/);
    expect(lines(r.stdout)).toHaveLength(4);
    expect(lines(r.stdout)[0]).toBe("INCIDENT_NUMBER,score,score_raw,flag");
    expect(hashTree(BAD)).toEqual(before);
  });

  it("the error line is the last thing printed when progress is shown", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "openbeat-loud-"));
    const r = await runCli(["run", `${S}/risk.yaml`, "--data", `${D}/one-class`, "--out", join(tmp, "out")]);
    rmSync(tmp, { recursive: true, force: true });
    expect(r.code).toBe(1);
    const err = lines(r.stderr);
    expect(err.at(-1)).toMatch(/^openbeat: .*risk\.yaml: target "officer_assaulted" has only one class/);
    expect(err.filter((l) => l.startsWith("openbeat: ") && /only one class/.test(l))).toHaveLength(1);
  });
});

describe("an existing results folder survives a failed run", () => {
  it("keeps the previous results byte for byte", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "openbeat-keep-"));
    const out = join(tmp, "out");
    try {
      const ok = await runCli(["run", `${S}/risk.yaml`, "--data", `${D}/good`, "--out", out, "--quiet"]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(existsSync(join(out, "results.json"))).toBe(true);
      const before = hashTree(tmp);
      const bad = await runCli(["run", `${S}/risk.yaml`, "--data", `${D}/one-class`, "--out", out, "--quiet"]);
      expect(bad.code).toBe(1);
      expect(hashTree(tmp)).toEqual(before);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
