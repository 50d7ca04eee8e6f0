const UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as `90s`, `10min`, `1.5h` or `500ms` (a bare number is seconds; `0` means no limit).
 * @param text the option value
 * @returns milliseconds, or null when `text` is not a duration
 */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * UNITS[((m[2] as string | undefined) ?? "s").toLowerCase()];
  return Number.isFinite(ms) && ms <= 2 ** 31 - 1 ? Math.round(ms) : null;
}
