// Additive (Bahdanau / d2l AdditiveAttention) scores: out[b,i,j] = Σ_h w_v[h]·tanh(qp[b,i,h] + kp[b,j,h]), with the
// queries and keys already projected (qp = q·W_q, kp = k·W_k are GEMMs, see the gemm suite). Ours is fused; the
// peers materialise the [batch, nq, nk, h] features, as the d2l code does.
import { GraphBuilder } from '../peers/onnx_model.ts';
import { join, ortGraphs, oursFor, tfContestant } from '../contestants.ts';
import { randomF32 } from '../rng.ts';
import type { Case, Suite } from '../suite.ts';

// [batch, nq, nk, h]
const SHAPES: [number, number, number, number][] = [[1, 64, 64, 128], [4, 50, 50, 256]];

/** Nominal flops per (b, i, j, h): add, tanh (counted as one), multiply, accumulate. */
export const ADDITIVE_FLOPS_PER_TERM = 4;

/** The materialised form: Unsqueeze qp to [B, nq, 1, h] and kp to [B, 1, nk, h], Add, Tanh, MatMul with w_v [h]. */
function additiveGraph(B: number, nq: number, nk: number, h: number, wv: Float32Array): Uint8Array {
  const g = new GraphBuilder('additive');
  g.input('qp', [B, nq, h]);
  g.input('kp', [B, nk, h]);
  g.initializer('axis2', [2], [1], 'INT64');
  g.initializer('axis1', [1], [1], 'INT64');
  g.initializer('w_v', wv, [h]);
  g.node('Unsqueeze', ['qp', 'axis2'], ['q4']);
  g.node('Unsqueeze', ['kp', 'axis1'], ['k4']);
  g.node('Add', ['q4', 'k4'], ['features']);
  g.node('Tanh', ['features'], ['t']);
  g.node('MatMul', ['t', 'w_v'], ['y']);
  g.output('y', [B, nq, nk]);
  return g.model({ opset: 17 });
}

export const suite: Suite = {
  name: 'additive',
  title: 'Additive attention scores Σ_h w_v·tanh(q_i + k_j), queries and keys projected (batch x nq x nk x hidden)',
  notes: [
    `flops = ${ADDITIVE_FLOPS_PER_TERM}·batch·nq·nk·h (nominal: add, tanh counted as one, multiply, accumulate), so GFLOP/s here is a throughput measure, comparable between contestants only.`,
    'ours: additive_scores_f32, fused: the [batch, nq, nk, h] features are never stored; qp, kp, w_v and the scores in our memory.',
    'ort: the materialised graph Unsqueeze + Add (broadcast to [batch, nq, nk, h]) + Tanh + MatMul with w_v [h] (initializer), opset 17; qp and kp copied in, scores copied out per call.',
    'tfjs (composed): tf.tanh(tf.add(expandDims(qp, 2), expandDims(kp, 1))) then matMul with w_v, in tf.tidy; per call the ops plus dataSync().',
  ],
  cases(ctx): Case[] {
    return SHAPES.map(([B, nq, nk, h]) => ({
      label: `${B}x${nq}x${nk}x${h}`,
      flops: ADDITIVE_FLOPS_PER_TERM * B * nq * nk * h,
      async setup() {
        const qp = randomF32(B * nq * h, 51 + nq + h), kp = randomF32(B * nk * h, 52 + nk + h);
        const wv = randomF32(h, 53 + h).map((v) => v * Math.sqrt(3 / h));
        const ours = oursFor(ctx, '', ['additive_scores_f32'], ({ rt }) => {
          // the kernel may read up to 16 bytes past the end of qp, kp and w_v
          const put = (data: Float32Array) => { const p = rt.alloc(data.length * 4 + 16); rt.f32(p, data.length).set(data); return p; };
          const pq = put(qp), pk = put(kp), pw = put(wv), po = rt.alloc(B * nq * nk * 4);
          const ex = rt.exports;
          return {
            run: () => ex.additive_scores_f32(B, nq, nk, h, pq, pk, pw, po),
            output: () => rt.f32(po, B * nq * nk).slice(),
            dispose: () => [pq, pk, pw, po].forEach((p) => rt.free(p)),
          };
        });
        const feeds = { qp: { data: qp, dims: [B, nq, h] }, kp: { data: kp, dims: [B, nk, h] } };
        const ort = await ortGraphs(ctx, [{ name: 'ort', model: () => additiveGraph(B, nq, nk, h, wv) }], feeds, 'y', { reuse: true });
        const tfjs = tfContestant(ctx,
          (tf) => [tf.tensor3d(qp, [B, nq, h]), tf.tensor3d(kp, [B, nk, h]), tf.tensor2d(wv, [h, 1])],
          (tf, [tq, tk, tw]) => tf.tidy(() => {
            const t = tf.tanh(tf.add(tf.expandDims(tq, 2), tf.expandDims(tk, 1)));
            return tf.reshape(tf.matMul(tf.reshape(t, [B * nq * nk, h]), tw), [B, nq, nk]);
          }), 'tfjs (composed)');
        return join(ours, ort, tfjs);
      },
      tolerance: 1e-4 * Math.sqrt(h),
    }));
  },
};
