#!/usr/bin/env node
// npm runs `prepare` after every `npm install` in a clone (and `npx openbeat` in a clone installs first), so a plain
// `npm run build` there rebuilt everything each time and rewrote dist/ under running tests. This builds only when
// dist/ or web/dist/ is missing or older than a file it is built from; `npm run build` still always builds.
import console from "node:console";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { URL, fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outputs = ["dist/cli/main.js", "dist/index.js", "web/dist/index.html"].map((p) => join(root, p));
const inputs = ["src", "web/src", "web/index.html", "web/vite.config.ts", "tsconfig.json", "tsconfig.build.json", "package.json"];

/** Newest modification time (ms) of a file or of the files under a folder; 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let t = 0;
  for (const entry of readdirSync(path)) t = Math.max(t, newest(join(path, entry)));
  return t;
}

const built = outputs.every((p) => existsSync(p)) ? Math.min(...outputs.map((p) => statSync(p).mtimeMs)) : 0;
const source = Math.max(...inputs.map((p) => newest(join(root, p))));
if (built > 0 && built >= source) {
  console.log("openbeat: dist/ is up to date; not rebuilding (npm run build forces a build)");
} else if (!existsSync(join(root, "node_modules", "typescript"))) {
  // An install without devDependencies cannot build; the published package ships dist/ already.
  console.log("openbeat: no TypeScript installed; skipping the build");
} else {
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ["npm", []];
  const result = spawnSync(npm[0], [...npm[1], "run", "build"], { cwd: root, stdio: "inherit" });
  process.exit(result.status ?? 1);
}
