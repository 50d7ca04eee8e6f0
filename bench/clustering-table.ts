/**
 * The clustering kernel table: openbeat against scikit-learn on the same generated data, 2 and 1 threads.
 *
 *   /usr/bin/python3 bench/clustering.py gen          (once: writes the data)
 *   npx tsx bench/clustering-table.ts [--rounds N] [--only NAME,...]
 *
 * Each round runs both sides' kernel scripts (bench/clustering.py kernels, bench/clustering.ts kernels) for each
 * thread count, alternating which side goes first, so that load on the shared machine falls on both alike.
 * Prints the machine's load (uptime) before and after and a Markdown table of median wall seconds, median CPU
 * seconds and the wall ratio openbeat / scikit-learn, plus each side's check values (iterations, scores).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = "/usr/bin/python3";

interface Row {
  side: "openbeat" | "scikit-learn";
  kernel: string;
  threads: number;
  wall_s: number;
  cpu_s: number;
  [check: string]: unknown;
}

function run(side: Row["side"], threads: number, only: string): Row[] {
  const args = ["kernels", "--threads", String(threads), ...(only ? ["--only", only] : [])];
  const cmd =
    side === "openbeat"
      ? { file: process.execPath, args: ["--import", "tsx", join(ROOT, "bench/clustering.ts"), ...args] }
      : { file: PYTHON, args: [join(ROOT, "bench/clustering.py"), ...args] };
  const env = { ...process.env, ...(side === "openbeat" ? { OPENBEAT_THREADS: String(threads) } : {}) };
  const out = spawnSync(cmd.file, cmd.args, { cwd: ROOT, encoding: "utf8", env, maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`${side} kernels failed (${out.status}): ${out.stderr}`);
  return out.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Row);
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const args = process.argv.slice(2);
const rounds = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) : 3;
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : "";
const uptime = () => execFileSync("uptime", { encoding: "utf8" }).trim();
console.log(`before: ${uptime()}`);
const rows: Row[] = [];
for (let r = 0; r < rounds; ++r) {
  for (const threads of [2, 1]) {
    const sides: Row["side"][] = (r + threads) % 2 ? ["scikit-learn", "openbeat"] : ["openbeat", "scikit-learn"];
    for (const side of sides) rows.push(...run(side, threads, only));
  }
  console.log(`round ${r + 1}/${rounds} done: ${uptime()}`);
}
console.log(`after: ${uptime()}\n`);
const kernels = [...new Set(rows.map((x) => x.kernel))];
const fmt = (v: number) => (v < 10 ? v.toFixed(3) : v.toFixed(1));
console.log(
  "| kernel | threads | openbeat wall s | scikit-learn wall s | ratio | openbeat CPU s | scikit-learn CPU s | checks (openbeat / scikit-learn) |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const kernel of kernels) {
  for (const threads of [2, 1]) {
    const pick = (side: Row["side"]) => rows.filter((x) => x.kernel === kernel && x.threads === threads && x.side === side);
    const o = pick("openbeat");
    const s = pick("scikit-learn");
    if (!o.length || !s.length) continue;
    const ow = median(o.map((x) => x.wall_s));
    const sw = median(s.map((x) => x.wall_s));
    const checks = (x: Row) =>
      Object.entries(x)
        .filter(([key]) => !["side", "kernel", "threads", "wall_s", "cpu_s"].includes(key))
        .map(([key, v]) => `${key} ${typeof v === "number" ? +v.toPrecision(10) : String(v)}`)
        .join(", ");
    console.log(
      `| ${kernel} | ${threads} | ${fmt(ow)} | ${fmt(sw)} | ${(ow / sw).toFixed(2)} | ${fmt(median(o.map((x) => x.cpu_s)))} | ${fmt(
        median(s.map((x) => x.cpu_s)),
      )} | ${checks(o[0])} / ${checks(s[0])} |`,
    );
  }
}
