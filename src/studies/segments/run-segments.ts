import { createTableFromColumns } from "../../data/create-table.js";
import type { Db } from "../../data/Db.js";
import { quoteIdent } from "../../data/Db.js";
import { compareStrings, encodeDense, fitEncoder, type FeatureInput } from "../../features/encode.js";
import type { Matrix } from "../../ml/matrix.js";
import { pca, transformPca } from "../../ml/pca.js";
import type { SegmentsSpec, SegmentsStudySpec } from "./spec.js";
import { UserError } from "../../util/errors.js";
import type { Logger } from "../../util/logger.js";
import { createRng, permutation } from "../../util/random.js";
import { readFeatureInput, requireColumns } from "../analysis-table.js";
import type { DashboardInfo, SegmentsResults } from "../../results/types.js";
import type { FeatureCollection } from "../../report/types.js";
import type { KindInput, KindOutput, OutputFile } from "../kind.js";
import { clusterStudy } from "./cluster-study.js";
import { matchNames } from "./match-names.js";
import { addClusterProbability } from "./row-probability.js";

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

/** The segments study's copy of the analysis table with `_area` and the demographic columns joined. */
const SEGMENTS_INPUT = "_segments_input";

/**
 * Joins area names to boundaries and demographics (normalized names, aliases) into {@link SEGMENTS_INPUT}: the
 * analysis table plus `_area` and the demographic columns; every unmatched name is reported with its row count.
 */
async function joinAreas(db: Db, table: string, areas: NonNullable<SegmentsSpec["areas"]>, where: string, logger: Logger) {
  const from = quoteIdent(table);
  await requireColumns(db, table, [areas.column], `${where}: segments.areas.column`);
  const col = quoteIdent(areas.column);
  const distinct = await db.query(
    `SELECT CAST(${col} AS VARCHAR) AS name, count(*)::INTEGER AS n FROM ${from} WHERE ${col} IS NOT NULL GROUP BY 1 ORDER BY 1`,
  );
  const dataNames = distinct.map((r) => String(r.name));
  const rowsByName = new Map(distinct.map((r) => [String(r.name), Number(r.n)]));
  let boundaryTargets: string[] = [];
  if (areas.boundaries) {
    await requireColumns(db, areas.boundaries, [areas.name_property, "_geometry"], `${where}: segments.areas.boundaries`);
    boundaryTargets = (
      await db.query(
        `SELECT DISTINCT CAST(${quoteIdent(areas.name_property)} AS VARCHAR) AS n FROM ${quoteIdent(areas.boundaries)} ORDER BY 1`,
      )
    ).map((r) => String(r.n));
  }
  const demo = areas.demographics;
  let demoTargets: string[] = [];
  if (demo) {
    await requireColumns(db, demo.table, [demo.key], `${where}: segments.areas.demographics`);
    const exprs = Object.entries(demo.columns).map(([name, expr]) => `CAST((${expr}) AS DOUBLE) AS ${quoteIdent(name)}`);
    try {
      await db.exec(
        `CREATE OR REPLACE TABLE _demo AS SELECT CAST(${quoteIdent(demo.key)} AS VARCHAR) AS _key, ${exprs.join(", ")} FROM ${quoteIdent(demo.table)}`,
      );
    } catch (e) {
      throw new UserError("segments.demographics_sql", `${where}: segments.areas.demographics.columns: ${(e as Error).message}`);
    }
    demoTargets = (await db.query(`SELECT DISTINCT _key FROM _demo WHERE _key IS NOT NULL ORDER BY 1`)).map((r) => String(r._key));
  }
  const primary = boundaryTargets.length ? boundaryTargets : demoTargets;
  const matches = matchNames(dataNames, primary, areas.aliases);
  const demoMatches = demo ? matchNames(dataNames, demoTargets, areas.aliases) : null;
  const unmatched = matches.filter((m) => !m.target).map((m) => ({ name: m.name, rows: rowsByName.get(m.name)! }));
  unmatched.sort((a, b) => b.rows - a.rows || compareStrings(a.name, b.name));
  const [{ nulls }] = await db.query(`SELECT count(*)::INTEGER AS nulls FROM ${from} WHERE ${col} IS NULL`);
  if (unmatched.length) {
    const rows = unmatched.reduce((s, u) => s + u.rows, 0);
    logger.warn({
      code: "segments.unmatched_areas",
      message: `${unmatched.length} ${areas.column} names (${rows} rows) match no area: ${unmatched
        .slice(0, 5)
        .map((u) => `${u.name} (${u.rows})`)
        .join(", ")}${unmatched.length > 5 ? ", …" : ""}; add them to segments.areas.aliases`,
      names: unmatched,
    });
  }
  if (Number(nulls)) logger.warn({ code: "segments.missing_area", message: `${nulls} rows have no ${areas.column}`, rows: Number(nulls) });
  await createTableFromColumns(db, "_area_map", [
    { name: "_name", type: "VARCHAR", values: dataNames },
    { name: "_area", type: "VARCHAR", values: matches.map((m) => m.target) },
    { name: "_demo_key", type: "VARCHAR", values: demoMatches ? demoMatches.map((m) => m.target) : dataNames.map(() => null) },
  ]);
  const demoCols = demo
    ? Object.keys(demo.columns)
        .map((c) => `d.${quoteIdent(c)}`)
        .join(", ")
    : "";
  await db.exec(
    `CREATE OR REPLACE TABLE ${SEGMENTS_INPUT} AS SELECT a.*, m._area${demoCols ? ", " + demoCols : ""} FROM ${from} a
     LEFT JOIN _area_map m ON CAST(a.${col} AS VARCHAR) = m._name ${demo ? "LEFT JOIN _demo d ON m._demo_key = d._key" : ""} ORDER BY a._row`,
  );
  const matchedRows = matches.filter((m) => m.target).reduce((s, m) => s + rowsByName.get(m.name)!, 0);
  logger.info(`  areas: ${matches.length - unmatched.length} of ${matches.length} ${areas.column} names matched (${matchedRows} rows)`);
  return { matched: matchedRows, unmatched, columns: ["_area", ...(demo ? Object.keys(demo.columns) : [])] };
}

/** The segments study: k-means over a k range, a chosen k, profiles, stability, method comparison and area shares. */
export async function runSegments(kindInput: KindInput, study: SegmentsStudySpec): Promise<KindOutput<SegmentsResults>> {
  const { db, file: where, logger, seed } = kindInput;
  const spec = study.segments;
  const areaInfo = spec.areas ? await joinAreas(db, kindInput.table, spec.areas, where, logger) : undefined;
  const table = areaInfo ? SEGMENTS_INPUT : kindInput.table;
  const input: FeatureInput = await readFeatureInput(db, table, spec.features, `${where}: segments.features`, { logger });
  const describe = spec.describe.length
    ? await readFeatureInput(
        db,
        table,
        { ...spec.features, categorical: spec.describe, numeric: [], dates: [] },
        `${where}: segments.describe`,
      )
    : null;
  const dist = spec.distribution
    ? (
        await readFeatureInput(
          db,
          table,
          { ...spec.features, categorical: [], numeric: [spec.distribution], dates: [] },
          `${where}: segments.distribution`,
        )
      ).numeric[spec.distribution]
    : null;
  const encoded = fitEncoder(input, {
    minFrequency: spec.features.min_frequency,
    missingCategorical: spec.features.missing.categorical,
    missingNumeric: spec.features.missing.numeric,
    excludeValues: spec.features.exclude_values,
    standardize: spec.standardize,
  });
  for (const [reason, count] of Object.entries(encoded.dropped))
    logger.warn({ code: "data.rows_dropped", message: `${count} rows dropped: ${reason}`, reason, rows: count });
  const keep = encoded.keep;
  const n = keep.length;
  const { X } = encodeDense(encoded.encoder, input, keep);
  const names = encoded.encoder.features.map((f) => f.name);
  if (!names.length)
    throw new UserError("study.no_features", `${where}: segments.features lists no columns; add categorical or numeric columns`);
  const kMax = spec.k.fixed ?? spec.k.max;
  if (n <= kMax)
    throw new UserError(
      "segments.k_too_large",
      `${where}: k up to ${kMax} needs more than ${kMax} rows, but only ${n} rows remain; lower segments.k.max`,
    );
  logger.info(`segments: ${n.toLocaleString("en-US")} rows, ${names.length} features${spec.pca ? ", PCA" : ""}`);

  const areaColumns = new Set([...(areaInfo?.columns ?? []), ...(spec.areas ? [spec.areas.column] : [])]);
  const study_ = clusterStudy({
    spec,
    where,
    seed,
    minCell: study.report.min_cell,
    logger,
    input,
    encoder: encoded.encoder,
    keep,
    X,
    names,
    areaColumns,
    describe,
    dist,
  });
  const { k, pca: pcaInfo } = study_.results;
  const finalLabels = study_.labels;
  const Z = study_.Z;

  const full = new Float64Array(await rowCount(db, table)).fill(NaN);
  for (let r = 0; r < keep.length; ++r) full[keep[r]] = finalLabels[r];
  let rowOutput = await writeRowOutput(db, table, areaInfo?.columns ?? [], full);
  if (study_.probability) {
    const probability = new Float64Array(full.length).fill(NaN);
    for (let r = 0; r < keep.length; ++r) probability[keep[r]] = study_.probability[r];
    rowOutput = await addClusterProbability(db, rowOutput, probability);
  }

  let areasOut: SegmentsResults["areas"];
  const dashboard: Partial<DashboardInfo> = {};
  const files: OutputFile[] = [];
  let areaShapes: FeatureCollection | undefined;
  if (spec.areas && areaInfo) {
    if (spec.areas.boundaries) {
      areaShapes = await areaShares(db, rowOutput, spec.areas.boundaries, spec.areas.name_property, k);
      files.push({ name: "areas.geojson", text: JSON.stringify(areaShapes) });
      dashboard.areas = { file: "areas.geojson", name_property: "name", column: "_area" };
    }
    areasOut = {
      column: spec.areas.column,
      matched: areaInfo.matched,
      unmatched: areaInfo.unmatched,
      file: spec.areas.boundaries ? "areas.geojson" : "",
    };
  }
  const sample = pcaSample(Z, pcaInfo ? null : X, finalLabels, seed);
  return {
    results: {
      ...study_.results,
      ...(areasOut ? { areas: areasOut } : {}),
      pca_sample: sample,
      data: { rows: n, features: names.length, dropped: encoded.dropped, missing: encoded.missing },
    },
    rowOutput: { table: rowOutput },
    design: { X, names, keep, ...(spec.id ? { id: spec.id } : {}) },
    files,
    dashboard: { dimensions: [{ column: "_cluster", label: "cluster", kind: "cluster" }], ...dashboard },
    ...(areaShapes ? { report: { areas: areaShapes } } : {}),
  };
}

async function rowCount(db: Db, table: string): Promise<number> {
  const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM ${quoteIdent(table)}`);
  return Number(n);
}

/** `_segments_rows`: each analysis row's joined area columns and cluster, for prepared.parquet and the area map. */
async function writeRowOutput(db: Db, table: string, areaColumns: string[], clusters: Float64Array): Promise<string> {
  const out = "_segments_rows";
  await createTableFromColumns(db, "_segments_clusters", [
    { name: "_row", type: "INTEGER", values: Int32Array.from(clusters.keys()) },
    { name: "_cluster", type: "INTEGER", values: clusters },
  ]);
  const extra = areaColumns.map((c) => `a.${quoteIdent(c)}, `).join("");
  await db.exec(
    `CREATE OR REPLACE TABLE ${out} AS SELECT c._row, ${extra}c._cluster FROM _segments_clusters c JOIN ${quoteIdent(table)} a USING (_row) ORDER BY c._row`,
  );
  return out;
}

/** Up to 2,000 rows projected on the first two principal components, for the scatter chart. */
function pcaSample(Z: Matrix, X: Matrix | null, labels: Int32Array, seed: number) {
  let P = Z;
  if (X) {
    const model = pca(X, { components: Math.min(2, X.cols) });
    P = transformPca(model, X);
  }
  const order = permutation(P.rows, createRng(seed + 17));
  const m = Math.min(2000, P.rows);
  const rows = Array.from(order.subarray(0, m)).sort((a, b) => a - b);
  return rows.map((i) => ({
    pc1: round(P.data[i * P.cols], 4),
    pc2: P.cols > 1 ? round(P.data[i * P.cols + 1], 4) : 0,
    cluster: labels[i],
  }));
}

/** Boundaries with per-area row counts and cluster shares, as GeoJSON for the maps. */
async function areaShares(db: Db, rows: string, boundaries: string, nameProperty: string, k: number): Promise<FeatureCollection> {
  const counts = await db.query(
    `SELECT _area AS area, _cluster AS cluster, count(*)::INTEGER AS n FROM ${rows} WHERE _area IS NOT NULL AND _cluster IS NOT NULL GROUP BY 1, 2`,
  );
  const byArea = new Map<string, number[]>();
  for (const r of counts) {
    const a = String(r.area);
    if (!byArea.has(a)) byArea.set(a, new Array(k).fill(0));
    byArea.get(a)![Number(r.cluster)] += Number(r.n);
  }
  const shapes = await db.query(
    `SELECT CAST(${quoteIdent(nameProperty)} AS VARCHAR) AS name, _geometry FROM ${quoteIdent(boundaries)} ORDER BY _feature`,
  );
  const features = shapes.map((s) => {
    const c = byArea.get(String(s.name)) ?? new Array(k).fill(0);
    const total = c.reduce((a, v) => a + v, 0);
    const props: Record<string, unknown> = { name: s.name, rows: total };
    let dom = -1;
    for (let j = 0; j < k; ++j) {
      props[`share_${j}`] = total ? round(c[j] / total, 4) : null;
      props[`count_${j}`] = c[j];
      if (total && (dom < 0 || c[j] > c[dom])) dom = j;
    }
    props.dominant = dom < 0 ? null : dom;
    return { type: "Feature", properties: props, geometry: JSON.parse(String(s._geometry)) };
  });
  return { type: "FeatureCollection", features } as FeatureCollection;
}
