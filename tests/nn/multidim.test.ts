// StructuredSelfAttention and MultiDimensionalAttention against the float64 reference written from the papers'
// formulas (tests/reference/seq2seq.ts), both builds, awkward sizes, batches with different validLens; 1e-5 absolute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultiDimensionalAttention, StructuredSelfAttention } from '../../bindings/index.ts';
import { VARIANTS, runtime, rng, uniform, assertClose } from '../support/util.ts';
import { pick, randomParams, expectError } from '../support/module_helpers.ts';
import { featureWiseAttentionRef, structuredSelfAttentionRef } from '../reference/seq2seq.ts';

const ATOL = 1e-5;
const shapesOf = (m: { parameterShapes(): { name: string; shape: readonly number[] }[] }) =>
  Object.fromEntries(m.parameterShapes().map((p) => [p.name, [...p.shape]]));

for (const variant of VARIANTS) {
  test(`StructuredSelfAttention matches the reference (${variant})`, async () => {
    const rt = await runtime(variant);
    const r = rng(11);
    for (let it = 0; it < 24; it++) {
      const B = pick(r, [1, 2, 3, 5]), n = pick(r, [1, 2, 7, 9, 17]), d = pick(r, [1, 3, 8, 9, 16]);
      const da = pick(r, [1, 5, 8, 13]), hops = pick(r, [1, 2, 3, 8]), bias = r() < 0.5;
      const att = new StructuredSelfAttention(rt, { inputSize: d, attentionSize: da, hops, bias });
      const sd = randomParams(r, shapesOf(att));
      att.loadStateDict(sd);
      const H = uniform(r, B * n * d);
      const validLens = r() < 0.6 ? Array.from({ length: B }, () => Math.floor(r() * (n + 2))) : null;
      const asTensor = r() < 0.5;
      const Ht = asTensor ? rt.tensor(H, [B, n, d]) : { data: H, shape: [B, n, d] };
      const res = att.forward(Ht, validLens ? { validLens } : {});
      const want = structuredSelfAttentionRef(H, B, n, d, sd['W_s1.weight'], bias ? sd['W_s1.bias'] : null, sd['W_s2.weight'],
        bias ? sd['W_s2.bias'] : null, validLens);
      const what = `B=${B} n=${n} d=${d} da=${da} r=${hops} bias=${bias} lens=${validLens}`;
      assert.deepEqual([...res.output.shape], [B, hops, d]);
      assert.deepEqual([...res.weights.shape], [B, hops, n]);
      assert.deepEqual([...res.penalty.shape], [B]);
      assertClose(res.weights.toArray(), want.A, ATOL, 0, `A ${what}`);
      assertClose(res.output.toArray(), want.M, ATOL, 0, `M ${what}`);
      assertClose(res.penalty.toArray(), want.penalty, ATOL * hops, 1e-5, `penalty ${what}`);
      if (asTensor) (Ht as { dispose(): void }).dispose();
      att.dispose();
    }
  });

  test(`MultiDimensionalAttention matches the reference (${variant})`, async () => {
    const rt = await runtime(variant);
    const r = rng(12);
    for (let it = 0; it < 24; it++) {
      const B = pick(r, [1, 2, 4]), n = pick(r, [1, 3, 8, 11]), d = pick(r, [1, 4, 7, 16, 17]);
      const hidden = pick(r, [undefined, 3, 9]), querySize = pick(r, [undefined, 1, 6]);
      const activation = pick(r, ['elu', 'tanh', 'relu'] as const);
      const att = new MultiDimensionalAttention(rt, { inputSize: d, hiddenSize: hidden, querySize, activation });
      const sd = randomParams(r, shapesOf(att));
      att.loadStateDict(sd);
      const x = uniform(r, B * n * d), q = querySize ? uniform(r, B * querySize) : null;
      const validLens = r() < 0.6 ? Array.from({ length: B }, () => Math.floor(r() * (n + 2))) : null;
      const res = att.forward({ data: x, shape: [B, n, d] }, {
        ...(q ? { query: { data: q, shape: [B, querySize!] } } : {}), ...(validLens ? { validLens } : {}),
      });
      const want = featureWiseAttentionRef(x, B, n, d, sd['W1.weight'], sd['W1.bias'], q ? sd['W2.weight'] : null, q,
        sd['W.weight'], sd['W.bias'], activation, validLens);
      const what = `B=${B} n=${n} d=${d} h=${hidden} q=${querySize} ${activation} lens=${validLens}`;
      assert.deepEqual([...res.weights.shape], [B, n, d]);
      assertClose(res.weights.toArray(), want.weights, ATOL, 0, `P ${what}`);
      assertClose(res.output.toArray(), want.output, ATOL, 0, `s ${what}`);
      att.dispose();
    }
  });
}

test('StructuredSelfAttention: identity rows give penalty 0; errors name the argument; memory is given back', async () => {
  const rt = await runtime('simd');
  const before = rt.memoryStats().bytesInUse;
  // r = n = 2 hops that each pick one position: A = I, so ‖AAᵀ − I‖ = 0
  const att = new StructuredSelfAttention(rt, { inputSize: 2, attentionSize: 2, hops: 2 });
  att.loadStateDict({ 'W_s1.weight': new Float32Array([1, 0, 0, 1]), 'W_s2.weight': new Float32Array([40, -40, -40, 40]) });
  const res = att.forward({ data: new Float32Array([1, -1, -1, 1]), shape: [1, 2, 2] });
  assertClose(res.weights.toArray(), [1, 0, 0, 1], 1e-6, 0, 'A');
  assert.ok(res.penalty.toArray()[0] < 1e-10);
  expectError(() => att.forward({ data: new Float32Array(6), shape: [1, 2, 3] }), [/StructuredSelfAttention\.forward/, /inputSize = 2/, /\[1, 2, 3\]/], 'wrong d');
  expectError(() => att.forward({ data: new Float32Array(4), shape: [1, 2, 2] }, { validLens: [1, 2] }), [/validLens/, /\[B\] = \[1\]/], 'lens');
  expectError(() => att.loadStateDict({ 'W_s1.weight': new Float32Array(4) }), [/missing keys: W_s2\.weight/], 'missing');
  const md = new MultiDimensionalAttention(rt, { inputSize: 3, querySize: 2 });
  expectError(() => md.forward({ data: new Float32Array(3), shape: [1, 1, 3] }), [/no weights loaded/], 'unloaded');
  md.loadStateDict(randomParams(rng(1), shapesOf(md)));
  expectError(() => md.forward({ data: new Float32Array(3), shape: [1, 1, 3] }), [/query/, /required/], 'query missing');
  expectError(() => md.forward({ data: new Float32Array(3), shape: [1, 1, 3] }, { query: { data: new Float32Array(3), shape: [1, 3] } }), [/query/, /\[1, 2\]/], 'query shape');
  // steady state: repeated calls allocate nothing
  const x = { data: uniform(rng(2), 2 * 5 * 3), shape: [2, 5, 3] }, q = { data: uniform(rng(3), 4), shape: [2, 2] };
  md.forward(x, { query: q, validLens: [5, 2] });
  const s = rt.memoryStats();
  for (let i = 0; i < 200; i++) md.forward(x, { query: q, validLens: [5, 2] });
  assert.deepEqual(rt.memoryStats(), s);
  att.dispose(); md.dispose();
  assert.equal(rt.memoryStats().bytesInUse, before, 'dispose gives every byte back');
});
