// HierarchicalAttention (Yang et al. 2016) against the float64 reference written from the paper's equations
// (tests/reference/seq2seq.ts hanRef): both builds, awkward sizes, documents with different sentence and word counts
// (packed-sequence semantics), 1e-5 absolute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HierarchicalAttention } from '../../bindings/index.ts';
import { VARIANTS, runtime, rng, uniform, assertClose } from '../support/util.ts';
import { pick, randomParams, expectError } from '../support/module_helpers.ts';
import { hanParamShapes, hanRef, type HanConfig } from '../reference/seq2seq.ts';

const ATOL = 1e-5;

for (const variant of VARIANTS) {
  test(`HierarchicalAttention matches the reference (${variant})`, async () => {
    const rt = await runtime(variant);
    const r = rng(31);
    for (let it = 0; it < 10; it++) {
      const c: HanConfig = {
        inputSize: pick(r, [1, 3, 8]), wordHidden: pick(r, [1, 4, 5]), sentenceHidden: pick(r, [2, 3, 8]),
        wordAttention: pick(r, [1, 6, 9]), sentenceAttention: pick(r, [2, 7]), numClasses: pick(r, [null, 3]),
      };
      const B = pick(r, [1, 2, 3]), S = pick(r, [1, 3, 4]), T = pick(r, [1, 5, 7]);
      const han = new HierarchicalAttention(rt, { ...c, numClasses: c.numClasses ?? undefined });
      const sd = randomParams(r, hanParamShapes(c));
      han.loadStateDict(sd);
      const x = uniform(r, B * S * T * c.inputSize);
      const sentenceLens = Array.from({ length: B }, () => 1 + Math.floor(r() * S));
      const wordLens = Array.from({ length: B * S }, () => 1 + Math.floor(r() * T));
      const res = han.forward({ data: x, shape: [B, S, T, c.inputSize] }, { wordLens, sentenceLens });
      const want = hanRef(c, sd, x, B, S, T, wordLens, sentenceLens);
      const what = `${JSON.stringify(c)} B=${B} S=${S} T=${T} sl=${sentenceLens} wl=${wordLens}`;
      assertClose(res.wordWeights.toArray(), want.wordWeights, ATOL, 0, `word weights ${what}`);
      assertClose(res.sentenceWeights.toArray(), want.sentenceWeights, ATOL, 0, `sentence weights ${what}`);
      assertClose(res.document.toArray(), want.document, ATOL, 0, `document ${what}`);
      if (c.numClasses) assertClose(res.logits!.toArray(), want.logits!, ATOL, 0, `logits ${what}`);
      else assert.equal(res.logits, null);
      han.dispose();
    }
  });
}

test('HierarchicalAttention: defaults (full lengths), errors, steady state, memory given back', async () => {
  const rt = await runtime('relaxed');
  const before = rt.memoryStats().bytesInUse;
  const c: HanConfig = { inputSize: 4, wordHidden: 3, sentenceHidden: 2, wordAttention: 6, sentenceAttention: 4, numClasses: null };
  const han = new HierarchicalAttention(rt, { inputSize: 4, wordHidden: 3, sentenceHidden: 2 });
  const sd = randomParams(rng(2), hanParamShapes(c));
  han.loadStateDict(sd);
  const x = { data: uniform(rng(3), 2 * 3 * 5 * 4), shape: [2, 3, 5, 4] };
  const res = han.forward(x);
  const want = hanRef(c, sd, x.data, 2, 3, 5, new Array(6).fill(5), [3, 3]);
  assertClose(res.document.toArray(), want.document, ATOL, 0, 'document');
  expectError(() => han.forward(x, { sentenceLens: [0, 3] }), [/sentenceLens/, /at least 1/], 'empty document');
  expectError(() => han.forward(x, { wordLens: [1, 2, 3] }), [/wordLens/, /6 values/], 'wordLens size');
  expectError(() => han.forward({ data: new Float32Array(8), shape: [1, 1, 2, 4, 1] }), [/x must be/, /\(B, S, T, inputSize\)/], 'rank');
  const opts = { wordLens: [5, 2, 1, 3, 3, 4], sentenceLens: [3, 2] };
  han.forward(x, opts);
  const s0 = rt.memoryStats();
  for (let i = 0; i < 100; i++) han.forward(x, opts);
  assert.deepEqual(rt.memoryStats(), s0);
  han.dispose();
  assert.equal(rt.memoryStats().bytesInUse, before);
});
