import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

/**
 * Two tiers. `unit`: pure and in-process tests (the command line runs in-process too); no browser, no child process,
 * no PostgreSQL, nothing under test/e2e. `e2e`: the built binary in child processes, headless Chromium, PostgreSQL
 * and the example studies on the real exports. A test that spawns a process, opens a browser or needs PostgreSQL
 * lives under test/e2e or is named `*.e2e.test.ts`.
 */
const E2E = ["test/e2e/**/*.test.ts", "test/**/*.e2e.test.ts"];

/**
 * The bad-input corpus is one list in one file: its in-process cases run in `unit`, the cases about a process (a
 * signal, a real exit) run in `e2e`; the file reads its tier with `testTier()` (test/tier.ts).
 */
const CORPUS = "test/reliability/bad-inputs.test.ts";
/** The corpus joins the e2e tier only while it holds a case about the process (an empty test file fails). */
const BOTH = readFileSync(CORPUS, "utf8").includes("process: true,") ? [CORPUS] : [];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    env: { TZ: "UTC" },
    projects: [
      // Unit files share each worker's module registry (isolate: false): importing DuckDB, vega and the sources once
      // per worker instead of once per file saves about a third of the tier. test/unit-tier.test.ts checks that the
      // setup file's refusal of child processes still holds.
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: E2E,
          isolate: false,
          setupFiles: ["test/unit-setup.ts"],
          provide: { tier: "unit" },
        },
      },
      // e2e tests run whole studies on the real exports (a few seconds to a minute of CPU each): ten minutes leaves
      // room for a loaded machine many times slower. The example runs that several files only read are made once per
      // invocation and shared (test/e2e/example-runs.ts, set up by test/e2e/global-setup.ts).
      {
        extends: true,
        test: {
          name: "e2e",
          include: [...E2E, ...BOTH],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          globalSetup: ["test/e2e/global-setup.ts"],
          provide: { tier: "e2e" },
        },
      },
    ],
  },
});
