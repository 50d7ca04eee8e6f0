import { describe, expect, it } from "vitest";
import {
  DEFAULT_POLICY,
  isSmall,
  minCellConflict,
  policyOfManifest,
  rateAllowed,
  resolvePolicy,
  shareAllowed,
  suppressedLabel,
} from "../../src/disclosure/policy.js";
import { parseStudy } from "../../src/studies/study-file/load-study.js";
import { resolvePolicy as resolveFromStudy } from "../../src/disclosure/index.js";
import { UserError } from "../../src/util/errors.js";

const base = "name: x\nkind: risk\nsources:\n  a: { path: a.csv }\nrisk:\n  target: y\n";

function studyError(text: string): string {
  try {
    parseStudy(text, "s.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("the disclosure policy", () => {
  it("resolvePolicy() fills the defaults: min_cell 10, perturbed dashboard, 3 filters, no points, no records", () => {
    expect(resolvePolicy()).toEqual({ min_cell: 10, dashboard: { perturb: true, max_filters: 3 }, points: false, row_level: false });
    expect(resolvePolicy()).toEqual(DEFAULT_POLICY);
    expect(resolvePolicy(undefined, 5).min_cell).toBe(5);
    expect(resolvePolicy({ min_cell: 20, points: { grid_m: 500 } }, 20)).toMatchObject({ min_cell: 20, points: { grid_m: 500 } });
  });

  it("isSmall, rateAllowed and shareAllowed: zero is not small, but a rate or share needs min_cell on both sides", () => {
    const p = resolvePolicy();
    expect([0, 1, 9, 10].map((n) => isSmall(n, p))).toEqual([false, true, true, false]);
    expect(rateAllowed(10, 20, p)).toBe(true);
    expect(rateAllowed(10, 19, p)).toBe(false);
    expect(rateAllowed(0, 500, p)).toBe(false);
    expect(rateAllowed(500, 500, p)).toBe(false);
    expect(shareAllowed(12, 30, p)).toBe(true);
    expect(suppressedLabel(p)).toBe("<10");
    expect(isSmall(1, resolvePolicy({ min_cell: 0 }))).toBe(false);
  });

  it("policyOfManifest reads manifest.json's disclosure, else its min_cell, else the default; odd shapes never weaken it", () => {
    expect(policyOfManifest(undefined)).toEqual(DEFAULT_POLICY);
    expect(policyOfManifest({ min_cell: 5 }).min_cell).toBe(5);
    const written = resolvePolicy({
      min_cell: 20,
      dashboard: { perturb: false, max_filters: 2 },
      points: { grid_m: 250 },
      row_level: true,
    });
    expect(policyOfManifest({ min_cell: 20, disclosure: written })).toEqual(written);
    expect(policyOfManifest({ disclosure: { min_cell: "0", dashboard: { perturb: "no" }, points: true } })).toEqual(DEFAULT_POLICY);
  });

  it("minCellConflict finds disclosure.min_cell and report.min_cell given with different values", () => {
    expect(minCellConflict({ min_cell: 5 }, 10)).toEqual([5, 10]);
    expect(minCellConflict({ min_cell: 10 }, 10)).toBeUndefined();
    expect(minCellConflict(undefined, 10)).toBeUndefined();
  });
});

describe("the study file's disclosure section", () => {
  it("accepts the section, and report.min_cell as its alias", () => {
    const s = parseStudy(
      base + "disclosure:\n  min_cell: 20\n  dashboard: { perturb: true, max_filters: 2 }\n  points: { grid_m: 500 }\n",
      "s.yaml",
    );
    expect(resolveFromStudy(s.disclosure, s.report.min_cell)).toEqual({
      min_cell: 20,
      dashboard: { perturb: true, max_filters: 2 },
      points: { grid_m: 500 },
      row_level: false,
    });
    const alias = parseStudy(base + "report:\n  min_cell: 15\n", "s.yaml");
    expect(resolveFromStudy(alias.disclosure, alias.report.min_cell).min_cell).toBe(15);
    const both = parseStudy(base + "report:\n  min_cell: 15\ndisclosure:\n  min_cell: 15\n", "s.yaml");
    expect(resolveFromStudy(both.disclosure, both.report.min_cell).min_cell).toBe(15);
  });

  it("refuses both places with different values, naming the line and both values", () => {
    expect(studyError(base + "report:\n  min_cell: 5\ndisclosure:\n  min_cell: 10\n")).toBe(
      's.yaml:10: "disclosure.min_cell": 10, but report.min_cell is 5; they are one setting: keep disclosure.min_cell and remove report.min_cell',
    );
  });

  it("refuses min_cell 1 or 2 (a hidden count would be known), a bad grid and misspelled keys", () => {
    expect(studyError(base + "disclosure:\n  min_cell: 2\n")).toMatch(/min_cell must be 0 \(suppression off\) or at least 3/);
    expect(studyError(base + "disclosure:\n  points: { grid_m: 5 }\n")).toMatch(/disclosure.points/);
    expect(studyError(base + "disclosure:\n  row_levle: true\n")).toMatch(
      /unknown key "disclosure.row_levle" \(did you mean "row_level"\?\)/,
    );
  });
});
