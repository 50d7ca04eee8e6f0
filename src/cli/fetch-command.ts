import { resolvePortalSources } from "../data/portal/index.js";
import { loadStudy } from "../studies/study-file/load-study.js";
import { Logger } from "../util/logger.js";
import { cliIo } from "./io.js";

/** `openbeat fetch STUDY`: downloads (or refreshes) every portal source of a study into the cache. */
export async function fetchCommand(studyFile: string, options: { cache?: string; refresh?: boolean }): Promise<void> {
  const io = cliIo();
  const { spec, file } = await loadStudy(studyFile);
  const logger = new Logger({ stream: io.stderr });
  const { fetched } = await resolvePortalSources(spec, {
    studyFile: file,
    cacheDir: options.cache,
    refresh: options.refresh,
    logger,
    progress: io.stderr,
  });
  const names = Object.keys(fetched);
  if (!names.length) {
    io.stdout.write(`${file}: no portal sources (socrata, arcgis or url) to fetch\n`);
    return;
  }
  for (const name of names) {
    const f = fetched[name];
    io.stdout.write(`${name}: ${f.meta.rows.toLocaleString("en-US")} rows ${f.fromCache ? "(cached)" : "fetched"} → ${f.path}\n`);
  }
}
