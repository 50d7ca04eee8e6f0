#!/usr/bin/env node
// The npm registry mirror this project installs from does not serve the native packages of other platforms
// (darwin, win32, arm64, musl builds of DuckDB, Rollup, ...). npm then leaves them out of package-lock.json, and
// `npm ci` refuses the lockfile as "out of sync". This adds the missing optional platform packages back, with the
// version their parent names and the os/cpu/libc their name states, so `npm ci` skips them on this platform as it
// would with a complete lockfile. Run after `npm install` changes dependencies: node scripts/complete-lockfile.mjs
import console from "node:console";
import { readFileSync, writeFileSync } from "node:fs";
import { URL } from "node:url";

const OS = new Set(["darwin", "linux", "win32", "android", "freebsd", "openbsd", "netbsd", "openharmony", "sunos", "aix"]);
const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages;
let added = 0;
for (const entry of Object.values({ ...packages })) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const tokens = name.replace(/^@[^/]+\//, "").split("-");
    const at = tokens.findIndex((t) => OS.has(t));
    if (at < 0 || at + 1 >= tokens.length) continue;
    const rest = tokens.slice(at + 2);
    const item = { version, cpu: [tokens[at + 1]], os: [tokens[at]], optional: true };
    if (rest.some((t) => t.startsWith("musl"))) item.libc = ["musl"];
    else if (tokens[at] === "linux") item.libc = ["glibc"];
    packages[key] = item;
    ++added;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lockfile: added ${added} platform package entries`);
