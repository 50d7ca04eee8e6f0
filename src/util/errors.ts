import type { ErrorCode } from "./codes.js";

/**
 * A problem with the user's input (study file, data, arguments). The CLI prints `message` as one line and
 * exits 1; anything else that escapes is a bug (exit 2).
 */
export class UserError extends Error {
  /** Short machine-readable code, e.g. `study.invalid`, listed with its fix in codes.ts and docs/errors.md. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UserError";
    this.code = code;
  }
}

/** True when `e` is a {@link UserError}. */
export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** Marks a switch as exhaustive: compile error if a case is missing, throws if reached at run time. */
export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}
