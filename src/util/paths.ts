import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";

/**
 * Absolute path with every existing ancestor resolved through symbolic links, so that two spellings of one place
 * compare equal even when its last parts do not exist yet.
 * @param path any path (relative to the working folder)
 */
export function realPathOf(path: string): string {
  const abs = resolve(path);
  const tail: string[] = [];
  let head = abs;
  for (;;) {
    try {
      return join(realpathSync(head), ...tail);
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      tail.unshift(basename(head));
      head = parent;
    }
  }
}

/**
 * True when `child` is `parent` or lies below it (both absolute and normalised).
 * @param child path to test
 * @param parent folder
 */
export function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}
