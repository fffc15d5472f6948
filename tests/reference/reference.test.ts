// Checks the float64 reference (tests/reference/) against the hand values of ATTENTION_SEMANTICS.md and the seeds,
// plus a few identities between its parts, so the module tests compare against something trustworthy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, rng } from '../support/util.ts';
import {
  erf, erfc, geluExact, geluTanh, relu, layerNorm, softmaxRows, linear, matmul,
  maskedSoftmax, dotProductAttention, dotAttention, generalAttention, additiveAttention,
  multiheadAttention, transformerEncoder, transformerDecoder, transformerParamShapes, SEED001,
} from './index.ts';

function rand(r: () => number, n: number, scale = 1): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (2 * r() - 1) * scale;
  return x;
}

test('erf / erfc: known values to ~1e-15 and symmetry', () => {
  const known: [number, number][] = [
    [0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
    [1.5, 0.9661051464753108], [2, 0.9953222650189527], [2.5, 0.999593047982555], [3, 0.9999779095030014],
  ];
  for (const [x, v] of known) {
    assert.ok(Math.abs(erf(x) - v) < 2e-15, `erf(${x}) = ${erf(x)}, expected ${v}`);
    assert.ok(Math.abs(erf(-x) + v) < 2e-15, `erf(${-x})`);
  }
  // tail, relative
  const tail: [number, number][] = [[3, 2.209049699858544e-5], [4, 1.541725790028002e-8], [5, 1.5374597944280349e-12], [6, 2.1519736712498913e-17]];
  for (const [x, v] of tail) assert.ok(Math.abs(erfc(x) / v - 1) < 1e-13, `erfc(${x}) = ${erfc(x)}, expected ${v}`);
  // continuity across the series / continued-fraction switch at 3
  assert.ok(Math.abs(erfc(3 - 1e-9) - erfc(3)) < 1e-12);
  assert.ok(Number.isNaN(erf(NaN)));
  assert.equal(erf(40), 1);
  assert.equal(erf(-40), -1);
});

test('GELU exact and tanh match the float64 table of §2.5', () => {
  const table: [number, number, number][] = [
    [-3, -0.00404969409489031, -0.0036373920817729943],
    [-1, -0.15865525393145707, -0.15880800939172324],
    [-0.5, -0.15426876936299344, -0.15428599017485606],
    [0.5, 0.34573123063700656, 0.34571400982514394],
    [1, 0.8413447460685429, 0.8411919906082768],
    [2, 1.9544997361036416, 1.954597694087775],
    [3, 2.99595030590511, 2.996362607918227],
  ];
  for (const [x, e, t] of table) {
    assert.ok(Math.abs(geluExact(x) - e) <= 1e-12 * Math.max(1, Math.abs(e)), `gelu(${x}) = ${geluExact(x)}, expected ${e}`);
    assert.ok(Math.abs(geluTanh(x) - t) <= 1e-12 * Math.max(1, Math.abs(t)), `gelu_tanh(${x}) = ${geluTanh(x)}, expected ${t}`);
  }
  assert.equal(geluExact(0), 0);
  assert.ok(Math.abs(geluExact(-10)) < 1e-20);
  assert.equal(relu(-2), 0);
  assert.equal(relu(2), 2);
});

test('LayerNorm matches the vector of §2.4 (biased variance, eps inside sqrt)', () => {
  assertClose(layerNorm([1, 2, 3, 4], 1, 4, null, null, 1e-5), [-1.34163542, -0.44721181, 0.44721181, 1.34163542], 1e-8, 0, 'eps 1e-5');
  assertClose(layerNorm([1, 2, 3, 4], 1, 4, null, null, 1e-12), [-1.34164079, -0.4472136, 0.4472136, 1.34164079], 1e-8, 0, 'eps 1e-12');
  // affine
  assertClose(layerNorm([1, 2, 3, 4, 5, 5, 5, 5], 2, 4, [2, 2, 2, 2], [1, 1, 1, 1], 1e-12),
    [1 - 2.68328157, 1 - 0.89442719, 1 + 0.89442719, 1 + 2.68328157, 1, 1, 1, 1], 1e-7, 0, 'affine');
});

test('softmax subtracts the max, propagates NaN, and the safe form zeroes all -inf rows', () => {
  assertClose(softmaxRows([1000, 1000, -Infinity], 1, 3), [0.5, 0.5, 0], 1e-15, 0, 'large');
  assert.ok(softmaxRows([1, NaN, 2], 1, 3).every(Number.isNaN));
  assert.ok(softmaxRows([-Infinity, -Infinity], 1, 2).every(Number.isNaN));
  assert.deepEqual(Array.from(softmaxRows([-Infinity, -Infinity], 1, 2, true)), [0, 0]);
});

test('d2l masked_softmax: deterministic example of §3.1, 2-D lens and valid_len 0', () => {
  const p = maskedSoftmax(new Float64Array(16), 2, 2, 4, [2, 3]);
  assertClose(p, [0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 1 / 3, 1 / 3, 1 / 3, 0], 1e-15, 0, 'lens [2,3]');
  const p2 = maskedSoftmax(new Float64Array(16), 2, 2, 4, [1, 3, 2, 4]);
  assertClose(p2, [1, 0, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 0.5, 0.5, 0, 0, 0.25, 0.25, 0.25, 0.25], 1e-15, 0, 'lens [[1,3],[2,4]]');
  // valid_len 0: every score replaced by -1e6 -> uniform, not NaN
  assertClose(maskedSoftmax([5, 1, -3], 1, 1, 3, [0]), [1 / 3, 1 / 3, 1 / 3], 1e-15, 0, 'len 0');
  // replaced, not added: a huge real score in a masked slot is ignored
  assertClose(maskedSoftmax([0, 0, 1e9], 1, 1, 3, [2]), [0.5, 0.5, 0], 1e-15, 0, 'replace');
});

test('worked attention vector of §6.4 (scaled dot product)', () => {
  const Q = [1, 0, 2, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 2, 1, 1];
  const K = [2, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 2, 1];
  const V = [1, 0, 0, 1, 1, 1, 2, 1];
  const r = dotProductAttention(Q, K, V, 1, 4, 4, 4, 2);
  assertClose(r.scores, [1, 1, 1.5, 2, 0.5, 1, 0.5, 1, 1.5, 0.5, 1, 0.5, 1, 1.5, 1, 1.5], 1e-15, 0, 'S');
  assertClose(r.weights, [0.15706, 0.15706, 0.258948, 0.426933, 0.18877, 0.31123, 0.18877, 0.31123,
    0.426933, 0.15706, 0.258948, 0.15706, 0.18877, 0.31123, 0.18877, 0.31123], 6e-6, 0, 'P');
  assertClose(r.output, [1.269873, 0.84294, 1, 0.81123, 1, 0.573067, 1, 0.81123], 6e-6, 0, 'O');
});

test('seed 001 self-attention example: projections, scores, softmax (printed rounded), output1', () => {
  const keys = matmul(SEED001.x, SEED001.wKey, 3, 4, 3);
  const querys = matmul(SEED001.x, SEED001.wQuery, 3, 4, 3);
  const values = matmul(SEED001.x, SEED001.wValue, 3, 4, 3);
  assert.deepEqual(Array.from(keys), [0, 1, 1, 4, 4, 0, 2, 3, 1]);
  assert.deepEqual(Array.from(querys), [1, 0, 2, 2, 2, 2, 2, 1, 3]);
  assert.deepEqual(Array.from(values), [1, 2, 3, 2, 8, 0, 2, 6, 3]);
  const r = dotAttention(querys, keys, values, 1, 3, 3, 3, 3);
  assert.deepEqual(Array.from(r.scores), [2, 4, 4, 4, 16, 12, 4, 12, 10]);
  // the seed prints softmax rounded to one decimal: [[0.0,0.5,0.5],[0.0,1.0,0.0],[0.0,0.9,0.1]]
  assertClose(r.weights, [0, 0.5, 0.5, 0, 1, 0, 0, 0.9, 0.1], 0.07, 0, 'rounded softmax');
  // exact row 1: [1, e², e²] / (1 + 2e²)
  const e2 = Math.exp(2), d1 = 1 + 2 * e2;
  assertClose(r.weights.subarray(0, 3), [1 / d1, e2 / d1, e2 / d1], 1e-15, 0, 'softmax row 1');
  // with the seed's rounded weights output1 is exactly [2, 7, 1.5]
  assertClose(matmul([0, 0.5, 0.5], values, 1, 3, 3), [2, 7, 1.5], 1e-15, 0, 'seed output1 (rounded weights)');
  // exact output1 = (v1 + e²(v2 + v3)) / (1 + 2e²)
  assertClose(r.output.subarray(0, 3), [(1 + 4 * e2) / d1, (2 + 14 * e2) / d1, (3 + 3 * e2) / d1], 1e-14, 0, 'output1 exact');
  // row 2: [e⁴, e¹⁶, e¹²]; row 3: [e⁴, e¹², e¹⁰] normalised
  const row = (a: number[]) => { const m = Math.max(...a); const e = a.map((v) => Math.exp(v - m)); const s = e.reduce((x, y) => x + y); return e.map((v) => v / s); };
  assertClose(r.weights.subarray(3), [...row([4, 16, 12]), ...row([4, 12, 10])], 1e-15, 0, 'softmax rows 2-3');
});

test('Luong general and d2l additive scores follow their formulas', () => {
  // general: q · (W_a k + b), W_a [qs=2, ks=3]
  const q = [1, 2], k = [1, 0, -1, 2, 1, 0], v = [1, 0, 0, 1];
  const Wa = [1, 2, 3, 0, 1, 0], ba = [0.5, -1];
  const g = generalAttention(q, k, v, 1, 1, 2, 2, 3, 2, Wa, ba);
  // W_a k1 = [1-3, 0] = [-2, 0] (+b = [-1.5, -1]) -> q· = -1.5 - 2 = -3.5; W_a k2 = [2+2, 1] = [4, 1] (+b = [4.5, 0]) -> 4.5
  assertClose(g.scores, [-3.5, 4.5], 1e-15, 0, 'general scores');
  const g0 = generalAttention(q, k, v, 1, 1, 2, 2, 3, 2, Wa, null);
  assertClose(g0.scores, [-2, 6], 1e-15, 0, 'general scores no bias');
  // additive: w_vᵀ tanh(W_q q + W_k k)
  const Wq = [1, 0, 0, 1, 1, 1], Wk = [1, 1, 1, 0, 0, 0, 0, 1, 0], wv = [1, -1, 2];
  const a = additiveAttention(q, k, v, 1, 1, 2, 2, 3, 2, Wq, Wk, wv);
  // W_q q = [1, 2, 3]; W_k k1 = [0, 0, 0]; W_k k2 = [3, 0, 1]
  const s1 = Math.tanh(1) - Math.tanh(2) + 2 * Math.tanh(3);
  const s2 = Math.tanh(1 + 3) - Math.tanh(2) + 2 * Math.tanh(3 + 1);
  assertClose(a.scores, [s1, s2], 1e-15, 0, 'additive scores');
});

test('MHA reference: one head with identity projections is scaled dot-product attention', () => {
  const r = rng(1);
  const E = 4, L = 3, S = 5;
  const eye = new Float64Array(E * E); for (let i = 0; i < E; i++) eye[i * E + i] = 1;
  const inProj = new Float64Array(3 * E * E); inProj.set(eye, 0); inProj.set(eye, E * E); inProj.set(eye, 2 * E * E);
  const q = rand(r, L * E), k = rand(r, S * E), v = rand(r, S * E);
  const m = multiheadAttention({ embedDim: E, numHeads: 1, bias: false }, { in_proj_weight: inProj, 'out_proj.weight': eye },
    { data: q, shape: [L, E] }, { data: k, shape: [S, E] }, { data: v, shape: [S, E] });
  const d = dotProductAttention(q, k, v, 1, L, S, E, E);
  assertClose(m.output.data, d.output, 1e-14, 0, 'output');
  assertClose(m.weights!.data, d.weights, 1e-14, 0, 'weights');
  assert.deepEqual(m.weights!.shape, [L, S]);
});

test('MHA reference: heads, layouts, masks and fully-masked rows are self-consistent', () => {
  const r = rng(2);
  const E = 6, H = 2, L = 3, S = 4, N = 2;
  const sd = {
    in_proj_weight: rand(r, 3 * E * E, 0.5), in_proj_bias: rand(r, 3 * E, 0.1),
    'out_proj.weight': rand(r, E * E, 0.5), 'out_proj.bias': rand(r, E, 0.1),
  };
  const qf = rand(r, N * L * E), kf = rand(r, N * S * E), vf = rand(r, N * S * E);
  const cfg = { embedDim: E, numHeads: H };
  // batch_first vs seq-first: transpose inputs and compare
  const toSeqFirst = (x: Float64Array, T: number) => { const y = new Float64Array(x.length); for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) for (let c = 0; c < E; c++) y[(t * N + n) * E + c] = x[(n * T + t) * E + c]; return y; };
  const bf = multiheadAttention({ ...cfg, batchFirst: true }, sd, { data: qf, shape: [N, L, E] }, { data: kf, shape: [N, S, E] }, { data: vf, shape: [N, S, E] });
  const sf = multiheadAttention(cfg, sd, { data: toSeqFirst(qf, L), shape: [L, N, E] }, { data: toSeqFirst(kf, S), shape: [S, N, E] }, { data: toSeqFirst(vf, S), shape: [S, N, E] });
  assertClose(sf.output.data, toSeqFirst(bf.output.data as Float64Array, L), 1e-14, 0, 'batch_first');
  assertClose(sf.weights!.data, bf.weights!.data, 1e-14, 0, 'weights not transposed');
  // unbatched = batch 1
  const u = multiheadAttention(cfg, sd, { data: qf.subarray(0, L * E), shape: [L, E] }, { data: kf.subarray(0, S * E), shape: [S, E] }, { data: vf.subarray(0, S * E), shape: [S, E] });
  assertClose(u.output.data, (bf.output.data as Float64Array).subarray(0, L * E), 1e-14, 0, 'unbatched');
  // bool mask == float -inf mask; causal == explicit causal mask
  const boolMask = new Uint8Array(L * S), floatMask = new Float32Array(L * S);
  for (let i = 0; i < L; i++) for (let j = 0; j < S; j++) if (j > i) { boolMask[i * S + j] = 1; floatMask[i * S + j] = -Infinity; }
  const args = [{ data: qf, shape: [N, L, E] }, { data: kf, shape: [N, S, E] }, { data: vf, shape: [N, S, E] }] as const;
  const a = multiheadAttention({ ...cfg, batchFirst: true }, sd, ...args, { attnMask: boolMask });
  const b = multiheadAttention({ ...cfg, batchFirst: true }, sd, ...args, { attnMask: floatMask });
  const c = multiheadAttention({ ...cfg, batchFirst: true }, sd, ...args, { isCausal: true });
  assertClose(b.output.data, a.output.data, 0, 0, 'bool vs float');
  assertClose(c.output.data, a.output.data, 0, 0, 'causal');
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) assert.equal(a.weights!.data[i * S + j], 0);
  // key padding everything in batch 1 -> its output rows are out_proj.bias, weights 0
  const kpm = new Uint8Array(N * S); kpm.fill(1, S);
  const f = multiheadAttention({ ...cfg, batchFirst: true }, sd, ...args, { keyPaddingMask: kpm });
  for (let i = 0; i < L; i++) assertClose((f.output.data as Float64Array).subarray((L + i) * E, (L + i + 1) * E), sd['out_proj.bias'], 1e-15, 0, 'fully masked row');
  assert.ok(Array.from(f.weights!.data).slice(L * S).every((w) => w === 0));
  // with add_bias_kv the bias key stays attendable, so the same kpm no longer gives a fully masked row
  const g = multiheadAttention({ ...cfg, batchFirst: true, addBiasKV: true }, { ...sd, bias_k: rand(r, E), bias_v: rand(r, E) }, ...args, { keyPaddingMask: kpm });
  assert.deepEqual(g.weights!.shape, [N, L, S + 1]);
  for (let i = 0; i < L; i++) assert.ok(Math.abs(g.weights!.data[(L + i) * (S + 1) + S] - 1) < 1e-15);
  // per-head weights average to the averaged ones
  const ph = multiheadAttention({ ...cfg, batchFirst: true }, sd, ...args, { averageAttnWeights: false });
  assert.deepEqual(ph.weights!.shape, [N, H, L, S]);
  const avg = new Float64Array(N * L * S);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let x = 0; x < L * S; x++) avg[n * L * S + x] += ph.weights!.data[(n * H + h) * L * S + x] / H;
  assertClose(avg, bf.weights!.data, 1e-15, 0, 'average');
});

test('Transformer reference: zero sublayers reduce to the norms; post-norm vs pre-norm differ', () => {
  const r = rng(3);
  const d = 4, dff = 6, L = 3;
  const cfg = { dModel: d, nhead: 2, dimFeedforward: dff };
  const shapes = transformerParamShapes(cfg);
  const sd: Record<string, Float64Array> = {};
  for (const [k, s] of Object.entries(shapes)) sd[k] = new Float64Array(s.reduce((a, b) => a * b, 1));
  for (const n of ['norm1', 'norm2']) sd[`${n}.weight`].fill(1);
  const x = rand(r, L * d);
  // all attention / FF weights zero: post-norm gives LN(LN(x)); pre-norm gives x
  const post = transformerEncoder(cfg, sd, { data: x, shape: [L, d] });
  assertClose(post.data, layerNorm(layerNorm(x, L, d, null, null), L, d, null, null), 1e-14, 0, 'post-norm');
  const pre = transformerEncoder({ ...cfg, normFirst: true }, sd, { data: x, shape: [L, d] });
  assertClose(pre.data, x, 0, 0, 'pre-norm');
  // with only linear2.bias nonzero, pre-norm adds it once: x + relu-path bias
  const sd2 = { ...sd, 'linear2.bias': Float64Array.from([1, 2, 3, 4]) };
  const pre2 = transformerEncoder({ ...cfg, normFirst: true }, sd2, { data: x, shape: [L, d] });
  assertClose(pre2.data, x.map((v, i) => v + [1, 2, 3, 4][i % d]), 1e-15, 0, 'pre-norm ff bias');
  // decoder: memory only enters through cross-attention; zero weights -> LN(LN(LN(x)))
  const dcfg = { ...cfg, kind: 'decoder' as const };
  const dsd: Record<string, Float64Array> = {};
  for (const [k, s] of Object.entries(transformerParamShapes(dcfg))) dsd[k] = new Float64Array(s.reduce((a, b) => a * b, 1));
  for (const n of ['norm1', 'norm2', 'norm3']) dsd[`${n}.weight`].fill(1);
  const y = transformerDecoder(dcfg, dsd, { data: x, shape: [L, d] }, { data: rand(r, 5 * d), shape: [5, d] });
  const ln = (z: ArrayLike<number>) => layerNorm(z, L, d, null, null);
  assertClose(y.data, ln(ln(ln(x))), 1e-14, 0, 'decoder post-norm');
  // linear() sanity: [1,2]·[[1,0],[0,1],[1,1]]ᵀ + b
  assertClose(linear([1, 2], 1, 2, [1, 0, 0, 1, 1, 1], [0, 0, 1]), [1, 2, 4], 0, 0, 'linear');
});
