// Seq2SeqEncoder, BahdanauDecoder, LuongDecoder and greedyDecode against the float64 reference written from d2l's
// decoder loop and Luong's equations (tests/reference/seq2seq.ts): both builds, awkward sizes, batches with different
// validLens, 1e-5 absolute; stepping equals the whole-sequence forward; d2l zh and en state-dict names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BahdanauDecoder, LuongDecoder, Seq2SeqEncoder, greedyDecode, type Runtime } from '../../bindings/index.ts';
import { VARIANTS, runtime, rng, uniform, assertClose } from '../support/util.ts';
import { pick, randomParams, expectError, type Rand } from '../support/module_helpers.ts';
import {
  bahdanauDecoderRef, bahdanauParamShapes, greedyRef, luongDecoderRef, luongParamShapes, permuteTB, rnnParamShapes, seq2seqEncoderRef,
  type LuongConfig, type Seq2SeqConfig,
} from '../reference/seq2seq.ts';

const ATOL = 1e-5;
const ids = (r: Rand, n: number, V: number) => Array.from({ length: n }, () => Math.floor(r() * V));
const lensFor = (r: Rand, B: number, S: number) => (r() < 0.7 ? Array.from({ length: B }, () => 1 + Math.floor(r() * S)) : null);

function encoderParams(r: Rand, c: Seq2SeqConfig): Record<string, Float32Array> {
  return randomParams(r, { 'embedding.weight': [c.vocabSize, c.embedSize],
    ...rnnParamShapes({ mode: 'GRU', inputSize: c.embedSize, hiddenSize: c.numHiddens, numLayers: c.numLayers }, 'rnn.') });
}

function bahdanau(rt: Runtime, c: Seq2SeqConfig) {
  return new BahdanauDecoder(rt, { vocabSize: c.vocabSize, embedSize: c.embedSize, numHiddens: c.numHiddens, numLayers: c.numLayers });
}

for (const variant of VARIANTS) {
  test(`Seq2SeqEncoder + BahdanauDecoder match d2l's loop; step = forward (${variant})`, async () => {
    const rt = await runtime(variant);
    const r = rng(21);
    for (let it = 0; it < 10; it++) {
      const c: Seq2SeqConfig = { vocabSize: pick(r, [3, 10, 17]), embedSize: pick(r, [1, 4, 9]), numHiddens: pick(r, [1, 5, 8, 16]), numLayers: pick(r, [1, 2, 3]) };
      const B = pick(r, [1, 2, 3]), S = pick(r, [1, 4, 7]), Td = pick(r, [1, 3, 5]);
      const encSd = encoderParams(r, c), decSd = randomParams(r, bahdanauParamShapes(c));
      const enc = new Seq2SeqEncoder(rt, c).loadStateDict(encSd);
      const dec = bahdanau(rt, c).loadStateDict(decSd);
      const src = ids(r, B * S, c.vocabSize), tgt = ids(r, B * Td, c.vocabSize), validLens = lensFor(r, B, S);
      const what = `${JSON.stringify(c)} B=${B} S=${S} Td=${Td} lens=${validLens}`;

      const wantEnc = seq2seqEncoderRef(c, encSd, src, B, S);
      const e = enc.forward({ data: src, shape: [B, S] });
      assert.deepEqual([...e.outputs.shape], [S, B, c.numHiddens]);
      assertClose(e.outputs.toArray(), wantEnc.outputs, ATOL, 0, `encoder outputs ${what}`);
      assertClose(e.state.toArray(), wantEnc.state, ATOL, 0, `encoder state ${what}`);

      const want = bahdanauDecoderRef(c, decSd, wantEnc.outputs, S, B, wantEnc.state, validLens, tgt, Td);
      // whole sequence (teacher forcing)
      const st1 = dec.initState(e, validLens);
      const f = dec.forward({ data: tgt, shape: [B, Td] }, st1);
      assert.deepEqual([...f.logits.shape], [B, Td, c.vocabSize]);
      assert.deepEqual([...f.weights.shape], [B, Td, S]);
      assertClose(f.logits.toArray(), want.logits, ATOL, 0, `forward logits ${what}`);
      assertClose(f.weights.toArray(), want.weights, ATOL, 0, `forward weights ${what}`);
      assertClose(st1.hiddenState(), want.hidden, ATOL, 0, `forward final state ${what}`);
      assert.equal(st1.steps, Td);
      // step by step, from a second state of the same encoder outputs
      const st2 = dec.initState(e, validLens);
      const fLogits = f.logits.toArray(), fWeights = f.weights.toArray();
      for (let t = 0; t < Td; t++) {
        const s = dec.step(Array.from({ length: B }, (_, b) => tgt[b * Td + t]), st2);
        const V = c.vocabSize;
        for (let b = 0; b < B; b++) {
          assertClose(s.logits.toArray().subarray(b * V, (b + 1) * V), fLogits.subarray((b * Td + t) * V, (b * Td + t + 1) * V), 1e-6, 0, `step ${t} logits ${what}`);
          assertClose(s.weights.toArray().subarray(b * S, (b + 1) * S), fWeights.subarray((b * Td + t) * S, (b * Td + t + 1) * S), 1e-6, 0, `step ${t} weights ${what}`);
        }
      }
      st1.dispose(); st2.dispose(); enc.dispose(); dec.dispose();
    }
  });

  test(`LuongDecoder matches Luong's equations, every score and layout; step = forward (${variant})`, async () => {
    const rt = await runtime(variant);
    const r = rng(22);
    for (let it = 0; it < 18; it++) {
      const c: LuongConfig = {
        vocabSize: pick(r, [2, 9, 13]), embedSize: pick(r, [1, 3, 8]), hiddenSize: pick(r, [1, 4, 7, 16]), numLayers: pick(r, [1, 2]),
        cell: pick(r, ['LSTM', 'GRU'] as const), score: (['dot', 'general', 'concat'] as const)[it % 3], inputFeeding: r() < 0.6,
        concatOrder: pick(r, ['context_first', 'hidden_first'] as const), attnBias: r() < 0.5, outBias: r() < 0.7,
      };
      const B = pick(r, [1, 2, 4]), S = pick(r, [1, 3, 6]), Td = pick(r, [1, 2, 4]), h = c.hiddenSize, L = c.numLayers;
      const sd = randomParams(r, luongParamShapes(c));
      const dec = new LuongDecoder(rt, { vocabSize: c.vocabSize, embedSize: c.embedSize, hiddenSize: h, numLayers: L, cell: c.cell, score: c.score,
        inputFeeding: c.inputFeeding, concatOrder: c.concatOrder, attentionBias: c.attnBias, outputBias: c.outBias }).loadStateDict(sd);
      const encTB = uniform(r, S * B * h);                     // (S, B, h) as an encoder returns it
      const h0 = r() < 0.5 ? uniform(r, L * B * h) : null, c0 = h0 && c.cell === 'LSTM' && r() < 0.7 ? uniform(r, L * B * h) : null;
      const validLens = lensFor(r, B, S), tgt = ids(r, B * Td, c.vocabSize);
      const what = `${JSON.stringify(c)} B=${B} S=${S} Td=${Td} lens=${validLens} h0=${!!h0} c0=${!!c0}`;
      const want = luongDecoderRef(c, sd, permuteTB(encTB, S, B, h), B, S, validLens, h0, c0, tgt, Td);
      const encIn = { outputs: { data: encTB, shape: [S, B, h] }, ...(h0 ? { state: { data: h0, shape: [L, B, h] } } : {}),
        ...(c0 ? { cell: { data: c0, shape: [L, B, h] } } : {}) };
      const st = dec.initState(encIn, validLens);
      const f = dec.forward({ data: tgt, shape: [B, Td] }, st);
      assertClose(f.logits.toArray(), want.logits, ATOL, 0, `logits ${what}`);
      assertClose(f.probs.toArray(), want.probs, ATOL, 0, `probs ${what}`);
      assertClose(f.weights.toArray(), want.weights, ATOL, 0, `weights ${what}`);
      assertClose(st.hiddenState(), want.hidden, ATOL, 0, `hidden ${what}`);
      if (want.cell) assertClose(st.cellState()!, want.cell, ATOL, 0, `cell ${what}`);
      const fl = f.logits.toArray();
      const st2 = dec.initState(encIn, validLens);
      for (let t = 0; t < Td; t++) {
        const s = dec.step(Array.from({ length: B }, (_, b) => tgt[b * Td + t]), st2);
        const V = c.vocabSize;
        for (let b = 0; b < B; b++) {
          assertClose(s.logits.toArray().subarray(b * V, (b + 1) * V), fl.subarray((b * Td + t) * V, (b * Td + t + 1) * V), 1e-6, 0, `step ${t} ${what}`);
          assertClose(s.attentional.toArray().subarray(b * h, (b + 1) * h), want.attentional.subarray((b * Td + t) * h, (b * Td + t + 1) * h), ATOL, 0, `h̃ ${t} ${what}`);
        }
      }
      dec.dispose();
      assert.ok(st.isDisposed && st2.isDisposed, 'the decoder disposes its states');
    }
  });

  test(`greedyDecode follows d2l predict_seq2seq (${variant})`, async () => {
    const rt = await runtime(variant);
    const r = rng(23);
    const c: Seq2SeqConfig = { vocabSize: 11, embedSize: 6, numHiddens: 9, numLayers: 2 };
    const encSd = encoderParams(r, c), decSd = randomParams(r, bahdanauParamShapes(c));
    // make token 3 the argmax after a few steps sometimes: a large bias on it
    decSd['dense.bias'][3] += 0.8;
    const enc = new Seq2SeqEncoder(rt, c).loadStateDict(encSd);
    const dec = bahdanau(rt, c).loadStateDict(decSd);
    const B = 3, S = 5, src = ids(r, B * S, c.vocabSize), validLens = [5, 2, 4];
    const e = enc.forward({ data: src, shape: [B, S] });
    const res = greedyDecode(dec, dec.initState(e, validLens), { bos: 1, eos: 3, maxLength: 8 });
    const wantEnc = seq2seqEncoderRef(c, encSd, src, B, S);
    for (let b = 0; b < B; b++) {
      // the reference decodes each sequence alone (batch of one)
      const encB = new Float64Array(S * c.numHiddens), stB = new Float64Array(c.numLayers * c.numHiddens);
      for (let s = 0; s < S; s++) encB.set(wantEnc.outputs.subarray((s * B + b) * c.numHiddens, (s * B + b + 1) * c.numHiddens), s * c.numHiddens);
      for (let l = 0; l < c.numLayers; l++) stB.set(wantEnc.state.subarray((l * B + b) * c.numHiddens, (l * B + b + 1) * c.numHiddens), l * c.numHiddens);
      let hidden: ArrayLike<number> = stB;
      const want = greedyRef((tok) => {
        const o = bahdanauDecoderRef(c, decSd, encB, S, 1, hidden, [validLens[b]], [tok], 1);
        hidden = o.hidden;
        return { logits: o.logits, weights: o.weights.subarray(0, validLens[b]) };
      }, 1, 3, 8);
      assert.deepEqual(res.tokens[b], want.tokens, `sequence ${b} tokens`);
      assert.equal(res.stopped[b], want.weights.length > want.tokens.length || want.tokens.length < 8);
      assert.deepEqual(res.alignments[b].shape, [res.tokens[b].length + (res.stopped[b] ? 1 : 0), validLens[b]]);
      assertClose(res.alignments[b].data.subarray(0, want.weights.flat().length), want.weights.flat(), ATOL, 0, `alignment ${b}`);
    }
    enc.dispose(); dec.dispose();
  });
}

test('d2l names: zh (rnn.*) and en (rnn.rnn.* under encoder./decoder.) load the same model; errors; steady state', async () => {
  const rt = await runtime('simd');
  const before = rt.memoryStats().bytesInUse;
  const r = rng(24);
  const c: Seq2SeqConfig = { vocabSize: 7, embedSize: 3, numHiddens: 4, numLayers: 2 };
  const encSd = encoderParams(r, c), decSd = randomParams(r, bahdanauParamShapes(c));
  const en: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(encSd)) en[`encoder.${k.replace(/^rnn\./, 'rnn.rnn.')}`] = v;
  for (const [k, v] of Object.entries(decSd)) en[`decoder.${k}`] = v;
  const src = { data: [1, 2, 3, 4, 5, 6], shape: [2, 3] };
  const run = (eSd: Record<string, Float32Array>, dSd: Record<string, Float32Array>, p: { e?: string; d?: string }) => {
    const enc = new Seq2SeqEncoder(rt, c).loadStateDict(eSd, p.e ? { prefix: p.e } : undefined);
    const dec = new BahdanauDecoder(rt, c).loadStateDict(dSd, p.d ? { prefix: p.d } : undefined);
    const st = dec.initState(enc.forward(src), [3, 1]);
    const out = dec.forward([[0, 1], [2, 3]], st).logits.toArray();
    enc.dispose(); dec.dispose();
    return out;
  };
  assert.deepEqual(run(en, en, { e: 'encoder.', d: 'decoder.' }), run(encSd, decSd, {}));

  const enc = new Seq2SeqEncoder(rt, c).loadStateDict(encSd);
  const dec = new BahdanauDecoder(rt, c).loadStateDict(decSd);
  const e = enc.forward(src);
  expectError(() => enc.forward({ data: [1, 9], shape: [1, 2] }), [/Seq2SeqEncoder\.forward/, /tokens/, /vocabSize = 7/, /9/], 'id out of range');
  expectError(() => dec.initState({ outputs: e.outputs }), [/enc\.state/, /required/], 'no state');
  expectError(() => dec.initState(e, [1, 2, 3]), [/validLens/, /\[2\]/], 'lens');
  const st = dec.initState(e, [3, 2]);
  expectError(() => dec.step([1], st), [/BahdanauDecoder\.step/, /tokens/, /2/], 'batch');
  expectError(() => dec.loadStateDict({ ...decSd, 'dense.bias': new Float32Array(3) }), [/dense\.bias/, /7/], 'shape');
  // a failed load keeps the old weights
  const l1 = dec.step([1, 2], dec.initState(e, [3, 2])).logits.toArray();
  assert.deepEqual(dec.step([1, 2], dec.initState(e, [3, 2])).logits.toArray(), l1);
  // steady state: a decode loop allocates nothing
  dec.step([1, 2], st);
  const s0 = rt.memoryStats();
  for (let i = 0; i < 300; i++) dec.step([i % 7, 3], st);
  assert.deepEqual(rt.memoryStats(), s0);
  enc.dispose(); dec.dispose();
  expectError(() => dec.step([1, 2], st), [/after dispose/], 'disposed');
  assert.equal(rt.memoryStats().bytesInUse, before, 'every byte given back');
});
