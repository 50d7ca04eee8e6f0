import { describe, expect, it } from "vitest";
import { RandomState } from "../../src/ml/numpy-random.js";
import { ref } from "./reference.js";

describe("RandomState(seed)", () => {
  for (const c of ref.random_state) {
    it(`reproduces numpy's legacy draws for seed ${c.seed}`, () => {
      const r = new RandomState(c.seed);
      const sample = Array.from({ length: 5 }, () => r.randomSample());
      expect(sample).toEqual(c.random_sample);
      expect(Array.from(r.randint(0, 7, 10))).toEqual(c.randint_7);
      expect(Array.from(r.randint(0, 1000, 5))).toEqual(c.randint_1000);
      expect(Array.from(r.randint(0, 2 ** 40 + 3, 4))).toEqual(c.randint_big);
      expect(Array.from(r.uniform(3))).toEqual(c.uniform);
      expect(Array.from(r.randint(0, 2 ** 32, 3))).toEqual(c.randint_2pow32);
      expect(Array.from(r.permutation(9))).toEqual(c.permutation_9);
      expect(Array.from(r.choice([3, 5, 8, 13], 6, true))).toEqual(c.choice_replace);
      expect(
        Array.from(
          r.choice(
            Int32Array.from({ length: 10 }, (_, i) => i),
            4,
            false,
          ),
        ),
      ).toEqual(c.choice_noreplace);
    });
  }

  it("rejects seeds outside [0, 2^32)", () => {
    expect(() => new RandomState(-1)).toThrow(/invalid seed/);
    expect(() => new RandomState(2 ** 32)).toThrow(/invalid seed/);
  });

  it("randint(low, low + 1) returns low without drawing", () => {
    const a = new RandomState(3);
    const b = new RandomState(3);
    expect(Array.from(a.randint(4, 5, 3))).toEqual([4, 4, 4]);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });
});
