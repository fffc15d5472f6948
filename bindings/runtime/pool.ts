// The worker pool of init({ threads }): workers that instantiate the same module on the same shared memory and run
// kernel calls the ops hand them, while the public API stays synchronous.
//
// A job is a list of independent tasks (each a few kernel calls that write their own part of the output); the
// calling thread publishes it in a small SharedArrayBuffer, wakes the workers, claims tasks like any worker does
// and waits until every task is done. Tasks are claimed one at a time by compare-and-swap, so a worker that is
// late (or never wakes) only means the caller runs more of them; which thread runs a task never changes its bits.
// Thread-local arguments (scratch) are given for thread 0 and moved by tid·stride bytes on thread tid.
// Worker side and the slot layout: bindings/runtime/worker_source.ts.
import { KERNELS } from './kernels.ts';
import { WORKER_SOURCE } from './worker_source.ts';

const CTL_GEN = 0, CTL_NEXT = 1, CTL_DONE = 2, CTL_ERR = 3, CTL_STOP = 4, CTL_STRIDE = 5, CTL_NT = 6,
  CTL_MSG_LEN = 8, CTL_WORKER_TASKS = 9, CTL_FAULT = 10, CTL_MSG = 16;
const CTL_INTS = 512;
const MAX_TASKS = 0xffff;                // task index: the low 16 bits of ctl[NEXT]
const PROG_FLOATS = 1 << 16;             // f64 slots for the calls of one job (flushed early when full)
const MAX_ARGS = 31;                     // thread-local arguments are a bit mask
const KERNEL_INDEX = new Map<string, number>(KERNELS.map((k, i) => [k.name, i]));
export type KernelName = (typeof KERNELS)[number]['name'];

/** The `local` mask of Job.call for the arguments of `fn` named `names` (as in the kernel table). */
export function argBits(fn: KernelName, ...names: string[]): number {
  const args: readonly string[] = KERNELS[KERNEL_INDEX.get(fn)!].args;
  let bits = 0;
  for (const n of names) {
    const i = args.indexOf(n);
    if (i < 0) throw new Error(`argBits: ${fn} has no argument ${n}`);
    bits |= 1 << i;
  }
  return bits;
}

// A worker spins this many polls of ctl[GEN] (about 0.2 ms) after a job before it sleeps in Atomics.wait: a decode
// step issues jobs back to back, and a sleeping worker takes tens of microseconds to wake. The caller polls as long
// for the last task before it waits.
const WORKER_SPIN = 20000;
const CALLER_SPIN = 20000;

interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): unknown;
}

/** What rt.threads reports. */
export interface ThreadsInfo {
  /** Threads that run kernels (the calling thread included); 1 = no pool. */
  readonly count: number;
  /** What init({ threads }) asked for, resolved ('auto' becomes a number). */
  readonly requested: number;
  /** Why count is below requested, else null. */
  readonly reason: string | null;
}

// Atomics.wait is refused on a browser's main thread: there the caller spins.
function canWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class Pool {
  /** Threads taking part in a job: the workers + the calling thread. */
  readonly size: number;
  private readonly ctl: Int32Array;
  private readonly prog: Float64Array;
  private readonly offs: Int32Array;
  private readonly fns: ((...a: number[]) => unknown)[];
  private readonly wait = canWait();
  private tag = 0;
  private _stopped = false;
  private running = false;
  /** @internal Tests: the caller claims no task of the next job (so a worker runs them all). */
  callerSkipsNextJob = false;
  /** @internal Jobs run so far. */
  jobs = 0;

  /** @internal Tests: worker `tid` throws instead of running the next task it claims; the caller takes no task
   *  of the next job, so the fault happens in it. */
  injectFault(tid: number): void {
    Atomics.store(this.ctl, CTL_FAULT, tid);
    this.callerSkipsNextJob = true;
  }

  /** @internal Jobs run and tasks the workers (not the caller) ran, for tests and benchmarks. */
  stats(): { jobs: number; workerTasks: number } {
    return { jobs: this.jobs, workerTasks: Atomics.load(this.ctl, CTL_WORKER_TASKS) };
  }

  private constructor(private readonly workers: WorkerLike[], exports: Record<string, unknown>,
                      ctl: SharedArrayBuffer, prog: SharedArrayBuffer, offs: SharedArrayBuffer) {
    this.size = workers.length + 1;
    this.ctl = new Int32Array(ctl);
    this.prog = new Float64Array(prog);
    this.offs = new Int32Array(offs);
    this.fns = KERNELS.map((k) => exports[k.name] as (...a: number[]) => unknown);
  }

  /**
   * Starts `count` workers on `module` + `memory` and resolves with the pool of those that became ready (null and
   * the reason if none did). Never rejects.
   */
  static async start(count: number, module: WebAssembly.Module, memory: WebAssembly.Memory,
                     exports: Record<string, unknown>, wideTiles: boolean): Promise<{ pool: Pool | null; reason: string | null }> {
    let factory: WorkerFactory;
    try {
      factory = await workerFactory();
    } catch (e) {
      return { pool: null, reason: (e as Error).message };
    }
    const make = factory.make;
    const ctl = new SharedArrayBuffer(CTL_INTS * 4);
    const prog = new SharedArrayBuffer(PROG_FLOATS * 8);
    const offs = new SharedArrayBuffer(MAX_TASKS * 4);
    const names = KERNELS.map((k) => k.name);
    const started = await Promise.all(Array.from({ length: count }, async (_, i) => {
      let h: WorkerHandle | null = null;
      try {
        h = await make();
        await h.start({ module, memory, ctl, prog, offs, tid: i + 1, names, wideTiles: wideTiles ? 1 : 0, spin: WORKER_SPIN });
        return { h, error: null };
      } catch (e) {
        h?.worker.terminate();
        return { h: null, error: (e as Error).message };
      }
    }));
    factory.release();
    const ok = started.filter((s) => s.h !== null).map((s) => s.h!);
    const failed = started.find((s) => s.error !== null);
    // tids must be 1..n without gaps (the thread-local stride): restart the numbering if one failed
    if (failed && ok.length > 0) {
      for (const h of ok) h.worker.terminate();
      return Pool.start(ok.length, module, memory, exports, wideTiles).then((r) =>
        ({ pool: r.pool, reason: `${count - ok.length} of ${count} workers failed to start: ${failed.error}` }));
    }
    if (ok.length === 0) return { pool: null, reason: `workers failed to start: ${failed?.error ?? 'unknown'}` };
    for (const h of ok) h.unref();
    return { pool: new Pool(ok.map((h) => h.worker), exports, ctl, prog, offs), reason: null };
  }

  /** A new job whose thread-local arguments move by `localStride` bytes per thread; `where` names the call in
   *  errors. A job larger than the shared buffers runs in rounds as it is built (its tasks are independent). */
  job(localStride = 0, where = 'pool'): Job {
    return new Job(this, localStride, where);
  }

  /** @internal Runs the tasks written into prog/offs; throws the first error of any thread (after all finished). */
  run(tasks: number, localStride: number, where: string): void {
    if (this._stopped) throw new Error(`${where}: the worker pool was stopped (rt.dispose())`);
    if (this.running) throw new Error(`${where}: the worker pool is already running a job (a kernel call from inside a job?)`);
    this.running = true;
    this.jobs++;
    const C = this.ctl;
    this.tag = (this.tag + 1) & 0x7fff;
    const tag = this.tag;
    Atomics.store(C, CTL_NT + (tag & 1), tasks);
    Atomics.store(C, CTL_STRIDE, localStride);
    Atomics.store(C, CTL_DONE, 0);
    Atomics.store(C, CTL_ERR, 0);
    Atomics.store(C, CTL_NEXT, tag << 16);
    Atomics.add(C, CTL_GEN, 1);
    Atomics.notify(C, CTL_GEN);
    let mainError: unknown = null;
    const skip = this.callerSkipsNextJob;
    this.callerSkipsNextJob = false;
    try {
      // the caller's share (thread 0: thread-local arguments as given)
      while (!skip) {
        const cur = Atomics.load(C, CTL_NEXT);
        if ((cur >>> 16) !== tag || (cur & 0xffff) >= tasks) break;
        if (Atomics.compareExchange(C, CTL_NEXT, cur, cur + 1) !== cur) continue;
        if (mainError === null && Atomics.load(C, CTL_ERR) === 0) {
          try {
            this.runTask(cur & 0xffff);
          } catch (e) {
            mainError = e;
            Atomics.compareExchange(C, CTL_ERR, 0, -1);
          }
        }
        Atomics.add(C, CTL_DONE, 1);
      }
      // the tasks the workers claimed
      let d: number, spins = 0;
      while ((d = Atomics.load(C, CTL_DONE)) < tasks) {
        if (this.wait && ++spins > CALLER_SPIN) Atomics.wait(C, CTL_DONE, d, 50);
      }
    } finally {
      this.running = false;
    }
    if (mainError !== null) throw mainError;
    const err = Atomics.load(C, CTL_ERR);
    if (err > 0) {
      const len = Atomics.load(C, CTL_MSG_LEN);
      let msg = '';
      for (let i = 0; i < len; i++) msg += String.fromCharCode(Atomics.load(C, CTL_MSG + i));
      throw new Error(`${where}: worker ${err} failed: ${msg}`);
    }
  }

  private runTask(i: number): void {
    const F = this.prog;
    let p = this.offs[i];
    const calls = F[p++];
    for (let c = 0; c < calls; c++) {
      const fn = this.fns[F[p]], nargs = F[p + 1];
      p += 3;   // the caller is thread 0: thread-local arguments need no move
      fn(...F.subarray(p, p + nargs));
      p += nargs;
    }
  }

  /** @internal Job buffers, for Job. */
  get buffers(): { prog: Float64Array; offs: Int32Array } {
    return { prog: this.prog, offs: this.offs };
  }

  /** True once stop() ran. */
  get stopped(): boolean {
    return this._stopped;
  }

  /** Ends the workers (idempotent). */
  stop(): void {
    if (this._stopped) return;
    this._stopped = true;
    Atomics.store(this.ctl, CTL_STOP, 1);
    Atomics.add(this.ctl, CTL_GEN, 1);
    Atomics.notify(this.ctl, CTL_GEN);
    for (const w of this.workers) w.terminate();
  }
}

/**
 * The tasks of one parallel call, written straight into the pool's shared buffers: `task()` starts a task,
 * `call()` adds a kernel call to it, `run()` runs them all and returns when every one is done. A job larger than
 * the buffers runs in several rounds (its tasks are independent).
 */
export class Job {
  private tasks = 0;
  private p = 0;
  private countAt = -1;   // prog slot holding the current task's call count
  private readonly prog: Float64Array;
  private readonly offs: Int32Array;

  constructor(private readonly pool: Pool, private readonly localStride: number, private where: string) {
    ({ prog: this.prog, offs: this.offs } = pool.buffers);
  }

  /** Starts a new task (the calls that follow belong to it). */
  task(): this {
    if (this.tasks === MAX_TASKS || this.p + 3 + MAX_ARGS + 1 > PROG_FLOATS) this.flush();
    this.offs[this.tasks++] = this.p;
    this.countAt = this.p;
    this.prog[this.p++] = 0;
    return this;
  }

  /** Adds kernel `fn`(...args) to the current task; bit a of `local` set: args[a] is thread-local (moved by
   *  tid·stride bytes on thread tid). */
  call(fn: KernelName, args: readonly number[], local = 0): this {
    if (this.countAt < 0) throw new Error('Job.call before Job.task');
    if (args.length > MAX_ARGS) throw new RangeError(`Job.call: ${fn} has ${args.length} arguments, at most ${MAX_ARGS}`);
    if (this.p + 3 + args.length > PROG_FLOATS) {
      // a task's calls sit in one round: run the tasks before this one, then move it to the start of the buffers
      const start = this.countAt;
      if (start === 0) throw new RangeError(`Job.call: one task has more calls than a job holds (${PROG_FLOATS} slots)`);
      const partial = this.prog.slice(start, this.p);
      this.tasks--;
      this.flush();
      this.prog.set(partial, 0);
      this.offs[0] = 0;
      this.tasks = 1;
      this.countAt = 0;
      this.p = partial.length;
    }
    const F = this.prog;
    F[this.countAt]++;
    F[this.p] = KERNEL_INDEX.get(fn)!;
    F[this.p + 1] = args.length;
    F[this.p + 2] = local;
    for (let i = 0; i < args.length; i++) F[this.p + 3 + i] = args[i];
    this.p += 3 + args.length;
    return this;
  }

  /** Runs every task (the caller takes a share and waits for the rest); `where` names the call in errors. */
  run(where = this.where): void {
    this.where = where;
    this.flush();
  }

  private flush(): void {
    if (this.tasks > 0) this.pool.run(this.tasks, this.localStride, this.where);
    this.tasks = 0;
    this.p = 0;
    this.countAt = -1;
  }
}

interface WorkerHandle {
  worker: WorkerLike;
  /** Sends the start message and resolves when the worker is ready. */
  start(msg: unknown): Promise<void>;
  /** Lets the process exit while the worker is idle (Node). */
  unref(): void;
}

const START_TIMEOUT_MS = 15000;

interface WorkerFactory {
  make: () => Promise<WorkerHandle>;
  /** Frees what making workers needed (the blob: URL) once they have started. */
  release: () => void;
}

// How to make a worker here: worker_threads in Node, Bun and Deno (Deno's web Workers cannot be unref'd, so an idle
// pool of them would keep the process alive; its node:worker_threads can); a module Worker from a blob: URL in
// browsers and their workers. Throws with the reason when neither exists.
async function workerFactory(): Promise<WorkerFactory> {
  const g = globalThis as { Deno?: unknown; Worker?: new (url: string, o?: { type?: string }) => WebWorker; process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } };
  if (g.process?.versions?.node) {
    const wt = await nodeWorkerThreads();
    const make = async (): Promise<WorkerHandle> => {
      // execArgv []: not the parent's (--import loaders, --input-type): the worker runs this plain script only; V8
      // flags such as --experimental-wasm-relaxed-simd are process-wide and still apply
      const w = new wt.Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      return {
        worker: w,
        start: (msg) => new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('a worker did not start within 15 s')), START_TIMEOUT_MS);
          w.on('message', (m: { ready?: boolean; error?: string }) => {
            clearTimeout(timer);
            if (m.ready) resolve(); else reject(new Error(m.error ?? 'worker failed'));
          });
          w.once('error', (e: Error) => { clearTimeout(timer); reject(e); });
          // a worker that fails later must not become an uncaught exception of the process
          w.on('error', () => {});
          w.postMessage(msg);
        }),
        unref: () => w.unref(),
      };
    };
    return { make, release: () => {} };
  }
  if (typeof g.Worker !== 'function') throw new Error('this environment has no Worker (and no worker_threads)');
  const W = g.Worker;
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const make = async (): Promise<WorkerHandle> => {
    const w = new W(url, { type: 'module' });
    return {
      worker: w,
      start: (msg) => new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('a worker did not start within 15 s')), START_TIMEOUT_MS);
        w.onmessage = (e: { data: { ready?: boolean; error?: string } }) => {
          clearTimeout(timer);
          if (e.data.ready) resolve(); else reject(new Error(e.data.error ?? 'worker failed'));
        };
        w.onerror = (e: { message?: string; preventDefault?: () => void }) => {
          e.preventDefault?.();
          clearTimeout(timer);
          reject(new Error(`worker error: ${e.message || 'the worker script could not load (a Content-Security-Policy without worker-src blob:?)'}`));
        };
        w.postMessage(msg);
      }),
      unref: () => {},
    };
  };
  return { make, release: () => URL.revokeObjectURL(url) };
}

interface WebWorker extends WorkerLike {
  onmessage: ((e: { data: { ready?: boolean; error?: string } }) => void) | null;
  onerror: ((e: { message?: string; preventDefault?: () => void }) => void) | null;
}

interface NodeWorker extends WorkerLike {
  on(ev: string, f: (...a: never[]) => void): void;
  once(ev: string, f: (...a: never[]) => void): void;
  unref(): void;
}

// node:worker_threads without a static import (bundlers for the browser must not see it); see loader.ts's nodeFs.
async function nodeWorkerThreads(): Promise<{ Worker: new (src: string, o: { eval: boolean; execArgv: string[] }) => NodeWorker }> {
  const proc = process as { getBuiltinModule?: (id: string) => unknown };
  if (typeof proc.getBuiltinModule === 'function') return proc.getBuiltinModule('node:worker_threads') as never;
  const name = ['node:worker', 'threads'].join('_');
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as never;
}
