import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditAreas, auditHtml, auditResults, checkPublic } from "../../src/disclosure/audit.js";
import { resolvePolicy } from "../../src/disclosure/policy.js";
import { discloseResults } from "../../src/disclosure/results.js";
import { publishResults } from "../../src/cli/publish-command.js";
import { resultsSchema } from "../../src/results/schema.js";
import type { Finding, Results, RiskResults, SegmentsResults } from "../../src/results/types.js";
import { isUserError } from "../../src/util/errors.js";

const policy = resolvePolicy();
const M = policy.min_cell;

/** A fixture without the keys older runs wrote beside the contract (row_label, report). */
function fixture(name: string): unknown {
  const {
    row_label: _a,
    report: _b,
    ...rest
  } = JSON.parse(readFileSync(`test/fixtures/results/${name}.json`, "utf8")) as Record<string, unknown>;
  return rest;
}
const risk = () => fixture("risk") as RiskResults;
const segments = () => fixture("segments") as SegmentsResults;

function finding(by: string, value: string, count: number, positives: number): Finding {
  return {
    by,
    value,
    count,
    positives,
    rate: positives / count,
    ci95: [0, 1],
    lift: 1,
    p_value: 0.5,
    q_value: 0.5,
    statement: `${String(positives)} of ${String(count)}`,
  };
}

function asRisk(r: Results): RiskResults {
  if (r.study !== "risk") throw new Error("expected risk results");
  return r;
}

function asSegments(r: Results): SegmentsResults {
  if (r.study !== "segments") throw new Error("expected segments results");
  return r;
}

/** A small count 0 < n < min_cell. */
const small = (n: number | null | undefined) => typeof n === "number" && n > 0 && n < M;

describe("discloseResults: risk findings", () => {
  /** 1,000 rows, 100 positives; block A lists three levels and leaves 3 rows out, block B lists every row. */
  function input(): RiskResults {
    const r = risk();
    r.data.rows = 1000;
    r.data.positives = 100;
    r.findings = [
      finding("A", "a1", 600, 60),
      finding("A", "a2", 392, 38),
      finding("A", "a3", 5, 2),
      finding("B", "b1", 500, 50),
      finding("B", "b2", 300, 30),
      finding("B", "b3", 196, 16),
      finding("B", "b4", 4, 4),
    ];
    return r;
  }

  it("hides a small group and, by the remainder rule, the next-smallest listed group of its block", () => {
    const out = asRisk(discloseResults(input(), policy));
    const a = out.findings.filter((f) => f.by === "A");
    // a3 (5 rows) is small; the 3 unlisted rows make a derivable remainder: 5 + 3 < 10, so a2 is hidden as well.
    expect(a.map((f) => f.count)).toEqual([600, null, null]);
    expect(a[2].suppressed).toEqual(["count", "positives", "rate", "ci95", "lift", "p_value", "q_value"]);
    expect([a[2].rate, a[2].ci95, a[2].p_value, a[2].q_value]).toEqual([null, null, null, null]);
    expect(a[2].statement).toContain("<10 rows with A = a3");
    expect(a[2].statement).not.toMatch(/\b5\b/);
  });

  it("complementary suppression: a block whose counts add up to the total never leaves one hidden cell", () => {
    const out = asRisk(discloseResults(input(), policy));
    const b = out.findings.filter((f) => f.by === "B");
    const hidden = b.filter((f) => f.count === null);
    expect(hidden.map((f) => f.value)).toContain("b4");
    expect(hidden.length).toBeGreaterThanOrEqual(2);
    const rows = [500, 300, 196, 4];
    expect(b.reduce((s, f, i) => s + (f.count === null ? rows[i] : 0), 0)).toBeGreaterThanOrEqual(M);
  });

  it("hides the rate of a group with few positives or few negatives but keeps its count", () => {
    const r = input();
    r.findings = [finding("C", "c1", 700, 97), finding("C", "c2", 300, 3)];
    const out = asRisk(discloseResults(r, policy));
    // c2 has 3 positives: its rate goes; positives sum to the published total, so c1's positives go too.
    for (const f of out.findings) {
      expect(f.count).not.toBeNull();
      expect(f.positives).toBeNull();
      expect(f.rate).toBeNull();
      expect(f.suppressed).toContain("rate");
    }
  });

  it("leaves groups with large counts, positives and negatives as they are", () => {
    const r = input();
    r.findings = [finding("D", "d1", 600, 60), finding("D", "d2", 400, 40)];
    const out = asRisk(discloseResults(r, policy));
    expect(out.findings).toEqual(r.findings);
  });
});

describe("discloseResults: risk model outputs", () => {
  it("factors: a level with a small count, small positives or small negatives has no odds ratio and is not ranked", () => {
    const r = risk();
    const out = asRisk(discloseResults(r, policy));
    const before = new Map(r.factors.map((f) => [f.feature, f]));
    let hidden = 0;
    for (const f of out.factors) {
      const b = before.get(f.feature);
      if (!b || b.value === null) continue;
      const flagged =
        small(b.count) || small(b.positives) || small((b.count ?? 0) - (b.positives ?? 0)) || b.positives === 0 || b.positives === b.count;
      if (flagged) {
        ++hidden;
        expect([f.odds_ratio, f.coefficient, f.std_error, f.ci95[0], f.ci95[1], f.rank], f.feature).toEqual([
          null,
          null,
          null,
          null,
          null,
          null,
        ]);
        expect(f.status).not.toBe("ranked");
      }
      expect(small(f.count) || small(f.positives), f.feature).toBe(false);
    }
    expect(hidden).toBeGreaterThan(3);
  });

  it("the confusion matrix: a small cell and its complements along its row and column are null", () => {
    const r = risk();
    r.metrics.confusion_matrix = [
      [900, 50],
      [5, 45],
    ];
    const cm = asRisk(discloseResults(r, policy)).metrics;
    const X = cm.confusion_matrix;
    expect(X[1][0]).toBeNull();
    for (let i = 0; i < 2; ++i) {
      const row = X[i].filter((x) => x === null).length;
      const col = [X[0][i], X[1][i]].filter((x) => x === null).length;
      expect(row === 0 || row === 2).toBe(true);
      expect(col === 0 || col === 2).toBe(true);
    }
    expect(cm.suppressed).toContain("confusion_matrix.1.0");
    // With the class sizes published, recall = tp / positives and precision = tp / flagged would give the cells back.
    for (const k of ["balanced_accuracy", "precision", "recall", "f1"] as const) expect(cm[k], k).toBeNull();
    for (const c of ["0", "1", "avg"] as const) {
      const row = cm.classification_report[c];
      expect([row.pre, row.rec, row.spe, row.f1, row.geo, row.iba], c).toEqual([null, null, null, null, null, null]);
    }
    expect(cm.suppressed).toContain("classification_report.1.rec");
    // The audit reads the same leak from the file: recall × support of class 1 is tp = 5 ... before disclosure.
    const planted = structuredClone(r);
    planted.metrics.classification_report["1"] = { ...planted.metrics.classification_report["1"], rec: 5 / 50, sup: 50 };
    expect(auditResults(planted, policy).map((p) => p.field)).toContain("metrics.classification_report.1 recall × support");
    expect(auditResults(discloseResults(planted, policy), policy).filter((p) => p.field.includes("classification_report"))).toEqual([]);
    const chosen = asRisk(discloseResults(r, policy)).resampling_comparison.filter((x) => x.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0].balanced_accuracy).toBeNull();
    // Threshold-free metrics stay.
    expect(cm.roc_auc.mean).toBe(r.metrics.roc_auc.mean);
  });

  it("the metrics at the threshold stay when every confusion cell is published", () => {
    const r = risk();
    r.metrics.confusion_matrix = [
      [900, 50],
      [15, 35],
    ];
    const m = asRisk(discloseResults(r, policy)).metrics;
    expect(m.confusion_matrix.flat()).toEqual([900, 50, 15, 35]);
    expect(m.precision).toEqual(r.metrics.precision);
    expect(m.classification_report["1"].rec).toBe(r.metrics.classification_report["1"].rec);
  });

  it("curves keep only points whose implied counts are 0 or at least min_cell, and the reliability bins hold min_cell of each class", () => {
    const r = risk();
    const [[tn, fp], [fn, tp]] = r.metrics.confusion_matrix as [[number, number], [number, number]];
    const P = fn + tp;
    const N = tn + fp;
    const out = asRisk(discloseResults(r, policy));
    const { fpr, tpr } = out.curves.roc;
    expect(fpr.length).toBeGreaterThan(5);
    expect(fpr.length).toBeLessThanOrEqual(r.curves.roc.fpr.length);
    const ok = (n: number) => n === 0 || n >= M;
    for (let i = 1; i < fpr.length - 1; ++i) {
      const t = Math.round(tpr[i] * P);
      const f = Math.round(fpr[i] * N);
      expect(ok(t) && ok(P - t) && ok(f) && ok(N - f), `roc point ${String(i)}`).toBe(true);
    }
    for (const b of out.metrics.calibration.curve) {
      const pos = Math.round(b.observed * b.n);
      expect(pos).toBeGreaterThanOrEqual(M);
      expect(b.n - pos).toBeGreaterThanOrEqual(M);
    }
    expect(out.metrics.calibration.curve.reduce((s, b) => s + b.n, 0)).toBe(r.metrics.calibration.curve.reduce((s, b) => s + b.n, 0));
  });

  it("label checks, censoring counts, dropped rows and warnings show small counts as <10", () => {
    const r = risk();
    r.label.undated = 2;
    r.label.checks = [{ name: "late", where: "late = 1", rows: 161, positives: 158, negatives: 3 }];
    r.data.dropped = { "missing A": 3, "missing B": 400 };
    r.data.table_rows = r.data.rows + 403;
    r.warnings = [{ code: "data.rows_dropped", message: "3 rows dropped: missing A", reason: "missing A", rows: 3 }];
    const out = asRisk(discloseResults(r, policy));
    expect(out.label.undated).toBeNull();
    expect(out.label.suppressed).toContain("undated");
    expect(out.label.checks[0]).toMatchObject({ rows: 161, positives: null, negatives: null });
    // The dropped rows sum to table_rows − rows: one small reason hides the other too.
    expect(out.data.dropped).toEqual({ "missing A": null, "missing B": null });
    expect(out.data.suppressed).toEqual(["dropped.missing A", "dropped.missing B"]);
    expect(out.warnings[0]).toMatchObject({ rows: null, message: "<10 rows dropped: missing A", suppressed: ["rows"] });
  });

  it("spelling variants show a small spelling's count as <10; a file's line counts stay and the audit leaves them", () => {
    const r = risk();
    r.warnings = [
      {
        code: "data.case_variants",
        message: 'study.yaml: PREMISE has values that differ only in letter case: "Bar" (3), "BAR" (120); each spelling is its own level',
        column: "PREMISE",
        groups: [
          [
            { value: "Bar", count: 3 },
            { value: "BAR", count: 120 },
          ],
        ],
      },
      { code: "csv.repeated_header", message: "incidents.csv: 2 repeated header lines dropped", rows: 2 },
    ];
    const inWarnings = (problems: { field: string }[]) => problems.map((p) => p.field).filter((f) => f.startsWith("warnings"));
    expect(inWarnings(auditResults(r, policy))).toEqual(["warnings[0].groups[0][0].count"]);
    const out = discloseResults(r, policy);
    expect(out.warnings[0]).toMatchObject({
      groups: [
        [
          { value: "Bar", count: null, suppressed: ["count"] },
          { value: "BAR", count: 120 },
        ],
      ],
    });
    expect(out.warnings[0].message).toContain('"Bar" (<10), "BAR" (120)');
    expect(out.warnings[1]).toMatchObject({ rows: 2 });
    expect(inWarnings(auditResults(out, policy))).toEqual([]);
  });

  it("follows the results contract, passes the audit, leaves its input alone and is deterministic", () => {
    const r = risk();
    const text = JSON.stringify(r);
    const a = discloseResults(r, policy);
    const b = discloseResults(risk(), policy);
    expect(JSON.stringify(r)).toBe(text);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(resultsSchema.safeParse(JSON.parse(JSON.stringify(a))).success).toBe(true);
    expect(auditResults(a, policy)).toEqual([]);
    // The raw fixture has small counts the audit finds.
    expect(auditResults(r, policy).length).toBeGreaterThan(0);
  });

  it("min_cell 0 turns it off", () => {
    const r = risk();
    expect(discloseResults(r, resolvePolicy({ min_cell: 0 }))).toBe(r);
  });
});

describe("discloseResults: segments", () => {
  function input(): SegmentsResults {
    const s = segments();
    // Five clusters: the last holds 6 rows, taken from the first.
    const c0 = s.clusters[0];
    const extra = structuredClone(s.clusters[3]);
    extra.id = 4;
    extra.size = 6;
    if (c0.size !== null) c0.size -= 6;
    s.clusters.push(extra);
    s.k = 5;
    s.pca_sample = Array.from({ length: 300 }, (_, i) => ({ pc1: (i % 17) / 17, pc2: (i % 13) / 13, cluster: i % 5 }));
    return s;
  }

  it("hides a small cluster and a complementary one, with everything about them", () => {
    const out = asSegments(discloseResults(input(), policy));
    const hidden = out.clusters.filter((c) => c.size === null);
    expect(hidden.map((c) => c.id)).toContain(4);
    expect(hidden.length).toBeGreaterThanOrEqual(2);
    for (const c of hidden) {
      expect(c.share).toBeNull();
      expect(c.profile.every((p) => p.cluster_mean === null && p.count == null)).toBe(true);
      expect(Object.values(c.top_values).every((vs) => vs.every((v) => v.count === null && v.share === null))).toBe(true);
      expect(c.distribution).toBeUndefined();
    }
  });

  it("top values: a small count (OTHER, 6) and the complementary one are hidden; a share whose complement is small is hidden", () => {
    const out = asSegments(discloseResults(input(), policy));
    const c0 = out.clusters[0];
    const weapon = c0.top_values.Weapon;
    expect(weapon.find((v) => v.value === "OTHER")?.count).toBeNull();
    // The values not listed are derivable (size − listed): with them the hidden cells reach min_cell.
    const before = input().clusters[0];
    const listed = before.top_values.Weapon.reduce((a, v) => a + (v.count ?? 0), 0);
    const hiddenSum = before.top_values.Weapon.reduce((a, v, i) => a + (weapon[i].count === null ? (v.count ?? 0) : 0), 0);
    expect(hiddenSum + (before.size ?? 0) - listed).toBeGreaterThanOrEqual(M);
    for (const c of out.clusters)
      for (const vs of Object.values(c.top_values))
        for (const v of vs) {
          if (v.count === null || c.size === null) continue;
          expect(small(v.count) || small(c.size - v.count)).toBe(false);
        }
  });

  it("profiles: no published share rests on a small count of the level or of the rest of the cluster", () => {
    const out = asSegments(discloseResults(input(), policy));
    for (const c of out.clusters)
      for (const p of c.profile) {
        if (!p.feature.includes("=") || p.cluster_mean === null || c.size === null) continue;
        const n = Math.round(p.cluster_mean * c.size);
        expect(small(n) || small(c.size - n), `${String(c.id)} ${p.feature}`).toBe(false);
      }
  });

  it("replaces the row-level PCA sample by a density grid with small cells hidden, and hides small unmatched area names", () => {
    const s = input();
    const out = asSegments(discloseResults(s, policy));
    expect(out.pca_sample).toBeUndefined();
    const d = out.pca_density;
    expect(d?.cells.reduce((a, c) => a + (c.count ?? 0), 0)).toBeLessThanOrEqual(300);
    expect(d?.cells.every((c) => c.count === null || c.count >= M)).toBe(true);
    expect(d?.cells.some((c) => c.count === null)).toBe(true);
    const unmatched = out.areas?.unmatched ?? [];
    // "Mt. Washington " has 4 rows: hidden, and the other name with it (their total is published in the warning).
    expect(unmatched.map((u) => u.rows)).toEqual([null, null]);
    expect(resultsSchema.safeParse(JSON.parse(JSON.stringify(out))).success).toBe(true);
    expect(auditResults(out, policy)).toEqual([]);
  });
});

describe("checkPublic and openbeat publish", () => {
  function folder(): string {
    const dir = mkdtempSync(join(tmpdir(), "openbeat-public-"));
    const results = discloseResults(risk(), policy);
    writeFileSync(join(dir, "results.json"), JSON.stringify(results, null, 2));
    writeFileSync(
      join(dir, "report.html"),
      `<table><tr><td class="n">0</td><td class="n">12,345</td><td class="n idx">3</td></tr></table>`,
    );
    const files = { public: ["results.json", "report.html", "manifest.json"], private: ["prepared.parquet"] };
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ min_cell: 10, disclosure: policy, files }));
    writeFileSync(join(dir, "prepared.parquet"), "row-level");
    writeFileSync(join(dir, ".openbeat"), JSON.stringify({ openbeat: "results-folder", version: 1, run_id: "t", files: ["results.json"] }));
    return dir;
  }

  it("passes a disclosed folder and fails on a small count planted in results.json, the report or the GeoJSON", async () => {
    const dir = folder();
    expect(await checkPublic(dir, policy)).toEqual([]);
    const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as RiskResults;
    results.findings[0].positives = 7;
    writeFileSync(join(dir, "results.json"), JSON.stringify(results));
    expect(await checkPublic(dir, policy)).toEqual([{ file: "results.json", field: "findings[0].positives", value: 7 }]);
    expect(
      auditHtml(
        `<table><thead><tr><th>k</th><th>rows</th><th>positives</th></tr></thead><tbody><tr><td class="n">3</td><td class="n">1,234</td><td class="n">4</td></tr></tbody></table>`,
        policy,
      ).map((p) => p.value),
    ).toEqual([4]);
    expect(auditAreas({ features: [{ properties: { rows: 120, count_0: 3, share_0: 0.5 } }] }, policy)).toEqual([
      { file: "areas.geojson", field: "features[0].properties.count_0", value: 3 },
    ]);
  });

  it("publish copies only the public files; a planted small count makes it refuse and remove the copy", async () => {
    const src = folder();
    const base = mkdtempSync(join(tmpdir(), "openbeat-publish-"));
    const out = join(base, "site");
    const s = await publishResults(src, out);
    expect(s.files).toEqual(["results.json", "report.html", "manifest.json"]);
    expect(readdirSync(out).sort()).toEqual([".openbeat-publish", "manifest.json", "report.html", "results.json"]);
    // Publishing again into the same folder replaces it.
    await publishResults(src, out);
    writeFileSync(join(src, "report.html"), `<table><tr><td class="n">3</td></tr></table>`);
    const err = await publishResults(src, out).catch((e: unknown) => e);
    expect(isUserError(err) && err.code).toBe("publish.check");
    expect((err as Error).message).toMatch(/^report\.html: .* is 3, below min_cell 10/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it("refuses a non-empty folder that no publish wrote, and a folder inside the results", async () => {
    const src = folder();
    const base = mkdtempSync(join(tmpdir(), "openbeat-publish-"));
    const busy = join(base, "busy");
    mkdirSync(busy);
    writeFileSync(join(busy, "notes.txt"), "mine");
    const e1 = await publishResults(src, busy).catch((e: unknown) => e);
    expect(isUserError(e1) && e1.code).toBe("publish.dir");
    expect(readFileSync(join(busy, "notes.txt"), "utf8")).toBe("mine");
    const e2 = await publishResults(src, join(src, "pub")).catch((e: unknown) => e);
    expect(isUserError(e2) && e2.code).toBe("publish.dir");
    const e3 = await publishResults(base, join(base, "x")).catch((e: unknown) => e);
    expect(isUserError(e3) && e3.code).toBe("publish.results");
  });
});
