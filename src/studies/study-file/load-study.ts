import { readFile, stat } from "node:fs/promises";
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node } from "yaml";
import type { z } from "zod";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { sectionHint, STUDY_KIND_NAMES, studySchema, type StudySpec } from "../registry.js";

/** A parsed, validated study file and where it came from. */
export interface LoadedStudy {
  spec: StudySpec;
  /** Path as given. */
  file: string;
  /** Exact text, for the manifest. */
  text: string;
}

/** Reads and validates a study file; every problem is a one-line {@link UserError} naming file, line and key. */
export async function loadStudy(file: string): Promise<LoadedStudy> {
  let text: string;
  try {
    const s = await stat(file);
    if (s.isDirectory()) throw new UserError("study.is_directory", msg.studyIsDirectory(file));
    text = await readFile(file, "utf8");
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError("study.unreadable", code === "ENOENT" ? msg.studyNotFound(file) : msg.studyUnreadable(file, code ?? String(e)));
  }
  return { spec: parseStudy(text, file), file, text };
}

/** Parses and validates study-file text; `file` is used in messages. */
export function parseStudy(text: string, file = "study.yaml"): StudySpec {
  const lineCounter = new LineCounter();
  // The parser's own duplicate-key check compares every key with every other (quadratic: 20,000 keys took
  // seconds); duplicates are found below with one set per mapping instead.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true });
  if (!doc.errors.length) {
    const dup = duplicateKey(doc.contents);
    if (dup) {
      const line = dup.range ? lineCounter.linePos(dup.range[0]).line : undefined;
      throw new UserError("study.yaml", msg.invalidYaml(file, line, "Map keys must be unique", String(dup.key)));
    }
  }
  if (doc.errors.length) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    const what = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    const lines = text.split(/\r?\n/);
    const source = pos ? (lines[pos.line - 1] ?? "") : "";
    const key = /^\s*([^:#\s][^:#]*?)\s*:/.exec(source)?.[1];
    const line = pos ? errorKeyLine(doc.contents, err.pos[0], lineCounter, lines, pos.line, err.code) : undefined;
    throw new UserError("study.yaml", msg.invalidYaml(file, line, what, err.code === "DUPLICATE_KEY" ? key : undefined));
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    // Aliases are only resolved here: an alias to a missing anchor, or too many of them (an "alias bomb").
    throw new UserError("study.yaml", msg.invalidYamlAlias(file, (e as Error).message.split("\n")[0]), { cause: e });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UserError("study.empty", msg.studyNotMapping(file));
  }
  const kind = checkKind(value as Record<string, unknown>, file);
  const parsed = studySchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    // An unknown key usually explains the "required" issue next to it (a misspelled key), and can suggest the fix.
    const issue = parsed.error.issues.find((i) => i.code === "unrecognized_keys") ?? parsed.error.issues[0];
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : issue.path;
    const where = locate(doc.contents, path, lineCounter);
    throw new UserError("study.invalid", msg.studyInvalid(file, where, describeIssue(issue, kind)));
  }
  const spec = parsed.data;
  checkSteps(spec, file);
  return spec;
}

/**
 * Checks `kind` and that the file has that kind's section and no other kind's, before the schema does, so that the
 * message says what to add or remove. Returns the kind when it is a known one.
 */
function checkKind(value: Record<string, unknown>, file: string): string | undefined {
  const kind = value.kind;
  if (typeof kind !== "string" || !STUDY_KIND_NAMES.includes(kind)) return undefined;
  if (value[kind] === undefined) {
    const hint = sectionHint(kind);
    throw new UserError("study.missing_section", msg.kindSectionMissing(file, kind, hint));
  }
  for (const other of STUDY_KIND_NAMES) {
    if (other !== kind && value[other] !== undefined) throw new UserError("study.extra_section", msg.otherKindSection(file, kind, other));
  }
  return kind;
}

/** Prepare step names must be unique and differ from source names (each becomes a table). */
function checkSteps(spec: StudySpec, file: string): void {
  const names = new Set<string>();
  for (const step of spec.prepare) {
    if (names.has(step.name)) throw new UserError("study.duplicate_step", msg.duplicateStepName(file, step.name));
    if (Object.hasOwn(spec.sources, step.name)) throw new UserError("study.duplicate_step", msg.stepNamedLikeSource(file, step.name));
    names.add(step.name);
  }
}

function dotted(path: PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
    .join(".")
    .replaceAll(".[", "[");
}

function describeIssue(issue: z.core.$ZodIssue, kind: string | undefined): string {
  const at = dotted(issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0];
      const known = knownKeys(issue.path, kind);
      const full = at ? `${at}.${key}` : key;
      return `unknown key "${full}"${msg.didYouMean(key, known)}${known.length ? `; allowed here: ${known.join(", ")}` : ""}`;
    }
    case "invalid_type":
      if (issue.input === undefined) return `"${at}" is required`;
      return `"${at}" should be ${issue.expected === "array" ? "a list" : issue.expected === "object" || issue.expected === "record" ? "a mapping" : issue.expected === "int" ? "a whole number" : `a ${issue.expected}`}, not ${JSON.stringify(issue.input)}`;
    case "invalid_value":
      return `"${at}" must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${typeof issue.input === "string" ? `, not ${JSON.stringify(issue.input)}${msg.didYouMean(issue.input, issue.values.map(String))}` : ""}`;
    case "invalid_union": {
      const disc = issue as { discriminator?: unknown; options?: unknown };
      if (typeof disc.discriminator === "string" && Array.isArray(disc.options)) {
        const given = (issue.input as Record<string, unknown> | undefined)?.[disc.discriminator];
        const values = disc.options.map(String);
        return `"${at}" must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}${typeof given === "string" ? `, not ${JSON.stringify(given)}${msg.didYouMean(given, values)}` : ""}`;
      }
      const expected = /Expected (.*)$/.exec(issue.message)?.[1];
      return expected
        ? `"${at}" must be one of ${expected.replaceAll("'", '"').replaceAll(" | ", ", ")}`
        : `"${at}" is not valid: ${issue.message}`;
    }
    case "too_small":
    case "too_big":
      return `"${at}": ${issue.message.replace(/^Too (small|big): expected /, "expected ")}`;
    default:
      return `"${at}": ${issue.message}`;
  }
}

/** Keys allowed at a path of the study schema (for suggestions); `kind` picks the study file's variant. */
function knownKeys(path: PropertyKey[], kind: string | undefined): string[] {
  let schema: unknown = studySchema.options.find((o) => o.shape.kind.value === kind) ?? studySchema;
  for (const p of path) {
    schema = unwrap(schema);
    const def = (schema as ZodLike | undefined)?._zod?.def;
    if (!def) return [];
    if (def.type === "object") schema = (def.shape as Record<string, unknown>)[String(p)];
    else if (def.type === "record") schema = def.valueType;
    else if (def.type === "array") schema = def.element;
    else return [];
  }
  schema = unwrap(schema);
  const def = (schema as ZodLike | undefined)?._zod?.def;
  if (def?.type === "object") return Object.keys(def.shape as object);
  if (def?.type === "union") {
    const keys = new Set<string>();
    for (const o of def.options as unknown[]) {
      const d = (unwrap(o) as { _zod: { def: Record<string, unknown> } })._zod.def;
      if (d.type === "object") for (const k of Object.keys(d.shape as object)) keys.add(k);
    }
    return [...keys];
  }
  return [];
}

/** What the schema walk reads of a zod schema: its definition. */
interface ZodLike {
  _zod?: { def?: Record<string, unknown> };
}

function unwrap(schema: unknown): unknown {
  let s = schema as ZodLike | undefined;
  for (let i = 0; i < 10 && s?._zod?.def; ++i) {
    const def = s._zod.def;
    if (def.innerType) s = def.innerType;
    else if (def.type === "pipe") s = def.in as typeof s;
    else break;
  }
  return s;
}

/** "line" of the YAML node at `path` (or its nearest existing parent). */
function locate(root: Node | null, path: PropertyKey[], lc: LineCounter): string | undefined {
  let node: Node | null = root;
  let found: Node | null = root;
  for (const p of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === p);
      if (!pair) break;
      // The key's line, not its value's: a block value starts on the next line.
      found = (pair.key as Node | null) ?? found;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof p === "number") {
      node = node.items[p] as Node | null;
      if (node) found = node;
    } else break;
  }
  const offset = found?.range?.[0];
  return offset === undefined ? undefined : String(lc.linePos(offset).line);
}

/**
 * The line to name for a YAML syntax error: the parser reports where it gave up, which for an unclosed quote or
 * bracket is the next key or the end of the file; the key whose value it was reading is where the fix goes. So: the
 * key of the innermost scalar or flow collection (`[…]`, `{…}`) that runs up to the error, else, for a value on the
 * line after its key but not indented under it, that key; else the parser's line.
 */
function errorKeyLine(root: unknown, offset: number, lc: LineCounter, lines: string[], line: number, code: string): number {
  let best: { start: number; line: number } | null = null;
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (!isMap(node) && !isSeq(node)) continue;
    for (const item of node.items) {
      const pair = isMap(node) ? (item as { key: unknown; value: unknown }) : { key: null, value: item };
      const value = pair.value as Node | null;
      if (value && (isMap(value) || isSeq(value))) stack.push(value);
      const range = value?.range;
      const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
      if (!range || !keyRange) continue;
      const enclosing = isScalar(value) || ((isMap(value) || isSeq(value)) && value.flow === true);
      if (enclosing && range[0] <= offset && offset <= range[2] && (!best || range[0] > best.start))
        best = { start: range[0], line: lc.linePos(keyRange[0]).line };
    }
  }
  if (best) return best.line;
  if (code === "MISSING_CHAR" || code === "BAD_INDENT") {
    // `target:` then `y` on the next line at the key's own indentation: the value belongs under that key.
    for (let i = line - 2; i >= 0; --i) {
      const prev = lines[i];
      if (!prev.trim() || /^\s*#/.test(prev)) continue;
      const indent = (l: string) => l.length - l.trimStart().length;
      if (/:\s*(#.*)?$/.test(prev) && indent(prev) >= indent(lines[line - 1] ?? "")) return i + 1;
      break;
    }
  }
  return line;
}

/** The first key that repeats within one mapping (in document order), with where it appears the second time. */
function duplicateKey(root: unknown): { key: unknown; range?: [number, number, number] } | null {
  const stack: unknown[] = [root];
  let found: { key: unknown; range?: [number, number, number]; at: number } | null = null;
  while (stack.length) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        const range = isScalar(pair.key) ? (pair.key.range ?? undefined) : undefined;
        if (seen.has(k)) {
          const at = range?.[0] ?? Infinity;
          if (!found || at < found.at) found = { key: k, range, at };
        }
        seen.add(k);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) stack.push(...node.items);
  }
  return found && { key: found.key, range: found.range };
}
