/**
 * Message constructors for user-facing errors and warnings, kept in one place so wording stays consistent.
 * Append new ones at the end of the section they belong to.
 */

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; ++j) prev[j] = j;
  for (let i = 1; i <= m; ++i) {
    cur[0] = i;
    for (let j = 1; j <= n; ++j) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** Up to `max` candidates closest to `name` (case-insensitive), best first; only reasonably close ones. */
export function closest(name: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = name.toLowerCase();
  const scored: [string, number][] = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    let d = editDistance(lower, cl);
    if (cl.includes(lower) || lower.includes(cl)) d = Math.min(d, 1);
    if (d <= Math.max(2, Math.floor(name.length / 3))) scored.push([c, d]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.slice(0, max).map(([c]) => c);
}

/** " (did you mean X or Y?)" or "" when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  if (!c.length) return "";
  return ` (did you mean ${c.map((s) => JSON.stringify(s)).join(" or ")}?)`;
}

// ---- study file ----

export const unknownKey = (file: string, path: string, key: string, known: string[]) =>
  `${file}: unknown key "${key}" at ${path || "top level"}${didYouMean(key, known)}; known keys: ${known.join(", ")}`;

export const columnNotFound = (where: string, column: string, table: string, available: string[]) =>
  `${where}: column "${column}" not found in table "${table}"${didYouMean(column, available)}; run "openbeat inspect" on the source to see its columns`;

// ---- data ----

export const sourceMissing = (file: string, source: string, path: string) =>
  `${file}: source "${source}": file not found: ${path}; check the path (relative to the study file, or pass --data DIR)`;

export const prepareFailed = (file: string, step: string, message: string) =>
  `${file}: prepare step "${step}" failed: ${message}`;
