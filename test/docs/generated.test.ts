import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderErrorsDoc } from "../../scripts/errors-doc.js";
import { keyDocs, renderResultsDoc } from "../../scripts/results-doc.js";
import { renderSchemas } from "../../scripts/schemas.js";
import { ERROR_CODES, WARNING_CODES } from "../../src/util/codes.js";

describe("generated documentation is current (regenerate with npm run docs)", () => {
  it("docs/errors.md equals the rendering of src/util/codes.ts", () => {
    expect(readFileSync("docs/errors.md", "utf8")).toBe(renderErrorsDoc());
  });

  it("docs/errors.md lists every error and warning code", () => {
    const doc = readFileSync("docs/errors.md", "utf8");
    for (const code of [...Object.keys(ERROR_CODES), ...Object.keys(WARNING_CODES)]) expect(doc).toContain(`| \`${code}\` |`);
  });

  it("docs/results.md equals the rendering of the results schema", () => {
    expect(readFileSync("docs/results.md", "utf8")).toBe(renderResultsDoc());
  });

  it("docs/results.md describes every key of results.json, and the README links to it", () => {
    const schema = JSON.parse(readFileSync("schema/results.schema.json", "utf8")) as Parameters<typeof keyDocs>[0];
    const keys = keyDocs(schema);
    expect(keys.length).toBeGreaterThan(300);
    expect(keys.filter((k) => !k.description?.trim()).map((k) => k.path)).toEqual([]);
    const doc = readFileSync("docs/results.md", "utf8");
    for (const k of keys) expect(doc).toContain(`| \`${k.path}\` |`);
    expect(readFileSync("README.md", "utf8")).toMatch(/\]\(docs\/results\.md\)/);
  });

  it("schema/*.schema.json equal the JSON Schemas generated from the zod schemas", () => {
    for (const [name, text] of Object.entries(renderSchemas())) expect(readFileSync(`schema/${name}`, "utf8"), name).toBe(text);
  });
});
