/**
 * Writes a generated LMPD-shaped pair of exports for scale benchmarks (`examples/lmpd-officer-assaults.yaml` runs on
 * it unedited with `--data DIR`):
 *
 *   npx tsx bench/scale-data.ts DIR [SCALE] [SEED]
 *
 * SCALE 31 (default) gives about a million rows in the study's analysis table; SEED defaults to 2024, as bench/run.ts.
 */
import { writeLmpd } from "../src/synthetic/lmpd.js";

const [dir, scale = "31", seed = "2024"] = process.argv.slice(2);
if (!dir) {
  console.error("usage: npx tsx bench/scale-data.ts DIR [SCALE] [SEED]");
  process.exit(1);
}
const files = await writeLmpd(dir, { seed: Number(seed), scale: Number(scale) });
console.log(`${files.officers}\n${files.crimes}`);
