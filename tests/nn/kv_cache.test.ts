// Step-by-step decoding with a KV cache: for every position, decoding token by token (and in chunks of 3) gives the
// output of one causal forward over the whole sequence; caches reject misuse and leave themselves unchanged.
import assert from 'node:assert/strict';
import test from 'node:test';
import { MultiHead, Transformer, type Runtime } from '../../bindings/index.ts';
import { randomParams, type Rand } from '../support/module_helpers.ts';
import { assertClose, rng, runtime, uniform, VARIANTS } from '../support/util.ts';

const shapesOf = (m: { parameterShapes(): { name: string; shape: readonly number[] }[] }) =>
  Object.fromEntries(m.parameterShapes().map((p) => [p.name, p.shape]));

/** Rows [t0, t1) of a [N, T, E] batch-first buffer, as [N, t1 - t0, E]. */
function slice(x: Float32Array, N: number, T: number, E: number, t0: number, t1: number): Float32Array {
  const out = new Float32Array(N * (t1 - t0) * E);
  for (let n = 0; n < N; n++) out.set(x.subarray((n * T + t0) * E, (n * T + t1) * E), n * (t1 - t0) * E);
  return out;
}

/** Decodes x [N, T, E] in chunks of `chunk` with `step(xChunk, t0, t1)`, reassembling [N, T, E]. */
function decode(N: number, T: number, E: number, chunk: number, step: (x: Float32Array, t0: number, t1: number) => Float32Array,
                x: Float32Array): Float32Array {
  const out = new Float32Array(N * T * E);
  for (let t0 = 0; t0 < T; t0 += chunk) {
    const t1 = Math.min(T, t0 + chunk);
    const y = step(slice(x, N, T, E, t0, t1), t0, t1);
    for (let n = 0; n < N; n++) out.set(y.subarray(n * (t1 - t0) * E, (n + 1) * (t1 - t0) * E), (n * T + t0) * E);
  }
  return out;
}

for (const variant of VARIANTS) {
  test(`${variant}: MultiHead decoded with a cache equals the full causal forward (E = 16 and 12, chunks 1 and 3, key padding, weights)`, async () => {
    const rt = await runtime(variant);
    const r = rng(11);
    for (const [E, H] of [[16, 4], [12, 3]]) {
      const N = 2, T = 9;
      const mha = new MultiHead(rt, { embedDim: E, numHeads: H, batchFirst: true });
      mha.loadStateDict(randomParams(r, shapesOf(mha)));
      const x = uniform(r, N * T * E);
      const full = mha.forward({ data: x, shape: [N, T, E] }, { data: x, shape: [N, T, E] }, { data: x, shape: [N, T, E] },
        { isCausal: true, needWeights: false }).output.toArray();
      const cache = mha.createCache({ batch: N, maxLength: T });
      for (const chunk of [1, 3]) {
        cache.reset();
        const got = decode(N, T, E, chunk, (xs, t0, t1) => {
          const inp = { data: xs, shape: [N, t1 - t0, E] };
          return mha.forward(inp, inp, inp, { cache, isCausal: true, needWeights: false }).output.toArray();
        }, x);
        assert.equal(cache.length, T);
        assertClose(got, full, 1e-5, 1e-4, `E=${E} chunk=${chunk}`);
      }
      // weights over every cached position agree with the full forward's rows
      const fullW = mha.forward({ data: x, shape: [N, T, E] }, { data: x, shape: [N, T, E] }, { data: x, shape: [N, T, E] },
        { isCausal: true }).weights!.toArray();
      cache.reset();
      for (let t = 0; t < T; t++) {
        const inp = { data: slice(x, N, T, E, t, t + 1), shape: [N, 1, E] };
        const w = mha.forward(inp, inp, inp, { cache, isCausal: true }).weights!;
        assert.deepEqual(w.shape, [N, 1, t + 1]);
        const want = new Float32Array(N * (t + 1));
        for (let n = 0; n < N; n++) want.set(fullW.subarray((n * T + t) * T, (n * T + t) * T + t + 1), n * (t + 1));
        assertClose(w.toArray(), want, 1e-5, 1e-4, `weights at step ${t}`);
      }
      // key padding over cached positions: sequence 1 padded at positions 0 and 4
      const kpm = new Uint8Array(N * T);
      kpm[T + 0] = 1; kpm[T + 4] = 1;
      const fullP = mha.forward({ data: x, shape: [N, T, E] }, { data: x, shape: [N, T, E] }, { data: x, shape: [N, T, E] },
        { isCausal: true, needWeights: false, keyPaddingMask: { data: kpm, shape: [N, T] } }).output.toArray();
      cache.reset();
      const gotP = decode(N, T, E, 2, (xs, t0, t1) => {
        const inp = { data: xs, shape: [N, t1 - t0, E] };
        const m = new Uint8Array(N * t1);
        for (let n = 0; n < N; n++) m.set(kpm.subarray(n * T, n * T + t1), n * t1);
        return mha.forward(inp, inp, inp, { cache, isCausal: true, needWeights: false, keyPaddingMask: { data: m, shape: [N, t1] } }).output.toArray();
      }, x);
      assertClose(gotP, fullP, 1e-5, 1e-4, `E=${E} key padding`);
      cache.dispose();
      mha.dispose();
    }
  });

  test(`${variant}: Transformer stacks decoded with a cache equal the full causal forward (encoder, decoder post- and pre-norm)`, async () => {
    const rt = await runtime(variant);
    const r = rng(23);
    const N = 2, T = 7, S = 5, E = 16;
    for (const [kind, normFirst] of [['encoder', false], ['decoder', false], ['decoder', true]] as const) {
      const tr = new Transformer(rt, { dModel: E, nhead: 4, dimFeedforward: 24, numLayers: 2, batchFirst: true, kind, normFirst, norm: true });
      tr.loadStateDict(randomParams(r, shapesOf(tr)));
      const x = uniform(r, N * T * E), mem = { data: uniform(r, N * S * E), shape: [N, S, E] };
      const run = (xs: Float32Array, L: number, cache?: ReturnType<Transformer['createCache']>) =>
        (kind === 'decoder'
          ? tr.forward({ data: xs, shape: [N, L, E] }, mem, { tgtIsCausal: true, cache })
          : tr.forward({ data: xs, shape: [N, L, E] }, { isCausal: true, cache })).toArray();
      const full = run(x, T);
      const cache = tr.createCache({ batch: N, maxLength: T });
      for (const chunk of [1, 3]) {
        cache.reset();
        const got = decode(N, T, E, chunk, (xs, t0, t1) => run(xs, t1 - t0, cache), x);
        assertClose(got, full, 1e-5, 1e-4, `${kind} normFirst=${normFirst} chunk=${chunk}`);
      }
      // truncate: back to 4 positions, then the rest again, gives the same outputs
      cache.truncate(4);
      assert.equal(cache.length, 4);
      const again = decode(N, T - 4, E, 2, (xs, t0, t1) => run(xs, t1 - t0, cache), slice(x, N, T, E, 4, T));
      assertClose(again, slice(full, N, T, E, 4, T), 1e-5, 1e-4, `${kind} after truncate(4)`);
      assert.throws(() => cache.truncate(-1), /TransformerCache\.truncate: length must be a non-negative integer/);
      // a decode loop allocates nothing once warm
      cache.reset();
      run(slice(x, N, T, E, 0, 1), 1, cache);
      const before = rt.memoryStats();
      for (let t = 1; t < T; t++) run(slice(x, N, T, E, t, t + 1), 1, cache);
      assert.deepEqual(rt.memoryStats(), before, `${kind}: decode steps allocated`);
      cache.dispose();
      tr.dispose();
    }
  });
}

test('caches reject misuse clearly and stay unchanged', async () => {
  const rt: Runtime = await runtime('simd');
  const r: Rand = rng(5);
  const E = 8, N = 1;
  const mha = new MultiHead(rt, { embedDim: E, numHeads: 2, batchFirst: true });
  mha.loadStateDict(randomParams(r, shapesOf(mha)));
  const other = new MultiHead(rt, { embedDim: E, numHeads: 2, batchFirst: true });
  other.loadStateDict(randomParams(r, shapesOf(other)));
  const cache = mha.createCache({ batch: N, maxLength: 4 });
  const x3 = { data: uniform(r, 3 * E), shape: [N, 3, E] }, x2 = { data: uniform(r, 2 * E), shape: [N, 2, E] };
  mha.forward(x3, x3, x3, { cache, isCausal: true });
  assert.equal(cache.length, 3);
  const stats = rt.memoryStats();
  assert.throws(() => mha.forward(x2, x2, x2, { cache, isCausal: true }),
    /^RangeError: MultiHead\.forward: cache is full: it holds 3 of maxLength = 4 positions and 2 more do not fit/);
  assert.equal(cache.length, 3);
  assert.throws(() => other.forward(x2, x2, x2, { cache }), /MultiHead\.forward: cache was made by another module/);
  const two = { data: uniform(r, 2 * E), shape: [2, 1, E] };
  assert.throws(() => mha.forward(two, two, two, { cache }), /MultiHead\.forward: cache holds batch = 1 sequences, got a batch of 2/);
  assert.throws(() => mha.forward(x2, x2, x2, { cache: {} as never }), /^TypeError: MultiHead\.forward: cache must be a KVCache/);
  const x1 = { data: uniform(r, E), shape: [N, 1, E] };
  assert.throws(() => mha.forward(x1, x1, x1, { cache, keyPaddingMask: new Uint8Array(2) }), /keyPaddingMask must have shape \[1, 4\]/);
  assert.deepEqual(rt.memoryStats(), stats);
  assert.equal(cache.length, 3);
  assert.throws(() => new MultiHead(rt, { embedDim: E, numHeads: 2, addBiasKV: true }).createCache({ batch: 1, maxLength: 2 }),
    /MultiHead\.createCache: a cache cannot be used with addBiasKV or addZeroAttn/);
  const dec = new Transformer(rt, { dModel: E, nhead: 2, dimFeedforward: 8, kind: 'decoder', batchFirst: true });
  dec.loadStateDict(randomParams(r, shapesOf(dec)));
  const tc = dec.createCache({ batch: 1, maxLength: 3 });
  const mem = { data: uniform(r, 4 * E), shape: [1, 4, E] }, mem5 = { data: uniform(r, 5 * E), shape: [1, 5, E] };
  const one = { data: uniform(r, E), shape: [1, 1, E] };
  dec.forward(one, mem, { cache: tc, tgtIsCausal: true });
  assert.throws(() => dec.forward(one, mem5, { cache: tc }), /Transformer\.forward: memory has 5 positions but the cache holds the projection of a memory of 4/);
  assert.throws(() => mha.forward(one, one, one, { cache: tc as never }), /cache must be a KVCache/);
  tc.reset();
  assert.equal(tc.length, 0);
  dec.forward(one, mem5, { cache: tc, tgtIsCausal: true });   // a new sequence may bring a longer memory
  cache.dispose(); tc.dispose();
  assert.throws(() => mha.forward(one, one, one, { cache }), /MultiHead\.forward: cache is disposed/);
  mha.dispose(); other.dispose(); dec.dispose();
});
