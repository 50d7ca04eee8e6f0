import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assembleWat } from "../../src/ml/wasm/assemble-wat.js";
import { kernelsModuleSource } from "../../src/ml/wasm/generate.js";
import { arenaLayout, kernelModule, paramBlock, tasksRunByWorkers } from "../../src/ml/wasm/kernel-arena.js";
import { CH, COL, KM, PCA, PP, SIL, SUMS, sqdistJsOrder, sqdistWasmOrder, type KernelName } from "../../src/ml/wasm/kernels-js.js";
import { kernelThreads, setKernelThreads, startWorkers } from "../../src/ml/wasm/thread-pool.js";
import { clusterDistanceSums, pairDistances } from "../../src/ml/metrics/silhouette-sums.js";
import { choleskyFactor, choleskyInverse } from "../../src/ml/cholesky.js";
import { choleskyKernels } from "../../src/ml/wasm/cholesky-kernels.js";
import { sqDist } from "../../src/ml/kmeans-plus-plus.js";
import { createRng } from "../../src/util/random.js";

const threadsAtStart = kernelThreads();
beforeAll(async () => {
  const module = kernelModule();
  // workers up before the two-thread runs, so that those runs share their tasks
  if (module) await startWorkers(module, 2);
});
afterEach(() => {
  setKernelThreads(threadsAtStart);
});

function randomData(length: number, seed: number, scale = 4): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length }, () => (rng.next() - 0.5) * scale);
}

/** Bitwise equality of two arrays of doubles (0 and −0 differ, NaN equals NaN). */
function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  let differing = 0;
  for (let i = 0; i < expected.length; ++i) if (!Object.is(actual[i], expected[i])) differing++;
  expect(differing).toBe(0);
}

/**
 * Runs `check` on two threads, again (at most 20 times) until a worker thread has run some of the last job's tasks,
 * so that the check covers shared work; fails when no worker ever did.
 */
async function onWorkerThreads(check: () => void): Promise<void> {
  const module = kernelModule();
  if (!module) throw new Error("no WebAssembly");
  expect(await startWorkers(module, 2)).toBe(1);
  setKernelThreads(2);
  let shared = 0;
  for (let attempt = 0; attempt < 20 && shared === 0; ++attempt) {
    check();
    shared = tasksRunByWorkers();
  }
  expect(shared).toBeGreaterThan(0);
}

describe("kernels.wat and its assembled bytes", () => {
  it("the committed kernels-wasm.ts is what generate.ts assembles from kernels.wat", () => {
    const wat = readFileSync(new URL("../../src/ml/wasm/kernels.wat", import.meta.url), "utf8");
    const committed = readFileSync(new URL("../../src/ml/wasm/kernels-wasm.ts", import.meta.url), "utf8");
    expect(committed).toBe(kernelsModuleSource(wat));
    expect(WebAssembly.validate(assembleWat(wat))).toBe(true);
  });

  it("assembleWat reproduces the hand-assembled squared-distance module openbeat shipped before", () => {
    const wat = `(module (import "env" "mem" (memory 1))
      (func $sqdist (export "sqdist") (param $a i32) (param $b i32) (param $p i32) (result f64)
        (local $end i32) (local $s0 v128) (local $s1 v128) (local $s f64) (local $d v128) (local $e f64)
        local.get $a local.get $p i32.const -4 i32.and i32.const 3 i32.shl i32.add local.set $end
        block $done loop $next
          local.get $a local.get $end i32.ge_u br_if $done
          local.get $s0 local.get $a v128.load align=8 local.get $b v128.load align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $s0
          local.get $s1 local.get $a v128.load offset=16 align=8 local.get $b v128.load offset=16 align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $s1
          local.get $a i32.const 32 i32.add local.set $a local.get $b i32.const 32 i32.add local.set $b
          br $next
        end end
        local.get $s0 local.get $s1 f64x2.add local.set $s0
        local.get $s0 f64x2.extract_lane 0 local.get $s0 f64x2.extract_lane 1 f64.add local.set $s
        local.get $p i32.const 3 i32.and local.set $p
        block $done2 loop $tail
          local.get $p i32.eqz br_if $done2
          local.get $s local.get $a f64.load local.get $b f64.load f64.sub local.tee $e local.get $e f64.mul f64.add local.set $s
          local.get $a i32.const 8 i32.add local.set $a local.get $b i32.const 8 i32.add local.set $b
          local.get $p i32.const 1 i32.sub local.set $p
          br $tail
        end end
        local.get $s))`;
    const before =
      "AGFzbQEAAAABCAFgA39/fwF8AgwBA2VudgNtZW0CAAEDAgEABwoBBnNxZGlzdAAACskBAcYBBQF/AnsBfAF7AXwgACACQXxxQQN0aiEDAkADQCAAIANPDQEgBCAA/QADACAB/QADAP3xASIHIAf98gH98AEhBCAFIAD9AAMQIAH9AAMQ/fEBIgcgB/3yAf3wASEFIABBIGohACABQSBqIQEMAAsLIAQgBf3wASEEIAT9IQAgBP0hAaAhBiACQQNxIQICQANAIAJFDQEgBiAAKwMAIAErAwChIgggCKKgIQYgAEEIaiEAIAFBCGohASACQQFrIQIMAAsLIAYL";
    expect(Buffer.from(assembleWat(wat)).toString("base64")).toBe(before);
  });

  it("rejects what it does not support, with the reason", () => {
    expect(() => assembleWat("(module (func $f (result f64) (f64.add (f64.const 1) (f64.const 2))))")).toThrow(/folded/);
    expect(() => assembleWat("(module (func $f i32.popcnt))")).toThrow(/unsupported instruction i32.popcnt/);
    expect(() => assembleWat("(module (func $f block $a end end))")).toThrow(/unbalanced end/);
    expect(() => assembleWat('(module (import "env" "mem" (memory 1 shared)))')).toThrow(/maximum/);
  });

  it("compiles on Node 20 (WebAssembly SIMD and shared memory)", () => {
    expect(kernelModule()).not.toBeNull();
  });
});

describe("the sqdist kernels", () => {
  it("sqdist and sqdist_js equal their JavaScript twins bit for bit for p = 0..41", () => {
    const module = kernelModule();
    if (!module) throw new Error("no WebAssembly");
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const ex = new WebAssembly.Instance(module, { env: { mem: memory } }).exports as Record<
      string,
      (a: number, b: number, p: number) => number
    >;
    const f = new Float64Array(memory.buffer);
    f.set(randomData(200, 3, 10));
    for (let p = 0; p <= 41; ++p) {
      for (const [a, b] of [
        [0, 100],
        [3, 57],
        [41, 150],
      ]) {
        expect(Object.is(ex.sqdist(a * 8, b * 8, p), sqdistWasmOrder(f, a, b, p))).toBe(true);
        expect(Object.is(ex.sqdist_js(a * 8, b * 8, p), sqdistJsOrder(f, a, b, p))).toBe(true);
        expect(Object.is(sqdistJsOrder(f, a, b, p), sqDist(f, a, f, b, p))).toBe(true);
      }
    }
  });
});

/** Runs one task kernel over the same arena contents with WebAssembly (1 and 2 threads) and with its twin. */
function runEverywhere(
  fill: (arena: ReturnType<ReturnType<typeof arenaLayout>["create"]>, ptrs: number[]) => void,
  reserve: (layout: ReturnType<typeof arenaLayout>) => number[],
  kernel: KernelName,
  params: (ptrs: number[]) => [number, number, "i32" | "f64"][],
  ranges: [number[], number[], number[]?],
  outputs: (ptrs: number[]) => [number, number, "f64" | "i32"][],
): (Float64Array | Int32Array)[][] {
  const results: (Float64Array | Int32Array)[][] = [];
  for (const mode of ["js", "wasm-1", "wasm-2"]) {
    setKernelThreads(mode === "wasm-2" ? 2 : 1);
    const layout = arenaLayout({ forceJs: mode === "js" });
    const P = layout.params(16);
    const ptrs = reserve(layout);
    const arena = layout.create();
    expect(arena.wasm).toBe(mode !== "js");
    fill(arena, ptrs);
    const block = paramBlock(arena, P);
    for (const [slot, v, type] of params(ptrs)) {
      if (type === "f64") block.f64(slot, v);
      else block.i32(slot, v);
    }
    arena.run(kernel, block, ranges[0], ranges[1], ranges[2]);
    results.push(outputs(ptrs).map(([ptr, len, type]) => (type === "f64" ? arena.f64At(ptr, len).slice() : arena.i32At(ptr, len).slice())));
    arena.dispose();
  }
  return results;
}

describe("task kernels equal their JavaScript twins bit for bit, on 1 and 2 threads", () => {
  const n = 203;
  const p = 13;
  const X = randomData(n * p, 11);

  for (const k of [5, 6])
    it(`kmeans_assign_full, kmeans_assign_bounded after moving the centres and kmeans_row_dist (k = ${k})`, () => {
      const C = randomData(k * p, 12);
      const moved = C.map((v, i) => v + (i % 3 === 0 ? 0.3 : -0.05));
      const drift = new Float64Array(k);
      for (let c = 0; c < k; ++c) drift[c] = Math.sqrt(sqDist(C, c * p, moved, c * p, p));
      // +inf on the diagonal, as kmeans.ts writes it
      const half = new Float64Array(k * k).fill(Infinity);
      const halfNearest = new Float64Array(k).fill(Infinity);
      for (let a = 0; a < k; ++a)
        for (let b = 0; b < k; ++b)
          if (a !== b) {
            half[a * k + b] = 0.5 * Math.sqrt(sqDist(moved, a * p, moved, b * p, p));
            halfNearest[a] = Math.min(halfNearest[a], half[a * k + b]);
          }
      const slots = (q: number[]): [number, number, "i32" | "f64"][] => [
        [KM.X, q[0], "i32"],
        [KM.C, q[1], "i32"],
        [KM.p, p, "i32"],
        [KM.k, k, "i32"],
        [KM.labels, q[2], "i32"],
        [KM.upper, q[3], "i32"],
        [KM.lower, q[4], "i32"],
        [KM.drift, q[5], "i32"],
        [KM.half, q[6], "i32"],
        [KM.halfNearest, q[7], "i32"],
        [KM.out, q[8], "i32"],
        [KM.slack, 1 + 1e-10, "f64"],
      ];
      const reserve = (L: ReturnType<typeof arenaLayout>) => [
        L.f64(n * p),
        L.f64(k * p),
        L.i32(n),
        L.f64(n),
        L.f64(n * k),
        L.f64(k),
        L.f64(k * k),
        L.f64(k),
        L.f64(n),
      ];
      const out = (q: number[]): [number, number, "f64" | "i32"][] => [
        [q[2], n, "i32"],
        [q[3], n, "f64"],
        [q[4], n * k, "f64"],
        [q[8], n, "f64"],
      ];
      const chunks: [number[], number[]] = [
        [0, 50, 120],
        [50, 120, n],
      ];
      for (const kernel of ["kmeans_assign_full", "kmeans_assign_bounded", "kmeans_row_dist", "kmeans_nearest"] as const) {
        const results = runEverywhere(
          (arena, q) => {
            arena.f64At(q[0], n * p).set(X);
            arena.f64At(q[1], k * p).set(kernel === "kmeans_assign_full" ? C : moved);
            if (kernel !== "kmeans_assign_full") {
              // the exact assignment to the old centres and its tight bounds, as kmeans_assign_full leaves them
              const labels = arena.i32At(q[2], n);
              const upper = arena.f64At(q[3], n);
              const lower = arena.f64At(q[4], n * k);
              const XC = new Float64Array((n + k) * p);
              XC.set(X);
              XC.set(C, n * p);
              for (let i = 0; i < n; ++i) {
                let best = Infinity;
                for (let c = 0; c < k; ++c) {
                  const d = Math.sqrt(sqdistWasmOrder(XC, i * p, (n + c) * p, p));
                  lower[i * k + c] = d;
                  if (d < best) {
                    best = d;
                    labels[i] = c;
                  }
                }
                upper[i] = best;
              }
              arena.f64At(q[5], k).set(drift);
              arena.f64At(q[6], k * k).set(half);
              arena.f64At(q[7], k).set(halfNearest);
            }
          },
          reserve,
          kernel,
          slots,
          chunks,
          out,
        );
        for (let r = 1; r < results.length; ++r) for (let o = 0; o < results[0].length; ++o) expectSameBits(results[r][o], results[0][o]);
        if (kernel === "kmeans_assign_bounded") {
          // the labels are the nearest centres, whatever the bounds skipped
          const labels = results[0][0];
          let moved_ = 0;
          for (let i = 0; i < n; ++i) {
            let best = Infinity;
            let arg = -1;
            for (let c = 0; c < k; ++c) {
              const pair = new Float64Array(2 * p);
              pair.set(X.subarray(i * p, i * p + p));
              pair.set(moved.subarray(c * p, c * p + p), p);
              const d = sqdistWasmOrder(pair, 0, p, p);
              if (d < best) {
                best = d;
                arg = c;
              }
            }
            if (labels[i] !== arg) moved_++;
          }
          expect(moved_).toBe(0);
        }
      }
    });

  it("kmeans_nearest picks the first nearest centre by sqDist", () => {
    const k = 6;
    const C = randomData(k * p, 12);
    const results = runEverywhere(
      (arena, q) => {
        arena.f64At(q[0], n * p).set(X);
        // two equal centres: ties must go to the lower index
        const Cs = C.slice();
        Cs.copyWithin(4 * p, 1 * p, 2 * p);
        arena.f64At(q[1], k * p).set(Cs);
      },
      (L) => [L.f64(n * p), L.f64(k * p), L.i32(n)],
      "kmeans_nearest",
      (q) => [
        [KM.X, q[0], "i32"],
        [KM.C, q[1], "i32"],
        [KM.p, p, "i32"],
        [KM.k, k, "i32"],
        [KM.labels, q[2], "i32"],
      ],
      [[0], [n]],
      (q) => [[q[2], n, "i32"]],
    );
    const Cs = C.slice();
    Cs.copyWithin(4 * p, 1 * p, 2 * p);
    const want = new Int32Array(n);
    for (let i = 0; i < n; ++i) {
      let best = Infinity;
      for (let c = 0; c < k; ++c) {
        const s = sqDist(X, i * p, Cs, c * p, p);
        if (s < best) {
          best = s;
          want[i] = c;
        }
      }
    }
    expect(Array.from(want)).not.toContain(4);
    for (const r of results) expect(Array.from(r[0])).toEqual(Array.from(want));
  });

  for (const q of [p, p + 1])
    it(`kmeans_sums adds the rows in order, leaving out weight 0 (p = ${q})`, () => {
      const k = 4;
      const rows = randomData(n * q, 13);
      const rng = createRng(14);
      const labels = Int32Array.from({ length: n }, () => rng.int(k));
      const W = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1 + rng.int(4) + (i % 5 === 0 ? 0.125 : 0)));
      // the plain loop of kmeans.ts before the kernel
      const sums = new Float64Array(k * q);
      const counts = new Float64Array(k);
      const live = new Int32Array(k);
      for (let i = 0; i < n; ++i) {
        if (W[i] === 0) continue;
        counts[labels[i]] += W[i];
        live[labels[i]] += 1;
        for (let j = 0; j < q; ++j) sums[labels[i] * q + j] += rows[i * q + j] * W[i];
      }
      const results = runEverywhere(
        (arena, r) => {
          arena.f64At(r[0], n * q).set(rows);
          arena.i32At(r[1], n).set(labels);
          arena.f64At(r[2], n).set(W);
        },
        (L) => [L.f64(n * q), L.i32(n), L.f64(n), L.f64(k * q), L.f64(k), L.i32(k)],
        "kmeans_sums",
        (r) => [
          [SUMS.X, r[0], "i32"],
          [SUMS.p, q, "i32"],
          [SUMS.labels, r[1], "i32"],
          [SUMS.W, r[2], "i32"],
          [SUMS.sums, r[3], "i32"],
          [SUMS.counts, r[4], "i32"],
          [SUMS.live, r[5], "i32"],
        ],
        [[0], [n]],
        (r) => [
          [r[3], k * q, "f64"],
          [r[4], k, "f64"],
          [r[5], k, "i32"],
        ],
      );
      for (const [s, c, l] of results) {
        expectSameBits(s, sums);
        expectSameBits(c, counts);
        expect(Array.from(l)).toEqual(Array.from(live));
      }
    });

  it("kmeanspp_min with three candidates", () => {
    const ids = [5, 77, 190];
    const results = runEverywhere(
      (arena, q) => {
        arena.f64At(q[0], n * p).set(X);
        arena.i32At(q[1], 3).set(ids);
        arena.f64At(q[2], n).set(randomData(n, 8, 30).map(Math.abs));
      },
      (L) => [L.f64(n * p), L.i32(3), L.f64(n), L.f64(3 * n)],
      "kmeanspp_min",
      (q) => [
        [PP.X, q[0], "i32"],
        [PP.p, p, "i32"],
        [PP.ids, q[1], "i32"],
        [PP.m, 3, "i32"],
        [PP.closest, q[2], "i32"],
        [PP.out, q[3], "i32"],
        [PP.n, n, "i32"],
      ],
      [
        [0, 100],
        [100, n],
      ],
      (q) => [[q[3], 3 * n, "f64"]],
    );
    for (let r = 1; r < results.length; ++r) expectSameBits(results[r][0], results[0][0]);
    expect(results[0][0][n + 77]).toBe(0);
  });

  it("pca_cross and pca_project", () => {
    const m2 = 4;
    const Vt = randomData(p * m2, 9);
    const Xz = X.map((v, i) => (i % 5 === 0 ? 0 : v));
    const results = runEverywhere(
      (arena, q) => {
        arena.f64At(q[0], n * p).set(Xz);
        arena.f64At(q[2], p * m2).set(Vt);
      },
      (L) => [L.f64(n * p), L.f64(p * p), L.f64(p * m2), L.f64(n * m2)],
      "pca_cross",
      (q) => [
        [PCA.X, q[0], "i32"],
        [PCA.n, n, "i32"],
        [PCA.p, p, "i32"],
        [PCA.S, q[1], "i32"],
        [PCA.Vt, q[2], "i32"],
        [PCA.m2, m2, "i32"],
        [PCA.out, q[3], "i32"],
      ],
      [
        [0, 4, 9],
        [4, 9, p],
      ],
      (q) => [[q[1], p * p, "f64"]],
    );
    const S = new Float64Array(p * p);
    for (let i = 0; i < n; ++i) for (let a = 0; a < p; ++a) for (let b = a; b < p; ++b) S[a * p + b] += Xz[i * p + a] * Xz[i * p + b];
    for (const r of results) expectSameBits(r[0], S);
    const projected = runEverywhere(
      (arena, q) => {
        arena.f64At(q[0], n * p).set(Xz);
        arena.f64At(q[1], p * m2).set(Vt);
      },
      (L) => [L.f64(n * p), L.f64(p * m2), L.f64(n * m2)],
      "pca_project",
      (q) => [
        [PCA.X, q[0], "i32"],
        [PCA.p, p, "i32"],
        [PCA.Vt, q[1], "i32"],
        [PCA.m2, m2, "i32"],
        [PCA.out, q[2], "i32"],
      ],
      [
        [0, 60],
        [60, n],
      ],
      (q) => [[q[2], n * m2, "f64"]],
    );
    const want = new Float64Array(n * m2);
    for (let i = 0; i < n; ++i)
      for (let c = 0; c < m2; ++c) {
        let s = 0;
        for (let j = 0; j < p; ++j) s += Xz[i * p + j] * Vt[j * m2 + c];
        want[i * m2 + c] = s;
      }
    for (const r of projected) expectSameBits(r[0], want);
  });
});

describe("column kernels equal the plain loops bit for bit, on 1 and 2 threads", () => {
  const n = 1001;
  const p = 7;
  const X = randomData(n * p, 31, 100);
  const slots = (q: number[]): [number, number, "i32" | "f64"][] => [
    [COL.X, q[0], "i32"],
    [COL.n, n, "i32"],
    [COL.p, p, "i32"],
    [COL.out, q[1], "i32"],
    [COL.mean, q[2], "i32"],
  ];
  const reserve = (L: ReturnType<typeof arenaLayout>) => [L.f64(n * p), L.f64(p), L.f64(p)];
  const mean = randomData(p, 32);
  const fill = (arena: ReturnType<ReturnType<typeof arenaLayout>["create"]>, q: number[]) => {
    arena.f64At(q[0], n * p).set(X);
    arena.f64At(q[1], p).fill(123);
    arena.f64At(q[2], p).set(mean);
  };

  it("col_sums and col_sumsq over column ranges that split a lane pair", () => {
    for (const [kernel, square] of [
      ["col_sums", false],
      ["col_sumsq", true],
    ] as const) {
      const want = new Float64Array(p);
      for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) want[j] += square ? X[i * p + j] * X[i * p + j] : X[i * p + j];
      const results = runEverywhere(
        fill,
        reserve,
        kernel,
        slots,
        [
          [0, 3],
          [3, p],
        ],
        (q) => [[q[1], p, "f64"]],
      );
      for (const r of results) expectSameBits(r[0], want);
    }
  });

  it("centre_rows", () => {
    const want = X.map((v, i) => v - mean[i % p]);
    const results = runEverywhere(
      fill,
      reserve,
      "centre_rows",
      slots,
      [
        [0, 500],
        [500, n],
      ],
      (q) => [[q[0], n * p, "f64"]],
    );
    for (const r of results) expectSameBits(r[0], want);
  });
});

describe("clusterDistanceSums(X, labels, k, w)", () => {
  /** The plain pair loop it must reproduce bit for bit. */
  function pairLoop(X: Float64Array, n: number, p: number, lab: Int32Array, k: number, w: Float64Array): Float64Array {
    const S = new Float64Array(n * k);
    for (let g = 0; g < n; ++g)
      for (let h = g + 1; h < n; ++h) {
        let s = 0;
        for (let j = 0; j < p; ++j) {
          const d = X[g * p + j] - X[h * p + j];
          s += d * d;
        }
        const dist = Math.sqrt(s);
        S[g * k + lab[h]] += w[h] * dist;
        S[h * k + lab[g]] += w[g] * dist;
      }
    return S;
  }

  it("equals the plain pair loop bit for bit when a worker thread runs some of the tiles", async () => {
    const n = 1500;
    const p = 7;
    const X = randomData(n * p, 21);
    const rng = createRng(22);
    const lab = Int32Array.from({ length: n }, () => rng.int(3));
    const w = Float64Array.from({ length: n }, () => 1 + rng.int(3));
    const want = pairLoop(X, n, p, lab, 3, w);
    await onWorkerThreads(() => {
      expectSameBits(clusterDistanceSums({ rows: n, cols: p, data: X }, lab, 3, w), want);
    });
  });

  it("equals the plain pair loop bit for bit on sizes around the quad and tile edges, on 1 and 2 threads", () => {
    const rng = createRng(4);
    for (const [n, p, k] of [
      [1, 3, 2],
      [2, 1, 2],
      [5, 1, 2],
      [7, 5, 3],
      [255, 4, 2],
      [257, 9, 4],
      [600, 17, 5],
    ]) {
      const X = randomData(n * p, n);
      const lab = Int32Array.from({ length: n }, () => rng.int(k));
      const w = Float64Array.from({ length: n }, () => 1 + rng.int(5) + (rng.next() < 0.3 ? 0.25 : 0));
      const want = pairLoop(X, n, p, lab, k, w);
      for (const threads of [1, 2]) {
        setKernelThreads(threads);
        expectSameBits(clusterDistanceSums({ rows: n, cols: p, data: X }, lab, k, w), want);
      }
      setKernelThreads(1);
      expectSameBits(clusterDistanceSums({ rows: n, cols: p, data: X }, lab, k), pairLoop(X, n, p, lab, k, new Float64Array(n).fill(1)));
    }
  });
});

describe("pairDistances(X)", () => {
  /** The plain loop over the upper triangle it must reproduce bit for bit. */
  function triangle(X: Float64Array, n: number, p: number): Float64Array {
    const out: number[] = [];
    for (let g = 0; g < n; ++g)
      for (let h = g + 1; h < n; ++h) {
        let s = 0;
        for (let j = 0; j < p; ++j) {
          const d = X[g * p + j] - X[h * p + j];
          s += d * d;
        }
        out.push(Math.sqrt(s));
      }
    return Float64Array.from(out);
  }

  it("equals the plain loop bit for bit on sizes around the quad and tile edges: WebAssembly on 1 and 2 threads, and its twin", () => {
    for (const [n, p] of [
      [1, 3],
      [2, 1],
      [3, 2],
      [4, 6],
      [5, 1],
      [7, 5],
      [255, 4],
      [257, 9],
      [600, 17],
    ]) {
      const X = randomData(n * p, 100 + n);
      // repeated values and exact zeros, as one-hot columns have
      for (let i = 0; i < X.length; i += 3) X[i] = i % 2;
      const want = triangle(X, n, p);
      for (const threads of [1, 2]) {
        setKernelThreads(threads);
        expectSameBits(pairDistances({ rows: n, cols: p, data: X }), want);
      }
      expectSameBits(pairDistances({ rows: n, cols: p, data: X }, { forceJs: true }), want);
    }
  });

  it("equals the plain loop bit for bit when a worker thread computes some of the tiles", async () => {
    const n = 1100;
    const p = 11;
    const X = randomData(n * p, 31);
    const want = triangle(X, n, p);
    await onWorkerThreads(() => {
      expectSameBits(pairDistances({ rows: n, cols: p, data: X }), want);
    });
  });
});

describe("choleskyKernels(q)", () => {
  /** A symmetric positive-definite m×m matrix BBᵀ + m·I, some entries repeated and zero as an information matrix has. */
  function spd(m: number, seed: number): Float64Array {
    const B = randomData(m * m, seed);
    for (let i = 0; i < B.length; i += 5) B[i] = 0;
    const A = new Float64Array(m * m);
    for (let i = 0; i < m; ++i)
      for (let j = 0; j < m; ++j) {
        let s = i === j ? m : 0;
        for (let k = 0; k < m; ++k) s += B[i * m + k] * B[j * m + k];
        A[i * m + j] = s;
      }
    return A;
  }

  it("factor and inverse equal choleskyFactor and choleskyInverse bit for bit, in WebAssembly and as the twins, for orders around the block of four", () => {
    for (const forceJs of [false, true]) {
      const kernels = choleskyKernels(113, { forceJs });
      try {
        // orders below the kernels' size use the front of each region
        for (const m of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 112, 113]) {
          const A = spd(m, 500 + m);
          const L = new Float64Array(m * m);
          const wantL = new Float64Array(m * m);
          expect(kernels.factor(A, m, L)).toBe(true);
          expect(choleskyFactor(A, m, wantL)).toBe(true);
          expectSameBits(L, wantL);
          const inv = new Float64Array(m * m);
          const wantInv = new Float64Array(m * m);
          kernels.inverse(L, m, inv);
          choleskyInverse(wantL, m, wantInv, new Float64Array(m * m));
          expectSameBits(inv, wantInv);
        }
      } finally {
        kernels.dispose();
      }
    }
  });

  it("factor reports a matrix that is not positive definite, as choleskyFactor does", () => {
    const kernels = choleskyKernels(6);
    try {
      for (const [bad, why] of [
        [(A: Float64Array) => (A[3 * 6 + 3] = -1), "a negative pivot"],
        [(A: Float64Array) => (A[2 * 6 + 1] = A[1 * 6 + 2] = 1e9), "a pivot made negative by its row"],
        [(A: Float64Array) => (A[4 * 6 + 4] = NaN), "NaN"],
        [(A: Float64Array) => (A[0] = Infinity), "an infinite pivot"],
      ] as const) {
        const A = spd(6, 7);
        bad(A);
        expect(choleskyFactor(A, 6, new Float64Array(36)), why).toBe(false);
        expect(kernels.factor(A, 6, new Float64Array(36)), why).toBe(false);
      }
      expect(kernels.factor(spd(6, 8), 6, new Float64Array(36))).toBe(true);
      expect(() => kernels.factor(spd(7, 8), 7, new Float64Array(49))).toThrow(/invalid order: 7/);
    } finally {
      kernels.dispose();
    }
  });

  it("parameter slots match the block layout in kernels.wat", () => {
    expect([CH.A, CH.L, CH.q, CH.out, CH.work, CH.ok].map((s) => s * 4)).toEqual([0, 4, 8, 12, 16, 20]);
  });
});

describe("kernel arenas", () => {
  it("do not share memory: writing one leaves another, created before or after, unchanged", () => {
    const a = arenaLayout();
    const pa = a.f64(1000);
    const A = a.create();
    A.f64At(pa, 1000).fill(7);
    const b = arenaLayout();
    const pb = b.f64(100_000);
    const B = b.create();
    expect(pb).toBe(pa);
    B.f64At(pb, 100_000).fill(3);
    expect(Array.from(new Set(A.f64At(pa, 1000)))).toEqual([7]);
    expect(A.views.f64.buffer).not.toBe(B.views.f64.buffer);
    A.dispose();
    B.dispose();
  });

  it("reuse the memory of disposed arenas, zero-filled, and never hand one memory to two live arenas", () => {
    const first = arenaLayout();
    const q = first.f64(5000);
    const A = first.create();
    A.f64At(q, 5000).fill(9);
    const bufferA = A.views.f64.buffer;
    A.dispose();
    const second = arenaLayout();
    const r = second.f64(5000);
    const B = second.create();
    expect(B.views.f64.buffer).toBe(bufferA);
    expect(Array.from(new Set(B.f64At(r, 5000)))).toEqual([0]);
    const third = arenaLayout();
    third.f64(5000);
    const C = third.create();
    expect(C.views.f64.buffer).not.toBe(bufferA);
    B.dispose();
    C.dispose();
  });

  it("start zero-filled and report a kernel that traps", () => {
    const L = arenaLayout();
    const P = L.params(16);
    const q = L.f64(64);
    const arena = L.create();
    expect(Array.from(new Set(arena.f64At(q, 64)))).toEqual([0]);
    // a row count far beyond the arena makes the kernel read out of bounds
    const block = paramBlock(arena, P)
      .i32(KM.X, q)
      .i32(KM.C, q)
      .i32(KM.p, 1 << 20)
      .i32(KM.k, 2)
      .i32(KM.labels, q)
      .i32(KM.upper, q)
      .i32(KM.lower, q);
    expect(() => {
      arena.run("kmeans_assign_full", block, [0], [4]);
    }).toThrow();
    arena.dispose();
  });

  it("silhouette parameter slots match the block layout in kernels.wat", () => {
    expect([SIL.D, SIL.Dt, SIL.lab, SIL.w, SIL.S, SIL.Gq, SIL.p, SIL.k, SIL.tq, SIL.n, SIL.T].map((s) => s * 4)).toEqual([
      0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40,
    ]);
    expect(KM.slack * 4).toBe(48);
  });
});
