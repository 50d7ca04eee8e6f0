import { describe, expect, it } from "vitest";
import { createDistanceHeap, sqDist } from "../../src/ml/kmeans-plus-plus.js";
import { createRng } from "../../src/util/random.js";

describe("createDistanceHeap(length).dist(a, b, p)", () => {
  it("uses the WebAssembly SIMD kernel on Node 20", () => {
    expect(createDistanceHeap(8).simd).toBe(true);
  });

  it("equals sqDist for every length 0..41 (SIMD body and scalar tail) and unaligned rows", () => {
    const { heap, dist } = createDistanceHeap(200);
    const rng = createRng(3);
    for (let i = 0; i < 200; ++i) heap[i] = rng.next() * 10 - 5;
    for (let p = 0; p <= 41; ++p) {
      for (const [a, b] of [
        [0, 100],
        [3, 57],
        [41, 150],
      ]) {
        const want = sqDist(heap, a, heap, b, p);
        expect(dist(a * 8, b * 8, p)).toBeCloseTo(want, 12);
      }
    }
    expect(dist(0, 0, 40)).toBe(0);
  });

  it("grows its memory for larger heaps and keeps the data written to it", () => {
    const small = createDistanceHeap(16);
    small.heap.fill(1);
    const big = createDistanceHeap(300_000);
    expect(big.heap.length).toBe(300_000);
    big.heap[299_998] = 3;
    big.heap[299_999] = 4;
    // the first two doubles are still the 1s written through the smaller heap: (1 − 3)² + (1 − 4)²
    expect(big.dist(0, 299_998 * 8, 2)).toBe(13);
  });
});
