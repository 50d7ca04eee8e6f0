import { quoteIdent, type Db, type Row } from "../data/Db.js";
import { KEY_RANGE } from "../disclosure/perturb.js";
import type { DimensionView, FilterValue, Filters, TimeUnit } from "./api-types.js";
import type { Run } from "./load-runs.js";
import { binExpr, type CheckedRange } from "./ranges.js";
import { CALIBRATION_BIN, SCORE_RANK, flaggedCounts } from "./risk-sql.js";
import { dimensionExpr, RECORD_KEY, valueCondition } from "./sql.js";
import { mapInt32, mapUint8 } from "../util/typed-arrays.js";

/**
 * A run's rows as typed columns in memory, built once when the server reads the run: each dimension as codes into its
 * domain, each numeric range column as its bin, the timeline as milliseconds and week and month buckets, the record
 * keys, the target, the score and its rank and calibration bin. A filter change's answers are one pass over these
 * columns each (a few milliseconds on a million rows), where the same answers in SQL scan and hash the run's text
 * columns once per chart.
 *
 * The answers are the SQL answers: every method returns the rows its SQL twin returns (sql.ts, risk-sql.ts,
 * ranges.ts: the same keys and measures, only groups with rows), and answers.ts publishes them through the policy
 * in either case. Which values a filter selects is decided by DuckDB, with the SQL answers' own condition
 * (`valueCondition`) applied to each dimension's distinct values, so that both agree on every type. The one
 * difference is the order in which a group's scores are added (a mean score is rounded to 0.001).
 */

/** Rows of a selection: the indices of the rows that pass the filters and ranges, in order; undefined when every row does. */
export type Selection = Int32Array | undefined;

interface Dimension {
  codes: Int32Array;
  /** The dimension's domain (the run's `domains`): codes index it. */
  domain: readonly FilterValue[];
  /** Table of the dimension's distinct values (`key`) with their rank (`rank`), for the filters' conditions. */
  table: string;
  /** The place in `domain` of each distinct value, by rank. */
  toDomain: readonly number[];
}

interface Timeline {
  ms: Float64Array;
  /** Bucket per row (index into `keys`), per unit. */
  buckets: Record<TimeUnit, { codes: Int32Array; keys: (string | null)[] }>;
}

/** Sums of the measures per group (index group × clusters + cluster). */
interface Sums {
  count: Float64Array;
  rk: Float64Array;
  pos: Float64Array;
  rkPos: Float64Array;
  scoreSum: Float64Array;
  scoreN: Float64Array;
}

/**
 * A grouping of rows: a code per row (negative: the row is left out) and the number of codes. Every code column is an
 * Int32Array, so that the one loop that adds them up ({@link RunIndex.sums}) stays specialised to one array type.
 */
interface Grouping {
  codes: Int32Array;
  size: number;
  key: (code: number) => unknown;
}

const ALLOWED_CACHE = 512;

/**
 * Selections kept, most recent first: one filter change asks for a dozen charts over the same selection, so each
 * selection is made once (at most 4 bytes a row each).
 */
const SELECTION_CACHE = 8;

/** The largest drill-down table (cells of the groups' whole domains) answered from the index; larger ones go to SQL. */
const MAX_INDEX_TABLE = 200_000;

export class RunIndex {
  private readonly allowedCache = new Map<string, Promise<Uint8Array>>();
  private readonly selectionCache = new Map<string, Promise<Selection>>();

  private constructor(
    readonly n: number,
    private readonly dims: ReadonlyMap<string, Dimension>,
    private readonly rk: Uint8Array,
    private readonly hit: Uint8Array | undefined,
    private readonly score: Float64Array | undefined,
    /** Rows with a rank: rows 0..ranked-1, which are in rank order (the flagging chart's order). */
    private readonly ranked: number | undefined,
    private readonly cbin: Int32Array | undefined,
    private readonly bins: ReadonlyMap<string, Int32Array>,
    private readonly timelines: ReadonlyMap<string, Timeline>,
    private readonly query: (sql: string, params: unknown[]) => Promise<Row[]>,
    private readonly shape: { target: boolean; score: boolean },
  ) {}

  /**
   * Reads `run`'s table into typed columns and makes a small table of each dimension's distinct values (and of the
   * timeline's buckets) in `db`; each row's code is its value's rank there, found by a join. Rows are in rank order by
   * score for scored runs (then `_row`), in `_row` order otherwise. `query` runs the filters' conditions later (the
   * server's pool). Undefined for a run whose scores hold NaN (which SQL counts as a value and a typed column cannot
   * tell from a missing score): such a run is answered from SQL.
   */
  static async build(db: Db, run: Run, query: (sql: string, params: unknown[]) => Promise<Row[]>): Promise<RunIndex | undefined> {
    const view = quoteIdent(run.view);
    if (run.hasScore) {
      const [nan] = await db.query(`SELECT count(*) FILTER (WHERE isnan(TRY_CAST("_score" AS DOUBLE)))::INTEGER AS n FROM ${view}`);
      if (Number(nan.n) > 0) return undefined;
    }
    const select: string[] = [`t.${quoteIdent(RECORD_KEY)} AS rk`];
    const joins: string[] = [];
    /** A table of the distinct values of `expr` over the run, ranked; each row gets its value's rank as `name`. */
    const ranked = async (table: string, expr: string, name: string) => {
      await db.exec(
        `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT "key", (row_number() OVER (ORDER BY "key" ASC NULLS LAST) - 1)::INTEGER AS "rank" FROM (SELECT DISTINCT ${expr} AS "key" FROM ${view} t)`,
      );
      const alias = `j${joins.length}`;
      joins.push(`LEFT JOIN ${quoteIdent(table)} ${alias} ON ${alias}."key" IS NOT DISTINCT FROM ${expr}`);
      select.push(`${alias}."rank" AS ${name}`);
    };
    const dimList = [...run.dimensions.values()];
    const tables: string[] = [];
    for (const [i, d] of dimList.entries()) {
      tables.push(`${run.view}_dim_${i}`);
      await ranked(tables[i], dimensionExpr(d, "t"), `d${i}`);
    }
    const scored = run.calibrationEdges !== undefined;
    if (run.target) select.push(`coalesce(TRY_CAST(t.${quoteIdent(run.target)} AS DOUBLE) = 1, false) AS hit`);
    if (run.hasScore) select.push(`TRY_CAST(t."_score" AS DOUBLE) AS score`);
    if (scored) select.push(`t.${quoteIdent(SCORE_RANK)} AS srank`, `t.${quoteIdent(CALIBRATION_BIN)} AS cbin`);
    const rangeList = [...run.ranges.values()];
    const dateUnits: TimeUnit[] = ["week", "month"];
    const bucketTables: Record<string, string> = {};
    for (const [i, r] of rangeList.entries()) {
      if (r.kind === "numeric") select.push(`${binExpr(r, "t")} AS r${i}`);
      else {
        const ts = `TRY_CAST(t.${quoteIdent(r.column)} AS TIMESTAMP)`;
        // Milliseconds rounded down, also before 1970 (epoch_ms rounds toward zero), so that [lo, hi) in
        // milliseconds selects what `ts >= lo AND ts < hi` selects.
        select.push(`epoch_ms(${ts}) - CASE WHEN epoch_us(${ts}) % 1000 < 0 THEN 1 ELSE 0 END AS r${i}`);
        for (const u of dateUnits) {
          bucketTables[`r${i}_${u}`] = `${run.view}_range_${i}_${u}`;
          await ranked(bucketTables[`r${i}_${u}`], `date_trunc('${u}', ${ts})`, `r${i}_${u}`);
        }
      }
    }
    const order = scored ? `t.${quoteIdent(SCORE_RANK)} ASC NULLS LAST, t."_row"` : `t."_row"`;
    const { names, columns } = await db.queryNumbers(`SELECT ${select.join(", ")} FROM ${view} t ${joins.join(" ")} ORDER BY ${order}`);
    const col = (name: string): Float64Array => {
      const j = names.indexOf(name);
      if (j < 0) throw new Error(`run index: no column ${name}`);
      return columns[j];
    };
    const n = col("rk").length;
    const rk = mapUint8(col("rk"), (v) => (Number.isFinite(v) ? v % KEY_RANGE : 0));
    const dims = new Map<string, Dimension>();
    for (const [i, d] of dimList.entries()) {
      const domain = run.domains.get(d.key) ?? [];
      const position = new Map(domain.map((v, j) => [valueKey(v), j]));
      // Ranks of the distinct values to their places in the domain.
      const present = await db.query(`SELECT "key" FROM ${quoteIdent(tables[i])} ORDER BY "rank"`);
      const toDomain = present.map((r) => {
        const j = position.get(valueKey(r.key));
        if (j === undefined) throw new Error(`run index: value ${String(r.key)} of ${d.key} is not in its domain`);
        return j;
      });
      const ranks = col(`d${i}`);
      const codes = new Int32Array(n);
      for (let r = 0; r < n; ++r) codes[r] = toDomain[ranks[r]];
      dims.set(d.key, { codes, domain, table: tables[i], toDomain });
    }
    const hit = run.target ? Uint8Array.from(col("hit")) : undefined;
    const score = run.hasScore ? col("score") : undefined;
    let rankedRows: number | undefined;
    let cbin: Int32Array | undefined;
    if (scored) {
      const srank = col("srank");
      rankedRows = 0;
      while (rankedRows < n && srank[rankedRows] === rankedRows + 1) ++rankedRows;
      for (let r = rankedRows; r < n; ++r) if (!Number.isNaN(srank[r])) throw new Error("run index: ranks are not 1..m in row order");
      cbin = mapInt32(col("cbin"), (v) => (Number.isFinite(v) ? v : -1));
    }
    const bins = new Map<string, Int32Array>();
    const timelines = new Map<string, Timeline>();
    for (const [i, r] of rangeList.entries()) {
      if (r.kind === "numeric") {
        bins.set(
          r.column,
          mapInt32(col(`r${i}`), (v) => (Number.isFinite(v) ? v : -1)),
        );
        continue;
      }
      const buckets = {} as Timeline["buckets"];
      for (const u of dateUnits) {
        const keys = await db.query(
          `SELECT strftime("key", '%Y-%m-%d') AS "key" FROM ${quoteIdent(bucketTables[`r${i}_${u}`])} ORDER BY "rank"`,
        );
        buckets[u] = { codes: Int32Array.from(col(`r${i}_${u}`)), keys: keys.map((k) => (typeof k.key === "string" ? k.key : null)) };
      }
      timelines.set(r.column, { ms: col(`r${i}`), buckets });
    }
    return new RunIndex(n, dims, rk, hit, score, rankedRows, cbin, bins, timelines, query, { target: !!run.target, score: run.hasScore });
  }

  /** Which codes of dimension `key` the filter `values` selects: the SQL answers' condition on its distinct values. */
  private allowed(key: string, values: readonly FilterValue[]): Promise<Uint8Array> {
    const d = this.dims.get(key);
    if (!d) throw new Error(`run index: unknown dimension ${key}`);
    const id = `${key}\n${JSON.stringify(values)}`;
    let found = this.allowedCache.get(id);
    if (!found) {
      if (this.allowedCache.size >= ALLOWED_CACHE) this.allowedCache.clear();
      const cond = valueCondition(`"key"`, values);
      found = this.query(`SELECT "rank" FROM ${quoteIdent(d.table)} WHERE ${cond.sql}`, cond.params).then((rows) => {
        const allowed = new Uint8Array(d.domain.length);
        for (const r of rows) allowed[d.toDomain[Number(r.rank)]] = 1;
        return allowed;
      });
      found.catch(() => this.allowedCache.delete(id));
      this.allowedCache.set(id, found);
    }
    return found;
  }

  /**
   * The rows that pass `filters` (all but dimension `except`) and the checked `ranges`, as the WHERE clause of the
   * same request selects them (filters are checked by the caller, `whereClause`).
   */
  select(filters: Filters, ranges: readonly CheckedRange[], except?: string): Promise<Selection> {
    const id = JSON.stringify([filters, ranges.map((r) => [r.view.column, r.lo, r.hi]), except ?? null]);
    const cached = this.selectionCache.get(id);
    if (cached) {
      // Most recent last in the map's order.
      this.selectionCache.delete(id);
      this.selectionCache.set(id, cached);
      return cached;
    }
    const made = this.makeSelection(filters, ranges, except);
    made.catch(() => this.selectionCache.delete(id));
    this.selectionCache.set(id, made);
    if (this.selectionCache.size > SELECTION_CACHE) this.selectionCache.delete(this.selectionCache.keys().next().value as string);
    return made;
  }

  private async makeSelection(filters: Filters, ranges: readonly CheckedRange[], except?: string): Promise<Selection> {
    let rows: Int32Array | undefined;
    /** Keeps the rows (all of them at first) for which `pass` holds. */
    const keepIf = (pass: (i: number) => boolean) => {
      if (!rows) {
        const out = new Int32Array(this.n);
        let m = 0;
        for (let i = 0; i < this.n; ++i) if (pass(i)) out[m++] = i;
        rows = out.subarray(0, m);
      } else {
        let m = 0;
        for (let k = 0; k < rows.length; ++k) if (pass(rows[k])) rows[m++] = rows[k];
        rows = rows.subarray(0, m);
      }
    };
    for (const [key, values] of Object.entries(filters)) {
      if (key === except || values.length === 0) continue;
      const allowed = await this.allowed(key, values);
      const codes = this.dimension({ key }).codes;
      keepIf((i) => allowed[codes[i]] === 1);
    }
    for (const r of ranges) {
      const { lo, hi } = r;
      if (r.view.kind === "numeric") {
        const b = this.bins.get(r.view.column);
        if (!b) throw new Error(`run index: no bins of ${r.view.column}`);
        keepIf((i) => b[i] >= lo && b[i] <= hi);
      } else {
        const t = this.timelines.get(r.view.column);
        if (!t) throw new Error(`run index: no timeline ${r.view.column}`);
        const ms = t.ms;
        keepIf((i) => ms[i] >= lo && ms[i] < hi);
      }
    }
    return rows;
  }

  /** A dimension as a grouping: its codes, keyed by its domain's values. */
  private dimension(d: Pick<DimensionView, "key">): Grouping {
    const dim = this.dims.get(d.key);
    if (!dim) throw new Error(`run index: unknown dimension ${d.key}`);
    return { codes: dim.codes, size: dim.domain.length, key: (c) => dim.domain[c] };
  }

  /** Adds up the measures of the selected rows per group (and cluster), over `limit` rows when given. */
  private sums(keep: Selection, group: Grouping | undefined, cluster: Grouping | undefined, limit = this.n): Sums {
    const cSize = cluster?.size ?? 1;
    const size = (group?.size ?? 1) * cSize;
    const s: Sums = {
      count: new Float64Array(size),
      rk: new Float64Array(size),
      pos: new Float64Array(size),
      rkPos: new Float64Array(size),
      scoreSum: new Float64Array(size),
      scoreN: new Float64Array(size),
    };
    const { rk, score } = this;
    const hit = this.hit ?? new Uint8Array(0);
    const g = group?.codes;
    const c = cluster?.codes;
    const m = keep ? keep.length : limit;
    for (let k = 0; k < m; ++k) {
      const i = keep ? keep[k] : k;
      if (keep && i >= limit) break;
      let cell = g ? g[i] : 0;
      if (cell < 0) continue;
      if (c) cell = cell * cSize + c[i];
      const key = rk[i];
      s.count[cell] += 1;
      s.rk[cell] += key;
      if (hit[i] === 1) {
        s.pos[cell] += 1;
        s.rkPos[cell] += key;
      }
      if (score) {
        const x = score[i];
        if (x === x) {
          s.scoreSum[cell] += x;
          s.scoreN[cell] += 1;
        }
      }
    }
    return s;
  }

  /** The rows of `measures(target, score)` for the groups with rows, with `key` (and `cluster`). */
  private rows(s: Sums, group: Grouping | undefined, cluster: Grouping | undefined, withScore = this.shape.score, keyName = "key"): Row[] {
    const cSize = cluster?.size ?? 1;
    const out: Row[] = [];
    for (let cell = 0; cell < s.count.length; ++cell) {
      if (s.count[cell] === 0) continue;
      const gi = Math.floor(cell / cSize);
      const row: Row = { [keyName]: group ? group.key(gi) : null };
      if (cluster) row.cluster = cluster.key(cell % cSize);
      row.count = s.count[cell];
      row.ck = s.rk[cell] % KEY_RANGE;
      if (this.shape.target) {
        row.positives = s.pos[cell];
        row.ck_pos = s.rkPos[cell] % KEY_RANGE;
      }
      if (withScore) {
        row.score_sum = s.scoreN[cell] ? s.scoreSum[cell] : null;
        row.score_n = s.scoreN[cell];
      }
      out.push(row);
    }
    return out;
  }

  /** `groupQuery`'s rows: per value of `group` (or one total row), and per cluster with `cluster`. */
  grouped(keep: Selection, group: Pick<DimensionView, "key"> | undefined, clusterKey: string | undefined): Row[] {
    const g = group ? this.dimension(group) : undefined;
    const c = clusterKey === undefined ? undefined : this.dimension({ key: clusterKey });
    return this.rows(this.sums(keep, g, c), g, c);
  }

  /**
   * `tableQuery`'s rows: per combination of `groups` with rows, keyed `k0`, `k1`, …; undefined when the groups'
   * domains have more than {@link MAX_INDEX_TABLE} combinations (the caller asks SQL).
   */
  table(keep: Selection, groups: readonly Pick<DimensionView, "key">[]): Row[] | undefined {
    const parts = groups.map((d) => this.dimension(d));
    const size = parts.reduce((p, g) => p * g.size, 1);
    if (size > MAX_INDEX_TABLE) return undefined;
    const codes = new Int32Array(this.n);
    const m = keep ? keep.length : this.n;
    for (const g of parts) {
      const gc = g.codes;
      for (let k = 0; k < m; ++k) {
        const i = keep ? keep[k] : k;
        codes[i] = codes[i] * g.size + gc[i];
      }
    }
    const combined: Grouping = { codes, size, key: (c) => c };
    return this.rows(this.sums(keep, combined, undefined), combined, undefined).map((row) => {
      let c = Number(row.key);
      const keys: unknown[] = [];
      for (let j = parts.length - 1; j >= 0; --j) {
        keys[j] = parts[j].key(c % parts[j].size);
        c = Math.floor(c / parts[j].size);
      }
      const { key: _, ...measures } = row;
      return { ...Object.fromEntries(keys.map((k, j) => [`k${j}`, k])), ...measures };
    });
  }

  private readonly scoreBins = new Map<number, Int32Array>();

  /** `histogramQuery`'s rows: per score bin of `bins` over [0, 1] (`bin`), scored rows only, without score sums. */
  histogram(keep: Selection, bins: number): Row[] {
    const score = this.score;
    if (!score) return [];
    let codes = this.scoreBins.get(bins);
    if (!codes) {
      codes = new Int32Array(this.n);
      for (let i = 0; i < this.n; ++i) {
        const x = score[i];
        codes[i] = x === x ? Math.min(Math.max(Math.floor(x * bins), 0), bins - 1) : -1;
      }
      if (this.scoreBins.size >= 8) this.scoreBins.clear();
      this.scoreBins.set(bins, codes);
    }
    const g: Grouping = { codes, size: bins, key: (c) => c };
    return this.rows(this.sums(keep, g, undefined), g, undefined, false, "bin");
  }

  /** Number of calibration bins (the largest bin + 1), found on first use. */
  private calibrationBins: number | undefined;

  /** Numeric range columns as groupings of their bins, missing values in a last group; made on first use. */
  private readonly binGroupings = new Map<string, Grouping>();

  /** `calibrationBinsQuery`'s rows: per calibration bin (`bin`) of the scored rows, with score sums. */
  calibration(keep: Selection): Row[] {
    const cbin = this.cbin;
    if (!cbin) return [];
    if (this.calibrationBins === undefined) {
      let size = 0;
      for (let i = 0; i < this.n; ++i) if (cbin[i] >= size) size = cbin[i] + 1;
      this.calibrationBins = size;
    }
    const g: Grouping = { codes: cbin, size: this.calibrationBins, key: (c) => c };
    return this.rows(this.sums(keep, g, undefined), g, undefined, true, "bin");
  }

  /**
   * `flaggingBandsQuery`'s rows (band, n, rk, pos, rk_pos) for the selected ranked rows: band i holds the rows after
   * the top counts[i-1] of them by rank, up to the top counts[i] (`flaggedCounts`). Empty when no ranked row is
   * selected. The ranked rows are the first ones, in rank order.
   */
  flaggingBands(keep: Selection): Row[] {
    const ranked = this.ranked;
    if (ranked === undefined) return [];
    let n = ranked;
    if (keep) {
      n = 0;
      while (n < keep.length && keep[n] < ranked) ++n;
    }
    if (n === 0) return [];
    const counts = flaggedCounts(n);
    const out: Row[] = [];
    let from = 0;
    for (const [band, upTo] of counts.entries()) {
      let rows = 0;
      let rk = 0;
      let pos = 0;
      let rkPos = 0;
      for (let k = from; k < upTo; ++k) {
        const i = keep ? keep[k] : k;
        rows += 1;
        rk += this.rk[i];
        if (this.hit?.[i] === 1) {
          pos += 1;
          rkPos += this.rk[i];
        }
      }
      if (rows) out.push({ band, n: rows, rk, pos, rk_pos: rkPos });
      from = Math.max(from, upTo);
    }
    return out;
  }

  /** `distributionQuery`'s rows: per bin or bucket (`key`; null for a missing value), and per cluster. */
  distribution(keep: Selection, column: string, unit: TimeUnit, clusterKey: string | undefined): Row[] {
    const c = clusterKey === undefined ? undefined : this.dimension({ key: clusterKey });
    let g: Grouping;
    const b = this.bins.get(column);
    if (b) {
      let found = this.binGroupings.get(column);
      if (!found) {
        let bins = 0;
        for (let i = 0; i < this.n; ++i) if (b[i] >= bins) bins = b[i] + 1;
        const codes = new Int32Array(this.n);
        for (let i = 0; i < this.n; ++i) codes[i] = b[i] < 0 ? bins : b[i];
        found = { codes, size: bins + 1, key: (k) => (k === bins ? null : k) };
        this.binGroupings.set(column, found);
      }
      g = found;
    } else {
      const t = this.timelines.get(column);
      if (!t) throw new Error(`run index: no range column ${column}`);
      const { codes, keys } = t.buckets[unit];
      g = { codes, size: keys.length, key: (k) => keys[k] };
    }
    return this.rows(this.sums(keep, g, c), g, c);
  }
}

/** A map key for a value that keeps null apart from the string "null". */
function valueKey(v: unknown): string {
  if (v === null || v === undefined) return "\u0000null";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v}:${String(v)}`;
  return JSON.stringify(v);
}
