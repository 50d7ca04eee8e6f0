/**
 * Writes the rows a risk study's model was fitted on (those of prepared.parquet with a score) as CSV, for
 * test/reference/risk_study.py --real (Debian's Python has no Parquet reader). Timestamps are written as
 * `YYYY-MM-DD HH:MM:SS`. The CSV holds private rows: write it outside the repository.
 * Run: `npx tsx test/reference/risk_real_export.ts RESULTS_DIR OUT.csv`
 */
import { join } from "node:path";
import { Db, quoteString } from "../../src/data/Db.js";

const [results, out] = process.argv.slice(2);
if (!results || !out) throw new Error("usage: risk_real_export.ts RESULTS_DIR OUT.csv");
const db = await Db.open();
try {
  const src = `read_parquet(${quoteString(join(results, "prepared.parquet"))})`;
  await db.exec(
    `COPY (SELECT * EXCLUDE (_score, _score_raw) FROM ${src} WHERE _score IS NOT NULL ORDER BY _row) TO ${quoteString(out)} (HEADER, DELIMITER ',', TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')`,
  );
} finally {
  await db.close();
}
