import type { Db } from "../../src/data/Db.js";
import type { DisclosurePolicy } from "../../src/disclosure/policy.js";
import type {
  CalibrationResponse,
  DimensionView,
  DistributionResponse,
  FlaggingResponse,
  TableResponse,
  FilterValue,
  HistogramBin,
  QueryRow,
  RangeView,
  RunSummary,
} from "../../src/server/api-types.js";
import { binExpr, formatDay, parseDay } from "../../src/server/ranges.js";
import { dimensionExpr } from "../../src/server/sql.js";
import { MAX_TABLE_ROWS } from "../../src/server/start-server.js";
import { createRng } from "../../src/util/random.js";
import { describeFilter, Knowledge, type Description } from "./attacker.js";
import { servedRows } from "./truth.js";

/**
 * Plays the attacker against one served run: issues many queries (totals, every group-by under many filter
 * combinations, filters with and without each value, two-value filters, score histograms) and records what the
 * API answered beside the truth, which it computes from the run's prepared.parquet. See attacker.ts for what the
 * attacker infers and how leaks are found.
 */

/** How many queries to issue. */
export interface AttackPlan {
  seed: number;
  /** One-value filters per dimension (all values when the dimension has no more). */
  valuesPerDimension: number;
  /** Random filters on two dimensions, and on three. */
  pairs: number;
  triples: number;
  /** Two-value filters (a value and the next one) per dimension. */
  twoValue: number;
  /** Requests in flight at once. */
  concurrency: number;
  /**
   * Brushed ranges per range column (numeric histogram or timeline): random edges a < b < c, each answered as
   * [a, b), [b, c) and [a, c) (the differencing a brush allows), alone and under a one-value filter, with one
   * dimension grouped under [a, b). Default 0.
   */
  ranges?: number;
}

/** What one attack produced, beside the knowledge it gathered. */
export interface AttackOutcome {
  knowledge: Knowledge;
  queries: number;
  /** Shown counts below min_cell, or not even / below the smallest shown count when perturbed. */
  badCounts: string[];
  /** Rates or shares shown although the true positives or negatives (or the value and the rest) are small. */
  badRates: string[];
  /** Cells of drill-down tables answered. */
  tableCells: number;
}

/**
 * One column of the truth (a dimension, or a range column's cells by number): each row's value as a code, one code
 * per value as `vkey` tells values apart. Record sets are ascending lists of row numbers (indices into the truth).
 */
interface Column {
  /** The values, by code. */
  values: FilterValue[];
  /** Each row's code. */
  codes: Int32Array;
  /** The code of each value, by its vkey. */
  codeOf: Map<string, number>;
  /** True for a range column, whose filter values are ranges "lo..hi" of cells. */
  range: boolean;
  /** The rows each filter value matches, found on first use (by `wantKey`). */
  matching: Map<string, Uint32Array>;
}

/** A column of `values` (each row's). */
function columnOf(values: FilterValue[], range: boolean): Column {
  const codeOf = new Map<string, number>();
  const distinct: FilterValue[] = [];
  const codes = Int32Array.from(values, (v) => {
    const key = vkey(v);
    let code = codeOf.get(key);
    if (code === undefined) {
      codeOf.set(key, (code = distinct.length));
      distinct.push(v);
    }
    return code;
  });
  return { values: distinct, codes, codeOf, range, matching: new Map() };
}

/** The key a filter value's matching rows are kept under: values that `matches` tests alike share one. */
const wantKey = (want: FilterValue): string => (want === null ? "null" : `${typeof want}:${String(want)}`);

/** The rows whose code is marked in `hit`, ascending. */
function rowsWhere(codes: Int32Array, hit: Uint8Array): Uint32Array {
  let size = 0;
  for (const c of codes) size += hit[c];
  const out = new Uint32Array(size);
  let j = 0;
  codes.forEach((c, x) => {
    if (hit[c]) out[j++] = x;
  });
  return out;
}

/** The rows in both ascending lists: each row of the shorter one searched for in the longer (galloping). */
function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (a.length > b.length) [a, b] = [b, a];
  const out = new Uint32Array(a.length);
  let size = 0;
  let lo = 0;
  for (const x of a) {
    // Every row of b before lo is below x: widen [lo, hi] until b[hi] is at least x, then bisect it.
    let hi = lo;
    for (let step = 1; hi < b.length && b[hi] < x; step *= 2) {
      lo = hi + 1;
      hi += step;
    }
    hi = Math.min(hi, b.length);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo === b.length) break;
    if (b[lo] === x) out[size++] = x;
  }
  return out.slice(0, size);
}

/** The rows in either ascending list, ascending, each once. */
function union(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (!a.length) return b;
  if (!b.length) return a;
  const out = new Uint32Array(a.length + b.length);
  let [i, j, size] = [0, 0, 0];
  while (i < a.length || j < b.length) {
    const x = j === b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    out[size++] = x;
    if (i < a.length && a[i] === x) ++i;
    if (j < b.length && b[j] === x) ++j;
  }
  return out.slice(0, size);
}

/** One filter of a description (a dimension and its values), numbered. */
interface Part {
  id: number;
  dim: string;
  /** Its text in the description's (describeFilter's). */
  text: string;
  /** A 30-bit mix of the number: a description is found by the sum of its filters' mixes. */
  mix: number;
}

/** A description the attacker used. */
interface Described {
  text: string;
  /** Its number in the attacker's knowledge. */
  id: number;
  /** The latest description of that text (its keys' order is the order of its nested facts). */
  d: Description;
  parts: Part[];
  /** The sum of its filters' mixes (30 bits), and the next description with the same sum. */
  hash: number;
  sameHash?: Described;
  /** The number of its positives, once named. */
  pos?: number;
}

const MIX_MASK = 0x3fffffff;

/** True when two descriptions' filters are the same (each filter once in each). */
function sameParts(a: Part[], b: Part[]): boolean {
  return a.length === b.length && a.every((p) => b.includes(p));
}

interface Group {
  n: number;
  sum: number;
  pos: number;
  posSum: number;
}

/** A 32-bit mix of the row number (splitmix-like), for set fingerprints. */
function rowHash(row: number): number {
  let h = Math.imul(row ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function matches(v: FilterValue, want: FilterValue): boolean {
  if (want === null) return v === null;
  if (v === null) return false;
  return typeof want === "number" ? Number(v) === want : String(v) === String(want);
}

const DAY_MS = 86_400_000;

/** A quoted SQL identifier (the test's own, so the truth does not reuse the server's quoting). */
const quoteIdentTest = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The bounds [lo, hi) of a described range "lo..hi". */
function parseRange(range: string): [number, number] {
  const [lo, hi] = range.split("..").map(Number);
  return [lo, hi];
}

/** True when cell value v (a bin index or day number) lies in a described range. */
function inRange(v: FilterValue, [lo, hi]: [number, number]): boolean {
  if (v === null) return false;
  const x = Number(v);
  return x >= lo && x < hi;
}

const vkey = (v: unknown): string => (v === null || v === undefined ? "\u0000" : JSON.stringify(v));

/**
 * Attacks run `run` served at `url` (from results folder `dir`) and returns what it learned.
 * @param bins score histogram bins asked for (risk runs)
 */
/**
 * `fetch` for the attacker's read-only requests, retried once when the connection it reused was reset. The server
 * runs in the test's process, so after a long synchronous analysis its expired keep-alive timer can close an idle
 * socket just as the next request is written on it; a browser retries an idempotent request on a reused connection
 * in that case too. Any other failure, and a second reset, fail the test.
 */
export async function fetchRead(input: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code !== "ECONNRESET" && code !== "EPIPE" && code !== "UND_ERR_SOCKET") throw e;
    return fetch(input, init);
  }
}

export async function attackRun(
  url: string,
  run: RunSummary,
  dir: string,
  db: Db,
  policy: DisclosurePolicy,
  plan: AttackPlan,
  bins = 10,
): Promise<AttackOutcome> {
  const dims: DimensionView[] = [...run.dimensions];
  const areas = run.results.dashboard.areas;
  if (areas && !dims.some((d) => d.key === areas.column))
    dims.push({ key: areas.column, column: areas.column, label: areas.column, kind: "category" });
  const clusterKey = run.cluster_key;
  const target = run.results.dashboard.target;
  const index = new Map(dims.map((d, i) => [d.key, i]));
  // Range columns are attacked as dimensions whose values are cells (numeric bins by index, days as day numbers);
  // a range [lo, hi) of cells is described as the one value "lo..hi" of the pseudo-dimension `range:COLUMN`.
  const rangeViews: RangeView[] = plan.ranges ? run.ranges : [];
  rangeViews.forEach((r, j) => index.set(`range:${r.column}`, dims.length + j));
  const rangeIndex = new Set(rangeViews.map((_, j) => dims.length + j));

  // The truth: every row's dimension values as the server computes them, column by column.
  const exprs = [
    ...dims.map((d, i) => `${dimensionExpr(d)} AS "d${i}"`),
    ...rangeViews.map(
      (r, j) =>
        `${r.kind === "numeric" ? binExpr(r) : `floor(epoch(TRY_CAST(${quoteIdentTest(r.column)} AS TIMESTAMP)) / 86400)::INTEGER`} AS "d${dims.length + j}"`,
    ),
  ];
  // DuckDB's greatest() skips NULL, so unscored rows are kept out explicitly (as the server's histogram does).
  const s = `TRY_CAST("_score" AS DOUBLE)`;
  const score = run.has_score
    ? `CASE WHEN ${s} IS NULL THEN NULL ELSE least(greatest(floor(${s} * ${bins}), 0), ${bins - 1}) END::INTEGER`
    : "NULL";
  const hit = target ? `coalesce(TRY_CAST("${target}" AS DOUBLE) = 1, false)` : "false";
  const rawScore = run.has_score ? `CASE WHEN isfinite(${s}) THEN ${s} END` : "NULL";
  const raw = await db.query(
    `SELECT "_row" AS r, ${exprs.join(", ")}, ${hit} AS y, ${score} AS b, ${rawScore}::DOUBLE AS s FROM ${servedRows(dir)}`,
  );
  const columns: Column[] = exprs.map((_, i) =>
    columnOf(
      raw.map((r) => (r[`d${i}`] === null ? null : rangeIndex.has(i) ? Number(r[`d${i}`]) : (r[`d${i}`] as FilterValue))),
      rangeIndex.has(i),
    ),
  );
  const isTarget = Uint8Array.from(raw, (r) => (r.y === true ? 1 : 0));
  /** The score bin of each row, −1 when unscored. */
  const scoreBin = Int32Array.from(raw, (r) => (r.b === null ? -1 : Number(r.b)));
  /** The `_score` (when `isScored`) and `_row` of each row, for the calibration bins and the top-N% ranking. */
  const isScored = Uint8Array.from(raw, (r) => (r.s === null ? 0 : 1));
  const scores = Float64Array.from(raw, (r) => (r.s === null ? 0 : Number(r.s)));
  const rowNumber = Float64Array.from(raw, (r) => Number(r.r));
  const hash = Uint32Array.from(rowNumber, rowHash);
  const allRows = Uint32Array.from(raw, (_, x) => x);
  const columnIndex = (dim: string): number => {
    const c = index.get(dim);
    if (c === undefined) throw new Error(`no dimension ${dim} in run ${run.id}`);
    return c;
  };

  const k = new Knowledge();
  // Every description used, by its filters: each filter's text is made and numbered once, and each description's
  // text (describe's) once. A description is found by the sum of its filters' mixes (the same sum less a filter's
  // mix finds it without that filter), and told apart from others of the same sum by its filters.
  const partsByText = new Map<string, Part>();
  const oneValueParts = new Map<string, Map<FilterValue, Part>>();
  const partOf = (dim: string, values: FilterValue[]): Part => {
    let byValue: Map<FilterValue, Part> | undefined;
    if (values.length === 1) {
      byValue = oneValueParts.get(dim);
      if (!byValue) oneValueParts.set(dim, (byValue = new Map<FilterValue, Part>()));
      const known = byValue.get(values[0]);
      if (known) return known;
    }
    const text = describeFilter(dim, values);
    let part = partsByText.get(text);
    if (!part) {
      const id = partsByText.size;
      partsByText.set(text, (part = { id, dim, text, mix: rowHash(id) & MIX_MASK }));
    }
    byValue?.set(values[0], part);
    return part;
  };
  const partsOf = (d: Description): Part[] =>
    Object.keys(d)
      .filter((dim) => d[dim].length > 0)
      .map((dim) => partOf(dim, d[dim]));
  /** The text of a description (describe's): its filters' texts, sorted by dimension. */
  const textOf = (ps: Part[]): string =>
    [...ps]
      .sort((a, b) => (a.dim < b.dim ? -1 : a.dim > b.dim ? 1 : 0))
      .map((p) => p.text)
      .join("&");
  /** The descriptions in the order they were first used, and by the sum of their filters' mixes. */
  const described: Described[] = [];
  const byHash = new Map<number, Described>();
  const find = (ps: Part[], hash: number): Described | undefined => {
    let set = byHash.get(hash);
    while (set && !sameParts(set.parts, ps)) set = set.sameHash;
    return set;
  };
  const key = (d: Description): string => {
    const ps = partsOf(d);
    const hash = ps.reduce((h, p) => (h + p.mix) & MIX_MASK, 0);
    let set = find(ps, hash);
    if (!set) {
      const text = textOf(ps);
      set = { text, id: k.id(text), d, parts: ps, hash, sameHash: byHash.get(hash) };
      byHash.set(hash, set);
      described.push(set);
    }
    set.d = d;
    return set.text;
  };
  const bad: string[] = [];
  const badRates: string[] = [];
  const m = policy.min_cell;
  const floor = m + 1;
  const perturbed = policy.dashboard.perturb && m > 0;
  let queries = 0;
  let tableCells = 0;

  /** The rows of column `c` that filter value `want` matches (a range "lo..hi" of cells in a range column). */
  const matching = (c: number, want: FilterValue): Uint32Array => {
    const column = columns[c];
    const wk = wantKey(want);
    let found = column.matching.get(wk);
    if (!found) {
      const range = column.range && want !== null ? parseRange(String(want)) : null;
      const hit = Uint8Array.from(column.values, (v) => ((range ? inRange(v, range) : matches(v, want)) ? 1 : 0));
      column.matching.set(wk, (found = rowsWhere(column.codes, hit)));
    }
    return found;
  };
  /** The rows matching a description: one of the values of each of its filters. */
  const select = (d: Description): Uint32Array => {
    let out: Uint32Array = allRows;
    for (const [dim, values] of Object.entries(d)) {
      const c = columnIndex(dim);
      const rows = values.map((v) => matching(c, v)).reduce(union, new Uint32Array(0));
      out = out === allRows ? rows : intersect(out, rows);
    }
    return out;
  };
  /** The groups of `subset` by `code` (of `size` codes; a row coded −1 is in none). */
  const groups = (subset: ArrayLike<number>, size: number, code: (x: number) => number): Group[] => {
    const out = Array.from({ length: size }, (): Group => ({ n: 0, sum: 0, pos: 0, posSum: 0 }));
    for (let j = 0; j < subset.length; ++j) {
      const x = subset[j];
      const c = code(x);
      if (c < 0) continue;
      const acc = out[c];
      ++acc.n;
      acc.sum = (acc.sum + hash[x]) >>> 0;
      if (isTarget[x]) {
        ++acc.pos;
        acc.posSum = (acc.posSum + hash[x]) >>> 0;
      }
    }
    return out;
  };
  /** All of `subset` as one group. */
  const whole = (subset: ArrayLike<number>): Group => groups(subset, 1, () => 0)[0];
  /** The groups of `subset` by the value of column `c`. */
  const groupsBy = (subset: Uint32Array, c: number): Group[] => {
    const { codes } = columns[c];
    return groups(subset, columns[c].values.length, (x) => codes[x]);
  };
  const none: Group = { n: 0, sum: 0, pos: 0, posSum: 0 };
  /** The group of value `v` among groups of column `c` (none when no row has it). */
  const groupOf = (gs: Group[], c: number, v: FilterValue): Group => {
    const code = columns[c].codeOf.get(vkey(v));
    return code === undefined ? none : gs[code];
  };
  /** Group `i` of groups `gs` (none past the last). */
  const nth = (gs: Group[], i: number): Group => (i < gs.length ? gs[i] : none);
  const positivesIn = (subset: Uint32Array): number => subset.reduce((sum, x) => sum + isTarget[x], 0);
  const checkCount = (what: string, published: number | null | undefined) => {
    if (published === null || published === undefined) return;
    if (published < m) bad.push(`${what}: ${published} < min_cell`);
    if (perturbed && (published % 2 !== 0 || published < floor))
      bad.push(`${what}: ${published} is not an even count of at least ${floor}`);
  };
  /** Records a set (and with a target its positives and negatives) answered as `row`. */
  const record = (desc: string, g: Group, row: Pick<QueryRow, "count" | "positives" | "rate">) => {
    checkCount(desc, row.count);
    k.answer(desc, { published: row.count, n: g.n, fingerprint: `${g.n}:${g.sum}` });
    if (!target) return;
    checkCount(`${desc}|pos`, row.positives);
    k.answer(`${desc}|pos`, { published: row.positives ?? null, n: g.pos, fingerprint: `${g.pos}:${g.posSum}:pos` });
    k.unknown(`${desc}|neg`, g.n - g.pos);
    k.partition(desc, [`${desc}|pos`, `${desc}|neg`]);
    if (row.rate !== null && row.rate !== undefined && (g.pos < m || g.n - g.pos < m)) {
      badRates.push(`${desc}: rate ${row.rate} with ${g.pos} positives of ${g.n}`);
    }
  };

  const post = async <T>(what: string, body: unknown): Promise<T> => {
    ++queries;
    const res = await fetchRead(`${url}api/runs/${encodeURIComponent(run.id)}/${what}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${what} ${JSON.stringify(body)}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  /** Every answer about the records of base filter `base`: its total, and each other dimension grouped. */
  const attackBase = async (base: Description, histogram: boolean, table = false) => {
    const subset = select(base);
    const baseDesc = key(base);
    const total = (await post<{ rows: QueryRow[] }>("query", { filters: base })).rows[0];
    record(baseDesc, whole(subset), total);
    for (const d of dims) {
      if (Object.hasOwn(base, d.key)) continue;
      const i = columnIndex(d.key);
      // Split by cluster only when the base does not filter the cluster itself (the cells would be other sets).
      const splitBy = clusterKey !== undefined && d.key !== clusterKey && !Object.hasOwn(base, clusterKey) ? clusterKey : undefined;
      const byCluster = splitBy !== undefined;
      const answer = await post<{ rows: QueryRow[] }>("query", { filters: base, group_by: d.key, by_cluster: byCluster });
      const truth = groupsBy(subset, i);
      const parts: string[] = [];
      for (const row of answer.rows) {
        const cellDesc = key({ ...base, [d.key]: [row.key] });
        parts.push(cellDesc);
        const g = groupOf(truth, i, row.key);
        record(cellDesc, g, row);
        if (splitBy !== undefined && row.clusters) {
          const ci = columnIndex(splitBy);
          const cellRows = intersect(subset, matching(i, row.key));
          const byC = groupsBy(cellRows, ci);
          const clusterParts: string[] = [];
          for (const [c, count] of Object.entries(row.clusters)) {
            const cd = key({ ...base, [d.key]: [row.key], [splitBy]: [Number(c)] });
            clusterParts.push(cd);
            const cg = groupOf(byC, ci, Number(c));
            record(cd, cg, { count });
            const share = row.cluster_shares?.[c];
            if (share !== null && share !== undefined && (cg.n < m || g.n - cg.n < m)) {
              badRates.push(`${cd}: share ${share} with ${cg.n} of ${g.n}`);
            }
          }
          k.partition(cellDesc, clusterParts);
        }
      }
      k.partition(baseDesc, parts);
      if (target)
        k.partition(
          `${baseDesc}|pos`,
          parts.map((p) => `${p}|pos`),
        );
    }
    if (histogram && run.has_score) {
      const answer = await post<{ bins: HistogramBin[] }>("histogram", { filters: base, bins });
      const truth = groups(subset, bins, (x) => scoreBin[x]);
      const scored = `${baseDesc}|scored`;
      k.unknown(
        scored,
        subset.reduce((sum, x) => sum + (scoreBin[x] >= 0 ? 1 : 0), 0),
      );
      k.subset(baseDesc, scored);
      const parts: string[] = [];
      answer.bins.forEach((bin, b) => {
        const g = nth(truth, b);
        const bd = `${baseDesc}|bin=${b}`;
        parts.push(bd);
        checkCount(bd, bin.count);
        k.answer(bd, { published: bin.count, n: g.n, fingerprint: `${g.n}:${g.sum}` });
        if (target) {
          checkCount(`${bd}|pos`, bin.positives);
          checkCount(`${bd}|neg`, bin.negatives);
          k.answer(`${bd}|pos`, { published: bin.positives ?? null, n: g.pos, fingerprint: `${g.pos}:${g.posSum}:pos` });
          k.answer(`${bd}|neg`, {
            published: bin.negatives ?? null,
            n: g.n - g.pos,
            fingerprint: `${g.n - g.pos}:${(g.sum - g.posSum) >>> 0}:neg`,
          });
          k.partition(bd, [`${bd}|pos`, `${bd}|neg`]);
        }
      });
      k.partition(scored, parts);
    }
    if (histogram && run.has_score && target) await attackRisk(base, subset, baseDesc);
    if (table) await attackTable(base, subset, baseDesc);
  };

  /**
   * The calibration curve (a partition of the scored records into fixed score bins, each with its positives) and
   * the top-N% flagging chart (nested sets of the highest-scored records, each with its positives) of one base.
   */
  const attackRisk = async (base: Description, subset: Uint32Array, baseDesc: string) => {
    const scored = `${baseDesc}|scored`;
    const scoredRows = subset.filter((x) => isScored[x] === 1);
    k.unknown(scored, scoredRows.length);
    k.subset(baseDesc, scored);
    const cal = await post<CalibrationResponse>("calibration", { filters: base });
    const starts = cal.bins.map((b) => b.start);
    /** The calibration bin of score s: how many of the starts after the first it reaches. */
    const binOf = (s: number) => {
      let b = 0;
      for (let i = 1; i < starts.length; ++i) if (s >= starts[i]) ++b;
      return b;
    };
    const truth = groups(scoredRows, starts.length, (x) => binOf(scores[x]));
    const parts: string[] = [];
    cal.bins.forEach((bin, i) => {
      const bd = `${baseDesc}|cal=${i}`;
      parts.push(bd);
      record(bd, nth(truth, i), bin);
      k.subset(`${baseDesc}|pos`, `${bd}|pos`);
    });
    k.partition(scored, parts);
    record(scored, whole(scoredRows), cal.total);
    const flag = await post<FlaggingResponse>("flagging", { filters: base });
    const ranked = Uint32Array.from([...scoredRows].sort((a, b) => scores[b] - scores[a] || rowNumber[a] - rowNumber[b]));
    const positives = positivesIn(scoredRows);
    let previous: string | undefined;
    for (const p of flag.points) {
      const top = ranked.subarray(0, Math.ceil((p.percent * ranked.length) / 100));
      const fd = `${baseDesc}|top=${p.percent}`;
      const g = whole(top);
      record(fd, g, { count: p.flagged, positives: p.positives, rate: null });
      for (const [share, part, rest] of [
        [p.precision, g.pos, g.n - g.pos],
        [p.percent === 100 ? null : p.captured, g.pos, positives - g.pos],
      ] as const)
        if (share !== null && (part < m || rest < m)) badRates.push(`${fd}: share ${share} with ${part} of ${part + rest}`);
      k.subset(scored, fd);
      k.subset(`${baseDesc}|pos`, `${fd}|pos`);
      if (previous) {
        k.subset(fd, previous);
        k.subset(`${fd}|pos`, `${previous}|pos`);
      }
      previous = fd;
    }
  };

  /** The drill-down table of one base grouped by two other dimensions: each cell, and the partitions it implies. */
  const attackTable = async (base: Description, subset: Uint32Array, baseDesc: string) => {
    const free = dims.filter((d) => !Object.hasOwn(base, d.key));
    // Pairs the server answers: at most MAX_TABLE_ROWS combinations (Baltimore's area × neighbourhood is refused).
    const size = (d: DimensionView) => Math.max(1, domains.get(d.key)?.length ?? 0);
    const pairs = free.flatMap((a, i) => free.slice(i + 1).map((b) => [a, b] as const));
    // The larger half of them (most cells, most partitions to difference), so that a run with few small dimensions
    // still has its tables attacked cell by cell.
    const fitting = pairs
      .filter(([a, b]) => size(a) * size(b) <= MAX_TABLE_ROWS)
      .sort((p, q) => size(q[0]) * size(q[1]) - size(p[0]) * size(p[1]));
    if (!fitting.length) return;
    const [a, b] = pick(fitting.slice(0, Math.ceil(fitting.length / 2)));
    const answer = await post<TableResponse>("table", { filters: base, group_by: [a.key, b.key] });
    tableCells += answer.rows.length;
    const [ia, ib] = [columnIndex(a.key), columnIndex(b.key)];
    // The groups by the pair of values: by the pair of codes, then by the pair's vkey (which may join codes).
    const [A, B] = [columns[ia], columns[ib]];
    const byCodes = groups(subset, A.values.length * B.values.length, (x) => A.codes[x] * B.values.length + B.codes[x]);
    const truth = new Map<string, Group>();
    byCodes.forEach((g, code) => {
      if (!g.n) return;
      const pair = vkey([A.values[Math.floor(code / B.values.length)], B.values[code % B.values.length]]);
      const acc = truth.get(pair);
      if (!acc) truth.set(pair, g);
      else {
        acc.n += g.n;
        acc.sum = (acc.sum + g.sum) >>> 0;
        acc.pos += g.pos;
        acc.posSum = (acc.posSum + g.posSum) >>> 0;
      }
    });
    // Each value of either dimension is a row or column of the table: its cells partition base ∧ that value.
    const lines = new Map<string, { i: number; value: FilterValue; cells: string[] }>();
    const all: string[] = [];
    for (const row of answer.rows) {
      const [va, vb] = row.keys;
      const cd = key({ ...base, [a.key]: [va], [b.key]: [vb] });
      all.push(cd);
      record(cd, truth.get(vkey([va, vb])) ?? none, row);
      for (const [d, i, v] of [
        [a, ia, va],
        [b, ib, vb],
      ] as const) {
        const td = key({ ...base, [d.key]: [v] });
        let line = lines.get(td);
        if (!line) lines.set(td, (line = { i, value: v, cells: [] }));
        line.cells.push(cd);
      }
    }
    k.partition(baseDesc, all);
    if (target)
      k.partition(
        `${baseDesc}|pos`,
        all.map((p) => `${p}|pos`),
      );
    for (const [td, { i, value, cells }] of lines) {
      const inLine = intersect(subset, matching(i, value));
      k.unknown(td, inLine.length);
      k.subset(baseDesc, td);
      k.partition(td, cells);
      if (target) {
        k.unknown(`${td}|pos`, positivesIn(inLine));
        k.partition(
          `${td}|pos`,
          cells.map((p) => `${p}|pos`),
        );
      }
    }
  };

  // The bases: no filter, one value of each dimension, two-value filters, and random two- and three-dimension filters.
  const rng = createRng(plan.seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const domains = new Map<string, FilterValue[]>();
  for (const d of dims) {
    const answer = await post<{ rows: QueryRow[] }>("query", { group_by: d.key });
    domains.set(
      d.key,
      answer.rows.map((r) => r.key),
    );
  }
  // The drill-down table (two more dimensions grouped) is asked of the empty base and of a third of the one-value bases.
  const bases: { base: Description; histogram: boolean; table?: boolean }[] = [{ base: {}, histogram: true, table: true }];
  const multi: Description[] = [];
  for (const d of dims) {
    const values = domains.get(d.key) ?? [];
    const chosen = values.length <= plan.valuesPerDimension ? values : Array.from({ length: plan.valuesPerDimension }, () => pick(values));
    for (const v of new Set(chosen)) bases.push({ base: { [d.key]: [v] }, histogram: true, table: rng.int(3) === 0 });
    for (let t = 0; t < plan.twoValue && values.length > 1; ++t) {
      const i = rng.int(values.length - 1);
      multi.push({ [d.key]: [values[i], values[i + 1]] });
    }
  }
  const combos = (size: number, count: number) => {
    for (let t = 0; t < count; ++t) {
      const chosen = new Set<DimensionView>();
      while (chosen.size < Math.min(size, dims.length)) chosen.add(pick(dims));
      const base: Description = {};
      for (const d of chosen) base[d.key] = [pick(domains.get(d.key) ?? [null])];
      bases.push({ base, histogram: false });
    }
  };
  combos(2, plan.pairs);
  combos(3, plan.triples);

  const queue = [...bases];
  const workers = Array.from({ length: plan.concurrency }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await attackBase(next.base, next.histogram, next.table);
  });
  await Promise.all(workers);

  // Brushed ranges: per range column, the distribution (a partition of the base into its bins and the missing rows)
  // and random ranges [a, b), [b, c), [a, c), which a brush allows to difference.
  const filtersOf = (d: Description) => Object.fromEntries(Object.entries(d).filter(([dim]) => !dim.startsWith("range:")));
  const rangesOf = (d: Description) =>
    Object.entries(d)
      .filter(([dim]) => dim.startsWith("range:"))
      .map(([dim, [v]]) => {
        const r = rangeViews[(index.get(dim) ?? 0) - dims.length];
        const [lo, hi] = String(v).split("..").map(Number);
        return r.kind === "numeric"
          ? {
              column: r.column,
              min: Number((r.start + lo * r.width).toPrecision(12)),
              max: Number((r.start + hi * r.width).toPrecision(12)),
            }
          : { column: r.column, min: formatDay(lo * DAY_MS), max: formatDay(hi * DAY_MS) };
      });
  const total = async (d: Description) => {
    const desc = key(d);
    const row = (await post<{ rows: QueryRow[] }>("query", { filters: filtersOf(d), ranges: rangesOf(d) })).rows[0];
    record(desc, whole(select(d)), row);
    return desc;
  };
  for (const [j, r] of rangeViews.entries()) {
    const dim = `range:${r.column}`;
    const cells =
      r.kind === "numeric" ? { lo: 0, hi: r.bins } : { lo: Number(parseDay(r.first)) / DAY_MS, hi: Number(parseDay(r.end)) / DAY_MS };
    const oneValue = dims.filter((d) => d.key !== clusterKey).slice(0, 2);
    const rangeBases: Description[] = [{}, ...oneValue.map((d) => ({ [d.key]: [pick(domains.get(d.key) ?? [null])] }))];
    for (const base of rangeBases) {
      const baseDesc = key(base);
      if (!k.answers.has(baseDesc)) await total(base);
      for (const unit of r.kind === "date" ? (["week", "month"] as const) : ([undefined] as const)) {
        const answer = await post<DistributionResponse>("distribution", { filters: base, column: r.column, ...(unit ? { unit } : {}) });
        const subset = select(base);
        const parts: string[] = [];
        for (const bin of [...answer.bins, { ...answer.missing, start: null, end: null }]) {
          const value =
            bin.start === null
              ? null
              : r.kind === "numeric"
                ? `${Math.round((Number(bin.start) - r.start) / r.width)}..${Math.round((Number(bin.end) - r.start) / r.width)}`
                : `${Number(parseDay(bin.start)) / DAY_MS}..${Number(parseDay(bin.end)) / DAY_MS}`;
          const cell: Description = { ...base, [dim]: [value] };
          const desc = key(cell);
          parts.push(desc);
          record(desc, whole(intersect(subset, matching(dims.length + j, value))), bin);
        }
        k.partition(baseDesc, parts);
        if (target)
          k.partition(
            `${baseDesc}|pos`,
            parts.map((p) => `${p}|pos`),
          );
      }
      for (let t = 0; t < (plan.ranges ?? 0); ++t) {
        const edges = new Set<number>();
        while (edges.size < 3) edges.add(cells.lo + rng.int(cells.hi - cells.lo + 1));
        const [a, b, c] = [...edges].sort((x, y) => x - y);
        const ab: Description = { ...base, [dim]: [`${a}..${b}`] };
        const bc: Description = { ...base, [dim]: [`${b}..${c}`] };
        const ac: Description = { ...base, [dim]: [`${a}..${c}`] };
        const [dab, dbc, dac] = [await total(ab), await total(bc), await total(ac)];
        k.partition(dac, [dab, dbc]);
        k.subset(dac, dab);
        k.subset(dac, dbc);
        if (target) k.partition(`${dac}|pos`, [`${dab}|pos`, `${dbc}|pos`]);
        if (t === 0) {
          const d = pick(dims);
          if (Object.hasOwn(base, d.key)) continue;
          const i = columnIndex(d.key);
          const answer = await post<{ rows: QueryRow[] }>("query", { filters: filtersOf(ab), ranges: rangesOf(ab), group_by: d.key });
          const truth = groupsBy(select(ab), i);
          const parts = answer.rows.map((row) => {
            const desc = key({ ...ab, [d.key]: [row.key] });
            record(desc, groupOf(truth, i, row.key), row);
            return desc;
          });
          k.partition(dab, parts);
        }
      }
    }
  }

  // Two-value filters: the sum of the two one-value sets, and a superset of each.
  for (const d of multi) {
    const [dim] = Object.keys(d);
    const g = whole(select(d));
    const row = (await post<{ rows: QueryRow[] }>("query", { filters: d })).rows[0];
    const desc = key(d);
    record(desc, g, row);
    const parts = d[dim].map((v) => key({ [dim]: [v] }));
    k.partition(desc, parts);
    if (target)
      k.partition(
        `${desc}|pos`,
        parts.map((p) => `${p}|pos`),
      );
  }

  // Nested facts: every answered set is a subset of the set without one of its filters (a set answered has been
  // described, so that one is found among the descriptions).
  const posOf = (set: Described): number => (set.pos ??= k.id(`${set.text}|pos`));
  for (const set of described) {
    if (!k.observation(set.id)) continue;
    for (const dim of Object.keys(set.d)) {
      // Without a filter that has no values: the same description.
      const part = set.d[dim].length ? set.parts.find((p) => p.dim === dim) : undefined;
      const rest = part ? set.parts.filter((p) => p !== part) : set.parts;
      const parent = part ? find(rest, (set.hash - part.mix) & MIX_MASK) : set;
      if (!parent || !k.observation(parent.id)) continue;
      k.subset(parent.id, set.id);
      if (target) k.subset(posOf(parent), posOf(set));
    }
    if (target) k.subset(set.id, posOf(set));
  }
  for (const d of multi) {
    const [dim] = Object.keys(d);
    for (const v of d[dim]) k.subset(textOf(partsOf(d)), textOf(partsOf({ [dim]: [v] })));
  }
  return { knowledge: k, queries, badCounts: bad, badRates, tableCells };
}
