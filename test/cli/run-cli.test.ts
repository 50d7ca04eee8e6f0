import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/io.js";
import { Db, defaultMemoryLimit } from "../../src/data/Db.js";
import { VERSION } from "../../src/util/version.js";

/** The command line in-process: exit codes instead of process.exit, and every line through the given writers. */

const BAD = "test/fixtures/bad";
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-run-cli-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs the command line with writers that keep what they are given. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe("runCli(argv, io)", () => {
  it("--version and --help print to io.stdout and return 0, as does a command's own --help", async () => {
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe("");
    for (const command of ["run", "fetch", "demo", "score", "inspect", "serve"])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    const runHelp = await cli(["run", "--help"]);
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toMatch(/^Usage: openbeat run \[options\] <study>/);
    expect(runHelp.stdout).toContain("--seed <n>");
  });

  it("a usage error is one line on io.stderr and exit 1", async () => {
    const unknown = await cli(["frobnicate"]);
    expect(unknown).toEqual({ code: 1, stdout: "", stderr: "openbeat: unknown command 'frobnicate'; run openbeat --help for usage\n" });
    const seed = await cli(["run", `${BAD}/studies/risk.yaml`, "--seed", "x1"]);
    expect(seed).toEqual({ code: 1, stdout: "", stderr: 'openbeat: --seed must be a whole number, not "x1"\n' });
  });

  it("--memory-limit takes a size, reaches the run's database, and anything else is one line and exit 1", async () => {
    for (const bad of ["lots", "4", "0GB", "-1MB"]) {
      const r = await cli(["run", `${BAD}/studies/risk.yaml`, "--memory-limit", bad]);
      expect(r, bad).toEqual({
        code: 1,
        stdout: "",
        stderr: `openbeat: --memory-limit: must be a size such as 4GB, 512MB or 2GiB, not "${bad}"\n`,
      });
    }
    const open = vi.spyOn(Db, "open");
    try {
      const r = await cli([
        "run",
        `${BAD}/studies/risk.yaml`,
        "--data",
        `${BAD}/data/good`,
        "--out",
        join(tmp, "mem"),
        "--memory-limit",
        "300mb",
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(open.mock.calls.map((c) => c[1]?.memoryLimit)).toContain("300MB");
      open.mockClear();
      const d = await cli(["run", `${BAD}/studies/risk.yaml`, "--data", `${BAD}/data/good`, "--out", join(tmp, "mem-default")]);
      expect(d.code, d.stderr).toBe(0);
      expect(open.mock.calls.map((c) => c[1]?.memoryLimit)).toContain(defaultMemoryLimit());
    } finally {
      open.mockRestore();
    }
    const db = await Db.open(":memory:", { memoryLimit: "300MB" });
    try {
      const [row] = await db.query("SELECT current_setting('memory_limit') AS m");
      // DuckDB reports the limit in binary units: 300 MB = 286.1 MiB.
      expect(String(row.m)).toMatch(/^286\.\d MiB$/);
    } finally {
      await db.close();
    }
  });

  it("a run prints progress on io.stderr and the summary on io.stdout, and nothing on the process's own streams", async () => {
    const out = join(tmp, "risk");
    const stdout = vi.spyOn(process.stdout, "write");
    const stderr = vi.spyOn(process.stderr, "write");
    try {
      const r = await cli(["run", `${BAD}/studies/risk.yaml`, "--data", `${BAD}/data/good`, "--out", out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^openbeat: reliability base risk study \(risk study, seed 7\)$/m);
      expect(r.stderr).toMatch(/loaded incidents: 90 rows/);
      expect(r.stderr).toMatch(/^ {2}wrote report\.html$/m);
      expect(r.stdout).toMatch(/^reliability base risk study$/m);
      expect(r.stdout).toMatch(/balanced accuracy \d\.\d{3}/);
      expect(r.stdout).toContain(`  results: ${out}/`);
      expect(stdout).not.toHaveBeenCalled();
      expect(stderr).not.toHaveBeenCalled();

      const scored = await cli(["score", join(out, "model.json"), `${BAD}/data/good/incidents.csv`]);
      expect(scored.code, scored.stderr).toBe(0);
      const rows = scored.stdout.trim().split("\n");
      expect(rows[0]).toBe("INCIDENT_NUMBER,score,score_raw,flag");
      expect(rows).toHaveLength(91);
      expect(scored.stderr).toMatch(/^scored 90 rows with .*model\.json: \d+ flagged \(calibrated risk ≥ 0\.\d+\)$/m);

      const inspected = await cli(["inspect", `${BAD}/data/good/incidents.csv`]);
      expect(inspected.code).toBe(0);
      expect(inspected.stdout).toContain("OFFENSE");
      expect(stdout).not.toHaveBeenCalled();
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });

  it("a user error is one line naming the study file, exit 1; --quiet leaves only that line", async () => {
    const r = await cli(["run", `${BAD}/studies/risk.yaml`, "--data", `${BAD}/data/one-class`, "--out", join(tmp, "x"), "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^openbeat: test\/fixtures\/bad\/studies\/risk\.yaml: target "officer_assaulted" has only one class/);
  });

  it("a writer that throws fails its own run only", async () => {
    const broken = {
      write: () => {
        throw new Error("EPIPE");
      },
    };
    await expect(runCli(["--version"], { stdout: broken, stderr: broken })).rejects.toThrow("EPIPE");
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it("runs started together each get their own output", async () => {
    const [a, b, c] = await Promise.all([cli(["--version"]), cli(["frobnicate"]), cli(["inspect", `${BAD}/data/nope.csv`])]);
    expect(a).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^openbeat: unknown command 'frobnicate'/);
    expect(c).toEqual({ code: 1, stdout: "", stderr: `openbeat: ${BAD}/data/nope.csv: file not found; check the path\n` });
  });
});
