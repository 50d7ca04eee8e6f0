/**
 * Multiplicity adjustments and exact tests for rate findings: Benjamini–Hochberg q-values, Bonferroni, Fisher's
 * exact test of a 2×2 table and the exact binomial test, matching statsmodels 0.13 `multipletests` and
 * scipy 1.10 `fisher_exact` / `binomtest` (two-sided).
 */

function checkPValues(p: ArrayLike<number>): void {
  for (let i = 0; i < p.length; ++i) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw new Error(`invalid p[${i}]: ${p[i]} (expected a p-value in [0, 1])`);
  }
}

/**
 * Benjamini–Hochberg (1995) adjusted p-values (q-values) controlling the false discovery rate, as
 * `multipletests(p, method="fdr_bh")[1]`: qᵢ = min over j with p₍ⱼ₎ ≥ pᵢ of m·p₍ⱼ₎/j, capped at 1, so q is
 * monotone in p and ties share one value. m is the number of p-values given.
 * @param p p-values in [0, 1]
 */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  checkPValues(p);
  const m = p.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const q = new Float64Array(m);
  let running = Infinity;
  for (let r = m - 1; r >= 0; --r) {
    const i = order[r];
    running = Math.min(running, (p[i] * m) / (r + 1));
    q[i] = Math.min(1, running);
  }
  return q;
}

/**
 * Bonferroni-adjusted p-values min(1, m·pᵢ), controlling the family-wise error rate (`method="bonferroni"`).
 * @param p p-values in [0, 1]
 */
export function bonferroni(p: ArrayLike<number>): Float64Array {
  checkPValues(p);
  const m = p.length;
  const out = new Float64Array(m);
  for (let i = 0; i < m; ++i) out[i] = Math.min(1, p[i] * m);
  return out;
}

/** Result of {@link fisherExactTwoSided}. */
export interface FisherExactResult {
  /** Sample odds ratio a·d/(b·c): Infinity when b or c is 0, NaN when a margin is 0 (scipy's `statistic`). */
  oddsRatio: number;
  pValue: number;
}

/** Relative tolerance under which two table probabilities count as equal (R's `fisher.test` and scipy's `binomtest`). */
const RELATIVE_TIE = 1 + 1e-7;

/**
 * Fisher's exact test of the 2×2 table [[a, b], [c, d]] (e.g. a group's positives and negatives against the
 * rest's), two-sided: the probability under the hypergeometric null (margins fixed) of every table no more
 * likely than the observed one, as `scipy.stats.fisher_exact(table)`. Works in log space with the table
 * probabilities built from their ratio recurrence P(x + 1)/P(x), so counts in the hundreds of thousands keep
 * full relative precision and p-values down to 1e−300 do not underflow early. Tables that are equally likely up
 * to a relative 1e−7 count as ties (scipy's own relative margin is 1e−14; on integer tables the two agree).
 * @param a row 1, column 1 (group positives)
 * @param b row 1, column 2 (group negatives)
 * @param c row 2, column 1 (rest positives)
 * @param d row 2, column 2 (rest negatives)
 */
export function fisherExactTwoSided(a: number, b: number, c: number, d: number): FisherExactResult {
  for (const [name, v] of [
    ["a", a],
    ["b", b],
    ["c", c],
    ["d", d],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`invalid ${name}: ${v} (expected a count ≥ 0)`);
  }
  if (a + b === 0 || c + d === 0 || a + c === 0 || b + d === 0) return { oddsRatio: NaN, pValue: 1 };
  const oddsRatio = c > 0 && b > 0 ? (a * d) / (c * b) : Infinity;
  const n1 = a + b;
  const n2 = c + d;
  const n = a + c;
  const lo = Math.max(0, n - n2);
  const hi = Math.min(n, n1);
  // log P(x) − log P(lo) for x = lo..hi
  const lr = new Float64Array(hi - lo + 1);
  for (let x = lo; x < hi; ++x) {
    lr[x - lo + 1] = lr[x - lo] + Math.log(((n1 - x) * (n - x)) / ((x + 1) * (n2 - n + x + 1)));
  }
  return { oddsRatio, pValue: tailSum(lr, a - lo) };
}

/**
 * Exact two-sided binomial test of k successes in n trials against success probability p, as
 * `scipy.stats.binomtest(k, n, p).pvalue`: the total probability of outcomes no more likely than k (relative
 * margin 1e−7, scipy's `rerr`), 1 when k = n·p. Log-space over the ratio recurrence, as
 * {@link fisherExactTwoSided}.
 * @param k successes, 0..n
 * @param n trials
 * @param p null success probability in [0, 1]
 */
export function binomialTestTwoSided(k: number, n: number, p: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`invalid n: ${n} (expected an integer ≥ 1)`);
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new Error(`invalid k: ${k} (expected an integer in 0..${n})`);
  if (!(p >= 0 && p <= 1)) throw new Error(`invalid p: ${p} (expected a probability in [0, 1])`);
  if (k === p * n) return 1;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  const logOdds = Math.log(p) - Math.log1p(-p);
  const lr = new Float64Array(n + 1);
  for (let x = 0; x < n; ++x) lr[x + 1] = lr[x] + Math.log((n - x) / (x + 1)) + logOdds;
  return tailSum(lr, k);
}

/**
 * Σ P(x) over x with P(x) ≤ P(obs)·(1 + 1e−7), divided by Σ P(x), from unnormalised log-probabilities, in log
 * space (log-sum-exp over each sum).
 */
function tailSum(lr: Float64Array, obs: number): number {
  let top = -Infinity;
  for (const v of lr) if (v > top) top = v;
  const threshold = lr[obs] + Math.log(RELATIVE_TIE);
  let selTop = -Infinity;
  for (const v of lr) if (v <= threshold && v > selTop) selTop = v;
  let total = 0;
  let sel = 0;
  for (const v of lr) {
    total += Math.exp(v - top);
    if (v <= threshold) sel += Math.exp(v - selTop);
  }
  const logP = selTop + Math.log(sel) - (top + Math.log(total));
  return Math.min(1, Math.exp(logP));
}
