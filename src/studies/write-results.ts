import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../util/errors.js";

/** Files whose presence marks a folder as an openbeat results folder. */
export const RESULTS_MARKERS = ["results.json", "manifest.json"];

/**
 * Serialises JSON with a fixed layout: 2-space indent, keys in insertion order, non-finite numbers as null, so the
 * same computation always gives the same bytes.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";
}

/**
 * Creates a fresh temporary folder beside `out`; `commit` then replaces `out` with it in one rename, so a failed run
 * never leaves a half-written results folder. Refuses to replace a non-empty folder that is not a results folder.
 */
export async function stageResults(out: string): Promise<{ dir: string; commit: () => Promise<void>; abort: () => Promise<void> }> {
  const target = resolve(out);
  const existing = await stat(target).catch(() => null);
  if (existing) {
    if (!existing.isDirectory()) throw new UserError("out.not_directory", `--out ${out}: exists and is not a folder; choose another path`);
    const files = await readdir(target);
    if (files.length && !RESULTS_MARKERS.some((m) => files.includes(m))) {
      throw new UserError(
        "out.not_results",
        `--out ${out}: folder exists, is not empty and is not an openbeat results folder; choose a new or empty folder`,
      );
    }
  }
  await mkdir(dirname(target), { recursive: true });
  const dir = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(dir);
  return {
    dir,
    commit: async () => {
      const old = existing ? `${dir}.old` : null;
      if (old) await rename(target, old);
      await rename(dir, target);
      if (old) await rm(old, { recursive: true, force: true });
    },
    abort: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Writes a text file inside a staged results folder. */
export function writeText(dir: string, name: string, text: string): Promise<void> {
  return writeFile(join(dir, name), text);
}
