import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { loadSources } from "../../src/data/load-sources.js";
import { loadCsv } from "../../src/data/sources/load-csv.js";
import { parseStudy } from "../../src/studies/study-file/load-study.js";
import { studySchema, type StudySpec } from "../../src/studies/registry.js";
import { isUserError } from "../../src/util/errors.js";
import { Logger } from "../../src/util/logger.js";

/**
 * Property tests: whatever bytes a CSV holds and however a study file is wrong, the library either succeeds or
 * throws a UserError with one line that names the file. Run counts are bounded so the file stays well under 30 s.
 */

type Def = {
  type: string;
  shape?: Record<string, unknown>;
  valueType?: unknown;
  element?: unknown;
  options?: unknown[];
  innerType?: unknown;
  in?: unknown;
};
const def = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | null | undefined)?._zod?.def;

function unwrap(s: unknown): unknown {
  for (let i = 0; i < 10; ++i) {
    const d = def(s);
    if (d?.innerType) s = d.innerType;
    else if (d?.type === "pipe") s = d.in;
    else break;
  }
  return s;
}

/** Every key path the study schema defines (records get a sample key, lists index 0), to depth 5. */
function schemaPaths(schema: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length > 5) return out;
  const d = def(unwrap(schema));
  if (!d) return out;
  if (d.type === "object") {
    for (const [k, v] of Object.entries(d.shape ?? {})) {
      out.push([...prefix, k]);
      schemaPaths(v, [...prefix, k], out);
    }
  } else if (d.type === "record") schemaPaths(d.valueType, [...prefix, "incidents"], out);
  else if (d.type === "array") schemaPaths(d.element, [...prefix, 0], out);
  else if (d.type === "union") for (const o of d.options ?? []) schemaPaths(o, prefix, out);
  return out;
}

const PATHS = [...new Map(schemaPaths(studySchema).map((p) => [JSON.stringify(p), p])).values()];

/** A valid risk study with every section present, so that most schema paths exist in it. */
function baseStudy(): Record<string, unknown> {
  return {
    name: "property study",
    kind: "risk",
    seed: 3,
    sources: { incidents: { path: "incidents.csv", delimiter: ",", types: { AGE: "INTEGER" } } },
    prepare: [{ name: "cases", sql: "SELECT * FROM incidents" }],
    table: "cases",
    risk: {
      target: "y",
      id: "id",
      features: {
        categorical: ["a"],
        numeric: ["b"],
        dates: [{ column: "d", parts: ["hour"] }],
        min_frequency: 2,
        missing: { categorical: "drop", numeric: "mean" },
      },
      resample: { method: "smote", k_neighbors: 3 },
      model: { C: 1, max_iter: 100 },
      validation: { method: "stratified_kfold", folds: 3 },
      findings: { by: ["a"], min_count: 5 },
      leakage: { rate: 0.9, min_count: 5 },
    },
    report: { min_cell: 5 },
  };
}

const wrongValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxKeys: 3 }),
);

type Mutation =
  | { kind: "set"; path: (string | number)[]; value: unknown }
  | { kind: "delete"; path: (string | number)[] }
  | { kind: "unknown"; path: (string | number)[]; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), path: fc.constantFrom(...PATHS), value: wrongValue }),
  fc.record({ kind: fc.constant("delete" as const), path: fc.constantFrom(...PATHS) }),
  fc.record({
    kind: fc.constant("unknown" as const),
    path: fc.constantFrom([], ...PATHS),
    key: fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom(...PATHS.map((p) => String(p.at(-1)) + "s"))),
    value: wrongValue,
  }),
);

function apply(study: Record<string, unknown>, m: Mutation): void {
  const parentPath = m.kind === "unknown" ? m.path : m.path.slice(0, -1);
  let node: unknown = study;
  for (const p of parentPath) {
    if (node === null || typeof node !== "object") return;
    node = (node as Record<string | number, unknown>)[p];
  }
  if (node === null || typeof node !== "object") return;
  const obj = node as Record<string | number, unknown>;
  // String() gives the property key JavaScript itself would use for the last path element.
  if (m.kind === "set") obj[String(m.path.at(-1))] = m.value;
  else if (m.kind === "delete") Reflect.deleteProperty(obj, String(m.path.at(-1)));
  else if (!Array.isArray(obj)) obj[m.key] = m.value;
}

/** Parses and returns the error (or null when the text is a valid study). */
function parseError(text: string): unknown {
  try {
    parseStudy(text, "prop.yaml");
    return null;
  } catch (e) {
    return e;
  }
}

function expectClearStudyError(e: unknown): void {
  if (e === null) return;
  if (!isUserError(e)) throw e instanceof Error ? e : new Error("a non-Error was thrown", { cause: e });
  expect(e.message).toMatch(/^prop\.yaml(:\d+)?: /);
  expect(e.message).not.toContain("\n");
  expect(e.message).not.toMatch(/\[object Object\]|undefined/);
  expect(e.message.length).toBeLessThan(600);
}

describe("parseStudy(text) on wrong study files", () => {
  it("the schema walk finds the study file's keys", () => {
    const flat = PATHS.map((p) => p.join("."));
    expect(flat).toEqual(
      expect.arrayContaining([
        "name",
        "kind",
        "sources.incidents.path",
        "risk.target",
        "risk.features.categorical",
        "risk.validation.folds",
        "segments.k.max",
      ]),
    );
  });

  it("the unmutated base study is valid", () => {
    expect(parseError(stringify(baseStudy()))).toBeNull();
  });

  it("wrong types, wrong values, missing and unknown keys give one clear line", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        const study = baseStudy();
        for (const m of ms) apply(study, m);
        expectClearStudyError(parseError(stringify(study)));
      }),
      { numRuns: 400, seed: 20260101 },
    );
  });

  it("a single unknown key is reported by name, with its line", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS.filter((p) => typeof p.at(-1) === "string" && p.length <= 2 && !p.includes(0))), (path) => {
        const study = baseStudy();
        const parent = path.slice(0, -1);
        const typo = `${String(path.at(-1))}x`;
        apply(study, { kind: "unknown", path: parent, key: typo, value: 1 });
        const e = parseError(stringify(study));
        if (e === null) return;
        expectClearStudyError(e);
        const parentValue = parent.reduce<unknown>((n, p) => (n as Record<string, unknown> | null | undefined)?.[p], study);
        if (
          parentValue &&
          typeof parentValue === "object" &&
          !Array.isArray(parentValue) &&
          !(parent.at(-1) === "sources" || parent.at(-1) === "types")
        ) {
          expect((e as Error).message).toContain(`"${[...parent, typo].join(".")}"`);
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it("random text never escapes as anything but a UserError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: fc.constantFrom(...Array.from("ab: -{}[]\n\t\"'#&*!|>%@`,?")), maxLength: 120 }),
        ),
        (text) => {
          expectClearStudyError(parseError(text));
        },
      ),
      { numRuns: 400, seed: 11 },
    );
  });
});

describe("loadCsv and loadSources on random bytes", () => {
  let db: Db;
  let dir: string;
  beforeAll(async () => {
    db = await Db.open();
    dir = mkdtempSync(join(tmpdir(), "openbeat-prop-"));
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const csvish = fc
    .array(
      fc.array(
        fc.oneof(
          fc.constantFrom("", "a", "1", "2.5", "NaN", '"', '""', '"x,y"', "é", "\u00ff", " ", "null", "2021-01-01"),
          fc.string({ maxLength: 4 }),
        ),
        { maxLength: 6 },
      ),
      { maxLength: 12 },
    )
    .chain((rows) => fc.constantFrom("\n", "\r\n", "\r").map((nl) => Buffer.from(rows.map((r) => r.join(",")).join(nl))));
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
    csvish,
    csvish.map((b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b])),
  );

  let n = 0;
  async function loadOutcome(file: Buffer, via: "loadCsv" | "loadSources"): Promise<unknown> {
    const name = `p${++n}.csv`;
    writeFileSync(join(dir, name), file);
    try {
      if (via === "loadCsv") await loadCsv(db, "prop", join(dir, name), { where: name });
      else {
        const spec = { sources: { prop: { path: name } } } as unknown as StudySpec;
        await loadSources(db, spec, { studyFile: join(dir, "study.yaml"), logger: new Logger({ silent: true }) });
      }
      return null;
    } catch (e) {
      return e;
    }
  }

  function expectClearLoadError(e: unknown, file: RegExp): void {
    if (e === null) return;
    if (!isUserError(e)) throw e instanceof Error ? e : new Error("a non-Error was thrown", { cause: e });
    expect(e.message).toMatch(file);
    expect(e.message).not.toContain("\n");
  }

  it("loadCsv either loads or throws one clear UserError", async () => {
    await fc.assert(
      fc.asyncProperty(bytes, async (b) => {
        expectClearLoadError(await loadOutcome(b, "loadCsv"), /^p\d+\.csv: /);
      }),
      { numRuns: 80, seed: 5 },
    );
  });

  it("loadSources either loads or throws one clear UserError naming the study and source", async () => {
    await fc.assert(
      fc.asyncProperty(bytes, async (b) => {
        expectClearLoadError(await loadOutcome(b, "loadSources"), /study\.yaml: source "prop"/);
      }),
      { numRuns: 50, seed: 6 },
    );
  });
});
