import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

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

/** Runs `node dist/cli/main.js ...args` with TZ=UTC and returns its exit code and output. */
export function runCli(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
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
