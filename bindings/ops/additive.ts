// Bahdanau / d2l additive scores, fused (kernel additive_scores_f32): out[b,i,j] = Σ_h wv[h]·tanh(qp[b,i,h] + kp[b,j,h]).
import type { Runtime } from '../runtime/runtime.ts';

export interface AdditiveScores {
  batch: number; nq: number; nk: number; hidden: number;
  qp: number;   // [batch, nq, hidden]
  kp: number;   // [batch, nk, hidden]
  wv: number;   // [hidden]
  out: number;  // [batch, nq, nk]
}

export function additiveScores(rt: Runtime, a: AdditiveScores): void {
  rt.exports.additive_scores_f32(a.batch, a.nq, a.nk, a.hidden, a.qp, a.kp, a.wv, a.out);
}
