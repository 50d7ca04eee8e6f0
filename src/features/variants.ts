import { compareStrings } from "./encode.js";

/** One category value and how many rows hold it. */
export interface ValueCount {
  value: string;
  count: number;
}

/** Values of one column that are the same once letter case (or surrounding white space) is ignored. */
export interface VariantGroup {
  /** The spellings, most frequent first (ties in code-point order). */
  values: ValueCount[];
  /** Rows holding any of them. */
  rows: number;
}

/** Which difference a group's spellings share: letter case only, or white space around the value only. */
export type VariantKind = "case" | "whitespace";

const KEY: Record<VariantKind, (v: string) => string> = {
  case: (v) => v.toLowerCase(),
  whitespace: (v) => v.trim(),
};

/**
 * Groups of category values that differ only in letter case (`BAR`, `Bar`) or only in white space around them
 * (`PATROL`, `PATROL `): left alone, each spelling is its own level of a one-hot feature. Largest groups first.
 * @param values the column (null = missing, ignored)
 * @param kind which difference to look for
 */
export function categoryVariants(values: readonly (string | null)[], kind: VariantKind): VariantGroup[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  const key = KEY[kind];
  const groups = new Map<string, ValueCount[]>();
  for (const [value, count] of counts) {
    const k = key(value);
    const g = groups.get(k);
    if (g) g.push({ value, count });
    else groups.set(k, [{ value, count }]);
  }
  const out: VariantGroup[] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    g.sort((a, b) => b.count - a.count || compareStrings(a.value, b.value));
    out.push({ values: g, rows: g.reduce((s, v) => s + v.count, 0) });
  }
  return out.sort((a, b) => b.rows - a.rows || compareStrings(a.values[0].value, b.values[0].value));
}
