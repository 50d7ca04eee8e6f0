import { testedDateFormat } from "../date-format.js";
import type { Db } from "../../data/Db.js";
import { driverMessage, quoteIdent } from "../../data/Db.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { requireColumns } from "../analysis-table.js";
import type { RiskSpec } from "./spec.js";

/** Rows set aside before the study, each set with its reason (counted in results.data.dropped). */
export interface RowFilters {
  skips: { mask: Uint8Array; reason: string }[];
  /** Epoch ms of `risk.date` per analysis row (NaN = no date), or null when the study names no date. */
  times: Float64Array | null;
  /** Label window: rows left out before and after it, and rows without a date (kept: their window is unknown). */
  censored: { before: number; after: number; undated: number };
}

const DAY_MS = 86_400_000;

/** Epoch ms of an ISO date or timestamp, read as UTC. */
export function isoToMs(s: string): number {
  return Date.parse(/[ T]\d/.test(s) ? `${s.replace(" ", "T")}Z` : `${s}T00:00:00Z`);
}

/**
 * The rows a risk study leaves out before anything is learned, in the order they are counted: rows outside the
 * label window (`label.censor_before`, `label.censor_after`, on `risk.date`; a plain date as censor_after means
 * after the end of that day) and rows whose value is listed in `risk.exclude_rows`. Rows without a date cannot be
 * placed in the window and are kept (counted as undated).
 * @param db the database
 * @param table the analysis table (ordered by `_row`)
 * @param spec the risk section
 * @param where the study file, for messages
 */
export async function readRowFilters(db: Db, table: string, spec: RiskSpec, where: string): Promise<RowFilters> {
  const t = quoteIdent(table);
  const skips: RowFilters["skips"] = [];
  const censored = { before: 0, after: 0, undated: 0 };
  let times: Float64Array | null = null;
  const { censor_before: before, censor_after: after } = spec.label;
  if ((before || after) && !spec.date) throw new UserError("risk.needs_date", msg.labelNeedsDate(where));
  if (spec.date) {
    const types = await requireColumns(db, table, [spec.date], `${where}: risk.date`);
    const type = types.get(spec.date) ?? "";
    if (!/TIMESTAMP|DATE/.test(type)) {
      const { format, example } = await testedDateFormat(db, table, spec.date);
      throw new UserError("data.not_date", msg.riskDateNotDate(where, spec.date, type, format, example));
    }
    times = (await db.queryNumbers(`SELECT epoch_ms(CAST(${quoteIdent(spec.date)} AS TIMESTAMP))::DOUBLE FROM ${t} ORDER BY _row`))
      .columns[0];
    for (const v of times) if (Number.isNaN(v)) censored.undated++;
  }
  if (times && before) {
    const lo = isoToMs(before);
    const mask = new Uint8Array(times.length);
    for (let i = 0; i < times.length; ++i) {
      if (times[i] < lo) {
        mask[i] = 1;
        ++censored.before;
      }
    }
    skips.push({ mask, reason: `dated before ${before} (label.censor_before)` });
  }
  if (times && after) {
    const hi = /[ T]\d/.test(after) ? isoToMs(after) : isoToMs(after) + DAY_MS;
    const timed = /[ T]\d/.test(after);
    const mask = new Uint8Array(times.length);
    for (let i = 0; i < times.length; ++i) {
      if (timed ? times[i] > hi : times[i] >= hi) {
        mask[i] = 1;
        ++censored.after;
      }
    }
    skips.push({ mask, reason: `dated after ${after} (label.censor_after)` });
  }
  for (const [column, values] of Object.entries(spec.exclude_rows ?? {})) {
    if (!values.length) continue;
    await requireColumns(db, table, [column], `${where}: risk.exclude_rows`);
    const { columns } = await db.queryColumns(
      `SELECT coalesce(CAST(${quoteIdent(column)} AS VARCHAR) IN (${values.map(() => "?").join(", ")}), false) FROM ${t} ORDER BY _row`,
      values,
    );
    const hits = columns[0] as boolean[];
    const mask = new Uint8Array(hits.length);
    for (let i = 0; i < hits.length; ++i) if (hits[i]) mask[i] = 1;
    skips.push({ mask, reason: `${column} excluded by risk.exclude_rows` });
  }
  return { skips, times, censored };
}

/** One label-construction check, counted by class over the rows in the study. */
export interface LabelCheck {
  name: string;
  where: string;
  rows: number;
  positives: number;
  negatives: number;
}

/**
 * Counts, for each `label.checks` entry, the study's rows (kept) that match its SQL condition, by class.
 * @param db the database
 * @param table the analysis table (ordered by `_row`)
 * @param spec the risk section
 * @param y labels of every analysis row
 * @param keep the rows in the study
 * @param where the study file, for messages
 */
export async function runLabelChecks(
  db: Db,
  table: string,
  spec: RiskSpec,
  y: Float64Array,
  keep: Int32Array,
  where: string,
): Promise<LabelCheck[]> {
  const out: LabelCheck[] = [];
  const kept = new Uint8Array(y.length);
  for (const i of keep) kept[i] = 1;
  for (const check of spec.label.checks) {
    let matched: boolean[];
    try {
      const { columns } = await db.queryColumns(`SELECT coalesce((${check.where}), false) FROM ${quoteIdent(table)} ORDER BY _row`);
      matched = columns[0] as boolean[];
    } catch (e) {
      throw new UserError("risk.label_check_sql", msg.labelCheckSql(where, check.name, driverMessage(e)), { cause: e });
    }
    let positives = 0;
    let negatives = 0;
    for (let i = 0; i < matched.length; ++i) {
      if (!kept[i] || !matched[i]) continue;
      if (y[i] === 1) positives++;
      else negatives++;
    }
    out.push({ name: check.name, where: check.where, rows: positives + negatives, positives, negatives });
  }
  return out;
}
