import type { Db } from "../data/Db.js";
import { quoteIdent } from "../data/Db.js";
import type { FeatureInput } from "../features/encode.js";
import type { FeaturesSpec, StudySpec } from "../study/schema.js";
import { UserError } from "../util/errors.js";
import { columnNotFound } from "../util/messages.js";

/** Name of the materialized, deterministically ordered analysis table. */
export const ANALYSIS = "_analysis";

/** The table a study analyses: `table:`, else the last prepare step, else the only source. */
export function analysisTableName(spec: StudySpec, file: string): string {
  if (spec.table) return spec.table;
  if (spec.prepare.length) return spec.prepare[spec.prepare.length - 1].name;
  const sources = Object.keys(spec.sources);
  if (sources.length === 1) return sources[0];
  throw new UserError("study.no_table", `${file}: several sources and no prepare steps; add "table:" naming the table to analyse, or a prepare step that joins them`);
}

/**
 * Copies `table` into {@link ANALYSIS} sorted by every column, so row order (and so folds, samples and results) do
 * not depend on how the database happened to scan or join. `_row` is the row number in that order.
 */
export async function materializeAnalysis(db: Db, table: string): Promise<number> {
  await db.exec(`CREATE OR REPLACE TABLE ${ANALYSIS}_sorted AS SELECT * FROM ${quoteIdent(table)} ORDER BY ALL`);
  await db.exec(`CREATE OR REPLACE TABLE ${ANALYSIS} AS SELECT (rowid)::INTEGER AS _row, * FROM ${ANALYSIS}_sorted ORDER BY rowid`);
  await db.exec(`DROP TABLE ${ANALYSIS}_sorted`);
  const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM ${ANALYSIS}`);
  return Number(n);
}

/** Throws a one-line error naming the first column that the table lacks, with the closest names. */
export async function requireColumns(db: Db, table: string, columns: Iterable<string>, where: string): Promise<Map<string, string>> {
  const info = await db.columns(table);
  const types = new Map(info.map((c) => [c.name, c.type]));
  for (const c of columns) {
    if (!types.has(c)) throw new UserError("study.column_not_found", columnNotFound(where, c, table, [...types.keys()]));
  }
  return types;
}

/** Every column a feature spec reads. */
export function featureColumns(features: FeaturesSpec): string[] {
  return [...features.categorical, ...features.numeric, ...features.dates.map((d) => d.column)];
}

const PART_SQL: Record<string, (c: string) => string> = {
  hour: (c) => `lpad(CAST(hour(${c}) AS VARCHAR), 2, '0')`,
  weekday: (c) => `strftime(${c}, '%u-%a')`,
  month: (c) => `strftime(${c}, '%m')`,
  year: (c) => `CAST(year(${c}) AS VARCHAR)`,
  day_of_year: (c) => `lpad(CAST(dayofyear(${c}) AS VARCHAR), 3, '0')`,
};

/** Name of the categorical feature made from a date part, e.g. `DATE_OCCURED.hour`. */
export const datePartName = (column: string, part: string) => `${column}.${part}`;

/**
 * Reads the feature columns of `table` (ordered by `_row` when present): categories as text, numbers as doubles
 * (text that is not a number is an error naming the column and an example), date parts as categories.
 */
export async function readFeatureInput(db: Db, table: string, features: FeaturesSpec, where: string): Promise<FeatureInput> {
  const types = await requireColumns(db, table, featureColumns(features), where);
  const t = quoteIdent(table);
  const order = types.has("_row") ? " ORDER BY _row" : "";
  for (const c of features.numeric) {
    const q = quoteIdent(c);
    const [bad] = await db.query(
      `SELECT count(*)::INTEGER AS n, any_value(CAST(${q} AS VARCHAR)) AS example FROM ${t} WHERE ${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL`,
    );
    if (Number(bad.n) > 0) {
      throw new UserError("data.not_numeric", `${where}: numeric feature "${c}" has ${bad.n} values that are not numbers (e.g. ${JSON.stringify(bad.example)}); clean or cast it in a prepare step, or list it under categorical`);
    }
  }
  for (const d of features.dates) {
    const type = types.get(d.column) ?? "";
    if (!/TIMESTAMP|DATE/.test(type)) {
      throw new UserError("data.not_date", `${where}: date feature "${d.column}" has type ${type}, not a timestamp; parse it in a prepare step, e.g. strptime(${d.column}, '%m/%d/%Y %H:%M')`);
    }
  }
  const exprs: string[] = [];
  for (const c of features.categorical) exprs.push(`CAST(${quoteIdent(c)} AS VARCHAR)`);
  for (const d of features.dates) for (const p of d.parts) exprs.push(PART_SQL[p](quoteIdent(d.column)));
  for (const c of features.numeric) exprs.push(`TRY_CAST(${quoteIdent(c)} AS DOUBLE)`);
  const input: FeatureInput = { categorical: {}, numeric: {} };
  if (!exprs.length) return input;
  const { columns } = await db.queryColumns(`SELECT ${exprs.join(", ")} FROM ${t}${order}`);
  let k = 0;
  for (const c of features.categorical) input.categorical[c] = columns[k++] as (string | null)[];
  for (const d of features.dates) for (const p of d.parts) input.categorical[datePartName(d.column, p)] = columns[k++] as (string | null)[];
  for (const c of features.numeric) input.numeric[c] = Float64Array.from(columns[k++] as (number | null)[], (v) => (v === null ? NaN : v));
  return input;
}
