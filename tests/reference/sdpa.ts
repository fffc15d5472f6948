// torch.nn.functional.scaled_dot_product_attention (eval) in float64, from the formulas of
// ATTENTION_SEMANTICS.md §1.5: scores = scale·q·kᵀ; a boolean mask (true = TAKE PART) sets the others to -inf, a
// float mask is added; is_causal hides key j from query i when j > i (+ offset: new queries after `past` cached
// keys); softmax over keys, with a row that is all -inf giving zeros (_safe_softmax); out = p·v.
// Shapes are flattened: q [B, H, L, E], k [B, Hkv, S, E], v [B, Hkv, S, Ev]; query head h reads key/value head
// ⌊h / (H / Hkv)⌋ (enable_gqa's repeat_interleave). mask(b, h, i, j) returns the mask element or undefined.
export interface SdpaRefArgs {
  B: number; H: number; Hkv: number; L: number; S: number; E: number; Ev: number;
  q: ArrayLike<number>; k: ArrayLike<number>; v: ArrayLike<number>;
  scale: number;
  mask?: { kind: 'bool' | 'float'; at: (b: number, h: number, i: number, j: number) => number } | null;
  causal?: boolean;
  causalOffset?: number;
}

export function sdpaRef(a: SdpaRefArgs): Float64Array {
  const { B, H, Hkv, L, S, E, Ev } = a;
  const out = new Float64Array(B * H * L * Ev);
  const s = new Float64Array(S);
  const group = H / Hkv;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < L; i++) {
        let max = -Infinity;
        for (let j = 0; j < S; j++) {
          let x = 0;
          for (let e = 0; e < E; e++) x += a.q[((b * H + h) * L + i) * E + e] * a.k[((b * Hkv + kh) * S + j) * E + e];
          x *= a.scale;
          if (a.mask) {
            const m = a.mask.at(b, h, i, j);
            if (a.mask.kind === 'bool') { if (!m) x = -Infinity; } else x += m;
          }
          if (a.causal && j > i + (a.causalOffset ?? 0)) x = -Infinity;
          s[j] = x;
          if (x > max || Number.isNaN(x)) max = Number.isNaN(max) ? max : (Number.isNaN(x) ? NaN : x);
        }
        const o = ((b * H + h) * L + i) * Ev;
        if (max === -Infinity) continue;   // every key masked: zeros
        let sum = 0;
        for (let j = 0; j < S; j++) { s[j] = Math.exp(s[j] - max); sum += s[j]; }
        for (let j = 0; j < S; j++) {
          const p = s[j] / sum;
          if (p === 0 && !Number.isNaN(sum)) continue;
          for (let e = 0; e < Ev; e++) out[o + e] += p * a.v[((b * Hkv + kh) * S + j) * Ev + e];
        }
      }
    }
  }
  return out;
}
