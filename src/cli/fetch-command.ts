import { resolvePortalSources } from "../data/portal/index.js";
import { loadStudy } from "../studies/study-file/load-study.js";
import { Logger } from "../util/logger.js";

/** `openbeat fetch STUDY`: downloads (or refreshes) every portal source of a study into the cache. */
export async function fetchCommand(studyFile: string, options: { cache?: string; refresh?: boolean }): Promise<void> {
  const { spec, file } = await loadStudy(studyFile);
  const logger = new Logger();
  const { fetched } = await resolvePortalSources(spec, { studyFile: file, cacheDir: options.cache, refresh: options.refresh, logger });
  const names = Object.keys(fetched);
  if (!names.length) {
    process.stdout.write(`${file}: no portal sources (socrata, arcgis or url) to fetch\n`);
    return;
  }
  for (const name of names) {
    const f = fetched[name];
    process.stdout.write(`${name}: ${f.meta.rows.toLocaleString("en-US")} rows ${f.fromCache ? "(cached)" : "fetched"} → ${f.path}\n`);
  }
}
