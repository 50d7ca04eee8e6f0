import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveStaticPath } from "../../src/server/resolve-static-path.js";

const base = mkdtempSync(join(tmpdir(), "openbeat-static-"));
const root = join(base, "dist");
mkdirSync(join(root, "assets"), { recursive: true });
writeFileSync(join(root, "index.html"), "<!doctype html>");
writeFileSync(join(root, "assets", "a.js"), "");
writeFileSync(join(base, "secret.txt"), "secret");
symlinkSync(join(base, "secret.txt"), join(root, "assets", "link.txt"));

describe("resolveStaticPath(root, url)", () => {
  it("maps / to index.html and plain paths to files, ignoring the query string", () => {
    expect(resolveStaticPath(root, "/")).toEqual({ file: join(root, "index.html") });
    expect(resolveStaticPath(root, "/?token=x")).toEqual({ file: join(root, "index.html") });
    expect(resolveStaticPath(root, "/assets/a.js?v=1")).toEqual({ file: join(root, "assets", "a.js") });
    expect(resolveStaticPath(root, "/assets/b.js")).toEqual({ status: 404 });
    expect(resolveStaticPath(root, "/assets")).toEqual({ status: 404 });
  });

  it("rejects dot segments, encoded or not", () => {
    for (const url of [
      "/../secret.txt",
      "/assets/../index.html",
      "/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/%2E%2E%2Fsecret.txt",
      "/./index.html",
      "/assets/%2e/a.js",
    ]) {
      expect(resolveStaticPath(root, url), url).toEqual({ status: 400 });
    }
  });

  it("rejects absolute, drive-letter, backslash, NUL and badly encoded paths", () => {
    for (const url of [
      "//etc/passwd",
      "/%2fetc/passwd",
      `/${encodeURIComponent(join(base, "secret.txt"))}`,
      "/C:/x.txt",
      "/a\\b.txt",
      "/%5c..%5csecret.txt",
      "/index.html%00",
      "/%e0%a4%a",
      "secret.txt",
    ]) {
      expect(resolveStaticPath(root, url), url).toEqual({ status: 400 });
    }
  });

  it("does not follow symlinks out of the root", () => {
    expect(resolveStaticPath(root, "/assets/link.txt")).toEqual({ status: 404 });
  });
});
