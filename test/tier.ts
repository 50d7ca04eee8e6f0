import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The tier a test file runs in, set by its project in vitest.config.ts. */
    tier: "unit" | "e2e";
  }
}

/** The tier (vitest project) this test file runs in: `unit` (in-process) or `e2e` (processes, browser, PostgreSQL). */
export function testTier(): "unit" | "e2e" {
  return inject("tier");
}
