// GRU and LSTM (bindings/nn/rnn.ts) through BOTH builds against the float64 reference of tests/reference/rnn.ts
// (PyTorch's equations): awkward sizes (H not a multiple of 8, odd inputs, T = 1), multi-layer, bidirectional,
// batchFirst, no bias, unbatched inputs, given initial states; step() equals forward(); errors name the argument;
// a steady-state forward/step allocates nothing; all-or-nothing loads. Tolerance 1e-5 absolute. And against
// onnxruntime-web's GRU (linear_before_reset = 1) and LSTM ops on the same weights (bench/suites/rnn.ts rnnGraph).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, type Runtime } from '../../bindings/index.ts';
import { rnnParamShapes, rnnRef, type Mode, type RnnRefOptions } from '../reference/rnn.ts';
import { expectError, randomParams } from '../support/module_helpers.ts';
import { VARIANTS, assertClose, rng, runtime, uniform } from '../support/util.ts';
import { ortPeer } from '../../bench/peers/peers.ts';
import { rnnGraph } from '../../bench/suites/rnn.ts';

const ATOL = 1e-5;

type Case = Omit<RnnRefOptions, 'mode'> & { T: number; N: number; states?: boolean };
const CASES: Case[] = [
  { inputSize: 5, hiddenSize: 7, numLayers: 1, bias: true, bidirectional: false, batchFirst: false, T: 6, N: 1 },
  { inputSize: 3, hiddenSize: 13, numLayers: 2, bias: true, bidirectional: false, batchFirst: false, T: 5, N: 3, states: true },
  { inputSize: 16, hiddenSize: 8, numLayers: 1, bias: false, bidirectional: true, batchFirst: true, T: 4, N: 2 },
  { inputSize: 9, hiddenSize: 17, numLayers: 3, bias: true, bidirectional: true, batchFirst: false, T: 7, N: 6, states: true },
  { inputSize: 33, hiddenSize: 31, numLayers: 2, bias: true, bidirectional: false, batchFirst: true, T: 1, N: 9 },
  { inputSize: 1, hiddenSize: 1, numLayers: 1, bias: true, bidirectional: true, batchFirst: false, T: 3, N: 5, states: true },
  { inputSize: 24, hiddenSize: 64, numLayers: 1, bias: true, bidirectional: false, batchFirst: false, T: 9, N: 8, states: true },
  { inputSize: 40, hiddenSize: 100, numLayers: 2, bias: true, bidirectional: true, batchFirst: true, T: 5, N: 4 },
];

const make = (rt: Runtime, mode: Mode, o: object) => (mode === 'GRU' ? new GRU(rt, o as never) : new LSTM(rt, o as never));

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const variant of VARIANTS) {
  for (const mode of ['GRU', 'LSTM'] as const) {
    test(`${variant}: ${mode} forward matches the float64 reference (layers, directions, batchFirst, bias, states)`, async () => {
      const rt = await runtime(variant);
      const r = rng(mode === 'GRU' ? 11 : 12);
      for (const c of CASES) {
        const o = { mode, ...c };
        const sd = randomParams(r, rnnParamShapes(o));
        const m = make(rt, mode, { inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bias: c.bias,
          bidirectional: c.bidirectional, batchFirst: c.batchFirst }).loadStateDict(sd);
        const D = c.bidirectional ? 2 : 1, H = c.hiddenSize, DL = D * c.numLayers;
        const x = uniform(r, c.T * c.N * c.inputSize, -2, 2);
        const h0 = c.states ? uniform(r, DL * c.N * H, -1, 1) : null;
        const c0 = c.states ? uniform(r, DL * c.N * H, -2, 2) : null;
        const want = rnnRef(o, sd, x, c.T, c.N, h0, c0);
        const xShape = c.batchFirst ? [c.N, c.T, c.inputSize] : [c.T, c.N, c.inputSize];
        const sShape = [DL, c.N, H];
        const what = `${variant} ${mode} ${JSON.stringify(c)}`;
        const res = mode === 'GRU'
          ? (m as GRU).forward({ data: x, shape: xShape }, h0 ? { data: h0, shape: sShape } : null)
          : (m as LSTM).forward({ data: x, shape: xShape }, h0 ? [{ data: h0, shape: sShape }, { data: c0!, shape: sShape }] : null);
        assert.deepEqual(res.output.shape, c.batchFirst ? [c.N, c.T, D * H] : [c.T, c.N, D * H], `${what} output shape`);
        assert.deepEqual(res.hN.shape, sShape, `${what} hN shape`);
        assertClose(res.output.data, want.output, ATOL, 0, `${what} output (max diff ${maxDiff(res.output.data, want.output).toExponential(2)})`);
        assertClose(res.hN.data, want.hN, ATOL, 0, `${what} hN`);
        if (mode === 'LSTM') assertClose((res as unknown as { cN: { data: Float32Array } }).cN.data, want.cN!, ATOL, 0, `${what} cN`);
        m.dispose();
      }
    });

    test(`${variant}: ${mode} unbatched input [L, in] and h0 [D·layers, H] as PyTorch`, async () => {
      const rt = await runtime(variant);
      const r = rng(21);
      const o = { mode, inputSize: 6, hiddenSize: 10, numLayers: 2, bias: true, bidirectional: true, batchFirst: false };
      const sd = randomParams(r, rnnParamShapes(o));
      const m = make(rt, mode, { inputSize: 6, hiddenSize: 10, numLayers: 2, bidirectional: true }).loadStateDict(sd);
      const T = 5, x = uniform(r, T * 6), h0 = uniform(r, 4 * 10), c0 = uniform(r, 4 * 10);
      const want = rnnRef(o, sd, x, T, 1, h0, c0);
      const res = mode === 'GRU'
        ? (m as GRU).forward({ data: x, shape: [T, 6] }, { data: h0, shape: [4, 10] })
        : (m as LSTM).forward({ data: x, shape: [T, 6] }, [{ data: h0, shape: [4, 10] }, { data: c0, shape: [4, 10] }]);
      assert.deepEqual(res.output.shape, [T, 20]);
      assert.deepEqual(res.hN.shape, [4, 10]);
      assertClose(res.output.data, want.output, ATOL, 0, 'unbatched output');
      assertClose(res.hN.data, want.hN, ATOL, 0, 'unbatched hN');
      m.dispose();
    });

    test(`${variant}: ${mode} step() equals forward() step by step (Tensors chained in place, no allocation)`, async () => {
      const rt = await runtime(variant);
      const r = rng(31);
      for (const [inF, H, L, N] of [[7, 13, 2, 1], [16, 32, 3, 4], [5, 9, 1, 7]]) {
        const o = { mode, inputSize: inF, hiddenSize: H, numLayers: L, bias: true, bidirectional: false, batchFirst: false };
        const sd = randomParams(r, rnnParamShapes(o));
        const m = make(rt, mode, { inputSize: inF, hiddenSize: H, numLayers: L }).loadStateDict(sd);
        const T = 6, x = uniform(r, T * N * inF), h0 = uniform(r, L * N * H), c0 = uniform(r, L * N * H);
        const full = mode === 'GRU'
          ? (m as GRU).forward({ data: x, shape: [T, N, inF] }, { data: h0, shape: [L, N, H] })
          : (m as LSTM).forward({ data: x, shape: [T, N, inF] }, [{ data: h0, shape: [L, N, H] }, { data: c0, shape: [L, N, H] }]);
        const out = full.output.toArray(), hN = full.hN.toArray();
        const xs = rt.tensor(x, [T, N, inF]);
        const xt = Array.from({ length: T }, (_, t) => rt.tensor(x.subarray(t * N * inF, (t + 1) * N * inF), [N, inF]));
        let h = rt.tensor(h0, [L, N, H]) as import('../../bindings/index.ts').Tensor, c = rt.tensor(c0, [L, N, H]) as import('../../bindings/index.ts').Tensor;
        const first = [h, c];
        let before = 0;
        for (let t = 0; t < T; t++) {
          if (t === 2) before = rt.memoryStats().bytesInUse;
          const s = mode === 'GRU' ? (m as GRU).step(xt[t], h) : (m as LSTM).step(xt[t], [h, c]);
          assert.deepEqual(s.output.shape, [N, H]);
          // bit-identical: the same GEMM rows and the same step kernel
          assert.deepEqual(s.output.toArray(), out.subarray(t * N * H, (t + 1) * N * H), `${variant} ${mode} step ${t} output`);
          h = s.h;
          if (mode === 'LSTM') c = (s as unknown as { c: import('../../bindings/index.ts').Tensor }).c;
        }
        assert.equal(rt.memoryStats().bytesInUse, before, 'steady-state step allocates nothing');
        assert.deepEqual(h.toArray(), hN, `${variant} ${mode} final h = forward hN`);
        // zero state by default
        const z = mode === 'GRU' ? (m as GRU).step(xt[0]) : (m as LSTM).step(xt[0]);
        const ref = rnnRef(o, sd, x.subarray(0, N * inF), 1, N);
        assertClose(z.output.data, ref.output, ATOL, 0, 'step from zeros');
        for (const t of [...xt, xs, ...first]) t.dispose();
        m.dispose();
      }
    });
  }

  test(`${variant}: steady-state forward allocates nothing; outputs die at the next call; dispose frees everything`, async () => {
    const rt = await runtime(variant);
    const r = rng(41);
    const base = rt.memoryStats().bytesInUse;
    const o = { mode: 'LSTM' as const, inputSize: 12, hiddenSize: 20, numLayers: 2, bias: true, bidirectional: true, batchFirst: true };
    const m = new LSTM(rt, { inputSize: 12, hiddenSize: 20, numLayers: 2, bidirectional: true, batchFirst: true }).loadStateDict(randomParams(r, rnnParamShapes(o)));
    const x = rt.tensor(uniform(r, 3 * 8 * 12), [3, 8, 12]);
    const a = m.forward(x);
    const used = rt.memoryStats();
    const b = m.forward(x);
    assert.equal(rt.memoryStats().bytesInUse, used.bytesInUse);
    assert.equal(rt.memoryStats().memoryBytes, used.memoryBytes);
    assert.throws(() => a.output.data, /next call or dispose/);
    // a module output fed back as the initial state is copied first
    const c = m.forward(x, [b.hN, b.cN]);
    assert.equal(c.output.shape[2], 40);
    m.dispose();
    x.dispose();
    assert.equal(rt.memoryStats().bytesInUse, base, 'dispose frees everything');
  });

  test(`${variant}: errors name the argument, expected and received shape; loads are all-or-nothing`, async () => {
    const rt = await runtime(variant);
    const r = rng(51);
    const g = new GRU(rt, { inputSize: 4, hiddenSize: 6, numLayers: 2 });
    expectError(() => g.forward({ data: new Float32Array(12), shape: [3, 4] }), [/loadStateDict/], 'not loaded');
    const sd = randomParams(r, rnnParamShapes({ mode: 'GRU', inputSize: 4, hiddenSize: 6, numLayers: 2, bias: true, bidirectional: false }));
    expectError(() => g.loadStateDict({ ...sd, weight_hh_l1: { data: new Float32Array(18 * 5), shape: [18, 5] } }), [/weight_hh_l1/, /18, 6/, /18, 5/], 'bad shape');
    expectError(() => g.loadStateDict({ weight_ih_l0: sd.weight_ih_l0 }), [/missing/, /weight_hh_l0/], 'missing keys');
    g.loadStateDict(sd);
    const x0 = { data: uniform(r, 12), shape: [3, 4] };
    const y0 = g.forward(x0).output.toArray();
    expectError(() => g.loadStateDict({ ...sd, bias_hh_l1: new Float32Array(5) }), [/bias_hh_l1/, /18/], 'bad bias');
    assert.deepEqual(g.forward(x0).output.toArray(), y0, 'a failed load keeps the old weights');
    expectError(() => g.forward({ data: new Float32Array(15), shape: [3, 5] }), [/input/, /inputSize = 4/, /3, 5/], 'bad input');
    expectError(() => g.forward({ data: new Float32Array(12), shape: [3, 1, 4] }, { data: new Float32Array(6), shape: [1, 1, 6] }), [/h0/, /2, 1, 6/, /1, 1, 6/], 'bad h0');
    expectError(() => g.step({ data: new Float32Array(4), shape: [1, 4] }, { data: new Float32Array(24), shape: [2, 2, 6] }), [/h/, /2, 1, 6/, /2, 2, 6/], 'bad step h');
    expectError(() => new GRU(rt, { inputSize: 4, hiddenSize: 0 }), [/hiddenSize/], 'hiddenSize');
    expectError(() => new GRU(rt, { inputSize: 4, hiddenSize: 3, hidden: 2 } as never), [/unknown option "hidden"/], 'typo');
    expectError(() => new LSTM(rt, { inputSize: 4, hiddenSize: 3, projSize: 2 }), [/projSize/], 'proj_size');
    const bi = new GRU(rt, { inputSize: 4, hiddenSize: 6, bidirectional: true });
    bi.loadStateDict(randomParams(r, rnnParamShapes({ mode: 'GRU', inputSize: 4, hiddenSize: 6, numLayers: 1, bias: true, bidirectional: true })));
    expectError(() => bi.step({ data: new Float32Array(4), shape: [1, 4] }), [/bidirectional/], 'step bidirectional');
    const l = new LSTM(rt, { inputSize: 4, hiddenSize: 6 });
    expectError(() => l.loadStateDict(sd), [/weight_ih_l0/, /24, 4/], 'GRU weights into an LSTM');
    bi.dispose(); g.dispose(); l.dispose();
    expectError(() => g.forward({ data: new Float32Array(12), shape: [3, 4] }), [/dispose/], 'after dispose');
  });
}

// [inputSize, hiddenSize, numLayers, bidirectional, bias, states] x [T, N]
const ORT_CASES: [number, number, number, boolean, boolean, boolean][] = [
  [8, 16, 1, false, true, false], [5, 13, 2, true, true, true], [12, 33, 3, false, false, true], [64, 64, 1, true, true, true],
];
for (const mode of ['GRU', 'LSTM'] as const) {
  test(`${mode} vs onnxruntime-web's ${mode} op on the same weights (both builds, layers, directions, states)`, async () => {
    const { session, run } = await ortPeer();
    const r = rng(mode === 'GRU' ? 61 : 62);
    for (const [inputSize, hiddenSize, numLayers, bidirectional, bias, states] of ORT_CASES) {
      const o = { mode, inputSize, hiddenSize, numLayers, bidirectional, bias, batchFirst: false };
      const sd = randomParams(r, rnnParamShapes(o));
      const s = await session(rnnGraph(sd, { mode, inputSize, hiddenSize, numLayers, bidirectional, bias, states }));
      const DL = (bidirectional ? 2 : 1) * numLayers;
      for (const variant of VARIANTS) {
        const rt = await runtime(variant);
        const m = make(rt, mode, { inputSize, hiddenSize, numLayers, bidirectional, bias }).loadStateDict(sd);
        for (const [T, N] of [[1, 1], [7, 3], [16, 8]]) {
          const x = uniform(r, T * N * inputSize, -2, 2);
          const h0 = uniform(r, DL * N * hiddenSize), c0 = uniform(r, DL * N * hiddenSize, -2, 2);
          const sShape = [DL, N, hiddenSize];
          const feeds: Record<string, { data: Float32Array; dims: number[] }> = { x: { data: x, dims: [T, N, inputSize] } };
          if (states) { feeds.h0 = { data: h0, dims: sShape }; if (mode === 'LSTM') feeds.c0 = { data: c0, dims: sShape }; }
          const want = await run(s, feeds);
          const res = mode === 'GRU'
            ? (m as GRU).forward({ data: x, shape: [T, N, inputSize] }, states ? { data: h0, shape: sShape } : null)
            : (m as LSTM).forward({ data: x, shape: [T, N, inputSize] }, states ? [{ data: h0, shape: sShape }, { data: c0, shape: sShape }] : null);
          const what = `${variant} ${mode} in=${inputSize} H=${hiddenSize} layers=${numLayers} bi=${bidirectional} T=${T} N=${N}`;
          assertClose(res.output.data, want.y, ATOL, 0, `${what} output (max diff ${maxDiff(res.output.data, want.y).toExponential(2)})`);
          assertClose(res.hN.data, want.hn, ATOL, 0, `${what} hN`);
          if (mode === 'LSTM') assertClose((res as unknown as { cN: { data: Float32Array } }).cN.data, want.cn, ATOL, 0, `${what} cN`);
        }
        m.dispose();
      }
      await s.release();
    }
  });
}
