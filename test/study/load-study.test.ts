import { describe, expect, it } from "vitest";
import { parseStudy } from "../../src/study/load-study.js";
import { UserError } from "../../src/util/errors.js";
import { defined } from "../checks.js";

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
    const risk = defined(s.risk, "the risk section");
    expect(risk.resample).toEqual({ method: "smote", k_neighbors: 5 });
    expect(risk.validation).toEqual({ method: "stratified_kfold", folds: 5 });
    expect(risk.model.C).toBe(1);
    expect(s.report.min_cell).toBe(10);
  });
  it("names the line and suggests the key for a misspelled key", () => {
    expect(error(base + "  featurs: {}\n")).toBe(
      's.yaml:7: unknown key "risk.featurs" (did you mean "features"?); allowed here: target, id, date, features, resample, model, validation, threshold, findings, leakage',
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
