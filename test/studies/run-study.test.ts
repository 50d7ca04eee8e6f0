import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db, quoteString } from "../../src/data/Db.js";
import { manifestSchema, resultsSchema } from "../../src/results/schema.js";
import { runStudy, type RunSummary } from "../../src/studies/run-study.js";
import { loadStudy } from "../../src/studies/study-file/load-study.js";
import { stableJson } from "../../src/studies/write-results.js";
import { UserError } from "../../src/util/errors.js";
import { Logger } from "../../src/util/logger.js";

/** runStudy end to end in this process, from the corpus's base study files into a temporary results folder. */

const STUDIES = "test/fixtures/bad/studies";
const DATA = "test/fixtures/bad/data";
const startedAt = "2024-01-02T03:04:05.000Z";
let tmp: string;
let db: Db;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-run-study-"));
  db = await Db.open();
});
afterAll(async () => {
  await db.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs a study file of the corpus (or a path) on a data folder of the corpus into `tmp/out`. */
async function run(study: string, data: string, out: string, seed?: number): Promise<RunSummary> {
  const loaded = await loadStudy(study.endsWith(".yaml") ? study : `${STUDIES}/${study}.yaml`);
  return runStudy(loaded, { dataDir: `${DATA}/${data}`, out: join(tmp, out), logger: new Logger({ silent: true }), startedAt, seed });
}

const read = (out: string, file: string) => readFileSync(join(tmp, out, file), "utf8");

async function parquet(out: string, file: string, sql = "count(*)::INTEGER AS n"): Promise<Record<string, unknown>> {
  const [row] = await db.query(`SELECT ${sql} FROM read_parquet(${quoteString(join(tmp, out, file))})`);
  return row;
}

/** The first contract issue of a parsed JSON file (undefined when there is none). */
function contractIssue(schema: typeof resultsSchema | typeof manifestSchema, value: unknown): string | undefined {
  const issue = schema.safeParse(value).error?.issues[0];
  return issue && `${issue.path.join(".")}: ${issue.message}`;
}

describe("runStudy(loaded, options): risk", () => {
  let summary: RunSummary;
  beforeAll(async () => {
    summary = await run("risk", "good", "risk");
  });

  it("writes the whole results folder, and nothing beside it", () => {
    expect(readdirSync(join(tmp, "risk")).sort()).toEqual([
      ".openbeat",
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
    expect(readdirSync(tmp).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("results.json and manifest.json follow the results contract; results.json is what the run returned", () => {
    const results: unknown = JSON.parse(read("risk", "results.json"));
    expect(contractIssue(resultsSchema, results)).toBeUndefined();
    expect(read("risk", "results.json")).toBe(stableJson(summary.results));
    const manifest = JSON.parse(read("risk", "manifest.json")) as { started_at: string; inputs: { rows: number }[]; seed: number };
    expect(contractIssue(manifestSchema, manifest)).toBeUndefined();
    expect(manifest).toMatchObject({ started_at: startedAt, seed: 7, inputs: [{ rows: 90 }] });
    expect(summary.results).toMatchObject({ study: "risk", seed: 7, data: { rows: 90, table_rows: 90, positives: 23 } });
  });

  it("features.parquet holds a row per modelled row and prepared.parquet an out-of-fold score for each", async () => {
    const r = summary.results;
    expect(await parquet("risk", "features.parquet")).toEqual({ n: r.data.rows });
    const cols = await db.query(`DESCRIBE SELECT * FROM read_parquet(${quoteString(join(tmp, "risk", "features.parquet"))})`);
    expect(cols.map((c) => c.column_name)).toEqual([
      "_row",
      "INCIDENT_NUMBER",
      ...(JSON.parse(read("risk", "model.json")) as { encoder: { features: { name: string }[] } }).encoder.features.map((f) => f.name),
    ]);
    const scored = await parquet(
      "risk",
      "prepared.parquet",
      "count(*)::INTEGER AS n, count(_score)::INTEGER AS scored, min(_score) AS lo, max(_score) AS hi",
    );
    expect(scored).toMatchObject({ n: r.data.table_rows, scored: r.data.rows });
    expect(scored.lo).toBeGreaterThanOrEqual(0);
    expect(scored.hi).toBeLessThanOrEqual(1);
  });

  it("the same seed writes a byte-identical results.json and model.json; another seed changes the folds", async () => {
    await run("risk", "good", "risk-again");
    for (const f of ["results.json", "model.json"]) expect(read("risk-again", f)).toBe(read("risk", f));
    const other = await run("risk", "good", "risk-seed-8", 8);
    expect(other.results.seed).toBe(8);
    expect(read("risk-seed-8", "results.json")).not.toBe(read("risk", "results.json"));
  });
});

describe("runStudy(loaded, options): segments", () => {
  it("writes a results folder whose clusters cover every row, deterministically", async () => {
    // The corpus's segments study with bootstrap stability turned on (it has stability_resamples: 0).
    const study = join(tmp, "segments.yaml");
    writeFileSync(study, readFileSync(`${STUDIES}/segments.yaml`, "utf8").replace("stability_resamples: 0", "stability_resamples: 3"));
    const a = await run(study, "segments-small", "seg");
    await run(study, "segments-small", "seg-again");
    expect(contractIssue(resultsSchema, JSON.parse(read("seg", "results.json")))).toBeUndefined();
    expect(read("seg-again", "results.json")).toBe(read("seg", "results.json"));
    if (a.results.study !== "segments") throw new Error("expected segments results");
    // Sizes sum to the rows; disclosure control hides none, or at least two whose sum is at least min_cell.
    const hidden = a.results.clusters.filter((c) => c.size === null);
    expect(hidden.every((c) => c.suppressed?.includes("size"))).toBe(true);
    expect(hidden.length === 0 || hidden.length >= 2).toBe(true);
    expect(a.results.clusters.reduce((s, c) => s + (c.size ?? 0), 0)).toBeLessThanOrEqual(a.results.data.rows);
    const clustered = await parquet(
      "seg",
      "prepared.parquet",
      "count(*)::INTEGER AS n, count(_cluster)::INTEGER AS c, max(_cluster) AS hi",
    );
    expect(clustered).toEqual({ n: a.results.data.table_rows, c: a.results.data.rows, hi: a.results.k - 1 });
  });
});

describe("runStudy(loaded, options): a failed run", () => {
  it("throws the user error and leaves neither a results folder nor a staging folder", async () => {
    const err = await run("risk", "one-class", "failed").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe("data.one_class");
    expect(readdirSync(tmp).filter((f) => f === "failed" || f.includes(".tmp-"))).toEqual([]);
  });
});
