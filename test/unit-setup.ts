import { vi } from "vitest";

// The unit tier runs everything in the test process (vitest.config.ts): a test that starts a child process belongs
// in the e2e tier. Every function of node:child_process throws here, for the project's source and tests alike.
vi.mock(import("node:child_process"), async (importOriginal) => {
  const actual = await importOriginal();
  const refuse = (name: string) => () => {
    throw new Error(`child_process.${name}: the unit tier starts no processes; move the test to test/e2e or name it *.e2e.test.ts`);
  };
  const refused = Object.fromEntries(Object.entries(actual).map(([k, v]) => [k, typeof v === "function" ? refuse(k) : v]));
  return { ...refused, default: refused } as unknown as typeof actual;
});
