import { existsSync, realpathSync, statSync } from "node:fs";
import { extname, isAbsolute, resolve, sep } from "node:path";

/** Outcome of resolving a request path: a file to send, or a status to answer with. */
export type StaticResolution = { file: string } | { status: 400 | 404 };

/** Content types of the files a Vite build emits. */
export const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Maps a raw request URL to a file under `root`, refusing anything that could leave it: `..` or `.` segments
 * (literal or percent-encoded), backslashes, NUL bytes, absolute or drive-letter paths, bad percent-encoding, and
 * symlinks that point outside. `/` maps to `index.html`.
 * @param root folder to serve (absolute)
 * @param rawUrl the request target as received, e.g. `/assets/index-abc.js?x=1`
 */
export function resolveStaticPath(root: string, rawUrl: string): StaticResolution {
  const pathPart = rawUrl.split("?")[0].split("#")[0];
  if (!pathPart.startsWith("/") || pathPart.includes("\\")) return { status: 400 };
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return { status: 400 };
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return { status: 400 };
  const rel = decoded.slice(1);
  if (rel.startsWith("/") || isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return { status: 400 };
  const segments = rel.split("/");
  if (segments.some((s) => s === ".." || s === ".")) return { status: 400 };
  const target = rel === "" ? "index.html" : rel;
  if (!extname(target)) return { status: 404 };
  if (!existsSync(root)) return { status: 404 };
  const realRoot = realpathSync(root);
  const path = resolve(realRoot, target);
  if (!path.startsWith(realRoot + sep)) return { status: 400 };
  if (!existsSync(path)) return { status: 404 };
  const real = realpathSync(path);
  if (!real.startsWith(realRoot + sep) || !statSync(real).isFile()) return { status: 404 };
  return { file: real };
}
