/**
 * Wilson score interval of a proportion k/n (Wilson E. B., "Probable inference, the law of succession, and
 * statistical inference", JASA 22, 1927), as the report prints it.
 * @param k successes (0..n)
 * @param n trials (> 0)
 * @param z normal quantile (default 1.959964, for 95%)
 * @returns [low, high], both in [0, 1]; [NaN, NaN] when n is not positive
 */
export function wilsonInterval(k: number, n: number, z = 1.959964): [number, number] {
  if (!(n > 0)) return [NaN, NaN];
  const p = Math.min(1, Math.max(0, k / n));
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
