/**
 * Builders of the segments study's statements: area names, the demographics and area joins, the per-row output
 * and the area shares. Each returns SQL text and runs nothing; each names its dialect.
 */
import { quoteIdent } from "../../data/Db.js";
import { countRowsSql, createTableAsSql } from "../../data/sql/tables.js";

/** Each distinct non-null value of `column` as text (`name`) with its row count (`n`), sorted by name. Portable. */
export function areaNamesSql(table: string, column: string): string {
  const col = quoteIdent(column);
  return `SELECT CAST(${col} AS VARCHAR) AS name, count(*)::INTEGER AS n FROM ${quoteIdent(table)} WHERE ${col} IS NOT NULL GROUP BY 1 ORDER BY 1`;
}

/** Rows (`nulls`) where `column` is NULL. Portable. */
export function missingAreaSql(table: string, column: string): string {
  return countRowsSql(table, { where: `${quoteIdent(column)} IS NULL`, alias: "nulls" });
}

/** The distinct names (`n`, as text) of a boundary table's `nameProperty`, sorted. Portable. */
export function boundaryNamesSql(boundaries: string, nameProperty: string): string {
  return `SELECT DISTINCT CAST(${quoteIdent(nameProperty)} AS VARCHAR) AS n FROM ${quoteIdent(boundaries)} ORDER BY 1`;
}

/**
 * `CREATE OR REPLACE TABLE target AS SELECT CAST(key AS VARCHAR) AS _key, CAST((expr) AS DOUBLE) AS name, … FROM
 * table`: one row per demographics row, the key as text and each column computed. DuckDB.
 * @param target table to create
 * @param table the demographics table
 * @param key its area-name column
 * @param columns output name → SQL expression over `table`, as written in the study file (the user's own SQL)
 */
export function demographicsSql(target: string, table: string, key: string, columns: Record<string, string>): string {
  const exprs = Object.entries(columns).map(([name, expr]) => `CAST((${expr}) AS DOUBLE) AS ${quoteIdent(name)}`);
  return createTableAsSql(target, `SELECT CAST(${quoteIdent(key)} AS VARCHAR) AS _key, ${exprs.join(", ")} FROM ${quoteIdent(table)}`);
}

/** The distinct non-null `_key`s of a table from {@link demographicsSql}, sorted. Portable. */
export function demographicKeysSql(table: string): string {
  return `SELECT DISTINCT _key FROM ${quoteIdent(table)} WHERE _key IS NOT NULL ORDER BY 1`;
}

/** The tables {@link areaJoinSql} joins. */
export interface AreaJoinTables {
  /** The analysis table, with `_row`. */
  table: string;
  /** Its area-name column. */
  column: string;
  /** Name map with `_name`, `_area` and `_demo_key`. */
  areaMap: string;
  /** Demographics from {@link demographicsSql} and the columns to take from it, when there are any. */
  demographics?: { table: string; columns: string[] };
}

/**
 * `CREATE OR REPLACE TABLE target AS SELECT a.*, m._area, d.… FROM table a LEFT JOIN areaMap m … [LEFT JOIN
 * demographics d …] ORDER BY a._row`: the analysis table with each row's matched area and demographics. DuckDB.
 */
export function areaJoinSql(target: string, t: AreaJoinTables): string {
  const demo = t.demographics;
  const demoCols = demo ? demo.columns.map((c) => `, d.${quoteIdent(c)}`).join("") : "";
  const demoJoin = demo ? `LEFT JOIN ${quoteIdent(demo.table)} d ON m._demo_key = d._key` : "";
  return createTableAsSql(
    target,
    `SELECT a.*, m._area${demoCols} FROM ${quoteIdent(t.table)} a
     LEFT JOIN ${quoteIdent(t.areaMap)} m ON CAST(a.${quoteIdent(t.column)} AS VARCHAR) = m._name ${demoJoin} ORDER BY a._row`,
  );
}

/**
 * `CREATE OR REPLACE TABLE target AS SELECT c._row, a.<areaColumns>, c._cluster FROM clusters c JOIN table a USING
 * (_row) ORDER BY c._row`: each analysis row's cluster beside its area columns. DuckDB.
 */
export function segmentRowsSql(target: string, clusters: string, table: string, areaColumns: string[]): string {
  const extra = areaColumns.map((c) => `a.${quoteIdent(c)}, `).join("");
  return createTableAsSql(
    target,
    `SELECT c._row, ${extra}c._cluster FROM ${quoteIdent(clusters)} c JOIN ${quoteIdent(table)} a USING (_row) ORDER BY c._row`,
  );
}

/** Rows (`n`) per area (`area`) and cluster (`cluster`), leaving out rows without either. Portable. */
export function areaClusterCountsSql(rows: string): string {
  return `SELECT _area AS area, _cluster AS cluster, count(*)::INTEGER AS n FROM ${quoteIdent(rows)} WHERE _area IS NOT NULL AND _cluster IS NOT NULL GROUP BY 1, 2`;
}

/** Each boundary's name (`name`, as text) and `_geometry`, in file order (`_feature`). Portable. */
export function boundaryShapesSql(boundaries: string, nameProperty: string): string {
  return `SELECT CAST(${quoteIdent(nameProperty)} AS VARCHAR) AS name, _geometry FROM ${quoteIdent(boundaries)} ORDER BY _feature`;
}
