import { readFileSync } from "node:fs";

/**
 * openbeat's version, read once from its package.json (the one place it is written). The path is the same from
 * src/util (tests) and dist/util (the built package).
 */
export const VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
  .version;
