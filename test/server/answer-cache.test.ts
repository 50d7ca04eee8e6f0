import { describe, expect, it } from "vitest";
import { AnswerCache } from "../../src/server/answer-cache.js";

describe("AnswerCache", () => {
  it("computes an answer once per request, also for requests asked while it is being computed", async () => {
    const cache = new AnswerCache();
    let computed = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const compute = async () => {
      computed++;
      await held;
      return { rows: [{ key: "a", count: 12 }] };
    };
    const first = cache.get("run\nquery\n{}", compute);
    const second = cache.get("run\nquery\n{}", compute);
    release();
    expect(await first).toEqual({ rows: [{ key: "a", count: 12 }] });
    expect(await second).toBe(await first);
    expect(await cache.get("run\nquery\n{}", compute)).toBe(await first);
    expect(computed).toBe(1);
    expect(await cache.get('run\nquery\n{"filters":{}}', compute)).toEqual({ rows: [{ key: "a", count: 12 }] });
    expect(computed).toBe(2);
  });

  it("does not keep a failed answer", async () => {
    const cache = new AnswerCache();
    let calls = 0;
    const flaky = () => (++calls === 1 ? Promise.reject(new Error("interrupted")) : Promise.resolve(calls));
    await expect(cache.get("k", flaky)).rejects.toThrow("interrupted");
    expect(await cache.get("k", flaky)).toBe(2);
    expect(await cache.get("k", flaky)).toBe(2);
    expect(cache.size).toBe(1);
  });

  it("drops the least recently used answers beyond its entries or bytes", async () => {
    const byEntries = new AnswerCache(1e9, 2);
    let n = 0;
    const next = () => Promise.resolve(++n);
    for (const k of ["a", "b"]) await byEntries.get(k, next);
    await byEntries.get("a", next); // a is now the most recently used
    await byEntries.get("c", next);
    await new Promise((r) => setImmediate(r));
    expect(byEntries.size).toBe(2);
    expect(await byEntries.get("a", next)).toBe(1);
    expect(await byEntries.get("b", next)).toBe(4); // b was dropped and is computed again

    const byBytes = new AnswerCache(30, 100);
    const text = (s: string) => () => Promise.resolve(s.repeat(10));
    await byBytes.get("x", text("x"));
    await byBytes.get("y", text("y"));
    await new Promise((r) => setImmediate(r));
    // Each answer is 1 + 12 bytes; a third one would pass 30.
    await byBytes.get("z", text("z"));
    await new Promise((r) => setImmediate(r));
    expect(byBytes.size).toBe(2);
  });
});
