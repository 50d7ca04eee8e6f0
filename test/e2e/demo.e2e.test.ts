import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RiskResults, SegmentsResults } from "../../src/results/types.js";
import { cli } from "./helpers.js";

describe("openbeat demo", () => {
  it("runs both studies on seeded synthetic data, marked synthetic, and says where the results went", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ob-demo-")), "demo");
    const r = await cli(["demo", "--out", out]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/SYNTHETIC/);
    expect(r.stdout).toMatch(/SYNTHETIC DATA/);
    expect(r.stdout).toContain(`results: ${join(out, "lmpd")}/`);
    const risk = JSON.parse(readFileSync(join(out, "lmpd", "results.json"), "utf8")) as RiskResults;
    const seg = JSON.parse(readFileSync(join(out, "baltimore", "results.json"), "utf8")) as SegmentsResults;
    expect(risk.synthetic).toBe(true);
    expect(seg.synthetic).toBe(true);
    expect(risk.metrics.roc_auc.mean).toBeGreaterThan(0.7);
    expect(risk.warnings.some((w) => w.code === "risk.leakage")).toBe(true);
    expect(seg.clusters.length).toBe(seg.k);
    expect(readFileSync(join(out, "lmpd", "report.html"), "utf8")).toMatch(/SYNTHETIC/);
  });
});
