/**
 * Knee of a decreasing curve (Kneedle, Satopää et al. 2011): after scaling k and inertia to [0, 1], the k whose
 * point lies farthest below the straight line from the first to the last point.
 */
export function kneeOf(ks: number[], inertia: number[]): number {
  const n = ks.length;
  if (n < 3) return ks[0];
  const x0 = ks[0];
  const x1 = ks[n - 1];
  const y0 = inertia[0];
  const y1 = inertia[n - 1];
  let best = ks[0];
  let bestGap = -Infinity;
  for (let i = 0; i < n; ++i) {
    const x = (ks[i] - x0) / (x1 - x0);
    const y = y0 === y1 ? 0 : (inertia[i] - y1) / (y0 - y1);
    const gap = 1 - x - y;
    if (gap > bestGap) {
      bestGap = gap;
      best = ks[i];
    }
  }
  return best;
}

/** The criteria of one k that {@link chooseK} ranks. */
export interface KCriteria {
  k: number;
  inertia: number;
  silhouette: number;
  calinski_harabasz: number;
  davies_bouldin: number;
  /** Mean adjusted Rand index under resampling, when computed. */
  stability?: number | null;
}

/** Mean subsample adjusted Rand index a k needs to be chosen (unless no k reaches it). */
export const MIN_STABILITY = 0.75;

/** Result of {@link chooseK}. */
export interface KChoice {
  k: number;
  rule: string;
  knee: number;
  /** The ks that were eligible (stable enough). */
  eligible: number[];
}

/**
 * The documented rule for k: among the k whose partition is stable (mean subsample adjusted Rand index at least
 * {@link MIN_STABILITY}; every k when none is, or when stability was not computed), rank every k by each of five
 * criteria — silhouette (higher is better), Calinski-Harabasz (higher), Davies-Bouldin (lower), distance from the
 * inertia knee (closer) and stability (higher) — and take the k with the lowest mean rank (a Borda count); ties
 * go to the smaller k, the simpler description. The knee is found on the whole curve.
 * @param rows criteria per k, in increasing k
 */
export function chooseK(rows: readonly KCriteria[]): KChoice {
  const ks = rows.map((r) => r.k);
  const knee = kneeOf(
    ks,
    rows.map((r) => r.inertia),
  );
  const withStability = rows.every((r) => typeof r.stability === "number" && Number.isFinite(r.stability));
  const stable = withStability ? rows.filter((r) => (r.stability ?? 0) >= MIN_STABILITY) : [];
  const pool = stable.length ? stable : rows;
  const rank = (score: (r: KCriteria) => number) => {
    const order = [...pool].sort((a, b) => score(a) - score(b) || a.k - b.k);
    const out = new Map<number, number>();
    order.forEach((r, i) => out.set(r.k, i + 1));
    return out;
  };
  const finite = (x: number | null | undefined, bad: number) => (typeof x === "number" && Number.isFinite(x) ? x : bad);
  const ranks = [
    rank((r) => -finite(r.silhouette, -Infinity)),
    rank((r) => -finite(r.calinski_harabasz, -Infinity)),
    rank((r) => finite(r.davies_bouldin, Infinity)),
    rank((r) => Math.abs(r.k - knee)),
  ];
  if (withStability) ranks.push(rank((r) => -finite(r.stability, -Infinity)));
  let best = pool[0].k;
  let bestScore = Infinity;
  for (const r of pool) {
    const s = ranks.reduce((a, m) => a + (m.get(r.k) ?? 0), 0) / ranks.length;
    if (s < bestScore - 1e-12) {
      bestScore = s;
      best = r.k;
    }
  }
  const criteria = `silhouette, Calinski-Harabasz, Davies-Bouldin, distance to the inertia knee${withStability ? " and stability" : ""}`;
  const among = !withStability
    ? ""
    : stable.length
      ? ` among the k with stability ≥ ${MIN_STABILITY} (${stable.map((r) => r.k).join(", ")})`
      : ` (no k reached stability ${MIN_STABILITY}, so all were ranked)`;
  return {
    k: best,
    knee,
    eligible: pool.map((r) => r.k),
    rule: `lowest mean rank over ${criteria}${among} (knee at k=${knee}; mean rank ${bestScore.toFixed(2)})`,
  };
}
