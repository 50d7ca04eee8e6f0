import type { Rng } from "../util/random.js";

/** A category and its relative weight (a count from the calibration data, or any non-negative number). */
export type Weighted<T> = readonly (readonly [T, number])[];

/** Draws one value with probability proportional to its weight. */
export type Sampler<T> = () => T;

/**
 * A sampler over weighted categories: cumulative weights and a binary search, so each draw costs one uniform
 * number and O(log k) comparisons.
 * @param entries categories with non-negative weights, at least one positive
 * @param rng the seeded source of uniform numbers
 */
export function createSampler<T>(entries: Weighted<T>, rng: Rng): Sampler<T> {
  const k = entries.length;
  const cumulative = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; ++i) {
    const w = entries[i][1];
    if (!(w >= 0)) throw new Error(`invalid weight: ${w} for ${String(entries[i][0])}`);
    total += w;
    cumulative[i] = total;
  }
  if (!(total > 0)) throw new Error("invalid weights: no positive weight");
  const values = entries.map((e) => e[0]);
  return () => {
    const u = rng.next() * total;
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return values[lo];
  };
}

/** A standard normal draw (Box-Muller, one of the pair). */
export function normal(rng: Rng): number {
  let u = rng.next();
  while (u === 0) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Quotes a CSV field when it holds a comma, a double quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
