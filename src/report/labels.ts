/**
 * Shortens `s` to at most `max` characters by cutting its middle ("WANTON ENDANGERMENT…-1ST DEGREE"), so labels
 * that differ only at the end (offence degrees, suffixes) stay different.
 * @param max characters kept, the ellipsis included (at least 5)
 */
export function truncateMiddle(s: string, max: number): string {
  if (s.length <= max) return s;
  const keep = Math.max(4, max) - 1;
  const head = Math.ceil(keep * 0.6);
  const tail = keep - head;
  return `${s.slice(0, head).trimEnd()}…${s.slice(s.length - tail).trimStart()}`;
}

/**
 * Labels shortened to `max` characters with {@link truncateMiddle}, made distinct: a label that repeats an earlier
 * one after shortening gets " (2)", " (3)", ... (within `max`).
 */
export function distinctLabels(labels: string[], max: number): string[] {
  const seen = new Set<string>();
  return labels.map((l) => {
    let t = truncateMiddle(l, max);
    for (let n = 2; seen.has(t); ++n) t = `${truncateMiddle(l, max - 3 - String(n).length)} (${n})`;
    seen.add(t);
    return t;
  });
}
