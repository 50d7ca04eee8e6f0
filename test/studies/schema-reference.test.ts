import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExamples, examplesFolder } from "../../src/cli/examples-command.js";
import { SCHEMA_COMMENT, STUDY_SCHEMA_FILE, schemaComment, withSchemaComment } from "../../src/studies/study-file/schema-reference.js";

/** Every study file under `dir`, as full paths. */
const studyFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".yaml"))
    .map((e) => join(e.parentPath, e.name));

/** The schema a study file's first line names, resolved from the file's folder (null when the line is not there). */
function referencedSchema(file: string): string | null {
  const first = readFileSync(file, "utf8").split("\n", 1)[0];
  if (!SCHEMA_COMMENT.test(first)) return null;
  return resolve(dirname(file), first.slice(first.indexOf("$schema=") + "$schema=".length));
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-schema-ref-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("the study schema named by study files", () => {
  it("the shipped schema is the study file's JSON Schema", () => {
    expect(STUDY_SCHEMA_FILE).toBe(resolve("schema/study.schema.json"));
    expect((JSON.parse(readFileSync(STUDY_SCHEMA_FILE, "utf8")) as { title: string }).title).toBe("openbeat study file");
  });

  it("every example study file names it on its first line, by a path that exists", () => {
    const files = studyFiles("examples");
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(referencedSchema(f), f).toBe(STUDY_SCHEMA_FILE);
  });

  it("the copies openbeat examples DIR makes name it by their own path to it", async () => {
    const dir = join(tmp, "deep", "copies");
    const copied = await copyExamples(dir);
    const shipped = studyFiles(examplesFolder());
    expect(copied.filter((f) => f.endsWith(".yaml"))).toHaveLength(shipped.length);
    for (const f of studyFiles(dir)) {
      expect(referencedSchema(f), f).toBe(STUDY_SCHEMA_FILE);
      expect(existsSync(referencedSchema(f) ?? "")).toBe(true);
      // Below the first line the copy is the example as shipped.
      const original = readFileSync(join(examplesFolder(), f.slice(dir.length + 1)), "utf8");
      expect(readFileSync(f, "utf8").split("\n").slice(1)).toEqual(original.split("\n").slice(1));
    }
  });

  it("withSchemaComment replaces a schema line or adds one", () => {
    const folder = join(tmp, "x");
    expect(withSchemaComment("# yaml-language-server: $schema=old.json\nname: a\n", folder)).toBe(`${schemaComment(folder)}\nname: a\n`);
    expect(withSchemaComment("name: a\n", folder)).toBe(`${schemaComment(folder)}\nname: a\n`);
  });
});
