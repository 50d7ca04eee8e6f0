import { readFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseCsv } from "../../src/data/portal/cache.js";

/** A table read from one of the shared CSV files (empty-header columns dropped). */
export interface Dataset {
  header: string[];
  rows: string[][];
}

/** Reads a CSV into a {@link Dataset}. */
export function readDataset(path: string): Dataset {
  const all = parseCsv(readFileSync(path, "utf8")).filter((r) => r.length > 1);
  const keep = all[0].map((h, j) => (h.trim() ? j : -1)).filter((j) => j >= 0);
  return { header: keep.map((j) => all[0][j]), rows: all.slice(1).map((r) => keep.map((j) => r[j] ?? "")) };
}

/** A failure served once, instead of the normal answer, for a request matching `key` (`socrata:OFFSET`, `arcgis:OFFSET`, `file`). */
export type Fault =
  { kind: "status"; status: number; retryAfter?: string } | { kind: "truncate" } | { kind: "destroy" } | { kind: "empty" };

/** Options of the fake portal. */
export interface PortalOptions {
  dataset: Dataset;
  /** ArcGIS: maxRecordCount of the layer (default 1000). */
  maxRecordCount?: number;
  /** ArcGIS: columns holding dates, and how to read them as UTC epoch ms. */
  dates?: Record<string, (s: string) => number>;
  /** ArcGIS: longitude/latitude columns, served as point geometry and not as attributes. */
  xy?: [string, string];
}

/** A running fake portal. `faults` is consumed in order; `requests` records every URL asked. */
export interface TestPortal {
  origin: string;
  requests: URL[];
  faults: Map<string, Fault[]>;
  options: PortalOptions;
  close(): Promise<void>;
}

const isNumber = (v: string) => /^-?\d+(\.\d+)?$/.test(v);

function columnTypes(ds: Dataset, dates: Record<string, unknown>): string[] {
  return ds.header.map((h, j) => (dates[h] ? "date" : ds.rows.every((r) => r[j] === "" || isNumber(r[j])) ? "number" : "text"));
}

function esriType(t: string, name: string, j: number): string {
  if (j === 0 && name.toUpperCase().endsWith("ID")) return "esriFieldTypeOID";
  return t === "date" ? "esriFieldTypeDate" : t === "number" ? "esriFieldTypeDouble" : "esriFieldTypeString";
}

/** Starts a Socrata- and ArcGIS-shaped server on 127.0.0.1 with a random port. */
export async function startPortal(options: PortalOptions): Promise<TestPortal> {
  const requests: URL[] = [];
  const faults = new Map<string, Fault[]>();
  const portal: TestPortal = { origin: "", requests, faults, options, close: async () => {} };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", portal.origin);
    requests.push(url);
    const ds = portal.options.dataset;
    const dates = portal.options.dates ?? {};
    const types = columnTypes(ds, dates);
    const send = (key: string, status: number, body: unknown, headers: Record<string, string> = {}) => {
      const fault = faults.get(key)?.shift();
      const text = typeof body === "string" ? body : JSON.stringify(body);
      if (fault?.kind === "status") {
        res.writeHead(fault.status, fault.retryAfter ? { "retry-after": fault.retryAfter } : {});
        res.end("busy");
        return;
      }
      if (fault?.kind === "truncate") {
        res.writeHead(200, { "content-type": "application/json", ...headers });
        res.end(text.slice(0, Math.floor(text.length / 2)));
        return;
      }
      if (fault?.kind === "destroy") {
        res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        return;
      }
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(fault?.kind === "empty" ? emptyLike(body) : text);
    };

    const soc = /^\/resource\/([a-z0-9]{4}-[a-z0-9]{4})\.json$/.exec(url.pathname);
    if (soc) {
      const select = url.searchParams.get("$select");
      if (select?.startsWith("count(")) {
        send("socrata:count", 200, [{ n: String(ds.rows.length) }]);
        return;
      }
      const offset = Number(url.searchParams.get("$offset") ?? 0);
      const limit = Number(url.searchParams.get("$limit") ?? 1000);
      const rows = ds.rows.slice(offset, offset + limit).map((r) => {
        const o: Record<string, string> = {};
        ds.header.forEach((h, j) => {
          if (r[j] !== "") o[h] = r[j];
        });
        return o;
      });
      send(`socrata:${offset}`, 200, rows, {
        "x-soda2-fields": JSON.stringify(ds.header),
        "x-soda2-types": JSON.stringify(types.map((t) => (t === "number" ? "number" : "text"))),
      });
      return;
    }

    const layer = /^\/arcgis\/rest\/services\/[^/]+\/(FeatureServer|MapServer)\/0(\/query)?$/.exec(url.pathname);
    if (layer) {
      const xy = portal.options.xy;
      const fields = ds.header
        .map((name, j) => ({ name, type: esriType(types[j], name, j), alias: name, j }))
        .filter((f) => !xy || !xy.includes(f.name));
      const max = portal.options.maxRecordCount ?? 1000;
      if (!layer[2]) {
        send("arcgis:layer", 200, {
          type: "Feature Layer",
          maxRecordCount: max,
          objectIdField: fields.find((f) => f.type === "esriFieldTypeOID")?.name,
          advancedQueryCapabilities: { supportsPagination: true },
          fields: fields.map((f) => ({ name: f.name, type: f.type, alias: f.alias })),
        });
        return;
      }
      if (url.searchParams.get("returnCountOnly") === "true") {
        send("arcgis:count", 200, { count: ds.rows.length });
        return;
      }
      const offset = Number(url.searchParams.get("resultOffset") ?? 0);
      const n = Math.min(Number(url.searchParams.get("resultRecordCount") ?? max), max);
      const slice = ds.rows.slice(offset, offset + n);
      const exceeded = offset + slice.length < ds.rows.length;
      const attrs = (r: string[]) =>
        Object.fromEntries(
          fields.map((f): [string, string | number | null] => {
            const v = r[f.j];
            if (v === "") return [f.name, null];
            if (f.type === "esriFieldTypeDate") return [f.name, dates[f.name](v)];
            if (f.type !== "esriFieldTypeString") return [f.name, Number(v)];
            return [f.name, v];
          }),
        );
      const point = (r: string[]) => {
        if (!xy) return null;
        const x = r[ds.header.indexOf(xy[0])];
        const y = r[ds.header.indexOf(xy[1])];
        return x && y ? { x: Number(x), y: Number(y) } : null;
      };
      if (url.searchParams.get("f") === "geojson") {
        send(`arcgis:${offset}`, 200, {
          type: "FeatureCollection",
          features: slice.map((r) => {
            const p = point(r);
            return { type: "Feature", geometry: p ? { type: "Point", coordinates: [p.x, p.y] } : null, properties: attrs(r) };
          }),
          ...(exceeded ? { properties: { exceededTransferLimit: true } } : {}),
        });
        return;
      }
      send(`arcgis:${offset}`, 200, {
        objectIdFieldName: fields[0].name,
        geometryType: xy ? "esriGeometryPoint" : undefined,
        fields: fields.map((f) => ({ name: f.name, type: f.type, alias: f.alias })),
        features: slice.map((r) => ({ attributes: attrs(r), ...(xy ? { geometry: point(r) } : {}) })),
        ...(exceeded ? { exceededTransferLimit: true } : {}),
      });
      return;
    }

    if (url.pathname === "/files/data.csv") {
      const csv =
        [ds.header, ...ds.rows].map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(",")).join("\n") +
        "\n";
      send("file", 200, csv);
      return;
    }
    res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  portal.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  portal.close = () =>
    new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  return portal;
}

function emptyLike(body: unknown): string {
  if (Array.isArray(body)) return "[]";
  const b = body as Record<string, unknown>;
  return JSON.stringify({ ...b, features: [] });
}

/** Offsets asked for a given endpoint (`$offset` or `resultOffset`), in order. */
export function offsetsAsked(portal: TestPortal, param: "$offset" | "resultOffset"): number[] {
  return portal.requests.filter((u) => u.searchParams.has(param)).map((u) => Number(u.searchParams.get(param)));
}

/** LMPD `M/D/YYYY H:MM` read as UTC epoch ms. */
export function lmpdDateMs(s: string): number {
  const m = /^(\d+)\/(\d+)\/(\d{4}) (\d+):(\d+)$/.exec(s);
  if (!m) throw new Error(`bad LMPD date ${s}`);
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]));
}

/** Baltimore `YYYY/MM/DD HH:MM:SS+00` as UTC epoch ms. */
export function baltimoreDateMs(s: string): number {
  const m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\+00$/.exec(s);
  if (!m) throw new Error(`bad Baltimore date ${s}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
