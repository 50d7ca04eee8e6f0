import { describe, expect, it } from "vitest";
import { parseStudy } from "../../src/studies/study-file/load-study.js";
import { UserError } from "../../src/util/errors.js";

const base = "name: x\nkind: risk\nsources:\n  a: { path: a.csv }\nrisk:\n  target: y\n";

function error(text: string): string {
  try {
    parseStudy(text, "s.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("parseStudy", () => {
  it("parseStudy(text) fills defaults", () => {
    const s = parseStudy(base, "s.yaml");
    expect(s.seed).toBe(42);
    if (s.kind !== "risk") throw new Error(`expected a risk study, got ${s.kind}`);
    expect(s.risk.resample).toEqual({ method: "smote", k_neighbors: 5 });
    expect(s.risk.validation).toEqual({ method: "stratified_kfold", folds: 5 });
    expect(s.risk.model.C).toBe(1);
    expect(s.report.min_cell).toBeUndefined();
    expect(s.disclosure).toBeUndefined();
  });
  it("names the line and suggests the key for a misspelled key", () => {
    expect(error(base + "  featurs: {}\n")).toBe(
      's.yaml:7: unknown key "risk.featurs" (did you mean "features"?); allowed here: target, id, date, features, exclude_rows, resample, model, validation, calibration, compare_resampling, threshold, factors, findings, leakage, label',
    );
  });
  it("reports wrong types and values with the field", () => {
    expect(error(base.replace("target: y", "target: 3"))).toBe('s.yaml:6: "risk.target" should be a string, not 3');
    expect(error(base.replace("kind: risk", "kind: rsk"))).toMatch(
      /^s\.yaml:2: "kind" must be one of "risk", "segments", not "rsk" \(did you mean "risk"\?\)/,
    );
    expect(error(base + "  validation: { method: holdot }\n")).toMatch(
      /"risk.validation.method" must be one of "stratified_kfold", "holdout", "temporal"/,
    );
  });
  it("rejects a study without its kind's section, and invalid YAML", () => {
    expect(error("name: x\nkind: segments\nsources:\n  a: { path: a.csv }\n")).toMatch(/no "segments:" section/);
    expect(error("name: x\nkind: risk\n  bad: : yaml\n")).toMatch(/^s\.yaml:2: invalid YAML/);
    expect(error("")).toMatch(/must be a YAML mapping/);
  });
});

describe("parseStudy and duplicate keys", () => {
  const msg = (text: string) => {
    try {
      parseStudy(text, "d.yaml");
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };
  it("names the line of the second occurrence at any depth, and in mappings inside lists", () => {
    expect(msg("name: a\nkind: risk\nname: b\n")).toBe(
      'd.yaml:3: invalid YAML: Map keys must be unique; "name" appears twice at this level; keep one',
    );
    expect(msg("name: a\nkind: risk\nsources:\n  a: { path: a.csv, path: b.csv }\n")).toMatch(/^d\.yaml:4: .*"path" appears twice/);
    expect(msg("name: a\nkind: risk\nprepare:\n  - name: s\n    sql: x\n    sql: y\n")).toMatch(/^d\.yaml:6: .*"sql" appears twice/);
  });
  it("accepts the same key in different mappings, and parses a file with 30,000 keys to its first problem", () => {
    expect(msg("name: a\nkind: risk\nsources:\n  a: { path: a.csv }\n  b: { path: a.csv }\nrisk:\n  target: y\n")).toBe("");
    const keys = Array.from({ length: 30_000 }, (_, i) => `  k${i}: v`).join("\n");
    expect(msg(`name: a\nkind: risk\nsources:\n  a: { path: a.csv }\nrisk:\n  target: y\nextra:\n${keys}\n`)).toMatch(
      /^d\.yaml:7: unknown key "extra"/,
    );
  });
});

describe("a YAML error names the key's line, not where the parser gave up", () => {
  /** The line of `text` that starts (after indentation) with `key:`. */
  const keyLine = (text: string, key: string) => text.split("\n").findIndex((l) => l.trimStart().startsWith(`${key}:`)) + 1;
  const cases: [string, string, string][] = [
    ["an unclosed [ (the parser stops at the next key)", base + "  features:\n    categorical: [a, b\n    numeric: [c]\n", "categorical"],
    [
      "an unclosed quote (the parser stops at the end of the file)",
      base + 'prepare:\n  - name: s\n    sql: "SELECT 1\n      FROM t\n',
      "sql",
    ],
    ["a value on the line after its key, not indented under it", base.replace("target: y", "target:\n  y"), "target"],
    ["a block value of the wrong type", base + "  features:\n    categorical:\n      a: 1\n", "categorical"],
    ["a scalar on the line after its key", base + "  validation:\n    method: stratified_kfold\n    folds:\n      five\n", "folds"],
  ];
  for (const [what, text, key] of cases)
    it(what, () => {
      const line = keyLine(text, key);
      expect(line).toBeGreaterThan(0);
      expect(error(text)).toMatch(new RegExp(`^s\\.yaml:${line}: `));
    });
});
