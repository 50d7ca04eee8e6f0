import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { withSchemaComment } from "../studies/study-file/schema-reference.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import { cliIo } from "./io.js";

/**
 * The examples folder shipped with the package: `examples/` two levels above this module, which holds both for the
 * built `dist/cli/` and for `src/cli/` run from a clone.
 */
export function examplesFolder(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples");
}

/** Every file under `dir`, as paths relative to it, sorted. */
async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else if (entry.isFile()) out.push(relative(base, full));
  }
  return out.sort();
}

/**
 * Copies the example study files into `dir`, keeping their folders; each study file's first line then names the
 * package's study schema by its path from the copy (`# yaml-language-server: $schema=…`). Nothing is overwritten: when any target file
 * exists, no file is copied and the error names the ones in the way.
 * @param dir target folder (created when missing)
 * @param from the examples folder (default: the package's own, {@link examplesFolder})
 * @returns the copied files, relative to `dir`
 */
export async function copyExamples(dir: string, from: string = examplesFolder()): Promise<string[]> {
  const info = await stat(dir).catch(() => null);
  if (info && !info.isDirectory()) throw new UserError("examples.not_directory", msg.examplesNotFolder(dir));
  const files = await listFiles(from);
  const taken: string[] = [];
  for (const f of files) if (await stat(join(dir, f)).catch(() => null)) taken.push(join(dir, f));
  if (taken.length) throw new UserError("examples.exists", msg.examplesExist(dir, taken));
  for (const f of files) {
    await mkdir(dirname(join(dir, f)), { recursive: true });
    if (f.endsWith(".yaml")) {
      // The schema comment points at this package's schema from where the copy lands ("wx": never overwrite).
      const text = await readFile(join(from, f), "utf8");
      await writeFile(join(dir, f), withSchemaComment(text, dirname(join(dir, f))), { flag: "wx" });
    }
    // COPYFILE_EXCL: a file that appeared since the check above is still not overwritten.
    else await copyFile(join(from, f), join(dir, f), 1);
  }
  return files;
}

/** `openbeat examples [DIR]`: copies the example study files into DIR (default `openbeat-examples`). */
export async function examplesCommand(dir: string | undefined): Promise<void> {
  const target = dir ?? "openbeat-examples";
  const files = await copyExamples(target);
  const io = cliIo();
  for (const f of files) io.stdout.write(`${join(target, f)}\n`);
  io.stderr.write(
    `copied ${String(files.length)} example study files to ${target}; their source paths are relative to the data folder: run them with openbeat run ${join(target, files.find((f) => f.endsWith(".yaml")) ?? "")} --data DIR\n`,
  );
}
