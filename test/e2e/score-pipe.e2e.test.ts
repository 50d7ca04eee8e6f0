import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ensureDist, runCli } from "../reliability/run-cli.js";

/** `openbeat score ... | head -1`: the reader closes the pipe early; openbeat stops quietly (no EPIPE stack). */

let tmp: string;
beforeAll(async () => {
  ensureDist();
  tmp = mkdtempSync(join(tmpdir(), "openbeat-pipe-"));
  const r = await runCli([
    "run",
    "test/fixtures/bad/studies/risk.yaml",
    "--data",
    "test/fixtures/bad/data/good",
    "--out",
    join(tmp, "out"),
    "--quiet",
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  // Far more output than a pipe buffers, so openbeat is still writing when head exits.
  const [head, ...rows] = readFileSync("test/fixtures/bad/data/good/incidents.csv", "utf8").trimEnd().split("\n");
  const many = Array.from({ length: 3000 }, (_, k) => rows.map((r) => r.replace(/^I21-/, `I${k}-`))).flat();
  writeFileSync(join(tmp, "many.csv"), `${head}\n${many.join("\n")}\n`);
}, 180_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("openbeat score into a pipe that closes", () => {
  it("score ... | head -1 prints the header and no error", async () => {
    const command = `set -o pipefail 2>/dev/null; node ${CLI} score ${join(tmp, "out", "model.json")} ${join(tmp, "many.csv")} | head -1`;
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile("bash", ["-c", command], { env: { ...process.env, TZ: "UTC" }, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      });
    });
    expect(r.stdout).toBe("INCIDENT_NUMBER,score,score_raw,flag\n");
    expect(r.stderr).not.toMatch(/EPIPE|internal error|^\s{4}at /m);
    expect(r.code).toBe(0);
  });
});
