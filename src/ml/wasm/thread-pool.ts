import { availableParallelism } from "node:os";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";

/**
 * Worker threads that run WebAssembly task kernels over a shared memory, synchronously: the calling thread posts
 * a job, takes tasks itself, and waits (Atomics.wait, which Node allows on the main thread) until every task is
 * done. Workers are started on first use, do not keep the process alive, and hold nothing between jobs but
 * the compiled module and the instance over the memory of the last arena they worked on (dropped when that
 * arena is disposed). A job whose workers are not up yet simply runs on the calling thread, which gives the
 * same results: tasks write disjoint outputs, whoever runs them. A worker keeps an instance per pooled memory
 * (kernel-arena.ts), so it instantiates the module once per memory, not once per job.
 */

/** One job as the workers receive it. */
export interface PoolJob {
  /** Identifies the pooled memory, so that a worker instantiates the module once per memory. */
  memoryId: number;
  memory: WebAssembly.Memory;
  kernel: string;
  /** Byte offset of the parameter block. */
  params: number;
  /** Byte offset of the first thread's 128-byte scratch; thread t uses scratch + 128·t. */
  scratch: number;
  /** Int32 control words: [next task, tasks done, failed, task count, tasks done by workers, a[], b[], need[]]. */
  control: SharedArrayBuffer;
}

// The worker's whole program. It never returns to its event loop: it sleeps on the wake word and drains its
// port with receiveMessageOnPort whenever the word changes.
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { port, wake, ready, module, index } = workerData;
const word = new Int32Array(wake);
Atomics.store(new Int32Array(ready), index, 1);
const instances = new Map();
let seen = 0;
for (;;) {
  Atomics.wait(word, 0, seen);
  seen = Atomics.load(word, 0);
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const job = m.message;
    if (job.kernel === "") continue;
    const c = new Int32Array(job.control);
    let exports = instances.get(job.memoryId);
    if (exports === undefined) {
      try {
        exports = new WebAssembly.Instance(module, { env: { mem: job.memory } }).exports;
      } catch (e) { continue; }
      instances.set(job.memoryId, exports);
    }
    const f = exports[job.kernel];
    const n = c[3];
    const scratch = job.scratch + 128 * index;
    for (;;) {
      const t = Atomics.add(c, 0, 1);
      if (t >= n) break;
      const need = c[5 + 2 * n + t];
      for (let d = Atomics.load(c, 1); d < need; d = Atomics.load(c, 1)) Atomics.wait(c, 1, d);
      try { f(job.params, c[5 + t], c[5 + n + t], scratch); } catch (e) { Atomics.store(c, 2, 1); }
      Atomics.add(c, 4, 1);
      Atomics.add(c, 1, 1);
      Atomics.notify(c, 1);
    }
  }
}
`;

interface PoolWorker {
  port: MessagePort;
}

let configured: number | undefined;
let workers: PoolWorker[] = [];
let wake: Int32Array | undefined;
/** ready[t] = 1 once worker t (1-based) runs. */
const ready = new Int32Array(new SharedArrayBuffer(4 * 65));
let poolModule: WebAssembly.Module | undefined;

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

/**
 * Posts a job to up to `helpers` workers (starting them when needed) and returns how many were asked.
 * @param module the compiled kernels
 * @param job the job
 * @param helpers workers wanted (threads − 1)
 */
export function postJob(module: WebAssembly.Module, job: PoolJob, helpers: number): number {
  if (helpers < 1) return 0;
  if (poolModule !== module) {
    // a different compiled module (only in tests): start afresh so workers never mix modules
    for (const w of workers) w.port.close();
    workers = [];
    ready.fill(0);
    poolModule = module;
  }
  wake ??= new Int32Array(new SharedArrayBuffer(4));
  while (workers.length < Math.min(helpers, ready.length - 1)) {
    const { port1, port2 } = new MessageChannel();
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { port: port2, wake: wake.buffer, ready: ready.buffer, module, index: workers.length + 1 },
        transferList: [port2],
      });
      worker.unref();
      // a worker that fails to start only means fewer helpers: the calling thread takes its tasks
      worker.on("error", () => undefined);
    } catch {
      break;
    }
    port1.unref();
    workers.push({ port: port1 });
  }
  const asked = Math.min(helpers, workers.length);
  for (let w = 0; w < asked; ++w) workers[w].port.postMessage(job);
  Atomics.add(wake, 0, 1);
  Atomics.notify(wake, 0);
  return asked;
}

/**
 * Starts workers up to `threads − 1` and resolves once they all run (or after `timeoutMs`), so that the next jobs
 * are shared from the start; benchmarks and tests call it, kernels do not need to.
 * @param module the compiled kernels
 * @param threads threads wanted, the calling thread included
 * @returns the number of workers running
 */
export async function startWorkers(module: WebAssembly.Module, threads: number, timeoutMs = 10_000): Promise<number> {
  const control = new SharedArrayBuffer(4 * 5);
  const c = new Int32Array(control);
  // an empty job: it only makes the workers start
  c[3] = 0;
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  postJob(module, { memoryId: 0, memory, kernel: "", params: 0, scratch: 0, control }, threads - 1);
  const want = Math.min(threads - 1, workers.length);
  const start = Date.now();
  const running = () => {
    let r = 0;
    for (let t = 1; t <= want; ++t) r += Atomics.load(ready, t);
    return r;
  };
  while (running() < want && Date.now() - start < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 5));
  return running();
}
