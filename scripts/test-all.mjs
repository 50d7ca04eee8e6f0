#!/usr/bin/env node
/**
 * `npm test`: build (the library and the front end side by side), then the unit tier and the e2e tier one after the
 * other, while the static checks (lint, then typecheck) run beside all of them at the lowest CPU priority. The
 * build and the e2e tier leave part of the machine idle (a single-threaded compiler; tests waiting on Chromium,
 * PostgreSQL and child processes), and the checks fill that time instead of running after it. The tiers print as
 * they run; the checks' output is held and printed when they end, then a summary of every step with its time.
 * Exits non-zero when any step failed.
 *
 *   node scripts/test-all.mjs            (what `npm test` runs)
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import process from "node:process";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs `npm run script`; its output goes to the terminal, or is collected when `quiet`. */
function run(script, { quiet = false, nice = false } = {}) {
  const started = performance.now();
  if (!quiet) process.stdout.write(`\n> npm run ${script}\n`);
  return new Promise((done) => {
    // The checks take what the tiers leave idle (lowest priority, inherited by everything npm starts).
    const [command, args] = nice && process.platform !== "win32" ? ["nice", ["-n", "19", npm]] : [npm, []];
    const child = spawn(command, [...args, "run", "--silent", script], { stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    child.stdout?.on("data", (b) => (output += b));
    child.stderr?.on("data", (b) => (output += b));
    child.on("error", (e) => done({ script, code: 1, output: `${output}${e.message}\n`, seconds: 0 }));
    child.on("close", (code, signal) =>
      done({ script, code: code ?? (signal ? 1 : 0), output, seconds: (performance.now() - started) / 1000 }),
    );
  });
}

/** Runs scripts one after the other, stopping at the first failure. */
async function sequence(scripts, options) {
  const results = [];
  for (const script of scripts) {
    const r = await run(script, options);
    results.push(r);
    if (r.code !== 0) break;
  }
  return results;
}

const started = performance.now();
// The checks read only the sources: they start at once, beside the build (whose two halves, the library and the
// front end, are independent processes) and then the tiers.
const checks = sequence(["lint", "typecheck"], { quiet: true, nice: true });
const build = await Promise.all([run("build:lib"), run("build:web")]);
const results = [...build];
if (build.every((r) => r.code === 0)) results.push(...(await sequence(["test:unit", "test:e2e"])));
const done = await checks;
for (const r of done) {
  if (r.output.trim() || r.code !== 0) process.stdout.write(`\n> npm run ${r.script}\n${r.output}`);
}
results.push(...done);
const total = (performance.now() - started) / 1000;
process.stdout.write("\nnpm test:\n");
for (const r of results) process.stdout.write(`  ${r.code === 0 ? "ok    " : "FAILED"} ${r.script.padEnd(10)} ${r.seconds.toFixed(1)} s\n`);
const failed = results.filter((r) => r.code !== 0);
const skipped = ["build:lib", "build:web", "test:unit", "test:e2e", "typecheck", "lint"].filter(
  (s) => !results.some((r) => r.script === s),
);
for (const s of skipped) process.stdout.write(`  skipped ${s} (an earlier step failed)\n`);
process.stdout.write(`  ${total.toFixed(1)} s in all\n`);
process.exitCode = failed.length || skipped.length ? 1 : 0;
