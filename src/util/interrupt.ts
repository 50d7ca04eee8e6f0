/**
 * What a run must undo when the process is told to stop (Ctrl-C or SIGTERM) before it has finished: stop the
 * query that is running, then remove what it staged. Library code registers hooks; only the command line installs
 * the signal handlers ({@link installSignalHandlers}), so embedding openbeat never changes a host's signal handling.
 */

/** One piece of work to undo on an interrupt. */
export interface InterruptHook {
  /** Stops running work (a query); may return a promise, awaited for at most a second or two. */
  stop?: () => void | Promise<void>;
  /** Removes what was staged; synchronous, because the process exits right after. */
  cleanup?: () => void;
}

const hooks = new Set<InterruptHook>();

/**
 * Registers a hook until the returned function is called.
 * @param hook what to stop and what to remove
 */
export function onInterrupt(hook: InterruptHook): () => void {
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

/**
 * Runs every registered hook: all `stop` functions first (awaited together, at most `waitMs`), then every
 * `cleanup`. Errors in a hook never stop the others.
 * @param waitMs longest wait for the `stop` functions (default 2000 ms)
 */
export async function runInterruptHooks(waitMs = 2000): Promise<void> {
  const current = [...hooks];
  const stops = current.map(async (h) => {
    try {
      await h.stop?.();
    } catch {
      // the process is stopping; a query that cannot be cancelled ends with it
    }
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(stops), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
  for (const h of current) {
    try {
      h.cleanup?.();
    } catch {
      // best effort: the next run cleans what is left (see results-folder.ts)
    }
  }
  hooks.clear();
}

/** Exit status for a signal, as shells report it: 128 + the signal number. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Makes SIGINT and SIGTERM stop running queries, remove staged results and exit 130 / 143 with one line on stderr.
 * A second signal while cleaning up exits at once.
 * @param write where the one line goes (default stderr)
 */
export function installSignalHandlers(write: (line: string) => void = (line) => process.stderr.write(line)): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(SIGNAL_EXIT[signal]);
      stopping = true;
      const busy = hooks.size > 0;
      void runInterruptHooks().finally(() => {
        if (busy) write(`openbeat: interrupted (${signal}); stopped the running step and removed the unfinished results\n`);
        process.exit(SIGNAL_EXIT[signal]);
      });
    });
  }
}
