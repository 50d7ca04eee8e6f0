import type { Logger, TextSink } from "../../util/logger.js";
import type { RetryOptions } from "./fetch-with-retry.js";

/** What every portal fetcher needs besides the source's own settings. */
export interface PortalContext {
  /** Source name, for messages and progress. */
  name: string;
  /** Where the data file goes (the sidecar is written by the caller). */
  file: string;
  retry: RetryOptions;
  logger?: Logger;
  /** Progress sink, called after each page. */
  progress?: (rows: number, total: number | undefined) => void;
}

/** What a portal fetcher wrote. */
export interface PortalFetchResult {
  rows: number;
  expected_rows?: number;
  columns: { name: string; type: string }[];
  urls: string[];
  retries: number;
  time_zone?: string;
}

/** Retry options that also count retries and log them through the logger. */
export function countingRetry(ctx: PortalContext): { options: RetryOptions; count: () => number } {
  let retries = 0;
  const options: RetryOptions = {
    ...ctx.retry,
    onRetry: (e) => {
      retries++;
      ctx.logger?.info(`portal: ${ctx.name}: retry ${e.attempt}/${e.maxAttempts - 1} in ${(e.delayMs / 1000).toFixed(1)} s (${e.reason})`);
      ctx.retry.onRetry?.(e);
    },
  };
  return { options, count: () => retries };
}

/**
 * Line-based progress for a stream: one line per update when it is not a terminal, one rewritten line
 * when it is. Returns the update function and `done` to end the line.
 */
export function lineProgress(stream: TextSink, name: string): { update: (rows: number, total?: number) => void; done: () => void } {
  const tty = Boolean(stream.isTTY);
  let wrote = false;
  return {
    update(rows, total) {
      const text = `portal: ${name}: ${rows.toLocaleString("en-US")}${total !== undefined ? ` / ${total.toLocaleString("en-US")}` : ""} rows`;
      stream.write(tty ? `\r${text}` : `${text}\n`);
      wrote = true;
    },
    done() {
      if (tty && wrote) stream.write("\n");
    },
  };
}
