import { dirname, resolve } from "node:path";
import { studyCacheDir } from "../data/portal/index.js";
import { globRoot } from "../data/sources/index.js";
import type { StudyBase } from "./study-file/base.js";
import type { ProtectedPath } from "./results-folder.js";

/**
 * The inputs of a run that `--out` must keep clear of: the study file and its folder, the `--data` folder (no
 * results inside it either), every local source file as its path resolves, and the portal cache folder.
 * @param spec the study
 * @param studyFile the study file path
 * @param options `dataDir` (`--data`) and `cacheDir` (`--cache`)
 */
export function protectedInputs(
  spec: StudyBase,
  studyFile: string,
  options: { dataDir?: string; cacheDir?: string } = {},
): ProtectedPath[] {
  const base = options.dataDir ?? dirname(studyFile);
  const out: ProtectedPath[] = [
    { path: studyFile, label: `the study file (${studyFile})` },
    { path: dirname(resolve(studyFile)), label: "the study file's folder" },
  ];
  if (options.dataDir) out.push({ path: options.dataDir, label: `the data folder (--data ${options.dataDir})`, inside: true });
  for (const [name, source] of Object.entries(spec.sources)) {
    // A glob protects the folder its files lie under; the files themselves are found only when the run loads them.
    for (const path of source.path === undefined ? [] : typeof source.path === "string" ? [source.path] : source.path)
      out.push({ path: globRoot(base, path), label: `source "${name}" (${path})` });
  }
  if (Object.values(spec.sources).some((s) => s.path === undefined))
    out.push({ path: studyCacheDir(studyFile, spec.cache_dir, options.cacheDir), label: "the portal cache folder" });
  return out;
}
