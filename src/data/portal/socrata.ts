import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { SocrataSpec } from "../sources/source-spec.js";
import { csvLine } from "./cache.js";
import { type PortalContext, type PortalFetchResult, countingRetry } from "./context.js";
import { RetryableError, fetchWithRetry, stripSecrets } from "./fetch-with-retry.js";
import { openLines, writeAll } from "./write-lines.js";

/** Base resource URL: `https://{domain}/resource/{dataset}.json` (`domain` may carry its own scheme, e.g. for a local mirror). */
export function socrataResourceUrl(spec: Pick<SocrataSpec, "domain" | "dataset">): string {
  const origin = /^https?:\/\//i.test(spec.domain) ? spec.domain.replace(/\/+$/, "") : `https://${spec.domain}`;
  return `${origin}/resource/${spec.dataset}.json`;
}

/**
 * URL of one SODA page: `$select`, `$where`, `$order` (default `:id`, stable across pages), `$limit`, `$offset`.
 * @param offset rows to skip
 */
export function socrataPageUrl(spec: SocrataSpec, offset: number, limit: number): string {
  const u = new URL(socrataResourceUrl(spec));
  if (spec.select) u.searchParams.set("$select", spec.select);
  if (spec.where) u.searchParams.set("$where", spec.where);
  u.searchParams.set("$order", spec.order ?? ":id");
  u.searchParams.set("$limit", String(limit));
  u.searchParams.set("$offset", String(offset));
  return u.toString();
}

/** URL of the `count(*)` query for the same filter. */
export function socrataCountUrl(spec: SocrataSpec): string {
  const u = new URL(socrataResourceUrl(spec));
  u.searchParams.set("$select", "count(*) AS n");
  if (spec.where) u.searchParams.set("$where", spec.where);
  return u.toString();
}

function headerList(headers: Headers, name: string): string[] | undefined {
  const v = headers.get(name);
  if (!v) return undefined;
  try {
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? parsed.map(String) : undefined;
  } catch {
    return undefined;
  }
}

function sodaType(values: unknown[]): string {
  let t: string | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const k = typeof v === "object" ? "json" : typeof v === "boolean" ? "checkbox" : "text";
    if (t === undefined) t = k;
    else if (t !== k) return "text";
  }
  return t ?? "text";
}

/**
 * Fetches a Socrata dataset page by page into a CSV file (`ctx.file`). Counts the rows first (`count(*)`), so
 * a short or empty page before that count is treated as a broken answer and asked again; stops on a short page
 * otherwise. Columns come from the `X-SODA2-Fields`/`X-SODA2-Types` headers (the JSON omits null fields), else
 * from the union of keys seen. An app token is read from `SOCRATA_APP_TOKEN` and sent as a header, never in a URL.
 */
export async function fetchSocrata(spec: SocrataSpec, ctx: PortalContext): Promise<PortalFetchResult> {
  const { options, count } = countingRetry(ctx);
  const token = process.env.SOCRATA_APP_TOKEN;
  if (token) options.headers = { ...options.headers, "X-App-Token": token };
  const limit = spec.page_size ?? 10_000;
  let expected: number | undefined;
  try {
    const { value } = await fetchWithRetry(
      socrataCountUrl(spec),
      (body) => {
        const rows = JSON.parse(body) as Record<string, unknown>[];
        const first = rows[0] as Record<string, unknown> | undefined;
        const n = Number(first?.n ?? first?.count);
        return Number.isFinite(n) ? n : undefined;
      },
      options,
    );
    expected = value;
  } catch (e) {
    ctx.logger?.info(`portal: ${ctx.name}: no row count (${(e as Error).message}); paging until a short page`);
  }

  await mkdir(dirname(ctx.file), { recursive: true });
  const jsonl = `${ctx.file}.pages-${process.pid}.jsonl`;
  const pages = createWriteStream(jsonl);
  let fields: string[] | undefined;
  let types: string[] | undefined;
  const seen = new Map<string, unknown[]>();
  let fetched = 0;
  try {
    for (;;) {
      const url = socrataPageUrl(spec, fetched, limit);
      const { value: rows, headers } = await fetchWithRetry(
        url,
        (body, { lastAttempt }) => {
          const parsed = JSON.parse(body) as unknown;
          if (!Array.isArray(parsed)) throw new RetryableError(`page at offset ${fetched} is not a JSON array`);
          if (!lastAttempt && parsed.length < limit && expected !== undefined && fetched + parsed.length < expected) {
            throw new RetryableError(`short page at offset ${fetched}: ${parsed.length} rows, ${expected - fetched} still expected`);
          }
          return parsed as Record<string, unknown>[];
        },
        options,
      );
      if (!fields) {
        fields = headerList(headers, "x-soda2-fields");
        types = headerList(headers, "x-soda2-types");
      }
      for (const r of rows) {
        for (const k of Object.keys(r)) {
          let sample = seen.get(k);
          if (!sample) seen.set(k, (sample = []));
          if (sample.length < 50 && r[k] !== null && r[k] !== undefined) sample.push(r[k]);
        }
      }
      if (rows.length) await writeAll(pages, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
      fetched += rows.length;
      ctx.progress?.(fetched, expected);
      if (rows.length < limit) break;
    }
    await new Promise<void>((resolve, reject) => {
      pages.end((e?: Error | null) => {
        if (e) reject(e);
        else resolve();
      });
    });

    const names = fields ?? [...seen.keys()];
    for (const k of seen.keys()) if (!names.includes(k)) names.push(k);
    const columns = names.map((name, j) => ({
      name,
      type: fields && types && j < types.length ? types[j] : sodaType(seen.get(name) ?? []),
    }));
    const out = createWriteStream(ctx.file);
    await writeAll(out, csvLine(names));
    for await (const line of openLines(jsonl)) {
      if (!line) continue;
      const r = JSON.parse(line) as Record<string, unknown>;
      await writeAll(out, csvLine(names.map((k) => r[k])));
    }
    await new Promise<void>((resolve, reject) => {
      out.end((e?: Error | null) => {
        if (e) reject(e);
        else resolve();
      });
    });
    return {
      rows: fetched,
      expected_rows: expected,
      columns,
      urls: [stripSecrets(socrataPageUrl(spec, 0, limit)), ...(expected !== undefined ? [stripSecrets(socrataCountUrl(spec))] : [])],
      retries: count(),
    };
  } finally {
    pages.destroy();
    await rm(jsonl, { force: true });
  }
}
