import type { WarningCode } from "./codes.js";

/** A warning attached to results: stable `code`, human `message`, and any facts that support it. */
export interface Warning {
  code: WarningCode;
  message: string;
  [key: string]: unknown;
}

/** Where text goes: `process.stdout`, `process.stderr`, or anything with a `write` (tests capture into strings). */
export interface TextSink {
  write(text: string): unknown;
  /** True for a terminal (progress lines are then rewritten in place). */
  readonly isTTY?: boolean;
  /** Width of the terminal, when it is one. */
  readonly columns?: number;
}

/**
 * Collects warnings for the results and prints progress. Tests pass `silent: true` and read `warnings`.
 */
export class Logger {
  readonly warnings: Warning[] = [];
  private readonly silent: boolean;
  private readonly stream: TextSink;

  constructor(options: { silent?: boolean; stream?: TextSink } = {}) {
    this.silent = options.silent ?? false;
    this.stream = options.stream ?? process.stderr;
  }

  /** Records a warning and prints it. */
  warn(w: Warning): void {
    this.warnings.push(w);
    this.print(`warning: ${w.message}`);
  }

  /** Prints one progress line. */
  info(message: string): void {
    this.print(message);
  }

  private print(line: string): void {
    if (!this.silent) this.stream.write(line + "\n");
  }
}
