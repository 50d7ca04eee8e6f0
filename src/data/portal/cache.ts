import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/** Name and type of one fetched column; the type is the portal's own word (Socrata `number`, `esriFieldTypeDate`, …). */
export interface ColumnMeta {
  name: string;
  type: string;
}

/** Sidecar `<name>.meta.json` written next to each fetched file. */
export interface PortalMeta {
  source: string;
  kind: "socrata" | "arcgis" | "url";
  /** Data file name inside the cache folder. */
  file: string;
  format: "csv" | "geojson";
  /** Query URLs without secrets: the first page and the pattern of the rest (or every URL asked). */
  urls: string[];
  rows: number;
  /** Rows the portal said the query has, when it said. */
  expected_rows?: number;
  fetched_at: string;
  sha256: string;
  columns: ColumnMeta[];
  /** Time zone that date fields were written in (ArcGIS). */
  time_zone?: string;
  /** Requests that were retried. */
  retries: number;
  /** Hash of the source's portal settings; a change means the cached file answers another question. */
  query_key: string;
}

/** Columns added, removed or retyped between two fetches of the same source. */
export interface SchemaChanges {
  added: string[];
  removed: string[];
  retyped: { name: string; from: string; to: string }[];
}

/** Default cache folder: `.openbeat-cache` next to the study file. */
export function defaultCacheDir(studyFile: string): string {
  return join(dirname(resolve(studyFile)), ".openbeat-cache");
}

/** Data and sidecar paths of source `name` in `cacheDir`. */
export function cachePaths(cacheDir: string, name: string, format: "csv" | "geojson"): { data: string; meta: string } {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, "_");
  return { data: join(cacheDir, `${safe}.${format}`), meta: join(cacheDir, `${safe}.meta.json`) };
}

/** Stable hash of a JSON value (keys sorted), for {@link PortalMeta.query_key}. */
export function queryKey(value: unknown): string {
  const canon = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
        )
      : v;
  return createHash("sha256")
    .update(JSON.stringify(canon(value)))
    .digest("hex")
    .slice(0, 16);
}

/** Reads a sidecar, or undefined when absent or unreadable. */
export async function readMeta(path: string): Promise<PortalMeta | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as PortalMeta;
  } catch {
    return undefined;
  }
}

/** Writes a sidecar atomically (temp file, then rename). */
export async function writeMeta(path: string, meta: PortalMeta): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(meta, null, 2) + "\n");
  await rename(tmp, path);
}

/** True when `path` exists as a file. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Column differences from `before` to `after` (by name; type compared as text). */
export function diffColumns(before: ColumnMeta[], after: ColumnMeta[]): SchemaChanges {
  const b = new Map(before.map((c) => [c.name, c.type]));
  const a = new Map(after.map((c) => [c.name, c.type]));
  return {
    added: after.filter((c) => !b.has(c.name)).map((c) => c.name),
    removed: before.filter((c) => !a.has(c.name)).map((c) => c.name),
    retyped: after.flatMap((c) => {
      const from = b.get(c.name);
      return from !== undefined && from !== c.type ? [{ name: c.name, from, to: c.type }] : [];
    }),
  };
}

/** True when {@link diffColumns} found anything. */
export function hasSchemaChanges(c: SchemaChanges): boolean {
  return c.added.length + c.removed.length + c.retyped.length > 0;
}

/**
 * One CSV field: null/undefined → empty (read back as NULL); objects → JSON; strings quoted when they hold a
 * delimiter, quote, line break, surrounding space, or are empty (so "" stays an empty string).
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = scalarText(v);
  return s === "" || /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line (with the trailing newline). */
export function csvLine(values: unknown[]): string {
  return values.map(csvField).join(",") + "\n";
}

/**
 * Parses CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a leading BOM dropped) into rows
 * of strings; the first row is the header.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  for (; i < n; ++i) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          ++i;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") ++i;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** "number", "boolean" or "text" for a column of CSV strings (empty values ignored). */
export function inferTextType(values: Iterable<string>): string {
  let num = true;
  let bool = true;
  let any = false;
  for (const v of values) {
    if (v === "") continue;
    any = true;
    if (num && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) num = false;
    if (bool && !/^(true|false)$/i.test(v)) bool = false;
    if (!num && !bool) return "text";
  }
  if (!any) return "text";
  return num ? "number" : "boolean";
}

/** Text of a scalar (strings as they are, numbers and booleans by String) or JSON of anything else. */
function scalarText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}
