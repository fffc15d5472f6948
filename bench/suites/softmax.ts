// Softmax over the last axis of a [rows, cols] matrix (the attention-weights step).
import { GraphBuilder } from '../peers/onnx_model.ts';
import { join, ortContestants, oursFor, tfContestant } from '../contestants.ts';
import { randomF32 } from '../rng.ts';
import type { Case, Suite } from '../suite.ts';

const SHAPES: [number, number][] = [[1024, 128], [64, 2048]];

/** Nominal flops per element: max, subtract, exp, sum, scale (exp counted as one). */
export const SOFTMAX_FLOPS_PER_ELEMENT = 5;

export const suite: Suite = {
  name: 'softmax',
  title: 'Softmax over rows (rows x cols)',
  notes: [
    `flops = ${SOFTMAX_FLOPS_PER_ELEMENT}·rows·cols (nominal: max, subtract, exp, sum, scale), so GFLOP/s here is a throughput measure, comparable between contestants only.`,
    'ours: softmax_rows_f32 (scale 1, no masks), x and y in our memory.',
    'ort: Softmax(axis=-1), opset 13; x copied in, y copied out per call.',
    'tfjs: tf.softmax(x) with x made once; per call the op plus dataSync().',
  ],
  cases(ctx): Case[] {
    return SHAPES.map(([rows, cols]) => ({
      label: `${rows}x${cols}`,
      flops: SOFTMAX_FLOPS_PER_ELEMENT * rows * cols,
      async setup() {
        const x = randomF32(rows * cols, rows + cols).map((v) => v * 8);
        const ours = oursFor(ctx, '', ['softmax_rows_f32'], ({ rt }) => {
          const px = rt.alloc(rows * cols * 4), py = rt.alloc(rows * cols * 4);
          rt.f32(px, rows * cols).set(x);
          const ex = rt.exports;
          return {
            run: () => ex.softmax_rows_f32(rows, cols, px, cols, py, cols, 0, 0, 0, 0, 0, 1, 0, 0),
            output: () => rt.f32(py, rows * cols).slice(),
            dispose: () => { rt.free(px); rt.free(py); },
          };
        });
        const g = new GraphBuilder('softmax');
        g.input('x', [rows, cols]);
        g.node('Softmax', ['x'], ['y'], { axis: -1 });
        g.output('y', [rows, cols]);
        const ort = await ortContestants(ctx, g.model({ opset: 13 }), 'x', x, [rows, cols], 'y');
        const tfjs = tfContestant(ctx, (tf) => [tf.tensor2d(x, [rows, cols])], (tf, [tx]) => tf.softmax(tx));
        return join(ours, ort, tfjs);
      },
      tolerance: 1e-4,
    }));
  },
};
