import type { KSelectionRow } from "../../results/types.js";

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

/**
 * The documented rule for k: rank every k by each of four criteria — silhouette (higher is better),
 * Calinski-Harabasz (higher), Davies-Bouldin (lower) and distance from the inertia knee (closer) — and take the k
 * with the lowest mean rank (a Borda count); ties go to the smaller k, the simpler description.
 */
export function chooseK(rows: KSelectionRow[]): { k: number; rule: string; knee: number } {
  const ks = rows.map((r) => r.k);
  const knee = kneeOf(
    ks,
    rows.map((r) => r.inertia),
  );
  const rank = (score: (r: KSelectionRow) => number) => {
    const order = [...rows].sort((a, b) => score(a) - score(b) || a.k - b.k);
    const out = new Map<number, number>();
    order.forEach((r, i) => out.set(r.k, i + 1));
    return out;
  };
  const finite = (x: number, bad: number) => (Number.isFinite(x) ? x : bad);
  const ranks = [
    rank((r) => -finite(r.silhouette, -Infinity)),
    rank((r) => -finite(r.calinski_harabasz, -Infinity)),
    rank((r) => finite(r.davies_bouldin, Infinity)),
    rank((r) => Math.abs(r.k - knee)),
  ];
  let best = rows[0].k;
  let bestScore = Infinity;
  for (const r of rows) {
    const s = ranks.reduce((a, m) => a + m.get(r.k)!, 0) / ranks.length;
    if (s < bestScore - 1e-12) {
      bestScore = s;
      best = r.k;
    }
  }
  return {
    k: best,
    knee,
    rule: `lowest mean rank over silhouette, Calinski-Harabasz, Davies-Bouldin and distance to the inertia knee (knee at k=${knee}; mean rank ${bestScore.toFixed(2)})`,
  };
}
