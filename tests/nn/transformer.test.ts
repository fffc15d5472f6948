// Transformer (nn.TransformerEncoderLayer / DecoderLayer and stacks) against the independent float64 reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Transformer, type Runtime } from '../../bindings/index.ts';
import { VARIANTS, runtime, rng, uniform, assertClose } from '../support/util.ts';
import { pick, randomParams, expectError, num, shapeOrSize, sizeOf, randomMask, assertSteadyState, type MaskIn, type Rand } from '../support/module_helpers.ts';
import {
  transformerEncoder, transformerDecoder, transformerParamShapes, type TransformerConfig,
} from '../reference/index.ts';

const ATOL = 1e-5, RTOL = 1e-4;


interface Case {
  cfg: TransformerConfig;
  N: number; T: number; S: number;   // batch, target/source length, memory length (decoder)
  batched: boolean;
  asTensor: boolean;
  opts: {
    mask?: MaskIn; srcKeyPaddingMask?: MaskIn; isCausal?: boolean;
    tgtMask?: MaskIn; memoryMask?: MaskIn; tgtKeyPaddingMask?: MaskIn; memoryKeyPaddingMask?: MaskIn; tgtIsCausal?: boolean; memoryIsCausal?: boolean;
  };
}

function layout(c: Case, len: number): number[] {
  const d = c.cfg.dModel;
  if (!c.batched) return [len, d];
  return c.cfg.batchFirst ? [c.N, len, d] : [len, c.N, d];
}


function maskData(m: MaskIn): Uint8Array | Float32Array {
  return m instanceof Uint8Array || m instanceof Float32Array ? m : m.data;
}

/** (n, t) positions whose key-padding entry is "padded" (bool 1 or float -inf): not compared (§2.3 fast-path caveat). */
function paddedPositions(c: Case, kpm: MaskIn | null | undefined): Set<string> {
  const out = new Set<string>();
  if (!kpm) return out;
  const d = maskData(kpm);
  for (let n = 0; n < c.N; n++) for (let t = 0; t < c.T; t++) {
    const v = d[n * c.T + t];
    if (d instanceof Uint8Array ? v !== 0 : v === -Infinity) out.add(`${n},${t}`);
  }
  return out;
}

function compareRows(c: Case, got: Float32Array, ref: ArrayLike<number>, skip: Set<string>, what: string): void {
  const d = c.cfg.dModel;
  assert.equal(got.length, ref.length, `${what}: length`);
  for (let n = 0; n < c.N; n++) for (let t = 0; t < c.T; t++) {
    if (skip.has(`${n},${t}`)) continue;
    const off = !c.batched ? t * d : c.cfg.batchFirst ? (n * c.T + t) * d : (t * c.N + n) * d;
    assertClose(got.subarray(off, off + d), Array.prototype.slice.call(ref, off, off + d), ATOL, RTOL, `${what} (n=${n}, t=${t})`);
  }
}

function randomCase(r: Rand, kind: 'encoder' | 'decoder'): Case {
  const nhead = pick(r, [1, 2, 4]);
  const hd = pick(r, [2, 3, 4, 8]);
  const numLayers = pick(r, [undefined, undefined, 1, 2, 3]);
  const cfg: TransformerConfig = {
    kind, dModel: nhead * hd, nhead,
    dimFeedforward: pick(r, [5, 16, 24, 33]),
    activation: pick(r, ['relu', 'gelu', 'gelu_tanh'] as const),
    layerNormEps: pick(r, [1e-5, 1e-12, 1e-3]),
    normFirst: r() < 0.5, batchFirst: r() < 0.5, bias: r() < 0.75,
    ...(numLayers !== undefined ? { numLayers, norm: r() < 0.5 } : {}),
  };
  const batched = r() < 0.8;
  const N = batched ? pick(r, [1, 2, 3]) : 1;
  const T = pick(r, [1, 2, 5, 7]);
  const S = pick(r, [1, 3, 6]);
  const c: Case = { cfg, N, T, S, batched, asTensor: r() < 0.5, opts: {} };
  const kpmShape = (len: number) => (batched ? [N, len] : [len]);
  const am = (rows: number, cols: number) => {
    const k = pick(r, ['none', 'none', 'bool2', 'float2', 'bool3', 'float3']);
    if (k === 'none') return undefined;
    const shape = k.endsWith('2') ? [rows, cols] : [(batched ? N : 1) * nhead, rows, cols];
    return randomMask(r, shape, k.startsWith('bool'), 0.25, r() < 0.5, -1.5, 0.5);
  };
  const kpm = (len: number) => (r() < 0.3 ? randomMask(r, kpmShape(len), r() < 0.6, 0.3, r() < 0.5, -1.5, 0.5) : undefined);
  if (kind === 'encoder') {
    c.opts.mask = am(T, T);
    c.opts.srcKeyPaddingMask = kpm(T);
    if (r() < 0.25) c.opts.isCausal = true;
  } else {
    c.opts.tgtMask = am(T, T);
    c.opts.memoryMask = am(T, S);
    c.opts.tgtKeyPaddingMask = kpm(T);
    c.opts.memoryKeyPaddingMask = kpm(S);
    if (r() < 0.25) c.opts.tgtIsCausal = true;
    if (r() < 0.15) c.opts.memoryIsCausal = true;
  }
  for (const k of Object.keys(c.opts) as (keyof Case['opts'])[]) if (c.opts[k] === undefined) delete c.opts[k];
  return c;
}

function describe(c: Case): string {
  const m = (x: unknown) => (x === undefined ? undefined : `${maskData(x as MaskIn) instanceof Uint8Array ? 'bool' : 'float'}${(x as { shape?: number[] }).shape ? JSON.stringify((x as { shape: number[] }).shape) : `(flat ${maskData(x as MaskIn).length})`}`);
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.opts)) o[k] = typeof v === 'boolean' ? v : m(v);
  return JSON.stringify({ ...c.cfg, N: c.N, T: c.T, S: c.S, batched: c.batched, tensor: c.asTensor, ...o });
}

function moduleOptions(cfg: TransformerConfig) {
  const o: Record<string, unknown> = { ...cfg };
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o as unknown as ConstructorParameters<typeof Transformer>[1];
}

function runCase(rt: Runtime, c: Case, sd: Record<string, Float32Array>, x: Float32Array, mem: Float32Array | null, what: string, mod?: Transformer) {
  const own = !mod;
  if (!mod) {
    mod = new Transformer(rt, moduleOptions(c.cfg));
    mod.loadStateDict(sd);
  }
  const mk = (data: Float32Array, shape: number[]) => (c.asTensor ? rt.tensor(data, shape) : { data, shape });
  const src = mk(x, layout(c, c.T));
  const memory = mem ? mk(mem, layout(c, c.S)) : null;
  let ref;
  let y;
  if (c.cfg.kind === 'decoder') {
    ref = transformerDecoder(c.cfg, sd, { data: x, shape: layout(c, c.T) }, { data: mem!, shape: layout(c, c.S) }, c.opts);
    y = mod.forward(src, memory!, c.opts);
  } else {
    ref = transformerEncoder(c.cfg, sd, { data: x, shape: layout(c, c.T) }, c.opts);
    y = mod.forward(src, c.opts);
  }
  const desc = `${what} ${describe(c)}`;
  assert.deepEqual([...y.shape], layout(c, c.T), `${desc}: output shape`);
  const got = y.toArray();
  compareRows(c, got, ref.data, paddedPositions(c, c.cfg.kind === 'decoder' ? c.opts.tgtKeyPaddingMask : c.opts.srcKeyPaddingMask), desc);
  if (c.asTensor) { (src as { dispose(): void }).dispose(); (memory as { dispose(): void } | null)?.dispose(); }
  if (own) mod.dispose();
  return { got, ref: ref.data };
}

function inputsFor(r: Rand, c: Case) {
  const d = c.cfg.dModel;
  return { x: uniform(r, c.N * c.T * d, -1.5, 1.5), mem: c.cfg.kind === 'decoder' ? uniform(r, c.N * c.S * d, -1.5, 1.5) : null };
}

for (const variant of VARIANTS) {
  for (const kind of ['encoder', 'decoder'] as const) {
    test(`${variant}: Transformer ${kind} (layers and stacks) matches the float64 reference on random configs and masks`, async () => {
      const rt = await runtime(variant);
      const r = rng(kind === 'encoder' ? 31 : 32);
      for (let i = 0; i < 40; i++) {
        const c = randomCase(r, kind);
        const sd = randomParams(r, transformerParamShapes(c.cfg));
        const { x, mem } = inputsFor(r, c);
        runCase(rt, c, sd, x, mem, `${variant} ${kind} case ${i}`);
      }
    });
  }

  test(`${variant}: Transformer every layer flag combination (normFirst, activation, bias, batchFirst, eps)`, async () => {
    const rt = await runtime(variant);
    const r = rng(33);
    let i = 0;
    for (const kind of ['encoder', 'decoder'] as const) for (const normFirst of [false, true])
      for (const activation of ['relu', 'gelu', 'gelu_tanh'] as const) for (const bias of [true, false]) for (const batchFirst of [false, true]) {
        const cfg: TransformerConfig = { kind, dModel: 12, nhead: 3, dimFeedforward: 20, activation, normFirst, bias, batchFirst, layerNormEps: i % 2 ? 1e-5 : 1e-6 };
        const c: Case = { cfg, N: 2, T: 4, S: 3, batched: true, asTensor: (i & 1) === 1, opts: {} };
        const sd = randomParams(r, transformerParamShapes(cfg));
        const { x, mem } = inputsFor(r, c);
        runCase(rt, c, sd, x, mem, `${variant} combo ${i++}`);
      }
  });

  test(`${variant}: Transformer defaults mirror PyTorch (dimFeedforward 2048, relu, eps 1e-5, post-norm, seq-first)`, async () => {
    const rt = await runtime(variant);
    const r = rng(34);
    const cfg: TransformerConfig = { dModel: 8, nhead: 2 };
    const c: Case = { cfg: { ...cfg, kind: 'encoder' }, N: 2, T: 3, S: 3, batched: true, asTensor: false, opts: {} };
    const sd = randomParams(r, transformerParamShapes(c.cfg));
    assert.deepEqual(transformerParamShapes(c.cfg)['linear1.weight'], [2048, 8]);
    const mod = new Transformer(rt, { dModel: 8, nhead: 2 });
    mod.loadStateDict(sd);
    const { x } = inputsFor(r, c);
    runCase(rt, c, sd, x, null, `${variant} defaults`, mod);
    mod.dispose();
  });

  test(`${variant}: Transformer causal masks, fully masked rows and NaN`, async () => {
    const rt = await runtime(variant);
    const r = rng(35);
    const base: TransformerConfig = { dModel: 8, nhead: 2, dimFeedforward: 16, batchFirst: true };
    // encoder isCausal == explicit causal mask
    const enc: Case = { cfg: { ...base, kind: 'encoder' }, N: 2, T: 5, S: 5, batched: true, asTensor: false, opts: { isCausal: true } };
    const sd = randomParams(r, transformerParamShapes(enc.cfg));
    const { x } = inputsFor(r, enc);
    const a = runCase(rt, enc, sd, x, null, `${variant} encoder isCausal`);
    const causal = new Uint8Array(25);
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) causal[i * 5 + j] = 1;
    const b = runCase(rt, { ...enc, opts: { mask: causal } }, sd, x, null, `${variant} encoder explicit causal`);
    assertClose(a.got, b.got, 1e-6, 1e-6, 'isCausal == explicit mask');
    // a query row with every key masked: self-attention output of that row is out_proj.bias (SDPA zeros), no NaN
    const full = new Uint8Array(25); full.fill(1, 10, 15);
    const f = runCase(rt, { ...enc, opts: { mask: full } }, sd, x, null, `${variant} encoder fully masked row`);
    assert.ok(f.got.every(Number.isFinite), 'no NaN from a fully masked row');
    // decoder with tgtIsCausal and memory padding
    const dec: Case = { cfg: { ...base, kind: 'decoder', numLayers: 2, norm: true }, N: 2, T: 4, S: 6, batched: true, asTensor: true, opts: {
      tgtIsCausal: true, memoryKeyPaddingMask: Uint8Array.from([0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1]) } };
    const dsd = randomParams(r, transformerParamShapes(dec.cfg));
    const di = inputsFor(r, dec);
    runCase(rt, dec, dsd, di.x, di.mem, `${variant} decoder causal`);
    // memory fully padded for batch 1: cross-attention gives out_proj.bias there, still finite
    const dfull = runCase(rt, { ...dec, opts: { memoryKeyPaddingMask: Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]) } }, dsd, di.x, di.mem, `${variant} decoder memory fully padded`);
    assert.ok(dfull.got.every(Number.isFinite));
    // NaN in one source position reaches every position of its batch through self-attention, not the other batch
    const xn = x.slice(); xn[(1 * 5 + 2) * 8 + 3] = NaN;
    const n = runCase(rt, enc, sd, xn, null, `${variant} encoder NaN`);
    assert.ok(n.got.subarray(5 * 8).every(Number.isNaN));
    assert.ok(n.got.subarray(0, 5 * 8).every(Number.isFinite));
  });

  test(`${variant}: Transformer chains in the shared memory: an encoder's output Tensor is the decoder's memory`, async () => {
    const rt = await runtime(variant);
    const r = rng(38);
    const base = { dModel: 12, nhead: 4, dimFeedforward: 24, activation: 'gelu' as const, batchFirst: true, numLayers: 2, norm: true };
    const ecfg: TransformerConfig = { ...base, kind: 'encoder' };
    const dcfg: TransformerConfig = { ...base, kind: 'decoder' };
    const esd = randomParams(r, transformerParamShapes(ecfg));
    const dsd = randomParams(r, transformerParamShapes(dcfg));
    const enc = new Transformer(rt, moduleOptions(ecfg));
    const dec = new Transformer(rt, moduleOptions(dcfg));
    enc.loadStateDict(esd);
    dec.loadStateDict(dsd);
    const src = uniform(r, 2 * 5 * 12), tgt = uniform(r, 2 * 3 * 12);
    const srcKpm = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const memory = enc.forward({ data: src, shape: [2, 5, 12] }, { srcKeyPaddingMask: srcKpm });
    const y = dec.forward({ data: tgt, shape: [2, 3, 12] }, memory, { tgtIsCausal: true, memoryKeyPaddingMask: srcKpm }).toArray();
    const refMem = transformerEncoder(ecfg, esd, { data: src, shape: [2, 5, 12] }, { srcKeyPaddingMask: srcKpm });
    const ref = transformerDecoder(dcfg, dsd, { data: tgt, shape: [2, 3, 12] }, refMem, { tgtIsCausal: true, memoryKeyPaddingMask: srcKpm });
    assertClose(y, ref.data, ATOL, RTOL, 'encoder -> decoder');
    enc.dispose();
    dec.dispose();
  });

  test(`${variant}: Transformer rejects bad inputs clearly and keeps working`, async () => {
    const rt = await runtime(variant);
    const r = rng(36);
    const cfg: TransformerConfig = { kind: 'encoder', dModel: 8, nhead: 2, dimFeedforward: 12, batchFirst: true };
    const c: Case = { cfg, N: 2, T: 3, S: 3, batched: true, asTensor: false, opts: {} };
    const sd = randomParams(r, transformerParamShapes(cfg));
    const { x } = inputsFor(r, c);
    const enc = new Transformer(rt, moduleOptions(cfg));
    enc.loadStateDict(sd);
    const ok = () => runCase(rt, c, sd, x, null, 'forward after an error', enc);
    const src = { data: x, shape: [2, 3, 8] };

    expectError(() => enc.forward({ data: uniform(r, 2 * 3 * 7), shape: [2, 3, 7] }), [/src/, num(8), num(7)], 'src dModel');
    ok();
    expectError(() => enc.forward({ data: x, shape: [1, 2, 3, 8] }), [/src/, /1, 2, 3, 8|1x2x3x8/], 'src rank 4');
    ok();
    expectError(() => enc.forward(src, { mask: new Uint8Array(3 * 4) }), [/mask/, num(12)], 'mask size');
    ok();
    expectError(() => enc.forward(src, { srcKeyPaddingMask: { data: new Uint8Array(6), shape: [3, 2] } }), [/srcKeyPaddingMask/, /3, 2|3x2/], 'kpm shape');
    ok();
    expectError(() => enc.forward(src, { mask: new Int32Array(9) as never }), [/mask/, /Int32Array/], 'mask Int32Array');
    ok();
    expectError(() => enc.forward(src, { srcMask: new Uint8Array(9) } as never), [/srcMask/], 'unknown forward option');
    ok();
    expectError(() => enc.loadStateDict({ ...sd, 'linear1.weight': new Float32Array(12 * 8 + 1) }), [/linear1\.weight/, shapeOrSize([12, 8]), num(97)], 'linear1 size');
    ok();
    const { ['norm2.bias']: _nb, ...missing } = sd;
    expectError(() => enc.loadStateDict(missing), [/norm2\.bias/], 'missing key');
    ok();
    expectError(() => enc.loadStateDict({ ...sd, 'layers.0.norm1.weight': new Float32Array(8) }), [/layers\.0\.norm1\.weight/], 'unexpected key');
    ok();
    expectError(() => new Transformer(rt, { dModel: 8, nhead: 2, activation: 'swish' } as never), [/activation/, /swish/], 'unknown activation');
    expectError(() => new Transformer(rt, { dModel: 8, nhead: 3 }), [/nhead|dModel|divisible/, num(8), num(3)], 'nhead not dividing');
    expectError(() => new Transformer(rt, { dModel: 8, nhead: 2, dropout: 0.1, numLayer: 2 } as never), [/numLayer|dropout/], 'unknown ctor option');
    expectError(() => new Transformer(rt, { dModel: 8, nhead: 2, kind: 'both' } as never), [/kind/, /both/], 'unknown kind');
    ok();
    // stack: names carry the layers.{i}. prefix
    const scfg: TransformerConfig = { ...cfg, numLayers: 2, norm: true };
    const stack = new Transformer(rt, moduleOptions(scfg));
    expectError(() => stack.loadStateDict(sd), [/layers\.0\./], 'unprefixed names for a stack');
    const ssd = randomParams(r, transformerParamShapes(scfg));
    const { ['norm.weight']: _nw, ...noFinal } = ssd;
    expectError(() => stack.loadStateDict(noFinal), [/norm\.weight/], 'missing final norm');
    stack.loadStateDict(ssd);
    runCase(rt, { ...c, cfg: scfg }, ssd, x, null, 'stack after errors', stack);
    stack.dispose();
    // decoder: memory checks
    const dcfg: TransformerConfig = { ...cfg, kind: 'decoder' };
    const dsd = randomParams(r, transformerParamShapes(dcfg));
    const dec = new Transformer(rt, moduleOptions(dcfg));
    dec.loadStateDict(dsd);
    const mem = uniform(r, 2 * 4 * 8);
    expectError(() => dec.forward(src, { data: uniform(r, 2 * 4 * 6), shape: [2, 4, 6] }), [/memory/, num(8), num(6)], 'memory dModel');
    expectError(() => dec.forward(src, { data: uniform(r, 3 * 4 * 8), shape: [3, 4, 8] }), [/memory|batch/, num(3), num(2)], 'memory batch');
    expectError(() => dec.forward(src, { data: mem, shape: [2, 4, 8] }, { memoryMask: new Uint8Array(3 * 5) }), [/memoryMask/, num(15)], 'memoryMask size');
    expectError(() => (dec.forward as (s: unknown) => unknown)(src), [/memory/], 'decoder without memory');
    runCase(rt, { ...c, cfg: dcfg, S: 4 }, dsd, x, mem, 'decoder after errors', dec);
    dec.dispose();
    enc.dispose();
    expectError(() => enc.forward(src), [/dispose/i], 'use after dispose');
    runCase(rt, c, sd, x, null, 'new module after dispose');
  });

  test(`${variant}: Transformer steady state allocates nothing (10,000 forwards each: encoder layer, decoder stack)`, async () => {
    const rt = await runtime(variant);
    const r = rng(37);
    const ecfg: TransformerConfig = { kind: 'encoder', dModel: 16, nhead: 4, dimFeedforward: 32, activation: 'gelu' };
    const enc = new Transformer(rt, moduleOptions(ecfg));
    enc.loadStateDict(randomParams(r, transformerParamShapes(ecfg)));
    const src = { data: uniform(r, 6 * 2 * 16), shape: [6, 2, 16] };
    const kpm = new Uint8Array(12); kpm[5] = 1;
    assertSteadyState(rt, 'encoder', () => enc.forward(src, { srcKeyPaddingMask: kpm, isCausal: true }).toArray());
    const dcfg: TransformerConfig = { kind: 'decoder', dModel: 8, nhead: 2, dimFeedforward: 16, numLayers: 2, norm: true, normFirst: true, batchFirst: true };
    const dec = new Transformer(rt, moduleOptions(dcfg));
    dec.loadStateDict(randomParams(r, transformerParamShapes(dcfg)));
    const tgt = { data: uniform(r, 2 * 3 * 8), shape: [2, 3, 8] }, mem = rt.tensor(uniform(r, 2 * 4 * 8), [2, 4, 8]);
    const mkpm = Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 0]);
    assertSteadyState(rt, 'decoder', () => dec.forward(tgt, mem, { tgtIsCausal: true, memoryKeyPaddingMask: mkpm }).toArray());
    enc.dispose(); dec.dispose(); mem.dispose();
  });
}
