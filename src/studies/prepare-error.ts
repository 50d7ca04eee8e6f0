import type { SqlPosition } from "./study-file/sql-lines.js";
import * as msg from "../util/messages.js";

/** Where a failed prepare step's SQL came from, to word its error. */
export interface PrepareErrorPlace {
  /** Study file, for messages. */
  file: string;
  step: string;
  engine: "duckdb" | "postgres";
  /** The step's SQL as it ran (trimmed). */
  sql: string;
  /** Text the runner put before the SQL in the statement it ran (`CREATE TABLE "step" AS `). */
  prefix: string;
  /** Where the SQL is in the study file, when known. */
  position?: SqlPosition;
}

/** What an SQL driver's error carries besides its message (PostgreSQL's fields; DuckDB puts all in the message). */
interface DriverFields {
  position?: string;
  detail?: string;
  hint?: string;
}

const POINTER = /^LINE (\d+): ?(.*)$/;

/**
 * The one message for a prepare step that failed: a first line naming the study file and the line of the error
 * (the line DuckDB's `LINE n:` pointer or PostgreSQL's position names, else the line of the step's `sql:` key), then
 * the engine's hint lines as it wrote them (`Candidate bindings: …`, the offending SQL line with its `^`), each
 * indented, with the SQL line given as the study file's line.
 * @param driverText the engine's whole error message (every line)
 * @param place the step and where its SQL is
 * @param fields PostgreSQL's error fields (position, detail, hint), when the engine gives them apart
 */
export function prepareErrorMessage(driverText: string, place: PrepareErrorPlace, fields: DriverFields = {}): string {
  const [head, ...rest] = driverText.split("\n");
  const hints: string[] = [];
  let errorLine: number | undefined;
  for (let i = 0; i < rest.length; ++i) {
    const line = rest[i].replace(/^\t+/, (t) => "  ".repeat(t.length)).trimEnd();
    if (!line.trim()) continue;
    const m = POINTER.exec(line);
    const caret = rest[i + 1]?.indexOf("^") ?? -1;
    if (m && caret >= 0) {
      const n = Number(m[1]);
      const pointer = pointTo(m[2], n, caret - (m[0].length - m[2].length), place);
      errorLine ??= pointer.fileLine;
      hints.push(...pointer.lines);
      ++i;
      continue;
    }
    hints.push(line);
  }
  if (fields.detail) hints.push(`DETAIL: ${fields.detail}`);
  if (fields.hint) hints.push(`HINT: ${fields.hint}`);
  const position = Number(fields.position);
  if (Number.isInteger(position) && position > place.prefix.length) {
    // PostgreSQL gives a 1-based character offset into the statement run, not a line.
    const at = position - 1 - place.prefix.length;
    const before = place.sql.slice(0, at);
    const n = before.split("\n").length;
    const column = at - (before.lastIndexOf("\n") + 1);
    const pointer = pointTo(place.sql.split("\n")[n - 1] ?? "", n, column, { ...place, prefix: "" });
    errorLine ??= pointer.fileLine;
    hints.push(...pointer.lines);
  }
  const head1 = place.engine === "postgres" ? `(PostgreSQL) ${head.trim()}` : head.trim();
  return msg.prepareFailed(place.file, place.step, head1, errorLine ?? place.position?.key, hints);
}

/** The SQL line `n` (as the engine showed it) and a `^` under `column`, labelled with the study file's line. */
function pointTo(text: string, n: number, column: number, place: PrepareErrorPlace): { fileLine?: number; lines: string[] } {
  let shown = text;
  let col = column;
  // The first line of the statement starts with the runner's own CREATE TABLE, which is not in the study file.
  if (n === 1 && place.prefix && shown.startsWith(place.prefix)) {
    shown = shown.slice(place.prefix.length);
    col -= place.prefix.length;
  }
  const fileLine = place.position?.first !== undefined ? place.position.first + n - 1 : undefined;
  const label = msg.sqlLineLabel(place.file, fileLine, n);
  const lines = [`${label}${shown}`];
  if (col >= 0) lines.push(`${" ".repeat(label.length + col)}^`);
  return { fileLine, lines };
}
