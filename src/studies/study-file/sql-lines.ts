import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Scalar } from "yaml";

/** Where one SQL text of a prepare step is in the study file. */
export interface SqlPosition {
  /** Line of the key (`sql:` or `postgres:`). */
  key: number;
  /**
   * Line of the first line of the SQL as it runs (leading blank lines trimmed), when the lines of the text are the
   * lines of the file: a literal block (`|`) or a one-line scalar. Absent for folded (`>`) and multi-line plain or
   * quoted scalars, whose line breaks YAML joins.
   */
  first?: number;
}

/** The positions of each prepare step's `sql` and `postgres` texts, by the step's index. */
export interface StepSqlPositions {
  sql?: SqlPosition;
  postgres?: SqlPosition;
}

/**
 * Finds each prepare step's SQL in the study file's text, so that an SQL error's line (DuckDB's `LINE 3:`) can be
 * given as a line of the study file. Steps it cannot find (a file that is not plain YAML mappings) have no entry.
 * @param text the study file's text
 */
export function prepareSqlPositions(text: string): StepSqlPositions[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  if (doc.errors.length || !isMap(doc.contents)) return [];
  const prepare = doc.contents.get("prepare", true);
  if (!isSeq(prepare)) return [];
  return prepare.items.map((item) => {
    const out: StepSqlPositions = {};
    if (!isMap(item)) return out;
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? pair.key : null;
      if (!key?.range || (key.value !== "sql" && key.value !== "postgres")) continue;
      out[key.value] = { key: lc.linePos(key.range[0]).line, ...firstLine(pair.value, lc) };
    }
    return out;
  });
}

function firstLine(value: unknown, lc: LineCounter): { first?: number } {
  if (!isScalar(value) || !value.range || typeof value.value !== "string") return {};
  const node = value as Scalar<string>;
  const [start, end] = node.range as [number, number, number];
  const trimmed = node.value.length - node.value.trimStart().length;
  const skipped = node.value.slice(0, trimmed).split("\n").length - 1;
  if (node.type === "BLOCK_LITERAL") return { first: lc.linePos(start).line + 1 + skipped };
  const line = lc.linePos(start).line;
  return lc.linePos(Math.max(start, end - 1)).line === line && node.type !== "BLOCK_FOLDED" ? { first: line } : {};
}
