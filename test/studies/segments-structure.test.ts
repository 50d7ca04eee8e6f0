import { describe, expect, it } from "vitest";
import { compressDenseRows } from "../../src/ml/compress-dense-rows.js";
import type { Matrix } from "../../src/ml/matrix.js";
import { structureSchema } from "../../src/results/schema.js";
import { chooseK } from "../../src/studies/segments/choose-k.js";
import { testStructure } from "../../src/studies/segments/structure.js";
import { createRng } from "../../src/util/random.js";

/** n rows of `vars` one-hot variables with 4 levels; with `groups`, each row's levels follow its group with probability 0.9. */
function oneHot(n: number, vars: number, groups: number, seed: number): Matrix {
  const rng = createRng(seed);
  const L = 4;
  const data = new Float64Array(n * vars * L);
  for (let i = 0; i < n; ++i) {
    const g = groups ? rng.int(groups) : -1;
    for (let v = 0; v < vars; ++v) {
      const level = g >= 0 && rng.next() < 0.9 ? (g + v) % L : rng.int(L);
      data[i * vars * L + v * L + level] = 1;
    }
  }
  return { rows: n, cols: vars * L, data };
}

const blocks = (vars: number) => Array.from({ length: vars }, (_, v) => [0, 1, 2, 3].map((l) => v * 4 + l));

function run(X: Matrix, vars: number) {
  const d = compressDenseRows(X);
  return testStructure(d.X, d.weight, {
    ks: [2, 3, 4],
    blocks: blocks(vars),
    reference: "permuted",
    draws: 20,
    nInit: 2,
    maxIter: 100,
    silhouetteSample: 500,
    seed: 5,
  });
}

describe("testStructure(X, w, options)", () => {
  it("finds no structure beyond chance in independent categorical variables, and says so in plain words", () => {
    const s = run(oneHot(400, 5, 0, 1), 5);
    expect(s).not.toBeNull();
    expect(s?.verdict).toBe("no structure beyond chance");
    expect(s?.summary).toMatch(
      /^No structure beyond chance: at k = \d the silhouette is 0\.\d{3}, against 0\.\d{3} ± 0\.\d{3} on 20 draws/,
    );
    expect(structureSchema.safeParse(s).success).toBe(true);
  });

  it("finds clear structure in three well-separated groups, with the gap statistic at k ≥ 2", () => {
    const s = run(oneHot(400, 5, 3, 2), 5);
    expect(s?.verdict).toBe("clear");
    expect(s?.null.gap_k).toBeGreaterThanOrEqual(2);
    const at3 = s?.null.per_k.find((r) => r.k === 3);
    expect(at3?.excess).toBeGreaterThan(0.1);
    expect(at3?.z).toBeGreaterThan(3);
    expect(at3?.null_quantiles[0]).toBeLessThanOrEqual(at3?.null_quantiles[2] ?? -1);
  });

  it("returns null when a reference draw has fewer distinct rows than clusters (tiny data)", () => {
    const X: Matrix = { rows: 6, cols: 1, data: Float64Array.from([0, 0, 0, 0, 1, 1]) };
    const d = compressDenseRows(X);
    const s = testStructure(d.X, d.weight, {
      ks: [2, 3],
      reference: "permuted",
      draws: 5,
      nInit: 1,
      maxIter: 50,
      silhouetteSample: 100,
      seed: 1,
    });
    expect(s).toBeNull();
  });
});

describe("chooseK(rows) with stability", () => {
  const rows = [2, 3, 4, 5, 6].map((k) => ({
    k,
    inertia: [1000, 600, 250, 220, 200][k - 2],
    silhouette: [0.3, 0.35, 0.5, 0.4, 0.38][k - 2],
    calinski_harabasz: [100, 150, 300, 260, 240][k - 2],
    davies_bouldin: [1.2, 1.0, 0.7, 0.8, 0.9][k - 2],
  }));

  it("ranks stability as a fifth criterion among the stable k", () => {
    const c = chooseK(rows.map((r) => ({ ...r, stability: [0.99, 0.9, 0.8, 0.85, 0.8][r.k - 2] })));
    expect(c.k).toBe(4);
    expect(c.eligible).toEqual([2, 3, 4, 5, 6]);
    expect(c.rule).toMatch(/and stability among the k with stability ≥ 0\.75/);
  });

  it("never chooses an unstable k while a stable one exists", () => {
    const c = chooseK(rows.map((r) => ({ ...r, stability: r.k === 4 ? 0.5 : 0.9 })));
    expect(c.k).not.toBe(4);
    expect(c.eligible).toEqual([2, 3, 5, 6]);
  });

  it("ranks every k when none is stable enough, and says so", () => {
    const c = chooseK(rows.map((r) => ({ ...r, stability: 0.4 })));
    expect(c.k).toBe(4);
    expect(c.rule).toMatch(/no k reached stability 0\.75, so all were ranked/);
  });
});
