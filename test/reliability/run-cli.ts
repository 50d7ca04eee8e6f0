import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runCli as runOpenbeat } from "../../src/cli/main.js";
import type { TextSink } from "../../src/util/logger.js";

/** The built command line, run as users run it. */
export const CLI = "dist/cli/main.js";

/** What one run of the command line gave. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Newest modification time of any file under `dir` (0 when absent). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

/**
 * Builds dist/ when it is missing or older than src/. tsc still writes JavaScript when files owned by others have
 * type errors, so the exit status is not treated as fatal; a missing main.js afterwards is.
 */
export function ensureDist(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newest("src")) return;
  try {
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "pipe" });
  } catch {
    // type errors elsewhere do not stop emission; the check below decides
  }
  if (!existsSync(CLI)) throw new Error(`build did not produce ${CLI}`);
}

/** A sink that keeps what is written to it. */
function capture(): TextSink & { text: () => string } {
  const chunks: string[] = [];
  return {
    write: (text: string) => chunks.push(text),
    text: () => chunks.join(""),
  };
}

/**
 * Runs the command line in this process, as `openbeat ...args` would run, and returns its exit code and everything it
 * printed. The source is run as it is (no build needed); the test process's TZ must be UTC, as the npm scripts set it.
 */
export async function runCli(args: string[]): Promise<CliResult> {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone !== "UTC") throw new Error(`in-process runs need TZ=UTC (as a child process gets), not ${zone}`);
  const stdout = capture();
  const stderr = capture();
  const code = await runOpenbeat(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * Runs `node dist/cli/main.js ...args` in a child process with TZ=UTC and returns its exit code and output: for
 * tests about the process itself (the built binary, a signal, a real exit). Call {@link ensureDist} first.
 */
export function spawnCli(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      "node",
      [CLI, ...args],
      { env: { ...process.env, TZ: "UTC", NO_COLOR: "1", ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** sha256 of every file under each path (files or folders), keyed by path; folders map to their listing. */
export function hashTree(...paths: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (p: string) => {
    let s;
    try {
      s = statSync(p);
    } catch {
      out.set(p, "(absent)");
      return;
    }
    if (s.isDirectory()) {
      const names = readdirSync(p).sort();
      out.set(p, `dir:${names.join("/")}`);
      for (const n of names) visit(join(p, n));
    } else if (s.isFile()) {
      let digest: string;
      try {
        digest = createHash("sha256").update(readFileSync(p)).digest("hex");
      } catch {
        digest = `(unreadable, ${s.size} bytes, mode ${s.mode.toString(8)})`;
      }
      out.set(p, digest);
    } else out.set(p, "(special)");
  };
  for (const p of paths) visit(p);
  return out;
}

/** Non-empty stderr lines. */
export function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== "");
}
