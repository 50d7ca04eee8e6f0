import { execFileSync, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { testTier } from "./tier.js";

/**
 * The unit tier shares one module registry per worker (`isolate: false` in vitest.config.ts, for speed); the setup
 * file's refusal of child processes must hold in every file all the same, this one included.
 */
describe("the unit tier", () => {
  it("runs in the unit project and refuses to start a process", () => {
    expect(testTier()).toBe("unit");
    expect(() => execFileSync("true")).toThrow("the unit tier starts no processes");
    expect(() => spawn("true")).toThrow("the unit tier starts no processes");
  });
});
