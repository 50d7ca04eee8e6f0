import { isSmall, type DisclosurePolicy } from "./policy.js";

/**
 * Primary and complementary (secondary) suppression of published count tables, as pure functions over counts.
 *
 * Primary: a small count (0 < n < min_cell) is hidden. Complementary: a hidden count must not be recoverable from
 * a published total. Each linear constraint `total = sum of members` is checked on its own: the hidden members
 * (with the total when it is hidden too) must be none, or at least two whose sum is at least min_cell; otherwise
 * the smallest published non-zero member is hidden as well, and every constraint is checked again until none
 * changes (Hundepool et al., Statistical Disclosure Control, Wiley 2012, ch. 4.3, the "singleton" and "sum below
 * threshold" problems). Bounds from linear programming over several constraints can still narrow a hidden cell to
 * an interval, never to one value when each constraint holds two hidden cells; docs/disclosure.md says so.
 */

/** One linear constraint of a table: `cells[total] = sum of cells[members]` (plus the unlisted remainder). */
export interface Constraint {
  /** Index of the total among the cells, or a published number that is not a cell. */
  total: number | { value: number };
  members: readonly number[];
  /**
   * Rows the published members leave out (a list of levels with at least some count): total minus the members.
   * It is derivable while every member is published, so a small remainder counts as a hidden cell; a remainder of
   * min_cell or more may stand alone.
   */
  remainder?: number;
}

/**
 * Hides small cells and then complementary cells until every constraint holds. Returns one flag per cell: true when
 * it must not be published.
 * @param cells counts (totals that are themselves published are cells too)
 * @param constraints the sums the published cells take part in
 * @param primary cells hidden from the start (default: the small ones)
 */
export function suppressCells(
  cells: readonly number[],
  constraints: readonly Constraint[],
  policy: Pick<DisclosurePolicy, "min_cell">,
  primary?: readonly boolean[],
): boolean[] {
  const hidden = primary ? [...primary] : cells.map((n) => isSmall(n, policy));
  if (policy.min_cell <= 0) return hidden;
  for (let changed = true; changed;) {
    changed = false;
    for (const c of constraints) if (fixConstraint(cells, c, hidden, policy.min_cell)) changed = true;
  }
  return hidden;
}

/** Hides members of one constraint until it holds; true when anything was hidden. */
function fixConstraint(cells: readonly number[], c: Constraint, hidden: boolean[], minCell: number): boolean {
  let changed = false;
  for (;;) {
    if (!violated(cells, c, hidden, minCell)) return changed;
    const next = nextComplement(cells, c.members, hidden);
    if (next < 0) {
      // Every member is hidden: only the total is left to hide.
      if (typeof c.total === "number" && !hidden[c.total]) {
        hidden[c.total] = true;
        return true;
      }
      return changed;
    }
    hidden[next] = true;
    changed = true;
  }
}

function violated(cells: readonly number[], c: Constraint, hidden: boolean[], minCell: number): boolean {
  const totalHidden = typeof c.total === "number" && hidden[c.total];
  const remainder = c.remainder ?? 0;
  let count = 0;
  let sum = 0;
  let anyPublished = false;
  for (const i of c.members) {
    if (hidden[i]) {
      ++count;
      sum += cells[i];
    } else if (cells[i] > 0) anyPublished = true;
  }
  if (totalHidden) {
    // A hidden total is derivable when every member is published (and the remainder too).
    return count === 0 && anyPublished && remainder === 0;
  }
  if (remainder > 0) {
    if (count === 0) return remainder < minCell;
    return sum + remainder < minCell;
  }
  if (count === 0) return false;
  return count < 2 || sum < minCell;
}

/** The smallest published member, non-zero ones first (a hidden zero adds no uncertainty to a sum); -1 if none. */
function nextComplement(cells: readonly number[], members: readonly number[], hidden: boolean[]): number {
  let best = -1;
  for (const i of members) {
    if (hidden[i]) continue;
    if (best < 0) {
      best = i;
      continue;
    }
    const a = cells[i];
    const b = cells[best];
    const better = a > 0 && b === 0 ? true : a === 0 && b > 0 ? false : a < b;
    if (better) best = i;
  }
  return best;
}

/** Which cells of a one-way table are hidden, and whether its total is. */
export interface TableSuppression {
  cells: boolean[];
  total: boolean;
}

/**
 * A one-way table whose cells sum to a published total (a findings block, a cluster's values with its size, a
 * confusion-matrix row with its margin): small cells hidden, then complementary ones.
 * @param counts the cells
 * @param total their total (default: the sum of counts); hidden itself when small
 */
export function suppressTable(counts: readonly number[], policy: Pick<DisclosurePolicy, "min_cell">, total?: number): TableSuppression {
  const t = total ?? counts.reduce((a, b) => a + b, 0);
  const cells = [...counts, t];
  const members = counts.map((_, i) => i);
  const remainder = t - counts.reduce((a, b) => a + b, 0);
  const hidden = suppressCells(cells, [{ total: counts.length, members, ...(remainder > 0 ? { remainder } : {}) }], policy);
  return { cells: hidden.slice(0, counts.length), total: hidden[counts.length] };
}

/**
 * A list that leaves rows out (findings list only levels with at least `min_count` rows): the remainder `total`
 * minus the listed counts is itself derivable, so when it is small the listed cells are hidden, smallest first,
 * until the remainder plus the hidden cells is at least min_cell.
 * @param counts the listed cells
 * @param total the published total of all rows, listed or not
 */
export function suppressList(counts: readonly number[], total: number, policy: Pick<DisclosurePolicy, "min_cell">): boolean[] {
  return suppressTable(counts, policy, total).cells;
}

/** Which cells, row totals, column totals and grand total of a two-way table are hidden. */
export interface TwoWaySuppression {
  cells: boolean[][];
  rows: boolean[];
  cols: boolean[];
  total: boolean;
}

/**
 * A two-way table (cluster × value, area × cluster) with its row totals, column totals and grand total, all
 * published: small cells hidden, then complementary ones along rows, columns and both margins until stable.
 * @param X cells, X[i][j] (rows may not be ragged)
 * @param options row and column totals when they exceed the cells' sums (rows left out of the table)
 */
export function suppressTwoWay(
  X: readonly (readonly number[])[],
  policy: Pick<DisclosurePolicy, "min_cell">,
  options: { rowTotals?: readonly number[]; colTotals?: readonly number[] } = {},
): TwoWaySuppression {
  const m = X.length;
  const k = m ? X[0].length : 0;
  for (const row of X) if (row.length !== k) throw new Error(`suppressTwoWay: ragged table (row of ${row.length}, expected ${k})`);
  const rowSums = X.map((r) => r.reduce((a, b) => a + b, 0));
  const colSums = Array.from({ length: k }, (_, j) => X.reduce((a, r) => a + r[j], 0));
  const R = options.rowTotals ?? rowSums;
  const C = options.colTotals ?? colSums;
  const grand = R.reduce((a, b) => a + b, 0);
  const cell = (i: number, j: number) => i * k + j;
  const rowAt = (i: number) => m * k + i;
  const colAt = (j: number) => m * k + m + j;
  const grandAt = m * k + m + k;
  const cells = [...X.flat(), ...R, ...C, grand];
  const constraints: Constraint[] = [];
  for (let i = 0; i < m; ++i) {
    const remainder = R[i] - rowSums[i];
    constraints.push({
      total: rowAt(i),
      members: Array.from({ length: k }, (_, j) => cell(i, j)),
      ...(remainder > 0 ? { remainder } : {}),
    });
  }
  for (let j = 0; j < k; ++j) {
    const remainder = C[j] - colSums[j];
    constraints.push({
      total: colAt(j),
      members: Array.from({ length: m }, (_, i) => cell(i, j)),
      ...(remainder > 0 ? { remainder } : {}),
    });
  }
  constraints.push({ total: grandAt, members: Array.from({ length: m }, (_, i) => rowAt(i)) });
  constraints.push({ total: grandAt, members: Array.from({ length: k }, (_, j) => colAt(j)) });
  const hidden = suppressCells(cells, constraints, policy);
  return {
    cells: Array.from({ length: m }, (_, i) => hidden.slice(i * k, i * k + k)),
    rows: hidden.slice(m * k, m * k + m),
    cols: hidden.slice(m * k + m, m * k + m + k),
    total: hidden[grandAt],
  };
}

/**
 * A count as published: the count, or null when hidden.
 * @param n the count
 * @param hidden whether suppression hides it
 */
export function publishedCount(n: number, hidden: boolean): number | null {
  return hidden ? null : n;
}
