import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testTier } from "../tier.js";
import { ensureDist, hashTree, lines, runCli, spawnCli } from "./run-cli.js";

/**
 * The bad-input corpus (test/fixtures/bad, see its README) run through the command line. Every bad input must
 * end with exit 1 and one or two lines on stderr that name the file (and line or field), say what is wrong and what
 * to do, with no stack trace, no results folder left behind and the inputs untouched. Recoverable dirt must instead
 * succeed with the issue counted in results.json.
 *
 * The command line runs in this process (`runCli`, what `openbeat` prints, without a process per case); this runs in
 * the unit tier. A case marked `process: true` is about the process itself (a signal, a real exit): it runs the built
 * binary in a child process, in the e2e tier (vitest.config.ts runs this file in both tiers).
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
  /** Extra checks after the run (e.g. that nothing was written outside). */
  after?: (c: Ctx) => void;
  skip?: boolean;
  /** The case is about the process (a signal, a real exit): run the built binary in a child process (e2e tier). */
  process?: boolean;
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

/** A project folder in the case's temporary folder: the base study as study.yaml beside a copy of the good data. */
function project(c: Ctx): { dir: string; study: string } {
  const dir = join(c.tmp, "project");
  mkdirSync(dir);
  writeFileSync(join(dir, "study.yaml"), readFileSync(`${S}/risk.yaml`));
  writeFileSync(join(dir, "incidents.csv"), readFileSync(`${D}/good/incidents.csv`));
  return { dir, study: join(dir, "study.yaml") };
}

/** The base model, edited by `edit`, as model.json in the case's folder. */
function editModel(c: Ctx, edit: (m: Record<string, unknown>) => void): void {
  const m = JSON.parse(readFileSync(c.model, "utf8")) as Record<string, unknown>;
  edit(m);
  writeFileSync(join(c.tmp, "model.json"), JSON.stringify(m));
}

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
    expect: [/risk-prepare\.yaml:9: prepare step "parsed" failed/, /"sometime in March"/, /%Y-%m-%d/],
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
  { name: "broken YAML", args: studyCase("invalid-yaml"), expect: [/invalid-yaml\.yaml:4: invalid YAML/, /check indentation/] },
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

  {
    name: "a negative seed in the study file",
    args: studyCase("seed-negative"),
    expect: [/seed-negative\.yaml:4: .*seed must be a whole number from 0 to 4294967295/],
  },
  {
    name: "a seed of 2^32 in the study file",
    args: studyCase("seed-too-big"),
    expect: [/seed-too-big\.yaml:4: .*seed must be a whole number from 0 to 4294967295/],
  },
  {
    name: "a feature listed as both categorical and numeric",
    args: studyCase("feature-twice"),
    expect: [/feature-twice\.yaml:12: .*"UNIT" is listed both as categorical and as numeric; keep it in one list/],
  },
  {
    name: "an areas block without boundaries or demographics (checked before any data is read)",
    args: run("segments-areas-no-use", "/nonexistent-data-folder"),
    expect: [/segments-areas-no-use\.yaml:14: .*an areas block needs boundaries .* or demographics/, /add one or remove areas/],
  },
  {
    name: "an areas block whose demographics table is not defined (checked before any data is read)",
    args: run("segments-areas-unknown-table", "/nonexistent-data-folder"),
    expect: [/segments-areas-unknown-table\.yaml: segments\.areas\.demographics\.table is "distrcts"/, /did you mean "districts"/],
  },
  {
    name: "a seed that is not a whole number in the study file",
    args: studyCase("seed-fraction"),
    expect: [/seed-fraction\.yaml:4: "seed" should be a whole number, not 1\.5/],
  },
  {
    name: "a feature listed twice in one list",
    args: studyCase("feature-listed-twice"),
    expect: [/feature-listed-twice\.yaml:11: .*"PREMISE" is listed twice in categorical; keep one/],
  },
  {
    name: "a feature listed as a category and as a date",
    args: studyCase("feature-category-and-date"),
    expect: [/feature-category-and-date\.yaml:13: .*"OFFENSE" is listed both as categorical and as dates/],
  },
  {
    name: "an areas block whose boundaries are not a source (checked before any data is read)",
    args: run("segments-areas-unknown-boundaries", "/nonexistent-data-folder"),
    expect: [/segments-areas-unknown-boundaries\.yaml: segments\.areas\.boundaries is "district_map", which is not a source/],
  },
  {
    name: "a data column named like openbeat's own _score",
    setup: (c) => {
      const [head, ...rows] = readFileSync(`${D}/good/incidents.csv`, "utf8").trimEnd().split("\n");
      writeIncidents(join(c.tmp, "data"), `${head},_score\n${rows.map((r, i) => `${r},${i}`).join("\n")}\n`);
    },
    args: (c) => run("risk", join(c.tmp, "data"))(c),
    expect: [/risk\.yaml: table "incidents" has a column named "_score", a name openbeat gives its own output columns/, /EXCLUDE/],
  },
  {
    name: "a data column named _ROW (any case)",
    setup: (c) => {
      const [head, ...rows] = readFileSync(`${D}/good/incidents.csv`, "utf8").trimEnd().split("\n");
      writeIncidents(join(c.tmp, "data"), `${head},_ROW\n${rows.map((r, i) => `${r},${i}`).join("\n")}\n`);
    },
    args: (c) => run("risk", join(c.tmp, "data"))(c),
    expect: [/has a column named "_ROW"/, /rename it in a prepare step/],
  },

  // ---- prepare SQL ----
  {
    name: "an unknown column in prepare SQL",
    args: studyCase("sql-error"),
    expect: [
      /sql-error\.yaml:7: prepare step "labelled" failed/,
      /"PREMISES" not found/,
      /\n {2}Candidate bindings: .*"PREMISE"/,
      /\n {2}test\/fixtures\/bad\/studies\/sql-error\.yaml:7: SELECT INCIDENT_NUMBER, OFFENSE, officer_assaulted, PREMISES FROM incidents\n {2} +\^/,
    ],
  },
  {
    name: "a syntax error in prepare SQL",
    args: studyCase("sql-syntax"),
    expect: [/sql-syntax\.yaml:\d+: prepare step "filtered" failed/, /syntax error at or near "incidents"/],
  },
  {
    name: "an unknown table in prepare SQL",
    args: studyCase("sql-unknown-table"),
    expect: [/sql-unknown-table\.yaml:\d+: prepare step "joined" failed/, /officers does not exist/],
  },

  // ---- the study file is declarative: prepare SQL only queries the loaded tables ----
  {
    name: "prepare SQL that reads /etc/passwd",
    args: studyCase("sql-read-file"),
    expect: [
      /sql-read-file\.yaml:\d+: prepare step "leaked" failed/,
      /Permission Error: Cannot access file "\/etc\/passwd"/,
      /disabled by configuration/,
    ],
  },
  {
    name: "prepare SQL that reads a URL",
    args: studyCase("sql-read-url"),
    expect: [/sql-read-url\.yaml:\d+: prepare step "remote" failed/, /Permission Error: Cannot access file "https:\/\/example\.com/],
  },
  {
    name: "prepare SQL that writes a file with COPY ... TO",
    args: studyCase("sql-copy-to"),
    expect: [/sql-copy-to\.yaml:\d+: prepare step "copied" failed/, /Permission Error: Cannot access file .*openbeat-copied\.csv/],
    after: () => {
      expect(existsSync("openbeat-copied.csv")).toBe(false);
    },
  },
  {
    name: "prepare SQL that attaches a database",
    args: studyCase("sql-attach"),
    expect: [/sql-attach\.yaml: prepare step "attached" is an ATTACH statement, not a SELECT/, /may only query the loaded tables/],
    after: () => {
      expect(existsSync("other.duckdb")).toBe(false);
    },
  },
  {
    name: "prepare SQL that installs an extension",
    args: studyCase("sql-install"),
    expect: [/sql-install\.yaml: prepare step "installed" is an INSTALL or LOAD statement, not a SELECT/],
  },
  {
    name: "prepare SQL that changes a setting",
    args: studyCase("sql-set"),
    expect: [/sql-set\.yaml: prepare step "unlocked" is a SET \(or PRAGMA, USE\) statement, not a SELECT/],
  },
  {
    name: "prepare SQL that runs a PRAGMA",
    args: studyCase("sql-pragma"),
    expect: [/sql-pragma\.yaml: prepare step "pragma" is a SET \(or PRAGMA, USE\) statement/],
  },
  {
    name: "two statements in one prepare step",
    args: studyCase("sql-two-statements"),
    expect: [/sql-two-statements\.yaml: prepare step "both" holds 2 SQL statements; write exactly one SELECT per step/],
  },
  {
    name: "a demographics expression that reads a file (SQL after prepare stays locked)",
    args: run("segments-demographics-read-file", "areas"),
    expect: [/segments-demographics-read-file\.yaml: segments\.areas\.demographics\.columns/, /Permission Error/],
  },
  {
    name: "a prepare step that runs past --timeout",
    args: (c) => [...studyCase("sql-slow")(c), "--timeout", "1s"],
    expect: [/sql-slow\.yaml: prepare step "slow" was stopped after 1 s \(--timeout\)/, /pass a longer --timeout/],
  },
  {
    name: "a --timeout that is not a duration",
    args: (c) => ["run", `${S}/risk.yaml`, "--timeout", "soon", "--out", c.out],
    expect: [/--timeout must be a duration such as 90s, 10min or 1h \(0: no limit\), not "soon"/],
  },
  {
    name: "a source path outside the study folder and --data (/etc/passwd)",
    args: studyCase("source-outside"),
    expect: [
      /source-outside\.yaml: source "incidents": \/etc\/passwd resolves to \/etc\/passwd, outside the study file's folder and --data/,
      /--allow-outside-paths/,
    ],
  },
  {
    name: "a source path that climbs out of --data with ../",
    args: studyCase("source-dotdot"),
    expect: [
      /source-dotdot\.yaml: source "incidents": \.\.\/.*etc\/hostname resolves to \/etc\/hostname, outside/,
      /--allow-outside-paths/,
    ],
  },
  {
    name: "a source that is a symbolic link to a file outside",
    setup: (c) => {
      mkdirSync(join(c.tmp, "data"));
      symlinkSync("/etc/hostname", join(c.tmp, "data", "incidents.csv"));
    },
    args: (c) => run("risk", join(c.tmp, "data"))(c),
    expect: [/risk\.yaml: source "incidents": incidents\.csv resolves to \/etc\/hostname, outside/, /--allow-outside-paths/],
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
    expect: [/--out .*\/out: folder is not empty \(it holds notes\.txt\)/, /no \.openbeat marker/, /choose a new or empty folder/],
  },
  {
    name: "--out pointing at a web app with its own manifest.json",
    setup: (c) => {
      mkdirSync(c.out);
      writeFileSync(join(c.out, "manifest.json"), JSON.stringify({ name: "My PWA", start_url: "/" }));
      writeFileSync(join(c.out, "index.html"), "<html></html>\n");
    },
    args: (c) => [...dataCase("good")(c), "--force"],
    expect: [
      /--out .*\/out: folder is not empty \(it holds index\.html, manifest\.json\)/,
      /--force only replaces results folders of openbeat/,
    ],
  },
  {
    name: "--out holding an older openbeat's results, without --force",
    setup: (c) => {
      mkdirSync(c.out);
      writeFileSync(join(c.out, "results.json"), JSON.stringify({ study: "risk", name: "old", data: { rows: 3 } }));
      writeFileSync(join(c.out, "manifest.json"), JSON.stringify({ openbeat: "0.1.0", study_file: "s.yaml", inputs: [] }));
    },
    args: dataCase("good"),
    expect: [/--out .*\/out: holds results of an older openbeat/, /pass --force to replace them/],
  },
  {
    name: "--out equal to the data folder",
    setup: (c) => {
      writeIncidents(join(c.tmp, "data"), readFileSync(`${D}/good/incidents.csv`));
    },
    args: (c) => ["run", `${S}/risk.yaml`, "--data", join(c.tmp, "data"), "--out", join(c.tmp, "data"), "--quiet"],
    expect: [/--out .*\/data: is the data folder \(--data/, /choose another folder/],
  },
  {
    name: "--out inside the data folder",
    setup: (c) => {
      writeIncidents(join(c.tmp, "data"), readFileSync(`${D}/good/incidents.csv`));
    },
    args: (c) => ["run", `${S}/risk.yaml`, "--data", join(c.tmp, "data"), "--out", join(c.tmp, "data", "results"), "--quiet"],
    expect: [/--out .*\/data\/results: is inside the data folder/],
  },
  {
    name: "--out a symbolic link to the data folder",
    setup: (c) => {
      writeIncidents(join(c.tmp, "data"), readFileSync(`${D}/good/incidents.csv`));
      symlinkSync(join(c.tmp, "data"), join(c.tmp, "link"));
    },
    args: (c) => ["run", `${S}/risk.yaml`, "--data", join(c.tmp, "data"), "--out", join(c.tmp, "link"), "--quiet"],
    expect: [/--out .*\/link: is the data folder/],
  },
  {
    name: "--out the study file's folder",
    setup: (c) => project(c),
    args: (c) => ["run", join(c.tmp, "project", "study.yaml"), "--out", join(c.tmp, "project"), "--quiet"],
    expect: [/--out .*\/project: is the study file's folder/],
  },
  {
    name: "--out a folder above the study file and its data",
    setup: (c) => project(c),
    args: (c) => ["run", join(c.tmp, "project", "study.yaml"), "--out", c.tmp, "--quiet"],
    expect: [/--out .*: contains the study file .*, which replacing the folder would delete/],
  },
  {
    name: "--out a source file",
    setup: (c) => project(c),
    args: (c) => ["run", join(c.tmp, "project", "study.yaml"), "--out", join(c.tmp, "project", "incidents.csv"), "--quiet"],
    expect: [/--out .*incidents\.csv: is source "incidents" \(incidents\.csv\)/],
  },
  {
    name: "--out locked by another run",
    setup: (c) => {
      writeFileSync(join(c.tmp, ".out.lock"), JSON.stringify({ pid: process.pid, run_id: "other" }));
    },
    args: dataCase("good"),
    expect: [/--out .*\/out: another openbeat run \(pid \d+\) is writing this folder/, /wait for it to finish/, /\.out\.lock/],
  },
  {
    name: "--out below a file",
    setup: (c) => {
      writeFileSync(join(c.tmp, "file"), "x");
    },
    args: (c) => ["run", `${S}/risk.yaml`, "--data", `${D}/good`, "--out", join(c.tmp, "file", "out"), "--quiet"],
    expect: [/--out .*\/file\/out: a part of the path is a file, not a folder/],
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
    name: "a negative --seed",
    args: (c) => ["run", `${S}/risk.yaml`, "--seed", "-1", "--out", c.out],
    expect: [/--seed: seed must be a whole number from 0 to 4294967295 \(2\^32 - 1\), not -1/],
  },
  {
    name: "a --seed of 2^32",
    args: (c) => ["run", `${S}/risk.yaml`, "--seed", "4294967296", "--out", c.out],
    expect: [/--seed: seed must be a whole number from 0 to 4294967295/],
  },
  {
    name: "a --seed too large for a double",
    args: (c) => ["demo", "--seed", "99999999999999999999999", "--out", c.out],
    expect: [/--seed: seed must be a whole number from 0 to 4294967295/],
  },
  {
    name: "a --seed that is a fraction",
    args: (c) => ["run", `${S}/risk.yaml`, "--seed", "1.5", "--out", c.out],
    expect: [/--seed must be a whole number, not "1\.5"/],
  },
  {
    name: "a negative --seed for the demo",
    args: (c) => ["demo", "--seed", "-3", "--out", c.out],
    expect: [/--seed: seed must be a whole number from 0 to 4294967295/],
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

  {
    name: "score with a model whose coefficient is not finite (null in JSON)",
    setup: (c) => {
      editModel(c, (m) => ((m.coef as unknown[])[1] = null));
    },
    args: (c) => ["score", join(c.tmp, "model.json"), `${BAD}/score/unknown-codes.csv`],
    expect: [/model\.json: model field "coef\.1" is null/, /use the model\.json that "openbeat run" wrote/],
  },
  {
    name: "score with a model that lacks its encoder",
    setup: (c) => {
      editModel(c, (m) => delete m.encoder);
    },
    args: (c) => ["score", join(c.tmp, "model.json"), `${BAD}/score/unknown-codes.csv`],
    expect: [/model\.json: model field "encoder" is missing/],
  },
  {
    name: "score with a model field of the wrong type",
    setup: (c) => {
      editModel(c, (m) => (m.threshold = "high"));
    },
    args: (c) => ["score", join(c.tmp, "model.json"), `${BAD}/score/unknown-codes.csv`],
    expect: [/model\.json: model field "threshold" is "high"/],
  },
  {
    name: "score with an encoder of an unknown shape",
    setup: (c) => {
      editModel(c, (m) => {
        const encoder = m.encoder as { numeric: Record<string, unknown>[] };
        encoder.numeric[0] = { column: "AGE", mean: 40, sd: 12 };
      });
    },
    args: (c) => ["score", join(c.tmp, "model.json"), `${BAD}/score/unknown-codes.csv`],
    expect: [/model\.json: model field "encoder\.numeric\.0/],
  },
  {
    name: "score with a model whose numeric scale is 0",
    setup: (c) => {
      editModel(c, (m) => {
        (m.encoder as { numeric: { scale: number }[] }).numeric[0].scale = 0;
      });
    },
    args: (c) => ["score", join(c.tmp, "model.json"), `${BAD}/score/unknown-codes.csv`],
    expect: [/model\.json: model field "encoder\.numeric\.0\.scale" is 0 \(must be > 0\)/],
  },
  {
    name: "score with a model whose calibration method is unknown",
    setup: (c) => {
      editModel(c, (m) => {
        m.calibration = { method: "beta", a: 1 };
      });
    },
    args: (c) => ["score", join(c.tmp, "model.json"), `${BAD}/score/unknown-codes.csv`],
    expect: [/model\.json: model field "calibration\.method" is "beta"/],
  },
  {
    name: "score with a model whose input types are not a mapping",
    setup: (c) => {
      editModel(c, (m) => {
        m.input_types = ["VARCHAR"];
      });
    },
    args: (c) => ["score", join(c.tmp, "model.json"), `${BAD}/score/unknown-codes.csv`],
    expect: [/model\.json: model field "input_types" is a list/],
  },
  {
    name: "score input that is empty (0 bytes)",
    setup: (c) => {
      writeFileSync(join(c.tmp, "new.csv"), "");
    },
    args: (c) => ["score", c.model, join(c.tmp, "new.csv")],
    expect: [/new\.csv/, /empty \(0 bytes\)/],
  },
  {
    name: "score input that starts like Parquet but is damaged",
    setup: (c) => {
      writeFileSync(join(c.tmp, "new.parquet"), Buffer.concat([Buffer.from("PAR1"), Buffer.alloc(64, 7)]));
    },
    args: (c) => ["score", c.model, join(c.tmp, "new.parquet")],
    expect: [/new\.parquet/, /cannot load|parquet|Parquet/],
  },
  {
    name: "score --out a symbolic link to the input file",
    setup: (c) => {
      writeFileSync(join(c.tmp, "new.csv"), readFileSync(`${BAD}/score/unknown-codes.csv`));
      symlinkSync(join(c.tmp, "new.csv"), join(c.tmp, "link.csv"));
    },
    args: (c) => ["score", c.model, join(c.tmp, "new.csv"), "--out", join(c.tmp, "link.csv")],
    expect: [/--out .*link\.csv: is the input file/],
  },
  {
    name: "score --out naming the input file",
    setup: (c) => {
      writeFileSync(join(c.tmp, "new.csv"), readFileSync(`${BAD}/score/unknown-codes.csv`));
    },
    args: (c) => ["score", c.model, join(c.tmp, "new.csv"), "--out", join(c.tmp, "new.csv")],
    expect: [/--out .*new\.csv: is the input file; choose another file for the scores/],
  },
  {
    name: "score --out naming the model file",
    setup: (c) => {
      editModel(c, () => undefined);
    },
    args: (c) => ["score", join(c.tmp, "model.json"), `${BAD}/score/unknown-codes.csv`, "--out", join(c.tmp, ".", "model.json")],
    expect: [/--out .*model\.json: is the model file/],
  },
  {
    name: "score input that is a device (/dev/zero never ends)",
    args: (c) => ["score", c.model, "/dev/zero"],
    expect: [/\/dev\/zero: is not a regular file; give the path of a CSV or Parquet file/],
  },
  {
    name: "score input that is a folder",
    args: (c) => ["score", c.model, c.tmp],
    expect: [/: is a folder; give the path of a CSV or Parquet file/],
  },
  {
    name: "score input whose column does not read as the trained type",
    setup: (c) => {
      editModel(c, (m) => {
        m.input_types = { ...(m.input_types as Record<string, string>), UNIT: "INTEGER" };
      });
    },
    args: (c) => ["score", join(c.tmp, "model.json"), `${BAD}/score/unknown-codes.csv`],
    expect: [/unknown-codes\.csv: column "UNIT" has 3 values that are not INTEGER, the type it had in the training data/],
  },
  {
    name: "score input with a malformed row and no id column to label rows by",
    setup: (c) => {
      writeFileSync(
        join(c.tmp, "new.csv"),
        "OFFENSE,PREMISE,UNIT,AGE\nMENACING,BAR,PATROL,30\nMENACING,BAR\nMENACING,BAR,PATROL,31\nMENACING,BAR,PATROL,32\n",
      );
    },
    args: (c) => ["score", c.model, join(c.tmp, "new.csv")],
    expect: [/new\.csv: 1 row is malformed \(first at line 3\); fix it so every row is scored/],
  },
  {
    name: "score input that is a FIFO (must not hang)",
    process: true,
    setup: (c) => {
      execFileSync("mkfifo", [join(c.tmp, "pipe.csv")]);
    },
    args: (c) => ["score", c.model, join(c.tmp, "pipe.csv")],
    expect: [/pipe\.csv: is not a regular file/],
  },
  {
    name: "a source that is a FIFO (must not hang)",
    process: true,
    setup: (c) => {
      mkdirSync(join(c.tmp, "data"));
      execFileSync("mkfifo", [join(c.tmp, "data", "incidents.csv")]);
    },
    args: (c) => run("risk", join(c.tmp, "data"))(c),
    expect: [/risk\.yaml: source "incidents": incidents\.csv is a FIFO \(named pipe\), not a regular file/],
  },
  {
    name: "a source that is a device",
    setup: (c) => {
      mkdirSync(join(c.tmp, "data"));
      symlinkSync("/dev/zero", join(c.tmp, "data", "incidents.csv"));
    },
    args: (c) => [...run("risk", join(c.tmp, "data"))(c), "--allow-outside-paths"],
    expect: [/risk\.yaml: source "incidents": incidents\.csv is a device, not a regular file/],
  },

  // ---- operating-system errors: one line each (src/util/errors.ts osUserError) ----
  {
    name: "score --out on a full disk (/dev/full)",
    args: (c) => ["score", c.model, `${BAD}/score/unknown-codes.csv`, "--out", "/dev/full"],
    expect: [/\/dev\/full: the disk is full; free some space/],
  },
  {
    name: "score --out below a file",
    setup: (c) => {
      writeFileSync(join(c.tmp, "file"), "x");
    },
    args: (c) => ["score", c.model, `${BAD}/score/unknown-codes.csv`, "--out", join(c.tmp, "file", "scores.csv")],
    expect: [/file\/\.scores\.csv\.tmp-[\w-]+: a part of the path is a file, not a folder; fix the path/],
  },
  {
    name: "score --out with a name too long for the file system",
    args: (c) => ["score", c.model, `${BAD}/score/unknown-codes.csv`, "--out", join(c.tmp, `${"s".repeat(300)}.csv`)],
    expect: [/: the name is too long for the file system; choose a shorter path/],
  },
  {
    name: "run --out with a name too long for the file system",
    args: (c) => ["run", `${S}/risk.yaml`, "--data", `${D}/good`, "--out", join(c.tmp, "o".repeat(300)), "--quiet"],
    expect: [/too long/, /choose a shorter/],
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

const tier = testTier();
/** Whether a case runs in this tier: in-process cases in unit, process cases in e2e. */
const inTier = (bad: BadCase) => (bad.process ? tier === "e2e" : tier === "unit");
/** Runs a case's command line as the case needs: in this process, or as the built binary in a child process. */
const execute = (bad: BadCase, args: string[]) => (bad.process ? spawnCli(args) : runCli(args));

beforeAll(async () => {
  if (!cases.some(inTier)) return;
  if (cases.some((c) => c.process && inTier(c))) ensureDist();
  shared = mkdtempSync(join(tmpdir(), "openbeat-bad-"));
  const r = await runCli(["run", `${S}/risk.yaml`, "--data", `${D}/good`, "--out", join(shared, "good"), "--quiet"]);
  if (r.code !== 0) throw new Error(`the base study must run: ${r.stderr}`);
  model = join(shared, "good", "model.json");
}, 180_000);

afterAll(() => {
  if (shared) rmSync(shared, { recursive: true, force: true });
});

describe("bad inputs end with exit 1 and one clear line", () => {
  if (tier === "unit")
    it("the corpus has at least 120 cases", () => {
      expect(cases.length).toBeGreaterThanOrEqual(120);
      expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    });

  // Only this tier's cases are registered, so neither tier reports the other's cases as skipped.
  for (const bad of cases.filter(inTier)) {
    it.skipIf(bad.skip)(bad.name, async () => {
      const tmp = mkdtempSync(join(tmpdir(), "openbeat-case-"));
      try {
        const c: Ctx = { tmp, out: join(tmp, "out"), model };
        bad.setup?.(c);
        const before = hashTree(BAD, tmp);
        const leftovers = () => readdirSync(dirname(c.out)).filter((f) => f.includes(".tmp-") || f.endsWith(".lock"));
        const leftBefore = leftovers();
        const r = await execute(bad, bad.args(c));
        // One message, whose first line may be followed by the engine's hint lines, indented (an SQL error's
        // candidate bindings and its LINE pointer).
        const all = lines(r.stderr);
        const err = all.filter((l) => !/^ {2}\S|^ +\^$/.test(l));
        if (all.length > err.length) expect(/^ /.test(all[0]), r.stderr).toBe(false);
        expect(r.code, r.stderr).toBe(1);
        expect(err.length, r.stderr).toBeGreaterThanOrEqual(1);
        expect(err.length, r.stderr).toBeLessThanOrEqual(2);
        expect(err[0]).toMatch(/^openbeat: /);
        expect(r.stderr).not.toMatch(/^\s{4}at /m);
        expect(r.stderr).not.toMatch(/internal error/);
        for (const re of bad.expect) expect(r.stderr).toMatch(re);
        expect(leftovers()).toEqual(leftBefore);
        expect(hashTree(BAD, tmp)).toEqual(before);
        bad.after?.(c);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});

/** The parts of results.json these cases read. */
interface OkResults {
  warnings: ({ code: string } & Record<string, unknown>)[];
  data: { rows: number };
  factors: { feature: string }[];
  model: { coefficients: { feature: string }[] };
}

if (tier === "unit")
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
      const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as OkResults;
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

    /** The good CSV with `edit(fields, i)` applied to each data row (fields by header name). */
    function dirtyCopy(dir: string, edit: (f: Record<string, string>, i: number) => void): void {
      const [head, ...rows] = readFileSync(`${D}/good/incidents.csv`, "utf8").trimEnd().split("\n");
      const names = head.split(",");
      const out = rows.map((line, i) => {
        const f = Object.fromEntries(line.split(",").map((v, j) => [names[j], v]));
        edit(f, i);
        return names.map((n) => (/[",\n]/.test(f[n]) ? `"${f[n].replaceAll('"', '""')}"` : f[n])).join(",");
      });
      writeIncidents(dir, `${head}\n${out.join("\n")}\n`);
    }
    async function runDirty(study: string, edit: (f: Record<string, string>, i: number) => void) {
      const tmp = mkdtempSync(join(tmpdir(), "openbeat-dirty-"));
      try {
        dirtyCopy(join(tmp, "data"), edit);
        const out = join(tmp, "out");
        const r = await runCli(["run", `${S}/${study}.yaml`, "--data", join(tmp, "data"), "--out", out, "--quiet"]);
        expect(r.code, r.stderr).toBe(0);
        const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as OkResults;
        const model = JSON.parse(readFileSync(join(out, "model.json"), "utf8")) as { encoder: { features: { name: string }[] } };
        const features = model.encoder.features.map((f) => f.name);
        return { results, features, stderr: r.stderr, out, tmp };
      } catch (e) {
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      }
    }
    /** Case variants (BAR/Bar, M/m), trailing spaces, a NUL byte, null/NULL. */
    const dirt = (f: Record<string, string>, i: number) => {
      if (f.PREMISE === "BAR" && i % 3 === 0) f.PREMISE = "Bar";
      if (f.PREMISE === "PARK" && i % 4 === 0) f.PREMISE = "PA\u0000RK";
      if (i % 5 === 0) f.UNIT = `${f.UNIT} `;
      if (f.OFFENSE === "MENACING") f.OFFENSE = i % 2 ? "null" : "NULL";
    };

    it("categories that differ only in case or white space, or hold a NUL byte, get unique names and warnings", async () => {
      const { results, features, tmp } = await runDirty("risk", dirt);
      try {
        expect(new Set(features.map((f) => f.toLowerCase())).size).toBe(features.length);
        expect(features).toEqual(expect.arrayContaining(["PREMISE=BAR", "PREMISE=Bar #2", "PREMISE=PA\\x00RK", "UNIT=PATROL "]));
        const cv = results.warnings.find((w) => w.code === "data.case_variants" && w.column === "PREMISE");
        expect(cv?.message).toMatch(/"BAR" \(\d+\), "Bar" \(\d+\)/);
        expect(cv?.message).toMatch(/features\.fold: \{ case: true \}/);
        expect(results.warnings.find((w) => w.code === "data.case_variants" && w.column === "OFFENSE")?.message).toMatch(/"NULL"|"null"/);
        expect(results.warnings.find((w) => w.code === "data.whitespace_variants" && w.column === "UNIT")?.message).toMatch(
          /"PATROL" \(\d+\), "PATROL " \(\d+\)/,
        );
        // features.parquet was written with every design column
        expect(existsSync(join(tmp, "out", "features.parquet"))).toBe(true);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });

    it("features.fold merges case and white-space variants into one level each", async () => {
      const { results, features, tmp } = await runDirty("risk-fold", dirt);
      rmSync(tmp, { recursive: true, force: true });
      expect(features.filter((f) => /^PREMISE=bar/i.test(f))).toEqual(["PREMISE=BAR"]);
      expect(features.filter((f) => f.startsWith("UNIT="))).toEqual(["UNIT=NARCOTICS", "UNIT=PATROL", "UNIT=TRAFFIC"]);
      expect(features.filter((f) => /^OFFENSE=null/i.test(f))).toHaveLength(1);
      expect(results.warnings.find((w) => w.code === "data.case_variants" && w.column === "PREMISE")?.message).toMatch(/merged/);
    });

    it("duplicate ids in the id column are a warning with the count", async () => {
      const { results, tmp } = await runDirty("risk", (f, i) => {
        if (i % 30 === 1) f.INCIDENT_NUMBER = "I21-1000";
        if (i === 50) f.INCIDENT_NUMBER = "I21-1002";
      });
      rmSync(tmp, { recursive: true, force: true });
      const w = results.warnings.find((x) => x.code === "data.duplicate_ids");
      expect(w).toMatchObject({ column: "INCIDENT_NUMBER", ids: 2, rows: 6, examples: ["I21-1000", "I21-1002"] });
      expect(w?.message).toMatch(/risk\.id "INCIDENT_NUMBER" is not unique: 2 ids \(e\.g\. "I21-1000", "I21-1002"\) appear in 6 rows/);
    });

    it("a numeric value of 1e308 is standardised without overflow", async () => {
      const { results, tmp } = await runDirty("risk", (f, i) => {
        if (i === 3) f.AGE = "1e308";
        if (i === 4) f.AGE = "-1.7e308";
      });
      rmSync(tmp, { recursive: true, force: true });
      const age = (results.model.coefficients as { feature: string; coefficient: number | null }[]).find((c) => c.feature === "AGE");
      expect(age?.coefficient).not.toBeNull();
      expect(Number.isFinite(age?.coefficient)).toBe(true);
      expect(age?.coefficient).not.toBe(0);
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

if (tier === "unit")
  describe("a rerun into a results folder", () => {
    it("keeps the files the user added there, says so, and replaces only openbeat's own files", async () => {
      const tmp = mkdtempSync(join(tmpdir(), "openbeat-rerun-"));
      const out = join(tmp, "out");
      try {
        const first = await runCli(["run", `${S}/risk.yaml`, "--data", `${D}/good`, "--out", out, "--quiet"]);
        expect(first.code, first.stderr).toBe(0);
        writeFileSync(join(out, "notes.txt"), "my notes\n");
        mkdirSync(join(out, "figures"));
        writeFileSync(join(out, "figures", "fig.svg"), "<svg/>\n");
        const second = await runCli(["run", `${S}/risk.yaml`, "--data", `${D}/good`, "--out", out]);
        expect(second.code, second.stderr).toBe(0);
        expect(second.stderr).toMatch(/kept 2 files openbeat did not write in .*\/out: figures, notes\.txt/);
        expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("my notes\n");
        expect(readFileSync(join(out, "figures", "fig.svg"), "utf8")).toBe("<svg/>\n");
        expect(readdirSync(tmp)).toEqual(["out"]);
        const marker = JSON.parse(readFileSync(join(out, ".openbeat"), "utf8")) as { files: string[] };
        expect(marker.files).toEqual([
          "factors.csv",
          "features.parquet",
          "findings.csv",
          "manifest.json",
          "model.json",
          "prepared.parquet",
          "report.html",
          "results.json",
          "variables.csv",
        ]);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });

    it("--force replaces an older openbeat's folder (no marker) and keeps the user's files", async () => {
      const tmp = mkdtempSync(join(tmpdir(), "openbeat-force-"));
      const out = join(tmp, "out");
      try {
        mkdirSync(out);
        writeFileSync(join(out, "results.json"), JSON.stringify({ study: "risk", name: "old", data: { rows: 3 } }));
        writeFileSync(join(out, "manifest.json"), JSON.stringify({ openbeat: "0.1.0", study_file: "s.yaml", inputs: [] }));
        writeFileSync(join(out, "notes.txt"), "mine\n");
        const r = await runCli(["run", `${S}/risk.yaml`, "--data", `${D}/good`, "--out", out, "--force"]);
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine\n");
        expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8"))).toMatchObject({ name: "reliability base risk study" });
        expect(readdirSync(tmp)).toEqual(["out"]);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  });

if (tier === "unit")
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
