import { AsyncLocalStorage } from "node:async_hooks";
import type { TextSink } from "../util/logger.js";

/** Where the command line writes: everything it prints goes through these two sinks. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
}

/** The process's own streams, for the installed binary. */
export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

// The sinks of the command line run that the current async call chain belongs to. Commands are called by commander
// with its own arguments, so the sinks travel beside them rather than through them (as vega-lite's log.wrap does).
const current = new AsyncLocalStorage<CliIo>();

/** Runs `fn` with `io` as the sinks that {@link cliIo} returns inside it. */
export function withCliIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  return current.run(io, fn);
}

/** The sinks of the command line run in progress ({@link processIo} outside one). */
export function cliIo(): CliIo {
  return current.getStore() ?? processIo;
}
