/**
 * The q-quantile of ascending-sorted values by numpy's default "linear" method (`np.quantile`, numpy 1.24):
 * virtual index h = (n − 1)·q between x[⌊h⌋] and x[⌊h⌋ + 1], interpolated as numpy's `_lerp`, which computes
 * b − (b − a)(1 − γ) when γ ≥ ½ so that equal neighbours return exactly their value. NaN for an empty array.
 * @param sorted values in ascending order (not checked)
 * @param q quantile in [0, 1]
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  return quantileAt(sorted.length, (i) => sorted[i], q);
}

/**
 * {@link quantileSorted} of n ascending values given by position (`at(i)` is the i-th smallest, from 0).
 * @param n number of values
 * @param at the value at each position of the ascending order
 * @param q quantile in [0, 1]
 */
export function quantileAt(n: number, at: (i: number) => number, q: number): number {
  if (n === 0 || !(q >= 0 && q <= 1)) return NaN;
  const h = (n - 1) * q;
  let lo = Math.floor(h);
  if (lo > n - 1) lo = n - 1;
  const hi = Math.min(lo + 1, n - 1);
  const gamma = h - lo;
  const a = at(lo);
  const b = at(hi);
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}
