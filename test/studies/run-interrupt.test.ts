import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLI, ensureDist, hashTree, runCli } from "../reliability/run-cli.js";

/**
 * A run stopped while a prepare step is busy (a query that would take hours) must stop that query, remove its
 * staging folder and lock, and leave the previous results as they were. Signals and exit codes are the point here,
 * so the command line is spawned.
 */

const BAD = "test/fixtures/bad";
const slow = ["run", `${BAD}/studies/sql-slow.yaml`, "--data", `${BAD}/data/good`];
const good = ["run", `${BAD}/studies/risk.yaml`, "--data", `${BAD}/data/good`];

let tmp: string;
let out: string;
beforeAll(() => {
  ensureDist();
});
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-interrupt-"));
  out = join(tmp, "out");
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts the CLI, sends `signal` once the slow step has started, and resolves with the exit code and stderr. */
function runAndSignal(
  args: string[],
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TZ: "UTC" }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let sent = false;
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the run did not reach the slow step: ${stderr}`));
    }, 60_000);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      // The progress line for the loaded source comes right before the prepare step starts.
      if (!sent && /loaded incidents/.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill(signal), 500);
      }
    });
    child.on("exit", (code, sig) => {
      clearTimeout(guard);
      resolve({ code, signal: sig, stderr });
    });
  });
}

const leftovers = () => readdirSync(tmp).filter((f) => f !== "out");

describe("stopping a run during a long prepare step", () => {
  it("Ctrl-C (SIGINT) stops the step, exits 130, and leaves the previous results and nothing else", async () => {
    const first = await runCli([...good, "--out", out, "--quiet"]);
    expect(first.code, first.stderr).toBe(0);
    const before = hashTree(out);
    const r = await runAndSignal([...slow, "--out", out], "SIGINT");
    expect(r.code).toBe(130);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(
      /^openbeat: interrupted \(SIGINT\); stopped the running step and removed the unfinished results$/,
    );
    expect(leftovers()).toEqual([]);
    expect(hashTree(out)).toEqual(before);
  });

  it("SIGTERM exits 143 and leaves no staging folder or lock (no --out before)", async () => {
    const r = await runAndSignal([...slow, "--out", out], "SIGTERM");
    expect(r.code).toBe(143);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("SIGKILL leaves the old results; the next run into the same --out cleans what the killed run left", async () => {
    const first = await runCli([...good, "--out", out, "--quiet"]);
    expect(first.code, first.stderr).toBe(0);
    const before = hashTree(out);
    const r = await runAndSignal([...slow, "--out", out], "SIGKILL");
    expect(r.signal).toBe("SIGKILL");
    expect(hashTree(out)).toEqual(before);
    expect(leftovers().some((f) => f.startsWith(".out.tmp-"))).toBe(true);
    expect(leftovers()).toContain(".out.lock");
    const next = await runCli([...good, "--out", out, "--quiet"]);
    expect(next.code, next.stderr).toBe(0);
    expect(leftovers()).toEqual([]);
  });
});
