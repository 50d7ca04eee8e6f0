import { z } from "zod";
import type { ComputedResults as Results } from "../results/types.js";
import { assertUnreachable } from "../util/errors.js";
import type { KindDashboard, KindInput, KindOutput, KindSchema, StudyKind } from "./kind.js";
import { riskKind } from "./risk/kind.js";
import { segmentsKind } from "./segments/kind.js";

/**
 * The study kinds openbeat runs. A new kind is a folder beside risk/ and segments/ with its spec, its run function
 * and a {@link StudyKind} object, added to the schema union and to {@link activeKind} below.
 */
export const studySchema = z.discriminatedUnion("kind", [riskKind.schema, segmentsKind.schema]);

/** A parsed study file of any kind; narrow it by `kind`. */
export type StudySpec = z.infer<typeof studySchema>;

const KINDS = [riskKind, segmentsKind];

/** The kinds a study file may name. */
export const STUDY_KIND_NAMES: string[] = KINDS.map((k) => k.name);

/** What a new section of `kind` needs at least, for the "missing section" message. */
export function sectionHint(kind: string): string {
  return KINDS.find((k) => k.name === kind)?.sectionHint ?? "";
}

/** A kind bound to its study file: the runner calls these without knowing which kind it is. */
export interface ActiveKind {
  readonly name: string;
  validate(file: string): void;
  columns(): string[];
  dashboard(): KindDashboard;
  run(input: KindInput): Promise<KindOutput>;
}

function bind<Schema extends KindSchema, R extends Results>(kind: StudyKind<Schema, R>, spec: z.infer<Schema>): ActiveKind {
  return {
    name: kind.name,
    validate: (file) => {
      kind.validate(spec, file);
    },
    columns: () => kind.columns(spec),
    dashboard: () => kind.dashboard(spec),
    run: (input) => kind.run(input, spec),
  };
}

/** The kind that runs a study file, bound to it. */
export function activeKind(spec: StudySpec): ActiveKind {
  switch (spec.kind) {
    case "risk":
      return bind(riskKind, spec);
    case "segments":
      return bind(segmentsKind, spec);
    default:
      return assertUnreachable(spec);
  }
}
