import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderErrorsDoc } from "../../scripts/errors-doc.js";
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

  it("schema/*.schema.json equal the JSON Schemas generated from the zod schemas", () => {
    for (const [name, text] of Object.entries(renderSchemas())) expect(readFileSync(`schema/${name}`, "utf8"), name).toBe(text);
  });
});
