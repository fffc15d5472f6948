// MultiHead self-attention (nn.MultiheadAttention, batch first, eval) against onnxruntime-web running the equivalent
// ONNX graphs (bench/peers/ort_graphs.ts) with the same weights. Also exports the helpers the encoder suite shares.
import { MultiHead, type Runtime, type Tensor } from '../../bindings/index.ts';
import { mhaGraph, mhaParamShapes, type AttentionBuild, type StateDict } from '../peers/ort_graphs.ts';
import { join, ortGraphs, oursFor, type OrtGraph } from '../contestants.ts';
import { weightReadFloor } from '../probes/read_floor.ts';
import { randomF32, randomStateDict } from '../rng.ts';
import type { Case, OurBuild, Suite } from '../suite.ts';

// [N, L, E, H] and the goal for our speedup over the faster ORT graph
const SHAPES: [number, number, number, number][] = [
  [1, 1, 256, 4], [1, 16, 256, 4], [1, 128, 256, 4], [1, 128, 512, 8], [8, 128, 256, 4], [1, 512, 512, 8],
];

/** The speedup we aim for over the faster ORT graph: 3x for a decode step (L = 1), 1.5x from L = 16 on. */

/** Our timed call: MultiHead self-attention on x [N, L, E] (batch first, no weights); also used by the threads suite. */
export function mhaCall(rt: Runtime, sd: StateDict, x: Float32Array, N: number, L: number, E: number, H: number):
    { run: () => void; output: () => Float32Array; dispose: () => void } {
  const mha = new MultiHead(rt, { embedDim: E, numHeads: H, batchFirst: true }).loadStateDict(sd);
  const t = rt.tensor(x, [N, L, E]);
  let out: Tensor | null = null;
  return {
    run: () => { out = mha.forward(t, t, t, { needWeights: false }).output; },
    output: () => out!.toArray(),
    dispose: () => { t.dispose(); mha.dispose(); },
  };
}

export const goal = (L: number): number => (L === 1 ? 3 : 1.5);

/** The two ORT graphs of an attention module ('ort standard', 'ort contrib'), input 'x', output 'y'. */
export function bothBuilds(make: (build: AttentionBuild) => Uint8Array): OrtGraph[] {
  return [
    { name: 'ort standard', model: () => make('standard') },
    { name: 'ort contrib', model: () => make('contrib') },
  ];
}

export const suite: Suite = {
  name: 'mha',
  title: 'MultiHead self-attention, batch first (N x L x E x heads; goal = our target speedup over the faster ORT graph)',
  notes: [
    'flops = 2·N·L·E·3E (in-projection) + 2·N·H·L·L·hd·2 (scores and mixing) + 2·N·L·E·E (out-projection).',
    'ours: mha.forward(x, x, x, { needWeights: false }) with batchFirst, x a Tensor already in our memory, output left in our memory (a Tensor view, no copy).',
    'ort standard: standard ONNX ops (MatMul in-projection [E,3E] + Add, Split, Reshape/Transpose to heads, MatMul Q·Kᵀ, Mul 1/√hd, Softmax, MatMul, Transpose/Reshape back, MatMul + Add out-projection), opset 17.',
    'ort contrib: com.microsoft Attention (fused QKV weight [E,3E], bias [3E], num_heads) + MatMul/Add out-projection.',
    'ort: session.run per call with a new ort.Tensor over the same JS input (copied into ORT\'s heap), output copied out; weights are initializers. "vs best peer" uses the faster ORT graph.',
    'goal: our speedup over the faster ORT graph >= 3x at L = 1, >= 1.5x for L >= 16 (in the case label).',
    '"floor" case (L = 1): the only peer there is "weight-read floor" (see the encoder suite) over the byte size of the module\'s packed in- and out-projection weights and biases: no implementation that reads its weights once per call can beat it. "vs best peer" = floor time / our time.',
  ],
  cases(ctx): Case[] {
    const oursMha = (sd: StateDict, x: Float32Array, N: number, L: number, E: number, H: number) =>
      oursFor(ctx, '', ['gemm_f32_packed_b', 'softmax_rows_f32'], ({ rt }) => mhaCall(rt, sd, x, N, L, E, H));
    const cases: Case[] = SHAPES.map(([N, L, E, H]) => ({
      label: `${N}x${L}x${E}x${H} >=${goal(L)}x`,
      flops: mhaFlops(N, L, E, H),
      async setup() {
        const sd = randomStateDict(mhaParamShapes(E), 11 + E + H);
        const x = randomF32(N * L * E, 3 + N + L + E);
        const ort = await ortGraphs(ctx, bothBuilds((build) => mhaGraph(sd, { E, H, build })), { x: { data: x, dims: [N, L, E] } }, 'y');
        return join(oursMha(sd, x, N, L, E, H), ort);
      },
      tolerance: 1e-4,
    }));
    // the weight-read floor for the decode step
    for (const [N, L, E, H] of SHAPES.filter(([, l]) => l === 1)) {
      cases.push({
        label: `${N}x${L}x${E}x${H} floor`,
        flops: mhaFlops(N, L, E, H),
        async setup() {
          const sd = randomStateDict(mhaParamShapes(E), 11 + E + H);
          const x = randomF32(N * L * E, 3 + N + L + E);
          return join(oursMha(sd, x, N, L, E, H), weightReadFloor(ctx, (b) => mhaWeightBytes(b, E)));
        },
      });
    }
    return cases;
  },
};

/** Flops of one self-attention forward (see the suite's notes). */
export const mhaFlops = (N: number, L: number, E: number, H: number): number =>
  2 * N * L * E * 3 * E + 2 * N * H * L * L * (E / H) * 2 + 2 * N * L * E * E;

/** Bytes of the self-attention weights as our build holds them: in- and out-projection packed (pack_b_f32), biases. */
export function mhaWeightBytes(b: OurBuild, E: number): number {
  const ps = (k: number, n: number) => b.rt.exports.packed_b_size_f32(k, n);
  return 4 * (ps(E, 3 * E) + ps(E, E) + 3 * E + E);
}
