import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * docs/errors.md must list every error code these modules can emit. The list of modules is the part of openbeat
 * whose codes are known to be documented; add a module here once its codes are in the page.
 */
const MODULES = [
  "src/studies/results-folder.ts",
  "src/data/sandbox.ts",
  "src/data/pg-sandbox.ts",
  "src/data/source-paths.ts",
  "src/studies/prepare.ts",
];

/** Codes of `new UserError("code", …)` in a source file. */
function codesIn(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(/new UserError\(\s*"([a-z_]+\.[a-z_]+)"/g)].map((m) => m[1]);
}

describe("docs/errors.md", () => {
  const page = readFileSync("docs/errors.md", "utf8");
  const listed = new Set([...page.matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1]));

  for (const file of MODULES) {
    it(`lists every code ${file} can emit`, () => {
      const codes = codesIn(file);
      expect(codes.length).toBeGreaterThan(0);
      expect(codes.filter((c) => !listed.has(c))).toEqual([]);
    });
  }
});
