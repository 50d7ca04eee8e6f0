import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "../../src/data/Db.js";
import { quoteString } from "../../src/data/Db.js";
import { perturbCount, recordKeySql, runSalt } from "../../src/disclosure/perturb.js";
import type { DisclosurePolicy } from "../../src/disclosure/policy.js";
import type { Results } from "../../src/results/types.js";
import { studyRowsWhere } from "../../src/server/load-runs.js";

/**
 * The true aggregates behind a dashboard answer, computed straight from a results folder's prepared.parquet in SQL
 * (record keys included), and what the policy says the API must answer for them.
 */

/** True count, cell key, positives and their key, and mean score of one group. */
export interface Truth {
  key: unknown;
  n: number;
  ck: number;
  p: number;
  ckp: number;
  s: number | null;
}

/** The salt a results folder's record keys are made with (from its results.json). */
export function saltOf(dir: string): string {
  const r = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as Results;
  return runSalt({ seed: r.seed, name: r.name, inputs: r.data.inputs });
}

/**
 * Groups of a results folder's prepared.parquet, with true counts and cell keys.
 * @param where a SQL condition over the parquet's columns (or "true")
 * @param group a SQL expression to group by (or "NULL" for the total)
 * @param target the binary target column, if any
 */
/**
 * The rows of a results folder the dashboard serves, as a FROM item: prepared.parquet restricted to the study's rows
 * (those of features.parquet) as the server restricts it.
 */
export function servedRows(dir: string): string {
  return `(SELECT * FROM read_parquet(${quoteString(join(dir, "prepared.parquet"))})${studyRowsWhere(dir)})`;
}

export async function truth(db: Db, dir: string, where: string, group: string, target?: string): Promise<Truth[]> {
  const salt = saltOf(dir);
  const hit = target ? `TRY_CAST("${target}" AS DOUBLE) = 1` : "false";
  const score = `TRY_CAST(_score AS DOUBLE)`;
  const hasScore = (
    await db.query(
      `SELECT count(*) AS n FROM (DESCRIBE SELECT * FROM read_parquet(${quoteString(join(dir, "prepared.parquet"))})) WHERE column_name = '_score'`,
    )
  )[0].n;
  const rows = await db.query(
    `SELECT ${group} AS key, count(*)::INTEGER AS n, (sum(rk) % 256)::INTEGER AS ck,
       (count(*) FILTER (WHERE ${hit}))::INTEGER AS p, (coalesce(sum(rk) FILTER (WHERE ${hit}), 0) % 256)::INTEGER AS ckp,
       ${Number(hasScore) ? `avg(${score})` : "NULL"}::DOUBLE AS s
     FROM (SELECT *, ${recordKeySql(salt, "_row")} AS rk FROM ${servedRows(dir)})
     WHERE ${where} GROUP BY 1`,
  );
  return rows.map((r) => ({ key: r.key, n: Number(r.n), ck: Number(r.ck), p: Number(r.p), ckp: Number(r.ckp), s: r.s as number | null }));
}

/** The count the API must answer for true aggregates `t` (null when hidden; a missing group has none). */
export function expectedCount(t: Truth | undefined, policy: DisclosurePolicy): number | null {
  return perturbCount(t?.n ?? 0, t?.ck ?? 0, policy);
}

/** The positives the API must answer for `t`. */
export function expectedPositives(t: Truth | undefined, policy: DisclosurePolicy): number | null {
  return perturbCount(t?.p ?? 0, t?.ckp ?? 0, policy);
}

/** The rate the API must answer for `t`: from the published counts, when positives and negatives both exceed min_cell. */
export function expectedRate(t: Truth | undefined, policy: DisclosurePolicy): number | null {
  if (!t) return null;
  const m = policy.min_cell + 1;
  if (t.p < m || t.n - t.p < m) return null;
  const count = expectedCount(t, policy);
  const pos = expectedPositives(t, policy);
  return count && pos !== null ? Math.round((pos / count) * 1e4) / 1e4 : null;
}
