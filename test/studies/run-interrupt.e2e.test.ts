import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PgDb } from "../../src/data/PgDb.js";
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
      // The progress line for the loaded (or, with --db, copied) source comes right before the prepare step starts.
      if (!sent && (args.includes("--db") ? /copied incidents/ : /loaded incidents/).test(stderr)) {
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

const PG = process.env.OPENBEAT_TEST_PG;

describe.skipIf(!PG)("stopping a run during a long prepare step in PostgreSQL", () => {
  it("Ctrl-C cancels the query, drops the per-run role and schema, and exits 130", async () => {
    const study = join(tmp, "slow-pg.yaml");
    writeFileSync(
      study,
      [
        "name: slow PostgreSQL step",
        "kind: risk",
        "sources:",
        "  incidents: { path: incidents.csv }",
        "prepare:",
        "  - name: slow",
        "    sql: SELECT * FROM incidents WHERE (SELECT count(*) FROM generate_series(1, 100000000000)) > 0",
        "risk:",
        "  target: officer_assaulted",
        "  features: { categorical: [OFFENSE] }",
        "",
      ].join("\n"),
    );
    // A database of its own, so that other runs on the same server cannot be mistaken for this one's leftovers.
    const database = `openbeat_test_int_${process.pid}_${Date.now()}`;
    const server = await PgDb.open(PG ?? "");
    await server.exec(`CREATE DATABASE ${database}`);
    const dbUrl = Object.assign(new URL(PG ?? ""), { pathname: `/${database}` }).toString();
    try {
      const r = await runAndSignal(["run", study, "--data", `${BAD}/data/good`, "--out", out, "--db", dbUrl], "SIGINT");
      expect(r.code, r.stderr).toBe(130);
      expect(readdirSync(tmp)).toEqual(["slow-pg.yaml"]);
      // The CLI has exited, so its connections are closed; a backend still ending its cancelled query can stay in
      // pg_stat_activity for a moment after that (longer on a loaded machine): wait for it, for at most 30 s.
      const leftover = () =>
        server.query(
          `SELECT (SELECT coalesce(datacl::text, '') FROM pg_database WHERE datname = $1) AS acl,
                  (SELECT count(*)::int FROM pg_stat_activity WHERE datname = $1) AS sessions`,
          [database],
        );
      let [left] = await leftover();
      for (let waited = 0; left.sessions !== 0 && waited < 30_000; waited += 200) {
        await new Promise((done) => setTimeout(done, 200));
        [left] = await leftover();
      }
      // The per-run role was granted CONNECT on this database: once it is dropped, the grant is gone with it.
      expect(left.acl).not.toMatch(/openbeat_run_/);
      expect(left.sessions).toBe(0);
      const inside = await PgDb.open(dbUrl);
      try {
        const [n] = await inside.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'openbeat\\_run\\_%'");
        expect(n.n).toBe(0);
      } finally {
        await inside.close();
      }
    } finally {
      await server.exec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await server.close();
    }
  });
});
