import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import {
  KEY_RANGE,
  cellKey,
  consistentCounts,
  perturbCount,
  perturbation,
  perturbationSupport,
  publishFloor,
  recordKey,
  recordKeySql,
  runSalt,
} from "../../src/disclosure/perturb.js";
import { resolvePolicy, type DisclosurePolicy } from "../../src/disclosure/policy.js";

const policy = resolvePolicy();
const policies: [string, DisclosurePolicy][] = [3, 5, 10, 11, 20].map((m) => [`min_cell ${m}`, resolvePolicy({ min_cell: m })]);

/** Every published count a true count n can get, over all cell keys. */
function outcomes(n: number, p: DisclosurePolicy): Set<number | null> {
  const out = new Set<number | null>();
  for (let k = 0; k < KEY_RANGE; ++k) out.add(perturbCount(n, k, p));
  return out;
}

/** The integers in [lo, hi]. */
const span = (lo: number, hi: number) => Math.max(0, hi - lo + 1);

let db: Db;
beforeAll(async () => {
  db = await Db.open();
});
afterAll(async () => db.close());

describe("record and cell keys", () => {
  it("runSalt(run) is stable and changes with the seed, the name and every input hash", () => {
    const run = { seed: 42, name: "LMPD", inputs: [{ name: "crimes", sha256: "ab" }] };
    expect(runSalt(run)).toBe(runSalt({ ...run, inputs: [...run.inputs] }));
    expect(runSalt(run)).toMatch(/^[0-9a-f]{64}$/);
    const others = [
      runSalt({ ...run, seed: 43 }),
      runSalt({ ...run, name: "LMPD 2" }),
      runSalt({ ...run, inputs: [{ name: "crimes", sha256: "ac" }] }),
    ];
    for (const o of others) expect(o).not.toBe(runSalt(run));
    // The order inputs are listed in does not matter.
    const two = [
      { name: "a", sha256: "1" },
      { name: "b", sha256: "2" },
    ];
    expect(runSalt({ ...run, inputs: two })).toBe(runSalt({ ...run, inputs: [...two].reverse() }));
  });

  it("recordKeySql(salt) computes in DuckDB exactly the key recordKey(salt, row) computes", async () => {
    const salt = runSalt({ seed: 7, name: "x", inputs: [] });
    const rows = await db.query(`SELECT i AS row, ${recordKeySql(salt, "i")} AS k FROM range(0, 2000) t(i)`);
    expect(rows).toHaveLength(2000);
    for (const r of rows) expect(r.k).toBe(recordKey(salt, Number(r.row)));
    // Keys spread over the whole range (a chi-square-free check: every 16th of the range is hit).
    const buckets = new Set(rows.map((r) => Math.floor(Number(r.k) / 16)));
    expect(buckets.size).toBe(16);
    expect(() => recordKeySql("x'; DROP TABLE t; --", "i")).toThrow(/hex/);
  });

  it("cellKey(keys) is the sum mod 256, so the key of a union is the sum of the parts' keys", () => {
    expect(cellKey([])).toBe(0);
    expect(cellKey([200, 100])).toBe(44);
    const a = [13, 250, 7];
    const b = [99, 180];
    expect(cellKey([...a, ...b])).toBe((cellKey(a) + cellKey(b)) % 256);
  });
});

describe("the perturbation table", () => {
  it("with min_cell 10 hides 0..10, shows even counts of at least 12, and moves counts by at most 6", () => {
    expect(publishFloor(policy)).toBe(11);
    for (let n = 0; n <= 10; ++n) expect([...outcomes(n, policy)]).toEqual([null]);
    for (let n = 11; n <= 400; ++n) {
      for (const a of outcomes(n, policy)) {
        expect(a).not.toBeNull();
        const shown = a ?? NaN;
        expect(shown % 2).toBe(0);
        expect(shown).toBeGreaterThanOrEqual(12);
        expect(Math.abs(shown - n)).toBeLessThanOrEqual(6);
      }
    }
  });

  it.each(policies)(
    "%s: p has mean 0 and variance 1.25 (odd n) or 1.375 (even n) away from the floor, and a bias of about 1 at it",
    (_name, p) => {
      const floor = publishFloor(p);
      for (let n = floor; n < floor + 60; ++n) {
        let sum = 0;
        let sq = 0;
        for (let k = 0; k < KEY_RANGE; ++k) {
          const d = perturbation(n, k, p);
          sum += d;
          sq += d * d;
        }
        const mean = sum / KEY_RANGE;
        if (n >= floor + 7) {
          expect(mean).toBe(0);
          expect(sq / KEY_RANGE).toBe(n % 2 === 1 ? 1.25 : 1.375);
        } else {
          // Mirrored below the smallest shown count: biased up, by 268/256 at most (an odd count at the floor).
          expect(mean).toBeGreaterThanOrEqual(0);
          expect(mean).toBeLessThanOrEqual(268 / 256);
        }
        // The wide values are rare: one key each.
        const wide = Array.from({ length: KEY_RANGE }, (_, k) => Math.abs(perturbation(n, k, p))).filter((d) => d > 2).length;
        expect(wide).toBeLessThanOrEqual(4);
      }
    },
  );

  it.each(policies)("%s: consistentCounts(a) is exactly the set of true counts that can be shown as a", (_name, p) => {
    const seen = new Map<number | null, Set<number>>();
    for (let n = 0; n < 300; ++n) for (const a of outcomes(n, p)) seen.set(a, (seen.get(a) ?? new Set()).add(n));
    for (const [a, ns] of seen) {
      if (a !== null && a > 280) continue; // the last few shown counts also come from n >= 300
      const { min, max } = consistentCounts(a, p);
      expect(
        [...ns].sort((x, y) => x - y),
        `published ${String(a)}`,
      ).toEqual(Array.from({ length: max - min + 1 }, (_, i) => min + i));
    }
  });

  it("perturbationSupport(n) lists what the table can add: one way at the floor, both ways above", () => {
    expect(perturbationSupport(11, policy)).toEqual([1, 3, 5]);
    expect(perturbationSupport(12, policy)).toEqual([0, 2, 4, 6]);
    expect(perturbationSupport(13, policy)).toEqual([-1, 1, 3, 5]);
    expect(perturbationSupport(14, policy)).toEqual([-2, 0, 2, 4, 6]);
    expect(perturbationSupport(19, policy)).toEqual([-5, -3, -1, 1, 3, 5]);
    expect(perturbationSupport(20, policy)).toEqual([-6, -4, -2, 0, 2, 4, 6]);
    expect(() => perturbation(10, 0, policy)).toThrow(/below/);
  });

  it("with perturbation off (min_cell 0 or dashboard.perturb false) counts are exact and only small ones hidden", () => {
    const off = resolvePolicy({ dashboard: { perturb: false } });
    expect(perturbCount(0, 5, off)).toBe(0);
    expect(perturbCount(9, 5, off)).toBeNull();
    expect(perturbCount(10, 5, off)).toBe(10);
    expect(perturbCount(1, 5, resolvePolicy({ min_cell: 0 }))).toBe(1);
    expect(consistentCounts(10, off)).toEqual({ min: 10, max: 10 });
    expect(consistentCounts(null, off)).toEqual({ min: 1, max: 9 });
  });
});

describe("no single difference or sum of shown counts pins a hidden count (docs/disclosure.md)", () => {
  it.each(policies)("%s: every nested difference of 1..min_cell-1 records is consistent with two or more values", (_name, p) => {
    // Sets B ⊂ A with |A| - |B| = d: the attacker knows a_A, a_B and the table; A ≠ B is known when a_A ≠ a_B.
    const m = p.min_cell;
    for (let nB = 0; nB < 4 * m + 20; ++nB) {
      for (let d = 1; d < m; ++d) {
        for (const aA of outcomes(nB + d, p)) {
          for (const aB of outcomes(nB, p)) {
            const A = consistentCounts(aA, p);
            const B = consistentCounts(aB, p);
            const lo = Math.max(aA === aB ? 0 : 1, A.min - B.max);
            const hi = A.max - B.min;
            expect(span(lo, hi), `n_B ${nB}, d ${d}, a_A ${String(aA)}, a_B ${String(aB)}`).toBeGreaterThanOrEqual(2);
          }
        }
      }
    }
  });

  it("a plain ±2 table (zero shown, odd counts allowed) would let one difference pin one record", () => {
    // The table without this module's rules: A = B plus one record, shown as 13 (p = -2) while B shows 16 (p = +2).
    const naive = (a: number) => ({ min: Math.max(10, a - 2), max: a + 2 });
    const A = naive(15 - 2);
    const B = naive(14 + 2);
    const lo = Math.max(1, A.min - B.max);
    const hi = A.max - B.min;
    expect([lo, hi]).toEqual([1, 1]);
  });

  it.each(policies)(
    "%s: a small cell of a shown total is consistent with two or more values given the total and the other cells",
    (_name, p) => {
      // Random partitions: a total T of k cells; the attacker knows every cell's answer and T's answer.
      let seed = 12345;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const m = p.min_cell;
      for (let trial = 0; trial < 3000; ++trial) {
        const k = 1 + rand(6);
        const cells = Array.from({ length: k }, () => (rand(3) === 0 ? rand(m) : rand(5 * m)));
        const keys = cells.map(() => rand(256));
        const total = cells.reduce((a, b) => a + b, 0);
        const answers = cells.map((n, i) => perturbCount(n, keys[i], p));
        const T = consistentCounts(perturbCount(total, cellKey(keys), p), p);
        const bounds = answers.map((a) => consistentCounts(a, p));
        for (let i = 0; i < k; ++i) {
          if (cells[i] < 1 || cells[i] >= m) continue;
          let lo = T.min;
          let hi = T.max;
          for (let j = 0; j < k; ++j) {
            if (j === i) continue;
            lo -= bounds[j].max;
            hi -= bounds[j].min;
          }
          const l = Math.max(lo, bounds[i].min);
          const h = Math.min(hi, bounds[i].max);
          expect(h, `cells ${cells.join(",")}, keys ${keys.join(",")}`).toBeGreaterThanOrEqual(l + 1);
        }
      }
    },
  );
});
