import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";

/** Thrown by a body parser to say "this response is broken, ask again" (e.g. a suspicious empty page). */
export class RetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RetryableError";
  }
}

/** One retry about to happen. */
export interface RetryEvent {
  /** URL without secrets. */
  url: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  maxAttempts: number;
  /** Wait before the next attempt, in milliseconds. */
  delayMs: number;
  /** Why: `HTTP 503`, `HTTP 429`, `broken body: …`, `network: …`. */
  reason: string;
}

/** Options for {@link fetchWithRetry}. */
export interface RetryOptions {
  /** Attempts in all, first included (default 6). */
  maxAttempts?: number;
  /** First backoff delay in ms, doubled each attempt (default 500). */
  baseDelayMs?: number;
  /** Cap on one backoff delay and on Retry-After, in ms (default 60000). */
  maxDelayMs?: number;
  /** Per-request timeout in ms (default 120000). */
  timeoutMs?: number;
  /** Extra request headers (e.g. an app token; never logged). */
  headers?: Record<string, string>;
  /** Called before each retry. */
  onRetry?: (e: RetryEvent) => void;
  /** Injectable for tests: waits `ms`. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests: uniform [0, 1) for jitter. */
  random?: () => number;
}

/** What {@link fetchWithRetry} returns. */
export interface RetryResult<T> {
  value: T;
  /** Attempts used (1 when the first one worked). */
  attempts: number;
  headers: Headers;
}

/** Context handed to the body parser. */
export interface ParseContext {
  headers: Headers;
  /** True on the last allowed attempt: a parser may accept a doubtful answer instead of asking again. */
  lastAttempt: boolean;
}

const SECRET_PARAMS = /^(token|\$\$app_token|app_token|api_key|apikey|key|password|access_token)$/i;

/** The URL with secret query parameters (token, app_token, api_key, …) and userinfo removed. */
export function stripSecrets(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    for (const k of [...u.searchParams.keys()]) if (SECRET_PARAMS.test(k)) u.searchParams.delete(k);
    return u.toString();
  } catch {
    return url.replace(/([?&])(token|\$\$app_token|api_key|key)=[^&#]*/gi, "$1$2=***");
  }
}

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * Exponential backoff with jitter: a uniform draw in [d/2, d) where d = base · 2^(attempt-1), capped.
 * @param attempt the attempt that failed (1-based)
 */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const d = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(d / 2 + (random() * d) / 2);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function transientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * GETs `url` and parses the body, retrying with exponential backoff and jitter on HTTP 408/429/5xx (429 and
 * 503 honour Retry-After), network errors, timeouts, bodies cut off mid-way, and bodies the parser rejects
 * (a `SyntaxError` from JSON.parse or a {@link RetryableError}). Other HTTP errors are a {@link UserError}
 * at once. The same URL is asked again, so a pager resumes exactly where it failed.
 * @param url request URL (may hold secrets; only {@link stripSecrets} form appears in messages)
 * @param parse turns the body text into the value; throw to mark the response broken
 */
export async function fetchWithRetry<T>(
  url: string,
  parse: (body: string, ctx: ParseContext) => T,
  options: RetryOptions = {},
): Promise<RetryResult<T>> {
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const shown = stripSecrets(url);
  let lastReason = "";
  for (let attempt = 1; attempt <= maxAttempts; ++attempt) {
    let reason: string;
    let retryAfter: number | undefined;
    try {
      const res = await fetch(url, {
        headers: { accept: "application/json, text/csv, */*", ...options.headers },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.ok) {
        const body = await res.text();
        return {
          value: parse(body, { headers: res.headers, lastAttempt: attempt === maxAttempts }),
          attempts: attempt,
          headers: res.headers,
        };
      }
      const text = await res.text().catch(() => "");
      if (!transientStatus(res.status)) {
        const snippet = text.replace(/\s+/g, " ").slice(0, 200);
        throw new UserError("portal.http", msg.portalHttp(shown, res.status, res.statusText, snippet));
      }
      reason = `HTTP ${res.status}`;
      if (res.status === 429 || res.status === 503) retryAfter = parseRetryAfter(res.headers.get("retry-after"));
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (e instanceof SyntaxError) reason = `broken body: ${e.message.slice(0, 120)}`;
      else if (e instanceof RetryableError) reason = e.message;
      else if ((e as { name?: unknown } | null | undefined)?.name === "TimeoutError") reason = `timeout after ${timeoutMs} ms`;
      else reason = `network: ${describeNetworkError(e)}`;
    }
    lastReason = reason;
    if (attempt === maxAttempts) break;
    const delayMs = retryAfter !== undefined ? Math.min(retryAfter, maxDelayMs) : backoffDelay(attempt, baseDelayMs, maxDelayMs, random);
    options.onRetry?.({ url: shown, attempt, maxAttempts, delayMs, reason });
    await sleep(delayMs);
  }
  throw new UserError("portal.unavailable", msg.portalGaveUp(shown, maxAttempts, lastReason));
}

function describeNetworkError(e: unknown): string {
  const err = e as (Error & { cause?: { code?: string; message?: string } }) | null | undefined;
  const cause = err?.cause;
  return cause?.code ?? cause?.message ?? err?.message ?? String(e);
}
