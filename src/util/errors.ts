import type { ErrorCode } from "./codes.js";
import * as msg from "./messages.js";

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

/** The operating-system error codes {@link osUserError} turns into one line, with their code in codes.ts. */
const OS_CODES: Record<string, ErrorCode> = {
  EROFS: "os.read_only",
  EACCES: "os.no_permission",
  EPERM: "os.no_permission",
  ENOSPC: "os.disk_full",
  EDQUOT: "os.disk_full",
  ENOTDIR: "os.not_directory",
  ENAMETOOLONG: "os.name_too_long",
  ENOENT: "os.not_found",
  EISDIR: "os.error",
  EIO: "os.error",
  ELOOP: "os.error",
  EMFILE: "os.error",
  ENFILE: "os.error",
  EBUSY: "os.error",
  ETXTBSY: "os.error",
  EXDEV: "os.error",
};

/** The same failures as DuckDB words them (its IO errors carry no errno code). */
const DRIVER_PATTERNS: [RegExp, string][] = [
  [/No space left on device/i, "ENOSPC"],
  [/Read-only file system/i, "EROFS"],
  [/Permission denied/i, "EACCES"],
  [/File name too long/i, "ENAMETOOLONG"],
  [/Not a directory/i, "ENOTDIR"],
];

/**
 * A one-line {@link UserError} for an operating-system error that escaped a command (a read-only disk, a full disk,
 * a parent path that is a file, a name too long, a working folder that was deleted), or undefined when `e` is not
 * one. The one place such errors are worded: the command line calls it before it would report a bug. Looks through
 * `cause` chains, and reads DuckDB's IO errors by their text.
 * @param e the error
 */
export function osUserError(e: unknown): UserError | undefined {
  for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, ++depth) {
    const err = cur as NodeJS.ErrnoException;
    let code = typeof err.code === "string" ? err.code : undefined;
    let path = err.path;
    if (code === undefined || !(code in OS_CODES)) {
      const hit = DRIVER_PATTERNS.find(([re]) => re.test(err.message));
      if (!hit) continue;
      code = hit[1];
      path = /file "([^"]+)"/.exec(err.message)?.[1] ?? path;
    }
    const kind = err.syscall === "uv_cwd" || (code === "ENOENT" && path === undefined && /uv_cwd/.test(err.message)) ? "cwd" : code;
    if (kind === "cwd") return new UserError("os.cwd_missing", msg.cwdMissing(), { cause: e });
    return new UserError(OS_CODES[code], msg.osFailure(code, path, err.syscall), { cause: e });
  }
  return undefined;
}
