import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { sha256File } from "../../src/data/file-hash.js";
import { loadSources, sourceFormat } from "../../src/data/load-sources.js";
import { sourceSchema, type SourceSpec } from "../../src/data/sources/source-spec.js";
import { UserError } from "../../src/util/errors.js";
import { Logger } from "../../src/util/logger.js";
import type { FeatureCollection } from "geojson";
import { defined } from "../checks.js";

let db: Db;
let dir: string;
beforeAll(async () => {
  db = await Db.open();
  dir = mkdtempSync(join(tmpdir(), "openbeat-sources-"));
  mkdirSync(join(dir, "data"));
  mkdirSync(join(dir, "other"));
  copyFileSync("test/fixtures/csv/ragged.csv", join(dir, "data", "incidents.csv"));
  copyFileSync("test/fixtures/csv/simple.csv", join(dir, "other", "incidents.csv"));
  writeFileSync(
    join(dir, "data", "areas.geojson"),
    JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", properties: { name: "A" }, geometry: null }] }),
  );
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const study = (sources: Record<string, unknown>): { sources: Record<string, SourceSpec> } => ({
  sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, sourceSchema.parse(v)])),
});

describe("sha256File(path)", () => {
  it("equals the hash of the whole file", async () => {
    const path = "test/fixtures/csv/simple.csv";
    expect(await sha256File(path)).toBe(createHash("sha256").update(readFileSync(path)).digest("hex"));
  });
});

describe("sourceFormat(path, format)", () => {
  it("infers from the extension unless given", () => {
    expect(sourceFormat("a/b.CSV")).toBe("csv");
    expect(sourceFormat("b.geojson")).toBe("geojson");
    expect(sourceFormat("b.shp")).toBe("shapefile");
    expect(sourceFormat("b.dat")).toBeNull();
    expect(sourceFormat("b.dat", "csv")).toBe("csv");
  });
});

describe("loadSources(db, study, options)", () => {
  it("loads each source as a table named after its key, relative to the study file, with inputs for the manifest", async () => {
    const logger = new Logger({ silent: true });
    const collections = new Map<string, FeatureCollection>();
    const s = study({ incidents: { path: "data/incidents.csv" }, areas: { path: "data/areas.geojson" } });
    const before = readFileSync(join(dir, "data", "incidents.csv"));
    const inputs = await loadSources(db, s, { studyFile: join(dir, "study.yaml"), logger, collections });
    expect(inputs).toEqual([
      { name: "incidents", path: "data/incidents.csv", sha256: createHash("sha256").update(before).digest("hex"), rows: 6 },
      { name: "areas", path: "data/areas.geojson", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, rows: 1 },
    ]);
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM incidents`)).toEqual([{ n: 6 }]);
    expect(defined(collections.get("areas"), "the areas collection").features).toHaveLength(1);
    expect(logger.warnings).toEqual([
      expect.objectContaining({ code: "csv.rejected_rows", source: "incidents", file: "data/incidents.csv", rows: 2, first_line: 4 }),
    ]);
    expect(logger.warnings[0].message).toMatch(/^data\/incidents\.csv: skipped 2 malformed rows/);
    expect(readFileSync(join(dir, "data", "incidents.csv")).equals(before)).toBe(true);
  });

  it("resolves paths against dataDir when given", async () => {
    const s = study({ incidents: { path: "incidents.csv" } });
    const inputs = await loadSources(db, s, {
      studyFile: join(dir, "study.yaml"),
      dataDir: join(dir, "other"),
      logger: new Logger({ silent: true }),
    });
    expect(inputs[0].rows).toBe(4);
  });

  it("reports a missing file, a directory and an unknown format as one-line UserErrors", async () => {
    const opts = { studyFile: join(dir, "study.yaml"), logger: new Logger({ silent: true }) };
    const missing = (await loadSources(db, study({ crime: { path: "data/nope.csv" } }), opts).catch((e: unknown) => e)) as UserError;
    expect(missing).toBeInstanceOf(UserError);
    expect(missing.message).toBe(
      `${join(dir, "study.yaml")}: source "crime": file not found: data/nope.csv; check the path (relative to the study file, or pass --data DIR)`,
    );
    const directory = (await loadSources(db, study({ crime: { path: "data" } }), opts).catch((e: unknown) => e)) as UserError;
    expect(directory.code).toBe("source.not_file");
    expect(directory.message).toMatch(/source "crime": data is a directory, not a file/);
    writeFileSync(join(dir, "data", "x.dat"), "a\n1\n");
    const unknown = (await loadSources(db, study({ crime: { path: "data/x.dat" } }), opts).catch((e: unknown) => e)) as UserError;
    expect(unknown.code).toBe("source.format");
    for (const e of [missing, directory, unknown]) expect(e.message.split("\n")).toHaveLength(1);
    const ok = await loadSources(db, study({ crime: { path: "data/x.dat", format: "csv" } }), opts);
    expect(ok[0].rows).toBe(1);
  });

  it.skipIf(process.getuid?.() === 0)("reports an unreadable file", async () => {
    const path = join(dir, "data", "locked.csv");
    writeFileSync(path, "a\n1\n");
    chmodSync(path, 0o000);
    const e = (await loadSources(db, study({ locked: { path: "data/locked.csv" } }), {
      studyFile: join(dir, "study.yaml"),
      logger: new Logger({ silent: true }),
    }).catch((x: unknown) => x)) as UserError;
    chmodSync(path, 0o644);
    expect(e.code).toBe("source.unreadable");
  });

  it("names the study file and source when a CSV is empty or mostly malformed", async () => {
    copyFileSync("test/fixtures/csv/empty.csv", join(dir, "data", "empty.csv"));
    copyFileSync("test/fixtures/csv/mostly-bad.csv", join(dir, "data", "bad.csv"));
    const opts = { studyFile: "study.yaml", dataDir: join(dir, "data"), logger: new Logger({ silent: true }) };
    await expect(loadSources(db, study({ e: { path: "empty.csv" } }), opts)).rejects.toThrow(
      /^study\.yaml: source "e" \(empty\.csv\): the file is empty/,
    );
    await expect(loadSources(db, study({ b: { path: "bad.csv" } }), opts)).rejects.toThrow(
      /^study\.yaml: source "b" \(bad\.csv\): 4 of 5 data rows are malformed/,
    );
  });

  it("needs fetched files for portal sources", async () => {
    const s = study({ crime: { socrata: { domain: "data.example.org", dataset: "abcd-1234" } } });
    const opts = { studyFile: "study.yaml", logger: new Logger({ silent: true }) };
    await expect(loadSources(db, s, opts)).rejects.toThrow(/source "crime" is a socrata source that has not been fetched/);
    const fetched = new Map([["crime", { path: "test/fixtures/csv/simple.csv" }]]);
    const inputs = await loadSources(db, s, { ...opts, fetched });
    expect(inputs[0]).toMatchObject({ name: "crime", path: "test/fixtures/csv/simple.csv", rows: 4 });
  });
});

describe("loadSources and files that are not plain, still files", () => {
  it("loadSources(db, study) refuses a source that changed while it was read", async () => {
    const path = join(dir, "changing", "incidents.csv");
    mkdirSync(join(dir, "changing"));
    copyFileSync("test/fixtures/csv/ragged.csv", path);
    // The ragged rows make the loader warn after it has read the file and before it checks it again; appending then
    // is a writer that was still at work while the file was read.
    class AppendingLogger extends Logger {
      override warn(w: Parameters<Logger["warn"]>[0]): void {
        super.warn(w);
        writeFileSync(path, "a,b,c\n", { flag: "a" });
      }
    }
    const error = await loadSources(db, study({ incidents: { path: "incidents.csv" } }), {
      studyFile: join(dir, "changing", "s.yaml"),
      logger: new AppendingLogger({ silent: true }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("source.changed");
    expect((error as UserError).message).toMatch(
      /source "incidents" \(incidents\.csv\): the file changed while it was read \([\d,]+ bytes, now [\d,]+\)/,
    );
  });

  it("loadSources(db, study) loads an unchanged file and records the hash of its bytes", async () => {
    const path = join(dir, "changing", "still.csv");
    copyFileSync("test/fixtures/csv/simple.csv", path);
    const [input] = await loadSources(db, study({ still: { path: "still.csv" } }), {
      studyFile: join(dir, "changing", "s.yaml"),
      logger: new Logger({ silent: true }),
    });
    expect(input.sha256).toBe(createHash("sha256").update(readFileSync(path)).digest("hex"));
  });

  it("loadSources(db, study) refuses a device as a source without reading it (/dev/zero never ends)", async () => {
    const error = await loadSources(db, study({ zero: { path: "/dev/zero", format: "csv" } }), {
      studyFile: join(dir, "s.yaml"),
      logger: new Logger({ silent: true }),
      allowOutsidePaths: true,
    }).catch((e: unknown) => e);
    expect((error as UserError).code).toBe("os.not_regular");
    expect((error as UserError).message).toMatch(/source "zero": \/dev\/zero is a device, not a regular file/);
  });
});
