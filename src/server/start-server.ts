import { createHash, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { Db } from "../data/Db.js";
import { DbPool, defaultPoolSize } from "../data/db-pool.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import type {
  CalibrationResponse,
  DimensionView,
  DistributionResponse,
  FilterValue,
  Filters,
  FlaggingResponse,
  PointsResponse,
  QueryResponse,
  RangeFilter,
  RecordsResponse,
  TableResponse,
} from "./api-types.js";
import {
  calibrationBins,
  distributionBins,
  flaggingPoints,
  gridCells,
  groupedRows,
  histogramBins,
  orderByCount,
  publishRow,
  readCell,
  tableRows,
} from "./answers.js";
import {
  calibrationBinsQuery,
  FLAG_PERCENTS,
  flaggedCounts,
  flaggingBandsQuery,
  flaggingCountQuery,
  flaggingCutsQuery,
  flaggingRows,
  recordsQuery,
  tableQuery,
} from "./risk-sql.js";
import { dimensionKey, loadRuns, type Run } from "./load-runs.js";
import { CONTENT_TYPES, resolveStaticPath } from "./resolve-static-path.js";
import { binEdges, checkRanges, distributionQuery, rangeSql } from "./ranges.js";
import { RunIndex } from "./run-index.js";
import { AnswerCache } from "./answer-cache.js";
import { andWhere, ApiError, gridQuery, groupQuery, histogramQuery, measures, whereClause, type SqlQuery } from "./sql.js";

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Results folders (or folders of results folders) to serve. */
  dirs: string[];
  /** TCP port; 0 picks a free one. Default 5173. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1; any non-loopback host requires `token`. */
  host?: string;
  /** Shared secret every request must carry as `Authorization: Bearer TOKEN` or `?token=TOKEN`. */
  token?: string;
  /** Folder of the built front end. Default: `web/dist` of this package. */
  webRoot?: string;
  /** Receives one line per unexpected server error (default: stderr). */
  log?: (line: string) => void;
  /**
   * Serve only what is safe to publish (`--public`): runs whose disclosure policy turns protection off are refused
   * and report.html is served only when the disclosure audit of its tables (`auditHtml`) finds no small count. Every API answer goes through
   * the policy in either mode, and no private file (prepared.parquet, features.parquet, model.json) is ever served.
   */
  public?: boolean;
  /**
   * Connections of the server's one DuckDB instance that answer queries at the same time (default: 2 to 4, from the
   * cores; `defaultPoolSize`). 1 answers one query at a time.
   */
  connections?: number;
  /** Keep answers by request and answer an identical request from them (default true; `AnswerCache`). */
  cache?: boolean;
  /**
   * Answer filter changes from each run's in-memory index of typed columns (run-index.ts; default true) instead of
   * SQL over its table. The answers are the same; false serves every answer from SQL.
   */
  index?: boolean;
}

/** A running dashboard server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:5173/` (without the token). */
  url: string;
  /** Ids of the runs answered from their in-memory index (run-index.ts); the others are answered from SQL. */
  indexed: readonly string[];
  /** Stops listening, waits for the queries in flight, and closes the database. */
  close(): Promise<void>;
}

const BODY_LIMIT = 64 * 1024;

const filterValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
const filtersSchema = z
  .record(z.string().max(300), z.array(filterValue).max(2000))
  .refine((f) => Object.keys(f).length <= 64, "at most 64 filtered columns")
  .optional();
const rangeBound = z.union([z.number(), z.string().max(10)]);
/** Half-open range filters [min, max), at most one per column (checked against the run in `checkRanges`). */
const rangesSchema = z
  .array(z.strictObject({ column: z.string().max(300), min: rangeBound, max: rangeBound }))
  .max(16)
  .optional();
const kindSchema = z.enum(["category", "year", "month", "weekday", "hour", "cluster"]);
const groupSchema = z.union([z.string().max(300), z.tuple([kindSchema, z.string().max(300)])]);
const querySchema = z.strictObject({
  filters: filtersSchema,
  ranges: rangesSchema,
  group_by: groupSchema.optional(),
  by_cluster: z.boolean().optional(),
});
const histogramSchema = z.strictObject({ filters: filtersSchema, ranges: rangesSchema, bins: z.number().int().min(2).max(100).optional() });
const pointsSchema = z.strictObject({ filters: filtersSchema, ranges: rangesSchema });
const riskSchema = z.strictObject({ filters: filtersSchema, ranges: rangesSchema });
const tableSchema = z.strictObject({
  filters: filtersSchema,
  ranges: rangesSchema,
  group_by: z.array(groupSchema).min(1).max(4),
});
/** Most combinations a drill-down table answers (the product of its dimensions' values). */
export const MAX_TABLE_ROWS = 20_000;
const recordsSchema = z.strictObject({
  filters: filtersSchema,
  ranges: rangesSchema,
  sort: z.strictObject({ column: z.string().max(300), desc: z.boolean().optional() }).optional(),
  offset: z.number().int().min(0).max(100_000_000).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});
const areasSchema = z.strictObject({ filters: filtersSchema, ranges: rangesSchema });
const distributionSchema = z.strictObject({
  filters: filtersSchema,
  ranges: rangesSchema,
  column: z.string().max(300),
  unit: z.enum(["week", "month"]).optional(),
  by_cluster: z.boolean().optional(),
});

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body === undefined ? {} : body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? ` at ${issue.path.map(String).join(".")}` : "";
    throw new ApiError(400, `invalid request body${where}: ${issue.message}`);
  }
  return r.data;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

function defaultWebRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../web/dist");
}

const sameFilterValue = (a: FilterValue, b: FilterValue): boolean => a === b || (a !== null && b !== null && String(a) === String(b));

/** A record's value as JSON: timestamps as ISO text, anything else that is not a plain value as text. */
function recordValue(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return Number(v);
  return JSON.stringify(v);
}

/**
 * The area GeoJSON as the dashboard needs it: each feature's geometry and name only. Counts per area come from the
 * API through the policy, so none of the file's own properties are passed on.
 */
async function areaShapes(file: string, nameProperty: string): Promise<string> {
  const fc = JSON.parse(await readFile(file, "utf8")) as {
    features?: { properties?: Record<string, unknown> | null; geometry?: unknown }[];
  };
  const features = (fc.features ?? []).map((f) => ({
    type: "Feature",
    properties: { [nameProperty]: f.properties?.[nameProperty] ?? null },
    geometry: f.geometry ?? null,
  }));
  return JSON.stringify({ type: "FeatureCollection", features });
}

/**
 * Starts the dashboard server over results folders: a JSON API backed by an in-memory DuckDB with one table per
 * run read from its prepared.parquet (the folders are only read), queried on a pool of connections of that one
 * instance (`connections`) so that concurrent requests are answered at the same time, every answer passed through the run's
 * disclosure policy (docs/disclosure.md), and the built front end from `web/dist`.
 * Rejects with a UserError when a folder is not a results folder, the port is taken, or a non-loopback host is
 * asked for without a token.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { dirs, port = 5173, host = "127.0.0.1", token } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  if (!isLoopback(host) && !token) {
    throw new UserError("serve.token", msg.serveNeedsToken(host));
  }
  if (token !== undefined && token.length < 8) throw new UserError("serve.token", msg.serveTokenTooShort());
  if (!dirs.length) throw new UserError("serve.dir", msg.serveNoFolder());
  const webRoot = resolve(options.webRoot ?? defaultWebRoot());

  const connections = options.connections ?? defaultPoolSize();
  if (!Number.isInteger(connections) || connections < 1 || connections > 64)
    throw new UserError("serve.connections", msg.serveConnections(String(connections)));

  const db = await Db.open();
  let runs: Run[];
  let pool: DbPool;
  /** Each run's in-memory index, when the server answers from them. */
  const indexes = new Map<Run, RunIndex>();
  /** Runs one query on a free connection of the pool. */
  const query = (sql: string, params: unknown[]) => pool.use((c) => c.query(sql, params));
  try {
    // The runs' tables are made once on the first connection, in the instance's catalog, so every connection of
    // the pool reads them; nothing writes to them afterwards.
    runs = await loadRuns(db, dirs, { public: options.public });
    pool = await DbPool.open(db, connections);
    if (options.index !== false) {
      for (const run of runs) {
        const index = await RunIndex.build(db, run, query);
        if (index) indexes.set(run, index);
      }
    }
  } catch (e) {
    await db.close();
    throw e;
  }
  const byId = new Map(runs.map((r) => [r.summary.id, r]));
  const answers = options.cache === false ? undefined : new AnswerCache();
  /**
   * A POST endpoint of a run whose answers are kept by request (run, endpoint, body): the tables are read-only and
   * each answer a function of its request, so a repeated request is answered as before without a query.
   */
  const answer = <T>(what: string, handler: (req: FastifyRequest) => Promise<T>) =>
    app.post(`/api/runs/:id/${what}`, (req) => {
      if (!answers) return handler(req);
      const key = `${(req.params as { id: string }).id}\n${what}\n${JSON.stringify(req.body ?? null)}`;
      return answers.get(key, () => handler(req));
    });
  const sqlRows = (q: SqlQuery) => query(q.sql, q.params);
  const tokenDigest = token === undefined ? undefined : digest(token);

  const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false, routerOptions: { maxParamLength: 200 } });

  app.addHook("onRequest", async (req, reply) => {
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("Referrer-Policy", "no-referrer");
    reply.header("X-Frame-Options", "DENY");
    if (tokenDigest) {
      const auth = req.headers.authorization;
      const fromHeader = typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice(7) : undefined;
      const q = (req.query as Record<string, unknown> | undefined)?.token;
      const given = fromHeader ?? (typeof q === "string" ? q : undefined);
      if (given === undefined || !timingSafeEqual(digest(given), tokenDigest)) {
        return reply.code(401).send({ error: "missing or wrong token: send Authorization: Bearer TOKEN or ?token=TOKEN" });
      }
    } else if (!isLoopback(req.hostname)) {
      // Without a token only loopback Host headers are served, which defeats DNS rebinding.
      return reply.code(403).send({ error: "this dashboard only answers requests addressed to localhost" });
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).send({ error: error.message });
    const status = error.statusCode;
    if (status && status >= 400 && status < 500) {
      const message = error.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? `request body larger than ${BODY_LIMIT} bytes` : error.message;
      return reply.code(status).send({ error: message });
    }
    log(`openbeat serve: ${error.message}`);
    return reply.code(500).send({ error: "internal server error" });
  });

  const runOf = (req: FastifyRequest): Run => {
    const id = (req.params as { id: string }).id;
    const run = byId.get(id);
    if (!run) throw new ApiError(404, `unknown run: ${JSON.stringify(id)}`);
    return run;
  };

  const resolveGroup = (run: Run, group: string | [DimensionView["kind"], string]): DimensionView => {
    const key = typeof group === "string" ? group : dimensionKey(group[0], group[1]);
    const d = run.dimensions.get(key);
    if (!d || (typeof group !== "string" && d.kind !== group[0]))
      throw new ApiError(400, `unknown group_by column: ${JSON.stringify(group)}`);
    return d;
  };

  /**
   * The WHERE clause of a request's filters and ranges (with the ranges as checked), refused beyond the policy's
   * number of filtered dimensions (a range counts as one).
   * @param except dimension key left out
   * @param exceptRange range column left out (still validated)
   */
  const filtersOf = (run: Run, filters: Filters | undefined, ranges: RangeFilter[] | undefined, except?: string, exceptRange?: string) => {
    const given = [
      ...Object.entries(filters ?? {})
        .filter(([, v]) => v.length > 0)
        .map(([k]) => k),
      ...(ranges ?? []).map((r) => r.column),
    ];
    const max = run.policy.dashboard.max_filters;
    if (given.length > max) {
      throw new ApiError(
        400,
        `at most ${max} filtered dimension${max === 1 ? "" : "s"} at once (disclosure.dashboard.max_filters); this request filters ${given.length}: ${given.join(", ")}`,
      );
    }
    const checked = checkRanges(ranges ?? [], run.ranges, exceptRange);
    return { where: andWhere(whereClause(filters ?? {}, run.dimensions, except), rangeSql(checked)), checked };
  };

  /**
   * A request's filters and ranges checked once ({@link filtersOf}): their WHERE clause, and the rows they select in
   * the run's index (`ix`, undefined when the run is served from SQL only).
   * @param exceptRange range column left out (a chart is not filtered by its own range)
   */
  const selectionOf = async (run: Run, filters: Filters | undefined, ranges: RangeFilter[] | undefined, exceptRange?: string) => {
    const { where, checked } = filtersOf(run, filters, ranges, undefined, exceptRange);
    const index = indexes.get(run);
    return { where, ix: index ? { index, keep: await index.select(filters ?? {}, checked) } : undefined };
  };

  const shapeOf = (run: Run) => ({ target: !!run.target, score: run.hasScore });
  const clusterIds = (run: Run) => (run.clusterColumn ? (run.domains.get(run.clusterColumn) ?? []).filter((c) => c !== null) : []);

  /** Grouped counts of one dimension (and per cluster), one row per value of its domain, through the policy. */
  const grouped = async (
    run: Run,
    filters: Filters | undefined,
    ranges: RangeFilter[] | undefined,
    group: DimensionView,
    byCluster: boolean,
  ): Promise<QueryResponse["rows"]> => {
    const { where, ix } = await selectionOf(run, filters, ranges);
    const cluster = byCluster ? run.clusterColumn : undefined;
    const raw = ix
      ? ix.index.grouped(ix.keep, group, cluster)
      : await sqlRows(groupQuery({ view: run.view, where, group, clusterColumn: cluster, target: run.target, hasScore: run.hasScore }));
    const rows = groupedRows(raw, run.domains.get(group.key) ?? [], shapeOf(run), run.policy, byCluster ? clusterIds(run) : undefined);
    return group.kind === "category" ? orderByCount(rows) : rows;
  };

  app.get("/api/runs", () => Promise.resolve({ runs: runs.map((r) => r.summary) }));

  answer("query", async (req): Promise<QueryResponse> => {
    const run = runOf(req);
    const body = parseBody(querySchema, req.body);
    const group = body.group_by === undefined ? undefined : resolveGroup(run, body.group_by);
    if (group) {
      const byCluster = !!body.by_cluster && !!run.clusterColumn && group.column !== run.clusterColumn;
      return { rows: await grouped(run, body.filters, body.ranges, group, byCluster) };
    }
    const byCluster = !!body.by_cluster && !!run.clusterColumn;
    const { where, ix } = await selectionOf(run, body.filters, body.ranges);
    const cluster = byCluster ? run.clusterColumn : undefined;
    const raw = ix
      ? ix.index.grouped(ix.keep, undefined, cluster)
      : await sqlRows(groupQuery({ view: run.view, where, clusterColumn: cluster, target: run.target, hasScore: run.hasScore }));
    if (byCluster) return { rows: groupedRows(raw, [null], shapeOf(run), run.policy, clusterIds(run)) };
    const cell = raw.length ? readCell(raw[0]) : { n: 0, ck: 0 };
    return { rows: [publishRow(null, cell, shapeOf(run), run.policy)] };
  });

  answer("histogram", async (req) => {
    const run = runOf(req);
    if (!run.hasScore) throw new ApiError(400, "this run has no scores (_score); only risk studies have a score histogram");
    const body = parseBody(histogramSchema, req.body);
    const bins = body.bins ?? 20;
    const { where, ix } = await selectionOf(run, body.filters, body.ranges);
    const raw = ix ? ix.index.histogram(ix.keep, bins) : await sqlRows(histogramQuery(run.view, where, bins, run.target));
    return { bins: histogramBins(raw, bins, !!run.target, run.policy) };
  });

  /** A risk run's scored rows with a target, or a 400 naming what is missing. */
  const riskRun = (run: Run, what: string): { target: string; edges: number[] } => {
    if (!run.hasScore || !run.target || !run.calibrationEdges)
      throw new ApiError(400, `this run has no scores (_score) and target; only risk studies have a ${what}`);
    return { target: run.target, edges: run.calibrationEdges };
  };

  answer("calibration", async (req): Promise<CalibrationResponse> => {
    const run = runOf(req);
    const { target, edges } = riskRun(run, "calibration curve");
    const body = parseBody(riskSchema, req.body);
    const { where, ix } = await selectionOf(run, body.filters, body.ranges);
    const raw = ix ? ix.index.calibration(ix.keep) : await sqlRows(calibrationBinsQuery(run.view, where, target));
    return { calibrated: run.calibrated, ...calibrationBins(raw, edges, run.policy) };
  });

  answer("flagging", async (req): Promise<FlaggingResponse> => {
    const run = runOf(req);
    const { target } = riskRun(run, "flagging chart");
    const body = parseBody(riskSchema, req.body);
    const { where, ix } = await selectionOf(run, body.filters, body.ranges);
    if (ix) return flaggingPoints(flaggingRows(ix.index.flaggingBands(ix.keep)), FLAG_PERCENTS, run.policy);
    // Three scans on one connection, none of them a sort (risk-sql.ts).
    const raw = await pool.use(async (c) => {
      const count = flaggingCountQuery(run.view, where);
      const n = Number((await c.query(count.sql, count.params))[0]?.n ?? 0);
      if (n === 0) return [];
      const counts = flaggedCounts(n);
      const cutsQuery = flaggingCutsQuery(run.view, where, n, counts);
      const cuts = ((await c.query(cutsQuery.sql, cutsQuery.params))[0]?.cuts as unknown[]).map(Number);
      const bands = flaggingBandsQuery(run.view, where, cuts, target);
      return flaggingRows(await c.query(bands.sql, bands.params));
    });
    return flaggingPoints(raw, FLAG_PERCENTS, run.policy);
  });

  answer("table", async (req): Promise<TableResponse> => {
    const run = runOf(req);
    const body = parseBody(tableSchema, req.body);
    const groups = body.group_by.map((g) => resolveGroup(run, g));
    const keys = new Set(groups.map((g) => g.key));
    if (keys.size !== groups.length) throw new ApiError(400, "group_by names a dimension twice");
    // The cells are the records of every filtered and every grouped dimension at once: at most max_filters + 1 of
    // them, the sets a grouped query under max_filters filters answers.
    const constrained = new Set([
      ...Object.entries(body.filters ?? {})
        .filter(([, v]) => v.length > 0)
        .map(([k]) => k),
      ...(body.ranges ?? []).map((r) => `range:${r.column}`),
      ...keys,
    ]);
    const max = run.policy.dashboard.max_filters + 1;
    if (constrained.size > max)
      throw new ApiError(
        400,
        `a table may filter and group at most ${max} dimensions together (disclosure.dashboard.max_filters + 1); this one has ${constrained.size}`,
      );
    const { where, ix } = await selectionOf(run, body.filters, body.ranges);
    const domains = groups.map((g) => {
      const all = run.domains.get(g.key) ?? [];
      const chosen = body.filters?.[g.key] ?? [];
      // A filtered dimension lists its selected values only (the others have no records under the filter).
      return chosen.length ? all.filter((v) => chosen.some((c) => sameFilterValue(c, v))) : all;
    });
    const size = domains.reduce((p, d) => p * Math.max(1, d.length), 1);
    if (size > MAX_TABLE_ROWS)
      throw new ApiError(400, `this table would have ${size} rows (at most ${MAX_TABLE_ROWS}); group by fewer or smaller dimensions`);
    const raw =
      (ix && ix.index.table(ix.keep, groups)) ??
      (await sqlRows(tableQuery({ view: run.view, where, groups, target: run.target, hasScore: run.hasScore })));
    return { groups, rows: tableRows(raw, domains, shapeOf(run), run.policy) };
  });

  answer("records", async (req): Promise<RecordsResponse> => {
    const run = runOf(req);
    if (!run.policy.row_level)
      throw new ApiError(
        403,
        "record-level output is off for this run (disclosure.row_level is false); the drill-down shows the table of the filtered groups instead",
      );
    const body = parseBody(recordsSchema, req.body);
    const columns = run.recordColumns;
    if (body.sort && !columns.includes(body.sort.column))
      throw new ApiError(400, `unknown sort column: ${JSON.stringify(body.sort.column)}`);
    const where = filtersOf(run, body.filters, body.ranges).where;
    const offset = body.offset ?? 0;
    const q = recordsQuery({
      view: run.view,
      where,
      columns,
      sort: body.sort ? { column: body.sort.column, desc: !!body.sort.desc } : undefined,
      offset,
      limit: body.limit ?? 50,
    });
    const count = groupQuery({ view: run.view, where, hasScore: false });
    const [rows, totals] = await Promise.all([query(q.sql, q.params), query(count.sql, count.params)]);
    return {
      columns,
      rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c, recordValue(r[c])]))),
      total: Number(totals[0]?.count ?? 0),
      offset,
    };
  });

  answer("points", async (req): Promise<PointsResponse> => {
    const run = runOf(req);
    if (!run.points) throw new ApiError(400, "this run has no point coordinates (dashboard.points)");
    if (!run.grid) {
      throw new ApiError(
        403,
        "the point map is off for this run (disclosure.points is false); set disclosure: { points: { grid_m: 500 } } in the study file and rerun to allow a gridded map",
      );
    }
    const body = parseBody(pointsSchema, req.body);
    const q = gridQuery({
      view: run.view,
      where: filtersOf(run, body.filters, body.ranges).where,
      lat: run.points.lat,
      lon: run.points.lon,
      grid: run.grid,
    });
    const raw = await query(q.sql, q.params);
    return { grid_m: run.grid.grid_m, ...gridCells(raw, run.grid, run.policy) };
  });

  answer("areas", async (req) => {
    const run = runOf(req);
    if (!run.areas) throw new ApiError(400, "this run has no area map (dashboard.areas)");
    const body = parseBody(areasSchema, req.body);
    return {
      column: run.areas.column,
      rows: await grouped(run, body.filters, body.ranges, { ...run.areas, kind: "category" }, !!run.clusterColumn),
    };
  });

  answer("distribution", async (req): Promise<DistributionResponse> => {
    const run = runOf(req);
    const body = parseBody(distributionSchema, req.body);
    const range = run.ranges.get(body.column);
    if (!range) {
      const known = [...run.ranges.keys()].map((k) => JSON.stringify(k)).join(", ");
      throw new ApiError(400, `no histogram or timeline for column ${JSON.stringify(body.column)} (this run has ${known || "none"})`);
    }
    if (body.unit !== undefined && range.kind !== "date")
      throw new ApiError(400, `unit applies to the timeline only; ${JSON.stringify(body.column)} is numeric`);
    const unit = body.unit ?? "week";
    const byCluster = !!body.by_cluster && !!run.clusterColumn;
    const { where, ix } = await selectionOf(run, body.filters, body.ranges, range.column);
    const cluster = byCluster ? run.clusterColumn : undefined;
    const raw = ix
      ? ix.index.distribution(ix.keep, range.column, unit, cluster)
      : await sqlRows(
          distributionQuery({ view: run.view, where, range, unit, measures: measures(run.target, run.hasScore), clusterColumn: cluster }),
        );
    const answer = distributionBins(raw, binEdges(range, unit), shapeOf(run), run.policy, byCluster ? clusterIds(run) : undefined);
    const { outside, ...rest } = answer;
    return { column: range.column, kind: range.kind, ...(range.kind === "date" ? { unit, outside } : {}), ...rest };
  });

  const shapes = new Map<string, Promise<string>>();
  app.get("/api/runs/:id/areas.geojson", async (req, reply) => {
    const run = runOf(req);
    const r = run.summary.results.dashboard.areas;
    if (!run.areasFile || !r) throw new ApiError(404, "this run has no area map (dashboard.areas)");
    reply.header("X-Openbeat-Name-Property", r.name_property);
    let text = shapes.get(run.summary.id);
    if (!text) shapes.set(run.summary.id, (text = areaShapes(run.areasFile, r.name_property)));
    return reply.type("application/geo+json").send(await text);
  });

  app.get("/api/runs/:id/report.html", async (req, reply) => {
    const run = runOf(req);
    const file = resolve(run.dir, "report.html");
    if (options.public && !run.summary.has_report)
      throw new ApiError(
        404,
        "report.html is not served with --public: it is missing, or the disclosure audit found a small count in its tables",
      );
    if (!existsSync(file)) throw new ApiError(404, "this run has no report.html");
    return reply.type(CONTENT_TYPES[".html"]).send(await readFile(file));
  });

  app.all("/api/*", () => Promise.reject(new ApiError(404, "unknown API endpoint")));

  const sendStatic = async (req: FastifyRequest, reply: FastifyReply) => {
    const found = resolveStaticPath(webRoot, req.raw.url ?? "/");
    if ("status" in found) {
      if (found.status === 404 && !existsSync(webRoot)) {
        return reply
          .code(503)
          .type("text/plain; charset=utf-8")
          .send("The dashboard front end is not built: run `npm run build` (it runs `vite build`).\n");
      }
      return reply.code(found.status).send({ error: found.status === 400 ? "bad path" : "not found" });
    }
    const type = CONTENT_TYPES[extname(found.file)] ?? "application/octet-stream";
    if (found.file.endsWith(".html") && token) {
      // Assets are requested by the browser without headers, so the page passes the token on in their URLs.
      const q = `token=${encodeURIComponent(token)}`;
      const html = readFileSync(found.file, "utf8").replace(
        /(src|href)="(\/[^"]*)"/g,
        (_m, attr: string, url: string) => `${attr}="${url}${url.includes("?") ? "&" : "?"}${q}"`,
      );
      return reply.type(type).header("Cache-Control", "no-store").send(html);
    }
    reply.header("Cache-Control", found.file.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    return reply.type(type).send(await readFile(found.file));
  };
  app.get("/*", sendStatic);
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ error: "not found" }));

  try {
    await app.listen({ port, host });
  } catch (e) {
    await app.close();
    await pool.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UserError("serve.port", msg.portInUse(port), { cause: e });
    if (code === "EADDRNOTAVAIL") throw new UserError("serve.host", msg.hostNotAvailable(host), { cause: e });
    throw e;
  }
  const address = app.server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closed = false;
  return {
    url: `http://${urlHost}:${actualPort}/`,
    indexed: runs.filter((r) => indexes.has(r)).map((r) => r.summary.id),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await pool.close();
    },
  };
}
