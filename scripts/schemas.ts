import { z } from "zod";
import { manifestSchema, resultsSchema } from "../src/results/schema.js";
import { studySchema } from "../src/studies/registry.js";

/** The shipped JSON Schemas, generated from the zod schemas: file name -> text. */
export function renderSchemas(): Record<string, string> {
  const json = (schema: z.ZodType, title: string, io: "input" | "output") =>
    JSON.stringify({ title, ...z.toJSONSchema(schema, { io, unrepresentable: "any" }) }, null, 2) + "\n";
  return {
    "results.schema.json": json(resultsSchema, "openbeat results.json", "output"),
    "manifest.schema.json": json(manifestSchema, "openbeat manifest.json", "output"),
    "study.schema.json": json(studySchema, "openbeat study file", "input"),
  };
}
