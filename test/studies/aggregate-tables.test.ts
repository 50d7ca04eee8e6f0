import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { auditCsv } from "../../src/disclosure/audit.js";
import { DEFAULT_POLICY } from "../../src/disclosure/policy.js";
import { discloseResults } from "../../src/disclosure/results.js";
import type { Results, RiskResults, SegmentsResults } from "../../src/results/types.js";
import { aggregateCsvFiles } from "../../src/studies/aggregate-tables.js";
import { parseCsv } from "../../src/util/csv.js";

const policy = { min_cell: DEFAULT_POLICY.min_cell };

function fixture(name: string): Results {
  const {
    row_label: _a,
    report: _b,
    ...rest
  } = JSON.parse(readFileSync(`test/fixtures/results/${name}.json`, "utf8")) as Record<string, unknown>;
  return rest as unknown as Results;
}

/** The CSV file `name` of the tables as records keyed by header. */
function table(files: { name: string; text: string }[], name: string): Record<string, string>[] {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in ${files.map((x) => x.name).join(", ")}`);
  const [header, ...rows] = parseCsv(f.text);
  for (const r of rows) expect(r, name).toHaveLength(header.length);
  return rows.map((r) => Object.fromEntries(header.map((h, j) => [h, r[j]])));
}

describe("aggregate CSV tables", () => {
  it("risk: findings, factors and variables carry the disclosed values, suppressed ones as empty cells named in `suppressed`", () => {
    const raw = fixture("risk") as RiskResults;
    const disclosed = discloseResults(raw, policy) as RiskResults;
    const files = aggregateCsvFiles(disclosed);
    expect(files.map((f) => f.name)).toEqual(["findings.csv", "factors.csv", "variables.csv"]);
    const findings = table(files, "findings.csv");
    expect(findings).toHaveLength(disclosed.findings.length);
    disclosed.findings.forEach((f, i) => {
      const row = findings[i];
      expect([row.by, row.value]).toEqual([f.by, f.value]);
      expect(row.count).toBe(f.count === null ? "" : String(f.count));
      expect(row.positives).toBe(f.positives === null ? "" : String(f.positives));
      expect(row.suppressed).toBe(f.suppressed?.join(",") ?? "");
    });
    // The fixture has small cells, hidden before they reach the file.
    expect(findings.some((r) => r.suppressed.includes("positives"))).toBe(true);
    const factors = table(files, "factors.csv");
    expect(factors).toHaveLength(disclosed.factors.length);
    expect(factors.map((r) => r.feature)).toEqual(disclosed.factors.map((f) => f.feature));
    for (const f of files) expect(auditCsv(f.text, policy, f.name), f.name).toEqual([]);
    // The same tables made from the undisclosed results hold the small counts, and the audit finds them.
    const leaky = aggregateCsvFiles(raw).flatMap((f) => auditCsv(f.text, policy, f.name));
    expect(leaky.length).toBeGreaterThan(0);
  });

  it("segments: clusters, one profile row per cluster and feature, and the k selection", () => {
    const disclosed = discloseResults(fixture("segments"), policy) as SegmentsResults;
    const files = aggregateCsvFiles(disclosed);
    expect(files.map((f) => f.name)).toEqual(["clusters.csv", "profiles.csv", "k_selection.csv"]);
    const clusters = table(files, "clusters.csv");
    expect(clusters.map((c) => Number(c.id))).toEqual(disclosed.clusters.map((c) => c.id));
    const profiles = table(files, "profiles.csv");
    expect(profiles).toHaveLength(disclosed.clusters.reduce((s, c) => s + c.profile.length, 0));
    const first = disclosed.clusters[0].profile[0];
    expect(profiles[0]).toMatchObject({ cluster: String(disclosed.clusters[0].id), feature: first.feature });
    expect(table(files, "k_selection.csv").map((r) => Number(r.k))).toEqual(disclosed.k_selection.map((r) => r.k));
    for (const f of files) expect(auditCsv(f.text, policy, f.name), f.name).toEqual([]);
  });
});

describe("CSV", () => {
  it("parseCsv reads quoted commas, doubled quotes and line breaks, and auditCsv reads columns by them", () => {
    const text = 'by,value,count\r\npremise,"HIGHWAY, ROAD, ALLEY",4\r\npremise,"say ""hi""\nthere",120\nx,y,12';
    expect(parseCsv(text)).toEqual([
      ["by", "value", "count"],
      ["premise", "HIGHWAY, ROAD, ALLEY", "4"],
      ["premise", 'say "hi"\nthere', "120"],
      ["x", "y", "12"],
    ]);
    expect(auditCsv(text, policy, "t.csv")).toEqual([{ file: "t.csv", field: "row 1, column count", value: 4 }]);
    expect(parseCsv("a,b\n\n1,\n")).toEqual([
      ["a", "b"],
      ["1", ""],
    ]);
  });
});
