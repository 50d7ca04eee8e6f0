import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Db, defaultMemoryLimit } from "../../src/data/Db.js";
import { lockDownDuckDb } from "../../src/data/sandbox.js";

describe("Db.open: where DuckDB spills", () => {
  it("spills into a folder of its own under the OS temp folder, never into the working directory, and removes it on close", async () => {
    const cwdBefore = readdirSync(".");
    const db = await Db.open(":memory:", { memoryLimit: "40MB", threads: 1 });
    const [{ t }] = await db.query(`SELECT current_setting('temp_directory') AS t`);
    const folder = String(t);
    expect(folder.startsWith(join(tmpdir(), "openbeat-duckdb-"))).toBe(true);
    // A sort of about 50 MB of text under a 40 MB limit has to spill.
    await db.exec(`CREATE TABLE x AS SELECT range AS i, md5(range::VARCHAR) || md5((range + 1)::VARCHAR) AS s FROM range(700000)`);
    await db.exec(`CREATE TABLE y AS SELECT * FROM x ORDER BY s`);
    const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM y`);
    expect(n).toBe(700_000);
    expect(existsSync(folder), "DuckDB spilled into its folder").toBe(true);
    expect(readdirSync(".")).toEqual(cwdBefore);
    await db.close();
    expect(existsSync(folder)).toBe(false);
    expect(readdirSync(".")).toEqual(cwdBefore);
  });

  it("keeps the folder it was opened with through the lockdown, after the sources' load has spilled into it", async () => {
    const base = mkdtempSync(join(tmpdir(), "openbeat-spill-test-"));
    const scratch = join(base, "stage.spill");
    const spill = async (db: Db) => {
      await db.exec(`CREATE TABLE x AS SELECT range AS i, md5(range::VARCHAR) || md5((range + 1)::VARCHAR) AS s FROM range(700000)`);
      await db.exec(`CREATE TABLE y AS SELECT * FROM x ORDER BY s`);
    };
    try {
      const db = await Db.open(":memory:", { memoryLimit: "40MB", threads: 1, tempDirectory: scratch });
      await spill(db);
      expect(existsSync(scratch), "the load spilled").toBe(true);
      await lockDownDuckDb(db, { allowedDirectories: [base] });
      const [{ t }] = await db.query(`SELECT current_setting('temp_directory') AS t`);
      expect(t).toBe(scratch);
      await db.close();
      // Moving the folder after a spill is what DuckDB refuses (the lockdown used to, and a large run died of it).
      const other = await Db.open(":memory:", { memoryLimit: "40MB", threads: 1 });
      await spill(other);
      await expect(lockDownDuckDb(other, { allowedDirectories: [base], tempDirectory: scratch })).rejects.toThrow(
        /Cannot switch temporary directory/,
      );
      await other.close();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe("defaultMemoryLimit(threads, total)", () => {
  it("gives DuckDB 1 GiB per thread, at least 1 GiB and at most half the machine, in a form DuckDB takes", async () => {
    const GiB = 2 ** 30;
    expect(defaultMemoryLimit(2, 24 * GiB)).toBe("2048MiB");
    expect(defaultMemoryLimit(1, 24 * GiB)).toBe("1024MiB");
    expect(defaultMemoryLimit(64, 16 * GiB)).toBe("8192MiB");
    expect(defaultMemoryLimit(2, 1.5 * GiB)).toBe("768MiB");
    const db = await Db.open(":memory:", { memoryLimit: defaultMemoryLimit(2, 24 * GiB) });
    try {
      const [row] = await db.query("SELECT current_setting('memory_limit') AS m");
      expect(String(row.m)).toBe("2.0 GiB");
    } finally {
      await db.close();
    }
  });
});
