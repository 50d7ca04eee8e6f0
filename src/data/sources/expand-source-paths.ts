import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** One file a source path or glob named. */
export interface SourceFile {
  /** Path relative to the base folder with `/` separators (absolute when the file lies outside it), for results. */
  path: string;
  /** Resolved path. */
  full: string;
}

/** True when a source path holds glob characters (`*`, `?`, `[…]`, `{a,b}`). */
export function isGlob(path: string): boolean {
  return /[*?[{]/.test(path);
}

/** True when a source reads several files: a list of paths, or a glob. */
export function isFileSet(path: string | string[]): boolean {
  return Array.isArray(path) || isGlob(path);
}

/**
 * Regular expression for one path segment of a glob: `*` any run of characters but `/`, `?` one character,
 * `[abc]` / `[!abc]` a class, `{a,b}` alternatives. As in a shell, a wildcard does not match a leading dot.
 * @param segment one segment (no `/`)
 */
export function globSegmentRegExp(segment: string): RegExp {
  let re = "";
  let depth = 0;
  for (let i = 0; i < segment.length; ++i) {
    const ch = segment[i];
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let body = segment.slice(i + 1, end);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        re += `[${body.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (ch === "{") {
      re += "(?:";
      ++depth;
    } else if (ch === "}" && depth > 0) {
      re += ")";
      --depth;
    } else if (ch === "," && depth > 0) re += "|";
    else re += ch.replace(/[.+^$()|\\/\]]/g, "\\$&");
  }
  re += ")".repeat(depth);
  const wild = /^[*?[{]/.test(segment);
  return new RegExp(`^${wild ? "(?!\\.)" : ""}${re}$`);
}

/** The leading folder of a glob that holds no glob characters, and the remaining segments. */
export function globBase(pattern: string): { base: string; segments: string[] } {
  const parts = pattern.split(/[\\/]+/);
  const literal: string[] = [];
  while (parts.length > 1 && !isGlob(parts[0])) literal.push(parts.shift() ?? "");
  const base = literal.length === 0 ? "." : literal.join("/") || "/";
  return { base, segments: parts };
}

/** Matches `segments` under `dir`; `**` matches any number of folders (none included). */
async function walk(dir: string, segments: string[], out: string[]): Promise<void> {
  if (segments.length === 0) {
    if ((await stat(dir).catch(() => null))?.isFile()) out.push(dir);
    return;
  }
  const [head, ...rest] = segments;
  if (head === "**") {
    await walk(dir, rest, out);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith(".")) await walk(join(dir, e.name), segments, out);
    return;
  }
  if (!isGlob(head)) {
    await walk(join(dir, head), rest, out);
    return;
  }
  const re = globSegmentRegExp(head);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (re.test(e.name)) await walk(join(dir, e.name), rest, out);
}

/**
 * The files one source path or glob names, sorted by path so that a run reads them in the same order on every
 * machine. A plain path is returned as is (whether or not it exists; the caller checks it).
 * @param base folder relative paths start from (the study file's folder or `--data`)
 * @param pattern the path or glob as written in the study file
 */
export async function expandSourcePath(base: string, pattern: string): Promise<SourceFile[]> {
  const display = (full: string) => {
    const rel = relative(base, full);
    return rel.startsWith("..") || isAbsolute(rel) ? full : rel.split(sep).join("/");
  };
  if (!isGlob(pattern)) {
    const full = resolve(base, pattern);
    return [{ path: display(full), full }];
  }
  const { base: literal, segments } = globBase(pattern);
  const found: string[] = [];
  await walk(resolve(base, literal), segments, found);
  return [...new Set(found)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((full) => ({ path: display(full), full }));
}

/** The folder a glob's files lie under (its literal leading folders), resolved; the path itself for a plain path. */
export function globRoot(base: string, pattern: string): string {
  return resolve(base, isGlob(pattern) ? globBase(pattern).base : pattern);
}
