import { createTableFromColumns } from "../data/create-table.js";
import { quoteIdent, type Db } from "../data/Db.js";
import { gridCountsQuery, meanLatitudeSql } from "../data/sql/grid.js";
import { dropTableSql } from "../data/sql/tables.js";
import { PERTURBATION_BOUND, perturbs, recordKeySql, runSalt } from "../disclosure/perturb.js";
import { pointGrid, publishGridCells, readGridRow } from "../disclosure/points.js";
import { suppressedLabel, type DisclosurePolicy } from "../disclosure/policy.js";
import type { ReportPointMap } from "../report/types.js";
import type { Results } from "../results/types.js";

/** Scratch tables: the design's rows, and their coordinates with record keys. */
const ROWS = "_point_rows";
const LOCATED = "_point_map";

/**
 * The report's gridded point map: the dashboard's point map with no filter. The same rows (those of the design
 * matrix, which are the rows `openbeat serve` reads), the same grid (`disclosure.points.grid_m` at the mean latitude
 * of the located rows), the same record keys and so the same published count per square; squares whose count is
 * hidden are left out. Undefined when the policy has no point map or the analysis table has no coordinates.
 * @param table the analysis table (with `_row`)
 * @param keep the design matrix's rows (`_row` values)
 */
export async function reportPointMap(
  db: Db,
  table: string,
  results: Results,
  keep: ArrayLike<number>,
  policy: DisclosurePolicy,
): Promise<ReportPointMap | undefined> {
  const points = results.dashboard.points;
  if (!points || !policy.points) return undefined;
  const salt = runSalt({ seed: results.seed, name: results.name, inputs: results.data.inputs });
  await createTableFromColumns(db, ROWS, [{ name: "_row", type: "INTEGER", values: keep }]);
  try {
    await db.exec(
      `CREATE OR REPLACE TABLE ${quoteIdent(LOCATED)} AS SELECT ${quoteIdent(points.lat)}, ${quoteIdent(points.lon)}, ${recordKeySql(salt, '"_row"')} AS "_rk" FROM ${quoteIdent(table)} WHERE "_row" IN (SELECT "_row" FROM ${quoteIdent(ROWS)})`,
    );
    const [{ lat }] = await db.query(meanLatitudeSql(quoteIdent(LOCATED), points.lat, points.lon));
    const grid = pointGrid(policy.points.grid_m, typeof lat === "number" ? lat : null);
    const q = gridCountsQuery({
      from: quoteIdent(LOCATED),
      where: { sql: "", params: [] },
      lat: points.lat,
      lon: points.lon,
      recordKey: '"_rk"',
      grid,
    });
    const raw = (await db.query(q.sql, q.params)).map(readGridRow);
    if (!raw.length) return undefined;
    const { total, cells } = publishGridCells(raw, grid, policy);
    const perturbed = perturbs(policy);
    return {
      ...grid,
      total,
      cells,
      perturbed,
      bound: perturbed ? PERTURBATION_BOUND : 0,
      hidden_label: perturbed ? `≤${policy.min_cell}` : suppressedLabel(policy),
    };
  } finally {
    await db.exec(dropTableSql([ROWS, LOCATED]));
  }
}
