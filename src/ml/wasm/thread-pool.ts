import { availableParallelism } from "node:os";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";

/**
 * Worker threads that run WebAssembly task kernels over a shared memory, synchronously: the calling thread
 * describes a job in a shared mailbox, wakes the workers, takes tasks itself and waits (Atomics.wait, which
 * Node allows on the main thread) until every task is done. Workers start on first use, do not keep the
 * process alive, and keep one instance of the module per pooled memory (kernel-arena.ts), which they are sent
 * once. A job whose workers are not up yet simply runs on the calling thread, with the same results: tasks
 * write disjoint outputs, whoever runs them.
 *
 * Tasks are claimed by compare-and-swap on one 64-bit word holding (job number, next task), so a worker still
 * looking at a finished job can never take a task of the next one; the calling thread starts a job only once
 * the previous one is done, and rewrites the mailbox only then.
 */

/** Names of the task kernels, in the order the mailbox refers to them. */
export const KERNEL_NAMES = [
  "kmeans_assign_full",
  "kmeans_assign_bounded",
  "kmeans_row_dist",
  "kmeans_nearest",
  "kmeanspp_min",
  "silhouette_tile",
  "pca_cross",
  "pca_project",
  "col_sums",
  "col_sumsq",
  "centre_rows",
  "pair_dist_tile",
  "kmeans_sums",
  "chol_factor",
  "chol_inverse",
] as const;

// Words of the mailbox: the claim word is BigInt64 word 0 (Int32 words 0 and 1), job number << 32 | next task.
const CLAIM = 0;
const WAKE = 2;
const MEMORY = 3;
const KERNEL = 4;
const PARAMS = 5;
const SCRATCH = 6;
const COUNT = 7;
const DONE = 8;
const FAILED = 9;
const BY_WORKERS = 10;
/** READY + t is 1 once worker t (1-based) runs. */
const READY = 11;

// The worker's whole program. It never returns to its event loop: it sleeps on the wake word, reads its port
// with receiveMessageOnPort for memories and task tables, and claims tasks from the mailbox.
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { port, mailbox, module, names, index } = workerData;
const box = new Int32Array(mailbox);
const claim = new BigInt64Array(mailbox);
const memories = new Map();
const instances = new Map();
let table = null;
let seen = 0;
Atomics.store(box, ${READY} + index, 1);
for (;;) {
  Atomics.wait(box, ${WAKE}, seen);
  seen = Atomics.load(box, ${WAKE});
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    if (m.message.table) table = new Int32Array(m.message.table);
    if (m.message.memory) memories.set(m.message.memoryId, m.message.memory);
  }
  const w = Atomics.load(claim, ${CLAIM});
  const job = w >> 32n;
  const memoryId = Atomics.load(box, ${MEMORY});
  const memory = memories.get(memoryId);
  if (memory === undefined || table === null) continue;
  let exports = instances.get(memoryId);
  if (exports === undefined) {
    try { exports = new WebAssembly.Instance(module, { env: { mem: memory } }).exports; } catch (e) { continue; }
    instances.set(memoryId, exports);
  }
  const f = exports[names[Atomics.load(box, ${KERNEL})]];
  const params = Atomics.load(box, ${PARAMS});
  const scratch = Atomics.load(box, ${SCRATCH}) + 128 * index;
  const n = Atomics.load(box, ${COUNT});
  for (;;) {
    const cur = Atomics.load(claim, ${CLAIM});
    if (cur >> 32n !== job) break;
    const t = Number(cur & 0xffffffffn);
    if (t >= n) break;
    if (Atomics.compareExchange(claim, ${CLAIM}, cur, cur + 1n) !== cur) continue;
    const need = table[2 * n + t];
    for (let d = Atomics.load(box, ${DONE}); d < need; d = Atomics.load(box, ${DONE})) Atomics.wait(box, ${DONE}, d);
    try { f(params, table[t], table[n + t], scratch); } catch (e) { Atomics.store(box, ${FAILED}, 1); }
    Atomics.add(box, ${BY_WORKERS}, 1);
    Atomics.add(box, ${DONE}, 1);
    Atomics.notify(box, ${DONE});
  }
}
`;

interface PoolWorker {
  port: MessagePort;
  /** Pooled memories this worker has been sent. */
  memories: Set<number>;
  /** The task table this worker has been sent. */
  table: SharedArrayBuffer | undefined;
}

/** Most workers: the mailbox has one ready word per worker. */
const MAX_WORKERS = 63;

let configured: number | undefined;
let workers: PoolWorker[] = [];
let poolModule: WebAssembly.Module | undefined;
// an even number of words, as the BigInt64 view needs
const mailbox = new SharedArrayBuffer(8 * Math.ceil((READY + MAX_WORKERS + 1) / 2));
const box = new Int32Array(mailbox);
const claimWord = new BigInt64Array(mailbox);
let table: Int32Array<SharedArrayBuffer> = new Int32Array(new SharedArrayBuffer(4 * 3 * 1024));
let jobNumber = 0n;

/**
 * The number of threads kernels may use (the calling thread included): `OPENBEAT_THREADS` when set, else the
 * machine's available parallelism, at most 16.
 */
export function kernelThreads(): number {
  if (configured === undefined) {
    const env = Number(process.env.OPENBEAT_THREADS);
    configured = Number.isInteger(env) && env >= 1 ? env : Math.min(16, Math.max(1, availableParallelism()));
  }
  return configured;
}

/**
 * Sets the number of threads kernels may use from now on (1 = the calling thread only). Workers already
 * started beyond the new count stay idle.
 * @param threads 1 or more
 */
export function setKernelThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`invalid threads: ${threads} (expected an integer ≥ 1)`);
  configured = threads;
}

function ensureWorkers(module: WebAssembly.Module, helpers: number): number {
  if (poolModule !== module) {
    // a different compiled module (only in tests): start afresh so that workers never mix modules
    for (const w of workers) w.port.close();
    workers = [];
    box.fill(0, READY);
    poolModule = module;
  }
  while (workers.length < Math.min(helpers, MAX_WORKERS)) {
    const { port1, port2 } = new MessageChannel();
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { port: port2, mailbox, module, names: KERNEL_NAMES, index: workers.length + 1 },
        transferList: [port2],
      });
      worker.unref();
      // a worker that fails to start only means fewer helpers: the calling thread takes its tasks
      worker.on("error", () => undefined);
    } catch {
      break;
    }
    port1.unref();
    workers.push({ port: port1, memories: new Set(), table: undefined });
  }
  return Math.min(helpers, workers.length);
}

/** A job: a kernel over tasks [a[t], b[t]) in a pooled memory, task t starting once need[t] tasks are done. */
export interface PoolJob {
  memoryId: number;
  memory: WebAssembly.Memory;
  kernel: (typeof KERNEL_NAMES)[number];
  /** Byte offset of the parameter block. */
  params: number;
  /** Byte offset of the first thread's 128-byte scratch; thread t uses scratch + 128·t. */
  scratch: number;
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  need?: ArrayLike<number>;
}

/**
 * Runs a job on the calling thread and up to `helpers` workers; returns once every task is done.
 * @param run runs task (a, b) on the calling thread, with its scratch
 * @returns how many tasks the workers ran
 */
export function runJob(
  module: WebAssembly.Module,
  job: PoolJob,
  helpers: number,
  run: (a: number, b: number, scratch: number) => void,
): number {
  const m = job.a.length;
  const asked = ensureWorkers(module, helpers);
  if (3 * m > table.length) table = new Int32Array(new SharedArrayBuffer(4 * 3 * Math.max(m, 2 * (table.length / 3))));
  for (let t = 0; t < m; ++t) {
    table[t] = job.a[t];
    table[m + t] = job.b[t];
    table[2 * m + t] = job.need ? job.need[t] : 0;
  }
  for (let w = 0; w < asked; ++w) {
    const worker = workers[w];
    if (worker.table !== table.buffer || !worker.memories.has(job.memoryId)) {
      worker.port.postMessage({
        table: table.buffer,
        memoryId: job.memoryId,
        memory: worker.memories.has(job.memoryId) ? undefined : job.memory,
      });
      worker.table = table.buffer;
      worker.memories.add(job.memoryId);
    }
  }
  jobNumber = (jobNumber + 1n) & 0x7fffffffn;
  Atomics.store(box, MEMORY, job.memoryId);
  Atomics.store(box, KERNEL, KERNEL_NAMES.indexOf(job.kernel));
  Atomics.store(box, PARAMS, job.params);
  Atomics.store(box, SCRATCH, job.scratch);
  Atomics.store(box, COUNT, m);
  Atomics.store(box, DONE, 0);
  Atomics.store(box, FAILED, 0);
  Atomics.store(box, BY_WORKERS, 0);
  Atomics.store(claimWord, CLAIM, jobNumber << 32n);
  if (asked > 0) {
    Atomics.add(box, WAKE, 1);
    Atomics.notify(box, WAKE);
  }
  let error: Error | undefined;
  for (;;) {
    const cur = Atomics.load(claimWord, CLAIM);
    const t = Number(cur & 0xffffffffn);
    if (t >= m) break;
    if (Atomics.compareExchange(claimWord, CLAIM, cur, cur + 1n) !== cur) continue;
    const need = table[2 * m + t];
    for (let d = Atomics.load(box, DONE); d < need; d = Atomics.load(box, DONE)) Atomics.wait(box, DONE, d);
    try {
      if (error === undefined) run(table[t], table[m + t], job.scratch);
    } catch (e) {
      // finish the job before reporting, so that no thread writes into the arena afterwards
      error = e instanceof Error ? e : new Error(String(e));
    }
    Atomics.add(box, DONE, 1);
    Atomics.notify(box, DONE);
  }
  for (let d = Atomics.load(box, DONE); d < m; d = Atomics.load(box, DONE)) Atomics.wait(box, DONE, d);
  if (error !== undefined) throw error;
  if (Atomics.load(box, FAILED)) throw new Error(`kernel ${job.kernel} failed on a worker thread`);
  return Atomics.load(box, BY_WORKERS);
}

/**
 * Starts workers up to `threads − 1` and resolves once they all run (or after `timeoutMs`), so that the next jobs
 * are shared from the start; benchmarks and tests call it, kernels do not need to.
 * @param module the compiled kernels
 * @param threads threads wanted, the calling thread included
 * @returns the number of workers running
 */
export async function startWorkers(module: WebAssembly.Module, threads: number, timeoutMs = 10_000): Promise<number> {
  const want = ensureWorkers(module, threads - 1);
  const start = Date.now();
  const running = () => {
    let r = 0;
    for (let t = 1; t <= want; ++t) r += Atomics.load(box, READY + t);
    return r;
  };
  while (running() < want && Date.now() - start < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 5));
  return running();
}
