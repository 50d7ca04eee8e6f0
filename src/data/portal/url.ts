import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { inferTextType, parseCsv } from "./cache.js";
import { type PortalContext, type PortalFetchResult, countingRetry } from "./context.js";
import { fetchWithRetry, stripSecrets } from "./fetch-with-retry.js";

/** Format of a download: the given one, else from the URL's extension, else a {@link UserError}. */
export function urlFormat(url: string, format: string | undefined, source: string): "csv" | "geojson" {
  if (format === "csv" || format === "geojson") return format;
  if (format) throw new UserError("portal.format", msg.portalFormatNotDownloadable(source, format));
  const path = new URL(url).pathname.toLowerCase();
  if (path.endsWith(".csv")) return "csv";
  if (path.endsWith(".geojson") || path.endsWith(".json")) return "geojson";
  throw new UserError("portal.format", msg.portalUnknownFormat(source, stripSecrets(url)));
}

function csvColumns(rows: string[][]): { name: string; type: string }[] {
  const header = rows[0] ?? [];
  return header.map((name, j) => ({ name, type: inferTextType(rows.slice(1).map((r) => r[j] ?? "")) }));
}

function geojsonColumns(features: { properties?: Record<string, unknown> | null }[]): { name: string; type: string }[] {
  const types = new Map<string, Set<string>>();
  for (const f of features) {
    for (const [k, v] of Object.entries(f.properties ?? {})) {
      let s = types.get(k);
      if (!s) types.set(k, (s = new Set()));
      if (v !== null && v !== undefined)
        s.add(typeof v === "object" ? "json" : typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "text");
    }
  }
  return [...types].map(([name, s]) => ({ name, type: s.size === 1 ? [...s][0] : "text" }));
}

/**
 * Downloads a CSV or GeoJSON file into `ctx.file`, retrying like every portal request. A GeoJSON body that does
 * not parse, or a CSV whose last record is cut inside quotes, counts as broken and is asked again.
 * Columns: the CSV header with a number/boolean/text guess, or the union of GeoJSON feature properties.
 */
export async function fetchUrl(url: string, format: "csv" | "geojson", ctx: PortalContext): Promise<PortalFetchResult> {
  const { options, count } = countingRetry(ctx);
  const { value } = await fetchWithRetry(
    url,
    (body) => {
      if (format === "geojson") {
        const json = JSON.parse(body) as { type?: string; features?: unknown[] };
        if (!Array.isArray(json.features))
          throw new UserError("portal.format", msg.portalNotFeatureCollection(ctx.name, stripSecrets(url)));
        return { body, rows: json.features.length, columns: geojsonColumns(json.features as never[]) };
      }
      if ((body.match(/"/g)?.length ?? 0) % 2 === 1) throw new SyntaxError("CSV ends inside a quoted field");
      const rows = parseCsv(body).filter((r) => r.length > 1 || r[0] !== "");
      return { body, rows: Math.max(0, rows.length - 1), columns: csvColumns(rows) };
    },
    options,
  );
  await mkdir(dirname(ctx.file), { recursive: true });
  await writeFile(ctx.file, value.body);
  ctx.progress?.(value.rows, value.rows);
  return { rows: value.rows, columns: value.columns, urls: [stripSecrets(url)], retries: count() };
}
