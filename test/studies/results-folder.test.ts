import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  MARKER,
  checkOutClear,
  isLegacyResultsFolder,
  leftoversOf,
  openResultsFolder,
  outFolderError,
  readMarker,
  type OpenResultsFolderOptions,
} from "../../src/studies/results-folder.js";
import { UserError } from "../../src/util/errors.js";
import { runInterruptHooks } from "../../src/util/interrupt.js";
import { hashTree } from "../reliability/run-cli.js";

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-folder-"));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A results folder written through openResultsFolder, holding `files` (name -> text). */
async function writeRun(out: string, files: Record<string, string>, options: OpenResultsFolderOptions = {}) {
  const f = await openResultsFolder(out, options);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(f.dir, name, ".."), { recursive: true });
    writeFileSync(join(f.dir, name), text);
  }
  return f.commit();
}

/** The UserError a promise rejects with. */
async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error("expected a UserError");
}

const oneLine = (e: UserError) => {
  expect(e.message).not.toMatch(/\n/);
};

const legacyResults = JSON.stringify({ study: "risk", name: "old", data: { rows: 10 } });
const legacyManifest = JSON.stringify({ openbeat: "0.1.0", study_file: "s.yaml", inputs: [] });

describe("openResultsFolder(out) on a new or empty folder", () => {
  it("writes the staged files and a marker listing them, and leaves no staging folder or lock", async () => {
    const out = join(tmp, "out");
    const r = await writeRun(out, { "results.json": "{}\n", "sub/a.txt": "a" });
    expect(r.kept).toEqual([]);
    expect(readFileSync(join(out, "results.json"), "utf8")).toBe("{}\n");
    const marker = await readMarker(out);
    expect(marker).toMatchObject({ openbeat: "results-folder", version: 1, files: ["results.json", "sub/a.txt"] });
    expect(marker?.run_id).toMatch(/^\d{14}-\d+-[0-9a-f]{8}$/);
    expect(readdirSync(tmp)).toEqual(["out"]);
  });

  it("replaces an empty folder and creates missing parents", async () => {
    mkdirSync(join(tmp, "empty"));
    await writeRun(join(tmp, "empty"), { "x.json": "1" });
    await writeRun(join(tmp, "a", "b", "c"), { "x.json": "2" });
    expect(readFileSync(join(tmp, "empty", "x.json"), "utf8")).toBe("1");
    expect(readFileSync(join(tmp, "a", "b", "c", "x.json"), "utf8")).toBe("2");
  });

  it("abort() removes the staging folder and the lock and leaves the target as it was", async () => {
    const out = join(tmp, "out");
    await writeRun(out, { "results.json": "old" });
    const before = hashTree(tmp);
    const f = await openResultsFolder(out);
    writeFileSync(join(f.dir, "results.json"), "new");
    expect(leftoversOf(out).length).toBe(2); // staging folder and lock
    await f.abort();
    expect(leftoversOf(out)).toEqual([]);
    expect(hashTree(tmp)).toEqual(before);
  });
});

describe("openResultsFolder(out) refuses folders openbeat did not write", () => {
  it("a web app with its own manifest.json is refused with one line naming a file, and left untouched", async () => {
    const out = join(tmp, "webapp");
    mkdirSync(out);
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ name: "My PWA", start_url: "/" }));
    writeFileSync(join(out, "index.html"), "<html></html>");
    const before = hashTree(tmp);
    const e = await userError(openResultsFolder(out, { force: true }));
    expect(e.code).toBe("out.not_results");
    oneLine(e);
    expect(e.message).toMatch(/holds index\.html, manifest\.json/);
    expect(e.message).toMatch(/no \.openbeat marker/);
    expect(e.message).toMatch(/choose a new or empty folder for --out/);
    expect(e.message).toMatch(/--force only replaces results folders of openbeat/);
    expect(hashTree(tmp)).toEqual(before);
  });

  it("a project folder with a results.json of another tool is refused even with --force", async () => {
    const out = join(tmp, "project");
    mkdirSync(out);
    writeFileSync(join(out, "results.json"), JSON.stringify({ study: "survey", name: "x", data: { rows: 1 } }));
    writeFileSync(join(out, "manifest.json"), legacyManifest);
    writeFileSync(join(out, "study.yaml"), "name: x\n");
    expect(await isLegacyResultsFolder(out)).toBe(false);
    const e = await userError(openResultsFolder(out, { force: true }));
    expect(e.code).toBe("out.not_results");
    expect(existsSync(join(out, "study.yaml"))).toBe(true);
  });

  it("a folder whose .openbeat file is not a valid marker is refused", async () => {
    const out = join(tmp, "fake");
    mkdirSync(out);
    writeFileSync(join(out, MARKER), JSON.stringify({ openbeat: "results-folder", version: 2, run_id: "x", files: [] }));
    writeFileSync(join(out, "data.csv"), "a\n1\n");
    const e = await userError(openResultsFolder(out));
    expect(e.message).toMatch(/holds data\.csv/);
    expect(e.message).toMatch(/not a valid openbeat marker/);
    expect(existsSync(join(out, "data.csv"))).toBe(true);
  });

  it("a marker listing a path outside the folder is not valid", async () => {
    const out = join(tmp, "escape");
    mkdirSync(out);
    writeFileSync(join(out, MARKER), JSON.stringify({ openbeat: "results-folder", version: 1, run_id: "x", files: ["../other"] }));
    expect(await readMarker(out)).toBeNull();
  });

  it("a file, or a symbolic link, as --out is refused", async () => {
    writeFileSync(join(tmp, "file"), "x");
    expect((await userError(openResultsFolder(join(tmp, "file")))).code).toBe("out.not_directory");
    mkdirSync(join(tmp, "real"));
    symlinkSync(join(tmp, "real"), join(tmp, "link"));
    const e = await userError(openResultsFolder(join(tmp, "link")));
    expect(e.code).toBe("out.symlink");
    expect(e.message).toMatch(/give the folder it points to/);
  });
});

describe("openResultsFolder(out) on an older openbeat's folder (no marker)", () => {
  function legacy(out: string) {
    mkdirSync(out);
    writeFileSync(join(out, "results.json"), legacyResults);
    writeFileSync(join(out, "manifest.json"), legacyManifest);
    writeFileSync(join(out, "model.json"), "{}");
    writeFileSync(join(out, "notes.md"), "my notes");
  }

  it("is recognised strictly and refused without --force, naming --force and the files it would keep", async () => {
    const out = join(tmp, "old");
    legacy(out);
    expect(await isLegacyResultsFolder(out)).toBe(true);
    const e = await userError(openResultsFolder(out));
    expect(e.code).toBe("out.legacy");
    oneLine(e);
    expect(e.message).toMatch(/pass --force to replace them \(notes\.md would be kept\)/);
  });

  it("is replaced with --force, keeping the files openbeat did not write", async () => {
    const out = join(tmp, "old");
    legacy(out);
    const r = await writeRun(out, { "results.json": "new" }, { force: true });
    expect(r.kept).toEqual(["notes.md"]);
    expect(readdirSync(out).sort()).toEqual([MARKER, "notes.md", "results.json"]);
    expect(readFileSync(join(out, "notes.md"), "utf8")).toBe("my notes");
  });
});

describe("a rerun into an openbeat folder keeps what the user added", () => {
  it("carries added files and folders over, removes the old run's own files, and says which it kept", async () => {
    const out = join(tmp, "out");
    await writeRun(out, { "results.json": "1", "model.json": "m" });
    writeFileSync(join(out, "notes.txt"), "notes");
    mkdirSync(join(out, "figures"));
    writeFileSync(join(out, "figures", "fig1.png"), "png");
    const f = await openResultsFolder(out);
    expect(f.keeps).toEqual(["figures", "notes.txt"]);
    writeFileSync(join(f.dir, "results.json"), "2");
    const r = await f.commit();
    expect(r.kept).toEqual(["figures", "notes.txt"]);
    expect(readdirSync(out).sort()).toEqual([MARKER, "figures", "notes.txt", "results.json"]);
    expect(readFileSync(join(out, "figures", "fig1.png"), "utf8")).toBe("png");
    expect(readFileSync(join(out, "results.json"), "utf8")).toBe("2");
    expect((await readMarker(out))?.files).toEqual(["results.json"]);
    expect(leftoversOf(out)).toEqual([]);
  });

  it("refuses, and changes nothing, when an added file has the name of a file the new run writes", async () => {
    const out = join(tmp, "out");
    await writeRun(out, { "results.json": "1" });
    writeFileSync(join(out, "areas.geojson"), "mine");
    const before = hashTree(out);
    const f = await openResultsFolder(out);
    writeFileSync(join(f.dir, "results.json"), "2");
    writeFileSync(join(f.dir, "areas.geojson"), "theirs");
    const e = await userError(f.commit());
    expect(e.code).toBe("out.kept_conflict");
    expect(e.message).toMatch(/areas\.geojson was not written by openbeat/);
    expect(hashTree(out)).toEqual(before);
    expect(leftoversOf(out)).toEqual([]);
  });
});

describe("checkOutClear(out, protect) keeps --out away from the inputs", () => {
  function setup() {
    const project = join(tmp, "project");
    const data = join(project, "data");
    mkdirSync(data, { recursive: true });
    writeFileSync(join(project, "study.yaml"), "name: x\n");
    writeFileSync(join(data, "incidents.csv"), "a\n");
    const protect = [
      { path: join(project, "study.yaml"), label: "the study file" },
      { path: project, label: "the study file's folder" },
      { path: data, label: "the data folder (--data)", inside: true },
      { path: join(data, "incidents.csv"), label: 'source "incidents"' },
    ];
    return { project, data, protect };
  }

  it("refuses --out equal to the data folder, the study folder, or a source file", () => {
    const { project, data, protect } = setup();
    expect(() => {
      checkOutClear(data, protect);
    }).toThrow(/is the data folder/);
    expect(() => {
      checkOutClear(project, protect);
    }).toThrow(/is the study file's folder/);
    expect(() => {
      checkOutClear(join(data, "incidents.csv"), protect);
    }).toThrow(/is source "incidents"/);
  });

  it("refuses --out above an input, and inside the data folder", () => {
    const { data, protect } = setup();
    expect(() => {
      checkOutClear(tmp, protect);
    }).toThrow(/contains the study file, which replacing the folder would delete/);
    expect(() => {
      checkOutClear(join(data, "results"), protect);
    }).toThrow(/is inside the data folder/);
  });

  it("compares real paths, so a symbolic link to an input counts", () => {
    const { data, protect } = setup();
    symlinkSync(data, join(tmp, "data-link"));
    expect(() => {
      checkOutClear(join(tmp, "data-link"), protect);
    }).toThrow(/is the data folder/);
    expect(() => {
      checkOutClear(join(tmp, "data-link", "out"), protect);
    }).toThrow(/is inside the data folder/);
  });

  it("accepts a folder beside the inputs, or under the study file's folder", () => {
    const { project, protect } = setup();
    expect(() => {
      checkOutClear(join(tmp, "results"), protect);
    }).not.toThrow();
    expect(() => {
      checkOutClear(join(project, "out", "study"), protect);
    }).not.toThrow();
  });

  it("is applied by openResultsFolder before anything is created", async () => {
    const { data, protect } = setup();
    const before = hashTree(tmp);
    const e = await userError(openResultsFolder(data, { protect }));
    expect(e.code).toBe("out.protected");
    oneLine(e);
    expect(hashTree(tmp)).toEqual(before);
  });
});

describe("two runs into one --out", () => {
  it("the second gets one clear line naming the lock while the first holds it", async () => {
    const out = join(tmp, "out");
    const first = await openResultsFolder(out);
    const e = await userError(openResultsFolder(out));
    expect(e.code).toBe("out.locked");
    oneLine(e);
    expect(e.message).toMatch(new RegExp(`another openbeat run \\(pid ${process.pid}\\) is writing this folder`));
    expect(e.message).toMatch(/\.out\.lock/);
    writeFileSync(join(first.dir, "results.json"), "1");
    await first.commit();
    await writeRun(out, { "results.json": "2" });
    expect(readFileSync(join(out, "results.json"), "utf8")).toBe("2");
  });

  it("many at once: exactly one wins, the others are refused with out.locked, never ENOTEMPTY", async () => {
    const out = join(tmp, "out");
    await writeRun(out, { "results.json": "0" });
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => writeRun(out, { "results.json": String(i + 1) })));
    const won = attempts.filter((a) => a.status === "fulfilled");
    const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === "rejected");
    expect(won.length).toBe(1);
    for (const l of lost) expect((l.reason as UserError).code).toBe("out.locked");
    expect(leftoversOf(out)).toEqual([]);
  });

  it("a lock held by another live process is respected; one left by a dead process is taken over", async () => {
    const out = join(tmp, "out");
    // The test runner's parent is a live process other than this one.
    const live = process.ppid;
    writeFileSync(join(tmp, ".out.lock"), JSON.stringify({ pid: live, run_id: "other" }));
    const e = await userError(openResultsFolder(out));
    expect(e.message).toMatch(new RegExp(`pid ${live}`));
    writeFileSync(join(tmp, ".out.lock"), JSON.stringify({ pid: deadPid(), run_id: "other" }));
    await writeRun(out, { "results.json": "1" });
    expect(readFileSync(join(out, "results.json"), "utf8")).toBe("1");
    expect(leftoversOf(out)).toEqual([]);
  });
});

/** A pid that no process has: the highest free one below the kernel's limit. */
function deadPid(): number {
  const max = Number(readFileSync("/proc/sys/kernel/pid_max", "utf8"));
  for (let pid = max - 1; pid > 1; --pid) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") return pid;
    }
  }
  throw new Error("no free pid");
}

describe("a killed run's leftovers are cleaned or restored by the next run", () => {
  it("a staging folder and spill folder of a dead run are removed", async () => {
    const out = join(tmp, "out");
    await writeRun(out, { "results.json": "1" });
    const pid = deadPid();
    mkdirSync(join(tmp, `.out.tmp-${pid}-1000`));
    writeFileSync(join(tmp, `.out.tmp-${pid}-1000`, "results.json"), "half");
    mkdirSync(join(tmp, `.out.tmp-${pid}-1000.spill`));
    writeFileSync(join(tmp, ".out.lock"), JSON.stringify({ pid, run_id: "dead" }));
    await writeRun(out, { "results.json": "2" });
    expect(readdirSync(tmp)).toEqual(["out"]);
    expect(readFileSync(join(out, "results.json"), "utf8")).toBe("2");
  });

  it("a run killed between its two renames: the old folder is restored with the user's files, the half-swap undone", async () => {
    const out = join(tmp, "out");
    await writeRun(out, { "results.json": "old", "model.json": "m" });
    const oldMarker = readFileSync(join(out, MARKER), "utf8");
    const pid = deadPid();
    // State after the carry-over and the first rename: the target moved to .old, the user's file in staging.
    const stage = join(tmp, `.out.tmp-${pid}-2000`);
    mkdirSync(stage);
    writeFileSync(join(stage, "results.json"), "new");
    writeFileSync(join(stage, MARKER), JSON.stringify({ openbeat: "results-folder", version: 1, run_id: "r", files: ["results.json"] }));
    writeFileSync(join(stage, "notes.txt"), "user");
    const { renameSync } = await import("node:fs");
    renameSync(out, `${stage}.old`);
    const notices: string[] = [];
    const f = await openResultsFolder(out, { notice: (l) => notices.push(l) });
    expect(notices.join("\n")).toMatch(/restored .*out from a run that stopped while replacing it/);
    expect(f.keeps).toEqual(["notes.txt"]);
    await f.abort();
    expect(readdirSync(out).sort()).toEqual([MARKER, "model.json", "notes.txt", "results.json"]);
    expect(readFileSync(join(out, "results.json"), "utf8")).toBe("old");
    expect(readFileSync(join(out, MARKER), "utf8")).toBe(oldMarker);
    expect(readdirSync(tmp)).toEqual(["out"]);
  });

  it("a run killed after the swap: the old folder is removed, nothing else touched", async () => {
    const out = join(tmp, "out");
    await writeRun(out, { "results.json": "new" });
    const pid = deadPid();
    const old = join(tmp, `.out.tmp-${pid}-3000.old`);
    mkdirSync(old);
    writeFileSync(join(old, "results.json"), "old");
    writeFileSync(join(old, MARKER), JSON.stringify({ openbeat: "results-folder", version: 1, run_id: "r", files: ["results.json"] }));
    await writeRun(out, { "results.json": "newer" });
    expect(readdirSync(tmp)).toEqual(["out"]);
  });

  it("an interrupt (SIGINT/SIGTERM cleanup hooks) removes the staging folder and the lock", async () => {
    const out = join(tmp, "out");
    await writeRun(out, { "results.json": "1" });
    const before = hashTree(out);
    const f = await openResultsFolder(out);
    writeFileSync(join(f.dir, "results.json"), "2");
    await runInterruptHooks(100);
    expect(leftoversOf(out)).toEqual([]);
    expect(hashTree(out)).toEqual(before);
  });
});

describe("operating-system errors while staging are one-line user errors", () => {
  it("a parent that is a file", async () => {
    writeFileSync(join(tmp, "file"), "x");
    const e = await userError(openResultsFolder(join(tmp, "file", "out")));
    expect(e.code).toBe("out.unwritable");
    oneLine(e);
    expect(e.message).toMatch(/is a file, not a folder/);
  });

  it("a name too long for the file system", async () => {
    const e = await userError(openResultsFolder(join(tmp, "x".repeat(300))));
    expect(e.code).toBe("out.unwritable");
    expect(e.message).toMatch(/the path is too long/);
  });

  it.skipIf(!existsSync("/sys/kernel"))("a folder the process may not write (/sys)", async () => {
    const e = await userError(openResultsFolder("/sys/openbeat-test/out"));
    expect(e.code).toBe("out.unwritable");
    oneLine(e);
  });

  it("read-only file system, disk full and permission errors each name the path and what to do", () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(outFolderError(err("EROFS"), "o", "/mnt/o").message).toBe(
      "--out o: the file system is read-only (/mnt/o); choose a folder on a writable disk",
    );
    expect(outFolderError(err("ENOSPC"), "o", "/mnt/o/x").code).toBe("out.disk_full");
    expect(outFolderError(err("EACCES"), "o", "/mnt").message).toMatch(/no permission to write \/mnt/);
  });
});
