// What happens around the numbers: out of memory, buffers above 2 GiB, output lifetimes, inputs that alias a
// module's own buffers. Every scenario runs on both builds; "the same" means bit for bit.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Attention, init, MultiHead, Transformer, type Runtime, type Tensor } from '../../bindings/index.ts';
import { fixed, fixedStateDict } from '../support/runtime_fixtures.ts';
import { VARIANTS } from '../support/util.ts';

const bits = (x: Float32Array): Uint32Array => new Uint32Array(x.slice().buffer);
const stats = (rt: Runtime) => { const s = rt.memoryStats(); return { bytesInUse: s.bytesInUse, liveBlocks: s.liveBlocks }; };

/** Fixed workloads over every module path and op; each returns copies of its results and frees what it made. */
const SCENARIOS: Record<string, (rt: Runtime) => Float32Array[]> = {
  'MultiHead addBiasKV + addZeroAttn, masks, seq-first': (rt) => {
    const m = new MultiHead(rt, { embedDim: 8, numHeads: 2, addBiasKV: true, addZeroAttn: true });
    m.loadStateDict(fixedStateDict(m, 1));
    const kpm = new Uint8Array([0, 0, 1, 0, 0, 0, 0, 1]);
    const r = m.forward({ data: fixed(48, 2, 2), shape: [3, 2, 8] }, { data: fixed(64, 3, 2), shape: [4, 2, 8] },
      { data: fixed(64, 4), shape: [4, 2, 8] }, { keyPaddingMask: { data: kpm, shape: [2, 4] }, isCausal: true, averageAttnWeights: false });
    const out = [r.output.toArray(), r.weights!.toArray()];
    m.dispose();
    return out;
  },
  'MultiHead self-attention E = 16 (sliced packed projections), batch first': (rt) => {
    const m = new MultiHead(rt, { embedDim: 16, numHeads: 4, batchFirst: true });
    m.loadStateDict(fixedStateDict(m, 5));
    const x = rt.tensor(fixed(2 * 5 * 16, 6, 2), [2, 5, 16]);
    const a = m.forward(x, x, x, { isCausal: true }).output.toArray();
    const mem = rt.tensor(fixed(2 * 7 * 16, 7, 2), [2, 7, 16]);
    const b = m.forward(x, mem, mem, { needWeights: false }).output.toArray();
    m.dispose(); x.dispose(); mem.dispose();
    return [a, b];
  },
  'MultiHead kdim/vdim, float attnMask 3-D': (rt) => {
    const m = new MultiHead(rt, { embedDim: 12, numHeads: 3, kdim: 5, vdim: 7, batchFirst: true });
    m.loadStateDict(fixedStateDict(m, 8));
    const attnMask = { data: fixed(2 * 3 * 4 * 6, 9, 3), shape: [6, 4, 6] };
    const r = m.forward({ data: fixed(2 * 4 * 12, 10), shape: [2, 4, 12] }, { data: fixed(2 * 6 * 5, 11), shape: [2, 6, 5] },
      { data: fixed(2 * 6 * 7, 12), shape: [2, 6, 7] }, { attnMask });
    const out = [r.output.toArray(), r.weights!.toArray()];
    m.dispose();
    return out;
  },
  'Attention, every score': (rt) => {
    const out: Float32Array[] = [];
    for (const [score, o] of [['additive', { querySize: 6, keySize: 3, numHiddens: 5 }], ['general', { querySize: 6, keySize: 3, bias: true }],
      ['scaledDot', {}], ['dot', {}]] as const) {
      const att = new Attention(rt, { score, ...o });
      att.loadStateDict(fixedStateDict(att, 13));
      const dk = score === 'additive' || score === 'general' ? 3 : 6;
      const r = att.forward({ data: fixed(2 * 3 * 6, 14), shape: [2, 3, 6] }, { data: fixed(2 * 5 * dk, 15), shape: [2, 5, dk] },
        { data: fixed(2 * 5 * 4, 16), shape: [2, 5, 4] }, { validLens: [2, 4] });
      out.push(r.output.toArray(), r.weights!.toArray());
      att.dispose();
    }
    return out;
  },
  'Transformer decoder stack, pre-norm, gelu, final norm, masks': (rt) => {
    const d = new Transformer(rt, { dModel: 16, nhead: 4, dimFeedforward: 24, kind: 'decoder', numLayers: 2, norm: true, normFirst: true, activation: 'gelu' });
    d.loadStateDict(fixedStateDict(d, 17));
    const y = d.forward({ data: fixed(3 * 2 * 16, 18), shape: [3, 2, 16] }, { data: fixed(5 * 2 * 16, 19), shape: [5, 2, 16] },
      { tgtIsCausal: true, memoryKeyPaddingMask: new Uint8Array([0, 0, 0, 1, 1, 0, 0, 0, 0, 0]) }).toArray();
    d.dispose();
    return [y];
  },
  'rt.ops': (rt) => {
    const a = fixed(7 * 9, 20), b = fixed(9 * 11, 21), bias = fixed(11, 22);
    return [
      rt.ops.matmul(a, b, { m: 7, k: 9, n: 11, bias }) as Float32Array,
      rt.ops.matmul(a, fixed(11 * 9, 23), { m: 7, k: 9, n: 11, transposeB: true }) as Float32Array,
      rt.ops.softmax(fixed(5 * 6, 24, 3), { rows: 5, cols: 6, scale: 0.5, mask: new Uint8Array(30).map((_, i) => (i % 7 === 0 ? 1 : 0)), causal: true }) as Float32Array,
      rt.ops.layerNorm(fixed(4 * 10, 25, 3), { rows: 4, cols: 10, weight: fixed(10, 26), bias: fixed(10, 27) }) as Float32Array,
      rt.ops.additiveScores(fixed(2 * 3 * 5, 28), fixed(2 * 4 * 5, 29), fixed(5, 30), { batch: 2, nq: 3, nk: 4, hidden: 5 }) as Float32Array,
      rt.ops.gelu(fixed(13, 31, 4)) as Float32Array,
      rt.ops.relu(fixed(13, 32, 4)) as Float32Array,
    ];
  },
};

function runAll(rt: Runtime): Map<string, Uint32Array[]> {
  return new Map(Object.entries(SCENARIOS).map(([name, f]) => [name, f(rt).map(bits)]));
}

function assertSameResults(got: Map<string, Uint32Array[]>, want: Map<string, Uint32Array[]>, what: string): void {
  for (const [name, w] of want) assert.deepEqual(got.get(name), w, `${what}: ${name}`);
}

const GiB = 2 ** 30;

/** A runtime whose next allocations land at or above `offset` bytes (a pad tensor below them). */
async function padded(variant: 'simd' | 'relaxed', offset: number): Promise<Runtime> {
  const rt = await init({ variant });
  const probe = rt.empty([1]);
  const base = probe.ptr;
  probe.dispose();
  rt.empty([Math.floor((offset - base) / 4)]);
  return rt;
}

for (const variant of VARIANTS) {
  test(`${variant}: every path gives the same bits with buffers above 2 GiB and just below 4 GiB`, async () => {
    const want = runAll(await init({ variant }));
    for (const offset of [2.05 * GiB, 4 * GiB - 64 * 2 ** 20]) {
      const rt = await padded(variant, offset);
      assertSameResults(runAll(rt), want, `buffers at ${(offset / GiB).toFixed(3)} GiB`);
      assert.ok(rt.memoryStats().memoryBytes > offset);
    }
  });

  test(`${variant}: out of memory throws a RangeError naming the call and leaves modules, tensors and the allocator as they were`, async () => {
    const rt = await padded(variant, 4 * GiB - 48 * 2 ** 20);   // 48 MiB left below 4 GiB
    const oom = (call: string) => new RegExp(`^RangeError: ${call.replace('.', '\\.')}: out of memory: tried to allocate \\d+ bytes .* in use`);
    const mha = new MultiHead(rt, { embedDim: 8, numHeads: 2, batchFirst: true, addZeroAttn: true });
    mha.loadStateDict(fixedStateDict(mha, 40));
    const enc = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 16, batchFirst: true, numLayers: 2 });
    enc.loadStateDict(fixedStateDict(enc, 41));
    const dec = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 16, batchFirst: true, kind: 'decoder' });
    dec.loadStateDict(fixedStateDict(dec, 42));
    const att = new Attention(rt, { score: 'additive', querySize: 8, keySize: 8, numHiddens: 4 });
    att.loadStateDict(fixedStateDict(att, 43));
    const small = { data: fixed(24, 44), shape: [1, 3, 8] };
    const big = { data: new Float32Array(8 * 9000), shape: [1, 9000, 8] };   // 9000 x 9000 scores: 324 MB
    const long = { data: new Float32Array(8 * 900_000), shape: [1, 900_000, 8] };   // projected keys and values: 58 MB

    const m1 = mha.forward(small, small, small), e1 = enc.forward(small), d1 = dec.forward(small, small);
    const a1 = att.forward(small, small, small);
    const prev: Tensor[] = [m1.output, m1.weights!, e1, d1, a1.output, a1.weights!];
    const prevBits = prev.map((t) => bits(t.data));
    const user = rt.tensor(fixed(24, 46), [3, 8]);
    const before = stats(rt);

    const fails: [string, () => unknown][] = [
      ['MultiHead.forward', () => mha.forward(big, big, big)],
      ['MultiHead.forward', () => mha.forward(small, long, long, { needWeights: false })],
      ['Transformer.forward', () => enc.forward(long)],   // fused attention: O(L·E), so the length must be large
      ['Transformer.forward', () => dec.forward(long, small)],
      ['Transformer.forward', () => dec.forward(small, long)],
      ['Attention.forward', () => att.forward(big, big, big)],
      ['matmul', () => rt.ops.matmul(new Float32Array(2100 * 2100), new Float32Array(2100 * 2100), { m: 2100, k: 2100, n: 2100 })],
      ['softmax', () => rt.ops.softmax(new Float32Array(3500 * 3500), { rows: 3500, cols: 3500 })],
      ['tensor', () => rt.tensor(new Float32Array(13e6), [13e6])],
      ['empty', () => rt.empty([1e20])],
      ['zeros', () => rt.zeros([64e6])],
    ];
    for (const [call, f] of fails) {
      assert.throws(f, oom(call), call);
      assert.deepEqual(stats(rt), before, `${call}: the allocator changed`);
      prev.forEach((t, i) => assert.deepEqual(bits(t.data), prevBits[i], `${call}: an earlier output changed`));
      assert.deepEqual(bits(user.data), bits(fixed(24, 46)), `${call}: a user tensor changed`);
    }
    // the repro: tensors made after the failure never receive module results
    const others = [0, 1, 2].map((i) => rt.tensor(fixed(24, 60 + i), [3, 8]));
    const m2 = mha.forward(small, small, small), e2 = enc.forward(small), d2 = dec.forward(small, small), a2 = att.forward(small, small, small);
    ([m2.output, m2.weights!, e2, d2, a2.output, a2.weights!] as Tensor[]).forEach((t, i) => assert.deepEqual(bits(t.data), prevBits[i], 'results after the failures'));
    others.forEach((t, i) => assert.deepEqual(bits(t.data), bits(fixed(24, 60 + i)), 'user tensors after the failures'));
    for (const t of others) t.dispose();

    // loading weights that do not fit keeps the old ones of every layer: 6.3 MB a layer, and the old weights stay
    // until the new ones are all in, so the reload fails at the 4th layer
    const stack = new Transformer(rt, { dModel: 512, nhead: 8, dimFeedforward: 512, batchFirst: true, numLayers: 4 });
    const cheap = (seed: number): ReturnType<typeof fixedStateDict> => Object.fromEntries(stack.parameterShapes().map((p) => {
      const n = p.shape.reduce((a, b) => a * b, 1), data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = (((i * 7919 + seed * 104729) % 1000) / 1000 - 0.5) * 0.05 + (/norm\d\.weight/.test(p.name) ? 1 : 0);
      return [p.name, { data, shape: p.shape }];
    }));
    stack.loadStateDict(cheap(1));
    const xs = { data: fixed(2 * 512, 3), shape: [1, 2, 512] };
    const before2 = bits(stack.forward(xs).data);
    const s0 = stats(rt);
    assert.throws(() => stack.loadStateDict(cheap(2)), oom('Transformer.loadStateDict'));
    assert.deepEqual(stats(rt), s0, 'a failed load changed the allocator');
    assert.deepEqual(bits(stack.forward(xs).data), before2, 'the old weights still run after the failed load');
    for (const m of [mha, enc, dec, att, stack]) m.dispose();
  });
}

test('outputs die with their module and with its next forward; disposed inputs are named', async () => {
  const rt = await init();
  const mha = new MultiHead(rt, { embedDim: 8, numHeads: 2 });
  mha.loadStateDict(fixedStateDict(mha, 70));
  const x = { data: fixed(24, 71), shape: [3, 8] };
  const r1 = mha.forward(x, x, x);
  const copy = r1.output.toArray();
  const r2 = mha.forward(x, x, x);
  assert.equal(r1.output.disposed, true);
  assert.throws(() => r1.output.data, /Tensor\.data: tensor used after its module's next call or dispose\(\) \(it was an output of MultiHead\.forward/);
  assert.deepEqual(r2.output.toArray(), copy);
  // a failed call does not end the last outputs
  assert.throws(() => mha.forward(x, x, { data: fixed(8, 1), shape: [1, 8] }), /MultiHead\.forward: key and value/);
  assert.equal(r2.output.disposed, false);
  mha.dispose();
  assert.equal(r2.output.disposed, true);
  assert.equal(r2.weights!.disposed, true);
  assert.throws(() => r2.output.toArray(), /used after/);

  const enc = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 8 });
  enc.loadStateDict(fixedStateDict(enc, 72));
  const y = enc.forward(x);
  enc.dispose();
  assert.throws(() => y.data, /output of Transformer\.forward/);

  const t = rt.tensor(fixed(24, 73), [3, 8]);
  t.dispose();
  const m2 = new MultiHead(rt, { embedDim: 8, numHeads: 2 });
  m2.loadStateDict(fixedStateDict(m2, 74));
  assert.throws(() => m2.forward(x, t, t), /^TypeError: MultiHead\.forward: key is a Tensor that is no longer valid: used after dispose\(\)/);
  const att = new Attention(rt, { score: 'dot' });
  assert.throws(() => att.forward(t, t, t), /^TypeError: Attention\.forward: queries is a Tensor/);
  const dec = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 8, kind: 'decoder' });
  dec.loadStateDict(fixedStateDict(dec, 75));
  assert.throws(() => dec.forward(x, t), /^TypeError: Transformer\.forward: memory is a Tensor that is no longer valid/);
  assert.throws(() => rt.ops.relu(t), /^TypeError: relu: x is a Tensor that is no longer valid: used after dispose\(\)/);
  m2.dispose(); dec.dispose();
});

test("a module's own output as its next input gives the same result as a copy of it", async () => {
  for (const variant of VARIANTS) {
    const rt = await init({ variant });
    const x = rt.tensor(fixed(2 * 3 * 8, 80), [3, 2, 8]);

    const dec = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 16, kind: 'decoder', numLayers: 2 });
    dec.loadStateDict(fixedStateDict(dec, 81));
    const y = dec.forward(x, x);
    const yCopy = { data: y.toArray(), shape: y.shape };
    const viaCopy = bits(dec.forward(x, yCopy).data);
    const y2 = dec.forward(x, x);
    assert.deepEqual(bits(dec.forward(x, y2).data), viaCopy, `${variant}: decoder memory = its own output`);
    const viaCopy2 = bits(dec.forward(yCopy, x).data);
    const y4 = dec.forward(x, x);   // the values of y again
    assert.deepEqual(bits(dec.forward(y4, x).data), viaCopy2, `${variant}: decoder tgt = its own output`);

    const mha = new MultiHead(rt, { embedDim: 8, numHeads: 2 });
    mha.loadStateDict(fixedStateDict(mha, 82));
    const o = mha.forward(x, x, x).output;
    const oCopy = { data: o.toArray(), shape: o.shape };
    const want = mha.forward(oCopy, x, oCopy);
    const wantBits = [bits(want.output.data), bits(want.weights!.data)];
    const o2 = mha.forward(x, x, x).output;
    const got = mha.forward(o2, x, o2);
    assert.deepEqual([bits(got.output.data), bits(got.weights!.data)], wantBits, `${variant}: MultiHead query/value = its own output`);

    const att = new Attention(rt, { score: 'scaledDot' });
    const a1 = att.forward(x, x, x);
    const w = { data: a1.output.toArray(), shape: a1.output.shape };
    const aWant = bits(att.forward(w, w, w).output.data);
    const a2 = att.forward(x, x, x);
    assert.deepEqual(bits(att.forward(a2.output, a2.output, a2.output).output.data), aWant, `${variant}: Attention own output`);
    dec.dispose(); mha.dispose(); att.dispose(); x.dispose();
  }
});

test('constructors name a missing Runtime (a forgotten await) and norm needs numLayers', async () => {
  const pending = init();
  for (const [name, make] of [
    ['MultiHead', () => new MultiHead(pending as never, { embedDim: 8, numHeads: 2 })],
    ['Attention', () => new Attention(pending as never, { score: 'dot' })],
    ['Transformer', () => new Transformer(pending as never, { dModel: 8, nhead: 2 })],
  ] as const) {
    assert.throws(make, new RegExp(`^TypeError: ${name}: rt must be the Runtime returned by \`await init\\(\\)\`, got .*forget \`await init\\(\\)\``));
  }
  const rt = await pending;
  assert.throws(() => new Transformer(rt, { dModel: 8, nhead: 2, norm: true }), /^RangeError: Transformer: norm: true needs numLayers/);
  const t = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 8, norm: true, numLayers: 1 });
  t.loadStateDict(fixedStateDict(t, 90));
  assert.equal(t.forward({ data: fixed(16, 91), shape: [2, 8] }).shape.length, 2);
  t.dispose();
});

