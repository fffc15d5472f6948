// Bahdanau / d2l additive scores, fused (kernel additive_scores_f32): out[b,i,j] = Σ_h wv[h]·tanh(qp[b,i,h] + kp[b,j,h]).
import type { Runtime } from '../runtime/runtime.ts';
import { SPLIT_MIN, parallel, ranges, threadSlots } from './parallel.ts';

export interface AdditiveScores {
  batch: number; nq: number; nk: number; hidden: number;
  qp: number;   // [batch, nq, hidden]
  kp: number;   // [batch, nk, hidden]
  wv: number;   // [hidden]
  out: number;  // [batch, nq, nk]
}

export function additiveScores(rt: Runtime, a: AdditiveScores): void {
  const job = parallel(rt, a.batch * a.nq * a.nk * a.hidden, SPLIT_MIN.gemmMacs);
  if (job === null) {
    rt.exports.additive_scores_f32(a.batch, a.nq, a.nk, a.hidden, a.qp, a.kp, a.wv, a.out);
    return;
  }
  // query rows of each batch item (every score is its own sum over hidden)
  const P = threadSlots(rt);
  const rs = ranges(a.nq, Math.max(1, Math.ceil((2 * P) / a.batch)), 1);
  for (let b = 0; b < a.batch; b++) {
    for (let i = 0; i + 1 < rs.length; i++) {
      const i0 = rs[i];
      job.task().call('additive_scores_f32', [1, rs[i + 1] - i0, a.nk, a.hidden, a.qp + 4 * (b * a.nq + i0) * a.hidden,
        a.kp + 4 * b * a.nk * a.hidden, a.wv, a.out + 4 * (b * a.nq + i0) * a.nk]);
    }
  }
  job.run();
}
