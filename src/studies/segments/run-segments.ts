import { createTableFromColumns } from "../../data/create-table.js";
import type { Db } from "../../data/Db.js";
import { countRowsSql } from "../../data/sql/tables.js";
import { compareStrings, encodeDense, fitEncoder, type FeatureInput } from "../../features/encode.js";
import type { Matrix } from "../../ml/matrix.js";
import { pca, transformPca } from "../../ml/pca.js";
import type { SegmentsSpec, SegmentsStudySpec } from "./spec.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import type { Logger } from "../../util/logger.js";
import { createRng, permutation } from "../../util/random.js";
import { readFeatureInput, requireColumns } from "../analysis-table.js";
import type { DashboardInfo, ComputedSegmentsResults as SegmentsResults } from "../../results/types.js";
import type { FeatureCollection } from "../../report/types.js";
import type { KindInput, KindOutput, OutputFile } from "../kind.js";
import { clusterStudy } from "./cluster-study.js";
import { matchNames } from "./match-names.js";
import {
  areaClusterCountsSql,
  areaJoinSql,
  areaNamesSql,
  boundaryNamesSql,
  boundaryShapesSql,
  demographicKeysSql,
  demographicsSql,
  missingAreaSql,
  segmentRowsSql,
} from "./sql.js";
import { addClusterProbability } from "./row-probability.js";

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

/** The segments study's copy of the analysis table with `_area` and the demographic columns joined. */
const SEGMENTS_INPUT = "_segments_input";
/** Scratch tables of the area join: the demographics as computed, and the area-name map. */
const DEMOGRAPHICS = "_demo";
const AREA_MAP = "_area_map";
/** The cluster of each analysis row, and that joined to the area columns (the kind's per-row output). */
const CLUSTERS = "_segments_clusters";
const SEGMENT_ROWS = "_segments_rows";

/**
 * Joins area names to boundaries and demographics (normalized names, aliases) into {@link SEGMENTS_INPUT}: the
 * analysis table plus `_area` and the demographic columns; every unmatched name is reported with its row count.
 */
async function joinAreas(db: Db, table: string, areas: NonNullable<SegmentsSpec["areas"]>, where: string, logger: Logger) {
  await requireColumns(db, table, [areas.column], `${where}: segments.areas.column`);
  const distinct = await db.query(areaNamesSql(table, areas.column));
  const dataNames = distinct.map((r) => r.name as string);
  const rowsByName = new Map(distinct.map((r) => [r.name as string, Number(r.n)]));
  let boundaryTargets: string[] = [];
  if (areas.boundaries) {
    await requireColumns(db, areas.boundaries, [areas.name_property, "_geometry"], `${where}: segments.areas.boundaries`);
    boundaryTargets = (await db.query(boundaryNamesSql(areas.boundaries, areas.name_property))).map((r) => String(r.n as string | null));
  }
  const demo = areas.demographics;
  let demoTargets: string[] = [];
  if (demo) {
    await requireColumns(db, demo.table, [demo.key], `${where}: segments.areas.demographics`);
    try {
      await db.exec(demographicsSql(DEMOGRAPHICS, demo.table, demo.key, demo.columns));
    } catch (e) {
      throw new UserError("segments.demographics_sql", msg.demographicsFailed(where, (e as Error).message));
    }
    demoTargets = (await db.query(demographicKeysSql(DEMOGRAPHICS))).map((r) => r._key as string);
  }
  const primary = boundaryTargets.length ? boundaryTargets : demoTargets;
  const matches = matchNames(dataNames, primary, areas.aliases);
  const demoMatches = demo ? matchNames(dataNames, demoTargets, areas.aliases) : null;
  const unmatched = matches.filter((m) => !m.target).map((m) => ({ name: m.name, rows: rowsByName.get(m.name) ?? 0 }));
  unmatched.sort((a, b) => b.rows - a.rows || compareStrings(a.name, b.name));
  const nulls = Number((await db.query(missingAreaSql(table, areas.column)))[0].nulls);
  if (unmatched.length) {
    logger.warn({
      code: "segments.unmatched_areas",
      message: msg.unmatchedAreas(areas.column, unmatched),
      names: unmatched,
    });
  }
  if (nulls) logger.warn({ code: "segments.missing_area", message: msg.missingArea(nulls, areas.column), rows: nulls });
  await createTableFromColumns(db, AREA_MAP, [
    { name: "_name", type: "VARCHAR", values: dataNames },
    { name: "_area", type: "VARCHAR", values: matches.map((m) => m.target) },
    { name: "_demo_key", type: "VARCHAR", values: demoMatches ? demoMatches.map((m) => m.target) : dataNames.map(() => null) },
  ]);
  await db.exec(
    areaJoinSql(SEGMENTS_INPUT, {
      table,
      column: areas.column,
      areaMap: AREA_MAP,
      ...(demo ? { demographics: { table: DEMOGRAPHICS, columns: Object.keys(demo.columns) } } : {}),
    }),
  );
  const matchedRows = matches.filter((m) => m.target).reduce((s, m) => s + (rowsByName.get(m.name) ?? 0), 0);
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
    fold: spec.features.fold,
    standardize: spec.standardize,
  });
  for (const [reason, count] of Object.entries(encoded.dropped))
    logger.warn({ code: "data.rows_dropped", message: msg.rowsDropped(count, reason), reason, rows: count });
  const keep = encoded.keep;
  const n = keep.length;
  const { X } = encodeDense(encoded.encoder, input, keep);
  const names = encoded.encoder.features.map((f) => f.name);
  if (!names.length) throw new UserError("study.no_features", msg.segmentsNoFeatures(where));
  const kMax = spec.k.fixed ?? spec.k.max;
  if (n <= kMax) throw new UserError("segments.k_too_large", msg.kTooLarge(where, kMax, n));
  logger.info(`segments: ${n.toLocaleString("en-US")} rows, ${names.length} features${spec.pca ? ", PCA" : ""}`);

  const areaColumns = new Set([...(areaInfo?.columns ?? []), ...(spec.areas ? [spec.areas.column] : [])]);
  const study_ = clusterStudy({
    spec,
    where,
    seed,
    minCell: kindInput.minCell,
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
  const [{ n }] = await db.query(countRowsSql(table));
  return Number(n);
}

/** `_segments_rows`: each analysis row's joined area columns and cluster, for prepared.parquet and the area map. */
async function writeRowOutput(db: Db, table: string, areaColumns: string[], clusters: Float64Array): Promise<string> {
  await createTableFromColumns(db, CLUSTERS, [
    { name: "_row", type: "INTEGER", values: Int32Array.from(clusters.keys()) },
    { name: "_cluster", type: "INTEGER", values: clusters },
  ]);
  await db.exec(segmentRowsSql(SEGMENT_ROWS, CLUSTERS, table, areaColumns));
  return SEGMENT_ROWS;
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
  const counts = await db.query(areaClusterCountsSql(rows));
  const byArea = new Map<string, number[]>();
  for (const r of counts) {
    const a = String(r.area);
    let c = byArea.get(a);
    if (!c) byArea.set(a, (c = new Array<number>(k).fill(0)));
    c[Number(r.cluster)] += Number(r.n);
  }
  const shapes = await db.query(boundaryShapesSql(boundaries, nameProperty));
  const features = shapes.map((s) => {
    const c = byArea.get(String(s.name)) ?? new Array<number>(k).fill(0);
    const total = c.reduce((a, v) => a + v, 0);
    const props: Record<string, unknown> = { name: s.name, rows: total };
    let dom = -1;
    for (let j = 0; j < k; ++j) {
      props[`share_${j}`] = total ? round(c[j] / total, 4) : null;
      props[`count_${j}`] = c[j];
      if (total && (dom < 0 || c[j] > c[dom])) dom = j;
    }
    props.dominant = dom < 0 ? null : dom;
    return { type: "Feature", properties: props, geometry: JSON.parse(String(s._geometry)) as unknown };
  });
  return { type: "FeatureCollection", features } as FeatureCollection;
}
