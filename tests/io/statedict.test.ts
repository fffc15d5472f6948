// loadStateDict(sd, { prefix, strict }) on Attention, MultiHead and Transformer, and the two q/k/v layouts of
// nn.MultiheadAttention (packed in_proj_weight, separate q_proj_weight / k_proj_weight / v_proj_weight), on both builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attention, MultiHead, Transformer, loadSafetensors, saveSafetensors, type Runtime, type Tensor } from '../../bindings/index.ts';
import { VARIANTS, runtime, rng, uniform } from '../support/util.ts';
import { randomParams, expectError, type Rand } from '../support/module_helpers.ts';

type SD = Record<string, Float32Array>;
const shapesOf = (m: { parameterShapes(): { name: string; shape: readonly number[] }[] }) =>
  Object.fromEntries(m.parameterShapes().map((p) => [p.name, p.shape]));
const bits = (x: Float32Array) => new Uint32Array(x.slice().buffer);
const withPrefix = (prefix: string, sd: SD): SD => Object.fromEntries(Object.entries(sd).map(([k, v]) => [prefix + k, v]));

/** q/k/v_proj_weight [E, E] from in_proj_weight [3E, E] (rows 0..E, E..2E, 2E..3E), in_proj_weight removed. */
function separate(sd: SD, base = '', E: number): SD {
  const out: SD = { ...sd };
  const W = sd[`${base}in_proj_weight`];
  delete out[`${base}in_proj_weight`];
  ['q', 'k', 'v'].forEach((x, i) => { out[`${base}${x}_proj_weight`] = W.slice(i * E * E, (i + 1) * E * E); });
  return out;
}

/** An nn.Transformer state dict: encoder.layers.{i}.*, encoder.norm.*, decoder.layers.{i}.*, decoder.norm.*. */
function torchTransformerSD(rt: Runtime, r: Rand, d: { dModel: number; nhead: number; dimFeedforward: number; layers: number }): SD {
  const cfg = { dModel: d.dModel, nhead: d.nhead, dimFeedforward: d.dimFeedforward, numLayers: d.layers, norm: true };
  const enc = new Transformer(rt, cfg), dec = new Transformer(rt, { ...cfg, kind: 'decoder' });
  const sd = { ...withPrefix('encoder.', randomParams(r, shapesOf(enc))), ...withPrefix('decoder.', randomParams(r, shapesOf(dec))) };
  enc.dispose(); dec.dispose();
  return sd;
}

/** The part of `sd` under `prefix`, prefix stripped (what callers had to do by hand before the prefix option). */
function byHand(sd: SD, prefix: string): SD {
  return Object.fromEntries(Object.entries(sd).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

for (const variant of VARIANTS) {
  test(`${variant}: prefix selects and strips nn.Transformer keys ('encoder.', 'decoder.', 'encoder.layers.0.')`, async () => {
    const rt = await runtime(variant);
    const r = rng(1);
    const dims = { dModel: 8, nhead: 2, dimFeedforward: 12 };
    const sd = torchTransformerSD(rt, r, { ...dims, layers: 2 });
    const N = 2, T = 3, S = 4;
    const src = { data: uniform(r, T * N * 8), shape: [T, N, 8] }, mem = { data: uniform(r, S * N * 8), shape: [S, N, 8] };
    const run = (m: Transformer, decoder: boolean) => (decoder ? m.forward(src, mem) : m.forward(src)).toArray();

    const cases: [string, Record<string, unknown>, boolean][] = [
      ['encoder.', { numLayers: 2, norm: true }, false],
      ['decoder.', { numLayers: 2, norm: true, kind: 'decoder' }, true],
      ['encoder.layers.0.', {}, false],
      ['decoder.layers.1.', { kind: 'decoder' }, true],
    ];
    for (const [prefix, opts, decoder] of cases) {
      const a = new Transformer(rt, { ...dims, ...opts }), b = new Transformer(rt, { ...dims, ...opts });
      assert.equal(a.loadStateDict(sd, { prefix }), a, 'returns the module');
      b.loadStateDict(byHand(sd, prefix));
      assert.deepEqual(bits(run(a, decoder)), bits(run(b, decoder)), `${prefix}: same bits as the dict split by hand`);
      a.dispose(); b.dispose();
    }

    // keys outside the prefix are not looked at, even with strict: true (torch's load_state_dict on a submodule)
    const enc = new Transformer(rt, { ...dims });
    enc.loadStateDict({ ...sd, 'other.weight': new Float32Array(3), 'encoder.layers.0.extra': new Float32Array(1) } as SD,
      { prefix: 'encoder.layers.0.', strict: false });
    expectError(() => enc.loadStateDict({ ...sd, 'encoder.layers.0.extra': new Float32Array(1) }, { prefix: 'encoder.layers.0.' }),
      [/Transformer\.loadStateDict/, /unexpected keys: encoder\.layers\.0\.extra$/], 'unexpected key under the prefix, named in full');
    // missing keys are named with the prefix
    const { ['encoder.layers.0.norm2.bias']: _, ...noNorm2 } = sd;
    expectError(() => enc.loadStateDict(noNorm2, { prefix: 'encoder.layers.0.' }), [/missing keys: encoder\.layers\.0\.norm2\.bias/], 'missing, full name');
    // the same dict from a safetensors file, lazily converted: only the selected tensors are read
    // (keys outside the prefix keep flat shapes: they are never read)
    const layerShapes = shapesOf(enc);
    const file = loadSafetensors(saveSafetensors(Object.fromEntries(Object.entries(sd).map(([k, v]) =>
      [k, { data: v, shape: k.startsWith('encoder.layers.0.') ? layerShapes[k.slice(17)] : [v.length] }]))));
    const fromFile = new Transformer(rt, { ...dims });
    fromFile.loadStateDict(file, { prefix: 'encoder.layers.0.' });
    enc.loadStateDict(sd, { prefix: 'encoder.layers.0.' });
    assert.deepEqual(bits(run(fromFile, false)), bits(run(enc, false)), 'safetensors file with a prefix');
    enc.dispose(); fromFile.dispose();
  });

  test(`${variant}: prefix on MultiHead and Attention; prefix '' is the default`, async () => {
    const rt = await runtime(variant);
    const r = rng(2);
    const E = 8, N = 2, L = 3;
    const mha = new MultiHead(rt, { embedDim: E, numHeads: 2, batchFirst: true });
    const p = randomParams(r, shapesOf(mha));
    const big = { ...withPrefix('transformer.layers.0.self_attn.', p), ...withPrefix('transformer.layers.1.self_attn.', randomParams(r, shapesOf(mha))) };
    mha.loadStateDict(big, { prefix: 'transformer.layers.0.self_attn.' });
    const x = { data: uniform(r, N * L * E), shape: [N, L, E] };
    const got = mha.forward(x, x, x).output.toArray();
    const ref = new MultiHead(rt, { embedDim: E, numHeads: 2, batchFirst: true }).loadStateDict(p, { prefix: '' });
    assert.deepEqual(bits(got), bits(ref.forward(x, x, x).output.toArray()));
    mha.dispose(); ref.dispose();

    const att = new Attention(rt, { score: 'additive', querySize: 4, keySize: 3, numHiddens: 5 });
    const ap = randomParams(r, shapesOf(att));
    att.loadStateDict({ ...withPrefix('decoder.attention.', ap), 'decoder.embedding.weight': new Float32Array(7) }, { prefix: 'decoder.attention.' });
    const att2 = new Attention(rt, { score: 'additive', querySize: 4, keySize: 3, numHiddens: 5 }).loadStateDict(ap);
    const q = { data: uniform(r, 2 * 3 * 4), shape: [2, 3, 4] }, k = { data: uniform(r, 2 * 5 * 3), shape: [2, 5, 3] }, v = { data: uniform(r, 2 * 5 * 2), shape: [2, 5, 2] };
    assert.deepEqual(bits(att.forward(q, k, v).output.toArray()), bits(att2.forward(q, k, v).output.toArray()));
    // a parameterless score loads an empty selection
    new Attention(rt, { score: 'dot' }).loadStateDict({ 'x.y': new Float32Array(1) }, { prefix: 'enc.' }).dispose();
    att.dispose(); att2.dispose();
  });

  test(`${variant}: strict: false ignores unexpected keys, still requires every parameter and checks shapes`, async () => {
    const rt = await runtime(variant);
    const r = rng(3);
    const enc = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 12 });
    const sd = randomParams(r, shapesOf(enc));
    const extra: SD = {
      ...sd, 'norm2.running_mean': new Float32Array(8),
      'num_batches_tracked': new BigInt64Array(1) as unknown as Float32Array,   // any value: never read
      'pos.weight': [1, 2, 3] as unknown as Float32Array,
    };
    expectError(() => enc.loadStateDict(extra), [/unexpected keys: norm2\.running_mean, num_batches_tracked, pos\.weight|num_batches_tracked/], 'strict: true');
    enc.loadStateDict(extra, { strict: false });
    const x = { data: uniform(r, 3 * 8), shape: [3, 8] };
    const y = enc.forward(x).toArray();
    const ref = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 12 }).loadStateDict(sd, { strict: true });
    assert.deepEqual(bits(y), bits(ref.forward(x).toArray()), 'strict: false loads the same weights');

    const { ['linear2.bias']: _, ...missing } = extra;
    expectError(() => enc.loadStateDict(missing, { strict: false }),
      [/missing keys: linear2\.bias/, /strict: false/, /every parameter is required/], 'strict: false still requires every parameter');
    expectError(() => enc.loadStateDict({ ...extra, 'linear1.weight': new Float32Array(5) }, { strict: false }),
      [/linear1\.weight/, /12, 8|96/], 'strict: false still checks shapes');
    assert.deepEqual(bits(enc.forward(x).toArray()), bits(y), 'failed loads kept the weights');
    enc.dispose(); ref.dispose();
  });

  test(`${variant}: bad options throw before anything changes`, async () => {
    const rt = await runtime(variant);
    const r = rng(4);
    const mha = new MultiHead(rt, { embedDim: 8, numHeads: 2 });
    const sd = randomParams(r, shapesOf(mha));
    mha.loadStateDict(sd);
    const x = { data: uniform(r, 3 * 8), shape: [3, 8] };
    const y = mha.forward(x, x, x).output.toArray();
    const before = rt.memoryStats();
    const bad: [unknown, RegExp[], string][] = [
      ['encoder.', [/^MultiHead\.loadStateDict: options must be an object/, /prefix: "encoder\."/], 'a string (the old silently ignored second argument)'],
      [null, [/options must be an object, got null/], 'null'],
      [42, [/options must be an object/], 'a number'],
      [['x.'], [/options must be an object/], 'an array'],
      [{ prefx: 'x.' }, [/unknown option "prefx"/, /prefix, strict/], 'unknown option'],
      [{ prefix: 1 }, [/prefix must be a string, got number 1/], 'prefix type'],
      [{ strict: 'no' }, [/strict must be a boolean/], 'strict type'],
    ];
    for (const [o, patterns, what] of bad) {
      let err: unknown;
      try { mha.loadStateDict(sd, o as never); } catch (e) { err = e; }
      assert.ok(err instanceof TypeError, `${what}: a TypeError, got ${String(err)}`);
      expectError(() => mha.loadStateDict(sd, o as never), patterns, what);
    }
    // a prefix that matches nothing says so, and suggests the missing dot
    expectError(() => mha.loadStateDict(withPrefix('self_attn.', sd), { prefix: 'self_attn' }),
      [/prefix "self_attn" leaves keys starting with "\."; did you mean "self_attn\."\?/], 'prefix without its dot');
    expectError(() => mha.loadStateDict(withPrefix('self_attn.', sd), { prefix: 'cross_attn.' }), [/no key starts with prefix "cross_attn\."/], 'no match');
    assert.deepEqual(rt.memoryStats(), before, 'memory unchanged');
    assert.deepEqual(bits(mha.forward(x, x, x).output.toArray()), bits(y), 'weights unchanged');
    for (const M of [() => new Attention(rt, { score: 'dot' }), () => new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 4 })]) {
      const m = M();
      expectError(() => m.loadStateDict({}, 'x.' as never), [/loadStateDict: options must be an object/], `${m.constructor.name}: string options`);
      expectError(() => m.loadStateDict({}, { strict: true, prefix: 'a.', extra: 1 } as never), [/unknown option "extra"/], `${m.constructor.name}: unknown option`);
      m.dispose();
    }
    mha.dispose();
  });

  test(`${variant}: MultiHead separate q/k/v weights give the bits of the packed in_proj_weight`, async () => {
    const rt = await runtime(variant);
    const r = rng(5);
    // E = 8, 16: q/k/v share the packed panels; E = 12: not a multiple of the 8-wide panel (separate packs)
    for (const [E, H, bias, batchFirst] of [[8, 2, true, true], [16, 4, false, false], [12, 3, true, false]] as const) {
      const opts = { embedDim: E, numHeads: H, bias, batchFirst };
      const packed = new MultiHead(rt, opts), sep = new MultiHead(rt, opts);
      const sd = randomParams(r, shapesOf(packed));
      packed.loadStateDict(sd);
      sep.loadStateDict(separate(sd, '', E));
      const N = 2, L = 3, S = 5;
      const shp = (len: number) => (batchFirst ? [N, len, E] : [len, N, E]);
      const q = { data: uniform(r, N * L * E), shape: shp(L) }, k = { data: uniform(r, N * S * E), shape: shp(S) }, v = { data: uniform(r, N * S * E), shape: shp(S) };
      const qt: Tensor = rt.tensor(q.data, q.shape);
      for (const [what, args] of [['self', [qt, qt, qt]], ['key === value', [q, k, k]], ['separate', [q, k, v]]] as const) {
        for (const needWeights of [true, false]) {
          const a = packed.forward(args[0], args[1], args[2], { needWeights, isCausal: what === 'self' });
          const b = sep.forward(args[0], args[1], args[2], { needWeights, isCausal: what === 'self' });
          assert.deepEqual(bits(b.output.toArray()), bits(a.output.toArray()), `E=${E} ${what} needWeights=${needWeights}: output bits`);
          if (needWeights) assert.deepEqual(bits(b.weights!.toArray()), bits(a.weights!.toArray()), `E=${E} ${what}: weights bits`);
        }
      }
      // a decode step through a cache
      const ca = packed.createCache({ batch: N, maxLength: 4 }), cb = sep.createCache({ batch: N, maxLength: 4 });
      const step = { data: uniform(r, N * E), shape: batchFirst ? [N, 1, E] : [1, N, E] };
      for (let t = 0; t < 3; t++) {
        const a = packed.forward(step, step, step, { cache: ca, needWeights: false }).output.toArray();
        const b = sep.forward(step, step, step, { cache: cb, needWeights: false }).output.toArray();
        assert.deepEqual(bits(b), bits(a), `E=${E} cached step ${t}`);
      }
      ca.dispose(); cb.dispose(); qt.dispose();
      packed.dispose(); sep.dispose();
    }
  });

  test(`${variant}: separate q/k/v inside a Transformer, with a prefix and from a safetensors file`, async () => {
    const rt = await runtime(variant);
    const r = rng(6);
    const dims = { dModel: 8, nhead: 2, dimFeedforward: 12, kind: 'decoder' as const };
    const a = new Transformer(rt, dims), b = new Transformer(rt, dims), c = new Transformer(rt, dims);
    const sd = randomParams(r, shapesOf(a));
    a.loadStateDict(sd);
    const sepSD = separate(separate(sd, 'self_attn.', 8), 'multihead_attn.', 8);
    b.loadStateDict(withPrefix('model.decoder.layers.3.', sepSD), { prefix: 'model.decoder.layers.3.' });
    const shaped = Object.fromEntries(Object.entries(sepSD).map(([k, v]) => [k, { data: v, shape: /_proj_weight$/.test(k) ? [8, 8] : shapesOf(a)[k] }]));
    c.loadStateDict(loadSafetensors(saveSafetensors(shaped)));
    const tgt = { data: uniform(r, 4 * 8), shape: [4, 8] }, mem = { data: uniform(r, 6 * 8), shape: [6, 8] };
    const want = bits(a.forward(tgt, mem, { tgtIsCausal: true }).toArray());
    assert.deepEqual(bits(b.forward(tgt, mem, { tgtIsCausal: true }).toArray()), want, 'separate layout, prefixed');
    assert.deepEqual(bits(c.forward(tgt, mem, { tgtIsCausal: true }).toArray()), want, 'separate layout, safetensors');
    // mixed: one attention packed, the other separate
    const mixed = separate(sd, 'multihead_attn.', 8);
    b.loadStateDict(mixed);
    assert.deepEqual(bits(b.forward(tgt, mem, { tgtIsCausal: true }).toArray()), want, 'mixed layouts');
    a.dispose(); b.dispose(); c.dispose();
  });

  test(`${variant}: separate q/k/v errors: partial, both layouts, wrong shape; kdim != embedDim still needs them`, async () => {
    const rt = await runtime(variant);
    const r = rng(7);
    const E = 8;
    const mha = new MultiHead(rt, { embedDim: E, numHeads: 2 });
    const sd = randomParams(r, shapesOf(mha));
    mha.loadStateDict(sd);
    const x = { data: uniform(r, 3 * E), shape: [3, E] };
    const y = mha.forward(x, x, x).output.toArray();
    const before = rt.memoryStats();
    const sep = separate(sd, '', E);
    const { v_proj_weight: _v, ...partial } = sep;
    expectError(() => mha.loadStateDict(partial), [/missing keys: v_proj_weight/], 'partial separate layout');
    expectError(() => mha.loadStateDict(partial, { strict: false }), [/missing keys: v_proj_weight/], 'partial, strict: false');
    expectError(() => mha.loadStateDict({ ...sep, in_proj_weight: sd.in_proj_weight }), [/both "in_proj_weight" and "q_proj_weight", "k_proj_weight", "v_proj_weight"/, /one layout/], 'both layouts');
    expectError(() => mha.loadStateDict({ ...sd, k_proj_weight: sep.k_proj_weight }, { strict: false }), [/both "in_proj_weight" and "k_proj_weight"/], 'both, strict: false');
    expectError(() => mha.loadStateDict({ ...sep, k_proj_weight: { data: new Float32Array(E * (E + 1)), shape: [E, E + 1] } } as never),
      [/"k_proj_weight" must have shape \[8, 8\], got \[8, 9\]/], 'wrong shape');
    expectError(() => mha.loadStateDict(withPrefix('attn.', { ...sep, k_proj_weight: new Float32Array(E * E - 1) }), { prefix: 'attn.' }),
      [/"attn\.k_proj_weight" must have 64 elements/], 'wrong size, prefixed name');
    assert.deepEqual(rt.memoryStats(), before, 'memory unchanged');
    assert.deepEqual(bits(mha.forward(x, x, x).output.toArray()), bits(y), 'weights unchanged');
    mha.dispose();

    // kdim/vdim != embedDim: PyTorch's separate layout is the only one (no in_proj_weight to pack into)
    const kv = new MultiHead(rt, { embedDim: E, numHeads: 2, kdim: 5, vdim: 3 });
    const kvsd = randomParams(r, shapesOf(kv));
    kv.loadStateDict(withPrefix('x.', kvsd), { prefix: 'x.' });
    expectError(() => kv.loadStateDict({ ...kvsd, in_proj_weight: new Float32Array(3 * E * E) }), [/unexpected keys: in_proj_weight/], 'in_proj_weight with kdim != E');
    kv.dispose();
  });
}
