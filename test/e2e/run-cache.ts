import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

declare module "vitest" {
  export interface ProvidedContext {
    /** The folder of the shared example runs of this e2e invocation, made by test/e2e/global-setup.ts. */
    exampleRuns: string;
  }
}

/** What a shared run printed, and the digest of its results folder when it ended (test/e2e/example-runs.ts). */
export interface RunRecord {
  code: number;
  stdout: string;
  stderr: string;
  digest: string;
}

/** SHA-256 over the relative path and bytes of every file under `dir`, in name order ("absent" without the folder). */
export function folderDigest(dir: string): string {
  if (!existsSync(dir)) return "absent";
  const h = createHash("sha256");
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const f of files) h.update(relative(dir, f)).update("\0").update(readFileSync(f)).update("\0");
  return h.digest("hex");
}

/**
 * The key of a kept cache (OPENBEAT_EXAMPLE_RUNS): everything a run's results depend on, the built binary, the
 * example studies, the locked dependencies, Node's version and the exports' bytes.
 */
export function cacheKey(): string {
  const h = createHash("sha256");
  for (const dir of ["dist", "examples", "../shared/data"]) h.update(`${dir}\0${folderDigest(dir)}\0`);
  h.update(readFileSync("package-lock.json")).update(process.version);
  return h.digest("hex").slice(0, 16);
}
