import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";

const ENCODINGS: Record<string, string> = {
  "utf-8": "utf-8",
  utf8: "utf-8",
  "latin-1": "latin-1",
  latin1: "latin-1",
  "iso-8859-1": "latin-1",
  "utf-16": "utf-16",
  utf16: "utf-16",
};

/**
 * DuckDB's name for an encoding, or a UserError naming the supported ones.
 * @param where file (and source) for the message
 */
export function csvEncoding(encoding: string | undefined, where = "csv"): string {
  if (encoding === undefined) return "utf-8";
  const e = ENCODINGS[encoding.toLowerCase()];
  if (!e) throw new UserError("source.encoding", msg.unsupportedEncoding(where, encoding, ["utf-8", "latin-1", "utf-16"]));
  return e;
}
