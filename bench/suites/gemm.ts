// GEMM: C[m,n] = A[m,k] · B[k,n], B constant (the weights of a Linear layer), A new every call.
import { GraphBuilder } from '../peers/onnx_model.ts';
import { join, ortContestants, oursFor, tfContestant } from '../contestants.ts';
import { randomF32 } from '../rng.ts';
import type { Case, Suite } from '../suite.ts';

const SHAPES: [number, number, number][] = [
  [1, 512, 512], [16, 512, 512], [128, 512, 512], [512, 512, 512], [128, 768, 3072], [256, 64, 256],
];

export const suite: Suite = {
  name: 'gemm',
  title: 'GEMM C[m,n] = A[m,k]·B[k,n], B constant (m x k x n)',
  notes: [
    'flops = 2·m·k·n.',
    'ours: B packed once with pack_b_f32 (setup), then gemm_f32_packed_b per call (scratch allocated once in setup); "unpacked" = gemm_f32 on row-major B. A already in our memory, C stays there.',
    'ort: MatMul graph with B as an initializer; A fed as a tensor per call (copied in), C copied out; includes session.run overhead.',
    'tfjs: tf.matMul(a, b) with a and b made once; per call the op plus dataSync() of C.',
  ],
  cases(ctx): Case[] {
    return SHAPES.map(([m, k, n]) => ({
      label: `${m}x${k}x${n}`,
      flops: 2 * m * k * n,
      async setup() {
        const a = randomF32(m * k, 1 + m + k), b = randomF32(k * n, 2 + k + n);
        const packed = oursFor(ctx, '', ['pack_b_f32', 'packed_b_size_f32', 'gemm_f32_packed_b'], ({ rt }) => {
          const ex = rt.exports;
          const pa = rt.alloc(m * k * 4), pb = rt.alloc(k * n * 4), pc = rt.alloc(m * n * 4);
          rt.f32(pa, m * k).set(a);
          rt.f32(pb, k * n).set(b);
          const pp = rt.alloc(ex.packed_b_size_f32(k, n) * 4);
          ex.pack_b_f32(k, n, pb, n, pp, 0);
          const ps = rt.alloc(ex.gemm_scratch_size_f32(m, n, k) * 4);
          return {
            run: () => ex.gemm_f32_packed_b(m, n, k, 0, m, 0, n, pa, k, pp, pc, n, 0, 0, ps),
            output: () => rt.f32(pc, m * n).slice(),
            dispose: () => [pa, pb, pc, pp, ps].forEach((p) => rt.free(p)),
          };
        });
        const unpacked = oursFor(ctx, ' unpacked', ['gemm_f32'], ({ rt }) => {
          const ex = rt.exports;
          const pa = rt.alloc(m * k * 4), pb = rt.alloc(k * n * 4), pc = rt.alloc(m * n * 4);
          rt.f32(pa, m * k).set(a);
          rt.f32(pb, k * n).set(b);
          const ps = rt.alloc(ex.gemm_scratch_size_f32(m, n, k) * 4);
          return {
            run: () => ex.gemm_f32(m, n, k, 0, m, 0, n, pa, k, pb, n, pc, n, 0, 0, ps),
            output: () => rt.f32(pc, m * n).slice(),
            dispose: () => [pa, pb, pc, ps].forEach((p) => rt.free(p)),
          };
        });
        const g = new GraphBuilder('gemm');
        g.input('A', [m, k]);
        g.initializer('B', b, [k, n]);
        g.node('MatMul', ['A', 'B'], ['C']);
        g.output('C', [m, n]);
        const ort = await ortContestants(ctx, g.model({ opset: 17 }), 'A', a, [m, k], 'C');
        const tfjs = tfContestant(ctx, (tf) => [tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])], (tf, [ta, tb]) => tf.matMul(ta, tb));
        // cross-check tolerance grows with k (f32 sums of k products of values in [-1, 1))
        return join(packed, unpacked, ort, tfjs);
      },
      tolerance: 1e-4 * Math.sqrt(k),
    }));
  },
};
