// Fused scaled dot-product attention (sdpa_f32, online softmax) against onnxruntime-web's attention graphs, plus the
// GEMM reference case the 80% goal is measured against.
import { GraphBuilder } from '../peers/onnx_model.ts';
import { join, ortGraphs, oursFor, type OrtGraph } from '../contestants.ts';
import { randomF32 } from '../rng.ts';
import type { BenchContext, Case, Suite } from '../suite.ts';

/** [N, H (query heads), Hkv (key/value heads), L, S, E] and the goal (speedup over the faster ORT graph), if any. */
type Shape = [number, number, number, number, number, number];
const SHAPES: { shape: Shape; goal: string; ort: boolean }[] = [
  { shape: [1, 1, 1, 4096, 4096, 64], goal: '>=0.8 gemm', ort: false },
  { shape: [1, 8, 8, 1024, 1024, 64], goal: '>=1.5x', ort: true },
  { shape: [1, 32, 8, 1024, 1024, 128], goal: '>=1.5x', ort: true },
];

const flopsOf = ([N, H, , L, S, E]: Shape) => 4 * N * H * L * S * E;

/**
 * Our kernel, one call per (batch, head) from a JS loop, on [N, L, H·E] inputs (the layout of a model's projections:
 * head h is a column slice, row stride H·E) and K/V [N, S, Hkv·E]; query head h reads key/value head h / (H / Hkv).
 * Output [N, L, H·E].
 */
function ours(ctx: BenchContext, [N, H, Hkv, L, S, E]: Shape, q: Float32Array, k: Float32Array, v: Float32Array) {
  return oursFor(ctx, '', ['sdpa_f32', 'sdpa_scratch_size_f32'], ({ rt }) => {
    const ex = rt.exports;
    const pq = rt.alloc(q.length * 4), pk = rt.alloc(k.length * 4), pv = rt.alloc(v.length * 4), po = rt.alloc(q.length * 4);
    rt.f32(pq, q.length).set(q); rt.f32(pk, k.length).set(k); rt.f32(pv, v.length).set(v);
    const ps = rt.alloc(Math.max(1, ex.sdpa_scratch_size_f32(L, S, E, E)) * 4);
    const ldq = H * E, ldk = Hkv * E, group = H / Hkv, scale = 1 / Math.sqrt(E);
    return {
      run: () => {
        for (let n = 0; n < N; n++) {
          for (let h = 0; h < H; h++) {
            const kh = Math.floor(h / group);
            const qo = 4 * (n * L * ldq + h * E), ko = 4 * (n * S * ldk + kh * E);
            ex.sdpa_f32(L, S, E, E, pq + qo, ldq, pk + ko, ldk, pv + ko, ldk, po + qo, ldq, 0, 0, 0, 0, scale, 0, 0, ps);
          }
        }
      },
      output: () => rt.f32(po, q.length).slice(),
      dispose: () => [pq, pk, pv, po, ps].forEach((p) => rt.free(p)),
    };
  });
}

/** The standard-ops graph: heads split by Reshape/Transpose, MatMul Q·Kᵀ (grouped heads by broadcasting), Mul
 *  1/√E, Softmax, MatMul with V, merged back. Inputs q [N, L, H·E], k, v [N, S, Hkv·E]; output y [N, L, H·E]. */
function standardGraph([N, H, Hkv, L, S, E]: Shape): Uint8Array {
  const g = new GraphBuilder('sdpa_standard');
  const G = H / Hkv;
  g.input('q', [N, L, H * E]); g.input('k', [N, S, Hkv * E]); g.input('v', [N, S, Hkv * E]);
  g.initializer('q_shape', [N, L, Hkv, G, E], [5], 'INT64');
  g.initializer('kv_shape', [N, S, Hkv, 1, E], [5], 'INT64');
  g.initializer('y_shape', [N, L, H * E], [3], 'INT64');
  g.initializer('scale', new Float32Array([1 / Math.sqrt(E)]), []);
  const [q5] = g.node('Reshape', ['q', 'q_shape'], ['q5']);
  const [qh] = g.node('Transpose', [q5], ['qh'], { perm: [0, 2, 3, 1, 4] });          // [N, Hkv, G, L, E]
  const [k5] = g.node('Reshape', ['k', 'kv_shape'], ['k5']);
  const [kt] = g.node('Transpose', [k5], ['kt'], { perm: [0, 2, 3, 4, 1] });          // [N, Hkv, 1, E, S]
  const [v5] = g.node('Reshape', ['v', 'kv_shape'], ['v5']);
  const [vh] = g.node('Transpose', [v5], ['vh'], { perm: [0, 2, 3, 1, 4] });          // [N, Hkv, 1, S, E]
  const [s0] = g.node('MatMul', [qh, kt], ['s0']);
  const [s] = g.node('Mul', [s0, 'scale'], ['s']);
  const [p] = g.node('Softmax', [s], ['p'], { axis: -1 });
  const [o] = g.node('MatMul', [p, vh], ['o']);                                       // [N, Hkv, G, L, E]
  const [ot] = g.node('Transpose', [o], ['ot'], { perm: [0, 3, 1, 2, 4] });           // [N, L, Hkv, G, E]
  g.node('Reshape', [ot, 'y_shape'], ['y']);
  g.output('y', [N, L, H * E]);
  return g.model({ opset: 17 });
}

/** com.microsoft MultiHeadAttention (ORT's fused attention kernel; equal head counts only): q [N, L, H·E], k, v
 *  [N, S, H·E], num_heads = H, default scale 1/√E; output [N, L, H·E]. */
function mhaGraph([N, H, , L, S, E]: Shape): Uint8Array {
  const g = new GraphBuilder('sdpa_mha');
  g.input('q', [N, L, H * E]); g.input('k', [N, S, H * E]); g.input('v', [N, S, H * E]);
  g.node('MultiHeadAttention', ['q', 'k', 'v'], ['y'], { num_heads: H }, { domain: 'com.microsoft' });
  g.output('y', [N, L, H * E]);
  return g.model({ opset: 17 });
}

/** ONNX Attention (opset 23), which takes grouped heads (q_num_heads, kv_num_heads) on 3-D inputs. */
function attention23Graph([N, H, Hkv, L, S, E]: Shape): Uint8Array {
  const g = new GraphBuilder('sdpa_attention23');
  g.input('q', [N, L, H * E]); g.input('k', [N, S, Hkv * E]); g.input('v', [N, S, Hkv * E]);
  g.node('Attention', ['q', 'k', 'v'], ['y'], { q_num_heads: H, kv_num_heads: Hkv });
  g.output('y', [N, L, H * E]);
  return g.model({ opset: 23, irVersion: 10 });
}

export const suite: Suite = {
  name: 'sdpa',
  title: 'Fused attention sdpa_f32 (N x H x Hkv x L x S x E; goal in the label)',
  notes: [
    'flops = 4·N·H·L·S·E (Q·Kᵀ and P·V; softmax not counted).',
    'ours: sdpa_f32 (online softmax, no L x S buffer) called once per (batch, head) from a JS loop; q, out [N, L, H·E], k, v [N, S, Hkv·E] already in our memory (head h is a column slice, query head h uses key/value head h / (H / Hkv)); scale 1/√E, no mask; scratch allocated once in setup.',
    'ort standard: Reshape/Transpose to heads, MatMul Q·Kᵀ (grouped heads by broadcasting), Mul 1/√E, Softmax, MatMul with V, Transpose/Reshape back, opset 17. ort mha: com.microsoft MultiHeadAttention (equal head counts). ort attention23: ONNX Attention (opset 23, q_num_heads / kv_num_heads), where onnxruntime-web supports it. Inputs fed per call as new tensors, output copied out.',
    '"gemm ref" case: our gemm_f32_packed_b at 2048x1024x1024 (the same flops as the 4096 case, B packed in setup), the rate the 0.8 goal of the 4096 case refers to.',
  ],
  cases(ctx): Case[] {
    const cases: Case[] = SHAPES.map(({ shape, goal, ort }) => {
      const [N, H, Hkv, L, S, E] = shape;
      return {
        label: `${N}x${H}x${Hkv}x${L}x${S}x${E} ${goal}`,
        flops: flopsOf(shape),
        async setup() {
          const q = randomF32(N * L * H * E, 1 + L + E), k = randomF32(N * S * Hkv * E, 2 + S + E), v = randomF32(N * S * Hkv * E, 3 + S + E);
          const graphs: OrtGraph[] = !ort ? [] : [
            { name: 'ort standard', model: () => standardGraph(shape) },
            ...(H === Hkv ? [{ name: 'ort mha', model: () => mhaGraph(shape) }] : []),
            { name: 'ort attention23', model: () => attention23Graph(shape) },
          ];
          const feeds = { q: { data: q, dims: [N, L, H * E] }, k: { data: k, dims: [N, S, Hkv * E] }, v: { data: v, dims: [N, S, Hkv * E] } };
          const peers = graphs.length ? await ortGraphs(ctx, graphs, feeds, 'y') : { contestants: [], dispose() {} };
          return join(ours(ctx, shape, q, k, v), peers);
        },
        tolerance: 1e-4,
      };
    });
    const [m, kk, n] = [2048, 1024, 1024];
    cases.splice(1, 0, {
      label: `gemm ref ${m}x${kk}x${n}`,
      flops: 2 * m * kk * n,
      async setup() {
        const a = randomF32(m * kk, 5), b = randomF32(kk * n, 6);
        return oursFor(ctx, ' gemm', ['gemm_f32_packed_b'], ({ rt }) => {
          const ex = rt.exports;
          const pa = rt.alloc(m * kk * 4), pb = rt.alloc(kk * n * 4), pc = rt.alloc(m * n * 4);
          rt.f32(pa, m * kk).set(a); rt.f32(pb, kk * n).set(b);
          const pp = rt.alloc(ex.packed_b_size_f32(kk, n) * 4);
          ex.pack_b_f32(kk, n, pb, n, pp, 0);
          const ps = rt.alloc(ex.gemm_scratch_size_f32(m, n, kk) * 4);
          return {
            run: () => ex.gemm_f32_packed_b(m, n, kk, 0, m, 0, n, pa, kk, pp, pc, n, 0, 0, ps),
            dispose: () => [pa, pb, pc, pp, ps].forEach((p) => rt.free(p)),
          };
        });
      },
    });
    return cases;
  },
};
