// GELU, elementwise over n values: the exact erf form (torch approximate='none', the Transformer's 'gelu') and the
// tanh form (approximate='tanh').
import { GraphBuilder } from '../peers/onnx_model.ts';
import { join, ortGraphs, oursFor, tfContestant } from '../contestants.ts';
import { randomF32 } from '../rng.ts';
import type { Case, Suite } from '../suite.ts';

const SIZES: [number, string][] = [[1 << 16, '64K'], [1 << 20, '1M']];
const FORMS = ['exact', 'tanh'] as const;

/** A one-node graph x [n] -> y [n]. */
function geluGraph(n: number, op: string, attrs: Record<string, string>, domain: string, opset: number): Uint8Array {
  const g = new GraphBuilder(`gelu_${op}`);
  g.input('x', [n]);
  g.node(op, ['x'], ['y'], attrs, { domain });
  g.output('y', [n]);
  // opset 20 needs IR version 9
  return g.model({ opset, irVersion: opset >= 19 ? 9 : 8 });
}

export const suite: Suite = {
  name: 'gelu',
  title: 'GELU, elementwise, exact (erf) and tanh forms (form n)',
  notes: [
    'Elementwise, so no flop count: the table shows milliseconds per call.',
    'ours: gelu_f32 (exact: 0.5x(1 + erf(x/√2))) or gelu_tanh_f32 (0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))), x and y in our memory; x ~ U(-4, 4).',
    'ort: the standard Gelu op (opset 20, approximate "none" or "tanh"); ort contrib: com.microsoft Gelu (exact) or FastGelu (tanh form). x copied in, y copied out per call.',
    'tfjs (composed): tfjs-core 4.22 has no GELU op, so the formula in tfjs ops (tf.erf, or tf.tanh and tf.pow), in tf.tidy; per call the ops plus dataSync().',
  ],
  cases(ctx): Case[] {
    return SIZES.flatMap(([n, size]) => FORMS.map((form): Case => ({
      label: `${form} ${size}`,
      flops: 0,
      async setup() {
        const x = randomF32(n, 41 + n).map((v) => 4 * v);
        const kernel = form === 'exact' ? 'gelu_f32' : 'gelu_tanh_f32';
        const ours = oursFor(ctx, '', [kernel], ({ rt }) => {
          const px = rt.alloc(n * 4), py = rt.alloc(n * 4);
          rt.f32(px, n).set(x);
          const fn = rt.exports[kernel];
          return {
            run: () => fn(n, px, py),
            output: () => rt.f32(py, n).slice(),
            dispose: () => { rt.free(px); rt.free(py); },
          };
        });
        const feeds = { x: { data: x, dims: [n] } };
        const ort = await ortGraphs(ctx, [{ name: 'ort', model: () => geluGraph(n, 'Gelu', { approximate: form === 'exact' ? 'none' : 'tanh' }, '', 20) }], feeds, 'y', { reuse: true });
        const contrib = await ortGraphs(ctx, [{ name: 'ort contrib', model: () => geluGraph(n, form === 'exact' ? 'Gelu' : 'FastGelu', {}, 'com.microsoft', 17) }], feeds, 'y');
        const tfjs = tfContestant(ctx, (tf) => [tf.tensor1d(x)], (tf, [tx]) => tf.tidy(() => {
          const inner = form === 'exact'
            ? tf.erf(tf.mul(tx, Math.SQRT1_2))
            : tf.tanh(tf.mul(tf.add(tx, tf.mul(tf.pow(tx, 3), 0.044715)), Math.sqrt(2 / Math.PI)));
          return tf.mul(tf.mul(tx, 0.5), tf.add(inner, 1));
        }), 'tfjs (composed)');
        return join(ours, ort, contrib, tfjs);
      },
      tolerance: 1e-5,
    })));
  },
};
