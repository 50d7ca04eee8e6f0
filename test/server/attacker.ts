/**
 * An attacker against the dashboard API, and the checks that decide whether it learned a small count.
 *
 * The attacker records every answered count under the description of the record set it counts (the filters, plus
 * a group-by value, a cluster or a score bin), and the linear facts the descriptions imply:
 * - nested sets: a set with one more filter (or one value fewer in a filter's list) is a subset, and a strict one
 *   when the two answers differ (the same set always gets the same answer); positives are a subset of their set;
 * - partitions: a grouped answer splits its total (the same filters without the group) into the groups, which the
 *   server lists for every value of the dimension; a two-value filter is the sum of its two one-value filters; a
 *   set is its positives plus its negatives.
 * It reads every answer as the interval of true counts the published table allows (`consistentCounts`: a shown
 * count a means [max(floor, a − 2), a + 2], a hidden one [0, min_cell]; with perturbation off a shown count is
 * exact and a hidden one is 1..min_cell − 1).
 *
 * "Derivable" (the definition docs/disclosure.md gives): the count of a record set whose true size is 1..min_cell−1
 * is derivable when the attacker's reasoning leaves it exactly one possible value. Three attackers are checked:
 * 1. nested pairs: the difference of two nested sets, from their two answers alone;
 * 2. partitions: one cell of a grouped answer, from the total and the other cells alone;
 * 3. propagation: bounds of every set tightened over all nested and partition facts together until nothing
 *    changes (interval constraint propagation), then every set and every nested difference checked again.
 * Attackers 1 and 2 are exact for their one fact. Attacker 3 is a relaxation: an attacker solving the integer
 * program over all facts at once can narrow further; docs/disclosure.md says so.
 */

import { consistentCounts } from "../../src/disclosure/perturb.js";
import type { DisclosurePolicy } from "../../src/disclosure/policy.js";

/** A filter description: dimension key → accepted values (one value for a group cell). */
export type Description = Record<string, (string | number | boolean | null)[]>;

/** The text of one filter of a description: its dimension and its values, sorted (a part of `describe`'s text). */
export function describeFilter(dim: string, values: Description[string]): string {
  // One value (most descriptions): the same text as the sorted list of one.
  const list =
    values.length === 1 ? `[${JSON.stringify(JSON.stringify(values[0]))}]` : JSON.stringify(values.map((v) => JSON.stringify(v)).sort());
  return `${dim}=${list}`;
}

/** Canonical text of a description (sorted keys and values), with an optional suffix such as "|pos". */
export function describe(d: Description, suffix = ""): string {
  const parts = Object.keys(d)
    .filter((k) => d[k].length > 0)
    .sort()
    .map((k) => describeFilter(k, d[k]));
  return parts.join("&") + suffix;
}

/** One answered set: what the API said, and the truth (for checking only). */
export interface Observation {
  published: number | null;
  n: number;
  /** Fingerprint of the true record set (count and a sum of row hashes). */
  fingerprint: string;
}

/** A record set: its description, or its number in a `Knowledge` (`Knowledge.id`). */
export type SetRef = string | number;

/**
 * What the attacker knows: answers by description, unanswered sets, and the facts linking them. Every set named is
 * numbered once, in the order it was first named, and the facts are kept as set numbers (for `analyse`).
 */
export class Knowledge {
  readonly answers = new Map<string, Observation>();
  /** Partition f: set partTotal[f] is the disjoint union of sets partSets[partStart[f]] to partSets[partStart[f + 1] - 1]. */
  readonly partTotal: number[] = [];
  readonly partStart: number[] = [0];
  readonly partSets: number[] = [];
  /** Nested fact f: set nestSup[f] contains set nestSub[f]. */
  readonly nestSup: number[] = [];
  readonly nestSub: number[] = [];
  /** Answers that disagree for the same record set (must stay empty). */
  readonly inconsistent: string[] = [];
  /** The numbers of the sets answered, and of the hidden ones, each in the order it was first recorded. */
  readonly answeredSets: number[] = [];
  readonly hiddenSets: number[] = [];
  private readonly byFingerprint = new Map<string, { desc: string; published: number | null }>();
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  /** By set number: the set's latest answer, and its true size when hidden. */
  private readonly observed: (Observation | undefined)[] = [];
  private readonly hidden: (number | undefined)[] = [];

  /** The number of set `desc` (a new one when it was not named before). */
  id(desc: string): number {
    let x = this.ids.get(desc);
    if (x === undefined) {
      x = this.names.length;
      this.ids.set(desc, x);
      this.names.push(desc);
    }
    return x;
  }

  private ref(s: SetRef): number {
    return typeof s === "number" ? s : this.id(s);
  }

  /** The description of set number `x`. */
  name(x: number): string {
    return this.names[x];
  }

  /** How many sets were named (set numbers are 0 to this − 1). */
  get sets(): number {
    return this.names.length;
  }

  /** Records an answer; the same record set answered twice differently is recorded as inconsistent. */
  answer(desc: string, o: Observation): void {
    const x = this.id(desc);
    const prev = this.observed[x];
    if (!prev) this.answeredSets.push(x);
    if (prev && prev.published !== o.published) this.inconsistent.push(`${desc}: ${String(prev.published)} then ${String(o.published)}`);
    this.answers.set(desc, o);
    this.observed[x] = o;
    const same = this.byFingerprint.get(o.fingerprint);
    if (same && same.published !== o.published) {
      this.inconsistent.push(
        `${same.desc} and ${desc} are the same ${o.n} records but got ${String(same.published)} and ${String(o.published)}`,
      );
    } else if (!same) this.byFingerprint.set(o.fingerprint, { desc, published: o.published });
  }

  /** Records a set the attacker reasons about without an answer of its own (negatives, scored rows): bounds [0, ∞). */
  unknown(desc: string, n: number): void {
    const x = this.id(desc);
    if (this.hidden[x] === undefined) this.hiddenSets.push(x);
    this.hidden[x] = n;
  }

  partition(total: SetRef, parts: SetRef[]): void {
    this.partTotal.push(this.ref(total));
    for (const p of parts) this.partSets.push(this.ref(p));
    this.partStart.push(this.partSets.length);
  }

  subset(sup: SetRef, sub: SetRef): void {
    const [a, b] = [this.ref(sup), this.ref(sub)];
    if (a !== b) {
      this.nestSup.push(a);
      this.nestSub.push(b);
    }
  }

  /** How many partitions are recorded. */
  get partitions(): number {
    return this.partTotal.length;
  }

  /** The latest answer of set number `x`, if it was answered. */
  observation(x: number): Observation | undefined {
    return this.observed[x];
  }

  /** The true size of set number `x` (answered or hidden), if known. */
  trueCountOf(x: number): number | undefined {
    return this.observed[x]?.n ?? this.hidden[x];
  }
}

/** A small count the attacker pinned to one value, and how. */
export interface Leak {
  how: "nested" | "partition" | "propagated";
  what: string;
  value: number;
}

/** Figures of one attack. */
export interface AttackReport {
  answers: number;
  nestedPairs: number;
  smallDifferences: number;
  partitions: number;
  smallCells: number;
  smallSets: number;
  leaks: Leak[];
  /** Sets whose true count fell outside the attacker's bounds (a wrong table or a wrong model; must be 0). */
  unsound: string[];
}

/**
 * Runs the three attackers over what `k` holds and returns every small count pinned to one value.
 * @param policy the run's policy (its table is public)
 */
export function analyse(k: Knowledge, policy: DisclosurePolicy): AttackReport {
  const m = policy.min_cell;
  const small = (n: number) => n >= 1 && n < m;
  // By set number: whether its true count is known (answered or hidden), that count, and the bounds its answer
  // alone allows ([0, ∞) for a set without one).
  const sets = k.sets;
  const known = new Uint8Array(sets);
  const n = new Float64Array(sets);
  const lo0 = new Float64Array(sets);
  const hi0 = new Float64Array(sets).fill(Infinity);
  for (let x = 0; x < sets; ++x) {
    const count = k.trueCountOf(x);
    if (count === undefined) continue;
    known[x] = 1;
    n[x] = count;
    const o = k.observation(x);
    if (!o) continue;
    const c = consistentCounts(o.published, policy);
    lo0[x] = c.min;
    hi0[x] = c.max;
  }
  const leaks: Leak[] = [];
  const unsound: string[] = [];
  const { partTotal, partStart, partSets, nestSup, nestSub } = k;
  // A nested pair is strict when both sets were answered and the answers differ (the same set always gets the same answer).
  const nestStrict = Int8Array.from(nestSup, (sup, f) => {
    const a = k.observation(sup);
    const b = k.observation(nestSub[f]);
    return a && b && a.published !== b.published ? 1 : 0;
  });

  // 1. Nested pairs, each from its two answers alone.
  let nestedPairs = 0;
  let smallDifferences = 0;
  for (let f = 0; f < nestSup.length; ++f) {
    const A = nestSup[f];
    const B = nestSub[f];
    if (!known[A] || !known[B]) continue;
    ++nestedPairs;
    if (!small(n[A] - n[B])) continue;
    ++smallDifferences;
    const lo = Math.max(nestStrict[f], lo0[A] - hi0[B]);
    const hi = hi0[A] - lo0[B];
    if (hi - lo < 1) leaks.push({ how: "nested", what: `${k.name(A)} minus ${k.name(B)}`, value: n[A] - n[B] });
  }

  // 2. Partitions, each cell from its total and the other cells alone.
  let smallCells = 0;
  for (let f = 0; f < partTotal.length; ++f) {
    const T = partTotal[f];
    if (!known[T]) continue;
    let sumLo = 0;
    let sumHi = 0;
    for (let q = partStart[f]; q < partStart[f + 1]; ++q) {
      sumLo += lo0[partSets[q]];
      sumHi += hi0[partSets[q]];
    }
    for (let q = partStart[f]; q < partStart[f + 1]; ++q) {
      const x = partSets[q];
      if (!known[x] || !small(n[x])) continue;
      ++smallCells;
      const lo = Math.max(lo0[x], lo0[T] - (sumHi - hi0[x]));
      const hi = Math.min(hi0[x], hi0[T] - (sumLo - lo0[x]));
      if (hi - lo < 1) leaks.push({ how: "partition", what: `${k.name(x)} within ${k.name(T)}`, value: n[x] });
    }
  }

  // 3. Propagation over every fact at once, in the order of the facts.
  const lo = lo0.slice();
  const hi = hi0.slice();
  for (let round = 0, changed = true; changed && round < 200; ++round) {
    changed = false;
    const tighten = (x: number, l: number, h: number) => {
      if (l > lo[x]) {
        lo[x] = l;
        changed = true;
      }
      if (h < hi[x]) {
        hi[x] = h;
        changed = true;
      }
    };
    for (let f = 0; f < partTotal.length; ++f) {
      const T = partTotal[f];
      let sumLo = 0;
      let sumHi = 0;
      for (let q = partStart[f]; q < partStart[f + 1]; ++q) {
        sumLo += lo[partSets[q]];
        sumHi += hi[partSets[q]];
      }
      tighten(T, sumLo, sumHi);
      for (let q = partStart[f]; q < partStart[f + 1]; ++q) {
        const x = partSets[q];
        tighten(x, lo[T] - (sumHi - hi[x]), hi[T] - (sumLo - lo[x]));
      }
    }
    for (let f = 0; f < nestSup.length; ++f) {
      const A = nestSup[f];
      const B = nestSub[f];
      tighten(B, 0, hi[A] - nestStrict[f]);
      tighten(A, lo[B] + nestStrict[f], Infinity);
    }
  }
  // Every set with a known count, the answered ones first (each in the order it was first recorded).
  let smallSets = 0;
  const check = (x: number) => {
    if (n[x] < lo[x] || n[x] > hi[x]) unsound.push(`${k.name(x)}: true ${n[x]} outside [${lo[x]}, ${hi[x]}]`);
    if (!small(n[x])) return;
    ++smallSets;
    if (hi[x] - lo[x] < 1) leaks.push({ how: "propagated", what: k.name(x), value: n[x] });
  };
  for (const x of k.answeredSets) check(x);
  for (const x of k.hiddenSets) if (!k.observation(x)) check(x);
  for (let f = 0; f < nestSup.length; ++f) {
    const A = nestSup[f];
    const B = nestSub[f];
    if (!known[A] || !known[B] || !small(n[A] - n[B])) continue;
    const l = Math.max(nestStrict[f], lo[A] - hi[B]);
    const h = hi[A] - lo[B];
    if (h - l < 1) leaks.push({ how: "propagated", what: `${k.name(A)} minus ${k.name(B)}`, value: n[A] - n[B] });
  }
  return {
    answers: k.answers.size,
    nestedPairs,
    smallDifferences,
    partitions: k.partitions,
    smallCells,
    smallSets,
    leaks,
    unsound,
  };
}
