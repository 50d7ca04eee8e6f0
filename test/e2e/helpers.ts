import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** True when the real exports are beside the repository. In CI their absence is a failure, not a skip. */
export const HAS_DATA = existsSync("../shared/data");
export const SKIP_DATA = !HAS_DATA && !process.env.CI;
if (process.env.CI && !HAS_DATA) throw new Error("CI is set but ../shared/data is missing: real-data tests must run in CI");

/** Runs the built CLI; resolves with exit code, stdout and stderr (never rejects on a non-zero exit). */
export async function cli(
  args: string[],
  options: { env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync("dist/cli/main.js")) throw new Error("dist/cli/main.js is missing: run npm run build first");
  try {
    const r = await run("node", ["dist/cli/main.js", ...args], { env: { ...process.env, ...options.env }, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : 2, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/** `value`, or a failed test when it is null or undefined (a typed stand-in for `value!`). */
export function must<T>(value: T | null | undefined, what = "value"): T {
  if (value === null || value === undefined) throw new Error(`expected ${what} to be present`);
  return value;
}
