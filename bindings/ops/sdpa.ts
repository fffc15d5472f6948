// Multi-head scaled dot-product attention over strided views, one (batch, head) slice at a time:
//   P = softmax(scale · Q Kᵀ + mask), O = P V
// Two paths: fused (kernel sdpa_f32: K and V streamed in blocks with an online softmax, nothing of size L x S
// stored) and materialised (the L x S scores of one head stored, which returning the attention weights needs).
// Heads are strided views of the activations, so splitting and merging heads copies nothing: element
// (n, l, h, d) of a view lives at ptr + 4·(n·bs + l·ld + h·hs + d).
import type { Runtime } from '../runtime/runtime.ts';
import { add } from './elementwise.ts';
import { gemm, gemmScratchFloats } from './gemm.ts';
import { copy, divide, fill, upload } from './memory.ts';
import { softmaxRows } from './softmax.ts';
import { SPLIT_MIN, addRanges, parallel, slotFloats, slotted, threadSlots } from './parallel.ts';
import { argBits, type Job } from '../runtime/pool.ts';

/** A [N, H, rows, d] operand: batch stride `bs`, row stride `ld`, head stride `hs` (elements). */
export interface HeadsView {
  ptr: number;
  ld: number;
  bs: number;
  hs: number;
}

/** Mask rows for (n, h) start at ptr + size·(n·nStride + h·hStride); row stride ld (0 = one row for all); size 4
 *  for an additive f32 mask, 1 for a u8 boolean one (1 = not allowed). */
export interface MaskPlan {
  ptr: number;
  ld: number;
  nStride: number;
  hStride: number;
}

/**
 * The heads of `headDim` features starting at column `col` of a projection buffer of `width` features per row
 * holding N sequences of `len` rows, laid out batch first ([N, len, width]) or sequence first ([len, N, width]).
 */
export function headsView(ptr: number, width: number, N: number, len: number, col: number, batchFirst: boolean,
                          headDim: number): HeadsView {
  return { ptr: ptr + 4 * col, ld: batchFirst ? width : N * width, bs: batchFirst ? len * width : width, hs: headDim };
}

/**
 * Copies the [N, S, E] view `src` into the batch-major buffer dst [N, S + extra, E] and fills the `extra` rows
 * after each sequence: first `bias` (when given, [E]), then zeros (add_bias_kv, add_zero_attn).
 */
export function appendRows(rt: Runtime, dst: number, src: HeadsView, N: number, S: number, E: number, extra: number,
                           bias: Float32Array | null): HeadsView {
  const Sx = S + extra;
  for (let n = 0; n < N; n++) {
    const d = dst + 4 * n * Sx * E;
    for (let s = 0; s < S; s++) copy(rt, E, src.ptr + 4 * (n * src.bs + s * src.ld), d + 4 * s * E);
    let s = S;
    if (bias) { upload(rt, d + 4 * s * E, bias); s++; }
    if (s < Sx) fill(rt, (Sx - s) * E, d + 4 * s * E, 0);
  }
  return { ptr: dst, ld: E, bs: Sx * E, hs: src.hs };
}

/**
 * Copies the S new rows of each of the N sequences of `src` into a cache buffer [N, maxLength, E] at positions
 * [past, past + S) and returns the view of the cache.
 */
export function appendToCache(rt: Runtime, cache: number, src: HeadsView, N: number, S: number, E: number, past: number,
                              maxLength: number): HeadsView {
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) copy(rt, E, src.ptr + 4 * (n * src.bs + s * src.ld), cache + 4 * ((n * maxLength + past + s) * E));
  }
  return { ptr: cache, ld: E, bs: maxLength * E, hs: src.hs };
}

export interface SdpaArgs {
  N: number; H: number; L: number; S: number;
  /** Key/value heads (grouped-query attention: query head h reads key/value head ⌊h·Hkv/H⌋); default H. */
  Hkv?: number;
  hd: number;   // query/key head dim
  hdv: number;  // value head dim
  q: HeadsView; k: HeadsView; v: HeadsView; out: HeadsView;
  scale: number;
  mask: MaskPlan | null;        // additive f32
  bmask?: MaskPlan | null;      // u8, 1 = not allowed
  causal: boolean;              // key j hidden from query i when j > i + causalOffset (0: upper-left, as SDPA is_causal)
  causalOffset?: number;        // a KV cache: new query i sits at absolute position past + i
  // materialised path only: weights [N, H, L, S] per head, or [N, L, S] averaged over heads
  weights: { ptr: number; average: boolean } | null;
  scores: number;   // [L, S] scores of one head (materialised path without per-head weights; unused with a pool)
  scratch: number;  // sdpaScratchFloats() (materialised) or sdpaFusedScratchFloats() (fused) floats
}

// One thread's product scratch of the materialised path.
function productFloats(rt: Runtime, L: number, S: number, hd: number, hdv: number): number {
  return Math.max(rt.exports.gemm_scratch_size_f32(L, S, hd), rt.exports.gemm_scratch_size_f32(L, hdv, S));
}

/** Floats of scratch scaledDotProductAttention needs: the products' (one thread), or with a pool one slot per thread
 *  of an [L, S] score buffer and the products' scratch (`scores` is then unused). */
export function sdpaScratchFloats(rt: Runtime, L: number, S: number, hd: number, hdv: number): number {
  const g = productFloats(rt, L, S, hd, hdv);
  return threadSlots(rt) === 1 ? g : slotted(rt, slotFloats(L * S) + g);
}

/** Floats of scratch the fused path needs (one slice, one slot per thread). */
export function sdpaFusedScratchFloats(rt: Runtime, L: number, S: number, hd: number, hdv: number): number {
  return slotted(rt, rt.exports.sdpa_scratch_size_f32(L, S, hd, hdv));
}

// The arguments of sdpa_f32 for rows [r0, r1) of slice `a`.
function sliceArgs(a: SdpaSlice, r0: number, r1: number): number[] {
  return [r1 - r0, a.S, a.E, a.Ev, a.q + 4 * r0 * a.ldq, a.ldq, a.k, a.ldk, a.v, a.ldv, a.out + 4 * r0 * a.ldo, a.ldo,
    a.mask && a.ldm ? a.mask + 4 * r0 * a.ldm : a.mask, a.ldm, a.bmask && a.ldbm ? a.bmask + r0 * a.ldbm : a.bmask, a.ldbm,
    a.scale, a.causal ? 1 : 0, a.causalOffset + r0, a.scratch];
}

/**
 * Slices of the fused kernel as one parallel job: a task per slice, or per row block of each slice when there are
 * fewer slices than twice the threads. Returns null when the work is too small for the pool (run them in line).
 */
export function sdpaSlicesJob(rt: Runtime, slices: number, L: number, S: number, E: number, Ev: number): { job: Job; rowParts: number } | null {
  const per = rt.exports.sdpa_scratch_size_f32(L, S, E, Ev);
  const job = parallel(rt, slices * L * S * (E + Ev), SPLIT_MIN.gemmMacs, slotFloats(per) * 4);
  if (job === null) return null;
  const P = threadSlots(rt);
  return { job, rowParts: slices >= 2 * P ? 1 : Math.max(1, Math.min(Math.ceil((2 * P) / slices), Math.floor(L / 16))) };
}

/** Adds slice `a` to a job from sdpaSlicesJob. */
export function addSlice(job: Job, rowParts: number, a: SdpaSlice): void {
  addRanges(job, 'sdpa_f32', a.L, rowParts, 1, (r0, r1) => sliceArgs(a, r0, r1), a.scratch ? argBits('sdpa_f32', 'scratch') : 0);
}

/** One (batch, head) slice of the fused kernel: byte pointers, strides in elements. */
export interface SdpaSlice {
  L: number; S: number; E: number; Ev: number;
  q: number; ldq: number; k: number; ldk: number; v: number; ldv: number; out: number; ldo: number;
  mask: number; ldm: number;     // additive f32 rows (0 = none; ldm 0: one row for all)
  bmask: number; ldbm: number;   // u8 rows, 1 = not allowed (0 = none)
  scale: number; causal: boolean; causalOffset: number;
  scratch: number;               // sdpaFusedScratchFloats(L, S, E, Ev) floats
}

export function sdpaSlice(rt: Runtime, a: SdpaSlice): void {
  rt.exports.sdpa_f32(a.L, a.S, a.E, a.Ev, a.q, a.ldq, a.k, a.ldk, a.v, a.ldv, a.out, a.ldo,
    a.mask, a.ldm, a.bmask, a.ldbm, a.scale, a.causal ? 1 : 0, a.causalOffset, a.scratch);
}

/** The fused path: out = softmax(scale·QKᵀ + masks)·V per (batch, head), O(L·d) memory. */
export function scaledDotProductAttentionFused(rt: Runtime, a: SdpaArgs): void {
  const { N, H, L, S, hd, hdv } = a;
  const group = H / (a.Hkv ?? H);
  const m = a.mask, bm = a.bmask ?? null;
  const par = sdpaSlicesJob(rt, N * H, L, S, hd, hdv);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / group);
      const slice: SdpaSlice = {
        L, S, E: hd, Ev: hdv,
        q: a.q.ptr + 4 * (n * a.q.bs + h * a.q.hs), ldq: a.q.ld,
        k: a.k.ptr + 4 * (n * a.k.bs + kh * a.k.hs), ldk: a.k.ld,
        v: a.v.ptr + 4 * (n * a.v.bs + kh * a.v.hs), ldv: a.v.ld,
        out: a.out.ptr + 4 * (n * a.out.bs + h * a.out.hs), ldo: a.out.ld,
        mask: m ? m.ptr + 4 * (n * m.nStride + h * m.hStride) : 0, ldm: m ? m.ld : 0,
        bmask: bm ? bm.ptr + n * bm.nStride + h * bm.hStride : 0, ldbm: bm ? bm.ld : 0,
        scale: a.scale, causal: a.causal, causalOffset: a.causalOffset ?? 0, scratch: a.scratch,
      };
      if (par) addSlice(par.job, par.rowParts, slice); else sdpaSlice(rt, slice);
    }
  }
  par?.job.run();
}

/** The materialised path (attention weights wanted). */
export function scaledDotProductAttention(rt: Runtime, a: SdpaArgs): void {
  const { N, H, L, S, hd, hdv } = a;
  const g = productFloats(rt, L, S, hd, hdv);
  const stride = slotFloats(slotFloats(L * S) + g) * 4;
  const job = parallel(rt, N * H * L * S * (hd + hdv), SPLIT_MIN.gemmMacs, stride);
  if (job !== null) { materialisedJob(rt, job, a, g); return; }
  const LS = L * S;
  // with a pool the scratch holds [scores | products] (sdpaScratchFloats)
  const pooled = threadSlots(rt) > 1;
  const scores = pooled ? a.scratch : a.scores, prod = pooled ? a.scratch + 4 * slotFloats(LS) : a.scratch;
  const group = H / (a.Hkv ?? H);
  const bm = a.bmask ?? null;
  const perHead = !!a.weights && !a.weights.average;
  if (a.weights?.average) fill(rt, N * LS, a.weights.ptr, 0);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      // p: [L, S]
      const p = perHead ? a.weights!.ptr + 4 * (n * H + h) * LS : scores;
      const kh = Math.floor(h / group);
      gemm(rt, { m: L, n: S, k: hd, a: a.q.ptr + 4 * (n * a.q.bs + h * a.q.hs), lda: a.q.ld,
        b: a.k.ptr + 4 * (n * a.k.bs + kh * a.k.hs), ldb: a.k.ld, transposeB: true, c: p, ldc: S, scratch: prod });
      const m = a.mask;
      softmaxRows(rt, { rows: L, cols: S, x: p, ldx: S, y: p, ldy: S, scale: a.scale,
        causal: a.causal, causalOffset: a.causalOffset ?? 0,
        mask: m ? m.ptr + 4 * (n * m.nStride + h * m.hStride) : 0, ldm: m ? m.ld : 0,
        bmask: bm ? bm.ptr + n * bm.nStride + h * bm.hStride : 0, ldbm: bm ? bm.ld : 0 });
      if (a.weights?.average) add(rt, LS, a.weights.ptr + 4 * n * LS, p, a.weights.ptr + 4 * n * LS);
      gemm(rt, { m: L, n: hdv, k: S, a: p, lda: S, b: a.v.ptr + 4 * (n * a.v.bs + kh * a.v.hs), ldb: a.v.ld,
        c: a.out.ptr + 4 * (n * a.out.bs + h * a.out.hs), ldc: a.out.ld, scratch: prod });
    }
  }
  if (a.weights?.average && H > 1) divide(rt, N * LS, a.weights.ptr, H);
}

// The materialised path on the pool: a task per (batch, head), each on its thread's score slot and product scratch
// (scratch: [scores L·S | products] per thread); with weights averaged over heads a task per batch item, which adds
// its heads in order (the sum over heads is never split).
function materialisedJob(rt: Runtime, job: Job, a: SdpaArgs, g: number): void {
  const { N, H, L, S, hd, hdv } = a;
  const LS = L * S;
  const group = H / (a.Hkv ?? H);
  const bm = a.bmask ?? null, m = a.mask;
  const perHead = !!a.weights && !a.weights.average;
  const scores = a.scratch, prod = g > 0 ? a.scratch + 4 * slotFloats(LS) : 0;
  const average = !!a.weights?.average;
  // thread-local: the product scratch, and the scores p unless they are the per-head weights
  const local = (fn: 'gemm_f32' | 'gemm_f32_trans_b' | 'softmax_rows_f32' | 'add_f32', ...pArgs: string[]) =>
    argBits(fn, ...(perHead ? [] : pArgs), ...(g > 0 && fn.startsWith('gemm') ? ['scratch'] : []));
  if (average) fill(rt, N * LS, a.weights!.ptr, 0);
  for (let n = 0; n < N; n++) {
    if (average) job.task();
    for (let h = 0; h < H; h++) {
      if (!average) job.task();
      const p = perHead ? a.weights!.ptr + 4 * (n * H + h) * LS : scores;
      const kh = Math.floor(h / group);
      job.call('gemm_f32_trans_b', [L, S, hd, 0, L, 0, S, a.q.ptr + 4 * (n * a.q.bs + h * a.q.hs), a.q.ld,
        a.k.ptr + 4 * (n * a.k.bs + kh * a.k.hs), a.k.ld, p, S, 0, 0, prod], local('gemm_f32_trans_b', 'c'));
      job.call('softmax_rows_f32', [L, S, p, S, p, S, m ? m.ptr + 4 * (n * m.nStride + h * m.hStride) : 0, m ? m.ld : 0,
        bm ? bm.ptr + n * bm.nStride + h * bm.hStride : 0, bm ? bm.ld : 0, 0, a.scale, a.causal ? 1 : 0, a.causalOffset ?? 0],
        local('softmax_rows_f32', 'x', 'y'));
      if (average) {
        const w = a.weights!.ptr + 4 * n * LS;
        job.call('add_f32', [LS, w, p, w], local('add_f32', 'b'));
      }
      job.call('gemm_f32', [L, hdv, S, 0, L, 0, hdv, p, S, a.v.ptr + 4 * (n * a.v.bs + kh * a.v.hs), a.v.ld,
        a.out.ptr + 4 * (n * a.out.bs + h * a.out.hs), a.out.ld, 0, 0, prod], local('gemm_f32', 'a'));
    }
  }
  job.run();
  if (average && H > 1) divide(rt, N * LS, a.weights!.ptr, H);
}
