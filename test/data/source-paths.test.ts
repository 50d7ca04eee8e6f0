import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { loadSources, resolveSourcePath } from "../../src/data/load-sources.js";
import { sourceRoots } from "../../src/data/source-paths.js";
import { sourceSchema } from "../../src/data/sources/source-spec.js";
import { UserError } from "../../src/util/errors.js";
import { Logger } from "../../src/util/logger.js";

/** Layout: project/study.yaml, project/data/incidents.csv, elsewhere/incidents.csv, project/data/link -> elsewhere. */
let root: string;
let study: string;
let data: string;
let elsewhere: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "openbeat-paths-"));
  data = join(root, "project", "data");
  elsewhere = join(root, "elsewhere");
  mkdirSync(data, { recursive: true });
  mkdirSync(elsewhere);
  study = join(root, "project", "study.yaml");
  copyFileSync("test/fixtures/csv/simple.csv", join(data, "incidents.csv"));
  copyFileSync("test/fixtures/csv/simple.csv", join(elsewhere, "incidents.csv"));
  symlinkSync(join(elsewhere, "incidents.csv"), join(data, "linked.csv"));
  symlinkSync(data, join(root, "data-link"));
  writeFileSync(study, "name: t\n");
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("resolveSourcePath(studyFile, name, path, dataDir, { allowOutside })", () => {
  it("accepts paths inside the study file's folder, and inside --data", async () => {
    expect(await resolveSourcePath(study, "i", "data/incidents.csv")).toBe(join(data, "incidents.csv"));
    expect(await resolveSourcePath(study, "i", "incidents.csv", data)).toBe(join(data, "incidents.csv"));
    // With --data, a path back into the study file's folder is still an input of this study.
    expect(await resolveSourcePath(study, "i", "../study.yaml", data)).toBe(study);
  });

  it("refuses an absolute path or ../ outside both, naming the path, where it leads and the flag", async () => {
    const e = await refusal(resolveSourcePath(study, "incidents", join(elsewhere, "incidents.csv")));
    expect(e.code).toBe("source.outside");
    expect(e.message).toBe(
      `${study}: source "incidents": ${join(elsewhere, "incidents.csv")} resolves to ${join(elsewhere, "incidents.csv")}, outside the study file's folder; move the file there, or pass --allow-outside-paths if you trust this study file`,
    );
    const up = await refusal(resolveSourcePath(study, "incidents", "../../elsewhere/incidents.csv", data));
    expect(up.message).toMatch(/outside the study file's folder and --data/);
  });

  it("follows symbolic links: a link inside --data to a file outside is refused", async () => {
    const e = await refusal(resolveSourcePath(study, "incidents", "linked.csv", data));
    expect(e.message).toMatch(new RegExp(`linked\\.csv resolves to ${join(elsewhere, "incidents.csv").replaceAll("/", "\\/")}`));
  });

  it("--allow-outside-paths accepts them", async () => {
    expect(await resolveSourcePath(study, "i", join(elsewhere, "incidents.csv"), undefined, { allowOutside: true })).toBe(
      join(elsewhere, "incidents.csv"),
    );
  });

  it("a refused file is not even looked at: a missing file outside is refused as outside, not as missing", async () => {
    const e = await refusal(resolveSourcePath(study, "i", "/nonexistent/x.csv"));
    expect(e.code).toBe("source.outside");
  });

  it("sourceRoots() are real paths, so --data given through a link still contains its files", async () => {
    expect(sourceRoots(study, join(root, "data-link"))).toEqual([join(root, "project"), data]);
    expect(await resolveSourcePath(study, "i", "incidents.csv", join(root, "data-link"))).toBe(join(root, "data-link", "incidents.csv"));
  });
});

describe("loadSources(db, study, { allowOutsidePaths, fetched })", () => {
  it("loads an outside path only with allowOutsidePaths, and files fetched into the cache always", async () => {
    const db = await Db.open();
    try {
      const logger = new Logger({ silent: true });
      const spec = { sources: { incidents: sourceSchema.parse({ path: join(elsewhere, "incidents.csv") }) } };
      await expect(loadSources(db, spec, { studyFile: study, logger })).rejects.toThrow(/--allow-outside-paths/);
      const inputs = await loadSources(db, spec, { studyFile: study, logger, allowOutsidePaths: true });
      expect(inputs[0].rows).toBeGreaterThan(0);
      const portal = { sources: { incidents: sourceSchema.parse({ socrata: { domain: "data.example.gov", dataset: "abcd-1234" } }) } };
      const fetched = new Map([["incidents", { path: join(elsewhere, "incidents.csv"), format: "csv" as const }]]);
      expect((await loadSources(db, portal, { studyFile: study, logger, fetched }))[0].rows).toBe(inputs[0].rows);
    } finally {
      await db.close();
    }
  });
});
