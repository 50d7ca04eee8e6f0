import { writeFile } from "node:fs/promises";
import { draftStudy } from "../studies/init/draft-study.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import { cliIo } from "./io.js";

/** Options of `openbeat init`. */
export interface InitCommandOptions {
  kind: "risk" | "segments";
  target?: string;
  out?: string;
}

/**
 * `openbeat init FILE... --kind risk|segments [--target COL] [--out study.yaml]`: drafts a commented study file from
 * the data and writes it to `--out` (never over an existing file) or to standard output; a summary of the choices
 * goes to standard error.
 */
export async function initCommand(files: string[], options: InitCommandOptions): Promise<void> {
  const draft = await draftStudy({ files, kind: options.kind, target: options.target, out: options.out });
  const io = cliIo();
  if (options.out) {
    try {
      await writeFile(options.out, draft.yaml, { flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new UserError("init.exists", msg.initExists(options.out), { cause: e });
      throw e;
    }
  } else io.stdout.write(draft.yaml);
  const count = (role: string) => draft.columns.filter((c) => c.role === role).length;
  io.stderr.write(
    `openbeat init: ${options.kind} study${draft.target ? ` of ${draft.target}` : ""}: ${String(count("categorical"))} categorical, ${String(count("numeric"))} numeric, ${String(count("date"))} date columns; ${String(count("left_out"))} left out${draft.leakage.length ? ` (leakage-prone: ${draft.leakage.join(", ")})` : ""}${options.out ? `; wrote ${options.out}` : ""}\n`,
  );
}
