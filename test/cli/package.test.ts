import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** What an npm user of openbeat relies on in package.json and the files it ships. */

interface Pkg {
  engines: { node: string };
  files: string[];
  repository?: { url: string };
  dependencies: Record<string, string>;
  overrides?: Record<string, string>;
  scripts: Record<string, string>;
}
interface LockEntry {
  version: string;
  dev?: boolean;
  engines?: { node?: string } | string[];
}
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as Pkg;
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as { packages: Record<string, LockEntry | undefined> };

/** The lowest node version a `>=a.b.c` range admits, as [major, minor, patch]; null for other range forms. */
function lowerBound(range: string): number[] | null {
  const m = /^\s*>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(range.split("||")[0]);
  return m ? [Number(m[1]), Number(m[2]) || 0, Number(m[3]) || 0] : null;
}
const compare = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

describe("package.json", () => {
  it("ships LICENSE, docs and examples, names its repository, and keeps @types out of dependencies", () => {
    expect(readFileSync("LICENSE", "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} openbeat contributors\n/);
    for (const f of ["dist", "docs", "examples", "LICENSE"]) expect(pkg.files).toContain(f);
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\//);
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith("@types/"))).toEqual([]);
  });

  it("prepare builds only when dist/ is stale (scripts/build-if-stale.mjs)", () => {
    expect(pkg.scripts.prepare).toBe("node scripts/build-if-stale.mjs");
    expect(existsSync("scripts/build-if-stale.mjs")).toBe(true);
  });

  it("every installed runtime dependency admits the node versions engines promises", () => {
    const ours = lowerBound(pkg.engines.node);
    expect(ours).not.toBeNull();
    // The lockfile must already hold each override's version; until `npm install` has been run after an override
    // was added, the stale lockfile is reported here rather than its packages.
    for (const [name, version] of Object.entries(pkg.overrides ?? {})) {
      // npm may install the override at the top or nested under the package that depends on it.
      const installed = Object.entries(lock.packages).filter(([path]) => path.endsWith(`node_modules/${name}`));
      expect(installed.length, name).toBeGreaterThan(0);
      for (const [path, entry] of installed) expect(entry?.version, path).toBe(version);
    }
    const tooNew: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (!entry || path === "" || entry.dev || !entry.engines || Array.isArray(entry.engines) || !entry.engines.node) continue;
      const needs = lowerBound(entry.engines.node);
      if (needs && ours && compare(needs, ours) > 0) tooNew.push(`${path}@${entry.version} needs node ${entry.engines.node}`);
    }
    expect(tooNew).toEqual([]);
  });
});
