import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "../../../src/data/Db.js";
import { dataInfoSchema, segmentsResultsSchema } from "../../../src/results/schema.js";
import { ANALYSIS } from "../../../src/studies/analysis-table.js";
import { runSegments } from "../../../src/studies/segments/run-segments.js";
import { stableJson } from "../../../src/studies/write-results.js";
import { UserError } from "../../../src/util/errors.js";
import { analysisDb, GROUPS, kindInput, segmentsColumns, segmentsStudy, tableDigest } from "../helpers.js";

/** The segments kind in-process on three well-separated groups of 60 rows in an in-memory DuckDB. */

const PER = 60;
const N = PER * GROUPS.length;
const features = { categorical: ["sex"], numeric: ["age", "visits"] };
const base = { id: "id", features, k: { min: 2, max: 5 }, n_init: 4, stability_resamples: 3, compare_methods: false };

const kindResultsSchema = segmentsResultsSchema.omit({
  study: true,
  name: true,
  description: true,
  synthetic: true,
  seed: true,
  warnings: true,
  data: true,
  dashboard: true,
});
const kindDataSchema = dataInfoSchema.omit({ inputs: true, table_rows: true });

/** The first contract issue of the kind's results (undefined when there is none). */
function contractIssue(results: { data: unknown }): string | undefined {
  const { data, ...rest } = results;
  const issue = kindResultsSchema.safeParse(rest).error?.issues[0] ?? kindDataSchema.safeParse(data).error?.issues[0];
  return issue && `${issue.path.join(".")}: ${issue.message}`;
}

let open: Db[] = [];
async function db(sql?: string): Promise<Db> {
  const d = await analysisDb(segmentsColumns(PER, 5), { table: "people", ...(sql ? { sql } : {}) });
  open.push(d);
  return d;
}
afterEach(async () => {
  for (const d of open) await d.close();
  open = [];
});

describe("runSegments(input, study)", () => {
  it("sweeps k with all four criteria, and the chosen k's cluster sizes add up to the rows", async () => {
    const out = await runSegments(kindInput(await db()), segmentsStudy(base));
    const r = out.results;
    expect(r.k_selection.map((s) => s.k)).toEqual([2, 3, 4, 5]);
    for (const s of r.k_selection) {
      expect(s.silhouette).toBeGreaterThanOrEqual(-1);
      expect(s.silhouette).toBeLessThanOrEqual(1);
      expect(s.calinski_harabasz).toBeGreaterThan(0);
      expect(s.davies_bouldin).toBeGreaterThan(0);
    }
    const inertia = r.k_selection.map((s) => s.inertia ?? NaN);
    expect(inertia).toEqual([...inertia].sort((a, b) => b - a));
    expect(r.k).toBeGreaterThanOrEqual(2);
    expect(r.k).toBeLessThanOrEqual(5);
    expect(r.clusters).toHaveLength(r.k);
    expect(r.clusters.reduce((s, c) => s + c.size, 0)).toBe(N);
    expect(r.clusters.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 5);
    expect(r.data).toMatchObject({ rows: N, features: out.design.names.length });
    expect(r.stability.resamples).toBe(3);
    expect(r.stability.mean_ari).toBeGreaterThan(0);
    expect(r.stability.mean_ari).toBeLessThanOrEqual(1);
    expect(contractIssue(r)).toBeUndefined();
  });

  it("with k fixed at 3 recovers the three planted groups, and every row gets its cluster in the row output", async () => {
    const d = await db();
    const out = await runSegments(kindInput(d), segmentsStudy({ ...base, k: { min: 2, max: 3, fixed: 3 } }));
    expect(out.results.k).toBe(3);
    expect(out.results.clusters.map((c) => c.size)).toEqual([PER, PER, PER]);
    const rows = await d.query(`SELECT a."group" AS g, o._cluster AS c FROM ${ANALYSIS} a JOIN ${out.rowOutput.table} o USING (_row)`);
    expect(rows).toHaveLength(N);
    // One cluster per planted group: the pairs (group, cluster) are a one-to-one map.
    const pairs = new Set(rows.map((r) => `${String(r.g)}-${String(r.c)}`));
    expect(pairs.size).toBe(3);
    expect(new Set(rows.map((r) => Number(r.c)))).toEqual(new Set([0, 1, 2]));
    // Profiles are in the data's units: the oldest group's cluster has a mean age near 70.
    const ages = out.results.clusters.map((c) => c.profile.find((p) => p.feature === "age")?.cluster_mean ?? NaN).sort((a, b) => a - b);
    GROUPS.forEach((g, i) => {
      expect(Math.abs(ages[i] - g.age)).toBeLessThan(1.5);
    });
    expect(out.design.X.rows).toBe(N);
    expect(out.design.id).toBe("id");
    expect(out.dashboard?.dimensions).toEqual([{ column: "_cluster", label: "cluster", kind: "cluster" }]);
  });

  it("PCA keeps the components asked for, explained shares decreasing; k-prototypes comparison scores both methods", async () => {
    const out = await runSegments(
      kindInput(await db()),
      segmentsStudy({ ...base, k: { min: 2, max: 3 }, pca: { components: 2 }, compare_methods: true }),
    );
    const pca = out.results.pca;
    expect(pca?.components).toBe(2);
    const ratio = pca?.explained_variance_ratio ?? [];
    expect(ratio).toHaveLength(2);
    expect(ratio[0]).toBeGreaterThanOrEqual(ratio[1]);
    expect(ratio[0] + ratio[1]).toBeLessThanOrEqual(1 + 1e-9);
    expect(out.results.comparison?.map((c) => c.method)).toEqual(["kmeans", "kprototypes", "lca"]);
    expect(out.results.pca_sample).toHaveLength(N);
    expect(contractIssue(out.results)).toBeUndefined();
  });

  it("joins area demographics by name (aliases included) and reports each unmatched name with its rows", async () => {
    const d = await db(`SELECT *, CASE id % 4 WHEN 0 THEN 'Canton' WHEN 1 THEN 'FELLS PT' WHEN 2 THEN 'Nowhere' END AS hood FROM people`);
    await d.exec(`CREATE TABLE census AS SELECT * FROM (VALUES ('Canton', 10, 40), ('Fells Point', 30, 60)) t(name, a, b)`);
    const input = kindInput(d);
    const areas = {
      column: "hood",
      aliases: { "FELLS PT": "Fells Point" },
      demographics: { table: "census", key: "name", columns: { pct: "a / b" } },
    };
    const out = await runSegments(input, segmentsStudy({ ...base, areas }));
    expect(out.results.areas).toMatchObject({ column: "hood", matched: N / 2, unmatched: [{ name: "Nowhere", rows: N / 4 }], file: "" });
    expect(input.logger.warnings.map((w) => w.code)).toEqual(["segments.unmatched_areas", "segments.missing_area"]);
    expect(input.logger.warnings[1]).toMatchObject({ rows: N / 4 });
    const rows = await d.query(
      `SELECT a.hood, o._area AS area, o.pct FROM ${ANALYSIS} a JOIN ${out.rowOutput.table} o USING (_row) GROUP BY ALL ORDER BY ALL`,
    );
    expect(rows).toEqual([
      { hood: "Canton", area: "Canton", pct: 0.25 },
      { hood: "FELLS PT", area: "Fells Point", pct: 0.5 },
      { hood: "Nowhere", area: null, pct: null },
      { hood: null, area: null, pct: null },
    ]);
  });

  it("the same seed gives the same results; the analysis table is never changed", async () => {
    const study = segmentsStudy(base);
    const d = await db();
    const before = await tableDigest(d, ANALYSIS);
    const a = await runSegments(kindInput(d, 21), study);
    expect(await tableDigest(d, ANALYSIS)).toBe(before);
    const b = await runSegments(kindInput(await db(), 21), study);
    expect(stableJson(a.results)).toBe(stableJson(b.results));
  });

  it("k above the row count is a user error naming the study file and the fix", async () => {
    const err = await runSegments(kindInput(await db()), segmentsStudy({ ...base, k: { min: 2, max: N } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe("segments.k_too_large");
    expect((err as UserError).message).toMatch(/^study\.yaml: k up to 180 needs more than 180 rows, .*lower segments\.k\.max/);
  });
});
