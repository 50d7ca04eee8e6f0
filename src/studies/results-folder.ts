import { randomBytes } from "node:crypto";
import { readdirSync, rmSync, unlinkSync, readFileSync } from "node:fs";
import { link, lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, parse, relative, resolve, sep } from "node:path";
import { UserError } from "../util/errors.js";
import { onInterrupt } from "../util/interrupt.js";
import { isWithin as within, realPathOf } from "../util/paths.js";
import * as msg from "../util/messages.js";

/**
 * The `--out` folder. openbeat replaces only a folder it wrote itself, proven by a marker file, and never deletes a
 * file it did not write: files a user added to a results folder are carried over into the new one. A run writes
 * into a staging folder beside the target and swaps it in with two renames; a lock file beside the target keeps
 * two runs apart; whatever a killed run left behind is cleaned (or restored) by the next run into the same target.
 * The design and its crash cases are in docs/decisions.md ("The results folder").
 */

/** Name of the marker file in every results folder. */
export const MARKER = ".openbeat";

/** Contents of {@link MARKER}. */
export interface FolderMarker {
  openbeat: "results-folder";
  version: 1;
  /** Identifies the run that wrote the folder. */
  run_id: string;
  /** Every file the run wrote, as relative paths with `/`, sorted; the marker itself is not listed. */
  files: string[];
}

/**
 * Files an openbeat results folder held before folders carried a marker. `--force` replaces such a folder (when
 * {@link isLegacyResultsFolder} recognises it); these names are then treated as openbeat's, anything else is kept.
 */
export const LEGACY_FILES = [
  "results.json",
  "manifest.json",
  "model.json",
  "features.parquet",
  "prepared.parquet",
  "report.html",
  "areas.geojson",
];

/** A path `--out` must keep clear of. */
export interface ProtectedPath {
  /** File or folder. */
  path: string;
  /** How messages name it, e.g. `source "incidents" (incidents.csv)` or `the data folder (--data)`. */
  label: string;
  /** Also refuse an `--out` inside it; by default only an `--out` equal to it or above it is refused. */
  inside?: boolean;
}

/** Options for {@link openResultsFolder}. */
export interface OpenResultsFolderOptions {
  /** Replace a folder recognisably written by an older openbeat (results.json and manifest.json, no marker). */
  force?: boolean;
  /** Inputs that replacing `--out` must never touch (study file and folder, data folder, sources, cache). */
  protect?: ProtectedPath[];
  /** Receives one line when a previous run's leftovers are restored or files are kept. */
  notice?: (line: string) => void;
}

/** What {@link ResultsFolder.commit} did. */
export interface CommitResult {
  /** Top-level entries that were in the old folder, not written by openbeat, and are now in the new one. */
  kept: string[];
}

/** A staged results folder: write into `dir`, then `commit` or `abort`. */
export interface ResultsFolder {
  /** The staging folder to write into (hidden, beside the target). */
  readonly dir: string;
  /** Scratch folder for the database's spill files (beside the staging folder, removed with it). */
  readonly scratch: string;
  /** Absolute path of the results folder (its parent resolved through symbolic links). */
  readonly target: string;
  /** Identifies this run in the marker. */
  readonly runId: string;
  /** Top-level entries of the current target that openbeat did not write and will carry over. */
  readonly keeps: string[];
  /** Writes the marker and swaps the staging folder in; the old folder's own files are removed, others kept. */
  commit(): Promise<CommitResult>;
  /** Removes the staging folder and the lock; the target stays as it was. */
  abort(): Promise<void>;
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

/**
 * A one-line {@link UserError} for an operating-system error met while preparing or writing the results folder.
 * @param e the error
 * @param out `--out` as the user gave it
 * @param path the file or folder the operation was on
 */
export function outFolderError(e: unknown, out: string, path: string): UserError {
  const code = errno(e);
  switch (code) {
    case "EROFS":
      return new UserError("out.unwritable", msg.outReadOnly(out, path), { cause: e });
    case "EACCES":
    case "EPERM":
      return new UserError("out.unwritable", msg.outNoPermission(out, path), { cause: e });
    case "ENOSPC":
    case "EDQUOT":
      return new UserError("out.disk_full", msg.outDiskFull(out, path), { cause: e });
    case "ENAMETOOLONG":
      return new UserError("out.unwritable", msg.outPathTooLong(out), { cause: e });
    case "ENOTDIR":
    case "EEXIST":
      return new UserError("out.unwritable", msg.outPartIsFile(out, path), { cause: e });
    default:
      return new UserError("out.unwritable", msg.outCannotWrite(out, path, code ?? (e instanceof Error ? e.message : String(e))), {
        cause: e,
      });
  }
}

/**
 * Serialises JSON with a fixed layout: 2-space indent, keys in insertion order, non-finite numbers as null, so the
 * same computation always gives the same bytes.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";
}

/**
 * Writes a text file inside a staged results folder; operating-system errors become one-line user errors.
 * @param dir the staging folder
 * @param name file name
 * @param text contents (UTF-8)
 */
export async function writeText(dir: string, name: string, text: string): Promise<void> {
  const path = join(dir, name);
  try {
    await writeFile(path, text);
  } catch (e) {
    throw outFolderError(e, dir, path);
  }
}

/**
 * Refuses an `--out` equal to or above a protected path (replacing it would delete the input), or inside one marked
 * `inside`. Both the paths as written and their real paths are compared, so symbolic links count.
 * @param out `--out` as given
 * @param protect the inputs to keep clear of
 */
export function checkOutClear(out: string, protect: ProtectedPath[]): void {
  const outs = [...new Set([resolve(out), realPathOf(out)])];
  const pairs = protect.flatMap((p) =>
    [...new Set([resolve(p.path), realPathOf(p.path)])].flatMap((pv) => outs.map((ov) => ({ p, pv, ov }))),
  );
  // The closest relation names the input best: "is the data folder" before "contains the study file".
  for (const { p, pv, ov } of pairs) if (pv === ov) throw new UserError("out.protected", msg.outIsInput(out, p.label));
  for (const { p, pv, ov } of pairs) if (within(pv, ov)) throw new UserError("out.protected", msg.outContainsInput(out, p.label));
  for (const { p, pv, ov } of pairs) if (p.inside && within(ov, pv)) throw new UserError("out.protected", msg.outInsideInput(out, p.label));
}

/**
 * Reads and strictly checks the marker of `dir`.
 * @returns the marker, or null when absent or not a valid openbeat marker
 */
export async function readMarker(dir: string): Promise<FolderMarker | null> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(join(dir, MARKER), "utf8"));
  } catch {
    return null;
  }
  return isMarker(value) ? value : null;
}

function isMarker(value: unknown): value is FolderMarker {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  const keys = Object.keys(m).sort().join(",");
  return (
    keys === "files,openbeat,run_id,version" &&
    m.openbeat === "results-folder" &&
    m.version === 1 &&
    typeof m.run_id === "string" &&
    m.run_id.length > 0 &&
    Array.isArray(m.files) &&
    m.files.every((f) => typeof f === "string" && f.length > 0 && !f.startsWith("/") && !f.split("/").includes(".."))
  );
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    const v: unknown = JSON.parse(await readFile(path, "utf8"));
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * True when `dir` is recognisably a results folder of an openbeat that wrote no marker: a results.json whose
 * `study` is "risk" or "segments" with a `name` and a `data.rows` count, and a manifest.json whose `openbeat` field
 * is a version number, with `study_file` and `inputs`. Another tool's manifest.json does not pass.
 */
export async function isLegacyResultsFolder(dir: string): Promise<boolean> {
  const [results, manifest] = await Promise.all([readJson(join(dir, "results.json")), readJson(join(dir, "manifest.json"))]);
  if (!results || !manifest) return false;
  const data = results.data as Record<string, unknown> | undefined;
  return (
    (results.study === "risk" || results.study === "segments") &&
    typeof results.name === "string" &&
    !!data &&
    typeof data === "object" &&
    typeof data.rows === "number" &&
    typeof manifest.openbeat === "string" &&
    /^\d+\.\d+\.\d+/.test(manifest.openbeat) &&
    typeof manifest.study_file === "string" &&
    Array.isArray(manifest.inputs)
  );
}

/** Top-level entries of `dir` openbeat wrote, by its marker or, for `legacy`, by {@link LEGACY_FILES}. */
function ownEntries(entries: string[], marker: FolderMarker | null, legacy: boolean): Set<string> {
  const own = new Set<string>([MARKER]);
  if (marker) for (const f of marker.files) own.add(f.split("/")[0]);
  else if (legacy) for (const f of LEGACY_FILES) own.add(f);
  return new Set(entries.filter((e) => own.has(e)));
}

type TargetState = { kind: "absent" } | { kind: "replace"; user: string[] };

function listEntries(names: string[]): string {
  const shown = names.slice(0, 2).join(", ");
  return names.length > 2 ? `${shown} and ${names.length - 2} more` : shown;
}

/** Decides whether the target may be replaced, and which of its entries are the user's. */
async function inspectTarget(target: string, out: string, force: boolean): Promise<TargetState> {
  let info;
  try {
    info = await lstat(target);
  } catch (e) {
    if (errno(e) === "ENOENT") return { kind: "absent" };
    throw outFolderError(e, out, target);
  }
  if (info.isSymbolicLink()) throw new UserError("out.symlink", msg.outSymlink(out));
  if (!info.isDirectory()) throw new UserError("out.not_directory", msg.outNotFolder(out));
  let entries: string[];
  try {
    entries = (await readdir(target)).sort();
  } catch (e) {
    throw outFolderError(e, out, target);
  }
  if (!entries.length) return { kind: "replace", user: [] };
  const marker = await readMarker(target);
  if (marker) {
    const own = ownEntries(entries, marker, false);
    return { kind: "replace", user: entries.filter((e) => !own.has(e)) };
  }
  if (await isLegacyResultsFolder(target)) {
    const own = ownEntries(entries, null, true);
    const user = entries.filter((e) => !own.has(e));
    if (!force) throw new UserError("out.legacy", msg.outLegacy(out, MARKER, user.length ? listEntries(user) : ""));
    return { kind: "replace", user };
  }
  const shown = entries.filter((e) => e !== MARKER);
  const why = entries.includes(MARKER) ? `its ${MARKER} file is not a valid openbeat marker` : `it has no ${MARKER} marker`;
  throw new UserError("out.not_results", msg.outNotResults(out, listEntries(shown.length ? shown : entries), why, force));
}

/** Every file under `dir`, relative, with `/`, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isDirectory()) out.push(relative(dir, join(e.parentPath, e.name)).split(sep).join("/"));
  }
  return out.sort();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === "EPERM";
  }
}

interface LockInfo {
  pid: number;
  run_id: string;
}

async function readLock(path: string): Promise<LockInfo | null> {
  const v = await readJson(path);
  return v && typeof v.pid === "number" && typeof v.run_id === "string" ? { pid: v.pid, run_id: v.run_id } : null;
}

function lockedError(out: string, lockPath: string, pid?: number): UserError {
  return new UserError("out.locked", msg.outLocked(out, lockPath, pid));
}

/** Creates the lock file exclusively; a lock whose process has died is broken and taken over. */
async function acquireLock(lockPath: string, runId: string, out: string): Promise<void> {
  const body = JSON.stringify({ pid: process.pid, run_id: runId, started: new Date().toISOString() }) + "\n";
  for (let attempt = 0; attempt < 4; ++attempt) {
    try {
      const fh = await open(lockPath, "wx");
      try {
        await fh.writeFile(body);
      } finally {
        await fh.close();
      }
      return;
    } catch (e) {
      if (errno(e) !== "EEXIST") throw outFolderError(e, out, lockPath);
    }
    const holder = await readLock(lockPath);
    if (holder && alive(holder.pid)) throw lockedError(out, lockPath, holder.pid);
    if (!holder) {
      // A lock without readable contents is either being written right now or was left by a crash mid-write.
      const age = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => Infinity,
      );
      if (age < 10_000) throw lockedError(out, lockPath);
    }
    // Break the stale lock by moving it aside first, so two runs that both found it stale cannot both take it.
    const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await rename(lockPath, aside);
    } catch (e) {
      if (errno(e) === "ENOENT") continue;
      throw outFolderError(e, out, lockPath);
    }
    const moved = await readLock(aside);
    if (holder && moved && moved.run_id !== holder.run_id) {
      // Another run replaced the stale lock between our read and our rename: give it back.
      await link(aside, lockPath).catch(() => undefined);
    }
    await unlink(aside).catch(() => undefined);
  }
  throw lockedError(out, lockPath);
}

function releaseLockSync(lockPath: string, runId: string): void {
  try {
    const v = JSON.parse(readFileSync(lockPath, "utf8")) as { run_id?: unknown };
    if (v.run_id === runId) unlinkSync(lockPath);
  } catch {
    // already gone
  }
}

/** Moves `name` from `from` into `to`; keeps both when `to` already has that name. */
async function moveEntry(from: string, to: string, name: string): Promise<void> {
  let dest = join(to, name);
  if (
    await lstat(dest).then(
      () => true,
      () => false,
    )
  )
    dest = join(to, `${name}.recovered-${Date.now()}`);
  await rename(join(from, name), dest);
}

/**
 * Puts back whatever a staging or old folder holds that openbeat did not write (files carried over from the user),
 * then removes it. A staging folder without a marker never received carried files: all of it is openbeat's.
 */
async function salvage(folder: string, target: string, isOld: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch {
    return;
  }
  const marker = await readMarker(folder);
  if (marker || isOld) {
    const own = ownEntries(entries, marker, isOld && !marker);
    const foreign = entries.filter((e) => !own.has(e));
    if (foreign.length) {
      await mkdir(target, { recursive: true });
      for (const e of foreign) await moveEntry(folder, target, e);
    }
  }
  await rm(folder, { recursive: true, force: true });
}

const STAGE_SUFFIX = /^(\d+)-(\d+)(?:\.(old|spill))?$/;

/**
 * Settles what earlier runs into `target` left behind, with the lock held (so none of it belongs to a live run): an
 * old folder is put back when the target is missing (the run died between its two renames), carried files go back
 * into the target, and staging, old and spill folders are removed.
 */
async function settleLeftovers(parent: string, name: string, target: string, notice?: (line: string) => void): Promise<void> {
  const prefix = `.${name}.tmp-`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  const groups = new Map<string, { stage?: string; old?: string; spill?: string }>();
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = STAGE_SUFFIX.exec(n.slice(prefix.length));
    if (!m) continue;
    const key = `${m[1]}-${m[2]}`;
    const g = groups.get(key) ?? {};
    const kind = ((m[3] as string | undefined) ?? "stage") as "stage" | "old" | "spill";
    g[kind] = join(parent, n);
    groups.set(key, g);
  }
  const ordered = [...groups.entries()].sort((a, b) => Number(a[0].split("-")[1]) - Number(b[0].split("-")[1]));
  for (const [, g] of ordered) {
    if (g.spill) await rm(g.spill, { recursive: true, force: true });
    if (g.old) {
      const targetExists = await lstat(target).then(
        () => true,
        () => false,
      );
      if (!targetExists) {
        await rename(g.old, target);
        notice?.(`restored ${target} from a run that stopped while replacing it`);
      } else await salvage(g.old, target, true);
    }
    if (g.stage) await salvage(g.stage, target, false);
  }
}

/**
 * Prepares `--out` for a run: checks that it is clear of the inputs and replaceable, takes the lock, settles what
 * killed runs left, and creates the staging folder. Every refusal is one line naming the file in the way and what
 * to do.
 * @param out the `--out` folder
 * @param options `force` (replace an older openbeat's folder), `protect` (inputs to keep clear of), `notice`
 */
export async function openResultsFolder(out: string, options: OpenResultsFolderOptions = {}): Promise<ResultsFolder> {
  let abs: string;
  let cwd: string;
  try {
    cwd = process.cwd();
    abs = resolve(out);
  } catch (e) {
    throw new UserError("out.unwritable", msg.outNoWorkingFolder(out), { cause: e });
  }
  const name = basename(abs);
  if (!name || abs === parse(abs).root) throw new UserError("out.protected", msg.outRoot(out));
  checkOutClear(out, [...(options.protect ?? []), { path: cwd, label: "the working folder" }]);
  const parentAbs = dirname(abs);
  try {
    await mkdir(parentAbs, { recursive: true });
  } catch (e) {
    throw outFolderError(e, out, parentAbs);
  }
  const parent = realPathOf(parentAbs);
  const target = join(parent, name);
  const force = options.force ?? false;
  // Refuse early, before taking the lock, when the folder is not ours to replace.
  await inspectTarget(target, out, force);
  const runId = `${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}-${process.pid}-${randomBytes(4).toString("hex")}`;
  const lockPath = join(parent, `.${name}.lock`);
  await acquireLock(lockPath, runId, out);
  let dir = "";
  try {
    try {
      await settleLeftovers(parent, name, target, options.notice);
    } catch (e) {
      throw outFolderError(e, out, parent);
    }
    const state = await inspectTarget(target, out, force);
    for (let i = 0; ; ++i) {
      dir = join(parent, `.${name}.tmp-${process.pid}-${Date.now() + i}`);
      try {
        await mkdir(dir);
        break;
      } catch (e) {
        if (errno(e) !== "EEXIST" || i > 100) throw outFolderError(e, out, dir);
      }
    }
    return makeFolder({ out, target, dir, lockPath, runId, force, keeps: state.kind === "replace" ? state.user : [] });
  } catch (e) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    releaseLockSync(lockPath, runId);
    throw e;
  }
}

function makeFolder(f: {
  out: string;
  target: string;
  dir: string;
  lockPath: string;
  runId: string;
  force: boolean;
  keeps: string[];
}): ResultsFolder {
  const { out, target, dir, lockPath, runId, force } = f;
  const scratch = `${dir}.spill`;
  const old = `${dir}.old`;
  let phase: "open" | "committing" | "done" = "open";
  const unregister = onInterrupt({
    cleanup: () => {
      // During the swap, leave everything to the next run: it restores or finishes what the renames began.
      if (phase !== "open") return;
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
      rmSync(scratch, { recursive: true, force: true, maxRetries: 5 });
      releaseLockSync(lockPath, runId);
    },
  });
  const finish = () => {
    phase = "done";
    unregister();
    releaseLockSync(lockPath, runId);
  };
  return {
    dir,
    scratch,
    target,
    runId,
    keeps: f.keeps,
    async commit() {
      if (phase !== "open") throw new Error("results folder already committed or aborted");
      phase = "committing";
      let kept: string[];
      try {
        const files = await listFiles(dir);
        const marker: FolderMarker = { openbeat: "results-folder", version: 1, run_id: runId, files };
        await writeText(dir, MARKER, stableJson(marker));
        const state = await inspectTarget(target, out, force);
        if (state.kind === "replace") {
          const staged = new Set(files.map((x) => x.split("/")[0]));
          const clash = state.user.find((e) => staged.has(e));
          if (clash) throw new UserError("out.kept_conflict", msg.outKeptConflict(out, clash));
          for (const e of state.user) await rename(join(target, e), join(dir, e));
          await rename(target, old);
        }
        await rename(dir, target);
        kept = state.kind === "replace" ? state.user : [];
      } catch (e) {
        // Put back anything already moved, so the target is as it was, then report one line.
        await restore(dir, old, target).catch(() => undefined);
        await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
        finish();
        throw e instanceof UserError ? e : outFolderError(e, out, target);
      }
      // The swap is done; a folder that cannot be removed now is removed by the next run into this target.
      await rm(old, { recursive: true, force: true }).catch(() => undefined);
      await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
      finish();
      return { kept };
    },
    async abort() {
      if (phase === "done") return;
      if (phase === "open") {
        await rm(dir, { recursive: true, force: true, maxRetries: 5 });
        await rm(scratch, { recursive: true, force: true, maxRetries: 5 });
      }
      finish();
    },
  };
}

/** Undoes a swap that failed part way: the old folder back in place, carried files back into it. */
async function restore(dir: string, old: string, target: string): Promise<void> {
  const exists = (p: string) =>
    lstat(p).then(
      () => true,
      () => false,
    );
  if ((await exists(old)) && !(await exists(target))) await rename(old, target);
  if (await exists(dir)) await salvage(dir, target, false);
}

/**
 * Names of leftovers of runs into `out` (staging, old and spill folders, the lock), for tests and diagnostics.
 * @param out the `--out` folder
 */
export function leftoversOf(out: string): string[] {
  const abs = realPathOf(out);
  const name = basename(abs);
  try {
    return readdirSync(dirname(abs))
      .filter((n) => n.startsWith(`.${name}.tmp-`) || n.startsWith(`.${name}.lock`))
      .sort();
  } catch {
    return [];
  }
}
