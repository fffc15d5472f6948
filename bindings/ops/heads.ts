// Multi-head scaled dot-product attention over strided views, one head at a time:
//   P = softmax(scale · Q Kᵀ + mask), O = P V
// Heads are column slices of row-major activations, so splitting and merging heads copies nothing: element
// (n, l, h, d) of a view lives at ptr + 4·(n·bs + l·ld + h·hd + d).
import type { Runtime } from '../runtime.ts';
import type { Workspace } from '../workspace.ts';

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

export interface HeadsArgs {
  N: number; H: number; L: number; S: number;
  hd: number;   // query/key head dim
  hdv: number;  // value head dim
  q: HeadsView; k: HeadsView; v: HeadsView; out: HeadsView;
  scale: number;
  mask: MaskPlan | null;
  causal: boolean;  // mask j > i (upper-left aligned, as SDPA is_causal)
  // weights: [N, H, L, S] per head, or [N, L, S] averaged over heads
  weights: { ptr: number; average: boolean } | null;
}

export function attendHeads(rt: Runtime, ws: Workspace, a: HeadsArgs): void {
  const x = rt.exports;
  const { N, H, L, S, hd, hdv } = a;
  const LS = L * S;
  const scratch = a.weights && !a.weights.average ? 0 : ws.get('heads.scores', LS);
  if (a.weights?.average) rt.f32(a.weights.ptr, N * LS).fill(0);
  const gs = ws.get('heads.gemm', Math.max(x.gemm_scratch_size_f32(L, S, hd), x.gemm_scratch_size_f32(L, hdv, S)));
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      // p: [L, S]
      const p = scratch || a.weights!.ptr + 4 * (n * H + h) * LS;
      x.gemm_f32_trans_b(L, S, hd, 0, L, 0, S, a.q.ptr + 4 * (n * a.q.bs + h * hd), a.q.ld, a.k.ptr + 4 * (n * a.k.bs + h * hd), a.k.ld, p, S, 0, 0, gs);
      const m = a.mask;
      x.softmax_rows_f32(L, S, p, S, p, S,
        m ? m.ptr + 4 * (n * m.nStride + h * m.hStride) : 0, m ? m.ld : 0, 0, 0, 0, a.scale, a.causal ? 1 : 0, 0);
      if (a.weights?.average) {
        const w = a.weights.ptr + 4 * n * LS;
        x.add_f32(LS, w, p, w);
      }
      x.gemm_f32(L, hdv, S, 0, L, 0, hdv, p, S, a.v.ptr + 4 * (n * a.v.bs + h * hdv), a.v.ld, a.out.ptr + 4 * (n * a.out.bs + h * hdv), a.out.ld, 0, 0, gs);
    }
  }
  if (a.weights?.average && H > 1) {
    const w = rt.f32(a.weights.ptr, N * LS);
    for (let i = 0; i < w.length; i++) w[i] /= H;
  }
}
