import type { FeatureInfo } from "../../features/encode.js";
import type { ComputedCluster as Cluster } from "../../results/types.js";

/** Variables a label names at most. */
export const LABEL_PARTS = 3;
/** A second level is named beside the first when it holds at least this share of the cluster (and a variable at all only when its first level does). */
export const SECOND_LEVEL_SHARE = 0.25;

const pct = (x: number) => `${Math.round(100 * x)}%`;
const num = (x: number) => (Math.abs(x) >= 100 || Number.isInteger(x) ? String(Math.round(x)) : x.toFixed(1).replace(/\.0$/, ""));

/**
 * A label that says what the cluster is, true to its shares. It names the variables of the cluster's strongest
 * positive evidence (a level more common than elsewhere, or a numeric column higher or lower than elsewhere), at
 * most {@link LABEL_PARTS}, in evidence order, each by what the cluster holds:
 * - a categorical variable by the cluster's most common level with its share, "Gender: F (82%)"; when that level
 *   is not a majority the label says so, "most common Race: BLACK (44%)"; and a second level holding at least
 *   {@link SECOND_LEVEL_SHARE} of the cluster is named too, "age_group: <18 (64%), 45-64 (33%)", so that a
 *   cluster of two groups does not read as one;
 * - a numeric variable by its within-cluster quartiles and median, "Age 46–63 (median 55)".
 * Levels and columns without evidence (fewer than min_cell rows of the cluster) are never named, nor a variable whose
 * most common level holds less than {@link SECOND_LEVEL_SHARE} of the cluster. "mixed profile" when nothing stands out.
 * @param c a cluster with its ranked profile (`describeClusters`)
 * @param features the design's features (column and level of each profile feature)
 */
export function clusterLabel(c: Cluster, features: readonly FeatureInfo[]): string {
  const info = new Map(features.map((f) => [f.name, f]));
  const chosen: string[] = [];
  for (const row of c.profile) {
    if (chosen.length >= LABEL_PARTS) break;
    const f = info.get(row.feature);
    if (!f || row.evidence === null || row.evidence === undefined) continue;
    // A level is named for being more common here; a numeric column for being higher or lower.
    if (f.value !== null && row.evidence <= 0) continue;
    if (!chosen.includes(f.column)) chosen.push(f.column);
  }
  const parts = chosen.flatMap((column) => {
    const levels = c.profile.filter((r) => info.get(r.feature)?.column === column && info.get(r.feature)?.value !== null);
    if (!levels.length) {
      const r = c.profile.find((x) => x.feature === column);
      if (!r?.quartiles || r.quartiles.some((q) => !Number.isFinite(q))) return [];
      const [q1, q2, q3] = r.quartiles;
      return [`${column} ${num(q1)}–${num(q3)} (median ${num(q2)})`];
    }
    const sorted = [...levels].sort((a, b) => b.cluster_mean - a.cluster_mean || a.feature.localeCompare(b.feature));
    const level = (r: Cluster["profile"][number]) => info.get(r.feature)?.value ?? r.feature;
    const ranked = (r: Cluster["profile"][number] | undefined) => r !== undefined && r.evidence !== null && r.evidence !== undefined;
    const [top, second] = sorted;
    // A variable whose most common level holds less than a quarter of the cluster is too spread to name.
    if (!ranked(top) || top.cluster_mean < SECOND_LEVEL_SHARE) return [];
    const head = top.cluster_mean >= 0.5 ? `${column}: ` : `most common ${column}: `;
    const extra = ranked(second) && second.cluster_mean >= SECOND_LEVEL_SHARE ? `, ${level(second)} (${pct(second.cluster_mean)})` : "";
    return [`${head}${level(top)} (${pct(top.cluster_mean)})${extra}`];
  });
  return parts.length ? parts.join(" · ") : "mixed profile";
}
