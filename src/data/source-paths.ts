import { dirname, resolve } from "node:path";
import { UserError } from "../util/errors.js";
import { isWithin, realPathOf } from "../util/paths.js";
import * as msg from "../util/messages.js";

/** Options for {@link checkSourceInside}. */
export interface SourceRootsOptions {
  /** The `--data` folder, when given. */
  dataDir?: string;
  /** `--allow-outside-paths`: accept any path. */
  allowOutside?: boolean;
}

/**
 * Folders a study's source paths must resolve inside: the study file's folder and, when given, `--data`, as real
 * paths (symbolic links resolved).
 * @param studyFile the study file
 * @param dataDir the `--data` folder
 */
export function sourceRoots(studyFile: string, dataDir?: string): string[] {
  return [...new Set([realPathOf(dirname(resolve(studyFile))), ...(dataDir ? [realPathOf(dataDir)] : [])])];
}

/**
 * Refuses a source file whose real path lies outside the study file's folder and `--data`, so that a study file
 * shared between analysts cannot read `/etc/passwd` or `../../..`; `--allow-outside-paths` lifts the rule.
 * @param studyFile the study file (for the message and its folder)
 * @param name source name
 * @param path the path as written in the study file
 * @param full the resolved path
 * @param options `dataDir` and `allowOutside`
 */
export function checkSourceInside(studyFile: string, name: string, path: string, full: string, options: SourceRootsOptions): void {
  if (options.allowOutside) return;
  const where = realPathOf(full);
  const roots = sourceRoots(studyFile, options.dataDir);
  if (roots.some((r) => isWithin(where, r))) return;
  const places = options.dataDir ? "the study file's folder and --data" : "the study file's folder";
  throw new UserError("source.outside", msg.sourceOutside(studyFile, name, path, where, places));
}
