// One runtime = one wasm instance = one linear memory. Every tensor, packed weight and scratch buffer of every
// module made from a runtime lives in that memory, so layers chain without copying through JavaScript.
import { checkOptions, fail, failType, fmtShape, describeValue } from '../errors.ts';
import type { KernelExports } from './kernels.ts';
import { compileWasm, compileWasmKeepingBytes, defaultWasmURL, importsMemory, instantiateWasm, relaxedSimdSupported, type BuildName, type Variant, type WasmSource } from './loader.ts';
import { Pool, type ThreadsInfo } from './pool.ts';
import { withoutDataSegments } from './shared_build.ts';
import { Allocator, WASM32_MAX_BYTES, OutOfMemoryError } from './allocator.ts';
import { bindOps, type Ops } from '../api/index.ts';
import { Tensor } from './tensor.ts';
import { Journal } from './workspace.ts';
import { DISPOSE } from './dispose.ts';

const RUNTIME_BRAND = Symbol.for('wasm-attention.Runtime');

// A runtime dropped without dispose() still ends its workers once it is garbage-collected (the pool does not
// reference the runtime, so it does not keep it alive).
const POOLS = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Pool>((pool) => pool.stop()) : null;

export interface InitOptions {
  /** 'auto' (default) picks 'relaxed' when the engine validates relaxed SIMD, else 'simd'. */
  variant?: 'auto' | Variant;
  /** The build to use instead of the packaged file: one source, or one per build (bundlers that move files; the
   *  '-threads' builds are used when `threads` > 1). */
  wasm?: WasmSource | { simd?: WasmSource; relaxed?: WasmSource; 'simd-threads'?: WasmSource; 'relaxed-threads'?: WasmSource };
  /**
   * Threads that run kernels, the calling thread included: 1 (default: no workers, as before), a number, or 'auto'
   * (the cores the engine reports, at most 4). More than 1 needs SharedArrayBuffer (in browsers: a cross-origin
   * isolated page) and Workers; when they are missing the runtime runs on fewer threads and `rt.threads.reason`
   * says why. Results are bit-identical for every thread count.
   */
  threads?: number | 'auto';
  /**
   * GEMM register tiles: 'wide' (5-row and 4-row tiles; fastest in V8: Node, Deno, Chromium), 'narrow' (4-row tiles
   * only; SpiderMonkey runs the wide tile at half speed) or 'auto' (default): 'narrow' in SpiderMonkey (Firefox),
   * else 'wide'. Both compute the same products (the last bits of a few rows may differ).
   */
  tiles?: 'auto' | Tiles;
}

export type Tiles = 'wide' | 'narrow';

/** True in SpiderMonkey (Firefox), whose non-standard InternalError no other engine defines. */
function isSpiderMonkey(): boolean {
  const g = globalThis as { InternalError?: unknown; navigator?: { userAgent?: string } };
  return typeof g.InternalError === 'function' || /\bFirefox\//.test(g.navigator?.userAgent ?? '');
}

/** Snapshot of memory use, for leak checks and sizing. */
export interface MemoryStats {
  /** Size of the linear memory in bytes (only ever grows). */
  memoryBytes: number;
  /** Bytes handed out by the allocator and not yet freed. */
  bytesInUse: number;
  /** Live allocator blocks. */
  liveBlocks: number;
}

export type { ThreadsInfo } from './pool.ts';

export class Runtime {
  readonly variant: Variant;
  /** How many threads run kernels and, when fewer than asked, why (init option `threads`). */
  readonly threads: ThreadsInfo;
  /** @internal The worker pool (null: one thread). */
  readonly pool: Pool | null;
  /** The GEMM register tiles in use (init option `tiles`). */
  readonly tiles: Tiles;
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  /** @internal */ readonly allocator: Allocator;
  /** Low-level ops (matmul, softmax, layerNorm, ...) over Float32Array or Tensor operands. */
  readonly ops: Ops;
  /** @internal Undo log that makes each public call all-or-nothing (refuses every call once disposed). */
  readonly journal: Journal = new RuntimeJournal(this);
  /** @internal Brand (survives two copies of the package, where instanceof would not). */
  readonly [RUNTIME_BRAND] = true;

  /** @internal Use `init()`. */
  constructor(instance: WebAssembly.Instance, tiles: Tiles = 'wide', pool: Pool | null = null,
              threads: Omit<ThreadsInfo, 'count'> = { requested: 1, reason: null }) {
    this.pool = pool;
    if (pool) POOLS?.register(this, pool, pool);
    this.threads = Object.freeze({ count: pool ? pool.size : 1, requested: threads.requested, reason: threads.reason });
    this.exports = instance.exports as unknown as KernelExports;
    this.memory = this.exports.memory;
    this.variant = this.exports.variant_id() === 1 ? 'relaxed' : 'simd';
    this.tiles = tiles;
    this.exports.gemm_set_tiles(tiles === 'wide' ? 1 : 0);
    this.allocator = new Allocator(this.memory, this.exports.heap_base());
    this.ops = guardOps(this, bindOps(this));
  }

  private _disposed = false;
  /** Tensors made by tensor() / empty() / zeros() and not yet disposed: rt.dispose() frees them. */
  private readonly live = new Set<Tensor>();

  /** True after dispose(). */
  get disposed(): boolean {
    return this._disposed;
  }

  /**
   * Marks the runtime disposed and frees what it can: every tensor made by tensor() / empty() / zeros() that is still
   * live is disposed. From then on tensor(), empty(), zeros(), ops.*, new modules on this runtime and every call of a
   * module or cache made from it (forward, loadStateDict, createCache) throw; dispose() of those objects stays
   * allowed (it does nothing more). Idempotent.
   *
   * The wasm memory itself cannot be freed or shrunk by a call: the engine reclaims it when the runtime and every
   * module, cache and tensor made from it are no longer referenced (garbage collection). Modules and caches do not
   * register with their runtime, so their buffers are not freed here: dispose() them first if they may outlive it.
   */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (this.pool) {
      this.pool.stop();
      POOLS?.unregister(this.pool);
    }
    for (const t of [...this.live]) t.disposeWithRuntime();
    this.live.clear();
  }

  /** `using rt = await init()`: calls dispose() at the end of the scope. */
  [DISPOSE](): void {
    this.dispose();
  }

  /** @internal A tensor made here was disposed. */
  forget(t: Tensor): void {
    this.live.delete(t);
  }

  /** @internal Throws `where: runtime used after dispose()` once disposed. */
  checkLive(where: string): void {
    if (this._disposed) fail(where, 'runtime used after dispose() (make a new one with `await init()`)');
  }

  /** Copies `data` (Float32Array or number[]) into a new Tensor of `shape` in this runtime's memory. */
  tensor(data: Float32Array | ArrayLike<number>, shape: readonly number[]): Tensor {
    this.checkLive('tensor');
    const size = checkShape('tensor', shape);
    if (!(data instanceof Float32Array) && !Array.isArray(data) && !ArrayBuffer.isView(data)) {
      failType('tensor', `data must be a Float32Array or an array of numbers, got ${describeValue(data)}`);
    }
    if (data.length !== size) fail('tensor', `data has ${data.length} elements but shape ${fmtShape(shape)} needs ${size}`);
    if (Array.isArray(data)) {
      const bad = data.findIndex((v) => typeof v !== 'number');
      if (bad >= 0) failType('tensor', `data[${bad}] must be a number, got ${describeValue(data[bad])}`);
    }
    const t = this.make('tensor', shape);
    t.data.set(data);
    return t;
  }

  /** A new Tensor of `shape` with undefined contents. */
  empty(shape: readonly number[]): Tensor {
    return this.make('empty', shape);
  }

  private make(where: string, shape: readonly number[]): Tensor {
    this.checkLive(where);
    const size = checkShape(where, shape);
    const t = new Tensor(this, this.alloc(size * 4, where), shape);
    this.live.add(t);
    return t;
  }

  /** A new Tensor of `shape` filled with zeros. */
  zeros(shape: readonly number[]): Tensor {
    const t = this.make('zeros', shape);
    t.data.fill(0);
    return t;
  }

  /** @internal Raw allocation in bytes (16-byte aligned, 16 spare bytes after); `where` names the call in an
   *  out-of-memory error. */
  alloc(bytes: number, where?: string): number {
    this.checkLive(where ?? this.journal.where);
    return this.allocator.alloc(bytes, where ?? this.journal.where);
  }

  /** @internal */
  free(ptr: number): void {
    this.allocator.free(ptr);
  }

  /** @internal A fresh f32 view of `len` elements at byte offset `ptr`. */
  f32(ptr: number, len: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, len);
  }

  /** Memory use right now. */
  memoryStats(): MemoryStats {
    return {
      memoryBytes: this.memory.buffer.byteLength,
      bytesInUse: this.allocator.bytesInUse,
      liveBlocks: this.allocator.liveBlocks,
    };
  }
}

// The journal every module call runs in: refuses to start a call once the runtime is disposed.
class RuntimeJournal extends Journal {
  constructor(private readonly rt: Runtime) {
    super();
  }
  override atomic<T>(where: string, fn: () => T): T {
    if (!this.active) this.rt.checkLive(where);
    return super.atomic(where, fn);
  }
}

// rt.ops with the disposed check in front of every op, each run as one journal call named after the op (an error
// from the thread pool names it).
function guardOps(rt: Runtime, ops: Ops): Ops {
  const out = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(ops) as [string, (...a: unknown[]) => unknown][]) {
    out[name] = (...args: unknown[]) => {
      rt.checkLive(name);
      return rt.journal.atomic(name, () => fn(...args));
    };
  }
  return out as unknown as Ops;
}

function checkShape(where: string, shape: unknown): number {
  if (!Array.isArray(shape)) failType(where, `shape must be an array of non-negative integers, got ${describeValue(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) fail(where, `shape ${JSON.stringify(shape)} must hold non-negative integers`);
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (size * 4 > WASM32_MAX_BYTES) {
    throw new OutOfMemoryError(where, size * 4, 0, 0, `shape ${fmtShape(shape as number[])} holds ${size} floats; wasm32 memory is at most 4 GiB`);
  }
  return size;
}

/** @internal Throws a TypeError naming `where` unless `rt` is a Runtime (e.g. a Promise from a forgotten await). */
export function checkRuntime(where: string, rt: unknown): Runtime {
  if (rt && typeof rt === 'object' && (rt as Record<symbol, unknown>)[RUNTIME_BRAND] === true) {
    // a runtime of another copy of the package may predate dispose()
    if ((rt as Runtime).disposed === true) fail(where, 'rt was disposed (rt.dispose()): make a new one with `await init()`');
    return rt as Runtime;
  }
  const hint = rt && typeof (rt as { then?: unknown }).then === 'function' ? ' (a Promise: did you forget `await init()`?)' : '';
  failType(where, `rt must be the Runtime returned by \`await init()\`, got ${describeValue(rt)}${hint}`);
}

/** Threads 'auto' resolves to: the cores the engine reports, at most 4 (beyond that the memory-bound calls gain
 *  little and a shared machine loses more). */
export const AUTO_THREADS_MAX = 4;

function reportedCores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav && typeof nav.hardwareConcurrency === 'number' && nav.hardwareConcurrency > 0) return nav.hardwareConcurrency;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined;
  return os?.availableParallelism?.() ?? os?.cpus?.().length ?? 1;
}

// Why this environment cannot run a pool, or null.
function threadsUnavailable(): string | null {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; Atomics?: unknown };
  if (g.crossOriginIsolated === false) {
    return 'this page is not cross-origin isolated, so it has no SharedArrayBuffer: serve it with the headers ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  }
  if (typeof g.SharedArrayBuffer !== 'function' || typeof g.Atomics !== 'object') return 'this environment has no SharedArrayBuffer/Atomics';
  return null;
}

/** Loads the kernels and returns a Runtime. */
export async function init(options: InitOptions = {}): Promise<Runtime> {
  checkOptions('init', options, ['variant', 'wasm', 'tiles', 'threads']);
  const threadsOpt = options.threads === undefined ? 1 : options.threads;
  if (threadsOpt !== 'auto' && !(typeof threadsOpt === 'number' && Number.isInteger(threadsOpt) && threadsOpt >= 1 && threadsOpt <= 256)) {
    fail('init', `threads must be an integer from 1 to 256 or 'auto', got ${describeValue(threadsOpt)}`);
  }
  const requestedThreads = threadsOpt === 'auto' ? Math.max(1, Math.min(AUTO_THREADS_MAX, reportedCores())) : threadsOpt;
  const tilesOpt = options.tiles ?? 'auto';
  if (!['auto', 'wide', 'narrow'].includes(tilesOpt)) {
    fail('init', `tiles must be 'auto', 'wide' or 'narrow', got ${describeValue(tilesOpt)}`);
  }
  const tiles: Tiles = tilesOpt === 'auto' ? (isSpiderMonkey() ? 'narrow' : 'wide') : tilesOpt;
  const requested = options.variant ?? 'auto';
  if (!['auto', 'relaxed', 'simd'].includes(requested)) {
    fail('init', `variant must be 'auto', 'relaxed' or 'simd', got ${describeValue(requested)}`);
  }
  const variant: Variant = requested === 'auto' ? (relaxedSimdSupported() ? 'relaxed' : 'simd') : requested;
  if (variant === 'relaxed' && !relaxedSimdSupported()) {
    fail('init', "variant 'relaxed' needs relaxed SIMD, which this engine does not accept (Node 20: run with --experimental-wasm-relaxed-simd); use 'simd' or 'auto'");
  }
  const w = options.wasm;
  if (Array.isArray(w) || (w && typeof (w as { then?: unknown }).then === 'function') || (w !== undefined && w !== null && typeof w !== 'object' && typeof w !== 'string')) {
    failType('init', `wasm must be bytes, a URL, a string path/URL, a WebAssembly.Module, a Response or { simd, relaxed } of those, got ${describeValue(w)}${Array.isArray(w) ? ' (wrap numbers in a Uint8Array)' : ''}${typeof (w as { then?: unknown })?.then === 'function' ? ' (await it first)' : ''}`);
  }
  const perBuild = !!w && typeof w === 'object' && !(w instanceof URL) && !(w instanceof WebAssembly.Module) &&
    !ArrayBuffer.isView(w) && !(w instanceof ArrayBuffer) && !(typeof Response !== 'undefined' && w instanceof Response);
  if (perBuild) checkOptions('init', w, ['simd', 'relaxed', 'simd-threads', 'relaxed-threads']);
  // threads > 1: the shared-memory build, when this environment can share memory
  let why: string | null = requestedThreads > 1 ? threadsUnavailable() : null;
  const pick = (threaded: boolean): { build: BuildName; source: WasmSource | undefined } => {
    const build: BuildName = threaded ? `${variant}-threads` : variant;
    return { build, source: perBuild ? (w as Record<string, WasmSource | undefined>)[build] : w as WasmSource | undefined };
  };
  let { build, source } = pick(requestedThreads > 1 && why === null);
  if (build.endsWith('-threads') && source === undefined && perBuild && pick(false).source !== undefined) {
    // init({ wasm: { simd, relaxed } }) without the threads builds
    why = `init({ wasm }) gave no '${build}' build (a shared-memory build is needed for threads)`;
    ({ build, source } = pick(false));
  }
  let module: WebAssembly.Module;
  let bytes: Uint8Array | null = null;   // kept for threads: the workers' module without data segments
  try {
    ({ module, bytes } = await compileWasmKeepingBytes(source ?? defaultWasmURL(build), requestedThreads > 1));
  } catch (e) {
    if (e instanceof Error && /^init:/.test(e.message)) throw e;
    if (source === undefined) throw new Error(`init: could not compile the packaged ${build} build (${defaultWasmURL(build).href}): ${(e as Error).message}`, { cause: e });
    throw new TypeError(`init: wasm is not a valid WebAssembly module: ${(e as Error).message}`, { cause: e });
  }
  // a single source given for threads may be either kind: what it imports decides
  let memory: WebAssembly.Memory | undefined;
  if (importsMemory(module)) {
    // a shared memory cannot move, so the engine reserves its maximum up front: 4 GiB where it can, else less (a
    // 32-bit or memory-capped browser), and the runtime then cannot grow past that
    let error: unknown = null;
    for (const maximum of THREADS_MAXIMUM_PAGES) {
      try {
        memory = new WebAssembly.Memory({ initial: THREADS_INITIAL_PAGES, maximum, shared: true } as WebAssembly.MemoryDescriptor);
        break;
      } catch (e) {
        error = e;
      }
    }
    if (!memory) {
      const msg = `could not create the shared memory of the ${build} build: ${(error as Error).message}`;
      if (source !== undefined || requestedThreads === 1) throw new Error(`init: ${msg}`, { cause: error });
      // the packaged threads build was picked for threads: run on one thread instead, and say why
      why = msg;
      build = variant;
      module = await compileWasm(defaultWasmURL(build));
    }
  } else if (requestedThreads > 1 && why === null) {
    why = 'init({ wasm }) gave a build without shared memory (a threads build is needed for threads)';
  }
  let instance: WebAssembly.Instance;
  try {
    instance = await instantiateWasm(module, memory);
  } catch (e) {
    throw new TypeError(`init: wasm is not a wasm-attention build: ${(e as Error).message}`, { cause: e });
  }
  const ex = instance.exports as Record<string, unknown>;
  if (!(ex.memory instanceof WebAssembly.Memory) || typeof ex.variant_id !== 'function' || typeof ex.heap_base !== 'function') {
    throw new TypeError(`init: wasm is not a wasm-attention build (it lacks the exports memory, variant_id, heap_base)`);
  }
  let pool: Pool | null = null;
  if (memory && requestedThreads > 1 && why === null) {
    // workers instantiate the build without its data segments: the static data is written once, by this instance
    const workerModule = bytes ? await WebAssembly.compile(withoutDataSegments(bytes) as Uint8Array<ArrayBuffer>) : module;
    ({ pool, reason: why } = await Pool.start(requestedThreads - 1, workerModule, memory, ex, tiles === 'wide'));
  }
  return new Runtime(instance, tiles, pool, { requested: requestedThreads, reason: why });
}

// The shared memory of a threads build: its declared minimum (asconfig.json initialMemory) and the maxima tried in
// turn (4 GiB, 1 GiB, 256 MiB: the builds declare 4 GiB, and an imported memory may declare less).
const THREADS_INITIAL_PAGES = 16;
const THREADS_MAXIMUM_PAGES = [65536, 16384, 4096];
