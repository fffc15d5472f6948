// One nn.TransformerEncoderLayer (post-norm, relu, dim_feedforward 4E, eps 1e-5, batch first, eval) against
// onnxruntime-web running the equivalent ONNX graphs (bench/peers/ort_graphs.ts) with the same weights, and, for
// the decode step (L = 1), against the weight-read floor: the time to stream the layer's packed weights once.
import { Transformer, type Runtime, type Tensor } from '../../bindings/index.ts';
import { encoderLayerGraph, encoderParamShapes } from '../peers/ort_graphs.ts';
import { join, ortGraphs, oursFor } from '../contestants.ts';
import { weightReadFloor } from '../probes/read_floor.ts';
import { randomF32, randomStateDict } from '../rng.ts';
import type { Case, OurBuild, Suite } from '../suite.ts';
import { bothBuilds, goal, mhaFlops, mhaWeightBytes } from './mha.ts';

// [N, L, E, H]
const SHAPES: [number, number, number, number][] = [[1, 1, 512, 8], [1, 16, 512, 8], [1, 128, 512, 8], [1, 128, 256, 4]];

const flopsOf = (N: number, L: number, E: number, H: number, F: number) => mhaFlops(N, L, E, H) + 2 * 2 * N * L * E * F;

/** Bytes of the layer's weights as our build holds them: the four GEMM weights packed (pack_b_f32), biases, norms. */
function weightBytes(b: OurBuild, E: number, F: number): number {
  const ps = (k: number, n: number) => b.rt.exports.packed_b_size_f32(k, n);
  return mhaWeightBytes(b, E) + 4 * (ps(E, F) + ps(F, E) + F + E + 4 * E);
}

export const suite: Suite = {
  name: 'encoder',
  title: 'TransformerEncoderLayer, post-norm, relu, dim_feedforward 4E (N x L x E x heads; goal = our target speedup over the faster ORT graph)',
  notes: [
    'flops = MultiHead flops (see mha) + 2·N·L·E·4E·2 (feed-forward); LayerNorm, residual adds and relu not counted.',
    'ours: enc.forward(x) (Transformer, batchFirst), x a Tensor already in our memory, output left in our memory.',
    'ort standard / ort contrib: the self-attention as in the mha suite (standard ops / com.microsoft Attention), then Add + LayerNormalization (opset 17), MatMul+Add, Relu, MatMul+Add, Add + LayerNormalization; weights as initializers; session.run per call as in mha.',
    'goal: >= 3x at L = 1, >= 1.5x for L >= 16 (in the case label).',
    '"floor" case (L = 1): the only peer there is "weight-read floor", a read-only probe (hand-assembled wasm: 4 f32x4 accumulators, 64 bytes per iteration, nothing written) streaming a buffer of our memory of the same byte size as the layer\'s packed weights (+ biases, norms) once per call. Its "vs best peer" column = floor time / our time: the goal "within 1.5x of the floor" means >= 0.67x there. GFLOP/s of the floor row = layer flops at the floor\'s time.',
  ],
  cases(ctx): Case[] {
    const cases: Case[] = SHAPES.map(([N, L, E, H]) => {
      const F = 4 * E;
      return {
        label: `${N}x${L}x${E}x${H} >=${goal(L)}x`,
        flops: flopsOf(N, L, E, H, F),
        async setup() {
          const sd = randomStateDict(encoderParamShapes(E, F), 21 + E + H);
          const x = randomF32(N * L * E, 5 + N + L + E);
          const ours = oursEncoder(ctx, sd, x, N, L, E, H, F);
          const ort = await ortGraphs(ctx, bothBuilds((build) => encoderLayerGraph(sd, { E, H, F, build })), { x: { data: x, dims: [N, L, E] } }, 'y');
          return join(ours, ort);
        },
        tolerance: 1e-4,
      };
    });
    // the weight-read floor for the decode step
    for (const [N, L, E, H] of SHAPES.filter(([, l]) => l === 1)) {
      const F = 4 * E;
      cases.push({
        label: `${N}x${L}x${E}x${H} floor`,
        flops: flopsOf(N, L, E, H, F),
        async setup() {
          const sd = randomStateDict(encoderParamShapes(E, F), 21 + E + H);
          const x = randomF32(N * L * E, 5 + N + L + E);
          const ours = oursEncoder(ctx, sd, x, N, L, E, H, F);
          return join(ours, weightReadFloor(ctx, (b) => weightBytes(b, E, F)));
        },
      });
    }
    return cases;
  },
};

/** Our timed call: one TransformerEncoderLayer (batch first, post-norm, relu) on x [N, L, E]; also used by the
 *  threads suite. */
export function encoderCall(rt: Runtime, sd: Record<string, Float32Array>, x: Float32Array, N: number, L: number, E: number,
                            H: number, F: number): { run: () => void; output: () => Float32Array; dispose: () => void } {
  const enc = new Transformer(rt, { dModel: E, nhead: H, dimFeedforward: F, batchFirst: true }).loadStateDict(sd);
  const t = rt.tensor(x, [N, L, E]);
  let out: Tensor | null = null;
  return {
    run: () => { out = enc.forward(t); },
    output: () => out!.toArray(),
    dispose: () => { t.dispose(); enc.dispose(); },
  };
}

function oursEncoder(ctx: Parameters<Suite['cases']>[0], sd: Record<string, Float32Array>, x: Float32Array,
                     N: number, L: number, E: number, H: number, F: number) {
  return oursFor(ctx, '', ['gemm_f32_packed_b', 'layernorm_f32'], ({ rt }) => encoderCall(rt, sd, x, N, L, E, H, F));
}
