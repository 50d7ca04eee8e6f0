/**
 * Matching area names across sources that spell them differently: case, punctuation, "Mt."/"Mount", names cut to a
 * fixed width by an old export, and an explicit alias table for the rest.
 */

/**
 * Upper case, apostrophes dropped, "&" as AND, other punctuation as spaces, STREET/ST/SAINT, AVENUE/AVE and
 * MT/MOUNT unified, spaces collapsed.
 */
export function normalizeName(name: string): string {
  return name
    .toUpperCase()
    .replace(/['’`]/g, "")
    .replaceAll("&", " AND ")
    .replace(/[^A-Z0-9]+/g, " ")
    .replace(/\bMT\b/g, "MOUNT")
    .replace(/\bSTREET\b/g, "ST")
    .replace(/\bST\b/g, "SAINT")
    .replace(/\bAVENUE\b/g, "AVE")
    .replace(/\s+/g, " ")
    .trim();
}

export interface NameMatch {
  /** The name as it appears in the data. */
  name: string;
  /** The matched target name, or null. */
  target: string | null;
  how: "alias" | "exact" | "normalized" | "prefix" | "none";
}

/**
 * Matches each of `names` to one of `targets`: alias table first (keys compared normalized), then exact, then
 * normalized equality, then a unique target that starts with the (truncated) name when the name is at least
 * `minPrefix` characters long.
 */
export function matchNames(names: string[], targets: string[], aliases: Record<string, string> = {}, minPrefix = 12): NameMatch[] {
  const exact = new Map(targets.map((t) => [t, t]));
  const byNorm = new Map<string, string | null>();
  for (const t of targets) {
    const k = normalizeName(t);
    byNorm.set(k, byNorm.has(k) && byNorm.get(k) !== t ? null : t);
  }
  const aliasNorm = new Map<string, string>();
  for (const [from, to] of Object.entries(aliases)) aliasNorm.set(normalizeName(from), to);
  const normTargets = [...byNorm.keys()];
  return names.map((name): NameMatch => {
    const norm = normalizeName(name);
    const alias = aliasNorm.get(norm);
    if (alias !== undefined) {
      const t = exact.get(alias) ?? byNorm.get(normalizeName(alias)) ?? null;
      return { name, target: t, how: t ? "alias" : "none" };
    }
    if (exact.has(name)) return { name, target: name, how: "exact" };
    const t = byNorm.get(norm);
    if (t) return { name, target: t, how: "normalized" };
    if (norm.length >= minPrefix) {
      const hits = normTargets.filter((k) => k.startsWith(norm));
      const target = hits.length === 1 ? byNorm.get(hits[0]) : undefined;
      if (target) return { name, target, how: "prefix" };
    }
    return { name, target: null, how: "none" };
  });
}
