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

/** Canonical text of a description (sorted keys and values), with an optional suffix such as "|pos". */
export function describe(d: Description, suffix = ""): string {
  const parts = Object.keys(d)
    .filter((k) => d[k].length > 0)
    .sort()
    .map((k) => {
      const values = d[k];
      // One value (most descriptions): the same text as the sorted list of one.
      const list =
        values.length === 1
          ? `[${JSON.stringify(JSON.stringify(values[0]))}]`
          : JSON.stringify(values.map((v) => JSON.stringify(v)).sort());
      return `${k}=${list}`;
    });
  return parts.join("&") + suffix;
}

/** One answered set: what the API said, and the truth (for checking only). */
export interface Observation {
  published: number | null;
  n: number;
  /** Fingerprint of the true record set (count and a sum of row hashes). */
  fingerprint: string;
}

/** A set the attacker reasons about without an answer of its own (negatives, scored rows): bounds [0, ∞). */
export interface Hidden {
  n: number;
}

/** What the attacker knows: answers by description, unanswered sets, and the facts linking them. */
export class Knowledge {
  readonly answers = new Map<string, Observation>();
  readonly unknowns = new Map<string, Hidden>();
  readonly partitions: { total: string; parts: string[] }[] = [];
  readonly nested: { sup: string; sub: string }[] = [];
  /** Answers that disagree for the same record set (must stay empty). */
  readonly inconsistent: string[] = [];
  private readonly byFingerprint = new Map<string, { desc: string; published: number | null }>();

  /** Records an answer; the same record set answered twice differently is recorded as inconsistent. */
  answer(desc: string, o: Observation): void {
    const prev = this.answers.get(desc);
    if (prev && prev.published !== o.published) this.inconsistent.push(`${desc}: ${String(prev.published)} then ${String(o.published)}`);
    this.answers.set(desc, o);
    const same = this.byFingerprint.get(o.fingerprint);
    if (same && same.published !== o.published) {
      this.inconsistent.push(
        `${same.desc} and ${desc} are the same ${o.n} records but got ${String(same.published)} and ${String(o.published)}`,
      );
    } else if (!same) this.byFingerprint.set(o.fingerprint, { desc, published: o.published });
  }

  unknown(desc: string, n: number): void {
    this.unknowns.set(desc, { n });
  }

  partition(total: string, parts: string[]): void {
    this.partitions.push({ total, parts });
  }

  subset(sup: string, sub: string): void {
    if (sup !== sub) this.nested.push({ sup, sub });
  }

  trueCount(desc: string): number | undefined {
    return this.answers.get(desc)?.n ?? this.unknowns.get(desc)?.n;
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

interface Bounds {
  lo: number;
  hi: number;
}

/**
 * Runs the three attackers over what `k` holds and returns every small count pinned to one value.
 * @param policy the run's policy (its table is public)
 */
export function analyse(k: Knowledge, policy: DisclosurePolicy): AttackReport {
  const m = policy.min_cell;
  const small = (n: number) => n >= 1 && n < m;
  const initial = new Map<string, Bounds>();
  for (const [desc, o] of k.answers) {
    const c = consistentCounts(o.published, policy);
    initial.set(desc, { lo: c.min, hi: c.max });
  }
  for (const desc of k.unknowns.keys()) if (!initial.has(desc)) initial.set(desc, { lo: 0, hi: Infinity });
  const leaks: Leak[] = [];
  const unsound: string[] = [];
  const strict = (sup: string, sub: string) => {
    const a = k.answers.get(sup);
    const b = k.answers.get(sub);
    return a && b && a.published !== b.published ? 1 : 0;
  };

  // 1. Nested pairs, each from its two answers alone.
  let nestedPairs = 0;
  let smallDifferences = 0;
  for (const { sup, sub } of k.nested) {
    const A = initial.get(sup);
    const B = initial.get(sub);
    const nA = k.trueCount(sup);
    const nB = k.trueCount(sub);
    if (!A || !B || nA === undefined || nB === undefined) continue;
    ++nestedPairs;
    if (!small(nA - nB)) continue;
    ++smallDifferences;
    const lo = Math.max(strict(sup, sub), A.lo - B.hi);
    const hi = A.hi - B.lo;
    if (hi - lo < 1) leaks.push({ how: "nested", what: `${sup} minus ${sub}`, value: nA - nB });
  }

  // 2. Partitions, each cell from its total and the other cells alone.
  let smallCells = 0;
  for (const { total, parts } of k.partitions) {
    const T = initial.get(total);
    if (!T) continue;
    const P = parts.map((p) => initial.get(p) ?? { lo: 0, hi: Infinity });
    const sumLo = P.reduce((a, b) => a + b.lo, 0);
    const sumHi = P.reduce((a, b) => a + b.hi, 0);
    parts.forEach((p, i) => {
      const n = k.trueCount(p);
      if (n === undefined || !small(n)) return;
      ++smallCells;
      const lo = Math.max(P[i].lo, T.lo - (sumHi - P[i].hi));
      const hi = Math.min(P[i].hi, T.hi - (sumLo - P[i].lo));
      if (hi - lo < 1) leaks.push({ how: "partition", what: `${p} within ${total}`, value: n });
    });
  }

  // 3. Propagation over every fact at once, over sets numbered once (the facts as arrays of set numbers), in the
  // order of the facts: the same tightenings as over the descriptions themselves, without a lookup per step.
  const ids = new Map<string, number>();
  const id = (d: string): number => {
    let v = ids.get(d);
    if (v === undefined) ids.set(d, (v = ids.size));
    return v;
  };
  for (const d of initial.keys()) id(d);
  const partTotal = Int32Array.from(k.partitions, (f) => id(f.total));
  const partStart = new Int32Array(k.partitions.length + 1);
  k.partitions.forEach((f, i) => (partStart[i + 1] = partStart[i] + f.parts.length));
  const partSets = Int32Array.from(k.partitions.flatMap((f) => f.parts.map(id)));
  const nestSup = Int32Array.from(k.nested, (f) => id(f.sup));
  const nestSub = Int32Array.from(k.nested, (f) => id(f.sub));
  const nestStrict = Int8Array.from(k.nested, (f) => strict(f.sup, f.sub));
  const lo = new Float64Array(ids.size);
  const hi = new Float64Array(ids.size).fill(Infinity);
  for (const [d, v] of initial) {
    const x = id(d);
    lo[x] = v.lo;
    hi[x] = v.hi;
  }
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
  let smallSets = 0;
  for (const [desc, x] of ids) {
    const n = k.trueCount(desc);
    if (n === undefined) continue;
    if (n < lo[x] || n > hi[x]) unsound.push(`${desc}: true ${n} outside [${lo[x]}, ${hi[x]}]`);
    if (!small(n)) continue;
    ++smallSets;
    if (hi[x] - lo[x] < 1) leaks.push({ how: "propagated", what: desc, value: n });
  }
  k.nested.forEach(({ sup, sub }, f) => {
    const nA = k.trueCount(sup);
    const nB = k.trueCount(sub);
    if (nA === undefined || nB === undefined || !small(nA - nB)) return;
    const A = nestSup[f];
    const B = nestSub[f];
    const l = Math.max(nestStrict[f], lo[A] - hi[B]);
    const h = hi[A] - lo[B];
    if (h - l < 1) leaks.push({ how: "propagated", what: `${sup} minus ${sub}`, value: nA - nB });
  });
  return {
    answers: k.answers.size,
    nestedPairs,
    smallDifferences,
    partitions: k.partitions.length,
    smallCells,
    smallSets,
    leaks,
    unsound,
  };
}
