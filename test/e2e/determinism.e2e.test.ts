import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDist, spawnCli } from "../reliability/run-cli.js";
import { EXAMPLES as SHARED, exampleRun, type ExampleName } from "./example-runs.js";

/**
 * Runs repeat exactly: the real-data examples run twice with one seed give byte-identical results, and another seed
 * changes only what randomness touches. Needs ../shared/data; under CI its absence is a failure, not a skip.
 */

interface Example {
  name: string;
  /** The e2e tier's shared run of the same study (test/e2e/example-runs.ts): run "a" of the two with one seed. */
  shared: ExampleName;
  study: string;
  data: string;
  /** A file whose presence means the data is there. */
  probe: string;
  /** Files that must be byte-identical between two runs with the same seed. */
  identical: string[];
  /** results.json keys that a different seed may change; every other key must stay the same. */
  random: string[];
  /** results.json keys that must be the same whatever the seed (checked to exist). */
  stable: string[];
}

const EXAMPLES: Example[] = [
  {
    name: "LMPD officer assaults (risk)",
    shared: "lmpd",
    study: "examples/lmpd-officer-assaults.yaml",
    data: "../shared/data/lmpd-assaulted-officers",
    probe: "../shared/data/lmpd-assaulted-officers/Crime.csv",
    identical: ["results.json", "model.json", "features.parquet", "prepared.parquet"],
    // Folds and SMOTE draws follow the seed: so do the fold metrics, curves, the comparison runs on the same folds,
    // each fold's threshold (its training rate) and the scoring model. The inference model, the findings, the label
    // checks and the warnings use no randomness.
    random: ["seed", "metrics", "curves", "resampling_comparison", "threshold_rule", "model"],
    stable: [
      "data",
      "warnings",
      "findings",
      "multiple_testing",
      "factors",
      "inference",
      "label",
      "eligibility",
      "validation",
      "base_rate",
      "threshold",
    ],
  },
  {
    name: "Baltimore victim segments (segments)",
    shared: "baltimore",
    study: "examples/baltimore-victim-segments.yaml",
    data: "../shared/data",
    probe: "../shared/data/baltimore-part1-crime/Part_1_Crime_Data_.csv",
    identical: ["results.json", "features.parquet", "prepared.parquet"],
    // Starts, subsamples, reference draws and latent class starts are seeded, and so are the seeds the choice of k is
    // repeated with; warnings that read the partition (what separates the clusters, starts, seeds) follow it. The
    // data, its counts and the weighting are not seeded.
    random: [
      "seed",
      "warnings",
      "k_selection",
      "k",
      "k_rule",
      "k_choice",
      "structure",
      "variance_shares",
      "pca",
      "clusters",
      "stability",
      "comparison",
      "lca",
      "areas",
      "pca_sample",
      "pca_density",
      "dashboard",
    ],
    stable: ["data", "weights", "scaling"],
  },
];

const MANIFEST_VOLATILE = ["started_at", "timings"];

for (const ex of EXAMPLES) {
  const exists = existsSync(ex.probe);
  describe.skipIf(!exists && !process.env.CI)(`${ex.name}: determinism`, () => {
    let tmp: string;
    /** Run "a" is the shared run of the example (only read here); "b" repeats its command, "c" changes the seed. */
    let shared = "";
    const out = (tag: string) => (tag === "a" ? shared : join(tmp, tag));
    const results = (tag: string) =>
      JSON.parse(readFileSync(join(out(tag), "results.json"), "utf8")) as Record<string, unknown> & {
        seed: number;
        data: { inputs: { path: string; sha256: string }[] };
      };

    beforeAll(async () => {
      expect(exists, `${ex.probe} is missing: the real data in ../shared/data is required in CI`).toBe(true);
      expect(SHARED[ex.shared]).toEqual({ study: ex.study, data: ex.data });
      ensureDist();
      tmp = mkdtempSync(join(tmpdir(), "openbeat-determinism-"));
      // "b": the shared run's command (the study's own seed, 42); "c": another seed. Made before the shared run is
      // asked for, so that this file works while another one may still be making it.
      for (const [tag, seed] of [
        ["b", []],
        ["c", ["--seed", "43"]],
      ] as const) {
        // A segments run tests its structure against 20 reference draws and repeats the choice of k with five seeds:
        // about 12 s of CPU for Baltimore, so the limits leave room for a machine several times slower.
        const r = await spawnCli(["run", ex.study, "--data", ex.data, "--out", out(tag), ...seed, "--quiet"], {
          timeoutMs: 600_000,
        });
        if (r.code !== 0) throw new Error(`${ex.study} ${seed.join(" ")} failed (${r.code}): ${r.stderr}`);
      }
      const a = await exampleRun(ex.shared);
      if (a.code !== 0) throw new Error(`${ex.study} failed (${a.code}): ${a.stderr}`);
      shared = a.dir;
    }, 1_800_000);

    afterAll(() => {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it("writes the same files in both runs", () => {
      expect(readdirSync(out("a")).sort()).toEqual(readdirSync(out("b")).sort());
    });

    for (const file of ex.identical) {
      it(`the same seed gives a byte-identical ${file}`, () => {
        const a = readFileSync(join(out("a"), file));
        const b = readFileSync(join(out("b"), file));
        expect(a.length).toBeGreaterThan(0);
        expect(a.equals(b)).toBe(true);
      });
    }

    it("the manifest differs only in start time and timings", () => {
      const strip = (tag: string) => {
        const m = JSON.parse(readFileSync(join(out(tag), "manifest.json"), "utf8")) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(m).filter(([k]) => !MANIFEST_VOLATILE.includes(k)));
      };
      expect(strip("a")).toEqual(strip("b"));
    });

    it("a different seed changes only what randomness touches", () => {
      const a = results("a");
      const c = results("c");
      expect(a.seed).toBe(42);
      expect(c.seed).toBe(43);
      expect(Object.keys(c).sort()).toEqual(Object.keys(a).sort());
      const changed = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(c[k]));
      expect(changed).toContain("seed");
      for (const k of changed) expect(ex.random, `results.json "${k}" changed with the seed`).toContain(k);
      for (const k of ex.stable) {
        expect(a[k], `results.json has "${k}"`).toBeDefined();
        expect(c[k]).toEqual(a[k]);
      }
    });

    it("the inputs are recorded with the same sha256 under every seed", () => {
      const inputs = (tag: string) => results(tag).data.inputs.map((i) => [i.path, i.sha256]);
      expect(inputs("a").length).toBeGreaterThan(0);
      expect(inputs("c")).toEqual(inputs("a"));
    });
  });
}
