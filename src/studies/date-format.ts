import { quoteIdent, quoteString, type Database } from "../data/Db.js";

/**
 * strptime formats a text date column is tried with, most specific first. A format is chosen only when it parses
 * every non-null value of the column (DuckDB `try_strptime`).
 */
export const DATE_FORMATS = [
  "%m/%d/%Y %I:%M:%S %p",
  "%m/%d/%Y %I:%M %p",
  "%m/%d/%Y %H:%M:%S",
  "%m/%d/%Y %H:%M",
  "%m/%d/%Y",
  "%Y-%m-%d %H:%M:%S%z",
  "%Y-%m-%d %H:%M:%S",
  "%Y-%m-%dT%H:%M:%S",
  "%Y-%m-%dT%H:%M:%S.%g",
  "%Y-%m-%dT%H:%M:%S%z",
  "%Y-%m-%d %H:%M",
  "%Y-%m-%d",
  "%Y/%m/%d %H:%M:%S%z",
  "%Y/%m/%d %H:%M:%S",
  "%Y/%m/%d %H:%M",
  "%Y/%m/%d",
  "%d/%m/%Y %H:%M:%S",
  "%d/%m/%Y %H:%M",
  "%d/%m/%Y",
  "%Y%m%d",
];

/** What {@link testedDateFormat} found for a column that should hold dates. */
export interface DateFormatGuess {
  /** A strptime format that parses every non-null value, when one of {@link DATE_FORMATS} does. */
  format?: string;
  /** One non-null value, as text, to show what the values look like. */
  example?: string;
}

/**
 * The first of {@link DATE_FORMATS} that parses every non-null value of `column` (read as text), so that a message
 * suggests a format only when it is known to work; and one value to show.
 * @param db database
 * @param table table
 * @param column a column that is not a timestamp
 */
export async function testedDateFormat(db: Database, table: string, column: string): Promise<DateFormatGuess> {
  const c = `CAST(${quoteIdent(column)} AS VARCHAR)`;
  const t = quoteIdent(table);
  const [r] = await db.query(`SELECT count(${c})::INTEGER AS n, min(${c}) AS example FROM ${t}`);
  const n = Number(r.n);
  if (!n) return {};
  const example = String(r.example);
  for (const format of DATE_FORMATS) {
    const [m] = await db.query(`SELECT count(try_strptime(${c}, ${quoteString(format)}))::INTEGER AS n FROM ${t}`);
    if (Number(m.n) === n) return { format, example };
  }
  return { example };
}
