import type { WarningCode } from "./codes.js";

/** A warning attached to results: stable `code`, human `message`, and any facts that support it. */
export interface Warning {
  code: WarningCode;
  message: string;
  [key: string]: unknown;
}

/**
 * Collects warnings for the results and prints progress. Tests pass `silent: true` and read `warnings`.
 */
export class Logger {
  readonly warnings: Warning[] = [];
  private readonly silent: boolean;
  private readonly stream: NodeJS.WritableStream;

  constructor(options: { silent?: boolean; stream?: NodeJS.WritableStream } = {}) {
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
