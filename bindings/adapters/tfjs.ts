// wasm-attention/tfjs: our GEMM as TensorFlow.js's BatchMatMul and _FusedMatMul kernels in the 'wasm' and 'cpu'
// backends. tfjs is an optional peer: nothing here imports it; the caller passes the `tf` namespace (tfjs-core or the
// tfjs union package), and the types below are the few structural pieces of it this file touches.
//
// Why: tfjs-backend-wasm 4.22.0 runs BatchMatMul on XNNPACK only for batch 1 without transposes; every product with
// a transposed operand or a batch > 1 (attention's Q·Kᵀ, PyTorch-layout Linear weights in converted models) goes
// to a scalar loop (1.6-1.8 GFLOP/s). Its _FusedMatMul adds the bias wrongly (for more than one row) on that loop,
// i.e. with transposeA, transposeB or a batch > 1, and for a one-element bias on the fast path too. The cpu backend
// is plain JavaScript throughout.
//
// How: each call copies the operands from the backend's memory into our runtime's linear memory (A transposed on the
// way when transposeA), runs one GEMM per output batch item (or one GEMM of batch·m rows when every item shares one
// B) with the bias and relu fused into the store, applies other fused activations in the copy back, and writes the
// result through the backend (wasm: makeOutput + its heap; cpu: makeTensorInfo). Anything else (non-float32 dtypes,
// unknown activations, operands that do not broadcast) goes to the original kernel, which keeps its behaviour and
// errors, except a wasm _FusedMatMul with a bias, which is never sent to the original (it throws instead).
import { checkOptions, describeValue, fail, failType } from '../errors.ts';
import { batchGemm, batchGemmScratchFloats, broadcastBatch } from '../ops/batch_matmul.ts';
import { init, checkRuntime, type Runtime } from '../runtime/runtime.ts';

/** The tfjs backends whose kernels can be replaced. */
export type TfjsBackendName = 'wasm' | 'cpu';

/** What a tfjs kernel gets and returns (tfjs-core's TensorInfo). */
export interface TfTensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** tfjs-core's KernelConfig, as far as used here. */
export interface TfKernelConfig {
  kernelName: string;
  backendName: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  kernelFunc: (params: any) => TfTensorInfo | TfTensorInfo[];
  setupFunc?: (backend: never) => void;
  disposeFunc?: (backend: never) => void;
}

/** The part of the `tf` namespace (tfjs-core 4.x) this adapter uses. */
export interface TfLike {
  getKernel(kernelName: string, backendName: string): TfKernelConfig | undefined;
  registerKernel(config: TfKernelConfig): void;
  unregisterKernel(kernelName: string, backendName: string): void;
}

export interface InstallTfjsOptions {
  /** Backends whose kernels are replaced. Default: each of 'wasm' and 'cpu' that has the kernels registered (i.e.
   *  whose package was imported); a backend named here without them is an error. */
  backends?: TfjsBackendName[];
  /** The runtime our kernels run in (default: a new one from `init()`). */
  runtime?: Runtime;
}

/** Calls served by our GEMM and calls passed to the original kernels, per kernel name. */
export interface TfjsKernelStats {
  ours: Record<'BatchMatMul' | '_FusedMatMul', number>;
  fallback: Record<'BatchMatMul' | '_FusedMatMul', number>;
}

export interface TfjsInstallation {
  /** The runtime the kernels run in. */
  readonly runtime: Runtime;
  /** The backends whose kernels were replaced. */
  readonly backends: readonly TfjsBackendName[];
  /** Counters (reset with resetStats()). */
  readonly stats: TfjsKernelStats;
  resetStats(): void;
  /** Puts the original kernels back (idempotent). A kernel that someone else replaced after us is left alone. */
  uninstall(): void;
}

const KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;
type KernelName = typeof KERNELS[number];
const BACKENDS: readonly TfjsBackendName[] = ['wasm', 'cpu'];
const OURS = Symbol.for('wasm-attention.tfjsKernel');

/**
 * Replaces tfjs's BatchMatMul and _FusedMatMul in the given backends with ours; returns the handle that undoes it.
 * Import the tfjs backend packages first (they register their kernels when imported), then install.
 */
export async function installTfjsKernels(tf: TfLike, options: InstallTfjsOptions = {}): Promise<TfjsInstallation> {
  const W = 'installTfjsKernels';
  if (!tf || typeof tf.getKernel !== 'function' || typeof tf.registerKernel !== 'function' || typeof tf.unregisterKernel !== 'function') {
    failType(W, `tf must be the tfjs namespace (with getKernel, registerKernel, unregisterKernel), got ${describeValue(tf)}`);
  }
  checkOptions(W, options, ['backends', 'runtime']);
  let backends: TfjsBackendName[];
  if (options.backends === undefined) {
    backends = BACKENDS.filter((b) => KERNELS.every((k) => tf.getKernel(k, b)));
  } else {
    if (!Array.isArray(options.backends)) failType(W, `backends must be an array of 'wasm' / 'cpu', got ${describeValue(options.backends)}`);
    backends = [...new Set(options.backends)];
    for (const b of backends) {
      if (!BACKENDS.includes(b)) fail(W, `backend ${describeValue(b)} is not supported (expected 'wasm' or 'cpu')`);
      const missing = KERNELS.filter((k) => !tf.getKernel(k, b));
      if (missing.length) fail(W, `backend '${b}' has no ${missing.join(' / ')} kernel registered (import @tensorflow/tfjs-backend-${b} before installing)`);
    }
  }
  for (const b of backends) {
    for (const k of KERNELS) {
      if ((tf.getKernel(k, b) as unknown as Record<symbol, unknown>)[OURS]) fail(W, `${k} of backend '${b}' is already ours: uninstall() the earlier installation first`);
    }
  }
  const rt = options.runtime === undefined ? await init() : checkRuntime(W, options.runtime);

  const stats: TfjsKernelStats = { ours: { BatchMatMul: 0, _FusedMatMul: 0 }, fallback: { BatchMatMul: 0, _FusedMatMul: 0 } };
  const installed: { original: TfKernelConfig; ours: TfKernelConfig }[] = [];
  for (const b of backends) {
    for (const k of KERNELS) {
      const original = tf.getKernel(k, b)!;
      const ours = makeKernel(rt, k, b, original, stats);
      tf.unregisterKernel(k, b);
      tf.registerKernel(ours);
      installed.push({ original, ours });
    }
  }
  let done = false;
  return {
    runtime: rt,
    backends,
    stats,
    resetStats() {
      for (const k of KERNELS) { stats.ours[k] = 0; stats.fallback[k] = 0; }
    },
    uninstall() {
      if (done) return;
      done = true;
      for (const { original, ours } of installed) {
        if (tf.getKernel(original.kernelName, original.backendName) !== ours) continue;
        tf.unregisterKernel(original.kernelName, original.backendName);
        tf.registerKernel(original);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// the kernels

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'leakyrelu' | 'sigmoid' | 'prelu';
const ACTIVATIONS: readonly string[] = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'];

interface KernelArgs {
  inputs: { a: TfTensorInfo; b: TfTensorInfo; bias?: TfTensorInfo | null; preluActivationWeights?: TfTensorInfo | null };
  backend: unknown;
  attrs: { transposeA?: boolean; transposeB?: boolean; activation?: string; leakyreluAlpha?: number };
}

/** An operand broadcast to the output [..., rows, n]: element (row r, column j) is at rowOffset[r] + j·colStride. */
interface Broadcast {
  data: Float32Array;
  rowOffset: Int32Array;
  colStride: number;
  /** True when every row reads the same n values (colStride 1) or one value (colStride 0). */
  perColumn: boolean;
}

/** The work of one call, or a reason to pass it to the original kernel. */
interface Plan {
  m: number; n: number; k: number;
  transposeA: boolean; transposeB: boolean;
  aItems: number; bItems: number;
  outShape: number[];
  batch: number;
  aIndex: Int32Array; bIndex: Int32Array;
  bias: Broadcast | null;
  act: Activation;
  alpha: number;
  prelu: Broadcast | null;
}

function makeKernel(rt: Runtime, kernelName: KernelName, backendName: TfjsBackendName, original: TfKernelConfig,
                    stats: TfjsKernelStats): TfKernelConfig {
  const fused = kernelName === '_FusedMatMul';
  const config: TfKernelConfig = {
    kernelName,
    backendName,
    // the originals' setup (e.g. the wasm backend's cwrap of its C++ kernel) still runs when the backend initialises,
    // so the fallback works whether we were installed before or after that
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc(args: KernelArgs) {
      const plan = planCall(args, fused);
      if (typeof plan === 'string') {
        // tfjs-backend-wasm 4.22.0 adds a bias wrongly whenever it leaves XNNPACK (a transpose or a batch > 1) and
        // for a one-element bias: never send it a bias
        if (fused && backendName === 'wasm' && args.inputs.bias) {
          throw new Error(`_FusedMatMul (wasm-attention): ${plan}; not passed to tfjs-backend-wasm's kernel, which adds biases wrongly`);
        }
        stats.fallback[kernelName]++;
        return original.kernelFunc(args);
      }
      stats.ours[kernelName]++;
      return run(rt, backendName, args, plan);
    },
  };
  Object.defineProperty(config, OURS, { value: true });
  return config;
}

function isF32(t: TfTensorInfo | null | undefined): boolean {
  return !!t && t.dtype === 'float32';
}

/** What this call needs, or why it goes to the original kernel. */
function planCall({ inputs, attrs }: KernelArgs, fused: boolean): Plan | string {
  const { a, b } = inputs;
  if (!isF32(a) || !isF32(b)) return `dtypes ${a?.dtype} x ${b?.dtype} (float32 only)`;
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return `rank ${ra} x ${rb} (2 or more each)`;
  const transposeA = !!attrs.transposeA, transposeB = !!attrs.transposeB;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const kA = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (kA !== kB) return `inner dims ${kA} and ${kB} differ`;
  const bb = broadcastBatch(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!bb) return `batch dims [${a.shape.slice(0, -2)}] and [${b.shape.slice(0, -2)}] do not broadcast`;
  const outShape = [...bb.shape, m, n];
  let bias: Broadcast | null = null, prelu: Broadcast | null = null;
  let act: Activation = 'linear', alpha = 0;
  if (fused) {
    const actName = attrs.activation ?? 'linear';
    if (!ACTIVATIONS.includes(actName)) return `activation ${describeValue(actName)}`;
    act = actName as Activation;
    alpha = attrs.leakyreluAlpha ?? 0.2;
    if (inputs.bias) {
      if (!isF32(inputs.bias)) return `bias dtype ${inputs.bias.dtype}`;
      const br = broadcastTo(inputs.bias.shape, outShape);
      if (!br) return `bias shape [${inputs.bias.shape}] does not broadcast to [${outShape}]`;
      bias = { data: null!, ...br };
    }
    if (act === 'prelu') {
      const w = inputs.preluActivationWeights;
      if (!w || !isF32(w)) return 'prelu without float32 weights';
      const br = broadcastTo(w.shape, outShape);
      if (!br) return `prelu weights shape [${w.shape}] do not broadcast to [${outShape}]`;
      prelu = { data: null!, ...br };
    }
  }
  return {
    m, n, k: kA, transposeA, transposeB,
    aItems: size(a.shape.slice(0, -2)), bItems: size(b.shape.slice(0, -2)),
    outShape, batch: bb.batch, aIndex: bb.aIndex, bIndex: bb.bIndex, bias, act, alpha, prelu,
  };
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, v) => p * v, 1);
}

/** Where each output row [..., r, :] of `out` finds the operand of `shape` (numpy broadcasting), or null. */
function broadcastTo(shape: readonly number[], out: readonly number[]): Omit<Broadcast, 'data'> | null {
  const s = [...shape];
  while (s.length > out.length && s[0] === 1) s.shift();
  if (s.length > out.length) return null;
  const R = out.length;
  const st = new Array<number>(R).fill(0);
  for (let d = R - 1, p = 1, j = s.length - 1; d >= 0; d--, j--) {
    const v = j >= 0 ? s[j] : 1;
    if (v !== 1 && v !== out[d]) return null;
    if (v !== 1) st[d] = p;
    p *= v;
  }
  const rows = size(out.slice(0, -1));
  const rowOffset = new Int32Array(rows);
  const idx = new Array<number>(R - 1).fill(0);
  let perColumn = true;
  for (let r = 0; r < rows; r++) {
    let off = 0;
    for (let d = 0; d < R - 1; d++) off += idx[d] * st[d];
    rowOffset[r] = off;
    if (off !== 0) perColumn = false;
    for (let d = R - 2; d >= 0; d--) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
  return { rowOffset, colStride: st[R - 1], perColumn };
}

// ---------------------------------------------------------------------------------------------------------------
// backend access

interface WasmBackend {
  typedArrayFromHeap(t: TfTensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: string): TfTensorInfo;
}
interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TfTensorInfo;
}

/** The float32 elements of `t` in the backend's memory (a view, no copy). */
function read(backendName: TfjsBackendName, backend: unknown, t: TfTensorInfo): Float32Array {
  const v = backendName === 'wasm'
    ? (backend as WasmBackend).typedArrayFromHeap(t)
    : (backend as CpuBackend).data.get(t.dataId).values;
  if (!(v instanceof Float32Array)) throw new TypeError(`wasm-attention tfjs adapter: ${backendName} tensor data is not a Float32Array`);
  return v;
}

/** Transposes `items` matrices [rows, cols] of src into dst [cols, rows] each (cache-blocked). */
function transposeInto(src: Float32Array, dst: Float32Array, items: number, rows: number, cols: number): void {
  const T = 32;
  for (let it = 0, base = 0; it < items; it++, base += rows * cols) {
    for (let r0 = 0; r0 < rows; r0 += T) {
      const r1 = Math.min(r0 + T, rows);
      for (let c0 = 0; c0 < cols; c0 += T) {
        const c1 = Math.min(c0 + T, cols);
        for (let r = r0; r < r1; r++) {
          const s = base + r * cols;
          for (let c = c0; c < c1; c++) dst[base + c * rows + r] = src[s + c];
        }
      }
    }
  }
}

function run(rt: Runtime, backendName: TfjsBackendName, args: KernelArgs, p: Plan): TfTensorInfo {
  const { backend, inputs } = args;
  const { m, n, k, batch } = p;
  const total = batch * m * n;
  const outShape = p.outShape;
  const makeOut = (): { info: TfTensorInfo; dst: Float32Array; finish: () => TfTensorInfo } => {
    if (backendName === 'wasm') {
      const info = (backend as WasmBackend).makeOutput(outShape, 'float32');
      return { info, dst: (backend as WasmBackend).typedArrayFromHeap(info), finish: () => info };
    }
    const dst = new Float32Array(total);
    return { info: null!, dst, finish: () => (backend as CpuBackend).makeTensorInfo(outShape, 'float32', dst) };
  };
  if (total === 0) return makeOut().finish();

  // the epilogue the GEMM can do: a bias that is one n-vector (or one value) for every row, and relu
  // (operand views are taken when used: an allocation in our memory or tfjs's may move the buffers)
  const readBias = () => ({ ...p.bias!, data: read(backendName, backend, inputs.bias!) });
  const kernelBias = !!p.bias && p.bias.perColumn;
  const kernelRelu = p.act === 'relu' && (!p.bias || kernelBias);
  const act = p.act === 'relu' && kernelRelu ? 'linear' : p.act;   // what is left for the copy back

  const aLen = p.aItems * m * k, bLen = p.bItems * k * n;
  const scratchFloats = batchGemmScratchFloats(rt, { m, n, k, batch, aIndex: p.aIndex, bIndex: p.bIndex });
  const floats = [aLen, bLen, total, kernelBias ? n : 0, scratchFloats];
  const offs: number[] = [];
  let bytes = 0;
  for (const f of floats) { offs.push(bytes); bytes += Math.ceil(f / 4) * 16; }   // 16-byte aligned regions
  const block = rt.alloc(bytes, 'tfjs BatchMatMul');
  try {
    const [pa, pb, pc, pbias, pscratch] = offs.map((o) => block + o);
    // views after the allocation (it may have grown our memory)
    const srcA = read(backendName, backend, inputs.a), srcB = read(backendName, backend, inputs.b);
    if (p.transposeA) transposeInto(srcA, rt.f32(pa, aLen), p.aItems, k, m);
    else rt.f32(pa, aLen).set(srcA.subarray(0, aLen));
    rt.f32(pb, bLen).set(srcB.subarray(0, bLen));
    if (kernelBias) {
      const bias = readBias(), v = rt.f32(pbias, n);
      if (bias.colStride === 0) v.fill(bias.data[0]);
      else v.set(bias.data.subarray(0, n));
    }
    // (atomic: names the call in an error from the thread pool)
    rt.journal.atomic('tfjs BatchMatMul', () => batchGemm(rt, {
      m, n, k, batch, a: pa, aIndex: p.aIndex, b: pb, bIndex: p.bIndex, transposeB: p.transposeB,
      c: pc, bias: kernelBias ? pbias : 0, act: kernelRelu ? 'relu' : 'none', scratch: scratchFloats > 0 ? pscratch : 0,
    }));
    // the output is allocated after our work (on the wasm backend it may grow tfjs's heap: views taken after)
    const out = makeOut();
    const c = rt.f32(pc, total);
    if (p.bias && !kernelBias) addBroadcast(c, readBias(), n);
    applyInto(c, out.dst, act, n, p.alpha,
      p.prelu ? { ...p.prelu, data: read(backendName, backend, inputs.preluActivationWeights!) } : null);
    return out.finish();
  } finally {
    rt.free(block);
  }
}

/** c[r, j] += op[r, j] for the broadcast operand. */
function addBroadcast(c: Float32Array, op: Broadcast, n: number): void {
  const rows = c.length / n, d = op.data, cs = op.colStride;
  for (let r = 0; r < rows; r++) {
    const o = op.rowOffset[r], base = r * n;
    for (let j = 0; j < n; j++) c[base + j] += d[o + j * cs];
  }
}

/** dst = act(c), with tfjs's definitions of the fused activations. */
function applyInto(c: Float32Array, dst: Float32Array, act: Activation, n: number, alpha: number, prelu: Broadcast | null): void {
  const len = c.length;
  switch (act) {
    case 'linear': dst.set(c); return;
    case 'relu': for (let i = 0; i < len; i++) { const v = c[i]; dst[i] = v < 0 ? 0 : v; } return;
    case 'relu6': for (let i = 0; i < len; i++) { const v = c[i]; dst[i] = v < 0 ? 0 : v > 6 ? 6 : v; } return;
    case 'elu': for (let i = 0; i < len; i++) { const v = c[i]; dst[i] = v >= 0 ? v : Math.expm1(v); } return;
    case 'leakyrelu': for (let i = 0; i < len; i++) { const v = c[i]; dst[i] = v < 0 ? alpha * v : v; } return;
    case 'sigmoid': for (let i = 0; i < len; i++) dst[i] = 1 / (1 + Math.exp(-c[i])); return;
    case 'prelu': {
      const w = prelu!, d = w.data, cs = w.colStride, rows = len / n;
      for (let r = 0; r < rows; r++) {
        const o = w.rowOffset[r], base = r * n;
        for (let j = 0; j < n; j++) { const v = c[base + j]; dst[base + j] = v < 0 ? d[o + j * cs] * v : v; }
      }
      return;
    }
  }
}
