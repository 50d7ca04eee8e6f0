import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../../src/data/Db.js";
import { sha256File } from "../../../src/data/file-hash.js";
import { loadSources } from "../../../src/data/load-sources.js";
import { sourceSchema, type SourceSpec } from "../../../src/data/sources/source-spec.js";
import { columnDrift, columnKey, expandSourcePath, globSegmentRegExp } from "../../../src/data/sources/index.js";
import { Logger } from "../../../src/util/logger.js";

/** Sources that read several files into one table (globs, lists), and Parquet and NDJSON files. */

let db: Db;
let dir: string;
const study = (sources: Record<string, unknown>): { sources: Record<string, SourceSpec> } => ({
  sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, sourceSchema.parse(v)])),
});

beforeAll(async () => {
  db = await Db.open();
  dir = mkdtempSync(join(tmpdir(), "openbeat-file-set-"));
  mkdirSync(join(dir, "yearly", "old"), { recursive: true });
  mkdirSync(join(dir, "outside"));
  // Three yearly exports whose schema drifts: 2020 adds WEAPON, 2021 spells the date with two spaces and upper case
  // and drops DISTRICT.
  writeFileSync(join(dir, "yearly", "Police_2019.csv"), "ID,Date Occurred,DISTRICT\n1,2019-01-02,N\n2,2019-03-04,S\n");
  writeFileSync(join(dir, "yearly", "Police_2020.csv"), "ID,Date Occurred,DISTRICT,WEAPON\n3,2020-05-06,N,knife\n");
  writeFileSync(join(dir, "yearly", "Police_2021.csv"), "ID,DATE  OCCURRED,WEAPON\n4,2021-07-08,gun\n5,2021-09-10,\n6,2021-11-12,gun\n");
  writeFileSync(join(dir, "yearly", "old", "Police_2018.csv"), "ID,Date Occurred,DISTRICT\n0,2018-12-31,E\n");
  writeFileSync(join(dir, "yearly", "notes.txt"), "not data\n");
  writeFileSync(join(dir, "outside", "Police_1999.csv"), "ID\n9\n");
  writeFileSync(
    join(dir, "calls.ndjson"),
    '{"id": 1, "kind": "theft", "at": "2024-01-02T03:04:05"}\n{"id": 2, "kind": "assault", "at": null}\n',
  );
  writeFileSync(join(dir, "more.jsonl"), '{"id": 3, "kind": "theft", "extra": true}\n');
  await db.exec(
    `COPY (SELECT range::INTEGER AS id, 'k' || (range % 3)::VARCHAR AS kind FROM range(7)) TO '${join(dir, "a.parquet")}' (FORMAT parquet)`,
  );
  await db.exec(`COPY (SELECT 100 AS id, 2.5 AS score) TO '${join(dir, "b.parquet")}' (FORMAT parquet)`);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("globs", () => {
  it("globSegmentRegExp(segment) reads *, ?, [..], {a,b} and does not match a leading dot", () => {
    expect(globSegmentRegExp("Police_*.csv").test("Police_2019.csv")).toBe(true);
    expect(globSegmentRegExp("Police_*.csv").test("Police_2019.tsv")).toBe(false);
    expect(globSegmentRegExp("20?[0-9].{csv,txt}").test("2019.txt")).toBe(true);
    expect(globSegmentRegExp("20?[!0-9].csv").test("2019.csv")).toBe(false);
    expect(globSegmentRegExp("*.csv").test(".hidden.csv")).toBe(false);
    expect(globSegmentRegExp("a.b").test("axb")).toBe(false);
  });

  it("expandSourcePath(base, glob) lists matching files sorted; ** crosses folders", async () => {
    const one = await expandSourcePath(dir, "yearly/Police_*.csv");
    expect(one.map((f) => f.path)).toEqual(["yearly/Police_2019.csv", "yearly/Police_2020.csv", "yearly/Police_2021.csv"]);
    const deep = await expandSourcePath(dir, "yearly/**/Police_*.csv");
    expect(deep.map((f) => f.path)).toEqual([
      "yearly/Police_2019.csv",
      "yearly/Police_2020.csv",
      "yearly/Police_2021.csv",
      "yearly/old/Police_2018.csv",
    ]);
    expect(await expandSourcePath(dir, "yearly/*.xlsx")).toEqual([]);
  });

  it("columnKey and columnDrift: case, spaces and underscores are one column; added and missing against the file before", () => {
    expect(columnKey(" Date  OCCURRED ")).toBe(columnKey("date_occurred"));
    const d = columnDrift([
      ["ID", "Date Occurred", "DISTRICT"],
      ["ID", "Date Occurred", "DISTRICT", "WEAPON"],
      ["ID", "DATE  OCCURRED", "WEAPON"],
    ]);
    expect(d.files).toEqual([
      { added: [], missing: [], renamed: [] },
      { added: ["WEAPON"], missing: [], renamed: [] },
      { added: [], missing: ["DISTRICT"], renamed: [{ from: "DATE  OCCURRED", to: "Date Occurred" }] },
    ]);
  });
});

describe("loadSources with a glob or a list", () => {
  it("unions yearly CSV files by column name, with _source_file, per-file rows and the drift", async () => {
    const logger = new Logger({ silent: true });
    const [input] = await loadSources(db, study({ crimes: { path: "yearly/Police_*.csv" } }), { studyFile: join(dir, "s.yaml"), logger });
    expect(input.rows).toBe(6);
    expect(input.path).toBe("yearly/Police_*.csv");
    const files = input.files ?? [];
    expect(files.map((f) => [f.path, f.rows])).toEqual([
      ["yearly/Police_2019.csv", 2],
      ["yearly/Police_2020.csv", 1],
      ["yearly/Police_2021.csv", 3],
    ]);
    for (const f of files) expect(f.sha256).toBe(await sha256File(join(dir, f.path)));
    const expected = createHash("sha256")
      .update(files.map((f) => `${f.sha256}  ${f.path}\n`).join(""))
      .digest("hex");
    expect(input.sha256).toBe(expected);
    expect(files[1].added).toEqual(["WEAPON"]);
    expect(files[2].missing).toEqual(["DISTRICT"]);
    expect(files[2].renamed).toEqual([{ from: "DATE  OCCURRED", to: "Date Occurred" }]);

    expect((await db.columns("crimes")).map((c) => c.name)).toEqual(["ID", "Date Occurred", "DISTRICT", "WEAPON", "_source_file"]);
    const rows = await db.query(
      `SELECT ID::INTEGER AS id, "Date Occurred"::VARCHAR AS d, DISTRICT AS district, WEAPON AS weapon, _source_file AS f FROM crimes ORDER BY ID`,
    );
    expect(rows.map((r) => [r.id, r.d, r.district, r.weapon, r.f])).toEqual([
      [1, "2019-01-02", "N", null, "yearly/Police_2019.csv"],
      [2, "2019-03-04", "S", null, "yearly/Police_2019.csv"],
      [3, "2020-05-06", "N", "knife", "yearly/Police_2020.csv"],
      [4, "2021-07-08", null, "gun", "yearly/Police_2021.csv"],
      [5, "2021-09-10", null, null, "yearly/Police_2021.csv"],
      [6, "2021-11-12", null, "gun", "yearly/Police_2021.csv"],
    ]);
    const drift = logger.warnings.filter((w) => w.code === "source.column_drift");
    expect(drift).toHaveLength(1);
    expect(drift[0].message).toContain('Police_2021.csv lacks "DISTRICT" (NULL there)');
    expect(drift[0].message).toContain('spells "DATE  OCCURRED" for "Date Occurred"');
  });

  it("a list mixes paths and globs, reads each file once, and types: applies only where the column exists", async () => {
    const [input] = await loadSources(
      db,
      study({
        crimes: {
          path: ["yearly/old/Police_2018.csv", "yearly/Police_20*.csv", "yearly/Police_2019.csv"],
          types: { DISTRICT: "VARCHAR", ID: "VARCHAR" },
        },
      }),
      { studyFile: join(dir, "s.yaml"), logger: new Logger({ silent: true }) },
    );
    expect((input.files ?? []).map((f) => f.path)).toEqual([
      "yearly/old/Police_2018.csv",
      "yearly/Police_2019.csv",
      "yearly/Police_2020.csv",
      "yearly/Police_2021.csv",
    ]);
    expect(input.rows).toBe(7);
    const types = Object.fromEntries((await db.columns("crimes")).map((c) => [c.name, c.type]));
    expect(types.ID).toBe("VARCHAR");
  });

  it("refuses a glob that matches nothing, and one that reaches outside the study file's folder", async () => {
    const studyFile = join(dir, "yearly", "s.yaml");
    const opts = { studyFile, logger: new Logger({ silent: true }) };
    await expect(loadSources(db, study({ c: { path: "Police_19*.csv" } }), opts)).rejects.toMatchObject({
      code: "source.missing",
      message: expect.stringContaining('source "c": no file matches Police_19*.csv') as unknown,
    });
    await expect(loadSources(db, study({ c: { path: "../outside/Police_*.csv" } }), opts)).rejects.toMatchObject({
      code: "source.outside",
    });
    await expect(loadSources(db, study({ c: { path: "../**/Police_*.csv" } }), opts)).rejects.toMatchObject({ code: "source.outside" });
    // With --data the same glob is relative to the data folder, and allowed.
    const [input] = await loadSources(db, study({ c: { path: "outside/Police_*.csv" } }), { ...opts, dataDir: dir });
    expect(input.rows).toBe(1);
  });

  it("refuses a file set of GeoJSON", async () => {
    writeFileSync(join(dir, "a.geojson"), JSON.stringify({ type: "FeatureCollection", features: [] }));
    await expect(
      loadSources(db, study({ g: { path: ["a.geojson"] } }), { studyFile: join(dir, "s.yaml"), logger: new Logger({ silent: true }) }),
    ).rejects.toMatchObject({ code: "source.set_format" });
  });
});

describe("Parquet and NDJSON sources", () => {
  it("read natively, by extension or format, one file or a set", async () => {
    const inputs = await loadSources(
      db,
      study({
        p: { path: "a.parquet" },
        j: { path: "calls.ndjson" },
        pq: { path: "*.parquet" },
        lines: { path: ["calls.ndjson", "more.jsonl"], format: "ndjson" },
      }),
      { studyFile: join(dir, "s.yaml"), logger: new Logger({ silent: true }) },
    );
    expect(inputs.map((i) => [i.name, i.rows])).toEqual([
      ["p", 7],
      ["j", 2],
      ["pq", 8],
      ["lines", 3],
    ]);
    expect(inputs[0].sha256).toBe(await sha256File(join(dir, "a.parquet")));
    expect(inputs[0].files).toBeUndefined();
    const p = await db.query(`SELECT count(*)::INTEGER AS n, count(DISTINCT kind)::INTEGER AS k FROM p`);
    expect(p[0]).toEqual({ n: 7, k: 3 });
    const j = Object.fromEntries((await db.columns("j")).map((c) => [c.name, c.type]));
    expect(j).toEqual({ id: "BIGINT", kind: "VARCHAR", at: "TIMESTAMP" });
    const both = await db.query(`SELECT id, score, _source_file AS f FROM pq ORDER BY id DESC LIMIT 2`);
    expect(both.map((r) => [Number(r.id), r.score === null ? null : Number(r.score), r.f])).toEqual([
      [100, 2.5, "b.parquet"],
      [6, null, "a.parquet"],
    ]);
    expect(inputs[3].files?.[1]).toMatchObject({ path: "more.jsonl", rows: 1, added: ["extra"], missing: ["at"] });
  });
});
