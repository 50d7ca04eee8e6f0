/** Writes the generated documentation: docs/errors.md, docs/results.md and the JSON Schemas in schema/. Run: `npm run docs`. */
import { mkdirSync, writeFileSync } from "node:fs";
import { renderErrorsDoc } from "./errors-doc.js";
import { renderResultsDoc } from "./results-doc.js";
import { renderSchemas } from "./schemas.js";

writeFileSync(new URL("../docs/errors.md", import.meta.url), renderErrorsDoc());
writeFileSync(new URL("../docs/results.md", import.meta.url), renderResultsDoc());
mkdirSync(new URL("../schema/", import.meta.url), { recursive: true });
for (const [name, text] of Object.entries(renderSchemas())) writeFileSync(new URL(`../schema/${name}`, import.meta.url), text);
