import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RiskResults } from "../../src/results/types.js";
import { exampleRun } from "../e2e/example-runs.js";
import { cli, SKIP_DATA } from "../e2e/helpers.js";
import { readDataset, startPortal, type TestPortal } from "./portal-server.js";

const DATA = resolve("../shared/data/lmpd-assaulted-officers");

describe.skipIf(SKIP_DATA)("openbeat run with a Socrata source (local portal on 127.0.0.1)", () => {
  let portal: TestPortal;
  const dir = mkdtempSync(join(tmpdir(), "ob-portal-run-"));

  beforeAll(async () => {
    portal = await startPortal({ dataset: readDataset(join(DATA, "AssaultedOfficerData.csv")) });
    portal.faults.set("socrata:2000", [{ kind: "status", status: 503 }]);
    const study = readFileSync("examples/lmpd-officer-assaults.yaml", "utf8").replace(
      "officers: { path: AssaultedOfficerData.csv }",
      `officers: { socrata: { domain: "${portal.origin}", dataset: "abcd-1234", page_size: 1000 } }`,
    );
    expect(study).toContain("socrata");
    writeFileSync(join(dir, "study.yaml"), study);
  });
  // Unset when beforeAll failed.
  afterAll(async () => (portal as TestPortal | undefined)?.close());

  // One LMPD run (the local export's is the shared one): about 7 s of CPU, so the limit leaves room for a slow machine.
  it("fetches (retrying a 503), caches, and gives the same findings and metrics as the local export", async () => {
    const fetched = await cli(["run", join(dir, "study.yaml"), "--data", DATA, "--out", join(dir, "portal"), "--quiet"]);
    expect(fetched.stderr).not.toMatch(/\n\s+at /);
    expect(fetched.code).toBe(0);
    // The local export's run is the e2e tier's shared run of the example (test/e2e/example-runs.ts).
    const local = await exampleRun("lmpd");
    expect(local.code).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, "portal", "results.json"), "utf8")) as RiskResults;
    const b = JSON.parse(readFileSync(join(local.dir, "results.json"), "utf8")) as RiskResults;
    expect(a.data.positives).toBe(954);
    expect(a.findings).toEqual(b.findings);
    expect(a.metrics).toEqual(b.metrics);
    const manifest = JSON.parse(readFileSync(join(dir, "portal", "manifest.json"), "utf8")) as {
      portals: Record<string, { rows: number }>;
    };
    expect(manifest.portals.officers.rows).toBe(5393);
    // The run left its copy in the study's cache, where the same lookup (`openbeat fetch`, as every run) finds it
    // without asking the portal again.
    const asked = portal.requests.length;
    const again = await cli(["fetch", join(dir, "study.yaml")]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^officers: 5,393 rows \(cached\) → /m);
    expect(portal.requests.length).toBe(asked);
  }, 600_000);
});
