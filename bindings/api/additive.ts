// rt.ops.additiveScores: d2l AdditiveAttention scores w_vᵀ tanh(W_q q + W_k k) from the projected queries and
// keys, fused (the [batch, nq, nk, hidden] features are never materialised).
import { checkOptions, checkPositiveInt, fail, failType } from '../errors.ts';
import { borrowInput, borrowOutput, checkInput, checkOutput, type Borrowed, type Operand } from './operand.ts';
import { additiveScores as additiveScoresKernel } from '../ops/additive.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { Tensor } from '../runtime/tensor.ts';

export interface AdditiveScoresOptions {
  batch: number;
  nq: number;
  nk: number;
  hidden: number;
  /** Where to write the scores [batch, nq, nk]; default a new Float32Array. */
  out?: Operand;
}

const OPTIONS = ['batch', 'nq', 'nk', 'hidden', 'out'] as const;
const W = 'additiveScores';

// qp: [batch, nq, hidden] (W_q q), kp: [batch, nk, hidden] (W_k k), wv: [hidden] -> [batch, nq, nk]
export function additiveScores(rt: Runtime, qp: Operand, kp: Operand, wv: Operand, options: AdditiveScoresOptions): Float32Array | Tensor {
  if (options === undefined || options === null) failType(W, 'options { batch, nq, nk, hidden } are required');
  checkOptions(W, options, OPTIONS);
  const batch = checkPositiveInt(W, 'batch', options.batch);
  const nq = checkPositiveInt(W, 'nq', options.nq);
  const nk = checkPositiveInt(W, 'nk', options.nk);
  const h = checkPositiveInt(W, 'hidden', options.hidden);
  if (batch * nq * nk * h > 2 ** 31) fail(W, `batch*nq*nk*hidden = ${batch * nq * nk * h} is too large`);
  const qExpr = `batch*nq*hidden = ${batch}*${nq}*${h}`, kExpr = `batch*nk*hidden = ${batch}*${nk}*${h}`;
  checkInput(rt, W, 'qp', qp, batch * nq * h, qExpr);
  checkInput(rt, W, 'kp', kp, batch * nk * h, kExpr);
  checkInput(rt, W, 'wv', wv, h, 'hidden');
  checkOutput(rt, W, options.out, batch * nq * nk, `batch*nq*nk = ${batch}*${nq}*${nk}`);
  const held: Borrowed[] = [];
  try {
    const Q = borrowInput(rt, W, 'qp', qp, batch * nq * h, qExpr, options.out); held.push(Q);
    const K = borrowInput(rt, W, 'kp', kp, batch * nk * h, kExpr, options.out); held.push(K);
    const V = borrowInput(rt, W, 'wv', wv, h, 'hidden', options.out); held.push(V);
    const O = borrowOutput(rt, W, options.out, batch * nq * nk, `batch*nq*nk = ${batch}*${nq}*${nk}`); held.push(O);
    additiveScoresKernel(rt, { batch, nq, nk, hidden: h, qp: Q.ptr, kp: K.ptr, wv: V.ptr, out: O.ptr });
    return O.finish();
  } finally {
    for (const x of held.reverse()) x.release();
  }
}
