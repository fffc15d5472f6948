// rt.ops.scaledDotProductAttention: torch.nn.functional.scaled_dot_product_attention in eval mode, on the fused
// kernel (K and V streamed in blocks with an online softmax: memory O(L·E), never L x S).
//   query [...B, H, L, E], key [...B, Hkv, S, E], value [...B, Hkv, S, Ev] -> out [...B, H, L, Ev]
// or, with layout 'rows', the projections as MultiHead holds them: query [N, L, H·E], key [N, S, Hkv·E],
// value [N, S, Hkv·Ev] -> out [N, L, H·Ev] (no transposes for callers that hold projections).
// Masks have SDPA's meaning: a boolean attnMask marks the keys that TAKE PART (1 = attend), the opposite of
// MultiHead's masks; a float attnMask is added to the scores. One deliberate difference from PyTorch: a query row
// whose every key is masked gives zeros (as PyTorch's own fused kernels and _safe_softmax do), not NaN.
import { checkBoolean, checkEnum, checkFinite, checkOptions, checkPositiveInt, describeValue, fail, failType, fmtShape } from '../errors.ts';
import { addSlice, sdpaFusedScratchFloats, sdpaSlice, sdpaSlicesJob, type SdpaSlice } from '../ops/sdpa.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { Tensor } from '../runtime/tensor.ts';
import { borrowInput, borrowOutput, checkOutput, type Borrowed, type Operand } from './operand.ts';

/** A tensor operand with its shape: a Tensor of the runtime (zero copy) or { data, shape } (copied in). */
export type ShapedOperand = Tensor | { data: Float32Array; shape: readonly number[] };
/** A mask operand: Uint8Array / { data: Uint8Array, shape } (boolean, 1 = take part) or a float one (added). */
export type SdpaMask = ShapedOperand | Uint8Array | Float32Array | { data: Uint8Array | Float32Array; shape: readonly number[] };

export interface SdpaOptions {
  /** Broadcastable to [...B, H, L, S]: boolean (1 = TAKE PART, as SDPA) or float (added). A flat array without a
   *  shape must hold L·S values ([L, S]) or every value of [...B, H, L, S]. */
  attnMask?: SdpaMask | null;
  /** Upper-left causal mask (key j hidden from query i when j > i); not together with attnMask (as PyTorch). */
  isCausal?: boolean;
  /** Default 1/√E. */
  scale?: number;
  /** Grouped-query attention: H query heads share Hkv key/value heads (Hkv divides H). */
  enableGqa?: boolean;
  /** 'heads' (default): [...B, H, L, E]; 'rows': [N, L, H·E] with numHeads (and numKVHeads). */
  layout?: 'heads' | 'rows';
  numHeads?: number;
  numKVHeads?: number;
  /** Where to write the output ([...B, H, L, Ev] or [N, L, H·Ev]); default a new Float32Array. */
  out?: Operand;
}

const OPTIONS = ['attnMask', 'isCausal', 'scale', 'enableGqa', 'layout', 'numHeads', 'numKVHeads', 'out'] as const;
const W = 'scaledDotProductAttention';

/** One (batch, head) slice: element offsets (floats) of q, k, v, out and of the mask's rows. */
interface Slice { q: number; k: number; v: number; o: number; m: number }

function shapeOfOperand(name: string, x: unknown): { shape: readonly number[]; data: Float32Array | Tensor } {
  if (x instanceof Tensor) return { shape: x.shape, data: x };
  const o = x as { data?: unknown; shape?: unknown };
  if (!x || typeof x !== 'object' || !Array.isArray(o.shape) || !(o.data instanceof Float32Array)) {
    failType(W, `${name} must be a Tensor or { data: Float32Array, shape: number[] }, got ${describeValue(x)}`);
  }
  const shape = o.shape as number[];
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) fail(W, `${name}.shape ${JSON.stringify(shape)} must hold non-negative integers`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== o.data.length) fail(W, `${name} has ${o.data.length} values but shape ${fmtShape(shape)} needs ${size}`);
  return { shape, data: o.data };
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function scaledDotProductAttention(rt: Runtime, query: ShapedOperand, key: ShapedOperand, value: ShapedOperand,
                                          options: SdpaOptions = {}): Float32Array | Tensor {
  checkOptions(W, options, OPTIONS);
  const Q = shapeOfOperand('query', query), K = shapeOfOperand('key', key), V = shapeOfOperand('value', value);
  const layout = options.layout === undefined ? 'heads' : checkEnum(W, 'layout', options.layout, ['heads', 'rows'] as const);
  const gqa = options.enableGqa === undefined ? false : checkBoolean(W, 'enableGqa', options.enableGqa);
  const isCausal = options.isCausal === undefined ? false : checkBoolean(W, 'isCausal', options.isCausal);
  const hasMask = options.attnMask !== undefined && options.attnMask !== null;
  if (isCausal && hasMask) fail(W, 'attnMask and isCausal cannot both be set (PyTorch: "Explicit attn_mask should not be set when is_causal=True")');

  // batch dims (the query's, flattened), heads, lengths and feature sizes
  let qb: number[], kb: number[], H: number, Hkv: number, L: number, S: number, E: number, Ev: number;
  if (layout === 'rows') {
    if (Q.shape.length !== 3) fail(W, `query must be [N, L, H·E] with layout 'rows', got shape ${fmtShape(Q.shape)}`);
    if (K.shape.length !== 3) fail(W, `key must be [N, S, Hkv·E] with layout 'rows', got shape ${fmtShape(K.shape)}`);
    if (V.shape.length !== 3) fail(W, `value must be [N, S, Hkv·Ev] with layout 'rows', got shape ${fmtShape(V.shape)}`);
    H = checkPositiveInt(W, 'numHeads', options.numHeads);
    Hkv = options.numKVHeads === undefined ? H : checkPositiveInt(W, 'numKVHeads', options.numKVHeads);
    const [N, Lq, QE] = Q.shape, [Nk, Sk, KE] = K.shape, [Nv, Sv, VE] = V.shape;
    if (QE % H !== 0) fail(W, `query features ${QE} must be divisible by numHeads ${H} (shape ${fmtShape(Q.shape)})`);
    if (KE % Hkv !== 0 || VE % Hkv !== 0) fail(W, `key and value features (${KE}, ${VE}) must be divisible by numKVHeads ${Hkv}`);
    if (Nk !== N || Nv !== N) fail(W, `batch sizes differ: query ${N}, key ${Nk}, value ${Nv}`);
    if (Sv !== Sk) fail(W, `key and value must have the same length, got ${Sk} and ${Sv}`);
    L = Lq; S = Sk; E = QE / H; Ev = VE / Hkv;
    if (KE / Hkv !== E) fail(W, `key head size ${KE / Hkv} (${KE} / numKVHeads ${Hkv}) must equal the query head size ${E} (${QE} / numHeads ${H})`);
    qb = [N, H]; kb = [N, Hkv];
  } else {
    const r = Q.shape.length;
    if (r < 2) fail(W, `query must be [..., L, E] (rank >= 2), got shape ${fmtShape(Q.shape)}`);
    if (K.shape.length !== r || V.shape.length !== r) {
      fail(W, `query, key and value must have the same rank, got shapes ${fmtShape(Q.shape)}, ${fmtShape(K.shape)}, ${fmtShape(V.shape)}`);
    }
    [L, E] = Q.shape.slice(-2); [S] = K.shape.slice(-2); Ev = V.shape[r - 1];
    if (K.shape[r - 1] !== E) fail(W, `key must have E = ${E} features (last dim of query), got shape ${fmtShape(K.shape)}`);
    if (V.shape[r - 2] !== S) fail(W, `key and value must have the same length S, got ${S} and ${V.shape[r - 2]} (shapes ${fmtShape(K.shape)}, ${fmtShape(V.shape)})`);
    qb = Q.shape.slice(0, -2); kb = K.shape.slice(0, -2);
    const vb = V.shape.slice(0, -2);
    if (vb.some((d, i) => d !== kb[i])) fail(W, `key and value must have the same batch dims, got shapes ${fmtShape(K.shape)} and ${fmtShape(V.shape)}`);
    H = r >= 3 ? Q.shape[r - 3] : 1;
    Hkv = r >= 3 ? K.shape[r - 3] : 1;
    for (let i = 0; i < qb.length; i++) {
      const heads = i === qb.length - 1;
      if (kb[i] === qb[i] || kb[i] === 1) continue;
      if (heads && gqa && kb[i] > 0 && qb[i] % kb[i] === 0) continue;
      if (heads && !gqa) fail(W, `key has ${kb[i]} heads but query has ${qb[i]}: pass enableGqa: true for grouped-query attention (shapes ${fmtShape(Q.shape)}, ${fmtShape(K.shape)})`);
      fail(W, `key and value batch dims ${fmtShape(kb)} do not broadcast to the query's ${fmtShape(qb)}${heads ? ' (with enableGqa, the query heads must be a multiple of the key heads)' : ''}`);
    }
  }
  if (L < 1 || S < 1 || E < 1 || Ev < 1 || prod(qb) < 1) {
    fail(W, `empty input: L = ${L}, S = ${S}, E = ${E}, Ev = ${Ev}, batch ${fmtShape(qb)}`);
  }
  if (layout === 'rows' && Hkv !== H && !gqa) fail(W, `numKVHeads ${Hkv} differs from numHeads ${H}: pass enableGqa: true for grouped-query attention`);
  if (layout === 'rows' && H % Hkv !== 0) fail(W, `numKVHeads ${Hkv} must divide numHeads ${H}`);
  const scale = options.scale === undefined ? 1 / Math.sqrt(E) : checkFinite(W, 'scale', options.scale);
  const mask = hasMask ? readSdpaMask(options.attnMask, qb, L, S) : null;
  const outSize = prod(qb) * L * Ev;
  checkOutput(rt, W, options.out, outSize, `${fmtShape([...qb, L, Ev])} = ${outSize}`);

  // element offsets of every (batch, head) slice; rows: the heads are column blocks of each row
  const slices = sliceOffsets(layout, qb, kb, L, S, E, Ev, H, Hkv, mask);
  const ld = layout === 'rows' ? { q: H * E, k: Hkv * E, v: Hkv * Ev, o: H * Ev } : { q: E, k: E, v: Ev, o: Ev };

  const held: Borrowed[] = [];
  try {
    const q = borrowInput(rt, W, 'query', Q.data, prod(Q.shape), undefined, options.out); held.push(q);
    const k = borrowInput(rt, W, 'key', K.data, prod(K.shape), undefined, options.out); held.push(k);
    const v = borrowInput(rt, W, 'value', V.data, prod(V.shape), undefined, options.out); held.push(v);
    let mPtr = 0, bPtr = 0;
    if (mask) {
      const bytes = mask.kind === 'bool' ? mask.rows * S : mask.rows * S * 4;
      const p = rt.alloc(bytes, W);
      held.push({ ptr: p, release: () => rt.free(p) });
      mask.write(rt, p);
      if (mask.kind === 'bool') bPtr = p; else mPtr = p;
    }
    const floats = sdpaFusedScratchFloats(rt, L, S, E, Ev);
    const scratch = floats > 0 ? rt.alloc(floats * 4, W) : 0;
    if (scratch) held.push({ ptr: scratch, release: () => rt.free(scratch) });
    const o = borrowOutput(rt, W, options.out, outSize); held.push(o);
    const ldm = mask && mask.rowStride ? S : 0;
    const par = sdpaSlicesJob(rt, slices.length, L, S, E, Ev);
    for (const s of slices) {
      const slice: SdpaSlice = {
        L, S, E, Ev, q: q.ptr + 4 * s.q, ldq: ld.q, k: k.ptr + 4 * s.k, ldk: ld.k, v: v.ptr + 4 * s.v, ldv: ld.v,
        out: o.ptr + 4 * s.o, ldo: ld.o,
        mask: mPtr ? mPtr + 4 * s.m : 0, ldm, bmask: bPtr ? bPtr + s.m : 0, ldbm: ldm,
        scale, causal: isCausal, causalOffset: 0, scratch,
      };
      if (par) addSlice(par.job, par.rowParts, slice); else sdpaSlice(rt, slice);
    }
    par?.job.run(W);
    return o.finish();
  } finally {
    for (const h of held.reverse()) h.release();
  }
}

/** A mask as the kernel wants it: rows of S (f32 added, or u8 1 = not allowed), one block of L rows (or one row if
 *  the L dim broadcasts) per distinct batch index. */
interface PlannedMask {
  kind: 'bool' | 'float';
  rows: number;            // rows written
  rowStride: boolean;      // false: one row for every query (the L dim broadcasts)
  blockOf: (qIndex: number[]) => number;   // first row of the block for a query batch index
  write: (rt: Runtime, ptr: number) => void;
}

function readSdpaMask(m: unknown, qb: readonly number[], L: number, S: number): PlannedMask {
  let data: Uint8Array | Float32Array | Tensor, shape: readonly number[] | null = null;
  if (m instanceof Tensor) { data = m; shape = m.shape; }
  else if (m instanceof Uint8Array || m instanceof Float32Array) data = m;
  else if (m && typeof m === 'object' && Array.isArray((m as { shape?: unknown }).shape) &&
           ((m as { data?: unknown }).data instanceof Uint8Array || (m as { data?: unknown }).data instanceof Float32Array)) {
    data = (m as { data: Uint8Array | Float32Array }).data; shape = (m as { shape: number[] }).shape;
  } else {
    failType(W, `attnMask must be a Uint8Array (boolean, 1 = take part), a Float32Array or Tensor (added) or { data, shape } of those, got ${describeValue(m)}`);
  }
  const full = [...qb, L, S];
  const len = data instanceof Tensor ? data.size : data.length;
  if (data instanceof Tensor && data.disposed) failType(W, `attnMask is a Tensor that is no longer valid: used after ${data.deadReason()}`);
  if (!shape) {
    if (len === L * S) shape = [L, S];
    else if (len === prod(full)) shape = full;
    else fail(W, `attnMask without a shape must hold L·S = ${L * S} or ${fmtShape(full)} = ${prod(full)} values, got ${len}`);
  } else if (prod(shape) !== len) {
    fail(W, `attnMask has ${len} values but its shape ${fmtShape(shape)} needs ${prod(shape)}`);
  }
  // right-aligned broadcast to [...qb, L, S]
  if (shape.length > full.length || shape.length < 1) fail(W, `attnMask of shape ${fmtShape(shape)} does not broadcast to ${fmtShape(full)}`);
  const ms = [...new Array(full.length - shape.length).fill(1), ...shape];
  ms.forEach((d, i) => { if (d !== full[i] && d !== 1) fail(W, `attnMask of shape ${fmtShape(shape!)} does not broadcast to ${fmtShape(full)} (dim ${i - (full.length - shape!.length)}: ${d})`); });
  const mb = ms.slice(0, -2), mL = ms[ms.length - 2], mS = ms[ms.length - 1];
  const blocks = prod(mb);
  const rowsPerBlock = mL === L ? L : 1;
  const kind = data instanceof Uint8Array ? 'bool' : 'float';
  // strides of the mask's own (row-major) layout
  const strides = ms.map((_, i) => prod(ms.slice(i + 1)));
  return {
    kind, rows: blocks * rowsPerBlock, rowStride: mL === L && L > 1,
    blockOf: (qi) => qi.reduce((acc, x, i) => acc * mb[i] + (mb[i] === 1 ? 0 : x), 0) * rowsPerBlock,
    write(rt, ptr) {
      // expanded to [blocks, rowsPerBlock, S]; bool inverted to the kernel's 1 = not allowed
      const src = data instanceof Tensor ? data.data : data;
      const dstF = kind === 'float' ? rt.f32(ptr, blocks * rowsPerBlock * S) : null;
      const dstB = kind === 'bool' ? new Uint8Array(rt.memory.buffer, ptr, blocks * rowsPerBlock * S) : null;
      const nb = ms.length - 2;
      for (let b = 0; b < blocks; b++) {
        let base = 0, rem = b;
        for (let i = nb - 1; i >= 0; i--) { const x = rem % mb[i]; rem = Math.floor(rem / mb[i]); base += x * strides[i]; }
        for (let r = 0; r < rowsPerBlock; r++) {
          const rowBase = base + r * strides[nb], o = (b * rowsPerBlock + r) * S;
          for (let j = 0; j < S; j++) {
            const val = src[rowBase + (mS === 1 ? 0 : j)];
            if (dstF) dstF[o + j] = val; else dstB![o + j] = val ? 0 : 1;
          }
        }
      }
    },
  };
}

function sliceOffsets(layout: 'heads' | 'rows', qb: readonly number[], kb: readonly number[], L: number, S: number,
                      E: number, Ev: number, H: number, Hkv: number, mask: PlannedMask | null): Slice[] {
  const out: Slice[] = [];
  if (layout === 'rows') {
    const N = qb[0], group = H / Hkv;
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        const kh = Math.floor(h / group);
        out.push({ q: n * L * H * E + h * E, k: n * S * Hkv * E + kh * E, v: n * S * Hkv * Ev + kh * Ev,
          o: n * L * H * Ev + h * Ev, m: mask ? mask.blockOf([n, h]) * S : 0 });
      }
    }
    return out;
  }
  const total = prod(qb), nb = qb.length;
  const kStrides = kb.map((_, i) => prod(kb.slice(i + 1)));
  for (let t = 0; t < total; t++) {
    const qi: number[] = new Array(nb);
    let rem = t;
    for (let i = nb - 1; i >= 0; i--) { qi[i] = rem % qb[i]; rem = Math.floor(rem / qb[i]); }
    let kIndex = 0;
    for (let i = 0; i < nb; i++) {
      const x = kb[i] === qb[i] ? qi[i] : kb[i] === 1 ? 0 : Math.floor(qi[i] / (qb[i] / kb[i]));   // broadcast / GQA
      kIndex += x * kStrides[i];
    }
    out.push({ q: t * L * E, k: kIndex * S * E, v: kIndex * S * Ev, o: t * L * Ev, m: mask ? mask.blockOf(qi) * S : 0 });
  }
  return out;
}

