// Multi-head scaled dot-product attention over strided views, one head at a time (materialised: the L x S scores
// of one head are stored, which is what returning the attention weights needs):
//   P = softmax(scale · Q Kᵀ + mask), O = P V
// Heads are column slices of row-major activations, so splitting and merging heads copies nothing: element
// (n, l, h, d) of a view lives at ptr + 4·(n·bs + l·ld + h·hd + d).
import type { Runtime } from '../runtime/runtime.ts';
import { add } from './elementwise.ts';
import { gemm, gemmScratchFloats } from './gemm.ts';
import { copy, divide, fill, upload } from './memory.ts';
import { softmaxRows } from './softmax.ts';

/** A [N, rows, H·hd] operand with row stride `ld` and batch stride `bs` (elements). */
export interface HeadsView {
  ptr: number;
  ld: number;
  bs: number;
}

/** Additive float mask rows for (n, h) start at ptr + 4·(n·nStride + h·hStride); row stride ld (0 = one row for all). */
export interface MaskPlan {
  ptr: number;
  ld: number;
  nStride: number;
  hStride: number;
}

/**
 * The view of columns [col, col + ...) of a projection buffer of `width` features per row holding N sequences of
 * `len` rows, laid out batch first ([N, len, width]) or sequence first ([len, N, width]).
 */
export function headsView(ptr: number, width: number, N: number, len: number, col: number, batchFirst: boolean): HeadsView {
  return { ptr: ptr + 4 * col, ld: batchFirst ? width : N * width, bs: batchFirst ? len * width : width };
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
  return { ptr: dst, ld: E, bs: Sx * E };
}

export interface SdpaArgs {
  N: number; H: number; L: number; S: number;
  hd: number;   // query/key head dim
  hdv: number;  // value head dim
  q: HeadsView; k: HeadsView; v: HeadsView; out: HeadsView;
  scale: number;
  mask: MaskPlan | null;
  causal: boolean;  // mask j > i (upper-left aligned, as SDPA is_causal)
  // weights: [N, H, L, S] per head, or [N, L, S] averaged over heads
  weights: { ptr: number; average: boolean } | null;
  scores: number;   // [L, S] scores of one head (unused when per-head weights are returned)
  scratch: number;  // sdpaScratchFloats() floats for the products
}

/** Floats of product scratch scaledDotProductAttention needs. */
export function sdpaScratchFloats(rt: Runtime, L: number, S: number, hd: number, hdv: number): number {
  return Math.max(gemmScratchFloats(rt, L, S, hd), gemmScratchFloats(rt, L, hdv, S));
}

export function scaledDotProductAttention(rt: Runtime, a: SdpaArgs): void {
  const { N, H, L, S, hd, hdv } = a;
  const LS = L * S;
  const perHead = !!a.weights && !a.weights.average;
  if (a.weights?.average) fill(rt, N * LS, a.weights.ptr, 0);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      // p: [L, S]
      const p = perHead ? a.weights!.ptr + 4 * (n * H + h) * LS : a.scores;
      gemm(rt, { m: L, n: S, k: hd, a: a.q.ptr + 4 * (n * a.q.bs + h * hd), lda: a.q.ld,
        b: a.k.ptr + 4 * (n * a.k.bs + h * hd), ldb: a.k.ld, transposeB: true, c: p, ldc: S, scratch: a.scratch });
      const m = a.mask;
      softmaxRows(rt, { rows: L, cols: S, x: p, ldx: S, y: p, ldy: S, scale: a.scale, causal: a.causal,
        mask: m ? m.ptr + 4 * (n * m.nStride + h * m.hStride) : 0, ldm: m ? m.ld : 0 });
      if (a.weights?.average) add(rt, LS, a.weights.ptr + 4 * n * LS, p, a.weights.ptr + 4 * n * LS);
      gemm(rt, { m: L, n: hdv, k: S, a: p, lda: S, b: a.v.ptr + 4 * (n * a.v.bs + h * hdv), ldb: a.v.ld,
        c: a.out.ptr + 4 * (n * a.out.bs + h * hdv), ldc: a.out.ld, scratch: a.scratch });
    }
  }
  if (a.weights?.average && H > 1) divide(rt, N * LS, a.weights.ptr, H);
}
