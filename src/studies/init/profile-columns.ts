import { quoteIdent, quoteString, type Database } from "../../data/Db.js";
import { DATE_FORMATS } from "../date-format.js";

/** What a draft knows of one column of the data. */
export interface ColumnProfile {
  /** Name in the source table. */
  name: string;
  /** DuckDB type. */
  type: string;
  rows: number;
  /** Non-null values. */
  values: number;
  distinct: number;
  /** Mean length of the values as text. */
  meanLength: number;
  /** The most frequent values with their counts (up to 12). */
  top: { value: string; count: number }[];
  /** For a timestamp: every value at midnight (a date without a time). */
  dateOnly?: boolean;
  /** For a text column holding dates: the strptime format every non-null value parses with. */
  strptime?: string;
  /** For an integer column: every value is an HHMM time of day (0..2359, minutes < 60). */
  hhmm?: boolean;
}

export { DATE_FORMATS };

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

/** True for DuckDB numeric types. */
export const isNumericType = (type: string): boolean => NUMERIC.test(type);
/** True for DuckDB integer types. */
export const isIntegerType = (type: string): boolean => INTEGER.test(type);
/** True for DuckDB timestamp and date types. */
export const isTimestampType = (type: string): boolean => /^(TIMESTAMP|DATE)/.test(type);

/**
 * Profiles every column of a table: counts, distinct values, top values, and for text that looks like dates the
 * strptime format that parses all of it; for timestamps whether every value is at midnight; for integers whether
 * they read as HHMM times.
 * @param db DuckDB database
 * @param table the table
 */
export async function profileColumns(db: Database, table: string): Promise<ColumnProfile[]> {
  const t = quoteIdent(table);
  const out: ColumnProfile[] = [];
  for (const { name, type } of await db.columns(table)) {
    const c = quoteIdent(name);
    const [s] = await db.query(
      `SELECT count(*)::INTEGER AS n, count(${c})::INTEGER AS v, count(DISTINCT ${c})::INTEGER AS d, coalesce(avg(length(${c}::VARCHAR)), 0)::DOUBLE AS len FROM ${t}`,
    );
    const top = await db.query(
      `SELECT ${c}::VARCHAR AS value, count(*)::INTEGER AS n FROM ${t} WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 12`,
    );
    const p: ColumnProfile = {
      name,
      type,
      rows: Number(s.n),
      values: Number(s.v),
      distinct: Number(s.d),
      meanLength: Number(s.len),
      top: top.map((r) => ({ value: String(r.value), count: Number(r.n) })),
    };
    if (isTimestampType(type) && p.values > 0) {
      // A time zone's values are read in UTC, as the draft's prepare step does.
      const ts = /WITH TIME ZONE/.test(type) ? `timezone('UTC', ${c})` : `CAST(${c} AS TIMESTAMP)`;
      const [m] = await db.query(`SELECT count(*) FILTER (WHERE CAST(${ts} AS TIME) <> TIME '00:00:00')::INTEGER AS n FROM ${t}`);
      p.dateOnly = Number(m.n) === 0;
    } else if (type === "VARCHAR" && p.values > 0 && /\d{1,4}[-/]\d{1,2}[-/]\d{1,4}/.test(p.top[0]?.value ?? "")) {
      for (const format of DATE_FORMATS) {
        const [r] = await db.query(`SELECT count(try_strptime(${c}, ${quoteString(format)}))::INTEGER AS n FROM ${t}`);
        if (Number(r.n) === p.values) {
          p.strptime = format;
          const time = /%[HI]/.test(format);
          if (!time) p.dateOnly = true;
          else {
            const [m] = await db.query(
              `SELECT count(*) FILTER (WHERE CAST(${format.includes("%z") ? `timezone('UTC', strptime(${c}, ${quoteString(format)}))` : `strptime(${c}, ${quoteString(format)})`} AS TIME) <> TIME '00:00:00')::INTEGER AS n FROM ${t}`,
            );
            p.dateOnly = Number(m.n) === 0;
          }
          break;
        }
      }
    } else if (isIntegerType(type) && p.values > 0 && /time/i.test(name)) {
      const [r] = await db.query(
        `SELECT count(*) FILTER (WHERE ${c} BETWEEN 0 AND 2359 AND ${c} % 100 < 60)::INTEGER AS ok, max(${c})::INTEGER AS hi FROM ${t}`,
      );
      p.hhmm = Number(r.ok) === p.values && Number(r.hi) >= 100;
    }
    out.push(p);
  }
  return out;
}
