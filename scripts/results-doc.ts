import { z } from "zod";
import { resultsSchema } from "../src/results/schema.js";

/** The part of a JSON Schema node the rendering reads. */
interface Node {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  items?: Node | Node[];
  prefixItems?: Node[];
  anyOf?: Node[];
  oneOf?: Node[];
  enum?: unknown[];
  const?: unknown;
}

/** One documented key: its path, type, whether it is always there, and what it means. */
export interface KeyDoc {
  path: string;
  type: string;
  required: boolean;
  description?: string;
}

const isNull = (n: Node) => n.type === "null";

/** A node with `null` alternatives removed, and whether there was one. */
function nonNull(n: Node): { node: Node; nullable: boolean } {
  const alts = n.anyOf ?? n.oneOf;
  if (alts && alts.some(isNull)) {
    const rest = alts.filter((a) => !isNull(a));
    const node =
      rest.length === 1 ? { ...rest[0], description: n.description ?? rest[0].description } : { ...n, anyOf: rest, oneOf: undefined };
    return { node, nullable: true };
  }
  return { node: n, nullable: false };
}

/** The type of a node in words: `integer`, `number or null`, `list of objects`, `"risk"`, `"a", "b"`. */
function typeOf(n: Node): string {
  const { node, nullable } = nonNull(n);
  const orNull = nullable ? " or null" : "";
  if (node.const !== undefined) return `${JSON.stringify(node.const)}${orNull}`;
  if (node.enum) return `${node.enum.map((v) => JSON.stringify(v)).join(" | ")}${orNull}`;
  const alts = node.anyOf ?? node.oneOf;
  if (alts) return `${[...new Set(alts.map(typeOf))].join(" or ")}${orNull}`;
  if (node.type === "array") {
    if (node.prefixItems) return `[${node.prefixItems.map(typeOf).join(", ")}]${orNull}`;
    const item = Array.isArray(node.items) ? node.items[0] : node.items;
    return `list of ${item ? typeOf(item) : "values"}${orNull}`;
  }
  if (node.type === "object") {
    if (!node.properties && node.additionalProperties && typeof node.additionalProperties === "object")
      return `map of ${typeOf(node.additionalProperties)}${orNull}`;
    return `object${orNull}`;
  }
  if (Array.isArray(node.type)) return `${node.type.join(" or ")}${orNull}`;
  return `${node.type ?? "any"}${orNull}`;
}

/** The objects a node holds keys of: itself, its list items, its map values, its alternatives. */
function objectsIn(n: Node): { node: Node; suffix: string }[] {
  const { node } = nonNull(n);
  const alts = node.anyOf ?? node.oneOf;
  if (alts) return alts.flatMap(objectsIn);
  if (node.type === "array" && node.items && !Array.isArray(node.items))
    return objectsIn(node.items).map((o) => ({ ...o, suffix: `[]${o.suffix}` }));
  if (node.type === "object" && node.properties) return [{ node, suffix: "" }];
  if (node.type === "object" && node.additionalProperties && typeof node.additionalProperties === "object")
    return objectsIn(node.additionalProperties).map((o) => ({ ...o, suffix: `.*${o.suffix}` }));
  return [];
}

/** Every key under `node`, depth first, with dotted paths (`[]` for list items, `*` for any map key). */
export function keyDocs(node: Node, prefix = ""): KeyDoc[] {
  const out: KeyDoc[] = [];
  for (const { node: obj, suffix } of objectsIn(node)) {
    for (const [key, child] of Object.entries(obj.properties ?? {})) {
      const path = `${prefix}${suffix}${prefix || suffix ? "." : ""}${key}`;
      const description = child.description ?? nonNull(child).node.description;
      out.push({ path, type: typeOf(child), required: obj.required?.includes(key) ?? false, description });
      out.push(...keyDocs(child, path));
    }
  }
  return out;
}

const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");

function table(keys: KeyDoc[]): string {
  const rows = keys.map((k) => {
    const meaning = [k.required ? "" : "optional", k.description ?? ""].filter(Boolean).join("; ");
    return `| \`${k.path}\` | ${cell(k.type)} | ${cell(meaning)} |`;
  });
  return ["| key | type | meaning |", "|---|---|---|", ...rows].join("\n");
}

const INTRO = `# results.json

<!-- Generated from src/results/schema.ts by \`npm run docs\`; edit the descriptions there, not here. -->

\`openbeat run\` writes \`results.json\` into the results folder: everything the report and the dashboard show, as
JSON with snake_case keys. The same contract is shipped as a JSON Schema, \`schema/results.schema.json\`, and every
run is checked against it before anything is written. Keys are only ever added, never renamed.

- \`study\` says which of the two shapes below a file has: \`"risk"\` or \`"segments"\`.
- Counts below the disclosure threshold (\`disclosure.min_cell\`, default 10), and the rates and statistics made
  from them, are \`null\` in a disclosed results.json; a record's \`suppressed\` list names the fields that were hidden
  (docs/disclosure.md).
- Paths: \`a.b\` is key \`b\` of object \`a\`; \`a[]\` an item of list \`a\`; \`a.*\` any key of map \`a\`. Keys are always
  present unless marked optional.
`;

/**
 * docs/results.md: every key of results.json with its type and description, from the JSON Schema of the zod results
 * schema (the descriptions given with `.describe()` in src/results/schema.ts): first the keys every study has, then
 * those of a risk study, then those of a segments study.
 */
export function renderResultsDoc(): string {
  const schema = z.toJSONSchema(resultsSchema, { io: "output", unrepresentable: "any" }) as Node;
  const variants = (schema.oneOf ?? schema.anyOf ?? []).map((v) => ({ study: String(v.properties?.study.const), keys: keyDocs(v) }));
  const same = (a: KeyDoc, b: KeyDoc) =>
    a.path === b.path && a.type === b.type && a.description === b.description && a.required === b.required;
  const common = variants[0].keys.filter((k) => variants.every((v) => v.keys.some((o) => same(o, k))));
  const commonPaths = new Set(common.map((k) => k.path));
  const parts = [INTRO.trimEnd(), "## Every study", table(common)];
  for (const v of variants) {
    parts.push(
      `## ${v.study === "risk" ? "Risk studies" : v.study === "segments" ? "Segments studies" : v.study} (\`study: "${v.study}"\`)`,
    );
    parts.push(table(v.keys.filter((k) => !commonPaths.has(k.path))));
  }
  return parts.join("\n\n") + "\n";
}
