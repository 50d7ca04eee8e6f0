import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { ArcgisSpec } from "../sources/source-spec.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { csvLine } from "./cache.js";
import { type PortalContext, type PortalFetchResult, countingRetry } from "./context.js";
import { RetryableError, fetchWithRetry, stripSecrets } from "./fetch-with-retry.js";
import { writeAll } from "./write-lines.js";

/** A field as an ArcGIS layer describes it. */
export interface ArcgisField {
  name: string;
  type: string;
  alias?: string;
}

/** The parts of a layer's `?f=json` description that paging needs. */
export interface ArcgisLayerInfo {
  maxRecordCount: number;
  fields: ArcgisField[];
  objectIdField?: string;
  supportsPagination: boolean;
}

/**
 * Formats epoch milliseconds as an ISO 8601 local timestamp (`YYYY-MM-DDTHH:MM:SS`, `.sss` only when not zero)
 * in an IANA time zone, without an offset: the wall-clock time in that zone.
 * @param ms epoch milliseconds (UTC)
 * @param timeZone e.g. "UTC", "America/New_York"
 */
export function formatEpochMs(ms: number, timeZone: string): string {
  const d = new Date(ms);
  let text: string;
  if (timeZone === "UTC" || timeZone === "Etc/UTC") {
    text = d.toISOString().slice(0, 19);
  } else {
    const parts = Object.fromEntries(
      dateFormat(timeZone)
        .formatToParts(d)
        .map((p) => [p.type, p.value]),
    );
    text = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  }
  const frac = ((ms % 1000) + 1000) % 1000;
  return frac ? `${text}.${String(frac).padStart(3, "0")}` : text;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Throws a {@link UserError} naming the source when `timeZone` is not a valid IANA zone. */
export function checkTimeZone(timeZone: string, source: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    throw new UserError("portal.time_zone", msg.portalTimeZone(source, timeZone));
  }
}

function layerUrl(spec: ArcgisSpec): string {
  return spec.url.replace(/\/+$/, "").replace(/\/query$/i, "");
}

function withToken(u: URL): string {
  const token = process.env.ARCGIS_TOKEN;
  if (token) u.searchParams.set("token", token);
  return u.toString();
}

function arcgisJson(body: string): Record<string, unknown> {
  const json = JSON.parse(body) as Record<string, unknown> | null;
  const error = json?.error as { code?: number; message?: string; details?: string[] } | undefined;
  if (error) {
    const code = Number(error.code);
    const text = `ArcGIS error ${error.code ?? ""}: ${error.message ?? ""}${error.details?.length ? ` (${error.details.join("; ")})` : ""}`;
    // ArcGIS reports overload and timeouts inside a 200 response.
    if (code === 429 || code >= 500 || Number.isNaN(code)) throw new RetryableError(text);
    throw new UserError("portal.arcgis", msg.arcgisFailed(text));
  }
  return json as Record<string, unknown>;
}

/** Reads the layer description (`?f=json`). */
export async function fetchArcgisLayerInfo(spec: ArcgisSpec, options: Parameters<typeof fetchWithRetry>[2]): Promise<ArcgisLayerInfo> {
  const u = new URL(layerUrl(spec));
  u.searchParams.set("f", "json");
  const { value } = await fetchWithRetry(withToken(u), arcgisJson, options);
  const fields = Array.isArray(value.fields) ? (value.fields as ArcgisField[]) : [];
  if (!fields.length && value.type !== "Feature Layer" && value.type !== "Table") {
    throw new UserError("portal.arcgis", msg.arcgisNotLayer(stripSecrets(u.toString())));
  }
  const adv = value.advancedQueryCapabilities as { supportsPagination?: boolean } | undefined;
  return {
    maxRecordCount: Number(value.maxRecordCount) > 0 ? Number(value.maxRecordCount) : 1000,
    fields,
    objectIdField: (value.objectIdField as string | undefined) ?? fields.find((f) => f.type === "esriFieldTypeOID")?.name,
    supportsPagination: adv?.supportsPagination ?? true,
  };
}

/** Query URL for one page (or the count when `offset` is undefined). */
export function arcgisQueryUrl(
  spec: ArcgisSpec,
  info: Pick<ArcgisLayerInfo, "objectIdField">,
  offset: number | undefined,
  count: number,
): string {
  const u = new URL(`${layerUrl(spec)}/query`);
  u.searchParams.set("where", spec.where);
  if (offset === undefined) {
    u.searchParams.set("returnCountOnly", "true");
    u.searchParams.set("f", "json");
    return u.toString();
  }
  u.searchParams.set("outFields", spec.out_fields);
  if (info.objectIdField) u.searchParams.set("orderByFields", info.objectIdField);
  u.searchParams.set("resultOffset", String(offset));
  u.searchParams.set("resultRecordCount", String(count));
  u.searchParams.set("returnGeometry", "true");
  u.searchParams.set("outSR", "4326");
  u.searchParams.set("f", spec.format);
  return u.toString();
}

interface Page {
  features: Record<string, unknown>[];
  exceeded: boolean;
  fields?: ArcgisField[];
}

/**
 * Fetches an ArcGIS layer page by page (`resultOffset`/`resultRecordCount`, never more than the layer's
 * `maxRecordCount`, ordered by the object id) into `ctx.file`: a CSV of attributes plus `x`/`y` for point
 * geometry when `format` is json, a GeoJSON FeatureCollection when geojson. Paging goes on while the server says
 * `exceededTransferLimit` or the returned count says rows remain; an empty page before that count is asked
 * again. Date fields (epoch ms) are written by {@link formatEpochMs} in `time_zone`.
 */
export async function fetchArcgis(spec: ArcgisSpec, ctx: PortalContext): Promise<PortalFetchResult> {
  checkTimeZone(spec.time_zone, ctx.name);
  const { options, count } = countingRetry(ctx);
  const info = await fetchArcgisLayerInfo(spec, options);
  const pageSize = Math.min(spec.page_size ?? info.maxRecordCount, info.maxRecordCount);
  let expected: number | undefined;
  {
    const { value } = await fetchWithRetry(withToken(new URL(arcgisQueryUrl(spec, info, undefined, 0))), arcgisJson, options);
    const n = Number(value.count);
    expected = Number.isFinite(n) ? n : undefined;
  }
  if (!info.supportsPagination && expected !== undefined && expected > info.maxRecordCount) {
    ctx.logger?.info(`portal: ${ctx.name}: the layer does not announce pagination; trying resultOffset anyway`);
  }

  const wanted = spec.out_fields.trim() === "*" ? undefined : new Set(spec.out_fields.split(",").map((s) => s.trim()));
  let fields = info.fields.filter((f) => !wanted || wanted.has(f.name));
  let dateFields = new Set(fields.filter((f) => f.type === "esriFieldTypeDate").map((f) => f.name));
  const toLocal = (props: Record<string, unknown>) => {
    for (const k of dateFields) {
      const v = props[k];
      if (typeof v === "number") props[k] = formatEpochMs(v, spec.time_zone);
    }
  };

  await mkdir(dirname(ctx.file), { recursive: true });
  const out = createWriteStream(ctx.file);
  let names: string[] | undefined;
  let point = false;
  let fetched = 0;
  try {
    if (spec.format === "geojson") await writeAll(out, '{"type":"FeatureCollection","features":[\n');
    for (;;) {
      const offset = fetched;
      const url = withToken(new URL(arcgisQueryUrl(spec, info, offset, pageSize)));
      const { value: page } = await fetchWithRetry(
        url,
        (body, { lastAttempt }): Page => {
          const json = arcgisJson(body);
          const features = json.features;
          if (!Array.isArray(features)) throw new RetryableError(`page at offset ${offset} has no features array`);
          const props = json.properties as { exceededTransferLimit?: boolean } | undefined;
          const exceeded = json.exceededTransferLimit === true || props?.exceededTransferLimit === true;
          if (!lastAttempt && features.length === 0 && (exceeded || (expected !== undefined && offset < expected))) {
            throw new RetryableError(
              `empty page at offset ${offset}, ${expected !== undefined ? `${expected - offset} rows still expected` : "server says more rows exist"}`,
            );
          }
          return { features: features as Record<string, unknown>[], exceeded, fields: json.fields as ArcgisField[] | undefined };
        },
        options,
      );

      if (spec.format === "geojson") {
        const chunk = page.features
          .map((f, i) => {
            const p = (f.properties ?? {}) as Record<string, unknown>;
            toLocal(p);
            return (fetched + i > 0 ? "," : "") + JSON.stringify(f);
          })
          .join("\n");
        if (chunk) await writeAll(out, chunk + "\n");
      } else {
        if (!names) {
          if (page.fields?.length) {
            fields = page.fields;
            dateFields = new Set(fields.filter((f) => f.type === "esriFieldTypeDate").map((f) => f.name));
          }
          point = page.features.some((f) => typeof (f.geometry as { x?: unknown } | undefined)?.x === "number");
          names = fields.map((f) => f.name);
          await writeAll(out, csvLine(point ? [...names, "x", "y"] : names));
        }
        let text = "";
        for (const f of page.features) {
          const a = (f.attributes ?? {}) as Record<string, unknown>;
          toLocal(a);
          const values = names.map((k) => a[k]);
          if (point) {
            const g = f.geometry as { x?: number; y?: number } | undefined;
            values.push(g?.x, g?.y);
          }
          text += csvLine(values);
        }
        if (text) await writeAll(out, text);
      }
      fetched += page.features.length;
      ctx.progress?.(fetched, expected);
      if (page.features.length === 0) break;
      if (!page.exceeded && !(expected !== undefined && fetched < expected)) break;
    }
    if (spec.format === "geojson") await writeAll(out, "]}\n");
    else if (!names) await writeAll(out, csvLine(fields.map((f) => f.name)));
    await new Promise<void>((resolve, reject) =>
      out.end((e?: Error | null) => {
        if (e) reject(e);
        else resolve();
      }),
    );
  } finally {
    out.destroy();
  }
  const columns = fields.map((f) => ({ name: f.name, type: f.type }));
  if (point && spec.format === "json") columns.push({ name: "x", type: "esriFieldTypeDouble" }, { name: "y", type: "esriFieldTypeDouble" });
  return {
    rows: fetched,
    expected_rows: expected,
    columns,
    urls: [
      stripSecrets(`${layerUrl(spec)}?f=json`),
      stripSecrets(arcgisQueryUrl(spec, info, undefined, 0)),
      stripSecrets(arcgisQueryUrl(spec, info, 0, pageSize)),
    ],
    retries: count(),
    time_zone: spec.time_zone,
  };
}
