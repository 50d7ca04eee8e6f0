import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { cacheKey, folderDigest, type RunRecord } from "./run-cache.js";

/**
 * The e2e tier's shared example runs (test/e2e/example-runs.ts): one folder per invocation under the OS temp folder,
 * filled by the test files as they first ask for a run, and removed at the end. With OPENBEAT_EXAMPLE_RUNS=DIR the
 * runs are kept in DIR under a key of everything they depend on (cacheKey), for running single files again and again.
 * At the end every run's folder must still have the digest it had when its run ended: no test may change a shared
 * run (a test that needs to copies it).
 */
export default function setup(project: TestProject): () => void {
  const kept = process.env.OPENBEAT_EXAMPLE_RUNS;
  const root = kept ? join(kept, cacheKey()) : mkdtempSync(join(tmpdir(), "openbeat-example-runs-"));
  mkdirSync(root, { recursive: true });
  project.provide("exampleRuns", root);
  return () => {
    const changed = readdirSync(root)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .filter((name) => {
        const rec = JSON.parse(readFileSync(join(root, `${name}.json`), "utf8")) as RunRecord;
        return folderDigest(join(root, name, name)) !== rec.digest;
      });
    if (!kept && existsSync(root)) rmSync(root, { recursive: true, force: true });
    if (changed.length) throw new Error(`a test changed the shared example runs ${changed.join(", ")}: copy a run before changing it`);
  };
}
