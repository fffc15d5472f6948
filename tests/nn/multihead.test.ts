// MultiHead (torch.nn.MultiheadAttention semantics) against the independent float64 reference, for both builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultiHead, type Runtime } from '../../bindings/index.ts';
import { VARIANTS, runtime, rng, uniform, assertClose } from '../support/util.ts';
import { pick, randomParams, expectError, num, shapeOrSize, sizeOf, randomMask, assertSteadyState, type MaskIn, type Rand } from '../support/module_helpers.ts';
import { multiheadAttention, mhaParamShapes, type MhaConfig, type MhaOptions } from '../reference/index.ts';

const ATOL = 1e-5, RTOL = 1e-4;


interface Case {
  cfg: Required<Omit<MhaConfig, 'kdim' | 'vdim'>> & { kdim?: number; vdim?: number };
  N: number; L: number; S: number;
  batched: boolean;
  selfAttn: boolean;     // query === key === value (same object)
  asTensor: boolean;
  opts: {
    keyPaddingMask?: MaskIn; attnMask?: MaskIn;
    needWeights?: boolean; averageAttnWeights?: boolean; isCausal?: boolean;
  };
}

function shapeFor(c: Case, T: number, C: number): number[] {
  if (!c.batched) return [T, C];
  return c.cfg.batchFirst ? [c.N, T, C] : [T, c.N, C];
}


function randomCase(r: Rand): Case {
  const H = pick(r, [1, 2, 4, 8]);
  const hd = pick(r, [1, 3, 5, 8, 16].filter((d) => H * d <= 64));
  const E = H * hd;
  const batched = r() < 0.8;
  const N = batched ? pick(r, [1, 2, 3, 5]) : 1;
  const L = pick(r, [1, 2, 3, 5, 7, 13]);
  const selfAttn = r() < 0.25;
  const sepDims = !selfAttn && r() < 0.3;
  const S = selfAttn ? L : pick(r, [1, 2, 4, 5, 11, 17]);
  const cfg = {
    embedDim: E, numHeads: H, bias: r() < 0.75,
    addBiasKV: r() < 0.25, addZeroAttn: r() < 0.25, batchFirst: r() < 0.5,
    ...(sepDims ? { kdim: pick(r, [E, 3, 7, 10]), vdim: pick(r, [2, 5, 9]) } : {}),
  };
  const c: Case = { cfg, N, L, S, batched, selfAttn, asTensor: r() < 0.5, opts: {} };
  const kpmKind = pick(r, ['none', 'none', 'bool', 'float']);
  if (kpmKind !== 'none') c.opts.keyPaddingMask = randomMask(r, batched ? [N, S] : [S], kpmKind === 'bool', 0.3, r() < 0.5, -2, 1);
  const amKind = pick(r, ['none', 'none', 'bool2', 'float2', 'bool3', 'float3', 'causal']);
  if (amKind === 'causal') {
    // with bias_kv / zero_attn, the causal mask covers the S real keys and the appended positions stay attendable
    // (as if generate_square_subsequent_mask were passed as attnMask, which torch pads with a 0 column)
    c.opts.isCausal = true;
  } else if (amKind !== 'none') {
    const shape = amKind.endsWith('2') ? [L, S] : batched ? [N * H, L, S] : [H, L, S];
    c.opts.attnMask = randomMask(r, shape, amKind.startsWith('bool'), 0.3, r() < 0.5, -2, 1);
    if (r() < 0.2) c.opts.isCausal = true; // with an attnMask given, the attnMask is used
  }
  const nw = pick(r, ['default', 'true', 'false']);
  if (nw !== 'default') c.opts.needWeights = nw === 'true';
  if (r() < 0.5) c.opts.averageAttnWeights = r() < 0.5;
  return c;
}

interface Inputs { q: Float32Array; k: Float32Array; v: Float32Array }

function randomInputs(r: Rand, c: Case): Inputs {
  const E = c.cfg.embedDim, Ek = c.cfg.kdim ?? E, Ev = c.cfg.vdim ?? E;
  const q = uniform(r, c.N * c.L * E);
  if (c.selfAttn) return { q, k: q, v: q };
  return { q, k: uniform(r, c.N * c.S * Ek), v: uniform(r, c.N * c.S * Ev) };
}

function reference(c: Case, sd: Record<string, Float32Array>, x: Inputs) {
  const E = c.cfg.embedDim, Ek = c.cfg.kdim ?? E, Ev = c.cfg.vdim ?? E;
  return multiheadAttention(c.cfg, sd,
    { data: x.q, shape: shapeFor(c, c.L, E) }, { data: x.k, shape: shapeFor(c, c.S, Ek) }, { data: x.v, shape: shapeFor(c, c.S, Ev) },
    c.opts as MhaOptions);
}

function runModule(rt: Runtime, mha: MultiHead, c: Case, x: Inputs) {
  const E = c.cfg.embedDim, Ek = c.cfg.kdim ?? E, Ev = c.cfg.vdim ?? E;
  const mk = (data: Float32Array, shape: number[]) => (c.asTensor ? rt.tensor(data, shape) : { data, shape });
  const q = mk(x.q, shapeFor(c, c.L, E));
  const k = c.selfAttn ? q : mk(x.k, shapeFor(c, c.S, Ek));
  const v = c.selfAttn ? q : mk(x.v, shapeFor(c, c.S, Ev));
  const { output, weights } = mha.forward(q, k, v, c.opts);
  const res = { output: output.toArray(), outShape: [...output.shape], weights: weights ? weights.toArray() : null, wShape: weights ? [...weights.shape] : null };
  if (c.asTensor) for (const t of new Set([q, k, v])) (t as { dispose(): void }).dispose();
  return res;
}

function describeCase(c: Case): string {
  const m = (x?: MaskIn) => (x === undefined ? '-' : `${x instanceof Uint8Array || (x as { data?: unknown }).data instanceof Uint8Array ? 'bool' : 'float'}${'shape' in (x as object) ? JSON.stringify((x as { shape: number[] }).shape) : `(flat ${(x as ArrayLike<number>).length})`}`);
  return JSON.stringify({ ...c.cfg, N: c.N, L: c.L, S: c.S, batched: c.batched, self: c.selfAttn, tensor: c.asTensor,
    kpm: m(c.opts.keyPaddingMask), attnMask: m(c.opts.attnMask), needWeights: c.opts.needWeights, avg: c.opts.averageAttnWeights, isCausal: c.opts.isCausal });
}

function checkCase(rt: Runtime, c: Case, sd: Record<string, Float32Array>, x: Inputs, what: string, mha?: MultiHead) {
  const own = !mha;
  mha ??= new MultiHead(rt, c.cfg);
  if (own) mha.loadStateDict(sd);
  const ref = reference(c, sd, x);
  const got = runModule(rt, mha, c, x);
  const desc = `${what} ${describeCase(c)}`;
  assert.deepEqual(got.outShape, [...ref.output.shape], `${desc}: output shape`);
  assertClose(got.output, ref.output.data, ATOL, RTOL, `${desc}: output`);
  if (ref.weights) {
    assert.ok(got.weights, `${desc}: weights should be returned`);
    assert.deepEqual(got.wShape, [...ref.weights.shape], `${desc}: weights shape`);
    assertClose(got.weights!, ref.weights.data, ATOL, RTOL, `${desc}: weights`);
  } else {
    assert.equal(got.weights, null, `${desc}: weights should be null when needWeights is false`);
  }
  if (own) mha.dispose();
  return got;
}

for (const variant of VARIANTS) {
  test(`${variant}: MultiHead matches the float64 reference over random shapes, options and masks`, async () => {
    const rt = await runtime(variant);
    const r = rng(2024);
    for (let i = 0; i < 120; i++) {
      const c = randomCase(r);
      const sd = randomParams(r, mhaParamShapes(c.cfg));
      checkCase(rt, c, sd, randomInputs(r, c), `${variant} case ${i}`);
    }
  });

  test(`${variant}: MultiHead every flag combination (bias, bias_kv, zero_attn, batch_first, kdim/vdim, weights)`, async () => {
    const rt = await runtime(variant);
    const r = rng(99);
    let i = 0;
    for (const bias of [true, false]) for (const addBiasKV of [false, true]) for (const addZeroAttn of [false, true])
      for (const batchFirst of [false, true]) for (const sep of [false, true]) for (const nw of [true, false]) {
        const H = 2, E = 6, N = 2, L = 3, S = 5;
        const cfg = { embedDim: E, numHeads: H, bias, addBiasKV, addZeroAttn, batchFirst, ...(sep ? { kdim: 4, vdim: 7 } : {}) };
        const c: Case = { cfg, N, L, S, batched: true, selfAttn: false, asTensor: (i & 1) === 0, opts: {
          needWeights: nw, averageAttnWeights: (i & 2) === 0,
          keyPaddingMask: randomMask(r, [N, S], true, 0.3, false, -2, 1), attnMask: randomMask(r, [L, S], false, 0.2, true, -2, 1),
        } };
        checkCase(rt, c, randomParams(r, mhaParamShapes(cfg)), randomInputs(r, c), `${variant} combo ${i++}`);
      }
  });

  test(`${variant}: MultiHead fully masked rows give zeros before out_proj (output = out_proj.bias, weights 0)`, async () => {
    const rt = await runtime(variant);
    const r = rng(7);
    const E = 8, H = 2, N = 2, L = 3, S = 4;
    for (const needWeights of [true, false]) for (const kind of ['kpm-bool', 'kpm-float', 'attn-bool', 'attn-float3']) {
      const cfg = { embedDim: E, numHeads: H, bias: true, addBiasKV: false, addZeroAttn: false, batchFirst: true };
      const sd = randomParams(r, mhaParamShapes(cfg));
      const opts: Case['opts'] = { needWeights };
      if (kind === 'kpm-bool') { const m = new Uint8Array(N * S); m.fill(1, S); opts.keyPaddingMask = m; }              // batch 1 all padded
      if (kind === 'kpm-float') { const m = new Float32Array(N * S); m.fill(-Infinity, S); opts.keyPaddingMask = m; }
      if (kind === 'attn-bool') { const m = new Uint8Array(L * S); m.fill(1, S, 2 * S); opts.attnMask = m; }         // query row 1 masked
      if (kind === 'attn-float3') { const m = new Float32Array(N * H * L * S); m.fill(-Infinity, 0, L * S); opts.attnMask = { data: m, shape: [N * H, L, S] }; } // (n0,h0) all masked
      const c: Case = { cfg, N, L, S, batched: true, selfAttn: false, asTensor: false, opts };
      const x = randomInputs(r, c);
      const got = checkCase(rt, c, sd, x, `${variant} fully masked ${kind} needWeights=${needWeights}`);
      const bias = sd['out_proj.bias'];
      if (kind.startsWith('kpm')) {
        for (let l = 0; l < L; l++) assertClose(got.output.subarray((L + l) * E, (L + l + 1) * E), bias, 1e-6, 0, `${kind}: row = out_proj.bias`);
        if (got.weights) assert.ok(Array.from(got.weights.subarray(L * S)).every((w) => w === 0), `${kind}: weights 0`);
      }
      if (kind === 'attn-bool') {
        for (let n = 0; n < N; n++) assertClose(got.output.subarray((n * L + 1) * E, (n * L + 2) * E), bias, 1e-6, 0, `${kind}: row = out_proj.bias`);
      }
      assert.ok(got.output.every((o) => !Number.isNaN(o)), `${kind}: no NaN`);
    }
  });

  test(`${variant}: MultiHead isCausal alone = upper-left causal mask; with attnMask the attnMask wins`, async () => {
    const rt = await runtime(variant);
    const r = rng(11);
    for (const [L, S] of [[5, 5], [3, 6], [6, 3], [1, 4]]) {
      const cfg = { embedDim: 8, numHeads: 4, bias: true, addBiasKV: false, addZeroAttn: false, batchFirst: false };
      const sd = randomParams(r, mhaParamShapes(cfg));
      const base: Case = { cfg, N: 2, L, S, batched: true, selfAttn: false, asTensor: true, opts: {} };
      const x = randomInputs(r, base);
      for (const needWeights of [true, false]) {
        const causal = checkCase(rt, { ...base, opts: { isCausal: true, needWeights } }, sd, x, `${variant} causal L=${L} S=${S}`);
        const explicit = new Uint8Array(L * S);
        for (let i = 0; i < L; i++) for (let j = 0; j < S; j++) explicit[i * S + j] = j > i ? 1 : 0;
        const viaMask = checkCase(rt, { ...base, opts: { attnMask: explicit, needWeights } }, sd, x, `${variant} explicit causal`);
        assertClose(causal.output, viaMask.output, 1e-6, 1e-6, 'isCausal == explicit causal mask');
        const other = randomMask(r, [L, S], true, 0.3, true, -2, 1);
        checkCase(rt, { ...base, opts: { attnMask: other, isCausal: true, needWeights } }, sd, x, `${variant} isCausal + attnMask`);
      }
    }
  });

  test(`${variant}: MultiHead self-attention with query === key === value and unbatched inputs`, async () => {
    const rt = await runtime(variant);
    const r = rng(12);
    for (const [E, H, L] of [[16, 4, 7], [15, 5, 1], [8, 8, 13], [3, 1, 2]] as const) {
      for (const batched of [true, false]) {
        const cfg = { embedDim: E, numHeads: H, bias: true, addBiasKV: false, addZeroAttn: false, batchFirst: true };
        const c: Case = { cfg, N: batched ? 3 : 1, L, S: L, batched, selfAttn: true, asTensor: true, opts: {
          keyPaddingMask: randomMask(r, batched ? [3, L] : [L], true, 0.2, false, -2, 1),
          attnMask: randomMask(r, batched ? [3 * H, L, L] : [H, L, L], false, 0.1, true, -2, 1), averageAttnWeights: false } };
        checkCase(rt, c, randomParams(r, mhaParamShapes(cfg)), randomInputs(r, c), `${variant} self E=${E} H=${H} L=${L} batched=${batched}`);
      }
    }
  });

  test(`${variant}: MultiHead propagates NaN (query: its row; key: its batch)`, async () => {
    const rt = await runtime(variant);
    const r = rng(13);
    const cfg = { embedDim: 8, numHeads: 2, bias: true, addBiasKV: false, addZeroAttn: false, batchFirst: true };
    const sd = randomParams(r, mhaParamShapes(cfg));
    const c: Case = { cfg, N: 2, L: 3, S: 4, batched: true, selfAttn: false, asTensor: false, opts: {} };
    const x = randomInputs(r, c);
    x.q = x.q.slice(); x.q[(1 * 3 + 1) * 8 + 2] = NaN;
    let got = checkCase(rt, c, sd, x, `${variant} NaN query`);
    assert.ok(got.output.subarray((1 * 3 + 1) * 8, (1 * 3 + 2) * 8).every(Number.isNaN));
    assert.ok(got.output.subarray(0, 3 * 8).every(Number.isFinite));
    const y = randomInputs(r, c);
    y.k = y.k.slice(); y.k[(0 * 4 + 2) * 8 + 5] = NaN;
    got = checkCase(rt, c, sd, y, `${variant} NaN key`);
    assert.ok(got.output.subarray(0, 3 * 8).every(Number.isNaN));
    assert.ok(got.output.subarray(3 * 8).every(Number.isFinite));
  });

  test(`${variant}: MultiHead rejects bad inputs clearly and keeps working`, async () => {
    const rt = await runtime(variant);
    const r = rng(14);
    const E = 8, H = 2, N = 2, L = 3, S = 5;
    const cfg = { embedDim: E, numHeads: H, bias: true, addBiasKV: false, addZeroAttn: false, batchFirst: true };
    const sd = randomParams(r, mhaParamShapes(cfg));
    const c: Case = { cfg, N, L, S, batched: true, selfAttn: false, asTensor: false, opts: {} };
    const x = randomInputs(r, c);
    const mha = new MultiHead(rt, cfg);
    mha.loadStateDict(sd);
    const ok = () => checkCase(rt, c, sd, x, 'forward after an error', mha);
    const Q = { data: x.q, shape: [N, L, E] }, K = { data: x.k, shape: [N, S, E] }, V = { data: x.v, shape: [N, S, E] };

    expectError(() => mha.forward({ data: x.q, shape: [1, N, L, E] }, K, V), [/query/, /1, 2, 3, 8|1x2x3x8/], 'rank-4 query');
    ok();
    expectError(() => mha.forward({ data: uniform(r, N * L * 7), shape: [N, L, 7] }, K, V), [/query/, num(8), num(7)], 'query embed');
    ok();
    expectError(() => mha.forward(Q, { data: uniform(r, N * S * 6), shape: [N, S, 6] }, V), [/key/, num(8), num(6)], 'key embed');
    ok();
    expectError(() => mha.forward(Q, { data: uniform(r, 3 * S * E), shape: [3, S, E] }, V), [/key|batch/, num(3), num(2)], 'batch mismatch');
    ok();
    expectError(() => mha.forward(Q, K, { data: uniform(r, N * 4 * E), shape: [N, 4, E] }), [/value/, num(5), num(4)], 'value length');
    ok();
    expectError(() => mha.forward(Q, { data: x.k.subarray(0, S * E), shape: [S, E] }, V), [/key/, /5, 8|5x8/], 'unbatched key with batched query');
    ok();
    expectError(() => mha.forward(Q, K, V, { keyPaddingMask: new Uint8Array(N * (S + 1)) }), [/keyPaddingMask/, num(N * S)], 'kpm size');
    ok();
    expectError(() => mha.forward(Q, K, V, { keyPaddingMask: { data: new Uint8Array(N * S), shape: [S, N] } }), [/keyPaddingMask/, /5, 2|5x2/], 'kpm shape');
    ok();
    expectError(() => mha.forward(Q, K, V, { attnMask: new Float32Array(L * (S + 1)) }), [/attnMask/, num(L * (S + 1))], 'attnMask size');
    ok();
    expectError(() => mha.forward(Q, K, V, { attnMask: { data: new Float32Array(H * L * S), shape: [H, L, S] } }), [/attnMask/, /2, 3, 5|2x3x5/], 'attnMask 3-D without batch');
    ok();
    expectError(() => mha.forward(Q, K, V, { attnMask: new Int32Array(L * S) as never }), [/attnMask/, /Int32Array/], 'attnMask Int32Array');
    ok();
    expectError(() => mha.forward(Q, K, V, { keyPaddingMask: new Float64Array(N * S) as never }), [/keyPaddingMask/, /Float64Array/], 'kpm Float64Array');
    ok();
    expectError(() => mha.forward(Q, K, V, { needWeight: false } as never), [/needWeight/], 'unknown forward option');
    ok();
    expectError(() => mha.loadStateDict({ ...sd, in_proj_weight: new Float32Array(3 * E * E - 8) }), [/in_proj_weight/, shapeOrSize([3 * E, E]), num(3 * E * E - 8)], 'in_proj_weight size');
    ok();
    expectError(() => mha.loadStateDict({ ...sd, 'out_proj.weight': { data: new Float32Array(E * E), shape: [E / 2, E * 2] } } as never), [/out_proj\.weight/, /8, 8|8x8/, /4, 16|4x16/], 'out_proj.weight shape');
    ok();
    const { ['out_proj.bias']: _b, ...missing } = sd;
    expectError(() => mha.loadStateDict(missing), [/out_proj\.bias/], 'missing key');
    ok();
    expectError(() => mha.loadStateDict({ ...sd, bias_k: new Float32Array(E) }), [/bias_k/], 'unexpected key');
    ok();
    expectError(() => new MultiHead(rt, { embedDim: 10, numHeads: 3 }), [/numHeads|embedDim|divisible/, num(10), num(3)], 'numHeads not dividing');
    expectError(() => new MultiHead(rt, { embedDim: 8, numHeads: 2, dropuot: 0 } as never), [/dropuot/], 'unknown ctor option');
    expectError(() => new MultiHead(rt, { embedDim: 0, numHeads: 2 }), [/embedDim/, num(0)], 'embedDim 0');
    ok();
    const sep = new MultiHead(rt, { embedDim: E, numHeads: H, kdim: 5, vdim: 3 });
    expectError(() => sep.loadStateDict(sd), [/q_proj_weight|k_proj_weight|v_proj_weight/], 'packed weights for separate dims');
    expectError(() => sep.loadStateDict({ ...randomParams(r, mhaParamShapes({ embedDim: E, numHeads: H, kdim: 5, vdim: 3 })), k_proj_weight: new Float32Array(E * 6) }),
      [/k_proj_weight/, shapeOrSize([E, 5])], 'k_proj_weight shape');
    sep.dispose();
    ok();
    mha.dispose();
    expectError(() => mha.forward(Q, K, V), [/dispose/i], 'use after dispose');
    checkCase(rt, c, sd, x, 'new module after dispose');
  });

  test(`${variant}: MultiHead larger shapes (E=64, H=8, L=33, S=65; E=48, H=3, hd=16)`, async () => {
    const rt = await runtime(variant);
    const r = rng(16);
    for (const [E, H, N, L, S, batchFirst] of [[64, 8, 2, 33, 65, true], [48, 3, 1, 17, 40, false]] as const) {
      const cfg = { embedDim: E, numHeads: H, bias: true, addBiasKV: false, addZeroAttn: false, batchFirst };
      const c: Case = { cfg, N, L, S, batched: true, selfAttn: false, asTensor: true, opts: {
        keyPaddingMask: randomMask(r, [N, S], true, 0.2, true, -2, 1), attnMask: randomMask(r, [L, S], false, 0.1, true, -2, 1), averageAttnWeights: false } };
      checkCase(rt, c, randomParams(r, mhaParamShapes(cfg)), randomInputs(r, c), `${variant} large E=${E}`);
    }
  });

  test(`${variant}: MultiHead steady state allocates nothing (10,000 forwards)`, async () => {
    const rt = await runtime(variant);
    const r = rng(15);
    const cfg = { embedDim: 8, numHeads: 2 };
    const mha = new MultiHead(rt, cfg);
    mha.loadStateDict(randomParams(r, mhaParamShapes(cfg)));
    const q = { data: uniform(r, 4 * 2 * 8), shape: [4, 2, 8] };
    const kpm = new Uint8Array(2 * 4); kpm[3] = 1;
    assertSteadyState(rt, 'MultiHead', () => mha.forward(q, q, q, { keyPaddingMask: kpm }).output.toArray());
    mha.dispose();
  });
}
