import { stat } from "node:fs/promises";
import { formatInspect, inspectFile } from "../data/inspect.js";
import { UserError } from "../util/errors.js";
import * as msg from "../util/messages.js";
import { cliIo } from "./io.js";

/** `openbeat inspect FILE`: prints each column's type, nulls, distinct count and top values. */
export async function inspectCommand(file: string): Promise<void> {
  const s = await stat(file).catch(() => null);
  if (!s) throw new UserError("inspect.not_found", msg.inspectNotFound(file));
  if (s.isDirectory()) throw new UserError("inspect.directory", msg.inspectIsFolder(file));
  cliIo().stdout.write(formatInspect(await inspectFile(file)) + "\n");
}
