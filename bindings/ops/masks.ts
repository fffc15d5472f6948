// Turns PyTorch-style masks into one additive float mask in wasm memory (boolean true -> -inf), the form the
// softmax kernel reads. Extra key columns (add_bias_kv / add_zero_attn) are padded with 0 (attendable).
import type { MaskInfo } from '../nn/inputs.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { MaskPlan } from './sdpa.ts';

export interface MaskSpec {
  N: number; H: number; L: number; S: number;
  extra: number;                  // padded key columns after the S real ones
  attn: MaskInfo | null;          // [L, S] or [N·H, L, S]
  attn3d: boolean;
  kpm: MaskInfo | null;           // [N, S]
  causal: boolean;                // explicit causal mask (used when it cannot be left to the kernel)
}

// value of a mask element as an additive term
function term(m: MaskInfo, i: number): number {
  return m.kind === 'bool' ? (m.data[i] ? -Infinity : 0) : m.data[i];
}

/** Floats of the additive mask for `s` (0 when there is nothing to mask). */
export function maskSize(s: MaskSpec): number {
  const { N, H, L, S, extra, attn, kpm } = s;
  const hasAttn = !!attn || s.causal;
  if (!hasAttn && !kpm) return 0;
  const blocks = attn && s.attn3d ? N * H : kpm ? N : 1;
  return blocks * (hasAttn ? L : 1) * (S + extra);
}

/** Writes the additive mask for `s` at ptr (maskSize(s) floats) and returns how to index it. */
export function fillMask(rt: Runtime, ptr: number, s: MaskSpec): MaskPlan {
  const { N, H, L, S, extra, attn, kpm } = s;
  const Sx = S + extra;
  const hasAttn = !!attn || s.causal;
  // rows per (n, h) block: L when an attention mask exists, else one broadcast row
  const blocks = attn && s.attn3d ? N * H : kpm ? N : 1;
  const rows = hasAttn ? L : 1;
  const out = rt.f32(ptr, blocks * rows * Sx);
  for (let b = 0; b < blocks; b++) {
    const n = attn && s.attn3d ? Math.floor(b / H) : b;
    for (let i = 0; i < rows; i++) {
      const o = (b * rows + i) * Sx;
      for (let j = 0; j < S; j++) {
        let v = 0;
        if (attn) v += term(attn, ((attn && s.attn3d ? b : 0) * L + i) * S + j);
        else if (s.causal && j > i) v = -Infinity;
        if (kpm) v += term(kpm, n * S + j);
        out[o + j] = v;
      }
      for (let j = S; j < Sx; j++) out[o + j] = 0;
    }
  }
  const blockSize = rows * Sx;
  if (attn && s.attn3d) return { ptr, ld: Sx, nStride: H * blockSize, hStride: blockSize };
  if (kpm) return { ptr, ld: hasAttn ? Sx : 0, nStride: blockSize, hStride: 0 };
  return { ptr, ld: Sx, nStride: 0, hStride: 0 };
}
