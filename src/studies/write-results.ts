import { openResultsFolder, type ResultsFolder } from "./results-folder.js";

export { stableJson, writeText } from "./results-folder.js";

/**
 * Stages a results folder for `out` with the default safety rules of {@link openResultsFolder} (no `--force`, no
 * protected inputs). Kept for callers written before results-folder.ts; new code calls `openResultsFolder`.
 * @param out the `--out` folder
 */
export async function stageResults(out: string): Promise<{ dir: string; commit: () => Promise<void>; abort: () => Promise<void> }> {
  const folder: ResultsFolder = await openResultsFolder(out);
  return {
    dir: folder.dir,
    commit: async () => {
      await folder.commit();
    },
    abort: () => folder.abort(),
  };
}
