// Float64 reference of d2l's attention scoring (§3.1–3.3) and Luong's dot / general scores (§4).
// Shapes: queries [B, Q, qs], keys [B, K, ks], values [B, K, dv]; scores and weights [B, Q, K]; output [B, Q, dv].
import { type Num, linear, softmaxRows } from './math.ts';

/**
 * d2l masked_softmax: validLens null (plain softmax), length B (one count per batch, repeated over Q) or
 * length B*Q (shape [B, Q], one count per query). Key positions j >= validLen have their score REPLACED by -1e6.
 */
export function maskedSoftmax(X: Num, B: number, Q: number, K: number, validLens: Num | null | undefined): Float64Array {
  const x = Float64Array.from(X);
  if (validLens != null) {
    let perQuery: boolean;
    if (validLens.length === B * Q) perQuery = true;
    else if (validLens.length === B) perQuery = false;
    else throw new Error(`reference maskedSoftmax: validLens has ${validLens.length} entries, expected ${B} or ${B * Q}`);
    for (let b = 0; b < B; b++) {
      for (let q = 0; q < Q; q++) {
        const len = perQuery ? validLens[b * Q + q] : validLens[b];
        for (let j = 0; j < K; j++) if (!(j < len)) x[(b * Q + q) * K + j] = -1e6;
      }
    }
  }
  return softmaxRows(x, B * Q, K);
}

/** weights [B, Q, K] · values [B, K, dv] per batch. */
export function mixValues(weights: Num, values: Num, B: number, Q: number, K: number, dv: number): Float64Array {
  const out = new Float64Array(B * Q * dv);
  for (let b = 0; b < B; b++) {
    for (let q = 0; q < Q; q++) {
      for (let c = 0; c < dv; c++) {
        let s = 0;
        for (let j = 0; j < K; j++) s += weights[(b * Q + q) * K + j] * values[(b * K + j) * dv + c];
        out[(b * Q + q) * dv + c] = s;
      }
    }
  }
  return out;
}

export interface AttnResult { output: Float64Array; weights: Float64Array; scores: Float64Array }

function finish(scores: Float64Array, values: Num, B: number, Q: number, K: number, dv: number, validLens: Num | null | undefined): AttnResult {
  const weights = maskedSoftmax(scores, B, Q, K, validLens);
  return { scores, weights, output: mixValues(weights, values, B, Q, K, dv) };
}

/** Dot-product scores q·k, times `scale` (1 for Luong dot, 1/√d for d2l DotProductAttention with d = q.shape[-1]). */
export function dotScores(queries: Num, keys: Num, B: number, Q: number, K: number, d: number, scale: number): Float64Array {
  const s = new Float64Array(B * Q * K);
  for (let b = 0; b < B; b++) {
    for (let q = 0; q < Q; q++) {
      for (let j = 0; j < K; j++) {
        let acc = 0;
        for (let c = 0; c < d; c++) acc += queries[(b * Q + q) * d + c] * keys[(b * K + j) * d + c];
        s[(b * Q + q) * K + j] = acc * scale;
      }
    }
  }
  return s;
}

/** d2l DotProductAttention: softmax(q kᵀ / √d) v with d2l valid_lens masking. */
export function dotProductAttention(queries: Num, keys: Num, values: Num, B: number, Q: number, K: number, d: number, dv: number,
  validLens?: Num | null): AttnResult {
  return finish(dotScores(queries, keys, B, Q, K, d, 1 / Math.sqrt(d)), values, B, Q, K, dv, validLens);
}

/** Luong dot: unscaled q·k. */
export function dotAttention(queries: Num, keys: Num, values: Num, B: number, Q: number, K: number, d: number, dv: number,
  validLens?: Num | null): AttnResult {
  return finish(dotScores(queries, keys, B, Q, K, d, 1), values, B, Q, K, dv, validLens);
}

/**
 * Luong general: score(q, k) = q · (W_a k + b). W_a.weight is [qs, ks], an nn.Linear(ks -> qs) applied to the keys;
 * the optional bias W_a.bias is [qs].
 */
export function generalAttention(queries: Num, keys: Num, values: Num, B: number, Q: number, K: number, qs: number, ks: number, dv: number,
  Wa: Num, ba: Num | null | undefined, validLens?: Num | null): AttnResult {
  const s = new Float64Array(B * Q * K);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < K; j++) {
      // projected key p = W_a k + b  (length qs)
      const p = new Float64Array(qs);
      for (let i = 0; i < qs; i++) {
        let acc = ba ? ba[i] : 0;
        for (let c = 0; c < ks; c++) acc += Wa[i * ks + c] * keys[(b * K + j) * ks + c];
        p[i] = acc;
      }
      for (let q = 0; q < Q; q++) {
        let acc = 0;
        for (let i = 0; i < qs; i++) acc += queries[(b * Q + q) * qs + i] * p[i];
        s[(b * Q + q) * K + j] = acc;
      }
    }
  }
  return finish(s, values, B, Q, K, dv, validLens);
}

/**
 * d2l AdditiveAttention: score(q, k) = w_vᵀ tanh(W_q q + W_k k), W_q [h, qs], W_k [h, ks], w_v [1, h], no biases.
 */
export function additiveAttention(queries: Num, keys: Num, values: Num, B: number, Q: number, K: number, qs: number, ks: number, dv: number,
  Wq: Num, Wk: Num, wv: Num, validLens?: Num | null): AttnResult {
  const h = wv.length;
  const s = additiveScores(linear(queries, B * Q, qs, Wq, null), linear(keys, B * K, ks, Wk, null), wv, B, Q, K, h);
  return finish(s, values, B, Q, K, dv, validLens);
}

/**
 * The additive scores of projected queries qp [B, Q, h] and keys kp [B, K, h]: s[b, i, j] = Σ_t wv[t]·tanh(qp[b, i, t] +
 * kp[b, j, t]) (rt.ops.additiveScores).
 */
export function additiveScores(qp: Num, kp: Num, wv: Num, B: number, Q: number, K: number, h: number): Float64Array {
  const s = new Float64Array(B * Q * K);
  for (let b = 0; b < B; b++) {
    for (let q = 0; q < Q; q++) {
      for (let j = 0; j < K; j++) {
        let score = 0;
        for (let t = 0; t < h; t++) score += wv[t] * Math.tanh(qp[(b * Q + q) * h + t] + kp[(b * K + j) * h + t]);
        s[(b * Q + q) * K + j] = score;
      }
    }
  }
  return s;
}
