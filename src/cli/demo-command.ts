import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadStudy } from "../studies/study-file/load-study.js";
import { runStudy } from "../studies/run-study.js";
import { writeBaltimore } from "../synthetic/baltimore.js";
import { writeLmpd } from "../synthetic/lmpd.js";
import { Logger } from "../util/logger.js";
import { cliIo } from "./io.js";
import { printSummary } from "./summary.js";

/** The examples folder shipped with the package. */
export function examplesDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples");
}

/**
 * `openbeat demo`: generates seeded synthetic exports shaped like the LMPD and Baltimore ones and runs the example
 * studies on them, so a newcomer sees the whole flow without downloading anything. Results are marked synthetic.
 */
export async function demoCommand(options: { out: string; seed: number; force?: boolean }): Promise<void> {
  const io = cliIo();
  const data = await mkdtemp(join(tmpdir(), "openbeat-demo-"));
  try {
    const logger = new Logger({ stream: io.stderr });
    logger.info(`openbeat demo: generating SYNTHETIC data (seed ${options.seed}) in ${data}`);
    await writeLmpd(data, { seed: options.seed });
    await writeBaltimore(join(data, "Part_1_Crime_Data_.csv"), { seed: options.seed, rows: 3000, format: "sample" });
    const studies = [
      { file: join(examplesDir(), "lmpd-officer-assaults.yaml"), out: join(options.out, "lmpd") },
      { file: join(examplesDir(), "demo", "baltimore-victim-segments-synthetic.yaml"), out: join(options.out, "baltimore") },
    ];
    for (const s of studies) {
      const started = performance.now();
      const summary = await runStudy(await loadStudy(s.file), {
        dataDir: data,
        out: s.out,
        seed: options.seed,
        logger,
        synthetic: true,
        force: options.force,
        progress: io.stderr,
      });
      printSummary(summary.results, s.out, performance.now() - started, io.stdout, summary.policy);
    }
    io.stdout.write(
      `\nThese results come from SYNTHETIC data. To run on the real exports, see README.md.\nDashboard: openbeat serve ${join(options.out, "lmpd")} ${join(options.out, "baltimore")}\n`,
    );
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}
