import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

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

/**
 * e2e files that hold the longest work, in the order they start: the attacker makes five of the shared example runs
 * (test/e2e/example-runs.ts) that many files wait for, then the files with long runs of their own. Without it a
 * fresh clone (no vitest cache of durations) starts the largest files first, and the tier ended with one long file
 * running alone.
 */
const E2E_FIRST = [
  "test/e2e/attacker.e2e.test.ts",
  "test/e2e/init.e2e.test.ts",
  "test/e2e/determinism.e2e.test.ts",
  "test/pg/run-postgres.e2e.test.ts",
  "test/e2e/demo.e2e.test.ts",
  "test/e2e/cli.e2e.test.ts",
  "test/e2e/baltimore.e2e.test.ts",
  "test/e2e/dashboard-views.e2e.test.ts",
  "test/e2e/dashboard-real.e2e.test.ts",
];

/** vitest's order (projects one after the other), with the files of E2E_FIRST first within their project. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const project = new Map<string, number>();
    for (const f of base) if (!project.has(f.project.name)) project.set(f.project.name, project.size);
    const rank = (f: TestSpecification) => {
      const i = E2E_FIRST.indexOf(relative(this.ctx.config.root, f.moduleId));
      return i < 0 ? E2E_FIRST.length : i;
    };
    const order = new Map(base.map((f, i) => [f, i]));
    return [...base].sort(
      (a, b) =>
        (project.get(a.project.name) ?? 0) - (project.get(b.project.name) ?? 0) ||
        rank(a) - rank(b) ||
        (order.get(a) ?? 0) - (order.get(b) ?? 0),
    );
  }
}

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
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
      // invocation and shared (test/e2e/example-runs.ts, set up by test/e2e/global-setup.ts). Files share each
      // worker's module registry, as unit files do (no e2e file changes process state: env, cwd, mocks, globals):
      // about 15 CPU s of forks and imports fewer. `npm run test:e2e` runs three workers, since most files wait on
      // child runs, Chromium or sockets much of their time.
      {
        extends: true,
        test: {
          name: "e2e",
          isolate: false,
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
