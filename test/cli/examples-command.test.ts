import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/io.js";
import { copyExamples, examplesFolder } from "../../src/cli/examples-command.js";

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-examples-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe("openbeat examples [DIR]", () => {
  it("copies every example study file, keeping folders, byte for byte below the schema line", async () => {
    const dir = join(tmp, "copy");
    const r = await cli(["examples", dir]);
    expect(r.code, r.stderr).toBe(0);
    const shipped = readdirSync(examplesFolder(), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(shipped.length).toBeGreaterThan(3);
    for (const e of shipped) {
      const rel = join(e.parentPath, e.name).slice(examplesFolder().length + 1);
      // The first line of a study file names the schema by its path from the copy (test/studies/schema-reference.test.ts).
      const lines = (path: string) =>
        readFileSync(path, "utf8")
          .split("\n")
          .slice(rel.endsWith(".yaml") ? 1 : 0);
      expect(lines(join(dir, rel))).toEqual(lines(join(e.parentPath, e.name)));
      expect(r.stdout).toContain(join(dir, rel));
    }
    expect(r.stderr).toMatch(/^copied \d+ example study files to /);
  });

  it("refuses to overwrite a file and copies nothing then", async () => {
    const dir = join(tmp, "taken");
    mkdirSync(dir);
    writeFileSync(join(dir, "lmpd-officer-assaults.yaml"), "mine\n");
    const r = await cli(["examples", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lmpd-officer-assaults\.yaml already exists; choose an empty folder/);
    expect(readdirSync(dir)).toEqual(["lmpd-officer-assaults.yaml"]);
    expect(readFileSync(join(dir, "lmpd-officer-assaults.yaml"), "utf8")).toBe("mine\n");
  });

  it("refuses a target that is a file", async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "x");
    await expect(copyExamples(file)).rejects.toMatchObject({ code: "examples.not_directory" });
  });
});

describe("openbeat with no arguments", () => {
  it("prints help and exits 1 (help on stderr is never exit 0)", async () => {
    const r = await cli([]);
    expect(r.code).toBe(1);
    const help = r.stdout + r.stderr;
    expect(help).toMatch(/^Usage: openbeat /m);
    for (const command of ["run", "examples", "init"]) expect(help).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    if (r.stderr !== "") expect(r.code).not.toBe(0);
  });
});
