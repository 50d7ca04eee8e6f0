/**
 * Writes a generated LMPD-shaped pair of exports for scale benchmarks (`examples/lmpd-officer-assaults.yaml` runs on
 * it unedited with `--data DIR`):
 *
 *   npx tsx bench/scale-data.ts DIR [SCALE] [SEED] [--copies N]
 *
 * SCALE 31 (default) gives about a million rows in the study's analysis table; SEED defaults to 2024, as bench/run.ts.
 * The generator goes up to SCALE 40; `--copies N` then writes N copies of each export one after the other, each
 * copy's INCIDENT_NUMBER suffixed with `-0`, `-1`, … so that a copy's officer incidents join only its own crime
 * reports (SCALE 31 with `--copies 10`: about ten million analysis rows, the same patterns ten times over).
 *
 *   npx tsx bench/scale-data.ts DIR --baltimore ROWS [SEED]
 *
 * writes a generated Baltimore Part 1 export of ROWS rows as DIR/baltimore-part1.csv (years in the real export's
 * proportions) with a copy of the shared boundaries beside it, for `bench/studies/baltimore-scale.yaml`, which segments
 * every victim of every year (10,000,000 rows: about 9.6M victims).
 */
import { cpSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { DuckDBInstance } from "@duckdb/node-api";
import { quoteString } from "../src/data/Db.js";
import { writeBaltimore } from "../src/synthetic/baltimore.js";
import { writeLmpd } from "../src/synthetic/lmpd.js";

const args = process.argv.slice(2);
const baltimore = args.indexOf("--baltimore");
if (baltimore >= 0) {
  const [dir] = args;
  const rows = Number(args[baltimore + 1]);
  const seed = Number(args[baltimore + 2] ?? 2024);
  if (!dir || dir.startsWith("--") || !Number.isInteger(rows) || rows < 1) {
    console.error("usage: npx tsx bench/scale-data.ts DIR --baltimore ROWS [SEED]");
    process.exit(1);
  }
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "baltimore-part1.csv");
  await writeBaltimore(file, { seed, rows });
  const boundaries = join(dir, "baltimore-boundaries");
  // a copy, not a link: a study's sources must resolve inside --data
  if (!existsSync(boundaries))
    cpSync(resolve(import.meta.dirname, "../../shared/data/baltimore-boundaries"), boundaries, { recursive: true });
  console.log(file);
  process.exit(0);
}
const at = args.indexOf("--copies");
const copies = at >= 0 ? Number(args.splice(at, 2)[1]) : 1;
const [dir, scale = "31", seed = "2024"] = args;
if (!dir || !(Number.isInteger(copies) && copies >= 1)) {
  console.error("usage: npx tsx bench/scale-data.ts DIR [SCALE] [SEED] [--copies N]");
  process.exit(1);
}
if (copies === 1) {
  const files = await writeLmpd(dir, { seed: Number(seed), scale: Number(scale) });
  console.log(`${files.officers}\n${files.crimes}`);
} else {
  mkdirSync(dir, { recursive: true });
  const once = mkdtempSync(join(dir, ".once-"));
  try {
    const files = await writeLmpd(once, { seed: Number(seed), scale: Number(scale) });
    const db = await (await DuckDBInstance.create(":memory:")).connect();
    for (const file of [files.officers, files.crimes]) {
      const out = join(dir, basename(file));
      // Copy by copy, each in the file's own row order (COPY keeps the order rows are read in), then joined.
      const parts: string[] = [];
      for (let c = 0; c < copies; ++c) {
        const part = join(once, `part-${c}.csv`);
        await db.run(
          `COPY (SELECT * REPLACE (INCIDENT_NUMBER || '-${c}' AS INCIDENT_NUMBER) FROM read_csv(${quoteString(file)}, all_varchar = true)) TO ${quoteString(part)} (HEADER ${c === 0}, DELIMITER ',')`,
        );
        parts.push(part);
      }
      const sink = createWriteStream(`${out}.tmp`);
      for (const part of parts) await pipeline(createReadStream(part), sink, { end: false });
      await new Promise<void>((done, fail) => {
        sink.end((e?: Error | null) => {
          if (e) fail(e);
          else done();
        });
      });
      renameSync(`${out}.tmp`, out);
      for (const part of parts) rmSync(part);
      console.log(out);
    }
  } finally {
    rmSync(once, { recursive: true, force: true });
  }
}
