import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

/**
 * `npm install` in a fresh clone must leave package-lock.json as committed (git status clean). npm resolves the
 * dependency tree from package.json and the lockfile alone; `--package-lock-only` runs that resolution without
 * touching node_modules, so a lockfile it rewrites is one that `npm install` would rewrite too.
 */

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), "openbeat-lockfile-"));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("the committed lockfile", () => {
  it("is what npm install resolves from package.json: installing rewrites nothing", async () => {
    for (const f of ["package.json", "package-lock.json"]) copyFileSync(f, join(tmp, f));
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    await run(npm, ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: tmp });
    expect(readFileSync(join(tmp, "package-lock.json"), "utf8")).toBe(readFileSync("package-lock.json", "utf8"));
    expect(readFileSync(join(tmp, "package.json"), "utf8")).toBe(readFileSync("package.json", "utf8"));
  });
});
