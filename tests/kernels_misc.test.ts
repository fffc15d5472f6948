// Elementwise / softmax / LayerNorm / additive kernels through BOTH builds against float64 JS references, with
// guard floats around every output; dense error sweeps of the SIMD exp/tanh/GELU approximations; and the ops
// (rt.ops-style softmax, layerNorm, additiveScores, gelu, relu) incl. their error messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Runtime } from '../bindings/index.ts';
import { softmax } from '../bindings/api/softmax.ts';
import { layerNorm } from '../bindings/api/layernorm.ts';
import { additiveScores } from '../bindings/api/additive.ts';
import { gelu, relu } from '../bindings/api/activation.ts';
import { VARIANTS, runtime, rng, randn, Guarded, assertClose } from './util.ts';

const SIZES = [1, 3, 4, 5, 7, 13, 67, 131, 1024, 2048];
const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 100, -100, 1e-30, -1e-30, 88.8, -88.8, 0.625, -0.625];

// ---- float64 references ----
function erfcPos(x: number): number { // x >= 0
  if (x < 2) { // erf series with positive terms: 2/√π e^{-x²} Σ 2^n x^{2n+1} / (2n+1)!!
    let term = x, sum = x;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) { term *= 2 * x * x / (2 * n + 1); sum += term; }
    return 1 - 1.1283791670955126 * Math.exp(-x * x) * sum;
  }
  if (x >= 27) return 0;
  let f = x, C = x, D = 0; // continued fraction, modified Lentz
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    D = 1 / (x + a * D); C = x + a / C;
    const d = C * D; f *= d;
    if (Math.abs(d - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * 1.7724538509055160);
}
const geluRef = (x: number) => {
  if (Number.isNaN(x)) return x;
  if (x === -Infinity) return -0;
  const h = 0.5 * erfcPos(Math.abs(x) * Math.SQRT1_2);
  return x * (x < 0 ? h : 1 - h);
};
const geluTanhRef = (x: number) => (x === -Infinity ? -0 : x === Infinity ? x : x / (1 + Math.exp(-1.5957691216057308 * (x + 0.044715 * x * x * x))));

interface SmOpts { scale?: number; mask?: Float32Array; ldm?: number; bmask?: Uint8Array; causal?: boolean; offset?: number; lens?: Int32Array }
function softmaxRef(rows: number, cols: number, x: Float32Array, ld: number, o: SmOpts): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const s = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      let v = Math.fround(x[r * ld + j] * (o.scale ?? 1));
      if (o.lens && j >= o.lens[r]) v = -1e6;
      if (o.mask) v = Math.fround(v + o.mask[r * (o.ldm ?? cols) + j]);
      if (o.bmask && o.bmask[r * cols + j]) v = -Infinity;
      if (o.causal && j > r + (o.offset ?? 0)) v = -Infinity;
      s[j] = v;
    }
    let m = -Infinity;
    for (const v of s) m = Number.isNaN(v) || Number.isNaN(m) ? NaN : Math.max(m, v);
    if (m === -Infinity) continue; // all masked -> zeros
    let sum = 0;
    for (const v of s) sum += Math.exp(v - m);
    for (let j = 0; j < cols; j++) y[r * cols + j] = Math.exp(s[j] - m) / sum;
  }
  return y;
}
function layerNormRef(rows: number, cols: number, x: ArrayLike<number>, g?: ArrayLike<number>, b?: ArrayLike<number>, eps = 1e-5): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let mean = 0; for (let j = 0; j < cols; j++) mean += x[r * cols + j]; mean /= cols;
    let v = 0; for (let j = 0; j < cols; j++) v += (x[r * cols + j] - mean) ** 2; v /= cols;
    for (let j = 0; j < cols; j++) y[r * cols + j] = (x[r * cols + j] - mean) / Math.sqrt(v + eps) * (g ? g[j] : 1) + (b ? b[j] : 0);
  }
  return y;
}
function additiveRef(B: number, nq: number, nk: number, h: number, q: Float32Array, k: Float32Array, w: Float32Array): Float64Array {
  const o = new Float64Array(B * nq * nk);
  for (let b = 0; b < B; b++) for (let i = 0; i < nq; i++) for (let j = 0; j < nk; j++) {
    let s = 0;
    for (let t = 0; t < h; t++) s += w[t] * Math.tanh(q[(b * nq + i) * h + t] + k[(b * nk + j) * h + t]);
    o[(b * nq + i) * nk + j] = s;
  }
  return o;
}

// ulp of the float32 nearest to v (the spacing at |v|; subnormal spacing below 2^-126)
function ulp32(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

type Unary = 'exp_f32' | 'tanh_f32' | 'gelu_f32' | 'gelu_tanh_f32' | 'relu_f32';
const UNARY: [Unary, (x: number) => number, number, number][] = [
  // name, reference, rtol, atol (see tests/kernels/*.spec.ts for why)
  ['exp_f32', Math.exp, 2.4e-7, 1.2e-38],
  ['tanh_f32', Math.tanh, 3.6e-7, 0],
  ['gelu_f32', geluRef, 9.6e-7, 1e-37],
  ['gelu_tanh_f32', geluTanhRef, 4.8e-7, 1e-8],
  ['relu_f32', (x) => (x > 0 || Number.isNaN(x) ? x : 0), 0, 0],
];

for (const variant of VARIANTS) {
  const rtP = runtime(variant);

  test(`${variant}: elementwise kernels match float64 at awkward sizes and special values, guards intact`, async () => {
    const rt = await rtP;
    const r = rng(1);
    for (const [name, ref, rtol, atol] of UNARY) {
      for (const n of [...SIZES, SPECIAL.length]) {
        const data = n === SPECIAL.length ? Float32Array.from(SPECIAL) : randn(r, n, -12, 12);
        const x = new Guarded(rt, n, data), y = new Guarded(rt, n);
        rt.exports[name](n, x.ptr, y.ptr);
        assertClose(y.data, Array.from(data, (v) => Math.fround(ref(v))), atol, rtol, `${variant} ${name} n=${n}`);
        y.checkGuards(`${name} n=${n}`);
        rt.exports[name](n, x.ptr, x.ptr); // in place
        assertClose(x.data, Array.from(data, (v) => Math.fround(ref(v))), atol, rtol, `${variant} ${name} in place n=${n}`);
        x.free(); y.free();
      }
    }
    for (const n of SIZES) {
      const a = randn(r, n, -5, 5), b = randn(r, n, -5, 5);
      const A = new Guarded(rt, n, a), Bb = new Guarded(rt, n, b), Y = new Guarded(rt, n);
      rt.exports.add_f32(n, A.ptr, Bb.ptr, Y.ptr);
      assertClose(Y.data, Array.from(a, (v, i) => Math.fround(v + b[i])), 0, 0, `add n=${n}`);
      Y.checkGuards('add'); A.free(); Bb.free(); Y.free();
    }
  });

  test(`${variant}: exp/tanh/GELU approximations stay within their documented max errors (dense sweeps)`, async (t) => {
    const rt = await rtP;
    const N = 1 << 20;
    const x = new Guarded(rt, N), y = new Guarded(rt, N);
    // name, ref, lo, hi, max ulp documented in assembly/simd/math.ts
    const sweeps: [Unary, (v: number) => number, number, number, number][] = [
      ['exp_f32', Math.exp, -87.3, 88.7, 1.05],
      ['tanh_f32', Math.tanh, -10, 10, 1.6],
      ['gelu_f32', geluRef, -10, 10, 6.5],
      ['gelu_f32', geluRef, -13, -3, 7],
      ['gelu_tanh_f32', geluTanhRef, -0.5, 0.5, 2.2],
      ['gelu_tanh_f32', geluTanhRef, -3, 3, 16],
    ];
    for (const [name, ref, lo, hi, bound] of sweeps) {
      let worst = 0, at = 0;
      for (let s = 0; s < 4; s++) {
        const xd = x.data;
        for (let i = 0; i < N; i++) xd[i] = lo + (hi - lo) * ((s * N + i) / (4 * N));
        rt.exports[name](N, x.ptr, y.ptr);
        const xv = x.data, yv = y.data;
        for (let i = 0; i < N; i++) {
          const want = ref(xv[i]);
          const e = Math.abs(yv[i] - want) / ulp32(want);
          if (e > worst) { worst = e; at = xv[i]; }
        }
      }
      t.diagnostic(`${name} [${lo}, ${hi}]: max ${worst.toFixed(2)} ulp at x = ${at}`);
      assert.ok(worst <= bound, `${variant} ${name} on [${lo}, ${hi}]: ${worst.toFixed(2)} ulp at x = ${at} > ${bound}`);
    }
    x.free(); y.free();
  });

  test(`${variant}: softmax_rows_f32 with every mask kind, causal offsets, lens, ld > cols`, async () => {
    const rt = await rtP;
    const r = rng(2);
    for (const cols of SIZES) {
      const rows = 5, ld = cols + 3;
      const cases: SmOpts[] = [
        {}, { scale: 0.125 }, { scale: -3 },
        { mask: randn(r, rows * cols, -4, 4) }, { mask: randn(r, cols, -4, 4), ldm: 0 },
        { bmask: Uint8Array.from({ length: rows * cols }, () => (r() < 0.3 ? 1 : 0)) },
        { causal: true }, { causal: true, offset: 2 }, { causal: true, offset: -2 }, { causal: true, offset: -10 },
        { lens: Int32Array.from([0, 1, cols - 1, cols, cols + 5]) },
        { scale: 0.5, mask: randn(r, rows * cols, -2, 2), bmask: Uint8Array.from({ length: rows * cols }, (_, i) => i % 5 === 0 ? 1 : 0),
          causal: true, offset: 1, lens: Int32Array.from([3, 0, 7, 2, 100]) },
      ];
      for (const o of cases) {
        const data = randn(r, rows * ld, -8, 8);
        const x = new Guarded(rt, rows * ld, data), y = new Guarded(rt, rows * ld);
        const held: number[] = [];
        const put = (bytes: number, fill: (p: number) => void) => { const p = rt.alloc(bytes); held.push(p); fill(p); return p; };
        const m = o.mask ? put(o.mask.length * 4, (p) => rt.f32(p, o.mask!.length).set(o.mask!)) : 0;
        const b = o.bmask ? put(o.bmask.length, (p) => new Uint8Array(rt.memory.buffer, p, o.bmask!.length).set(o.bmask!)) : 0;
        const l = o.lens ? put(rows * 4, (p) => new Int32Array(rt.memory.buffer, p, rows).set(o.lens!)) : 0;
        rt.exports.softmax_rows_f32(rows, cols, x.ptr, ld, y.ptr, ld, m, o.ldm ?? cols, b, cols, l,
                                    o.scale ?? 1, o.causal ? 1 : 0, o.offset ?? 0);
        const want = softmaxRef(rows, cols, data, ld, o);
        const got = new Float32Array(rows * cols);
        const yd = y.data;
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) got[i * cols + j] = yd[i * ld + j];
          for (let j = cols; j < ld; j++) assert.equal(yd[i * ld + j], Math.fround(1234.5678), `guard between rows, cols=${cols}`);
        }
        assertClose(got, want, 4e-7, 9.6e-7, `${variant} softmax cols=${cols} ${JSON.stringify(Object.keys(o))}`);
        y.checkGuards(`softmax cols=${cols}`);
        x.free(); y.free(); for (const p of held) rt.free(p);
      }
    }
  });

  test(`${variant}: softmax special values (all -inf -> zeros, NaN propagates, +-100, +-0)`, async () => {
    const rt = await rtP;
    const rowsData = [
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      [1, 2, NaN, 3, 4],
      [0, -Infinity, 1, -Infinity, 2],
      [100, -100, 100, -100, 100],
      [0, -0, 0, -0, 0],
    ];
    const data = Float32Array.from(rowsData.flat());
    const x = new Guarded(rt, 25, data), y = new Guarded(rt, 25);
    rt.exports.softmax_rows_f32(5, 5, x.ptr, 5, y.ptr, 5, 0, 0, 0, 0, 0, 1, 0, 0);
    assertClose(y.data, softmaxRef(5, 5, data, 5, {}), 4e-7, 9.6e-7, `${variant} softmax specials`);
    assert.deepEqual(Array.from(y.data.slice(0, 5)), [0, 0, 0, 0, 0]);
    y.checkGuards('softmax specials');
    x.free(); y.free();
  });

  test(`${variant}: softmax in place keeps NaN rows NaN and zeros all -inf rows, with and without causal`, async () => {
    const rt = await rtP;
    const cols = 9;
    const rowsData = [new Array(cols).fill(NaN), new Array(cols).fill(-Infinity), [NaN, 1, 2, 3, 4, 5, 6, 7, 8]];
    for (const causal of [0, 1]) {
      const data = Float32Array.from(rowsData.flat());
      const x = new Guarded(rt, data.length, data);
      rt.exports.softmax_rows_f32(3, cols, x.ptr, cols, x.ptr, cols, 0, 0, 0, 0, 0, 1, causal, cols); // offset: nothing cut
      const y = x.data;
      for (let j = 0; j < cols; j++) {
        assert.ok(Number.isNaN(y[j]), `causal=${causal}: all-NaN row in place must stay NaN at ${j}, got ${y[j]}`);
        assert.equal(y[cols + j], 0, `causal=${causal}: all -inf row gives zeros at ${j}`);
        assert.ok(Number.isNaN(y[2 * cols + j]), `causal=${causal}: a NaN score makes its row NaN at ${j}, got ${y[2 * cols + j]}`);
      }
      x.checkGuards('softmax in place');
      x.free();
    }
  });

  test(`${variant}: layernorm_f32 and additive_scores_f32 match float64`, async () => {
    const rt = await rtP;
    const r = rng(3);
    for (const cols of SIZES) {
      for (const affine of [0, 1, 2, 3]) {
        const rows = 3;
        const data = randn(r, rows * cols, -3, 3), g = randn(r, cols, 0.5, 2), b = randn(r, cols, -1, 1);
        const x = new Guarded(rt, rows * cols, data), y = new Guarded(rt, rows * cols);
        const G = new Guarded(rt, cols, g), B = new Guarded(rt, cols, b);
        rt.exports.layernorm_f32(rows, cols, x.ptr, cols, y.ptr, cols, affine & 1 ? G.ptr : 0, affine & 2 ? B.ptr : 0, 1e-5);
        assertClose(y.data, layerNormRef(rows, cols, data, affine & 1 ? g : undefined, affine & 2 ? b : undefined), 2e-6, 1e-6,
                    `${variant} layernorm cols=${cols} affine=${affine}`);
        y.checkGuards('layernorm'); x.free(); y.free(); G.free(); B.free();
      }
    }
    for (const h of [1, 3, 4, 5, 7, 13, 67, 131]) {
      for (const nk of [1, 3, 4, 5, 7, 13]) {
        const [bt, nq] = [2, 3];
        const q = randn(r, bt * nq * h, -2, 2), k = randn(r, bt * nk * h, -2, 2), w = randn(r, h);
        const Q = new Guarded(rt, q.length, q), K = new Guarded(rt, k.length, k), Wv = new Guarded(rt, h, w), O = new Guarded(rt, bt * nq * nk);
        rt.exports.additive_scores_f32(bt, nq, nk, h, Q.ptr, K.ptr, Wv.ptr, O.ptr);
        const wsum = w.reduce((a, v) => a + Math.abs(v), 0);
        assertClose(O.data, additiveRef(bt, nq, nk, h, q, k, w), 3e-7 * wsum, 0, `${variant} additive h=${h} nk=${nk}`);
        O.checkGuards('additive'); Q.free(); K.free(); Wv.free(); O.free();
      }
    }
  });

  test(`${variant}: ops softmax / layerNorm / additiveScores / gelu / relu give reference results without leaking`, async () => {
    const rt: Runtime = await rtP;
    const r = rng(4);
    const before = rt.memoryStats().bytesInUse;
    const x = randn(r, 4 * 8, -3, 3);
    assertClose(softmax(rt, x, { rows: 4, cols: 8 }) as Float32Array, softmaxRef(4, 8, x, 8, {}), 4e-7, 9.6e-7, 'softmax');
    const fm = randn(r, 8, -1, 1);
    assertClose(softmax(rt, x, { rows: 4, cols: 8, mask: fm, scale: 0.5 }) as Float32Array,
                softmaxRef(4, 8, x, 8, { mask: fm, ldm: 0, scale: 0.5 }), 4e-7, 9.6e-7, 'softmax broadcast float mask');
    const bm = Uint8Array.from({ length: 32 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    assertClose(softmax(rt, x, { rows: 4, cols: 8, mask: bm, causal: true }) as Float32Array,
                softmaxRef(4, 8, x, 8, { bmask: bm, causal: true }), 4e-7, 9.6e-7, 'softmax bool mask + causal');
    const bm1 = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(softmax(rt, x, { rows: 4, cols: 8, mask: bm1 }) as Float32Array), new Array(32).fill(0), 'fully masked -> zeros');
    // d2l: X = zeros(2,2,4), valid_lens [2,3] (repeated per query row)
    const d2l = softmax(rt, new Float32Array(16), { rows: 4, cols: 4, validLens: [2, 2, 3, 3] }) as Float32Array;
    assertClose(d2l, [0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 1 / 3, 1 / 3, 1 / 3, 0], 1e-7, 0, 'd2l masked_softmax');
    assertClose(softmax(rt, x.slice(0, 8), { rows: 1, cols: 8, validLens: Int32Array.of(0) }) as Float32Array, new Array(8).fill(1 / 8), 1e-7, 0, 'len 0 uniform');
    // Tensor operands: zero copy, in place
    const t = rt.tensor(x, [4, 8]);
    const res = softmax(rt, t, { rows: 4, cols: 8, out: t });
    assert.equal(res, t);
    assertClose(t.data, softmaxRef(4, 8, x, 8, {}), 4e-7, 9.6e-7, 'softmax in place on a Tensor');
    t.dispose();
    const out = new Float32Array(32);
    assert.equal(softmax(rt, x, { rows: 4, cols: 8, out }), out);

    const g = randn(r, 8, 0.5, 2), b = randn(r, 8);
    assertClose(layerNorm(rt, x, { rows: 4, cols: 8, weight: g, bias: b }) as Float32Array, layerNormRef(4, 8, x, g, b), 2e-6, 1e-6, 'layerNorm');
    assertClose(layerNorm(rt, Float32Array.of(1, 2, 3, 4), { rows: 1, cols: 4 }) as Float32Array,
                [-1.34163542, -0.44721181, 0.44721181, 1.34163542], 1e-7, 1e-7, 'layerNorm reference vector');
    assertClose(layerNorm(rt, Float32Array.of(1, 2, 3, 4), { rows: 1, cols: 4, eps: 1e-12 }) as Float32Array,
                [-1.34164079, -0.4472136, 0.4472136, 1.34164079], 1e-7, 1e-7, 'layerNorm eps 1e-12');

    const q = randn(r, 2 * 3 * 5), k = randn(r, 2 * 4 * 5), w = randn(r, 5);
    assertClose(additiveScores(rt, q, k, w, { batch: 2, nq: 3, nk: 4, hidden: 5 }) as Float32Array,
                additiveRef(2, 3, 4, 5, q, k, w), 2e-6, 0, 'additiveScores');

    const gx = Float32Array.of(-3, -1, -0.5, 0.5, 1, 2, 3);
    assertClose(gelu(rt, gx) as Float32Array, [-0.00404969409489031, -0.15865525393145707, -0.15426876936299344, 0.34573123063700656,
      0.8413447460685429, 1.9544997361036416, 2.99595030590511], 0, 1e-6, 'gelu table');
    assertClose(gelu(rt, gx, { approximate: 'tanh' }) as Float32Array, [-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606,
      0.34571400982514394, 0.8411919906082768, 1.954597694087775, 2.996362607918227], 0, 1e-6, 'gelu tanh table');
    assert.deepEqual(Array.from(relu(rt, Float32Array.of(-1, 0, 2, NaN)) as Float32Array), [0, 0, 2, NaN]);
    const rt2 = rt.tensor(Float32Array.of(-2, 3), [2]);
    relu(rt, rt2, { out: rt2 });
    assert.deepEqual(Array.from(rt2.data), [0, 3]);
    rt2.dispose();
    assert.equal(rt.memoryStats().bytesInUse, before, 'ops free their scratch');
  });

  test(`${variant}: ops reject bad arguments with messages naming argument, expected and received`, async () => {
    const rt = await rtP;
    const x = new Float32Array(30);
    assert.throws(() => softmax(rt, x, { rows: 4, cols: 8 }), /^RangeError: softmax: x must have rows\*cols = 4\*8 = 32 elements, got 30$/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, mask: new Float32Array(5) }),
                  /softmax: mask must have rows\*cols = 4\*8 = 32 elements \(or cols = 8 to broadcast\), got 5/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, mask: [1, 2] as never }), /softmax: mask must be a Float32Array or Tensor \(added\) or a Uint8Array \(boolean\), got an Array of length 2/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, validLens: [1, 2] }), /softmax: validLens must have rows = 4 elements, got 2/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, validLens: [1, 2, -1, 3] }), /softmax: validLens\[2\] must be a non-negative integer, got number -1/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, scale: NaN }), /softmax: scale must be a finite number, got number NaN/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, causal: 1 as never }), /softmax: causal must be a boolean, got number 1/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, dim: -1 } as never), /softmax: unknown option "dim" \(expected one of: rows, cols, scale, mask, causal, validLens, out\)/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 0, cols: 8 }), /softmax: rows must be a positive integer, got number 0/);
    assert.throws(() => softmax(rt, new Float32Array(32), undefined as never), /softmax: options \{ rows, cols \} are required/);
    assert.throws(() => softmax(rt, [1, 2] as never, { rows: 1, cols: 2 }), /softmax: x must be a Float32Array or a Tensor, got an Array of length 2/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, out: new Float32Array(31) }), /softmax: out must have rows\*cols = 4\*8 = 32 elements, got 31/);
    const big = rt.tensor(new Float32Array(40), [40]);
    const part = rt.empty([32]);
    assert.throws(() => softmax(rt, big, { rows: 4, cols: 8, out: part }), /softmax: x must have rows\*cols = 4\*8 = 32 elements, got 40/);
    big.dispose(); part.dispose();
    assert.throws(() => layerNorm(rt, new Float32Array(8), { rows: 2, cols: 4, weight: new Float32Array(3) }), /layerNorm: weight must have cols = 4 elements, got 3/);
    assert.throws(() => layerNorm(rt, new Float32Array(8), { rows: 2, cols: 4, eps: -1 }), /layerNorm: eps must be a finite number >= 0, got number -1/);
    assert.throws(() => layerNorm(rt, new Float32Array(8), { rows: 2, cols: 4, epsilon: 1 } as never), /layerNorm: unknown option "epsilon"/);
    assert.throws(() => additiveScores(rt, new Float32Array(6), new Float32Array(8), new Float32Array(2), { batch: 1, nq: 2, nk: 4, hidden: 2 }),
                  /additiveScores: kp must have batch\*nk\*hidden = 1\*4\*2 = 8 elements, got 8|additiveScores: qp must have batch\*nq\*hidden = 1\*2\*2 = 4 elements, got 6/);
    assert.throws(() => additiveScores(rt, new Float32Array(4), new Float32Array(8), new Float32Array(3), { batch: 1, nq: 2, nk: 4, hidden: 2 }),
                  /additiveScores: wv must have hidden = 2 elements, got 3/);
    assert.throws(() => gelu(rt, new Float32Array(3), { approximate: 'erf' as never }), /gelu: approximate must be one of 'none', 'tanh', got string erf/);
    assert.throws(() => gelu(rt, new Float32Array(3), { out: new Float32Array(2) }), /gelu: out must have x.length = 3 elements, got 2/);
    assert.throws(() => relu(rt, new Float32Array(3), { inplace: true } as never), /relu: unknown option "inplace"/);
    const t = rt.tensor(new Float32Array(8), [8]);
    const view = rt.empty([8]);
    assert.throws(() => softmax(rt, t, { rows: 1, cols: 4, out: t }), /softmax: x must have rows\*cols = 1\*4 = 4 elements, got 8/);
    t.dispose(); view.dispose();
  });
}
