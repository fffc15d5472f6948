// Attention (d2l / Luong scoring) against the independent float64 reference, for both builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attention, type Runtime } from '../../bindings/index.ts';
import { VARIANTS, runtime, rng, uniform, assertClose } from '../support/util.ts';
import { pick, randomParams, expectError, num, shapeOrSize, assertSteadyState, type Rand } from '../support/module_helpers.ts';
import {
  dotAttention, dotProductAttention, generalAttention, additiveAttention, matmul, softmaxRows, SEED001, type AttnResult,
} from '../reference/index.ts';

const ATOL = 1e-5, RTOL = 1e-4;
type Score = 'dot' | 'scaledDot' | 'general' | 'additive';

interface Case {
  score: Score;
  B: number; Q: number; K: number; qs: number; ks: number; dv: number; h: number;
  bias: boolean;
  validLens: number[] | null;
  asTensor: boolean;
  lensAsInt32: boolean;
}

function paramShapes(c: Case): Record<string, number[]> {
  switch (c.score) {
    case 'dot': case 'scaledDot': return {};
    case 'general': return c.bias ? { 'W_a.weight': [c.qs, c.ks], 'W_a.bias': [c.qs] } : { 'W_a.weight': [c.qs, c.ks] };
    case 'additive': return { 'W_q.weight': [c.h, c.qs], 'W_k.weight': [c.h, c.ks], 'w_v.weight': [1, c.h] };
  }
}

function makeModule(rt: Runtime, c: Case): Attention {
  switch (c.score) {
    case 'dot': case 'scaledDot': return new Attention(rt, { score: c.score });
    case 'general': return c.bias
      ? new Attention(rt, { score: 'general', querySize: c.qs, keySize: c.ks, bias: true })
      : new Attention(rt, { score: 'general', querySize: c.qs, keySize: c.ks });
    case 'additive': return new Attention(rt, { score: 'additive', querySize: c.qs, keySize: c.ks, numHiddens: c.h });
  }
}

function reference(c: Case, sd: Record<string, Float32Array>, q: Float32Array, k: Float32Array, v: Float32Array): AttnResult {
  const { B, Q, K, qs, ks, dv } = c;
  switch (c.score) {
    case 'dot': return dotAttention(q, k, v, B, Q, K, qs, dv, c.validLens);
    case 'scaledDot': return dotProductAttention(q, k, v, B, Q, K, qs, dv, c.validLens);
    case 'general': return generalAttention(q, k, v, B, Q, K, qs, ks, dv, sd['W_a.weight'], c.bias ? sd['W_a.bias'] : null, c.validLens);
    case 'additive': return additiveAttention(q, k, v, B, Q, K, qs, ks, dv, sd['W_q.weight'], sd['W_k.weight'], sd['w_v.weight'], c.validLens);
  }
}

function randomCase(r: Rand, score: Score): Case {
  const B = pick(r, [1, 2, 3, 5]);
  const Q = pick(r, [1, 2, 4, 7, 9]);
  const K = pick(r, [1, 3, 4, 8, 11, 17]);
  const ks = pick(r, [1, 3, 4, 5, 8, 16]);
  const qs = score === 'dot' || score === 'scaledDot' ? ks : pick(r, [2, 3, 7, 8, 12]);
  const dv = pick(r, [1, 2, 5, 8, 9]);
  const h = pick(r, [1, 4, 5, 8, 16, 31]);
  let validLens: number[] | null = null;
  const lensKind = pick(r, ['none', 'batch', 'query']);
  if (lensKind === 'batch') validLens = Array.from({ length: B }, () => Math.floor(r() * (K + 2))); // includes 0 and > K
  if (lensKind === 'query') validLens = Array.from({ length: B * Q }, () => Math.floor(r() * (K + 2)));
  return { score, B, Q, K, qs, ks, dv, h, bias: r() < 0.5, validLens, asTensor: r() < 0.5, lensAsInt32: r() < 0.5 };
}

function run(rt: Runtime, att: Attention, c: Case, q: Float32Array, k: Float32Array, v: Float32Array) {
  const shapes = [[c.B, c.Q, c.qs], [c.B, c.K, c.ks], [c.B, c.K, c.dv]];
  const tensors = c.asTensor ? [rt.tensor(q, shapes[0]), rt.tensor(k, shapes[1]), rt.tensor(v, shapes[2])] : null;
  const [qi, ki, vi] = tensors ?? [{ data: q, shape: shapes[0] }, { data: k, shape: shapes[1] }, { data: v, shape: shapes[2] }];
  const lens = c.validLens === null ? undefined : c.lensAsInt32 ? Int32Array.from(c.validLens) : c.validLens;
  const { output, weights } = att.forward(qi, ki, vi, lens === undefined ? {} : { validLens: lens });
  assert.deepEqual([...output.shape], [c.B, c.Q, c.dv], 'output shape');
  assert.ok(weights, 'Attention always returns weights');
  assert.deepEqual([...weights.shape], [c.B, c.Q, c.K], 'weights shape');
  const res = { output: output.toArray(), weights: weights!.toArray() };
  tensors?.forEach((t) => t.dispose());
  return res;
}

const SCORES: Score[] = ['dot', 'scaledDot', 'general', 'additive'];

for (const variant of VARIANTS) {
  for (const score of SCORES) {
    test(`${variant}: Attention '${score}' matches the float64 reference on random shapes and valid_lens`, async () => {
      const rt = await runtime(variant);
      const r = rng(1000 + SCORES.indexOf(score));
      for (let i = 0; i < 25; i++) {
        const c = randomCase(r, score);
        const sd = randomParams(r, paramShapes(c));
        const att = makeModule(rt, c);
        if (Object.keys(sd).length) att.loadStateDict(sd);
        const q = uniform(r, c.B * c.Q * c.qs), k = uniform(r, c.B * c.K * c.ks), v = uniform(r, c.B * c.K * c.dv);
        const ref = reference(c, sd, q, k, v);
        const got = run(rt, att, c, q, k, v);
        const what = `${variant} ${score} case ${i} ${JSON.stringify({ ...c, validLens: c.validLens?.join(',') })}`;
        assertClose(got.weights, ref.weights, ATOL, RTOL, `${what} weights`);
        assertClose(got.output, ref.output, ATOL, RTOL, `${what} output`);
        // a second call with the same module gives the same result (scratch reuse)
        const again = run(rt, att, c, q, k, v);
        assertClose(again.output, got.output, 0, 0, `${what} repeat`);
        att.dispose();
      }
    });
  }

  test(`${variant}: Attention 'dot' reproduces the seed 001 self-attention example exactly`, async () => {
    const rt = await runtime(variant);
    const { x, wKey, wQuery, wValue } = SEED001;
    const keys = Float32Array.from(matmul(x, wKey, 3, 4, 3));
    const querys = Float32Array.from(matmul(x, wQuery, 3, 4, 3));
    const values = Float32Array.from(matmul(x, wValue, 3, 4, 3));
    const att = new Attention(rt, { score: 'dot' });
    const { output, weights } = att.forward({ data: querys, shape: [1, 3, 3] }, { data: keys, shape: [1, 3, 3] }, { data: values, shape: [1, 3, 3] });
    const e2 = Math.exp(2), d1 = 1 + 2 * e2;
    assertClose(weights!.toArray(), softmaxRows([2, 4, 4, 4, 16, 12, 4, 12, 10], 3, 3), 1e-6, 1e-5, 'seed softmax');
    assertClose(weights!.toArray().subarray(0, 3), [1 / d1, e2 / d1, e2 / d1], 1e-7, 1e-6, 'seed softmax row 1');
    // the seed's output1 [2.0, 7.0, 1.5] uses its rounded softmax; exactly it is (v1 + e²(v2+v3)) / (1 + 2e²)
    assertClose(output.toArray().subarray(0, 3), [(1 + 4 * e2) / d1, (2 + 14 * e2) / d1, (3 + 3 * e2) / d1], 1e-6, 1e-5, 'seed output1');
    assertClose(output.toArray().subarray(0, 3), [2, 7, 1.5], 0.35, 0, 'seed output1 vs the rounded printout');
    const ref = dotAttention(querys, keys, values, 1, 3, 3, 3, 3);
    assertClose(output.toArray(), ref.output, 1e-5, 1e-5, 'seed outputs');
    att.dispose();
  });

  test(`${variant}: Attention 'scaledDot' reproduces the worked vector of §6.4`, async () => {
    const rt = await runtime(variant);
    const att = new Attention(rt, { score: 'scaledDot' });
    const Q = Float32Array.from([1, 0, 2, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 2, 1, 1]);
    const K = Float32Array.from([2, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 2, 1]);
    const V = Float32Array.from([1, 0, 0, 1, 1, 1, 2, 1]);
    const { output, weights } = att.forward({ data: Q, shape: [1, 4, 4] }, { data: K, shape: [1, 4, 4] }, { data: V, shape: [1, 4, 2] });
    assertClose(weights!.toArray(), [0.15706, 0.15706, 0.258948, 0.426933, 0.18877, 0.31123, 0.18877, 0.31123,
      0.426933, 0.15706, 0.258948, 0.15706, 0.18877, 0.31123, 0.18877, 0.31123], 6e-6, 0, 'P');
    assertClose(output.toArray(), [1.269873, 0.84294, 1, 0.81123, 1, 0.573067, 1, 0.81123], 6e-6, 0, 'O');
    att.dispose();
  });

  test(`${variant}: Attention valid_lens: d2l masked_softmax semantics (-1e6 replace, 0 -> uniform, 2-D lens)`, async () => {
    const rt = await runtime(variant);
    const att = new Attention(rt, { score: 'scaledDot' });
    const z = { data: new Float32Array(2 * 2 * 3), shape: [2, 2, 3] };   // queries [B=2, Q=2, d=3]
    const zk = { data: new Float32Array(2 * 4 * 3), shape: [2, 4, 3] };  // keys [B=2, K=4, d=3]
    const v = { data: Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => i), shape: [2, 4, 3] };
    let { weights } = att.forward(z, zk, v, { validLens: [2, 3] });
    assertClose(weights!.toArray(), [0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 1 / 3, 1 / 3, 1 / 3, 0], 1e-7, 0, 'lens [2,3]');
    ({ weights } = att.forward(z, zk, v, { validLens: Int32Array.from([1, 3, 0, 4]) }));
    assertClose(weights!.toArray(), [1, 0, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25], 1e-7, 0, 'lens [[1,3],[0,4]]');
    att.dispose();
  });

  test(`${variant}: Attention softmax is stable for huge scores (max subtracted)`, async () => {
    const rt = await runtime(variant);
    const att = new Attention(rt, { score: 'dot' });
    // scores 1000, 999, -1000 (exact in float32): exp without the max subtracted overflows
    const q = { data: Float32Array.from([1, 0.5]), shape: [1, 1, 2] };
    const k = { data: Float32Array.from([1000, 0, 999, 0, -1000, 0]), shape: [1, 3, 2] };
    const v = { data: Float32Array.from([1, 2, 3]), shape: [1, 3, 1] };
    const { output, weights } = att.forward(q, k, v);
    const e = Math.exp(-1);
    assertClose(weights!.toArray(), [1 / (1 + e), e / (1 + e), 0], 1e-6, 1e-5, 'weights');
    assertClose(output.toArray(), [(1 + 2 * e) / (1 + e)], 1e-6, 1e-5, 'output');
    att.dispose();
  });

  test(`${variant}: Attention propagates NaN from a query to its own row only`, async () => {
    const rt = await runtime(variant);
    const r = rng(77);
    const c: Case = { score: 'additive', B: 2, Q: 3, K: 5, qs: 4, ks: 6, dv: 3, h: 8, bias: false, validLens: null, asTensor: false, lensAsInt32: false };
    const sd = randomParams(r, paramShapes(c));
    const att = makeModule(rt, c);
    att.loadStateDict(sd);
    const q = uniform(r, 2 * 3 * 4), k = uniform(r, 2 * 5 * 6), v = uniform(r, 2 * 5 * 3);
    q[(1 * 3 + 2) * 4 + 1] = NaN; // batch 1, query 2
    const ref = reference(c, sd, q, k, v);
    const got = run(rt, att, c, q, k, v);
    assert.ok(Number.isNaN(ref.output[(1 * 3 + 2) * 3]));
    assertClose(got.output, ref.output, ATOL, RTOL, 'NaN output');
    assertClose(got.weights, ref.weights, ATOL, RTOL, 'NaN weights');
    att.dispose();
  });

  test(`${variant}: Attention rejects bad inputs clearly and keeps working`, async () => {
    const rt = await runtime(variant);
    const r = rng(5);
    const c: Case = { score: 'additive', B: 2, Q: 3, K: 4, qs: 5, ks: 6, dv: 7, h: 8, bias: false, validLens: [1, 4], asTensor: false, lensAsInt32: false };
    const sd = randomParams(r, paramShapes(c));
    const att = makeModule(rt, c);
    const q = uniform(r, 2 * 3 * 5), k = uniform(r, 2 * 4 * 6), v = uniform(r, 2 * 4 * 7);
    const ok = () => {
      const got = run(rt, att, c, q, k, v);
      assertClose(got.output, reference(c, sd, q, k, v).output, ATOL, RTOL, 'forward after an error');
    };
    const Q = { data: q, shape: [2, 3, 5] }, K = { data: k, shape: [2, 4, 6] }, V = { data: v, shape: [2, 4, 7] };

    // state dict: wrong shape, missing, unexpected
    expectError(() => att.loadStateDict({ ...sd, 'W_q.weight': new Float32Array(8 * 5 - 1) }), [/W_q\.weight/, shapeOrSize([8, 5]), num(39)], 'wrong W_q shape');
    const { ['w_v.weight']: _drop, ...missing } = sd;
    expectError(() => att.loadStateDict(missing), [/w_v\.weight/], 'missing key');
    expectError(() => att.loadStateDict({ ...sd, 'W_o.weight': new Float32Array(4) }), [/W_o\.weight/], 'unexpected key');
    att.loadStateDict(sd);
    ok();

    expectError(() => att.forward({ data: q, shape: [6, 5] }, K, V), [/quer/i, /6, 5|6x5/], 'rank-2 queries');
    ok();
    expectError(() => att.forward({ data: uniform(r, 3 * 3 * 5), shape: [3, 3, 5] }, K, V), [/batch|keys|quer/i, num(3), num(2)], 'batch mismatch');
    ok();
    expectError(() => att.forward({ data: uniform(r, 2 * 3 * 4), shape: [2, 3, 4] }, K, V), [/quer/i, num(5), num(4)], 'query size');
    ok();
    expectError(() => att.forward(Q, { data: uniform(r, 2 * 4 * 5), shape: [2, 4, 5] }, V), [/key/i, num(6), num(5)], 'key size');
    ok();
    expectError(() => att.forward(Q, K, { data: uniform(r, 2 * 5 * 7), shape: [2, 5, 7] }), [/value/i, num(4), num(5)], 'value length');
    ok();
    expectError(() => att.forward(Q, K, V, { validLens: [1, 2, 3] }), [/validLens/, num(3)], 'validLens length');
    ok();
    expectError(() => att.forward(Q, K, V, { validLen: [1, 2] } as never), [/validLen/], 'unknown forward option');
    ok();
    expectError(() => new Attention(rt, { score: 'additive', querySize: 5, keySize: 6, numHidden: 8 } as never), [/numHidden/], 'unknown ctor option');
    expectError(() => new Attention(rt, { score: 'cosine' } as never), [/score/, /cosine/], 'unknown score');
    const fresh = makeModule(rt, c);
    expectError(() => fresh.forward(Q, K, V), [/load/i], 'forward before loadStateDict');
    fresh.dispose();
    ok();
    att.dispose();
    expectError(() => att.forward(Q, K, V), [/dispose/i], 'use after dispose');
    // the runtime still works for other modules
    const att2 = makeModule(rt, c);
    att2.loadStateDict(sd);
    const got = run(rt, att2, c, q, k, v);
    assertClose(got.output, reference(c, sd, q, k, v).output, ATOL, RTOL, 'new module after dispose');
    att2.dispose();
  });

  test(`${variant}: Attention steady state allocates nothing (10,000 forwards, every score)`, async () => {
    const rt = await runtime(variant);
    const r = rng(41);
    for (const score of ['dot', 'scaledDot', 'general', 'additive'] as Score[]) {
      const c: Case = { score, B: 2, Q: 3, K: 5, qs: score === 'dot' || score === 'scaledDot' ? 4 : 6, ks: 4, dv: 3, h: 8,
        bias: score === 'general', validLens: [2, 5], asTensor: false, lensAsInt32: false };
      const att = makeModule(rt, c);
      att.loadStateDict(randomParams(r, paramShapes(c)));
      const q = uniform(r, c.B * c.Q * c.qs), k = uniform(r, c.B * c.K * c.ks), v = uniform(r, c.B * c.K * c.dv);
      const fwd = () => att.forward({ data: q, shape: [c.B, c.Q, c.qs] }, { data: k, shape: [c.B, c.K, c.ks] },
        { data: v, shape: [c.B, c.K, c.dv] }, { validLens: c.validLens! }).output.toArray();
      assertSteadyState(rt, score, fwd);
      att.dispose();
    }
  });
}
