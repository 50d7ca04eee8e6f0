import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { cli } from "./helpers.js";
import { folderDigest, type RunRecord } from "./run-cache.js";

/**
 * The example studies on the real exports that several e2e files only read: each runs once per e2e invocation (with
 * the built binary, as a user runs it) and every file that needs it gets the same results folder. A file that tests
 * the run itself (determinism, PostgreSQL, error paths) makes its own runs.
 */
export const EXAMPLES = {
  lmpd: { study: "examples/lmpd-officer-assaults.yaml", data: "../shared/data/lmpd-assaulted-officers" },
  "lmpd-no-leak": { study: "examples/lmpd-officer-assaults-no-leak.yaml", data: "../shared/data/lmpd-assaulted-officers" },
  baltimore: { study: "examples/baltimore-victim-segments.yaml", data: "../shared/data" },
  "baltimore-demographics": { study: "examples/baltimore-victim-segments-demographics.yaml", data: "../shared/data" },
  "baltimore-lca": { study: "examples/baltimore-victim-segments-lca.yaml", data: "../shared/data" },
  orlando: { study: "examples/orlando-officer-battered.yaml", data: "../shared/data/orlando-response-to-resistance" },
  philadelphia: {
    study: "examples/philadelphia-shooting-victim-segments.yaml",
    data: "../shared/data/philadelphia-shooting-victims",
  },
} as const;
export type ExampleName = keyof typeof EXAMPLES;

/** One shared run: its results folder (read only: copy it with {@link copyRun} to change anything) and what the CLI printed. */
export interface ExampleRun {
  /** The results folder, `<cache>/<name>/<name>`: its base name is the run's id in the dashboard. */
  dir: string;
  code: number;
  stdout: string;
  stderr: string;
}

/** True while process `pid` lives. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The cache folder given by the global setup. */
function cacheRoot(): string {
  const root = inject("exampleRuns");
  if (!root) throw new Error("no example-run cache: run e2e files through the e2e project (test/e2e/global-setup.ts)");
  return root;
}

/** Reads a finished run, checking that no test changed its folder since. */
function finished(root: string, name: ExampleName): ExampleRun | null {
  const meta = join(root, `${name}.json`);
  if (!existsSync(meta)) return null;
  const rec = JSON.parse(readFileSync(meta, "utf8")) as RunRecord;
  const dir = join(root, name, name);
  if (folderDigest(dir) !== rec.digest)
    throw new Error(`the shared example run ${dir} was changed by a test: copy it with copyRun() before changing it`);
  return { dir, code: rec.code, stdout: rec.stdout, stderr: rec.stderr };
}

/** Runs example `name` into the cache when this process holds its lock; false when another process holds it. */
async function build(root: string, name: ExampleName): Promise<boolean> {
  const lock = join(root, `${name}.lock`);
  try {
    mkdirSync(lock);
  } catch {
    // Held: by a live process (wait for it), or by one that died mid-run (take the run over).
    const pidFile = join(lock, "pid");
    // Just made, its pid not yet written: held.
    if (!existsSync(pidFile)) return false;
    if (alive(Number(readFileSync(pidFile, "utf8")))) return false;
    rmSync(lock, { recursive: true, force: true });
    return build(root, name);
  }
  writeFileSync(join(lock, "pid"), String(process.pid));
  try {
    if (existsSync(join(root, `${name}.json`))) return true;
    const parent = join(root, name);
    rmSync(parent, { recursive: true, force: true });
    mkdirSync(parent);
    const dir = join(parent, name);
    const { study, data } = EXAMPLES[name];
    const r = await cli(["run", study, "--data", data, "--out", dir]);
    const rec: RunRecord = { code: r.code, stdout: r.stdout, stderr: r.stderr, digest: folderDigest(dir) };
    writeFileSync(join(root, `${name}.json.tmp`), JSON.stringify(rec));
    renameSync(join(root, `${name}.json.tmp`), join(root, `${name}.json`));
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The shared runs of `names`, each made once per e2e invocation: the ones no other test process is making are run
 * here, one at a time, then the ones another process holds are waited for. A run that failed is returned as it
 * ended (its code and stderr), for the test to assert on, and is not repeated.
 */
export async function exampleRuns<N extends ExampleName>(names: readonly N[]): Promise<Record<N, ExampleRun>> {
  const root = cacheRoot();
  const out = {} as Record<N, ExampleRun>;
  let pending = [...new Set(names)];
  while (pending.length) {
    const waiting: N[] = [];
    for (const name of pending) {
      let done = finished(root, name);
      if (!done && (await build(root, name))) done = finished(root, name);
      if (done) out[name] = done;
      else waiting.push(name);
    }
    pending = waiting;
    if (pending.length) await sleep(500);
  }
  return out;
}

/** The shared run of example `name` (see {@link exampleRuns}). */
export async function exampleRun(name: ExampleName): Promise<ExampleRun> {
  return (await exampleRuns([name]))[name];
}

/** A private copy of a shared run's results folder at `to`, for a test that changes files in it. */
export function copyRun(run: ExampleRun, to: string): string {
  cpSync(run.dir, to, { recursive: true });
  return to;
}
