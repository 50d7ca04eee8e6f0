/**
 * Runs a risk study file and writes the out-of-fold scores of its results folder as CSV, for
 * test/reference/risk_study.py (Debian's Python has no Parquet reader).
 * Run: `npx tsx test/reference/risk_study_run.ts STUDY.yaml DATA_DIR OUT_DIR` → OUT_DIR/scores.csv
 */
import { join } from "node:path";
import { Db, quoteString } from "../../src/data/Db.js";
import { runStudy } from "../../src/studies/run-study.js";
import { loadStudy } from "../../src/studies/study-file/load-study.js";
import { Logger } from "../../src/util/logger.js";

const [study, dataDir, out] = process.argv.slice(2);
await runStudy(await loadStudy(study), { dataDir, out, logger: new Logger({ silent: true }), startedAt: "2025-01-01T00:00:00Z" });
const db = await Db.open();
try {
  await db.exec(
    `COPY (SELECT id, _score, _score_raw FROM read_parquet(${quoteString(join(out, "prepared.parquet"))}) ORDER BY _row) TO ${quoteString(join(out, "scores.csv"))} (HEADER, DELIMITER ',')`,
  );
} finally {
  await db.close();
}
