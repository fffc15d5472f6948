// Seeded differential fuzzing of every op and module against the independent float64 references in
// tests/reference (never against the library itself). Shared by tests/nn/fuzz.test.ts (npm test) and tools/fuzz.ts
// (long campaigns).
//
// A case is a pure function of (seed, index): makeCase(seed, index) draws the target, its options and all of its
// data from one RNG seeded by both, so the case id "<seed>:<index>" reproduces it exactly, on either build.
// runCase(rt, c) drives the library, compares with the reference, and checks that the case's modules and tensors,
// once disposed, give back every byte (rt.memoryStats().bytesInUse as before the case). Any mismatch or
// unexpected throw becomes a FuzzFailure whose message holds the case id, the options and the command to rerun it.
//
// Tolerances (|got - want| <= atol + rtol·|want|, NaN must match NaN, ±Inf exactly):
//  - f32 layers (softmax probabilities, Attention, MultiHead, Transformer): atol 1e-5, rtol 1e-4 at inner sizes up
//    to 64, growing with the inner size d as atol·max(1, d/64) (a float32 sum of d terms of size ~1 carries an
//    error ~ 2^-24·d in the worst realistic case).
//  - matmul, whose k reaches ~800 (across the 768-deep K block): atol = sa·sb·max(1e-5, k·2^-22) + |bias|·2^-22,
//    rtol 1e-4, where every |a| <= sa, |b| <= sb. k·2^-22 is about 4x the six-sigma random-walk error of a float32
//    dot product of k uniform terms (2^-24·k·sa·sb·(√2·6/3)), and 1e-5 is the floor for short sums.
//  - layerNorm: atol 1e-5·(1 + |offset|/spread)·max|w|, rtol 1e-4: a row offset large against its spread loses
//    digits in x - mean in float32.
//  - additiveScores: atol 1e-6·Σ|w_v| + 1e-7, rtol 1e-4 (each tanh term carries ~4e-7 relative error).
//  - gelu: rtol 1e-5, atol 1e-30 (erf form), 1e-7 (tanh form: 1 + tanh(z) cancels in the negative tail); relu exact.
//  - Transformer: the layer tolerance times the depth (layers, x2 when chained), plus 4x the element's measured
//    sensitivity: the largest change of the float64 reference itself when every input and weight is jittered by
//    one float32 ulp (relative, two seeded draws). A LayerNorm over a row of tiny variance (dModel 3, eps 1e-12)
//    amplifies such rounding by 1e3 and more, which no float32 implementation can avoid; elsewhere the term is
//    ~1e-7 and changes nothing.
import { Attention, MultiHead, Transformer, Tensor, type DecoderForwardOptions, type EncoderForwardOptions, type Runtime } from '../../bindings/index.ts';
import { rng, uniform } from './util.ts';
import { pick, randomParams, sizeOf } from './module_helpers.ts';
import {
  additiveAttention, additiveScores, dotAttention, dotProductAttention, generalAttention, geluExact, geluTanh, layerNorm as refLayerNorm,
  linear, mhaParamShapes, multiheadAttention, relu as refRelu, softmaxRows, transformerDecoder, transformerEncoder, transformerParamShapes,
  type Activation, type AttnResult, type DecoderOptions, type EncoderOptions, type MhaConfig, type MhaOptions, type TransformerConfig,
} from '../reference/index.ts';

export type Variant = 'simd' | 'relaxed';
export const TARGETS = ['matmul', 'softmax', 'layerNorm', 'gelu', 'relu', 'additiveScores', 'attention', 'multihead', 'transformer'] as const;
export type Target = typeof TARGETS[number];

/** Relative frequency of each target (modules and the GEMM get the most cases). */
const WEIGHTS: Record<Target, number> = {
  matmul: 4, softmax: 3, layerNorm: 2, gelu: 1, relu: 1, additiveScores: 1, attention: 3, multihead: 5, transformer: 4,
};

export interface FuzzCase {
  id: string;
  seed: number;
  index: number;
  target: Target;
  /** JSON-printable description of the options and shapes (masks as kind + shape, not their data). */
  options: Record<string, unknown>;
  /**
   * Memory squeeze: before the case, a filler block takes all but this many bytes of the free linear memory, so
   * that the case's own allocations grow the memory part-way (stale views of memory.buffer would then show).
   * null = no squeeze.
   */
  squeeze: number | null;
  /** Runs on rt and compares; throws a plain Error on a mismatch. Disposes what it made, also when throwing. */
  run(rt: Runtime, stats: CaseStats): void;
}

/** Worst |error| / tolerance seen in a case (1 = at the tolerance): for calibrating the tolerances. */
export interface CaseStats { worst: number }

export class FuzzFailure extends Error {
  constructor(readonly caseId: string, readonly variant: Variant, readonly target: Target, detail: string, options: Record<string, unknown>) {
    super(`fuzz case ${caseId} [${variant}] ${target}: ${detail}\n` +
      `  options: ${JSON.stringify(options)}\n` +
      `  rerun:   npm run fuzz -- --case ${caseId} --variant ${variant}`);
    this.name = 'FuzzFailure';
  }
}

type Rand = () => number;

// ---------------------------------------------------------------------------------------------------------------
// seeding and random helpers

/** One 32-bit RNG seed from (seed, index) (murmur3 finaliser over both words). */
function caseSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ (index >>> 0), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ Math.floor(index / 2 ** 32), 0x27d4eb2f);
  h ^= h >>> 15;
  return h >>> 0;
}

const chance = (r: Rand, p: number): boolean => r() < p;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1)); // [lo, hi]
const f32 = (v: number): number => Math.fround(v);

type MaskData = Uint8Array | Float32Array;
type MaskIn = MaskData | { data: MaskData; shape: number[] };
interface MaskSpec { mask: MaskIn; desc: string }

/**
 * A random mask of `shape`: bool (1 = masked, probability p) or float (-Infinity with probability p, else
 * U[-2, 1)), given flat or with its shape. `fullRows` rows of the last dim are masked entirely (fully masked rows).
 */
function randomMask(r: Rand, shape: number[], bool: boolean, p: number, fullRows = 0): MaskSpec {
  const n = sizeOf(shape), cols = shape[shape.length - 1];
  const data: MaskData = bool ? new Uint8Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (bool) data[i] = r() < p ? 1 : 0;
    else data[i] = r() < p ? -Infinity : -2 + 3 * r();
  }
  for (let k = 0; k < fullRows; k++) {
    const row = int(r, 0, n / cols - 1);
    data.fill(bool ? 1 : -Infinity, row * cols, (row + 1) * cols);
  }
  const withShape = chance(r, 0.5);
  return {
    mask: withShape ? { data, shape } : data,
    desc: `${bool ? 'bool' : 'float'}[${shape.join(',')}]${withShape ? '' : ' flat'} p=${p}${fullRows ? ` fullRows=${fullRows}` : ''}`,
  };
}

function maskData(m: MaskIn): MaskData { return m instanceof Uint8Array || m instanceof Float32Array ? m : m.data; }

// ---------------------------------------------------------------------------------------------------------------
// comparison

function fmt(v: number): string { return Number.isFinite(v) ? v.toPrecision(9) : String(v); }

/**
 * got vs want elementwise with |got - want| <= atol(i) + rtol·|want|; NaN must match NaN, ±Inf exactly. Indices
 * with skip(i) true are not compared. Throws with the first offending index (as a multi-index of `shape` when given)
 * and the number of bad elements. Records the worst error / tolerance ratio in stats.
 */
function compare(what: string, got: ArrayLike<number>, want: ArrayLike<number>, atol: number | ((i: number) => number), rtol: number,
                 stats: CaseStats, shape?: readonly number[], skip?: (i: number) => boolean): void {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} values, expected ${want.length}`);
  let bad = 0, first = '';
  for (let i = 0; i < want.length; i++) {
    if (skip?.(i)) continue;
    const x = got[i], y = want[i];
    let ok: boolean;
    let ratio = 0;
    let tol = 0;
    if (Number.isNaN(y)) ok = Number.isNaN(x);
    else if (!Number.isFinite(y)) ok = x === y;
    else {
      tol = (typeof atol === 'number' ? atol : atol(i)) + rtol * Math.abs(y);
      const err = Math.abs(x - y);
      ok = err <= tol;
      ratio = tol > 0 ? err / tol : err > 0 ? Infinity : 0;
      if (Number.isNaN(ratio)) ratio = Infinity;
    }
    if (ok) { if (ratio > stats.worst) stats.worst = ratio; continue; }
    if (bad++ === 0) {
      first = `[${shape ? unravel(i, shape).join(', ') : i}] = ${fmt(x)}, expected ${fmt(y)}` +
        (Number.isFinite(y) ? ` (|diff| ${Math.abs(x - y).toExponential(3)} > tol ${tol.toExponential(3)})` : '');
    }
  }
  if (bad) throw new Error(`${what}${shape ? ` [${shape.join(', ')}]` : ''}: ${bad} of ${want.length} values differ; first ${first}`);
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return idx;
}

function sameShape(what: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new Error(`${what}: shape [${got.join(', ')}], expected [${want.join(', ')}]`);
  }
}

function unchanged(what: string, got: Float32Array, orig: Float32Array): void {
  for (let i = 0; i < orig.length; i++) {
    if (!Object.is(got[i], orig[i])) throw new Error(`${what}: input modified at [${i}]: ${got[i]} (was ${orig[i]})`);
  }
}

/** Disposes everything a case made, in reverse order, also on a failure. */
class Scope {
  private items: { dispose(): void }[] = [];
  add<T extends { dispose(): void }>(x: T): T { this.items.push(x); return x; }
  dispose(): void {
    for (const x of this.items.reverse()) { try { x.dispose(); } catch { /* keep disposing the rest */ } }
    this.items = [];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ops

const U23 = 2 ** -23, U22 = 2 ** -22;

/** An operand or module input: a Float32Array, a Float32Array view at an offset into a larger buffer, or a Tensor. */
const OPERAND_KINDS = ['array', 'view', 'tensor'] as const;
type OperandKind = typeof OPERAND_KINDS[number];
/** A copy of data as a subarray starting 3 floats into a larger buffer (byteOffset 12). */
function viewOf(data: Float32Array): Float32Array {
  const buf = new Float32Array(data.length + 5).fill(NaN);
  buf.set(data, 3);
  return buf.subarray(3, 3 + data.length);
}
function operand(rt: Runtime, scope: Scope, kind: OperandKind, data: Float32Array): Float32Array | Tensor {
  return kind === 'tensor' ? scope.add(rt.tensor(data, [data.length])) : kind === 'view' ? viewOf(data) : data.slice();
}
/** A module input of `shape`: plain { data, shape } (data possibly a view) or a Tensor. */
function moduleInput(rt: Runtime, scope: Scope, kind: OperandKind, data: Float32Array, shape: number[]) {
  return kind === 'tensor' ? scope.add(rt.tensor(data, shape)) : { data: kind === 'view' ? viewOf(data) : data, shape };
}
function readOperand(x: Float32Array | Tensor): Float32Array { return x instanceof Tensor ? x.toArray() : x; }

/** Where an op writes: a new array (none), a given Float32Array (or a view into a larger one), a given Tensor, or in place into input x. */
type OutKind = 'none' | 'array' | 'view' | 'tensor' | 'inplace';
function outFor(rt: Runtime, scope: Scope, kind: OutKind, n: number, x: Float32Array | Tensor): Float32Array | Tensor | undefined {
  if (kind === 'array') return new Float32Array(n).fill(NaN);
  if (kind === 'view') return viewOf(new Float32Array(n).fill(NaN));
  if (kind === 'tensor') { const t = scope.add(rt.empty([n])); t.data.fill(NaN); return t; }
  if (kind === 'inplace') return x;
  return undefined;
}
function checkReturned(what: string, res: Float32Array | Tensor, out: Float32Array | Tensor | undefined): Float32Array {
  if (out !== undefined && res !== out) throw new Error(`${what}: did not return the given out`);
  if (out instanceof Float32Array && out.byteOffset === 12) { // a view from viewOf: the floats around it stay NaN
    const buf = new Float32Array(out.buffer);
    for (const i of [0, 1, 2, buf.length - 2, buf.length - 1]) if (!Number.isNaN(buf[i])) throw new Error(`${what}: wrote outside the out view (buffer[${i}] = ${buf[i]})`);
  }
  return res instanceof Tensor ? res.toArray() : res;
}

const MM_EDGES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129];
const MM_DEEP_K = [255, 256, 257, 511, 512, 513, 767, 768, 769, 800, 1000, 1536, 1537];

function matmulCase(r: Rand): Pick<FuzzCase, 'options' | 'run'> {
  const BUDGET = 3_000_000; // m·n·k: keeps a case (f64 reference + kernel) within a few ms
  let k = chance(r, 0.3) ? pick(r, MM_DEEP_K) : pick(r, MM_EDGES);
  let m = chance(r, 0.1) ? pick(r, [169, 170, 171, 200]) : pick(r, MM_EDGES);  // 170 = rows of an M block at kc = 768
  let n = pick(r, MM_EDGES);
  while (m * n * k > BUDGET) {
    if (chance(r, 0.5) && m > 1) m = pick(r, MM_EDGES.filter((d) => d < m));
    else if (n > 1) n = pick(r, MM_EDGES.filter((d) => d < n));
    else if (m > 1) m = pick(r, MM_EDGES.filter((d) => d < m));
    else k = pick(r, MM_EDGES);
  }
  const transposeB = chance(r, 0.5);
  const sa = pick(r, [1, 0.5, 2, 0.05]), sb = pick(r, [1, 0.25, 3]);
  const biasKind = pick(r, ['none', 'array', 'tensor'] as const);
  const kinds = { a: pick(r, OPERAND_KINDS), b: pick(r, OPERAND_KINDS) };
  const outKind = pick(r, ['none', 'array', 'view', 'tensor'] as const);
  // the same operand as A and B (C = A·A or A·Aᵀ) when the sizes allow it
  const same = m === n && chance(r, 0.1) && (transposeB || m === k);
  const a = uniform(r, m * k, -sa, sa), b = same ? a : uniform(r, k * n, -sb, sb);
  const bias = biasKind === 'none' ? null : uniform(r, n, -1, 1);
  const options = { m, k, n, transposeB, bias: biasKind, a: kinds.a, b: same ? 'same as a' : kinds.b, out: outKind, sa, sb: same ? sa : sb };
  let want: Float64Array | null = null;
  return {
    options,
    run(rt, stats) {
      if (!want) {
        // reference: nn.Linear form x·Wᵀ + bias when B is [n, k]; plain A·B (+bias) otherwise
        if (transposeB) want = linear(a, m, k, b, bias);
        else {
          want = linear(a, m, k, transposeOf(b, k, n), bias);
        }
      }
      const scope = new Scope();
      try {
        const A = operand(rt, scope, kinds.a, a), B = same ? A : operand(rt, scope, kinds.b, b);
        const Bias = bias ? operand(rt, scope, biasKind as OperandKind, bias) : undefined;
        const out = outFor(rt, scope, outKind, m * n, A);
        const res = rt.ops.matmul(A, B, { m, k, n, transposeB, ...(Bias ? { bias: Bias } : {}), ...(out ? { out } : {}) });
        const got = checkReturned('matmul', res, out);
        const atol = sa * (same ? sa : sb) * Math.max(1e-5, k * U22) + (bias ? U22 : 0);
        compare('matmul C', got, want, atol, 1e-4, stats, [m, n]);
        unchanged('matmul a', readOperand(A), a);
        unchanged('matmul b', readOperand(B), b);
      } finally { scope.dispose(); }
    },
  };
}

function transposeOf(b: Float32Array, k: number, n: number): Float32Array {
  const t = new Float32Array(k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) t[j * k + p] = b[p * n + j];
  return t;
}

const COLS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 257, 1000];

function softmaxCase(r: Rand): Pick<FuzzCase, 'options' | 'run'> {
  const cols = pick(r, COLS);
  const rows = Math.max(1, Math.min(int(r, 1, 40), Math.floor(12_000 / cols)));
  const range = pick(r, [1, 4, 20]);
  const scaleKind = pick(r, ['default', 'default', 'pos', 'pos', 'one', 'zero', 'neg']);
  const scale = scaleKind === 'default' ? undefined : scaleKind === 'one' ? 1 : scaleKind === 'zero' ? 0
    : scaleKind === 'pos' ? f32(0.01 + 2 * r()) : f32(-0.01 - 2 * r());
  const maskKind = pick(r, ['none', 'none', 'float', 'floatRow', 'bool', 'boolRow']);
  const maskAs = pick(r, OPERAND_KINDS);
  const causal = chance(r, 0.3);
  const lensKind = pick(r, ['none', 'none', 'int32', 'array']);
  const xKind = pick(r, OPERAND_KINDS);
  const outKind = pick(r, ['none', 'array', 'view', 'tensor', 'inplace'] as const);
  const pMask = pick(r, [0.1, 0.3, 0.7, 0.95]);
  const x = uniform(r, rows * cols, -range, range);
  const maskLen = maskKind.endsWith('Row') ? cols : rows * cols;
  let mask: Float32Array | Uint8Array | null = null;
  if (maskKind.startsWith('float')) { mask = new Float32Array(maskLen); for (let i = 0; i < maskLen; i++) mask[i] = r() < pMask ? -Infinity : -2 + 3 * r(); }
  if (maskKind.startsWith('bool')) { mask = new Uint8Array(maskLen); for (let i = 0; i < maskLen; i++) mask[i] = r() < pMask ? 1 : 0; }
  // also whole masked rows (fully masked: the op gives zeros)
  if (mask && maskLen === rows * cols && chance(r, 0.3)) {
    const row = int(r, 0, rows - 1);
    mask.fill(mask instanceof Uint8Array ? 1 : -Infinity, row * cols, (row + 1) * cols);
  }
  const lens = lensKind === 'none' ? null : Array.from({ length: rows }, () => (chance(r, 0.1) ? 0 : int(r, 0, cols + 2)));
  const options = { rows, cols, range, scale: scale ?? 'default', mask: mask ? `${maskKind}${mask instanceof Float32Array ? `(${maskAs})` : ''} p=${pMask}` : 'none',
    causal, validLens: lens ? `${lensKind} [${lens.join(',')}]` : 'none', x: xKind, out: outKind };
  let want: Float64Array | null = null;
  return {
    options,
    run(rt, stats) {
      if (!want) {
        // the op's documented order (softmax_rows_f32): s = x·scale; lens: s[j >= len] = -1e6 (replaced);
        // float mask added, bool mask -> -inf; causal: j > i -> -inf; rows of all -inf give zeros.
        const s = new Float64Array(rows * cols);
        const sc = scale ?? 1;
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
          const at = i * cols + j, mi = maskLen === cols ? j : at;
          let v = x[at] * sc;
          const replaced = lens !== null && j >= lens[i];
          if (replaced) v = -1e6;
          if (mask instanceof Float32Array) {
            // -1e6 + m is a float32 score: it cannot hold m's fraction (ulp(1e6) = 1/16), so round that sum as the
            // f32 op must; without this a row of length 0 under a float mask would differ by up to e^(1/32).
            v = replaced ? f32(v + mask[mi]) : v + mask[mi];
          }
          if (mask instanceof Uint8Array && mask[mi]) v = -Infinity;
          if (causal && j > i) v = -Infinity;
          s[at] = v;
        }
        want = softmaxRows(s, rows, cols, true);
      }
      const scope = new Scope();
      try {
        const X = operand(rt, scope, xKind, x);
        const M = mask === null ? undefined : mask instanceof Uint8Array ? mask : operand(rt, scope, maskAs, mask);
        const out = outFor(rt, scope, outKind, rows * cols, X);
        const lensArg = lens === null ? undefined : lensKind === 'int32' ? Int32Array.from(lens) : lens;
        const res = rt.ops.softmax(X, { rows, cols, ...(scale !== undefined ? { scale } : {}), ...(M ? { mask: M } : {}),
          ...(causal ? { causal } : {}), ...(lensArg ? { validLens: lensArg } : {}), ...(out ? { out } : {}) });
        compare('softmax', checkReturned('softmax', res, out), want, 1e-6, 1e-4, stats, [rows, cols]);
        if (outKind !== 'inplace') unchanged('softmax x', readOperand(X), x);
      } finally { scope.dispose(); }
    },
  };
}

function layerNormCase(r: Rand): Pick<FuzzCase, 'options' | 'run'> {
  const cols = pick(r, [...COLS.filter((c) => c <= 257), 384, 768]);
  const rows = Math.max(1, Math.min(int(r, 1, 33), Math.floor(16_000 / cols)));
  const spread = pick(r, [1, 0.1, 3, f32(0.05 + r())]);
  const offset = pick(r, [0, 0, f32((r() * 2 - 1) * 10 * spread), f32((r() * 2 - 1) * spread)]);
  const wKind = pick(r, ['none', 'pos', 'any'] as const), bKind = pick(r, ['none', 'some'] as const);
  const epsKind = pick(r, ['default', 1e-5, 1e-12, 1e-3, 0.5, 0] as const);
  const eps = epsKind === 'default' ? undefined : epsKind === 0 && cols < 2 ? 1e-5 : epsKind;
  const kinds = { x: pick(r, OPERAND_KINDS), w: pick(r, OPERAND_KINDS), b: pick(r, OPERAND_KINDS) };
  const outKind = pick(r, ['none', 'array', 'view', 'tensor', 'inplace'] as const);
  const x = uniform(r, rows * cols, offset - spread, offset + spread);
  const w = wKind === 'none' ? null : wKind === 'pos' ? uniform(r, cols, 0.5, 1.5) : uniform(r, cols, -2, 2);
  const b = bKind === 'none' ? null : uniform(r, cols, -1, 1);
  const options = { rows, cols, offset, spread, weight: wKind, bias: bKind, eps: eps ?? 'default', ...kinds, out: outKind };
  let want: Float64Array | null = null;
  return {
    options,
    run(rt, stats) {
      want ??= refLayerNorm(x, rows, cols, w, b, eps ?? 1e-5);
      const scope = new Scope();
      try {
        const X = operand(rt, scope, kinds.x, x);
        const W = w ? operand(rt, scope, kinds.w, w) : undefined, B = b ? operand(rt, scope, kinds.b, b) : undefined;
        const out = outFor(rt, scope, outKind, rows * cols, X);
        const res = rt.ops.layerNorm(X, { rows, cols, ...(W ? { weight: W } : {}), ...(B ? { bias: B } : {}),
          ...(eps !== undefined ? { eps } : {}), ...(out ? { out } : {}) });
        const wmax = w ? Math.max(...Array.from(w, Math.abs)) : 1;
        compare('layerNorm', checkReturned('layerNorm', res, out), want, 1e-5 * (1 + Math.abs(offset) / spread) * Math.max(1, wmax), 1e-4, stats, [rows, cols]);
        if (outKind !== 'inplace') unchanged('layerNorm x', readOperand(X), x);
      } finally { scope.dispose(); }
    },
  };
}

function elementwiseCase(r: Rand, op: 'gelu' | 'relu'): Pick<FuzzCase, 'options' | 'run'> {
  const n = chance(r, 0.5) ? pick(r, [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65]) : int(r, 1, 5000);
  const range = pick(r, [1, 4, 12]);
  const approximate = op === 'gelu' ? pick(r, ['default', 'none', 'tanh'] as const) : undefined;
  const xKind = pick(r, OPERAND_KINDS);
  const outKind = pick(r, ['none', 'array', 'view', 'tensor', 'inplace'] as const);
  const specials = chance(r, 0.3);
  const x = uniform(r, n, -range, range);
  if (specials) {
    const SPECIAL = [0, -0, 30, -30, 1e-20, -1e-20, NaN, 3.4e38, -3.4e38, ...(op === 'relu' ? [Infinity, -Infinity] : [])];
    for (let i = 0; i < n; i++) if (chance(r, 0.1)) x[i] = pick(r, SPECIAL);
  }
  const options = { op, n, range, ...(approximate ? { approximate } : {}), specials, x: xKind, out: outKind };
  const f = op === 'relu' ? refRelu : approximate === 'tanh' ? geluTanh : geluExact;
  let want: Float64Array | null = null;
  return {
    options,
    run(rt, stats) {
      // the reference in float64, rounded to float32 (a float32 kernel can at best return that)
      want ??= Float64Array.from(x, (v) => f32(f(v)));
      const scope = new Scope();
      try {
        const X = operand(rt, scope, xKind, x);
        const out = outFor(rt, scope, outKind, n, X);
        const o = out ? { out } : {};
        const res = op === 'relu' ? rt.ops.relu(X, o) : rt.ops.gelu(X, approximate === 'default' ? o : { ...o, approximate });
        const [atol, rtol] = op === 'relu' ? [0, 0] : approximate === 'tanh' ? [1e-7, 1e-5] : [1e-30, 1e-5];
        compare(op, checkReturned(op, res, out), want, atol, rtol, stats);
        if (outKind !== 'inplace') unchanged(`${op} x`, readOperand(X), x);
      } finally { scope.dispose(); }
    },
  };
}

function additiveScoresCase(r: Rand): Pick<FuzzCase, 'options' | 'run'> {
  const hidden = pick(r, [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100]);
  const batch = int(r, 1, 4), nq = pick(r, [1, 2, 3, 4, 5, 9]), nk = pick(r, [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33]);
  const s = pick(r, [0.5, 1, 2]);
  const kinds = { qp: pick(r, OPERAND_KINDS), kp: pick(r, OPERAND_KINDS), wv: pick(r, OPERAND_KINDS) };
  const outKind = pick(r, ['none', 'array', 'view', 'tensor'] as const);
  const qp = uniform(r, batch * nq * hidden, -s, s), kp = uniform(r, batch * nk * hidden, -s, s), wv = uniform(r, hidden, -1, 1);
  const options = { batch, nq, nk, hidden, scale: s, ...kinds, out: outKind };
  let want: Float64Array | null = null;
  return {
    options,
    run(rt, stats) {
      want ??= additiveScores(qp, kp, wv, batch, nq, nk, hidden);
      const scope = new Scope();
      try {
        const Q = operand(rt, scope, kinds.qp, qp), K = operand(rt, scope, kinds.kp, kp), V = operand(rt, scope, kinds.wv, wv);
        const out = outFor(rt, scope, outKind, batch * nq * nk, Q);
        const res = rt.ops.additiveScores(Q, K, V, { batch, nq, nk, hidden, ...(out ? { out } : {}) });
        const wsum = wv.reduce((a, v) => a + Math.abs(v), 0);
        compare('additiveScores', checkReturned('additiveScores', res, out), want, 1e-6 * wsum + 1e-7, 1e-4, stats, [batch, nq, nk]);
        unchanged('additiveScores qp', readOperand(Q), qp);
        unchanged('additiveScores kp', readOperand(K), kp);
      } finally { scope.dispose(); }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// modules

/** f32 layer tolerance, growing with the largest inner size d: atol 1e-5·max(1, d/64), rtol 1e-4. */
const layerAtol = (d: number): number => 1e-5 * Math.max(1, d / 64);
const LAYER_RTOL = 1e-4;

type Score = 'dot' | 'scaledDot' | 'general' | 'additive';

function attentionCase(r: Rand): Pick<FuzzCase, 'options' | 'run'> {
  const score = pick(r, ['dot', 'scaledDot', 'general', 'additive'] as const);
  const big = chance(r, 0.1);
  const dims = () => ({
    B: pick(r, [1, 2, 3, 5]), Q: pick(r, [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, ...(big ? [33, 65] : [])]),
    K: pick(r, [1, 2, 3, 4, 5, 8, 9, 11, 16, 17, 31, 33, ...(big ? [65, 129, 257] : [])]),
  });
  const d0 = dims();
  const ks = pick(r, [1, 2, 3, 4, 5, 8, 9, 16, 17, 32, 33, 64]);
  const qs = score === 'dot' || score === 'scaledDot' ? ks : pick(r, [1, 2, 3, 7, 8, 12, 17, 33]);
  const dv = pick(r, [1, 2, 3, 5, 8, 9, 16, 17]);
  const h = pick(r, [1, 4, 5, 8, 16, 31, 33]);
  const bias = score === 'general' && chance(r, 0.5);
  const inputKind = pick(r, OPERAND_KINDS);
  const shapes: Record<string, number[]> = score === 'general' ? (bias ? { 'W_a.weight': [qs, ks], 'W_a.bias': [qs] } : { 'W_a.weight': [qs, ks] })
    : score === 'additive' ? { 'W_q.weight': [h, qs], 'W_k.weight': [h, ks], 'w_v.weight': [1, h] } : {};
  const sd = randomParams(r, shapes);
  const lensFor = (B: number, Q: number, K: number) => {
    const kind = pick(r, ['none', 'none', 'batch', 'query'] as const);
    if (kind === 'none') return { lens: null, as: 'none', kind };
    const count = kind === 'batch' ? B : B * Q;
    const frac = chance(r, 0.15);
    const lens = Array.from({ length: count }, () => (frac ? Math.round(r() * (K + 1) * 4) / 4 : chance(r, 0.1) ? 0 : int(r, 0, K + 2)));
    const as = frac ? pick(r, ['array', 'float64'] as const) : pick(r, ['array', 'int32', 'float64'] as const);
    return { lens, as, kind };
  };
  const inputs = (d: { B: number; Q: number; K: number }) => ({
    q: uniform(r, d.B * d.Q * qs, -1, 1), k: uniform(r, d.B * d.K * ks, -1, 1), v: uniform(r, d.B * d.K * dv, -1, 1), ...lensFor(d.B, d.Q, d.K),
  });
  const x = inputs(d0);
  // a warm-up call with other shapes first: the checked call then runs on reused / regrown scratch buffers
  const wd = chance(r, 0.3) ? dims() : null;
  const warm = wd ? { d: wd, ...inputs(wd) } : null;
  const options = { score, ...d0, qs, ks, dv, ...(score === 'additive' ? { numHiddens: h } : {}), ...(score === 'general' ? { bias } : {}),
    validLens: x.lens ? `${x.kind} ${x.as} [${x.lens.join(',')}]` : 'none', input: inputKind, warmup: warm ? warm.d : false };
  let want: AttnResult | null = null;
  const make = (rt: Runtime) => score === 'dot' || score === 'scaledDot' ? new Attention(rt, { score })
    : score === 'general' ? new Attention(rt, { score, querySize: qs, keySize: ks, ...(bias ? { bias } : {}) })
      : new Attention(rt, { score, querySize: qs, keySize: ks, numHiddens: h });
  return {
    options,
    run(rt, stats) {
      const { B, Q, K } = d0;
      if (!want) {
        want = score === 'dot' ? dotAttention(x.q, x.k, x.v, B, Q, K, qs, dv, x.lens)
          : score === 'scaledDot' ? dotProductAttention(x.q, x.k, x.v, B, Q, K, qs, dv, x.lens)
            : score === 'general' ? generalAttention(x.q, x.k, x.v, B, Q, K, qs, ks, dv, sd['W_a.weight'], bias ? sd['W_a.bias'] : null, x.lens)
              : additiveAttention(x.q, x.k, x.v, B, Q, K, qs, ks, dv, sd['W_q.weight'], sd['W_k.weight'], sd['w_v.weight'], x.lens);
      }
      const scope = new Scope();
      try {
        const att = scope.add(make(rt));
        if (Object.keys(sd).length) att.loadStateDict(sd);
        const call = (d: { B: number; Q: number; K: number }, y: typeof x) => {
          const mk = (data: Float32Array, shape: number[]) => moduleInput(rt, scope, inputKind, data, shape);
          const lens = y.lens === null ? undefined : y.as === 'int32' ? Int32Array.from(y.lens) : y.as === 'float64' ? Float64Array.from(y.lens) : y.lens;
          return att.forward(mk(y.q, [d.B, d.Q, qs]), mk(y.k, [d.B, d.K, ks]), mk(y.v, [d.B, d.K, dv]), lens === undefined ? {} : { validLens: lens });
        };
        if (warm) call(warm.d, warm);
        const { output, weights } = call(d0, x);
        sameShape('Attention output', output.shape, [B, Q, dv]);
        if (!weights) throw new Error('Attention: weights missing');
        sameShape('Attention weights', weights.shape, [B, Q, K]);
        const d = Math.max(qs, ks, h);
        compare('Attention weights', weights.toArray(), want.weights, layerAtol(d), LAYER_RTOL, stats, [B, Q, K]);
        compare('Attention output', output.toArray(), want.output, layerAtol(d), LAYER_RTOL, stats, [B, Q, dv]);
      } finally { scope.dispose(); }
    },
  };
}

type Params = Record<string, ArrayLike<number>>;

/** Every value times (1 + δ), δ uniform in ±2^-23 (one float32 ulp, relative): float32 rounding of the inputs. */
function jitter(r: Rand, a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (v) => v * (1 + (2 * r() - 1) * U23));
}
function jitterParams(r: Rand, p: Params): Params {
  const out: Params = {};
  for (const k of Object.keys(p)) out[k] = jitter(r, p[k]);
  return out;
}

interface MhaInputs {
  N: number; L: number; S: number;
  q: Float32Array; k: Float32Array; v: Float32Array;
  opts: MhaOptions & { keyPaddingMask?: MaskIn; attnMask?: MaskIn };
  desc: Record<string, unknown>;
}

function multiheadCase(r: Rand): Pick<FuzzCase, 'options' | 'run'> {
  const H = pick(r, [1, 2, 3, 4, 8, 16]);
  const big = chance(r, 0.1); // E up to 128, head dims up to 64
  const hd = pick(r, [1, 2, 3, 4, 5, 8, 16, ...(big ? [32, 64] : [])].filter((d) => H * d <= (big ? 128 : 64)));
  const E = H * hd;
  const batched = chance(r, 0.8);
  // the same input object as query === key === value (self), key === value (kv), query === key (qk)
  const sharing = pick(r, ['none', 'none', 'self', 'kv', 'qk'] as const);
  const sepDims = sharing !== 'self' && chance(r, 0.3);
  // (qk needs kdim = E: the key is the query)
  const kvd = sepDims ? pick(r, [E, 1, 3, 7, 10, 17, ...(big ? [800] : [])]) : E; // 800: past the 768-deep K block
  const kdim = sharing === 'qk' ? E : kvd, vdim = sharing === 'kv' ? kvd : sepDims ? pick(r, [E, 2, 5, 9]) : E;
  const cfg: Required<Omit<MhaConfig, 'kdim' | 'vdim'>> & { kdim?: number; vdim?: number } = {
    embedDim: E, numHeads: H, bias: chance(r, 0.75), addBiasKV: chance(r, 0.25), addZeroAttn: chance(r, 0.25), batchFirst: chance(r, 0.5),
    ...(sepDims ? { kdim, vdim } : {}),
  };
  const inputKind = pick(r, OPERAND_KINDS);
  const sd = randomParams(r, mhaParamShapes(cfg));
  const inputs = (): MhaInputs => {
    const N = batched ? pick(r, [1, 2, 3, 5]) : 1;
    const L = pick(r, [1, 2, 3, 5, 7, 9, 13, 17, ...(big ? [33, 65] : [])]);
    const S = sharing === 'self' || sharing === 'qk' ? L : pick(r, [1, 2, 4, 5, 8, 11, 17, 33, ...(big ? [65] : [])]);
    const q = uniform(r, N * L * E, -1, 1);
    const k = sharing === 'self' || sharing === 'qk' ? q : uniform(r, N * S * kdim, -1, 1);
    const v = sharing === 'none' || sharing === 'qk' ? uniform(r, N * S * vdim, -1, 1) : k;
    const opts: MhaInputs['opts'] = {};
    const desc: Record<string, unknown> = { N, L, S };
    const kpmKind = pick(r, ['none', 'none', 'bool', 'float']);
    if (kpmKind !== 'none') {
      const m = randomMask(r, batched ? [N, S] : [S], kpmKind === 'bool', pick(r, [0.2, 0.5]), chance(r, 0.2) ? 1 : 0);
      opts.keyPaddingMask = m.mask; desc.keyPaddingMask = m.desc;
    }
    const amKind = pick(r, ['none', 'none', 'bool2', 'float2', 'bool3', 'float3', 'causal']);
    if (amKind === 'causal') {
      opts.isCausal = true;
    } else if (amKind !== 'none') {
      const shape = amKind.endsWith('2') ? [L, S] : [N * H, L, S];
      const m = randomMask(r, shape, amKind.startsWith('bool'), pick(r, [0.1, 0.3, 0.6]), chance(r, 0.25) ? 1 : 0);
      opts.attnMask = m.mask; desc.attnMask = m.desc;
      if (chance(r, 0.2)) opts.isCausal = true; // with an attnMask given, the attnMask is used
    }
    if (opts.isCausal) desc.isCausal = true;
    const nw = pick(r, ['default', 'true', 'false']);
    if (nw !== 'default') desc.needWeights = opts.needWeights = nw === 'true';
    if (chance(r, 0.5)) desc.averageAttnWeights = opts.averageAttnWeights = chance(r, 0.5);
    return { N, L, S, q, k, v, opts, desc };
  };
  const x = inputs();
  const warm = chance(r, 0.3) ? inputs() : null;
  // chain: a second forward takes the first one's output Tensor as its query (and as key/value where they are the
  // query): of this module itself ('self': the input is the buffer the call overwrites) or of another instance
  // ('other', its own weights). interleave: another instance runs a forward before this output is read.
  const chain = pick(r, ['none', 'none', 'none', 'self', 'other'] as const);
  const sd2 = chain === 'other' ? randomParams(r, mhaParamShapes(cfg)) : sd;
  const interleave = chance(r, 0.15);
  const options = { ...cfg, batched, sharing, input: inputKind, ...x.desc, ...(warm ? { warmup: warm.desc } : {}),
    ...(chain !== 'none' ? { chain } : {}), ...(interleave ? { interleave } : {}) };
  const shapeFor = (T: number, C: number, N: number) => (!batched ? [T, C] : cfg.batchFirst ? [N, T, C] : [T, N, C]);
  let want: ReturnType<typeof multiheadAttention> | null = null;
  return {
    options,
    run(rt, stats) {
      if (!want) {
        const q = { data: x.q, shape: shapeFor(x.L, E, x.N) }, k = { data: x.k, shape: shapeFor(x.S, kdim, x.N) }, v = { data: x.v, shape: shapeFor(x.S, vdim, x.N) };
        want = multiheadAttention(cfg, sd, q, k, v, x.opts);
        if (chain !== 'none') {
          const q2 = want.output;
          want = multiheadAttention(cfg, sd2, q2, sharing === 'self' || sharing === 'qk' ? q2 : k, sharing === 'self' ? q2 : v, x.opts);
        }
      }
      const scope = new Scope();
      try {
        const mha = scope.add(new MultiHead(rt, cfg));
        mha.loadStateDict(sd);
        const call = (y: MhaInputs) => {
          const mk = (data: Float32Array, shape: number[]) => moduleInput(rt, scope, inputKind, data, shape);
          const q = mk(y.q, shapeFor(y.L, E, y.N));
          const k = sharing === 'self' || sharing === 'qk' ? q : mk(y.k, shapeFor(y.S, kdim, y.N));
          const v = sharing === 'none' || sharing === 'qk' ? mk(y.v, shapeFor(y.S, vdim, y.N)) : k;
          return mha.forward(q, k, v, y.opts);
        };
        if (warm) call(warm);
        let { output, weights } = call(x);
        if (chain !== 'none') {
          const next = chain === 'self' ? mha : scope.add(new MultiHead(rt, cfg));
          if (chain === 'other') next.loadStateDict(sd2);
          const q = output;
          const k = sharing === 'self' || sharing === 'qk' ? q : moduleInput(rt, scope, inputKind, x.k, shapeFor(x.S, kdim, x.N));
          const v = sharing === 'self' ? q : sharing === 'kv' ? k : moduleInput(rt, scope, inputKind, x.v, shapeFor(x.S, vdim, x.N));
          ({ output, weights } = next.forward(q, k, v, x.opts));
        }
        if (interleave) {
          const other = scope.add(new MultiHead(rt, cfg));
          other.loadStateDict(sd);
          const y = warm ?? x;
          const q = moduleInput(rt, scope, inputKind, y.q, shapeFor(y.L, E, y.N));
          other.forward(q, sharing === 'self' || sharing === 'qk' ? q : { data: y.k, shape: shapeFor(y.S, kdim, y.N) },
            sharing === 'self' ? q : { data: y.v, shape: shapeFor(y.S, vdim, y.N) }, y.opts);
        }
        const tol = layerAtol(Math.max(E, kdim, vdim)) * (chain !== 'none' ? 2 : 1);
        sameShape('MultiHead output', output.shape, want.output.shape);
        compare('MultiHead output', output.toArray(), want.output.data, tol, LAYER_RTOL, stats, want.output.shape);
        if (want.weights) {
          if (!weights) throw new Error('MultiHead: weights missing (needWeights is true)');
          sameShape('MultiHead weights', weights.shape, want.weights.shape);
          compare('MultiHead weights', weights.toArray(), want.weights.data, tol, LAYER_RTOL, stats, want.weights.shape);
        } else if (weights !== null) {
          throw new Error('MultiHead: weights should be null when needWeights is false');
        }
      } finally { scope.dispose(); }
    },
  };
}

interface TfInputs {
  N: number; T: number; S: number;
  x: Float32Array; mem: Float32Array | null;
  opts: Record<string, MaskIn | boolean>;
  desc: Record<string, unknown>;
}

function transformerCase(r: Rand): Pick<FuzzCase, 'options' | 'run'> {
  const kind = pick(r, ['encoder', 'decoder'] as const);
  const nhead = pick(r, [1, 2, 3, 4]);
  const hd = pick(r, [1, 2, 3, 4, 8, 16]);
  const big = chance(r, 0.15);
  const numLayers = pick(r, [undefined, undefined, 1, 2]);
  const cfg: TransformerConfig = {
    kind, dModel: nhead * hd, nhead,
    dimFeedforward: pick(r, [1, 5, 8, 16, 24, 33, 64, 100, ...(big ? [256, 257, 800] : [])]),
    activation: pick(r, ['relu', 'gelu', 'gelu_tanh'] as const satisfies readonly Activation[]),
    layerNormEps: pick(r, [1e-5, 1e-12, 1e-3]),
    normFirst: chance(r, 0.5), batchFirst: chance(r, 0.5), bias: chance(r, 0.75),
    // the final norm.* belongs to a stack (nn.TransformerEncoder(layer, numLayers, norm)): only with numLayers
    ...(numLayers !== undefined ? { numLayers, norm: chance(r, 0.5) } : {}),
  };
  const batched = chance(r, 0.8);
  const inputKind = pick(r, OPERAND_KINDS);
  const sd = randomParams(r, transformerParamShapes(cfg));
  const inputs = (): TfInputs => {
    const N = batched ? pick(r, [1, 2, 3]) : 1;
    const T = pick(r, [1, 2, 3, 5, 7, 9, ...(big ? [17, 33, 65] : [])]); // N·T > 128 rows: past the few-rows GEMM order
    // decoder: memory may be the very tgt object (forward(x, x)), then S = T
    const memSame = kind === 'decoder' && chance(r, 0.1);
    const S = memSame ? T : pick(r, [1, 3, 6, 11, ...(big ? [33] : [])]);
    const opts: TfInputs['opts'] = {};
    const desc: Record<string, unknown> = { N, T, ...(kind === 'decoder' ? { S } : {}), ...(memSame ? { memory: 'same object as tgt' } : {}) };
    const am = (name: string, rows: number, cols: number) => {
      const k = pick(r, ['none', 'none', 'bool2', 'float2', 'bool3', 'float3']);
      if (k === 'none') return;
      const shape = k.endsWith('2') ? [rows, cols] : [N * nhead, rows, cols];
      const m = randomMask(r, shape, k.startsWith('bool'), pick(r, [0.1, 0.25, 0.5]), chance(r, 0.2) ? 1 : 0);
      opts[name] = m.mask; desc[name] = m.desc;
    };
    const kpm = (name: string, len: number) => {
      if (!chance(r, 0.3)) return;
      const m = randomMask(r, batched ? [N, len] : [len], chance(r, 0.6), 0.3, chance(r, 0.15) ? 1 : 0);
      opts[name] = m.mask; desc[name] = m.desc;
    };
    const flag = (name: string, p: number) => { if (chance(r, p)) desc[name] = opts[name] = true; };
    if (kind === 'encoder') {
      am('mask', T, T); kpm('srcKeyPaddingMask', T); flag('isCausal', 0.25);
    } else {
      am('tgtMask', T, T); am('memoryMask', T, S); kpm('tgtKeyPaddingMask', T); kpm('memoryKeyPaddingMask', S);
      flag('tgtIsCausal', 0.25); flag('memoryIsCausal', 0.15);
    }
    const d = cfg.dModel;
    const xs = uniform(r, N * T * d, -1.5, 1.5);
    return { N, T, S, opts, desc, x: xs, mem: kind !== 'decoder' ? null : memSame ? xs : uniform(r, N * S * d, -1.5, 1.5) };
  };
  const x = inputs();
  const warm = chance(r, 0.3) ? inputs() : null;
  // chain: a second forward on the first one's output Tensor, by this module ('self') or another instance
  // ('other', its own weights); interleave: another instance runs a forward before this output is read.
  const chain = pick(r, ['none', 'none', 'none', 'self', 'other'] as const);
  const sd2 = chain === 'other' ? randomParams(r, transformerParamShapes(cfg)) : sd;
  const interleave = chance(r, 0.15);
  const jitterSeed = Math.floor(r() * 2 ** 32);
  const options = { ...cfg, batched, input: inputKind, ...x.desc, ...(warm ? { warmup: warm.desc } : {}),
    ...(chain !== 'none' ? { chain } : {}), ...(interleave ? { interleave } : {}) };
  const layout = (len: number, N: number) => (!batched ? [len, cfg.dModel] : cfg.batchFirst ? [N, len, cfg.dModel] : [len, N, cfg.dModel]);
  let want: { data: ArrayLike<number>; shape: readonly number[] } | null = null;
  let sensitivity: Float64Array | null = null;
  const ctor = () => {
    const o: Record<string, unknown> = { ...cfg };
    for (const key of Object.keys(o)) if (o[key] === undefined) delete o[key];
    return o as unknown as ConstructorParameters<typeof Transformer>[1];
  };
  return {
    options,
    run(rt, stats) {
      if (!want) {
        const evaluate = (w1: Params, w2: Params, src: ArrayLike<number>, memory: ArrayLike<number> | null) => {
          const mem = { data: memory ?? new Float32Array(0), shape: layout(x.S, x.N) };
          const refOf = (w: Params, y: { data: ArrayLike<number>; shape: readonly number[] }) => kind === 'decoder'
            ? transformerDecoder(cfg, w, y, mem, x.opts as DecoderOptions)
            : transformerEncoder(cfg, w, y, x.opts as EncoderOptions);
          const y = refOf(w1, { data: src, shape: layout(x.T, x.N) });
          return chain !== 'none' ? refOf(w2, y) : y;
        };
        want = evaluate(sd, sd2, x.x, x.mem);
        sensitivity = new Float64Array(want.data.length);
        const jr = rng(jitterSeed);
        for (let t = 0; t < 2; t++) {
          const src = jitter(jr, x.x);
          const y = evaluate(jitterParams(jr, sd), chain === 'other' ? jitterParams(jr, sd2) : sd2, src, x.mem === x.x ? src : x.mem && jitter(jr, x.mem));
          for (let i = 0; i < sensitivity.length; i++) sensitivity[i] = Math.max(sensitivity[i], Math.abs(y.data[i] - want.data[i]));
        }
      }
      const scope = new Scope();
      try {
        const mod = scope.add(new Transformer(rt, ctor()));
        mod.loadStateDict(sd);
        const call = (y: TfInputs, m = mod) => {
          const mk = (data: Float32Array, shape: number[]) => moduleInput(rt, scope, inputKind, data, shape);
          const src = mk(y.x, layout(y.T, y.N));
          const memory = y.mem === y.x ? src : y.mem ? mk(y.mem, layout(y.S, y.N)) : null;
          return kind === 'decoder' ? m.forward(src, memory!, y.opts as DecoderForwardOptions)
            : m.forward(src, y.opts as EncoderForwardOptions);
        };
        if (warm) call(warm);
        let out = call(x);
        if (chain !== 'none') {
          const next = chain === 'self' ? mod : scope.add(new Transformer(rt, ctor()));
          if (chain === 'other') next.loadStateDict(sd2);
          // the memory is the original one (also when tgt was passed as memory: the reference's memory is x.mem)
          out = kind === 'decoder' ? next.forward(out, moduleInput(rt, scope, inputKind, x.mem!, layout(x.S, x.N)), x.opts as DecoderForwardOptions)
            : next.forward(out, x.opts as EncoderForwardOptions);
        }
        if (interleave) {
          const other = scope.add(new Transformer(rt, ctor()));
          other.loadStateDict(sd);
          call(warm ?? x, other);
        }
        sameShape('Transformer output', out.shape, want.shape);
        const inner = Math.max(cfg.dModel, cfg.dimFeedforward ?? 2048);
        const depth = (numLayers ?? 1) * (chain !== 'none' ? 2 : 1);
        const sens = sensitivity!;
        compare('Transformer output', out.toArray(), want.data, (i) => layerAtol(inner) * depth + 4 * sens[i], LAYER_RTOL, stats, want.shape);
      } finally { scope.dispose(); }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// cases

const GENERATORS: Record<Target, (r: Rand) => Pick<FuzzCase, 'options' | 'run'>> = {
  matmul: matmulCase, softmax: softmaxCase, layerNorm: layerNormCase,
  gelu: (r) => elementwiseCase(r, 'gelu'), relu: (r) => elementwiseCase(r, 'relu'),
  additiveScores: additiveScoresCase, attention: attentionCase, multihead: multiheadCase, transformer: transformerCase,
};

/**
 * The case "<seed>:<index>": its target, options and data depend on seed and index only (a campaign restricted to
 * some targets skips the other indices, so an id means the same case everywhere).
 */
export function makeCase(seed: number, index: number): FuzzCase {
  const r = rng(caseSeed(seed, index));
  const total = TARGETS.reduce((a, t) => a + WEIGHTS[t], 0);
  let u = r() * total;
  let target: Target = TARGETS[TARGETS.length - 1];
  for (const t of TARGETS) { if ((u -= WEIGHTS[t]) < 0) { target = t; break; } }
  const g = GENERATORS[target](r);
  const squeeze = chance(r, 0.2) ? pick(r, [0, 16, 4096, 65536, 262144, int(r, 0, 2 ** 20)]) : null;
  return { id: `${seed}:${index}`, seed, index, target, options: { ...g.options, ...(squeeze !== null ? { squeeze } : {}) }, squeeze, run: g.run };
}

/** Parses "<seed>:<index>". */
export function parseCaseId(s: string): { seed: number; index: number } {
  const m = /^(\d+):(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`case id must be <seed>:<index> (non-negative integers), got "${s}"`);
  const seed = Number(m[1]), index = Number(m[2]);
  if (seed > 0xffffffff || !Number.isSafeInteger(index)) throw new Error(`case id out of range: "${s}" (seed < 2^32)`);
  return { seed, index };
}

/** Memory never shrinks and every squeezed case may grow it a little: no squeeze past this size. */
const SQUEEZE_MAX_MEMORY = 256 * 2 ** 20;

/**
 * Runs one case on rt: compares with the reference and checks that bytesInUse is back to its value before the
 * case. Throws a FuzzFailure (case id, options, rerun command) on any mismatch, leak or unexpected error.
 */
export function runCase(rt: Runtime, c: FuzzCase): CaseStats {
  const variant = rt.variant as Variant;
  const stats: CaseStats = { worst: 0 };
  const before = rt.memoryStats().bytesInUse;
  let filler = 0;
  try {
    if (c.squeeze !== null && rt.memoryStats().memoryBytes <= SQUEEZE_MAX_MEMORY) {
      // all blocks of earlier cases are free again, so a fresh block sits at the top of the heap: fill from there
      const probe = rt.alloc(16);
      rt.free(probe);
      const size = rt.memoryStats().memoryBytes - probe - 32 - c.squeeze;
      if (size > 0) filler = rt.alloc(size);
    }
    c.run(rt, stats);
  } catch (e) {
    const detail = e instanceof Error ? (e.name === 'Error' ? e.message : `${e.name}: ${e.message}`) : String(e);
    throw new FuzzFailure(c.id, variant, c.target, detail, c.options);
  } finally {
    if (filler) rt.free(filler);
  }
  const after = rt.memoryStats().bytesInUse;
  if (after !== before) {
    throw new FuzzFailure(c.id, variant, c.target, `memory leak: bytesInUse ${before} before the case, ${after} after disposing everything`, c.options);
  }
  return stats;
}
