import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditResults, checkPublic } from "../../src/disclosure/audit.js";
import { policyOfManifest } from "../../src/disclosure/policy.js";
import { copyRun, EXAMPLES as EXAMPLE_STUDIES, exampleRun, type ExampleName } from "./example-runs.js";
import { cli, SKIP_DATA } from "./helpers.js";

/**
 * Every real example, run once with the built binary (the e2e tier's shared run, test/e2e/example-runs.ts), then
 * `openbeat publish`: the copy holds only the public files and checkPublic, run again here on the copy, finds no
 * count between 1 and min_cell − 1. A run takes 20–60 s of CPU here; the limits leave room for a machine five times
 * slower.
 */
const EXAMPLES: [string, ExampleName][] = [
  ["lmpd-officer-assaults", "lmpd"],
  ["baltimore-victim-segments", "baltimore"],
  ["baltimore-victim-segments-demographics", "baltimore-demographics"],
  ["orlando-officer-battered", "orlando"],
  ["philadelphia-shooting-victim-segments", "philadelphia"],
];

const base = mkdtempSync(join(tmpdir(), "ob-publish-"));

describe.skipIf(SKIP_DATA)("openbeat publish on the real examples", () => {
  it.each(EXAMPLES)(
    "%s: run, publish the public files, and the copy passes checkPublic",
    async (study, name) => {
      expect(EXAMPLE_STUDIES[name].study).toBe(`examples/${study}.yaml`);
      const r = await exampleRun(name);
      const out = r.dir;
      const site = join(base, `${study}-site`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { files: { public: string[]; private: string[] } };
      expect(manifest.files.private).toEqual(expect.arrayContaining(["prepared.parquet", "features.parquet"]));
      // The aggregate tables are public CSV files.
      const tables = manifest.files.public.filter((f) => f.endsWith(".csv"));
      expect(tables).toEqual(
        study.includes("segments") ? ["clusters.csv", "profiles.csv", "k_selection.csv"] : ["findings.csv", "factors.csv", "variables.csv"],
      );
      const p = await cli(["publish", out, site]);
      expect(p.stderr).toBe("");
      expect(p.code).toBe(0);
      expect(readdirSync(site).sort()).toEqual([".openbeat-publish", ...manifest.files.public].sort());
      for (const f of manifest.files.private) expect(existsSync(join(site, f))).toBe(false);
      const policy = policyOfManifest(manifest);
      expect(policy.min_cell).toBe(10);
      expect(await checkPublic(site, policy)).toEqual([]);
      const results = JSON.parse(readFileSync(join(site, "results.json"), "utf8")) as Record<string, unknown>;
      expect(results.pca_sample).toBeUndefined();
      expect(auditResults(results, policy)).toEqual([]);

      if (study === "lmpd-officer-assaults") {
        // The report's tables: every whole number in a count cell is 0 or at least 10.
        const html = readFileSync(join(site, "report.html"), "utf8");
        const cells = [...html.matchAll(/<td class="n">([0-9][0-9,]*)<\/td>/g)].map((m) => Number(m[1].replace(/,/g, "")));
        expect(cells.length).toBeGreaterThan(50);
        expect(cells.filter((n) => n > 0 && n < 10)).toEqual([]);
        expect(html).toContain("&lt;10");
        // A planted small count makes publish refuse, name the file and field, and leave nothing behind.
        const planted = join(base, "planted");
        const again = await cli(["publish", out, planted]);
        expect(again.code).toBe(0);
        // The shared run stays as it is: the small count is planted in a copy.
        const mine = copyRun(r, join(base, study));
        const raw = JSON.parse(readFileSync(join(mine, "results.json"), "utf8")) as { findings: { count: number | null }[] };
        raw.findings[0].count = 4;
        writeFileSync(join(mine, "results.json"), JSON.stringify(raw));
        const refused = await cli(["publish", mine, join(base, "refused")]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/^openbeat: results\.json: findings\[0\]\.count is 4, below min_cell 10/);
        expect(refused.stderr.trim().split("\n")).toHaveLength(1);
        expect(existsSync(join(base, "refused"))).toBe(false);
      }
    },
    900_000,
  );
});
