import { createHash, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { Db } from "../data/Db.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import type { DimensionView, HistogramBin, PointsResponse, QueryRow } from "./api-types.js";
import { dimensionKey, loadRuns, type Run } from "./load-runs.js";
import { CONTENT_TYPES, resolveStaticPath } from "./resolve-static-path.js";
import { ApiError, groupQuery, histogramQuery, pointsQuery, whereClause } from "./sql.js";

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
}

/** A running dashboard server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:5173/` (without the token). */
  url: string;
  /** Stops listening and closes the database. */
  close(): Promise<void>;
}

const BODY_LIMIT = 64 * 1024;
const MAX_POINTS = 5000;

const filterValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
const filtersSchema = z
  .record(z.string().max(300), z.array(filterValue).max(2000))
  .refine((f) => Object.keys(f).length <= 64, "at most 64 filtered columns")
  .optional();
const kindSchema = z.enum(["category", "year", "month", "weekday", "hour", "cluster"]);
const groupSchema = z.union([z.string().max(300), z.tuple([kindSchema, z.string().max(300)])]);
const querySchema = z.strictObject({ filters: filtersSchema, group_by: groupSchema.optional(), by_cluster: z.boolean().optional() });
const histogramSchema = z.strictObject({ filters: filtersSchema, bins: z.number().int().min(2).max(100).optional() });
const pointsSchema = z.strictObject({ filters: filtersSchema, limit: z.number().int().min(1).max(MAX_POINTS).optional() });
const areasSchema = z.strictObject({ filters: filtersSchema });

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

/** Serialises access to the single DuckDB connection. */
function createQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const next = tail.then(task, task);
    tail = next.catch(() => undefined);
    return next;
  };
}

/**
 * Starts the dashboard server over results folders: a JSON API backed by an in-memory DuckDB with one view per
 * run over its prepared.parquet (the folders are only read), and the built front end from `web/dist`.
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

  const db = await Db.open();
  let runs: Run[];
  try {
    runs = await loadRuns(db, dirs);
  } catch (e) {
    await db.close();
    throw e;
  }
  const byId = new Map(runs.map((r) => [r.summary.id, r]));
  const enqueue = createQueue();
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

  const toRows = (raw: Record<string, unknown>[], byCluster: boolean): QueryRow[] => {
    type Acc = QueryRow & { _score_sum?: number };
    const out: Acc[] = [];
    const index = new Map<unknown, Acc>();
    for (const r of raw) {
      const key = r.key as QueryRow["key"];
      let row: Acc | undefined = byCluster ? index.get(key) : undefined;
      const count = Number(r.count);
      if (!row) {
        row = { key, count: 0 };
        if (r.positives !== undefined) row.positives = 0;
        if (r.mean_score !== undefined) row._score_sum = 0;
        if (byCluster) {
          row.clusters = {};
          index.set(key, row);
        }
        out.push(row);
      }
      row.count += count;
      if (row.positives !== undefined) row.positives += Number(r.positives);
      if (row._score_sum !== undefined && r.mean_score !== null) row._score_sum += Number(r.mean_score) * count;
      if (byCluster && row.clusters) row.clusters[String(r.cluster)] = count;
    }
    for (const row of out) {
      if (row.positives !== undefined) row.rate = row.count ? row.positives / row.count : null;
      if (row._score_sum !== undefined) {
        row.mean_score = row.count ? row._score_sum / row.count : null;
        delete row._score_sum;
      }
    }
    if (byCluster) out.sort((a, b) => b.count - a.count);
    return out;
  };

  app.get("/api/runs", () => Promise.resolve({ runs: runs.map((r) => r.summary) }));

  app.post("/api/runs/:id/query", async (req) => {
    const run = runOf(req);
    const body = parseBody(querySchema, req.body);
    const group = body.group_by === undefined ? undefined : resolveGroup(run, body.group_by);
    const byCluster = !!body.by_cluster && !!run.clusterColumn && group?.column !== run.clusterColumn;
    const where = whereClause(body.filters ?? {}, run.dimensions);
    const q = groupQuery({
      view: run.view,
      where,
      group,
      clusterColumn: byCluster ? run.clusterColumn : undefined,
      target: run.target,
      hasScore: run.hasScore,
    });
    const raw = await enqueue(() => db.query(q.sql, q.params));
    const rows = toRows(raw, byCluster);
    if (byCluster && group && group.kind !== "category")
      rows.sort((a, b) => (a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1));
    if (!group && !rows.length)
      rows.push({
        key: null,
        count: 0,
        ...(run.target ? { positives: 0, rate: null } : {}),
        ...(run.hasScore ? { mean_score: null } : {}),
      });
    return { rows };
  });

  app.post("/api/runs/:id/histogram", async (req) => {
    const run = runOf(req);
    if (!run.hasScore) throw new ApiError(400, "this run has no scores (_score); only risk studies have a score histogram");
    const body = parseBody(histogramSchema, req.body);
    const bins = body.bins ?? 20;
    const q = histogramQuery(run.view, whereClause(body.filters ?? {}, run.dimensions), bins, run.target);
    const raw = await enqueue(() => db.query(q.sql, q.params));
    const found = new Map(raw.map((r) => [Number(r.bin), r]));
    const out: HistogramBin[] = [];
    for (let b = 0; b < bins; ++b) {
      const r = found.get(b);
      const bin: HistogramBin = { start: b / bins, end: (b + 1) / bins, count: r ? Number(r.count) : 0 };
      if (run.target) bin.positives = r ? Number(r.positives) : 0;
      out.push(bin);
    }
    return { bins: out };
  });

  app.post("/api/runs/:id/points", async (req): Promise<PointsResponse> => {
    const run = runOf(req);
    if (!run.points) throw new ApiError(400, "this run has no point coordinates (dashboard.points)");
    const body = parseBody(pointsSchema, req.body);
    const q = pointsQuery({
      view: run.view,
      where: whereClause(body.filters ?? {}, run.dimensions),
      lat: run.points.lat,
      lon: run.points.lon,
      limit: body.limit ?? MAX_POINTS,
      target: run.target,
      hasScore: run.hasScore,
      clusterColumn: run.clusterColumn,
      hasRow: run.hasRow,
    });
    const [sample, total] = await enqueue(async () => [
      await db.query(q.sample.sql, q.sample.params),
      await db.query(q.total.sql, q.total.params),
    ]);
    return { total: Number(total[0].n), points: sample as PointsResponse["points"] };
  });

  app.post("/api/runs/:id/areas", async (req) => {
    const run = runOf(req);
    if (!run.areas) throw new ApiError(400, "this run has no area map (dashboard.areas)");
    const body = parseBody(areasSchema, req.body);
    const where = whereClause(body.filters ?? {}, run.dimensions);
    const q = groupQuery({
      view: run.view,
      where,
      group: { ...run.areas, kind: "category" },
      clusterColumn: run.clusterColumn,
      target: run.target,
      hasScore: run.hasScore,
    });
    const raw = await enqueue(() => db.query(q.sql, q.params));
    return { column: run.areas.column, rows: toRows(raw, !!run.clusterColumn) };
  });

  app.get("/api/runs/:id/areas.geojson", async (req, reply) => {
    const run = runOf(req);
    const r = run.summary.results.dashboard.areas;
    if (!run.areasFile || !r) throw new ApiError(404, "this run has no area map (dashboard.areas)");
    reply.header("X-Openbeat-Name-Property", r.name_property);
    return reply.type("application/geo+json").send(await readFile(run.areasFile));
  });

  app.get("/api/runs/:id/report.html", async (req, reply) => {
    const run = runOf(req);
    const file = resolve(run.dir, "report.html");
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
    await db.close();
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
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await enqueue(async () => db.close());
    },
  };
}
