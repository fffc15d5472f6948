// One nn.TransformerEncoderLayer (post-norm, relu, dim_feedforward 4E, eps 1e-5, batch first, eval) against
// onnxruntime-web running the equivalent ONNX graphs (tests/support/ort_graphs.ts) with the same weights, and, for
// the decode step (L = 1), against the weight-read floor: the time to stream the layer's packed weights once.
import { Transformer, type Tensor } from '../../bindings/index.ts';
import { encoderLayerGraph, encoderParamShapes } from '../../tests/support/ort_graphs.ts';
import { join, oursFor, randomF32 } from '../contestants.ts';
import type { Case, Contestant, OurBuild, Suite } from '../suite.ts';
import { bothBuilds, goal, ortGraphContestants, randomStateDict } from './mha.ts';

// [N, L, E, H]
const SHAPES: [number, number, number, number][] = [[1, 1, 512, 8], [1, 16, 512, 8], [1, 128, 512, 8], [1, 128, 256, 4]];

const flopsOf = (N: number, L: number, E: number, H: number, F: number) =>
  2 * N * L * E * 3 * E + 2 * N * H * L * L * (E / H) * 2 + 2 * N * L * E * E + 2 * 2 * N * L * E * F;

// ---------------------------------------------------------------------------------------------------------------
// Memory-read probe: a tiny hand-assembled wasm function over the runtime's own memory,
//   sum(p, n): four f32x4 accumulators, v128.load of 64 bytes per iteration, until p reaches p + 4n (n a multiple
//   of 16, n >= 16); returns lane 0 of the summed accumulators so the loads cannot be dropped.
// It reads every byte once and writes nothing, with far fewer operations per byte than a GEMV: a lower bound for
// any kernel that reads the same bytes once.

function uleb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

function readProbeBytes(): Uint8Array<ArrayBuffer> {
  const acc = (local: number, offset: number) => [
    0x20, local, 0x20, 0x00,                // local.get acc; local.get p
    0xfd, 0x00, 0x04, offset,               // v128.load align=16 offset
    0xfd, 0xe4, 0x01,                       // f32x4.add
    0x21, local,                            // local.set acc
  ];
  const code = [
    0x02, 0x01, 0x7f, 0x04, 0x7b,           // locals: end i32, 4 x v128
    0x20, 0x00, 0x20, 0x01, 0x41, 0x02, 0x74, 0x6a, 0x21, 0x02,   // end = p + (n << 2)
    0x03, 0x40,                             // loop
    ...acc(3, 0), ...acc(4, 16), ...acc(5, 32), ...acc(6, 48),
    0x20, 0x00, 0x41, 0xc0, 0x00, 0x6a, 0x22, 0x00,              // p = p + 64 (tee)
    0x20, 0x02, 0x49, 0x0d, 0x00,           // br_if (p < end) to the loop
    0x0b,                                   // end loop
    0x20, 0x03, 0x20, 0x04, 0xfd, 0xe4, 0x01, 0x20, 0x05, 0xfd, 0xe4, 0x01, 0x20, 0x06, 0xfd, 0xe4, 0x01,
    0xfd, 0x1f, 0x00,                       // f32x4.extract_lane 0
    0x0b,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7d]),             // type (i32, i32) -> f32
    ...section(2, [0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01]),       // import "e" "m" memory (min 1)
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x00]),             // export "sum"
    ...section(10, [0x01, ...uleb(code.length), ...code]),
  ]);
}

/** sum(p, n) over `b`'s linear memory. */
export function readProbe(b: OurBuild): (p: number, n: number) => number {
  const mod = new WebAssembly.Module(readProbeBytes());
  const inst = new WebAssembly.Instance(mod, { e: { m: b.rt.memory } });
  return inst.exports.sum as (p: number, n: number) => number;
}

/** Bytes of the layer's weights as our build holds them: the four GEMM weights packed (pack_b_f32), biases, norms. */
function weightBytes(b: OurBuild, E: number, F: number): number {
  const ps = (k: number, n: number) => b.rt.exports.packed_b_size_f32(k, n);
  return 4 * (ps(E, 3 * E) + ps(E, E) + ps(E, F) + ps(F, E) + 3 * E + E + F + E + 4 * E);
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
          const ort = await ortGraphContestants(ctx, bothBuilds((build) => encoderLayerGraph(sd, { E, H, F, build })), x, [N, L, E]);
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
          // the probe runs in the primary build's memory (any build: the probe is the same code)
          const b = ctx.builds.find((x) => x.primary) ?? ctx.builds[0];
          if (!b) return ours;
          const bytes = weightBytes(b, E, F);
          const n = Math.floor(bytes / 64) * 16;
          const p = b.rt.alloc(n * 4);
          b.rt.f32(p, n).set(randomF32(n, 99));
          const sum = readProbe(b);
          let sink = 0;
          const floor: Contestant = {
            name: `weight-read floor ${(bytes / 1048576).toFixed(1)} MiB`, kind: 'peer',
            run: () => { sink += sum(p, n); },
          };
          return join(ours, { contestants: [floor], dispose: () => { b.rt.free(p); if (sink === 0.5) console.log(sink); } });
        },
      });
    }
    return cases;
  },
};

function oursEncoder(ctx: Parameters<Suite['cases']>[0], sd: Record<string, Float32Array>, x: Float32Array,
                     N: number, L: number, E: number, H: number, F: number) {
  return oursFor(ctx, '', ['gemm_f32_packed_b', 'layernorm_f32'], ({ rt }) => {
    const enc = new Transformer(rt, { dModel: E, nhead: H, dimFeedforward: F, batchFirst: true }).loadStateDict(sd);
    const t = rt.tensor(x, [N, L, E]);
    let out: Tensor | null = null;
    return {
      run: () => { out = enc.forward(t); },
      output: () => out!.toArray(),
      dispose: () => { t.dispose(); enc.dispose(); },
    };
  });
}
