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
import { describe as describeSet, Knowledge, type Description } from "./attacker.js";
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

interface Row {
  values: FilterValue[];
  target: boolean;
  scoreBin: number | null;
  /** The row's `_score` (null when unscored) and `_row`, for the calibration bins and the top-N% ranking. */
  score: number | null;
  row: number;
  hash: number;
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

  // The truth: every row's dimension values as the server computes them.
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
  const rows: Row[] = raw.map((r) => ({
    values: exprs.map((_, i) => (r[`d${i}`] === null ? null : rangeIndex.has(i) ? Number(r[`d${i}`]) : (r[`d${i}`] as FilterValue))),
    target: r.y === true,
    scoreBin: r.b === null ? null : Number(r.b),
    score: r.s === null ? null : Number(r.s),
    row: Number(r.r),
    hash: rowHash(Number(r.r)),
  }));

  const k = new Knowledge();
  // Every description used, by its text, for the nested facts at the end.
  const described = new Map<string, Description>();
  const key = (d: Description): string => {
    const text = describeSet(d);
    described.set(text, d);
    return text;
  };
  const bad: string[] = [];
  const badRates: string[] = [];
  const m = policy.min_cell;
  const floor = m + 1;
  const perturbed = policy.dashboard.perturb && m > 0;
  let queries = 0;
  let tableCells = 0;

  const select = (d: Description): Row[] => {
    // One test per filter, with its ranges read once (not once per row).
    const tests = Object.entries(d).map(([dim, values]) => {
      const i = index.get(dim) ?? -1;
      if (!rangeIndex.has(i)) return (r: Row) => values.some((v) => matches(r.values[i], v));
      const ranges = values.map((v) => (v === null ? null : parseRange(String(v))));
      return (r: Row) => ranges.some((range, j) => (range === null ? matches(r.values[i], values[j]) : inRange(r.values[i], range)));
    });
    return rows.filter((r) => tests.every((t) => t(r)));
  };
  const groups = (subset: Row[], by: (r: Row) => unknown): Map<string, Group> => {
    const out = new Map<string, Group>();
    for (const r of subset) {
      const g = vkey(by(r));
      let acc = out.get(g);
      if (!acc) out.set(g, (acc = { n: 0, sum: 0, pos: 0, posSum: 0 }));
      ++acc.n;
      acc.sum = (acc.sum + r.hash) >>> 0;
      if (r.target) {
        ++acc.pos;
        acc.posSum = (acc.posSum + r.hash) >>> 0;
      }
    }
    return out;
  };
  const none: Group = { n: 0, sum: 0, pos: 0, posSum: 0 };
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
    record(baseDesc, groups(subset, () => null).get(vkey(null)) ?? none, total);
    for (const d of dims) {
      if (Object.hasOwn(base, d.key)) continue;
      const i = index.get(d.key) ?? -1;
      // Split by cluster only when the base does not filter the cluster itself (the cells would be other sets).
      const splitBy = clusterKey !== undefined && d.key !== clusterKey && !Object.hasOwn(base, clusterKey) ? clusterKey : undefined;
      const byCluster = splitBy !== undefined;
      const answer = await post<{ rows: QueryRow[] }>("query", { filters: base, group_by: d.key, by_cluster: byCluster });
      const truth = groups(subset, (r) => r.values[i]);
      const parts: string[] = [];
      for (const row of answer.rows) {
        const cellDesc = key({ ...base, [d.key]: [row.key] });
        parts.push(cellDesc);
        const g = truth.get(vkey(row.key)) ?? none;
        record(cellDesc, g, row);
        if (splitBy !== undefined && row.clusters) {
          const ci = index.get(splitBy) ?? -1;
          const cellRows = subset.filter((r) => matches(r.values[i], row.key));
          const byC = groups(cellRows, (r) => r.values[ci]);
          const clusterParts: string[] = [];
          for (const [c, count] of Object.entries(row.clusters)) {
            const cd = key({ ...base, [d.key]: [row.key], [splitBy]: [Number(c)] });
            clusterParts.push(cd);
            const cg = byC.get(vkey(Number(c))) ?? none;
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
      const truth = groups(subset, (r) => r.scoreBin);
      const scored = `${baseDesc}|scored`;
      k.unknown(scored, subset.filter((r) => r.scoreBin !== null).length);
      k.subset(baseDesc, scored);
      const parts: string[] = [];
      answer.bins.forEach((bin, b) => {
        const g = truth.get(vkey(b)) ?? none;
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
  const attackRisk = async (base: Description, subset: Row[], baseDesc: string) => {
    const scored = `${baseDesc}|scored`;
    const scoredRows = subset.filter((r) => r.score !== null);
    k.unknown(scored, scoredRows.length);
    k.subset(baseDesc, scored);
    const cal = await post<CalibrationResponse>("calibration", { filters: base });
    const starts = cal.bins.map((b) => b.start);
    const binOf = (x: number) => starts.filter((e, i) => i > 0 && x >= e).length;
    const truth = groups(scoredRows, (r) => binOf(r.score ?? 0));
    const parts: string[] = [];
    cal.bins.forEach((bin, i) => {
      const bd = `${baseDesc}|cal=${i}`;
      parts.push(bd);
      record(bd, truth.get(vkey(i)) ?? none, bin);
      k.subset(`${baseDesc}|pos`, `${bd}|pos`);
    });
    k.partition(scored, parts);
    record(scored, groups(scoredRows, () => null).get(vkey(null)) ?? none, cal.total);
    const flag = await post<FlaggingResponse>("flagging", { filters: base });
    const ranked = [...scoredRows].sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.row - b.row);
    let previous: string | undefined;
    for (const p of flag.points) {
      const top = ranked.slice(0, Math.ceil((p.percent * ranked.length) / 100));
      const fd = `${baseDesc}|top=${p.percent}`;
      const g = groups(top, () => null).get(vkey(null)) ?? none;
      record(fd, g, { count: p.flagged, positives: p.positives, rate: null });
      for (const [share, part, rest] of [
        [p.precision, g.pos, g.n - g.pos],
        [p.percent === 100 ? null : p.captured, g.pos, scoredRows.filter((r) => r.target).length - g.pos],
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
  const attackTable = async (base: Description, subset: Row[], baseDesc: string) => {
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
    const [ia, ib] = [index.get(a.key) ?? -1, index.get(b.key) ?? -1];
    const truth = groups(subset, (r) => [r.values[ia], r.values[ib]]);
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
      const inLine = subset.filter((r) => matches(r.values[i], value));
      k.unknown(td, inLine.length);
      k.subset(baseDesc, td);
      k.partition(td, cells);
      if (target) {
        k.unknown(`${td}|pos`, inLine.filter((r) => r.target).length);
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
    record(desc, groups(select(d), () => null).get(vkey(null)) ?? none, row);
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
          const range = value === null ? null : parseRange(value);
          const cell: Description = { ...base, [dim]: [value] };
          const desc = key(cell);
          parts.push(desc);
          const g =
            groups(
              subset.filter((row) => (range === null ? row.values[dims.length + j] === null : inRange(row.values[dims.length + j], range))),
              () => null,
            ).get(vkey(null)) ?? none;
          record(desc, g, bin);
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
          const i = index.get(d.key) ?? -1;
          const answer = await post<{ rows: QueryRow[] }>("query", { filters: filtersOf(ab), ranges: rangesOf(ab), group_by: d.key });
          const truth = groups(select(ab), (row) => row.values[i]);
          const parts = answer.rows.map((row) => {
            const desc = key({ ...ab, [d.key]: [row.key] });
            record(desc, truth.get(vkey(row.key)) ?? none, row);
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
    const g = groups(select(d), () => null).get(vkey(null)) ?? none;
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

  // Nested facts: every answered set is a subset of the set without one of its filters.
  for (const [desc, d] of described) {
    if (!k.answers.has(desc)) continue;
    for (const dim of Object.keys(d)) {
      const p = describeSet(Object.fromEntries(Object.entries(d).filter(([other]) => other !== dim)));
      if (!k.answers.has(p)) continue;
      k.subset(p, desc);
      if (target) k.subset(`${p}|pos`, `${desc}|pos`);
    }
    if (target) k.subset(desc, `${desc}|pos`);
  }
  for (const d of multi) {
    const [dim] = Object.keys(d);
    for (const v of d[dim]) k.subset(describeSet(d), describeSet({ [dim]: [v] }));
  }
  return { knowledge: k, queries, badCounts: bad, badRates, tableCells };
}
