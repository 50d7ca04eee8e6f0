import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { runCli } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/io.js";
import { draftStudy, snakeName } from "../../src/studies/init/draft-study.js";
import { parseStudy } from "../../src/studies/study-file/load-study.js";

/** `openbeat init` drafts a study file from data that runs as written. */

let tmp: string;

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A seeded export of 400 incidents: ids, text dates with a time, date-only text, HHMM integers, a leak. */
function writeExport(path: string): void {
  let s = 12345;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const lines = ["Incident ID,Reported On,Date Occ,TIME OCC,Premise Type,Weapon,Officers,Age,Narrative,Arrest Made,Arrest Booked,Latitude"];
  for (let i = 0; i < 400; ++i) {
    const premise = pick(["STREET", "RESIDENCE", "STORE", "PARK"]);
    const weapon = pick(["NONE", "KNIFE", "GUN"]);
    const arrest = rand() < (weapon === "GUN" ? 0.5 : 0.15) ? "Y" : "N";
    const m = 1 + Math.floor(rand() * 12);
    const d = 1 + Math.floor(rand() * 28);
    const h = 1 + Math.floor(rand() * 12);
    const min = Math.floor(rand() * 60);
    const hhmm = Math.floor(rand() * 24) * 100 + Math.floor(rand() * 60);
    lines.push(
      [
        `INC-${String(10000 + i)}`,
        `${String(m).padStart(2, "0")}/${String(d).padStart(2, "0")}/2023 ${String(h).padStart(2, "0")}:${String(min).padStart(2, "0")} ${pick(["AM", "PM"])}`,
        `2023-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
        String(hhmm),
        premise,
        weapon,
        String(1 + Math.floor(rand() * 4)),
        rand() < 0.05 ? "" : String(18 + Math.floor(rand() * 60)),
        `"Officers responded to a call about incident number ${String(i)} and wrote a long narrative here"`,
        arrest,
        arrest === "Y" ? "Y" : "N",
        (39 + rand()).toFixed(5),
      ].join(","),
    );
  }
  writeFileSync(path, lines.join("\n") + "\n");
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-init-"));
  mkdirSync(join(tmp, "data"));
  writeExport(join(tmp, "data", "incidents.csv"));
  for (const year of [2021, 2022])
    writeFileSync(join(tmp, "data", `Calls_${String(year)}.csv`), readFileSync(join(tmp, "data", "incidents.csv")));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("snakeName(name)", () => {
  it("makes names the study file can use", () => {
    expect(snakeName("Date  Occurred")).toBe("date_occurred");
    expect(snakeName("CrimeDateTime")).toBe("crime_date_time");
    expect(snakeName("2019 count")).toBe("c_2019_count");
  });
});

describe("draftStudy({ files, kind })", () => {
  it("drafts a risk study: tested strptime format, HHMM time joined to a date-only column, id, features, leaks left out", async () => {
    const out = join(tmp, "data", "risk.yaml");
    const draft = await draftStudy({ files: [join(tmp, "data", "incidents.csv")], kind: "risk", out });
    expect(draft.dataDir).toBeUndefined();
    const spec = parseStudy(draft.yaml, out);
    expect(spec.kind).toBe("risk");
    const doc = parse(draft.yaml) as {
      sources: Record<string, { path: string }>;
      prepare: { sql: string }[];
      risk: {
        target: string;
        id: string;
        date: string;
        features: { categorical: string[]; numeric: string[]; dates: { column: string; parts: string[] }[] };
      };
    };
    expect(doc.sources).toEqual({ incidents: { path: "incidents.csv" } });
    expect(doc.risk.target).toBe("arrest_made");
    expect(draft.leakage).toEqual(["Arrest Booked"]);
    expect(doc.risk.id).toBe("incident_id");
    expect(doc.risk.features.categorical).toEqual(expect.arrayContaining(["premise_type", "weapon", "officers"]));
    expect(doc.risk.features.numeric).toEqual(["age"]);
    expect(doc.prepare[0].sql).toContain(`strptime("Reported On", '%m/%d/%Y %I:%M %p')`);
    // The date-only column gets its time from the HHMM integers.
    expect(doc.prepare[0].sql).toContain(`CAST("Date Occ" AS DATE) + make_time("TIME OCC" // 100, "TIME OCC" % 100, 0)`);
    expect(doc.risk.features.dates.map((d) => d.parts.includes("hour"))).toEqual([true, true]);
    const left = new Map(draft.columns.filter((c) => c.role === "left_out").map((c) => [c.column, c.note]));
    expect(left.get("Narrative")).toMatch(/^free text|^near-unique/);
    expect(left.get("Latitude")).toMatch(/^coordinates/);
    expect(left.get("TIME OCC")).toMatch(/HHMM/);
    expect(draft.yaml).toMatch(/# Premise Type: 4 levels \(/);
  });

  it("a date-only column without a time column gets no hour part", async () => {
    const path = join(tmp, "dates.csv");
    writeFileSync(
      path,
      ["Day,Kind", ...Array.from({ length: 60 }, (_, i) => `2024-01-${String((i % 28) + 1).padStart(2, "0")},${"abc"[i % 3]}`)].join("\n"),
    );
    const draft = await draftStudy({ files: [path], kind: "segments", out: join(tmp, "dates.yaml") });
    expect(draft.yaml).toContain("- { column: day, parts: [weekday, month, year] }   # dates without a time of day: no hour");
    parseStudy(draft.yaml);
  });

  it("a segments draft of more than 5,000 rows asks for a lighter choice of k, and names each default it lowers", async () => {
    const path = join(tmp, "many.csv");
    const kinds = ["a", "b", "c", "d"];
    writeFileSync(
      path,
      ["Row,Kind,Size", ...Array.from({ length: 5001 }, (_, i) => `${String(i)},${kinds[i % 4]},${String(i % 17)}`)].join("\n"),
    );
    const draft = await draftStudy({ files: [path], kind: "segments", out: join(tmp, "many.yaml") });
    expect(draft.yaml).toContain("  k: { min: 2, max: 8, seeds: 1 }   # seeds: 5 (the default)");
    expect(draft.yaml).toMatch(/^ {2}stability_resamples: 10 {3}# default 20$/m);
    expect(draft.yaml).toMatch(/^ {2}silhouette_sample: 2000 {3}# default 10000 /m);
    expect(draft.yaml).toMatch(/^ {2}structure: \{ draws: 10 \} {3}# default 20 /m);
    const spec = parseStudy(draft.yaml);
    expect(spec.kind === "segments" && spec.segments).toMatchObject({
      k: { seeds: 1 },
      stability_resamples: 10,
      silhouette_sample: 2000,
      structure: { draws: 10, n_init: 3 },
    });
    // At 5,000 rows and below the draft keeps the defaults.
    const few = join(tmp, "few.csv");
    writeFileSync(few, readFileSync(path, "utf8").split("\n").slice(0, 5001).join("\n"));
    const small = await draftStudy({ files: [few], kind: "segments", out: join(tmp, "few.yaml") });
    expect(small.yaml).toContain("  k: { min: 2, max: 8 }\n");
    expect(small.yaml).not.toMatch(/stability_resamples|silhouette_sample|structure:/);
  });

  it(
    "files whose names differ in digits become one glob source; data outside the study's folder is read with --data",
    { timeout: 600_000 },
    async () => {
      mkdirSync(join(tmp, "studies"), { recursive: true });
      const out = join(tmp, "studies", "calls.yaml");
      const draft = await draftStudy({
        files: [join(tmp, "data", "Calls_2021.csv"), join(tmp, "data", "Calls_2022.csv")],
        kind: "segments",
        out,
      });
      expect(draft.yaml).toContain('calls: { path: "Calls_*.csv" }   # 2 files, unioned by column name');
      expect(draft.dataDir).toBe(join(tmp, "data"));
      expect(draft.yaml).toMatch(/^# {3}openbeat run .*calls\.yaml --data /m);
      // The run reports both files, with their rows, in results.json and manifest.json. It is here for the inputs it
      // records, so it clusters as lightly as a study can (the e2e tier runs drafts unedited).
      const study = parseDocument(draft.yaml);
      study.setIn(["segments", "k"], { min: 2, max: 3, seeds: 1 });
      study.setIn(["segments", "structure"], false);
      study.setIn(["segments", "stability_resamples"], 0);
      study.setIn(["segments", "compare_methods"], false);
      writeFileSync(out, study.toString());
      const run = await cli(["run", out, "--data", join(tmp, "data"), "--out", join(tmp, "calls-results"), "--quiet"]);
      expect(run.code, run.stderr).toBe(0);
      for (const file of ["results.json", "manifest.json"]) {
        const json = JSON.parse(readFileSync(join(tmp, "calls-results", file), "utf8")) as {
          data?: { inputs: { path: string; rows: number; files?: { path: string; rows: number }[] }[] };
          inputs?: { path: string; rows: number; files?: { path: string; rows: number }[] }[];
        };
        const [input] = json.data?.inputs ?? json.inputs ?? [];
        expect(input.path).toBe("Calls_*.csv");
        expect(input.rows).toBe(800);
        expect(input.files?.map((f) => [f.path, f.rows])).toEqual([
          ["Calls_2021.csv", 400],
          ["Calls_2022.csv", 400],
        ]);
      }
    },
  );

  it("--target must name a two-valued column; the error lists the ones that are", async () => {
    await expect(draftStudy({ files: [join(tmp, "data", "incidents.csv")], kind: "risk", target: "Weapon" })).rejects.toMatchObject({
      code: "init.target",
      message: expect.stringMatching(/--target Weapon: has 3 distinct values.*Arrest Made/) as unknown,
    });
  });
});

describe("openbeat init … then openbeat run", () => {
  it("the drafted study runs unedited, and init never overwrites --out", { timeout: 600_000 }, async () => {
    const out = join(tmp, "data", "study.yaml");
    const init = await cli(["init", join(tmp, "data", "incidents.csv"), "--kind", "risk", "--out", out]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(
      /^openbeat init: risk study of arrest_made: \d+ categorical, 1 numeric, 2 date columns; \d+ left out \(leakage-prone: Arrest Booked\); wrote /,
    );
    expect(existsSync(out)).toBe(true);
    const schemaLine = readFileSync(out, "utf8").split("\n", 1)[0];
    expect(resolve(dirname(out), schemaLine.replace(/^# yaml-language-server: \$schema=/, ""))).toBe(resolve("schema/study.schema.json"));
    const again = await cli(["init", join(tmp, "data", "incidents.csv"), "--kind", "risk", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const run = await cli(["run", out, "--out", join(tmp, "results"), "--quiet"]);
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(tmp, "results", "results.json"), "utf8")) as { study: string; data: { rows: number } };
    expect(results.study).toBe("risk");
    expect(results.data.rows).toBe(400);
  });

  it("without --out the draft goes to standard output", async () => {
    const r = await cli(["init", join(tmp, "data", "incidents.csv"), "--kind", "segments"]);
    expect(r.code, r.stderr).toBe(0);
    // The schema comment names the schema from the working folder, where a study file written without --out would be.
    const [first, second] = r.stdout.split("\n");
    expect(existsSync(resolve(first.replace(/^# yaml-language-server: \$schema=/, "")))).toBe(true);
    expect(first).toMatch(/^# yaml-language-server: \$schema=\S+study\.schema\.json$/);
    expect(second).toMatch(/^# Drafted by openbeat init/);
    expect(parseStudy(r.stdout).kind).toBe("segments");
  });
});
