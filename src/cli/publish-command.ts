import { copyFile, lstat, mkdir, readdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, join, parse, resolve } from "node:path";
import { checkPublic } from "../disclosure/audit.js";
import { policyOfManifest } from "../disclosure/policy.js";
import { readMarker, stableJson } from "../studies/results-folder.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import { isWithin, realPathOf } from "../util/paths.js";
import { cliIo } from "./io.js";

/** Marker file an `openbeat publish` writes into its folder; a later publish may replace only such a folder. */
export const PUBLISH_MARKER = ".openbeat-publish";

/** Contents of {@link PUBLISH_MARKER}. */
export interface PublishMarker {
  openbeat: "published-folder";
  version: 1;
  /** The files this publish wrote (the marker itself not listed). */
  files: string[];
}

/** The public files of a folder written before manifest.json listed them. */
const LEGACY_PUBLIC = ["results.json", "report.html", "areas.geojson", "manifest.json"];

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );

async function readPublishMarker(dir: string): Promise<PublishMarker | null> {
  try {
    const v = JSON.parse(await readFile(join(dir, PUBLISH_MARKER), "utf8")) as Partial<PublishMarker> | null;
    if (v?.openbeat !== "published-folder" || v.version !== 1 || !Array.isArray(v.files)) return null;
    const files = v.files.filter((f): f is string => typeof f === "string" && f.length > 0 && !f.includes("/") && !f.includes("\\"));
    return { openbeat: "published-folder", version: 1, files };
  } catch {
    return null;
  }
}

/**
 * Refuses a target folder that is a file-system root, the working folder, the results folder itself, or a folder
 * above or inside it (as written and through symbolic links).
 */
function checkTarget(results: string, dir: string): void {
  const abs = resolve(dir);
  if (!basename(abs) || abs === parse(abs).root) throw new UserError("publish.dir", msg.publishDirUnsafe(dir, "is a file-system root"));
  const targets = [...new Set([abs, realPathOf(dir)])];
  const sources = [...new Set([resolve(results), realPathOf(results)])];
  const cwd = process.cwd();
  for (const t of targets) {
    if (t === cwd) throw new UserError("publish.dir", msg.publishDirUnsafe(dir, "is the working folder"));
    for (const s of sources) {
      if (t === s) throw new UserError("publish.dir", msg.publishDirUnsafe(dir, "is the results folder"));
      if (isWithin(t, s)) throw new UserError("publish.dir", msg.publishDirUnsafe(dir, "contains the results folder"));
      if (isWithin(s, t)) throw new UserError("publish.dir", msg.publishDirUnsafe(dir, "is inside the results folder"));
    }
  }
}

/** What {@link publishResults} copied. */
export interface PublishSummary {
  files: string[];
  minCell: number;
}

/**
 * Copies the public files of a results folder (manifest.json's `files.public`) into `dir`, then checks the copy with
 * {@link checkPublic}; when a check fails the copy is removed and a one-line UserError names the file and field.
 * `dir` must be new, empty, or an earlier publish (whose files are replaced); it may not be or hold the results.
 * @param results a folder written by `openbeat run`
 * @param dir the folder to publish into
 */
export async function publishResults(results: string, dir: string): Promise<PublishSummary> {
  if (!(await readMarker(results)) || !(await exists(join(results, "manifest.json"))))
    throw new UserError("publish.results", msg.publishNotResults(results));
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(join(results, "manifest.json"), "utf8"));
  } catch (e) {
    throw new UserError("publish.results", msg.publishNotResults(results), { cause: e });
  }
  const policy = policyOfManifest(manifest);
  if (policy.min_cell <= 0) throw new UserError("publish.unprotected", msg.publishUnprotected(results));
  const listed = (manifest as { files?: { public?: unknown } }).files?.public;
  const wanted = Array.isArray(listed) ? listed.filter((f): f is string => typeof f === "string") : LEGACY_PUBLIC;
  const files: string[] = [];
  for (const f of wanted) {
    if (f.includes("/") || f.includes("\\") || f.startsWith(".")) continue;
    if (await exists(join(results, f))) files.push(f);
    else if (f === "results.json" || f === "report.html") throw new UserError("publish.results", msg.publishMissing(results, f));
  }
  checkTarget(results, dir);
  const created = !(await exists(dir));
  if (!created) {
    const entries = await readdir(dir);
    const earlier = await readPublishMarker(dir);
    if (entries.length && !earlier) throw new UserError("publish.dir", msg.publishDirNotEmpty(dir));
    const own = new Set([...(earlier?.files ?? []), PUBLISH_MARKER]);
    if (entries.some((e) => !own.has(e))) throw new UserError("publish.dir", msg.publishDirNotEmpty(dir));
    for (const e of entries) await rm(join(dir, e), { force: true });
  } else await mkdir(dir, { recursive: true });
  const removeCopy = async () => {
    for (const f of [...files, PUBLISH_MARKER]) await rm(join(dir, f), { force: true });
    if (created) await rmdir(dir).catch(() => undefined);
  };
  try {
    for (const f of files) await copyFile(join(results, f), join(dir, f));
    const problems = await checkPublic(dir, policy);
    if (problems.length) {
      const [p] = problems;
      throw new UserError("publish.check", msg.publishCheckFailed(p.file, p.field, p.value, policy.min_cell, problems.length - 1));
    }
    const marker: PublishMarker = { openbeat: "published-folder", version: 1, files };
    await writeFile(join(dir, PUBLISH_MARKER), stableJson(marker));
  } catch (e) {
    await removeCopy();
    throw e;
  }
  return { files, minCell: policy.min_cell };
}

/** `openbeat publish RESULTS DIR`: copies the public part of a results folder and checks it again. */
export async function publishCommand(results: string, dir: string): Promise<void> {
  const s = await publishResults(results, dir);
  cliIo().stdout.write(
    `published ${String(s.files.length)} files to ${dir}: ${s.files.join(", ")} (checked: no count between 1 and ${String(s.minCell - 1)}); prepared.parquet, features.parquet and model files stay private\n`,
  );
}
