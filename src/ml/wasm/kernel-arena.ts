import { KERNELS_WASM_BASE64 } from "./kernels-wasm.js";
import { JS_KERNELS, type ArenaViews, type KernelName } from "./kernels-js.js";
import { kernelThreads, runJob } from "./thread-pool.js";

/**
 * Memory for the WebAssembly kernels of kernels.wat, with one ownership rule:
 *
 * **An arena belongs to the call that creates it, and to no one else, until that call disposes of it.** The
 * call sizes it once (it never grows, so views into it stay valid for its whole life), lays out its arrays,
 * runs kernels over them, copies what it returns into ordinary typed arrays and disposes of the arena (in a
 * `finally`) before returning. No view into an arena is kept in module state or handed to a caller, so two
 * calls never share kernel memory and nothing a call returns changes later. Worker threads touch an arena's
 * memory only while they run its jobs, which the creating call waits for.
 *
 * Disposing returns the memory to a pool that a later arena takes it from, zero-filled. The pool exists
 * because V8 does not count shared WebAssembly memory as heap pressure: memories dropped after each call would
 * pile up until a full collection that may never come (200 k-means calls on 22,000 × 61 rows reached 2 GB of
 * RSS). Pooled memories come in power-of-two sizes and are created only when no free one fits, so the pool
 * holds at most about twice the largest amount of kernel memory in use at once.
 *
 * Kernels run in WebAssembly (SIMD) when the runtime supports it and the arena fits in a 32-bit memory,
 * otherwise as their JavaScript twins over an ArrayBuffer, with bit-identical results either way.
 */
export interface KernelArena {
  /** True when the kernels run as WebAssembly (and may use worker threads). */
  readonly wasm: boolean;
  /** Views of all of the arena's bytes; slice them with {@link KernelArena.f64At} / {@link KernelArena.i32At}. */
  readonly views: ArenaViews;
  /** Threads this arena's jobs may use, the calling thread included. */
  readonly threads: number;
  /** `length` doubles at byte offset `ptr`. */
  f64At(ptr: number, length: number): Float64Array;
  /** `length` 32-bit integers at byte offset `ptr`. */
  i32At(ptr: number, length: number): Int32Array;
  /**
   * Runs a task kernel over tasks t = 0..m−1, each the range [a[t], b[t]). A task starts only once at least
   * need[t] tasks are done (need must not decrease; omit it for independent tasks). With `threads` > 1 and
   * WebAssembly, tasks are shared with worker threads.
   */
  run(kernel: KernelName, params: ParamBlock, a: ArrayLike<number>, b: ArrayLike<number>, need?: ArrayLike<number>, threads?: number): void;
  /** Splits [start, end) into about threads × 4 ranges of at least `grain` and runs the kernel over them. */
  runRange(kernel: KernelName, params: ParamBlock, start: number, end: number, grain: number): void;
  /** Ends the arena: its memory goes back to the pool; the arena and its views must not be used afterwards. */
  dispose(): void;
}

/** A kernel's parameter block: values in slots of 4 bytes (an f64 takes two), as the kernels read them. */
export interface ParamBlock {
  /** Byte offset of the block in the arena. */
  readonly ptr: number;
  /** The slot values, as the JavaScript twins read them. */
  readonly values: number[];
  /** Writes a 32-bit integer (a pointer, a count) into a slot. */
  i32(slot: number, value: number): ParamBlock;
  /** Writes a double into slots (slot, slot + 1); slot must be even. */
  f64(slot: number, value: number): ParamBlock;
}

/** Sizes an arena: reserve regions, then {@link ArenaLayout.create}. */
export interface ArenaLayout {
  /** Reserves `length` doubles (16-byte aligned); returns the byte offset. */
  f64(length: number): number;
  /** Reserves `length` 32-bit integers (16-byte aligned); returns the byte offset. */
  i32(length: number): number;
  /** Reserves a parameter block of `slots` slots. */
  params(slots: number): number;
  /** Creates the arena with every reserved region zero-filled. */
  create(): KernelArena;
}

const PARAM_SLOTS_MAX = 16;
const SCRATCH_BYTES = 128;
const PAGE = 65536;
const WASM_LIMIT = 65536 * PAGE;

let compiled: WebAssembly.Module | null | undefined;
let nextMemoryId = 1;

type Exports = Record<string, (P: number, a: number, b: number, scratch: number) => void>;

/** A pooled shared memory with the calling thread's instance over it. */
interface PooledMemory {
  id: number;
  memory: WebAssembly.Memory;
  exports: Exports;
  pages: number;
}

/** Free pooled memories, by size in pages (powers of two). */
const freeMemories = new Map<number, PooledMemory[]>();

/** A zero-filled pooled memory of at least `bytes`, or undefined when none can be had. */
function checkoutMemory(module: WebAssembly.Module, bytes: number): PooledMemory | undefined {
  let pages = 16;
  while (pages * PAGE < bytes) pages *= 2;
  if (pages > 65536) return undefined;
  const free = freeMemories.get(pages);
  const reused = free?.pop();
  if (reused) {
    new Uint8Array(reused.memory.buffer, 0, Math.min(bytes, reused.pages * PAGE)).fill(0);
    return reused;
  }
  try {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const exports = new WebAssembly.Instance(module, { env: { mem: memory } }).exports as Exports;
    return { id: nextMemoryId++, memory, exports, pages };
  } catch {
    return undefined;
  }
}

function releaseMemory(m: PooledMemory): void {
  const free = freeMemories.get(m.pages);
  if (free) free.push(m);
  else freeMemories.set(m.pages, [m]);
}
let lastRunByWorkers = 0;

/** How many tasks of the last job shared with workers the workers ran (tests and benchmarks). */
export function tasksRunByWorkers(): number {
  return lastRunByWorkers;
}

/** The compiled kernels, or null when this runtime has no WebAssembly SIMD or shared memory. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, "base64"));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * A new layout; regions are laid out in the order they are reserved, after the threads' scratch space.
 * @param options.forceJs run the JavaScript twins even where WebAssembly is available (tests)
 */
export function arenaLayout(options: { forceJs?: boolean } = {}): ArenaLayout {
  const threads = kernelThreads();
  let top = SCRATCH_BYTES * threads;
  const reserve = (bytes: number) => {
    const ptr = top;
    top += Math.ceil(bytes / 16) * 16;
    return ptr;
  };
  return {
    f64: (length) => reserve(length * 8),
    i32: (length) => reserve(length * 4),
    params: (slots) => {
      if (slots > PARAM_SLOTS_MAX) throw new Error(`invalid params: ${slots} slots (at most ${PARAM_SLOTS_MAX})`);
      return reserve(slots * 4);
    },
    create: () => createArena(Math.max(top, 16), threads, options.forceJs === true),
  };
}

function createArena(bytes: number, threads: number, forceJs: boolean): KernelArena {
  const module = forceJs ? null : kernelModule();
  let pooled = module && bytes <= WASM_LIMIT ? checkoutMemory(module, bytes) : undefined;
  const memory = pooled?.memory;
  const exports = pooled?.exports;
  const buffer: ArrayBufferLike = memory ? memory.buffer : new ArrayBuffer(Math.ceil(bytes / 8) * 8);
  const views: ArenaViews = { f64: new Float64Array(buffer), i32: new Int32Array(buffer) };
  const id = pooled?.id ?? 0;
  const arena: KernelArena = {
    wasm: exports !== undefined,
    views,
    threads: exports ? threads : 1,
    f64At: (ptr, length) => new Float64Array(buffer, ptr, length),
    i32At: (ptr, length) => new Int32Array(buffer, ptr, length),
    run(kernel, params, a, b, need, want) {
      const m = a.length;
      const threadCount = Math.min(want ?? arena.threads, arena.threads, m);
      if (!exports || !memory || !module || threadCount <= 1) {
        if (exports) {
          const f = exports[kernel];
          for (let t = 0; t < m; ++t) f(params.ptr, a[t], b[t], 0);
        } else {
          const f = JS_KERNELS[kernel];
          for (let t = 0; t < m; ++t) f(views, params.values, a[t], b[t]);
        }
        return;
      }
      const f = exports[kernel];
      lastRunByWorkers = runJob(
        module,
        { memoryId: id, memory, kernel, params: params.ptr, scratch: 0, a, b, need },
        threadCount - 1,
        (ta, tb, scratch) => {
          f(params.ptr, ta, tb, scratch);
        },
      );
    },
    runRange(kernel, params, start, end, grain) {
      const total = end - start;
      if (total <= 0) return;
      const pieces = Math.max(1, Math.min(Math.ceil(total / Math.max(1, grain)), arena.threads * 4));
      const a: number[] = [];
      const b: number[] = [];
      for (let t = 0; t < pieces; ++t) {
        a.push(start + Math.floor((total * t) / pieces));
        b.push(start + Math.floor((total * (t + 1)) / pieces));
      }
      arena.run(kernel, params, a, b);
    },
    dispose() {
      if (pooled) releaseMemory(pooled);
      pooled = undefined;
    },
  };
  return arena;
}

/**
 * A parameter block at byte offset `ptr` of an arena.
 * @param arena the arena
 * @param ptr offset returned by {@link ArenaLayout.params}
 */
export function paramBlock(arena: KernelArena, ptr: number): ParamBlock {
  const values: number[] = [];
  const block: ParamBlock = {
    ptr,
    values,
    i32(slot, value) {
      if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
        if (arena.wasm) throw new Error(`invalid kernel parameter: ${value} does not fit 32 bits`);
      } else arena.views.i32[ptr / 4 + slot] = value;
      values[slot] = value;
      return block;
    },
    f64(slot, value) {
      if (slot % 2 !== 0 || ptr % 8 !== 0) throw new Error(`invalid f64 slot: ${slot}`);
      arena.views.f64[(ptr + slot * 4) / 8] = value;
      values[slot] = value;
      return block;
    },
  };
  return block;
}
