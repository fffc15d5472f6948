// One runtime = one wasm instance = one linear memory. Every tensor, packed weight and scratch buffer of every
// module made from a runtime lives in that memory, so layers chain without copying through JavaScript.
import { checkOptions, fail, failType, fmtShape, describeValue } from '../errors.ts';
import type { KernelExports } from './kernels.ts';
import { compileWasm, defaultWasmURL, instantiateWasm, relaxedSimdSupported, type Variant, type WasmSource } from './loader.ts';
import { Allocator, WASM32_MAX_BYTES, OutOfMemoryError } from './allocator.ts';
import { bindOps, type Ops } from '../api/index.ts';
import { Tensor } from './tensor.ts';
import { Journal } from './workspace.ts';

const RUNTIME_BRAND = Symbol.for('wasm-attention.Runtime');

export interface InitOptions {
  /** 'auto' (default) picks 'relaxed' when the engine validates relaxed SIMD, else 'simd'. */
  variant?: 'auto' | Variant;
  /** The build to use instead of the packaged file: one source, or one per variant (bundlers that move files). */
  wasm?: WasmSource | { simd?: WasmSource; relaxed?: WasmSource };
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

export class Runtime {
  readonly variant: Variant;
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  /** @internal */ readonly allocator: Allocator;
  /** Low-level ops (matmul, softmax, layerNorm, ...) over Float32Array or Tensor operands. */
  readonly ops: Ops;
  /** @internal Undo log that makes each public call all-or-nothing. */
  readonly journal = new Journal();
  /** @internal Brand (survives two copies of the package, where instanceof would not). */
  readonly [RUNTIME_BRAND] = true;

  /** @internal Use `init()`. */
  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as unknown as KernelExports;
    this.memory = this.exports.memory;
    this.variant = this.exports.variant_id() === 1 ? 'relaxed' : 'simd';
    this.allocator = new Allocator(this.memory, this.exports.heap_base());
    this.ops = bindOps(this);
  }

  /** Copies `data` (Float32Array or number[]) into a new Tensor of `shape` in this runtime's memory. */
  tensor(data: Float32Array | ArrayLike<number>, shape: readonly number[]): Tensor {
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
    const size = checkShape(where, shape);
    return new Tensor(this, this.alloc(size * 4, where), shape);
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
  if (rt && typeof rt === 'object' && (rt as Record<symbol, unknown>)[RUNTIME_BRAND] === true) return rt as Runtime;
  const hint = rt && typeof (rt as { then?: unknown }).then === 'function' ? ' (a Promise: did you forget `await init()`?)' : '';
  failType(where, `rt must be the Runtime returned by \`await init()\`, got ${describeValue(rt)}${hint}`);
}

/** Loads the kernels and returns a Runtime. */
export async function init(options: InitOptions = {}): Promise<Runtime> {
  checkOptions('init', options, ['variant', 'wasm']);
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
  let source: WasmSource | undefined;
  if (w && typeof w === 'object' && !(w instanceof URL) && !(w instanceof WebAssembly.Module) && !ArrayBuffer.isView(w) &&
      !(w instanceof ArrayBuffer) && !(typeof Response !== 'undefined' && w instanceof Response)) {
    checkOptions('init', w, ['simd', 'relaxed']);
    source = (w as { simd?: WasmSource; relaxed?: WasmSource })[variant];
  } else {
    source = w as WasmSource | undefined;
  }
  let module: WebAssembly.Module;
  try {
    module = await compileWasm(source ?? defaultWasmURL(variant));
  } catch (e) {
    if (e instanceof Error && /^init:/.test(e.message)) throw e;
    if (source === undefined) throw new Error(`init: could not compile the packaged ${variant} build (${defaultWasmURL(variant).href}): ${(e as Error).message}`, { cause: e });
    throw new TypeError(`init: wasm is not a valid WebAssembly module: ${(e as Error).message}`, { cause: e });
  }
  let instance: WebAssembly.Instance;
  try {
    instance = await instantiateWasm(module);
  } catch (e) {
    throw new TypeError(`init: wasm is not a wasm-attention build: ${(e as Error).message}`, { cause: e });
  }
  const ex = instance.exports as Record<string, unknown>;
  if (!(ex.memory instanceof WebAssembly.Memory) || typeof ex.variant_id !== 'function' || typeof ex.heap_base !== 'function') {
    throw new TypeError(`init: wasm is not a wasm-attention build (it lacks the exports memory, variant_id, heap_base)`);
  }
  return new Runtime(instance);
}
