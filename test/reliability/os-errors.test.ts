import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { osUserError, UserError } from "../../src/util/errors.js";
import { lines, runCli } from "./run-cli.js";

/** An error as Node's fs functions raise it. */
function errno(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall}${path ? ` '${path}'` : ""}`), { code, syscall, path });
}

describe("osUserError(e)", () => {
  const cases: [NodeJS.ErrnoException, string, RegExp][] = [
    [
      errno("EROFS", "open", "/mnt/ro/out.csv"),
      "os.read_only",
      /^\/mnt\/ro\/out\.csv: the file system is read-only; write to a folder on a writable disk$/,
    ],
    [errno("ENOSPC", "write", "/data/out.csv"), "os.disk_full", /^\/data\/out\.csv: the disk is full/],
    [errno("EACCES", "open", "/root/x"), "os.no_permission", /^\/root\/x: permission denied \(open\)/],
    [errno("ENOTDIR", "mkdir", "/tmp/file/out"), "os.not_directory", /a part of the path is a file, not a folder/],
    [errno("ENAMETOOLONG", "open", "/tmp/aaaa"), "os.name_too_long", /too long for the file system/],
    [errno("ENOENT", "uv_cwd"), "os.cwd_missing", /^the working folder no longer exists/],
    [errno("EIO", "read", "/mnt/usb/x.csv"), "os.error", /^\/mnt\/usb\/x\.csv: read failed \(EIO\)/],
  ];
  for (const [e, code, re] of cases)
    it(`osUserError(${e.code ?? ""} ${e.syscall ?? ""}) is ${code} with one line`, () => {
      const u = osUserError(e);
      expect(u).toBeInstanceOf(UserError);
      expect(u?.code).toBe(code);
      expect(u?.message).toMatch(re);
      expect(u?.message).not.toMatch(/\n/);
    });

  it("osUserError(e) reads DuckDB's IO errors by their text, through the cause chain", () => {
    const driver = new Error('IO Error: Could not write file "/data/out/features.parquet": No space left on device');
    const wrapped = new Error("query failed", { cause: driver });
    expect(osUserError(wrapped)?.message).toMatch(/^\/data\/out\/features\.parquet: the disk is full/);
  });

  it("osUserError(e) leaves other errors alone (they are bugs, reported as such)", () => {
    expect(osUserError(new TypeError("x is undefined"))).toBeUndefined();
    expect(osUserError("text")).toBeUndefined();
  });
});

describe("a working folder that was deleted", () => {
  it("every command says so in one line instead of failing on a relative path", async () => {
    const home = process.cwd();
    const gone = mkdtempSync(join(tmpdir(), "openbeat-gone-"));
    try {
      process.chdir(gone);
      rmSync(gone, { recursive: true });
      for (const args of [
        ["run", "study.yaml"],
        ["score", "model.json", "new.csv"],
        ["inspect", "x.csv"],
      ]) {
        const r = await runCli(args);
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([
          "openbeat: the working folder no longer exists (it was deleted or moved); cd to an existing folder and run again",
        ]);
      }
    } finally {
      process.chdir(home);
      rmSync(gone, { recursive: true, force: true });
    }
  });
});
