import { createHash } from "node:crypto";
import type { DisclosurePolicy } from "./policy.js";

/**
 * Cell-key perturbation for the dashboard, after the method of the Australian Bureau of Statistics' TableBuilder
 * (Fraser & Wooton, "A proposed method for confidentialising tabular output to protect against differencing",
 * UNECE Work Session on Statistical Data Confidentiality, 2005) and the ONS census flexible tables.
 *
 * Every analysis row has a record key in [0, 256): the first byte of sha256(salt ":" _row), with a salt derived
 * from the run. The cell key of a set of records is the sum of their record keys mod 256, so it depends on the set
 * only: the same records reached by any filter path get the same key and so the same published count, and
 * repeating a query gives nothing new to average.
 *
 * The published count is n + p with p in [-6, 6] read from the table below by (n, cell key). The table is built so
 * that no single difference or sum of published counts pins a hidden count to one value, and so that pinning one
 * through many linked answers needs improbable keys:
 * - counts up to min_cell are hidden ("≤ min_cell"), zero included: were zero shown, every hidden group would be
 *   known to hold at least one record, and a total could pin a row of hidden groups to one record each;
 * - published counts are even and at least min_cell + 1: a difference of two published counts is then even, so it
 *   is never the single value that only a difference of one record with the two extreme perturbations would allow;
 * - for n away from the floor, p has mean 0: when n is odd, p = ±1 (126 keys each), ±3 and ±5 (one key each;
 *   variance 1.25); when n is even, p = 0 (190 keys), ±2 (31 each), ±4 and ±6 (one each; variance 1.375). Near the
 *   floor a p that would go below the smallest shown count is mirrored (−p), so p is biased up by about 1 there.
 * The rare wide values are what protects linked answers: a published total and its published parts pin each other
 * only when every one of them took its extreme p (a total of two parts: about one in 256³ per direction), while
 * with a bound of 2 one key in eight per answer sufficed, and the attacker test found such pins in real runs.
 * With these rules, given published counts a (true n ∈ [max(floor, a − 6), a + 6]) or a hidden count (n ∈ [0,
 * min_cell]), the difference of two nested sets and any hidden cell of a published total are each consistent with at
 * least two values whenever the true value is between 1 and min_cell − 1 (test/disclosure/perturb.test.ts checks
 * every case up to 4 × min_cell + 20, and test/server/attacker.ts plays the linked case against real runs).
 */

/** Number of distinct record and cell keys. */
export const KEY_RANGE = 256;

/** Largest |p| the table adds to a count. */
export const PERTURBATION_BOUND = 6;

/** What a salt is derived from: the run's seed, name and input hashes (all in results.json). */
export interface SaltSource {
  seed: number;
  name: string;
  inputs: readonly { name: string; sha256: string }[];
}

/**
 * The record-key salt of a run: sha256 of a version tag, the seed, the study name and the sorted input hashes, as
 * hex. The same run always gets the same salt, so its dashboard always gives the same answers.
 */
export function runSalt(run: SaltSource): string {
  const inputs = run.inputs.map((i) => `${i.name}=${i.sha256}`).sort();
  return createHash("sha256")
    .update(["openbeat cell key v1", String(run.seed), run.name, ...inputs].join("\n"))
    .digest("hex");
}

/**
 * The record key of one analysis row: the first byte of sha256(`${salt}:${row}`).
 * @param salt from {@link runSalt}
 * @param row the row's `_row` number
 */
export function recordKey(salt: string, row: number): number {
  return createHash("sha256").update(`${salt}:${row}`).digest()[0];
}

/**
 * The DuckDB expression that computes {@link recordKey} from a `_row` expression (same bytes, same key).
 * @param salt hex from {@link runSalt} (checked: only hex digits reach the SQL text)
 * @param rowExpr SQL expression of the row number, e.g. `"_row"`
 */
export function recordKeySql(salt: string, rowExpr: string): string {
  if (!/^[0-9a-f]+$/.test(salt)) throw new Error(`recordKeySql: salt must be lower-case hex, not ${JSON.stringify(salt)}`);
  return `('0x' || left(sha256('${salt}:' || CAST(${rowExpr} AS VARCHAR)), 2))::INTEGER`;
}

/**
 * The cell key of a set of records: the sum of their record keys mod 256.
 * @param keys record keys, or partial sums of them
 */
export function cellKey(keys: Iterable<number>): number {
  let s = 0;
  for (const k of keys) s = (s + k) % KEY_RANGE;
  return s;
}

/**
 * The smallest count the dashboard publishes: min_cell + 1 (counts up to min_cell are hidden), or 0 when
 * perturbation is off (min_cell 0 or `dashboard.perturb: false`), where counts below min_cell are hidden as in
 * static tables.
 */
export function publishFloor(policy: Pick<DisclosurePolicy, "min_cell" | "dashboard">): number {
  return perturbs(policy) ? policy.min_cell + 1 : 0;
}

/** True when the dashboard perturbs counts: min_cell above 0 and `dashboard.perturb` on. */
export function perturbs(policy: Pick<DisclosurePolicy, "min_cell" | "dashboard">): boolean {
  return policy.min_cell > 0 && policy.dashboard.perturb;
}

/** The smallest even count at or above the floor: the smallest count the dashboard ever shows. */
function smallestShown(floor: number): number {
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The perturbation p added to a count n ≥ the floor with cell key `key` (see the table in this module's comment).
 * @param n true count, at least {@link publishFloor}
 * @param key cell key in [0, 256)
 */
export function perturbation(n: number, key: number, policy: Pick<DisclosurePolicy, "min_cell" | "dashboard">): number {
  if (!perturbs(policy)) return 0;
  const floor = publishFloor(policy);
  if (n < floor) throw new Error(`perturbation: count ${n} is below the published floor ${floor}`);
  const low = smallestShown(floor);
  const k = ((key % KEY_RANGE) + KEY_RANGE) % KEY_RANGE;
  const p = n % 2 === 1 ? oddStep(k) : evenStep(k);
  // Below the smallest shown count the table mirrors: the count goes up by as much instead.
  return n + p < low ? -p : p;
}

/** p for an odd count by cell key: ±1 (126 keys each), ±3 and ±5 (one key each). */
function oddStep(k: number): number {
  if (k === 0) return -5;
  if (k === 1) return -3;
  if (k < 128) return -1;
  if (k < 254) return 1;
  return k === 254 ? 3 : 5;
}

/** p for an even count by cell key: 0 (190 keys), ±2 (31 each), ±4 and ±6 (one each). */
function evenStep(k: number): number {
  if (k === 0) return -6;
  if (k === 1) return -4;
  if (k < 33) return -2;
  if (k < 223) return 0;
  if (k < 254) return 2;
  return k === 254 ? 4 : 6;
}

/**
 * The count the dashboard publishes for n records with cell key `key`: null when hidden, else n + p (exact when
 * perturbation is off, with counts below min_cell hidden and zero shown).
 * @param n true count
 * @param key cell key in [0, 256)
 */
export function perturbCount(n: number, key: number, policy: Pick<DisclosurePolicy, "min_cell" | "dashboard">): number | null {
  if (!perturbs(policy)) return n > 0 && n < policy.min_cell ? null : n;
  if (n < publishFloor(policy)) return null;
  return n + perturbation(n, key, policy);
}

/**
 * Every p the table can add to n (over all 256 cell keys): what an attacker who knows the table can assume.
 * @param n true count, at least {@link publishFloor}
 */
export function perturbationSupport(n: number, policy: Pick<DisclosurePolicy, "min_cell" | "dashboard">): number[] {
  const seen = new Set<number>();
  for (let k = 0; k < KEY_RANGE; ++k) seen.add(perturbation(n, k, policy));
  return [...seen].sort((a, b) => a - b);
}

/**
 * The true counts consistent with a published dashboard count, as an interval [min, max]: for a shown count a,
 * [max(floor, a − 6), a + 6]; for a hidden one, [0, min_cell] (perturbation on) or [1, min_cell − 1] (off). With
 * perturbation off a shown count is exact.
 * @param published a count from the API, or null when hidden
 */
export function consistentCounts(
  published: number | null,
  policy: Pick<DisclosurePolicy, "min_cell" | "dashboard">,
): { min: number; max: number } {
  if (!perturbs(policy)) {
    return published === null ? { min: 1, max: Math.max(1, policy.min_cell - 1) } : { min: published, max: published };
  }
  if (published === null) return { min: 0, max: policy.min_cell };
  const floor = publishFloor(policy);
  return { min: Math.max(floor, published - PERTURBATION_BOUND), max: published + PERTURBATION_BOUND };
}
