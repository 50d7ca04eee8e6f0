/**
 * The one small-cell policy every output of a run passes through: the report, results.json, the dashboard API, the
 * area GeoJSON and the exports. It is resolved once from the study file's `disclosure:` section (with
 * `report.min_cell` as an alias) and recorded in manifest.json so that `openbeat serve` applies the same rules.
 */

/** The resolved disclosure policy of a run (snake_case, as in the study file and manifest.json). */
export interface DisclosurePolicy {
  /** A count n is small when 0 < n < min_cell; 0 turns suppression (and the dashboard's perturbation) off. */
  min_cell: number;
  dashboard: {
    /** Cell-key perturbation of every dashboard count (default true). */
    perturb: boolean;
    /** At most this many filtered dimensions in one dashboard request (default 3). */
    max_filters: number;
  };
  /** The point map: off (default), or counts on a square grid of `grid_m` metres. Raw coordinates are never served. */
  points: false | { grid_m: number };
  /** Record-level answers (a record table or export) in the dashboard (default false). */
  row_level: boolean;
}

/** The `disclosure:` section as written in a study file: every key optional. */
export interface DisclosureSection {
  min_cell?: number;
  dashboard?: { perturb?: boolean; max_filters?: number };
  points?: false | { grid_m: number };
  row_level?: boolean;
}

/** Threshold used when a study file sets none: statistical agencies commonly suppress counts below 10. */
export const DEFAULT_MIN_CELL = 10;

/** The policy of a study file without a `disclosure:` section. */
export const DEFAULT_POLICY: Readonly<DisclosurePolicy> = Object.freeze({
  min_cell: DEFAULT_MIN_CELL,
  dashboard: Object.freeze({ perturb: true, max_filters: 3 }),
  points: false,
  row_level: false,
});

/**
 * The two places a study file can set the threshold disagree: `disclosure.min_cell` and its alias
 * `report.min_cell` both given with different values. Returns the two values, or undefined when they agree.
 */
export function minCellConflict(section: DisclosureSection | undefined, reportMinCell: number | undefined): [number, number] | undefined {
  const a = section?.min_cell;
  return a !== undefined && reportMinCell !== undefined && a !== reportMinCell ? [a, reportMinCell] : undefined;
}

/**
 * Resolves a study file's `disclosure:` section and `report.min_cell` alias into a full policy (defaults filled in).
 * Callers check {@link minCellConflict} first (the study-file schema does); when both are given and agree, that
 * value is used.
 * @param section the `disclosure:` section, if any
 * @param reportMinCell `report.min_cell`, if given
 */
export function resolvePolicy(section?: DisclosureSection, reportMinCell?: number): DisclosurePolicy {
  return {
    min_cell: section?.min_cell ?? reportMinCell ?? DEFAULT_MIN_CELL,
    dashboard: {
      perturb: section?.dashboard?.perturb ?? DEFAULT_POLICY.dashboard.perturb,
      max_filters: section?.dashboard?.max_filters ?? DEFAULT_POLICY.dashboard.max_filters,
    },
    points: section?.points ?? false,
    row_level: section?.row_level ?? false,
  };
}

/**
 * The policy recorded in a results folder's manifest.json (`disclosure`, else the older `min_cell` key), or the
 * default policy when the folder has no manifest or the manifest records none. Unknown shapes fall back to the
 * default, never to a weaker policy.
 * @param manifest the parsed manifest.json, or undefined
 */
export function policyOfManifest(manifest: unknown): DisclosurePolicy {
  const m = manifest && typeof manifest === "object" ? (manifest as Record<string, unknown>) : {};
  const d = m.disclosure && typeof m.disclosure === "object" ? (m.disclosure as Record<string, unknown>) : undefined;
  const int = (v: unknown, min: number): number | undefined => (typeof v === "number" && Number.isInteger(v) && v >= min ? v : undefined);
  if (!d) return resolvePolicy(undefined, int(m.min_cell, 0));
  const dash = d.dashboard && typeof d.dashboard === "object" ? (d.dashboard as Record<string, unknown>) : {};
  const points = d.points && typeof d.points === "object" ? int((d.points as Record<string, unknown>).grid_m, 1) : undefined;
  return resolvePolicy({
    min_cell: int(d.min_cell, 0),
    dashboard: { perturb: typeof dash.perturb === "boolean" ? dash.perturb : undefined, max_filters: int(dash.max_filters, 1) },
    points: points === undefined ? false : { grid_m: points },
    row_level: d.row_level === true,
  });
}

/**
 * True when a count is small under the policy: 0 < n < min_cell. Zero is not small (it describes nobody).
 * @param n a count of records
 */
export function isSmall(n: number, policy: Pick<DisclosurePolicy, "min_cell">): boolean {
  return n > 0 && n < policy.min_cell;
}

/**
 * True when a rate positives / n may be published: the group, its positives and its negatives are each at least
 * min_cell. A rate of 0% or 100% tells the outcome of every member of the group, so both sides must be large,
 * and zero counts as too few here.
 * @param positives records with the outcome
 * @param n records in the group
 */
export function rateAllowed(positives: number, n: number, policy: Pick<DisclosurePolicy, "min_cell">): boolean {
  const m = Math.max(policy.min_cell, 1);
  return positives >= m && n - positives >= m;
}

/**
 * True when the share of a value within a group may be published: the count of the value and of "not the value"
 * are each at least min_cell (the same rule as {@link rateAllowed}).
 * @param count records with the value
 * @param total records in the group
 */
export function shareAllowed(count: number, total: number, policy: Pick<DisclosurePolicy, "min_cell">): boolean {
  return rateAllowed(count, total, policy);
}

/** The text a suppressed count is shown as, e.g. "<10". */
export function suppressedLabel(policy: Pick<DisclosurePolicy, "min_cell">): string {
  return `<${policy.min_cell}`;
}
