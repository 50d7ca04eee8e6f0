import { Db, quoteIdent } from "../../data/Db.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { datePartName, featureColumns } from "../analysis-table.js";
import type { StudySpec } from "../registry.js";
import { replayStudy, sourcesLacking, type ReplayOptions, type SourceReplacements } from "../replay-study.js";
import type { RiskModelFile } from "./model-file.js";
import { readRowFilters } from "./row-filters.js";
import { scoreLoaded, type ScoreResult } from "./score.js";
import type { RiskSpec } from "./spec.js";

/** Rows of the new exports that the study's row filters would leave out, by reason (they are scored all the same). */
export interface LeftOut {
  reason: string;
  rows: number;
}

/** Scores of raw exports, with what the study's data steps made of them. */
export interface RawScoreResult extends ScoreResult {
  /** Rows of the analysis table the study's data steps made (each is scored). */
  rows: number;
  /**
   * Rows the study's filters (label window, `exclude_rows`, a missing value the missing-value policy drops) would
   * leave out, by reason (a row may count under several). `warnings` are the logger's.
   */
  leftOut: LeftOut[];
}

/** Options for {@link scoreRawExports}: those of the replay, whose `keep` columns scoring sets itself. */
export type RawScoreOptions = Omit<ReplayOptions, "keep">;

/**
 * Scores raw exports with a fitted risk model: the study's source loading rules and prepare SQL turn the new files
 * into the analysis table (as `openbeat run` does), and every row of it is scored as {@link scoreLoaded} scores a
 * prepared input. The target is not needed. Rows that the study's label window or `exclude_rows` would leave out are
 * counted in `leftOut` and scored too.
 * @param model the model (model.json)
 * @param modelPath its path, for messages
 * @param spec the study the model was trained by
 * @param replacements new files by source name
 * @param options see {@link RawScoreOptions}
 */
export async function scoreRawExports(
  model: RiskModelFile,
  modelPath: string,
  spec: StudySpec,
  replacements: SourceReplacements,
  options: RawScoreOptions,
): Promise<RawScoreResult> {
  if (spec.kind !== "risk") throw new UserError("score.not_risk", msg.scoreNotRiskStudy(options.studyFile, spec.kind));
  const db = await Db.open();
  try {
    const risk = spec.risk;
    const keep = [
      ...featureColumns(model.features),
      ...(model.id ? [model.id] : []),
      ...(risk.date ? [risk.date] : []),
      ...Object.keys(risk.exclude_rows ?? {}),
    ];
    const { table, rows } = await replayStudy(db, spec, replacements, { ...options, keep: [...new Set(keep)] });
    const where = [...replacements.values()].flat().join(", ");
    const have = (await db.columns(table)).map((c) => c.name);
    // A feature the prepare SQL passes through (SELECT *) is missing because the export lacks it: name the file.
    for (const column of featureColumns(model.features)) {
      if (have.includes(column)) continue;
      const lacking = await sourcesLacking(db, replacements, column);
      if (lacking.length) throw new UserError("score.export_column", msg.scoreExportColumn(lacking, column, options.studyFile, null));
    }
    const leftOut = await filtersLeavingOut(db, table, risk, have, options.studyFile);
    const scored = await scoreLoaded(db, model, modelPath, table, where);
    const missing = await missingLeftOut(db, table, model);
    // A missing value the study drops is no level of the encoder, so the encoder counts it as unseen: it is reported
    // as a row the study would leave out instead.
    const unseen = Object.fromEntries(
      Object.entries(scored.unseen)
        .map(([key, count]) => [key, count - missing.filter((m) => m.keys.includes(key)).reduce((a, m) => a + m.rows, 0)] as const)
        .filter(([, count]) => count > 0),
    );
    return {
      ...scored,
      unseen,
      warnings: [...options.logger.warnings],
      rows,
      leftOut: [...leftOut, ...missing.map((m) => ({ reason: m.reason, rows: m.rows }))],
    };
  } finally {
    await db.close();
  }
}

/**
 * How many rows of the analysis table each of the study's row filters would leave out (label.censor_before,
 * label.censor_after on risk.date, risk.exclude_rows); filters on a column the table lacks are not counted.
 */
async function filtersLeavingOut(db: Db, table: string, risk: RiskSpec, columns: string[], where: string): Promise<LeftOut[]> {
  const dated = risk.date !== undefined && columns.includes(risk.date);
  const checked: RiskSpec = {
    ...risk,
    date: dated ? risk.date : undefined,
    label: {
      ...risk.label,
      censor_before: dated ? risk.label.censor_before : undefined,
      censor_after: dated ? risk.label.censor_after : undefined,
    },
    exclude_rows: Object.fromEntries(Object.entries(risk.exclude_rows ?? {}).filter(([c]) => columns.includes(c))),
  };
  const { skips } = await readRowFilters(db, table, checked, where);
  return skips.map((s) => ({ reason: s.reason, rows: s.mask.reduce((a, v) => a + v, 0) })).filter((s) => s.rows > 0);
}

/**
 * Rows with a missing feature value that the study's missing-value policy drops (`features.missing`: categorical
 * `drop`, numeric `drop`), by column, with the encoder's unseen-count keys they show under (the column, or a date's
 * parts).
 */
async function missingLeftOut(db: Db, table: string, model: RiskModelFile): Promise<(LeftOut & { keys: string[] })[]> {
  const f = model.features;
  const checks: { column: string; keys: string[] }[] = [];
  if (f.missing.categorical === "drop") {
    for (const c of f.categorical) checks.push({ column: c, keys: [c] });
    for (const d of f.dates) checks.push({ column: d.column, keys: d.parts.map((p) => datePartName(d.column, p)) });
  }
  if (f.missing.numeric === "drop") for (const c of f.numeric) checks.push({ column: c, keys: [] });
  if (!checks.length) return [];
  const [row] = await db.query(
    `SELECT ${checks.map((c, i) => `count(*) FILTER (WHERE ${quoteIdent(c.column)} IS NULL)::INTEGER AS m${String(i)}`).join(", ")} FROM ${quoteIdent(table)}`,
  );
  return checks
    .map((c, i) => ({ reason: `missing ${c.column}`, rows: Number(row[`m${String(i)}`]), keys: c.keys }))
    .filter((m) => m.rows > 0);
}
