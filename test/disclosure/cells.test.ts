import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { suppressCells, suppressList, suppressTable, suppressTwoWay, type Constraint } from "../../src/disclosure/cells.js";
import { resolvePolicy } from "../../src/disclosure/policy.js";

const policy = resolvePolicy();

/**
 * The rule every constraint must satisfy after suppression, checked independently of the implementation: with the
 * total published, the hidden members (and a remainder the list leaves out) are none, or sum to min_cell or more
 * and are at least two unless the one is a remainder of min_cell or more; with the total hidden, it is not the
 * sum of published members alone.
 */
function holds(cells: readonly number[], c: Constraint, hidden: readonly boolean[], minCell: number): boolean {
  const members = c.members.filter((i) => hidden[i]);
  const sum = members.reduce((a, i) => a + cells[i], 0);
  const rem = c.remainder ?? 0;
  if (typeof c.total === "number" && hidden[c.total]) return members.length > 0 || rem > 0 || c.members.every((i) => cells[i] === 0);
  if (!members.length) return rem === 0 || rem >= minCell;
  if (rem > 0) return sum + rem >= minCell;
  return members.length >= 2 && sum >= minCell;
}

describe("suppressTable", () => {
  it("hides small cells and the smallest published cell with them when they alone could be recovered", () => {
    expect(suppressTable([50, 3, 40], policy)).toEqual({ cells: [false, true, true], total: false });
    // Two small cells sum to 7 < 10: one more (the smallest published, 40) joins them.
    expect(suppressTable([50, 3, 4, 40], policy)).toEqual({ cells: [false, true, true, true], total: false });
    // Two small cells that together reach min_cell are enough.
    expect(suppressTable([50, 6, 5, 40], policy)).toEqual({ cells: [false, true, true, false], total: false });
    expect(suppressTable([50, 30, 0], policy)).toEqual({ cells: [false, false, false], total: false });
  });

  it("zero is not small, and a zero is the last complement chosen", () => {
    expect(suppressTable([0, 5, 30, 20], policy).cells).toEqual([false, true, false, true]);
  });

  it("a small total is hidden, and then a cell too (a hidden total must not be the sum of published cells)", () => {
    expect(suppressTable([4, 3], policy)).toEqual({ cells: [true, true], total: true });
    expect(suppressTable([0, 7], policy)).toEqual({ cells: [false, true], total: true });
  });

  it("with min_cell 0 nothing is hidden", () => {
    expect(suppressTable([1, 2], resolvePolicy({ min_cell: 0 }))).toEqual({ cells: [false, false], total: false });
  });
});

describe("suppressList", () => {
  it("hides listed cells, smallest first, while the rows the list leaves out are a small remainder", () => {
    // 155 - 150 = 5 rows not listed: derivable and small, so 50 joins them (5 + 50 >= 10).
    expect(suppressList([100, 50], 155, policy)).toEqual([false, true]);
    // 3 hidden with a remainder of 7: together 10, enough.
    expect(suppressList([100, 50, 3], 160, policy)).toEqual([false, false, true]);
    // 3 hidden with a remainder of 2: together 5, so 50 joins them.
    expect(suppressList([100, 50, 3], 155, policy)).toEqual([false, true, true]);
    // A remainder of min_cell or more may stand alone.
    expect(suppressList([100, 50], 170, policy)).toEqual([false, false]);
  });
});

describe("suppressTwoWay", () => {
  it("suppresses along rows, columns and margins until stable", () => {
    const X = [
      [20, 3, 30],
      [25, 40, 35],
      [15, 12, 50],
    ];
    const s = suppressTwoWay(X, policy);
    // 3 is small; its row needs a partner (20), its column too (12); then 20's column needs one more (15), and
    // so on until every row and column with a hidden cell has two hidden cells summing to 10 or more.
    expect(s.cells[0][1]).toBe(true);
    const hiddenIn = (cells: boolean[]) => cells.filter(Boolean).length;
    for (const row of s.cells) expect([0, 2, 3]).toContain(hiddenIn(row));
    for (let j = 0; j < 3; ++j) expect([0, 2, 3]).toContain(hiddenIn(s.cells.map((r) => r[j])));
    expect(s.rows).toEqual([false, false, false]);
    expect(s.total).toBe(false);
  });

  it("a row with a small total hides the total and every non-zero cell of it", () => {
    const s = suppressTwoWay(
      [
        [5, 0, 2],
        [40, 30, 50],
        [30, 45, 20],
      ],
      policy,
    );
    expect(s.rows[0]).toBe(true);
    expect(s.cells[0]).toEqual([true, false, true]);
    // The row total is hidden, so the row margin needs a second hidden total (the smallest, 95).
    expect(s.rows.filter(Boolean).length).toBeGreaterThanOrEqual(2);
  });

  it("every constraint holds on random tables (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }).chain((m) =>
          fc.integer({ min: 1, max: 5 }).chain((k) =>
            fc.array(
              fc.array(fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 200 })), { minLength: k, maxLength: k }),
              {
                minLength: m,
                maxLength: m,
              },
            ),
          ),
        ),
        (X) => {
          const m = X.length;
          const k = X[0].length;
          const s = suppressTwoWay(X, policy);
          const R = X.map((r) => r.reduce((a, b) => a + b, 0));
          const C = Array.from({ length: k }, (_, j) => X.reduce((a, r) => a + r[j], 0));
          const cells = [...X.flat(), ...R, ...C, R.reduce((a, b) => a + b, 0)];
          const hidden = [...s.cells.flat(), ...s.rows, ...s.cols, s.total];
          const at = (i: number, j: number) => i * k + j;
          const constraints: Constraint[] = [
            ...X.map((_, i) => ({ total: m * k + i, members: Array.from({ length: k }, (_, j) => at(i, j)) })),
            ...Array.from({ length: k }, (_, j) => ({ total: m * k + m + j, members: X.map((_, i) => at(i, j)) })),
            { total: m * k + m + k, members: X.map((_, i) => m * k + i) },
            { total: m * k + m + k, members: Array.from({ length: k }, (_, j) => m * k + m + j) },
          ];
          for (const c of constraints) expect(holds(cells, c, hidden, 10)).toBe(true);
          // Small cells are always hidden.
          cells.forEach((n, i) => {
            if (n > 0 && n < 10) expect(hidden[i]).toBe(true);
          });
        },
      ),
      { numRuns: 400, seed: 20261201 },
    );
  });

  it("suppressCells keeps given primary flags and refuses ragged tables", () => {
    expect(suppressCells([30, 40, 70], [{ total: 2, members: [0, 1] }], policy, [true, false, false])).toEqual([true, true, false]);
    expect(() => suppressTwoWay([[1, 2], [3]], policy)).toThrow(/ragged/);
  });
});
