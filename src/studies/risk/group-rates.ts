import { MISSING, compareStrings, type FeatureInput } from "../../features/encode.js";

/** Rows and positives per value of one categorical column, over the kept rows. */
export interface GroupRate {
  value: string;
  count: number;
  positives: number;
}

/** Counts rows and positives by each value of `values`, over `keep`; sorted by value. */
export function groupRates(values: (string | null)[], y: Float64Array, keep: Int32Array): GroupRate[] {
  const m = new Map<string, GroupRate>();
  for (const i of keep) {
    const v = values[i] ?? MISSING;
    let g = m.get(v);
    if (!g) m.set(v, (g = { value: v, count: 0, positives: 0 }));
    g.count++;
    g.positives += y[i];
  }
  return [...m.values()].sort((a, b) => compareStrings(a.value, b.value));
}

/** The categorical columns of an input that `by` names (date parts included), in order. */
export function categoricalColumns(input: FeatureInput, by?: string[]): string[] {
  return by ?? Object.keys(input.categorical);
}
