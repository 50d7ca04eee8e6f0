import { describe, expect, it } from "vitest";
import { sqDist } from "../../src/ml/kmeans-plus-plus.js";
import { kmeans } from "../../src/ml/kmeans.js";
import { arenaLayout, kernelModule } from "../../src/ml/wasm/kernel-arena.js";
import { sqdistWasmOrder } from "../../src/ml/wasm/kernels-js.js";
import { createRng } from "../../src/util/random.js";

describe("the k-means distance kernels", () => {
  it("run as WebAssembly SIMD on Node 20", () => {
    expect(kernelModule()).not.toBeNull();
    const arena = arenaLayout().create();
    expect(arena.wasm).toBe(true);
    arena.dispose();
  });

  it("sqDist and the WebAssembly order equal the plain sum for every length 0..41 and unaligned rows", () => {
    const rng = createRng(3);
    const heap = Float64Array.from({ length: 200 }, () => rng.next() * 10 - 5);
    for (let p = 0; p <= 41; ++p) {
      for (const [a, b] of [
        [0, 100],
        [3, 57],
        [41, 150],
      ]) {
        let want = 0;
        for (let j = 0; j < p; ++j) want += (heap[a + j] - heap[b + j]) ** 2;
        expect(sqDist(heap, a, heap, b, p)).toBeCloseTo(want, 12);
        expect(sqdistWasmOrder(heap, a, b, p)).toBeCloseTo(want, 12);
      }
    }
    expect(sqDist(heap, 0, heap, 0, 40)).toBe(0);
  });

  it("two k-means calls interleaved through their results do not disturb each other", () => {
    const rng = createRng(8);
    const X = { rows: 500, cols: 3, data: Float64Array.from({ length: 1500 }, () => rng.next()) };
    const a = kmeans(X, { k: 3, seed: 1 });
    const copy = { labels: a.labels.slice(), centroids: a.centroids.data.slice() };
    const Y = { rows: 2000, cols: 9, data: Float64Array.from({ length: 18_000 }, () => rng.next()) };
    kmeans(Y, { k: 5, seed: 2 });
    expect(Array.from(a.labels)).toEqual(Array.from(copy.labels));
    expect(Array.from(a.centroids.data)).toEqual(Array.from(copy.centroids));
  });
});
