// LayerNorm over the last axis of a [rows, cols] matrix (torch.nn.LayerNorm(cols), eps 1e-5, with weight and bias):
// the normalisation of every Transformer sublayer.
import { attr, GraphBuilder } from '../peers/onnx_model.ts';
import { join, ortContestants, oursFor, tfContestant } from '../contestants.ts';
import { randomF32 } from '../rng.ts';
import type { Case, Suite } from '../suite.ts';

const SHAPES: [number, number][] = [[128, 512], [1024, 768]];
const EPS = 1e-5;

/** Nominal flops per element: mean (add), centred sum of squares (sub, mul, add), normalise (sub, mul), scale, shift. */
export const LAYERNORM_FLOPS_PER_ELEMENT = 8;

export const suite: Suite = {
  name: 'layernorm',
  title: 'LayerNorm over rows, weight and bias, eps 1e-5 (rows x cols)',
  notes: [
    `flops = ${LAYERNORM_FLOPS_PER_ELEMENT}·rows·cols (nominal: mean, centred sum of squares, normalise, scale and shift), so GFLOP/s here is a throughput measure, comparable between contestants only.`,
    'ours: layernorm_f32 (two-pass statistics, biased variance), x, weight, bias and y in our memory.',
    'ort: LayerNormalization (axis -1, opset 17) with weight and bias as initializers; x copied in, y copied out per call.',
    'tfjs (composed): tfjs-core has no LayerNorm op, so the composition a tfjs user writes: tf.moments(x, -1, keepDims), then (x - mean)·rsqrt(var + eps)·weight + bias, in tf.tidy; per call the ops plus dataSync().',
  ],
  cases(ctx): Case[] {
    return SHAPES.map(([rows, cols]) => ({
      label: `${rows}x${cols}`,
      flops: LAYERNORM_FLOPS_PER_ELEMENT * rows * cols,
      async setup() {
        // a non-zero mean per row, as LayerNorm inputs after a residual add have
        const x = randomF32(rows * cols, 31 + rows + cols).map((v, i) => 2 * v + 0.5 + 0.001 * (i % 97));
        const gamma = randomF32(cols, 32 + cols).map((v) => 1 + 0.3 * v), beta = randomF32(cols, 33 + cols).map((v) => 0.3 * v);
        const ours = oursFor(ctx, '', ['layernorm_f32'], ({ rt }) => {
          const n = rows * cols;
          const px = rt.alloc(n * 4), py = rt.alloc(n * 4), pg = rt.alloc(cols * 4), pb = rt.alloc(cols * 4);
          rt.f32(px, n).set(x);
          rt.f32(pg, cols).set(gamma);
          rt.f32(pb, cols).set(beta);
          const ex = rt.exports;
          return {
            run: () => ex.layernorm_f32(rows, cols, px, cols, py, cols, pg, pb, EPS),
            output: () => rt.f32(py, n).slice(),
            dispose: () => [px, py, pg, pb].forEach((p) => rt.free(p)),
          };
        });
        const g = new GraphBuilder('layernorm');
        g.input('x', [rows, cols]);
        g.initializer('weight', gamma, [cols]);
        g.initializer('bias', beta, [cols]);
        g.node('LayerNormalization', ['x', 'weight', 'bias'], ['y'], { axis: -1, epsilon: attr.float(EPS) });
        g.output('y', [rows, cols]);
        const ort = await ortContestants(ctx, g.model({ opset: 17 }), 'x', x, [rows, cols], 'y');
        const tfjs = tfContestant(ctx,
          (tf) => [tf.tensor2d(x, [rows, cols]), tf.tensor1d(gamma), tf.tensor1d(beta)],
          (tf, [tx, tg, tb]) => tf.tidy(() => {
            const { mean, variance } = tf.moments(tx, -1, true);
            return tf.add(tf.mul(tf.mul(tf.sub(tx, mean), tf.rsqrt(tf.add(variance, EPS))), tg), tb);
          }), 'tfjs (composed)');
        return join(ours, ort, tfjs);
      },
      tolerance: 1e-4,
    }));
  },
};
