import { createTableFromColumns, type ColumnData } from "../../src/data/create-table.js";
import { Db } from "../../src/data/Db.js";
import { ANALYSIS, materializeAnalysis } from "../../src/studies/analysis-table.js";
import type { KindInput } from "../../src/studies/kind.js";
import type { RiskStudySpec } from "../../src/studies/risk/spec.js";
import type { SegmentsStudySpec } from "../../src/studies/segments/spec.js";
import { parseStudy } from "../../src/studies/study-file/load-study.js";
import { Logger } from "../../src/util/logger.js";
import { createRng } from "../../src/util/random.js";

/** Small seeded tables for the in-process tests of the study kinds: a few hundred rows with known structure. */

/** The premise effects on the log-odds of the synthetic risk table. */
export const PREMISE_EFFECT: Record<string, number> = { BAR: 1.2, STREET: 0.6, HOME: -0.6, STORE: 0 };

/** The offence value that always has the outcome: a planted leak. */
export const LEAK = "ASSAULT ON OFFICER";

/**
 * Columns of a risk table of `n` incidents: PREMISE and UNIT categories, AGE, a minute offset for dates, and the
 * 0/1 target `officer_assaulted` drawn from a logistic model of premise and age; every 25th row has the offence
 * {@link LEAK} and the outcome.
 */
export function riskColumns(n: number, seed: number): ColumnData[] {
  const rng = createRng(seed);
  const premises = Object.keys(PREMISE_EFFECT);
  const id: string[] = [];
  const premise: string[] = [];
  const unit: string[] = [];
  const offense: string[] = [];
  const age = new Float64Array(n);
  const minute = new Int32Array(n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    id.push(`I-${1000 + i}`);
    premise.push(premises[rng.int(premises.length)]);
    unit.push(rng.next() < 0.7 ? "PATROL" : "NARCOTICS");
    age[i] = 18 + rng.int(50);
    minute[i] = i * 97 + rng.int(60);
    const leak = i % 25 === 0;
    offense.push(leak ? LEAK : rng.next() < 0.5 ? "ASSAULT" : "MENACING");
    const z = -1.4 + PREMISE_EFFECT[premise[i]] + 0.03 * (age[i] - 40);
    y[i] = leak || rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return [
    { name: "INCIDENT_NUMBER", type: "VARCHAR", values: id },
    { name: "PREMISE", type: "VARCHAR", values: premise },
    { name: "UNIT", type: "VARCHAR", values: unit },
    { name: "OFFENSE", type: "VARCHAR", values: offense },
    { name: "AGE", type: "DOUBLE", values: age },
    { name: "MINUTE", type: "INTEGER", values: minute },
    { name: "officer_assaulted", type: "INTEGER", values: y },
  ];
}

/** The centres of the three groups of the synthetic segments table (age, visits). */
export const GROUPS = [
  { sex: "F", age: 22, visits: 2 },
  { sex: "M", age: 45, visits: 9 },
  { sex: "M", age: 70, visits: 4 },
];

/** Columns of a segments table: `perGroup` rows around each of {@link GROUPS}, well apart, with the group number. */
export function segmentsColumns(perGroup: number, seed: number): ColumnData[] {
  const rng = createRng(seed);
  const id: number[] = [];
  const sex: string[] = [];
  const age: number[] = [];
  const visits: number[] = [];
  const group: number[] = [];
  GROUPS.forEach((g, k) => {
    for (let i = 0; i < perGroup; ++i) {
      id.push(id.length + 1);
      sex.push(rng.next() < 0.9 ? g.sex : g.sex === "F" ? "M" : "F");
      age.push(g.age + (rng.next() - 0.5) * 6);
      visits.push(g.visits + (rng.next() - 0.5));
      group.push(k);
    }
  });
  return [
    { name: "id", type: "INTEGER", values: id },
    { name: "sex", type: "VARCHAR", values: sex },
    { name: "age", type: "DOUBLE", values: age },
    { name: "visits", type: "DOUBLE", values: visits },
    { name: "group", type: "INTEGER", values: group },
  ];
}

/**
 * An in-memory DuckDB holding `columns` as `table` and, as the runner makes it, the analysis table `_analysis`.
 * `sql` optionally replaces `table` by a query over it (for timestamps, which the column writer does not type).
 */
export async function analysisDb(columns: ColumnData[], options: { table?: string; sql?: string } = {}): Promise<Db> {
  const table = options.table ?? "incidents";
  const db = await Db.open();
  await createTableFromColumns(db, table, columns);
  if (options.sql) await db.exec(`CREATE OR REPLACE TABLE ${table} AS ${options.sql}`);
  await materializeAnalysis(db, table);
  return db;
}

/** What the runner hands a kind, over the analysis table of `db`, with a logger that keeps warnings quietly. */
export function kindInput(db: Db, seed = 7, minCell = 10): KindInput {
  return { db, table: ANALYSIS, file: "study.yaml", logger: new Logger({ silent: true }), seed, minCell };
}

/** A parsed risk study file with the given risk section (defaults filled in by the schema). */
export function riskStudy(risk: Record<string, unknown>): RiskStudySpec {
  const spec = parseStudy(JSON.stringify({ name: "synthetic risk", kind: "risk", sources: { incidents: { path: "x.csv" } }, risk }));
  if (spec.kind !== "risk") throw new Error("expected a risk study");
  return spec;
}

/** A parsed segments study file with the given segments section. */
export function segmentsStudy(segments: Record<string, unknown>): SegmentsStudySpec {
  const spec = parseStudy(
    JSON.stringify({ name: "synthetic segments", kind: "segments", sources: { people: { path: "x.csv" } }, segments }),
  );
  if (spec.kind !== "segments") throw new Error("expected a segments study");
  return spec;
}

/** A stable digest of a table's rows in `_row` order (to show a kind left the analysis table as it was). */
export async function tableDigest(db: Db, table: string): Promise<string> {
  const [r] = await db.query(`SELECT md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY _row)) AS h, count(*)::INTEGER AS n FROM ${table} t`);
  return `${String(r.n)}:${String(r.h)}`;
}
