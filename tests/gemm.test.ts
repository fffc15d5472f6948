// GEMM kernels through both builds (simd, relaxed) at random awkward sizes with guard cells, plus the
// matmul op and PackedLinear. Reference: f64 sums in JavaScript. Tolerance per element:
// (k + 2) · 2^-23 · (Σ_p |a_ip·b_pj| + |bias_j|), the worst-case bound of an f32 sum of k terms in any order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matmul } from '../bindings/api/matmul.ts';
import { PackedLinear } from '../bindings/ops/linear.ts';
import type { Runtime } from '../bindings/index.ts';
import { GUARD, Guarded, VARIANTS, randn, rng, runtime } from './util.ts';

const U = 2 ** -23;

/** C = A·B (+bias)(relu) in f64, plus the per-element error bound. A [m,lda], B [k,ldb] or [n,ldb] when tb. */
function reference(m: number, n: number, k: number, A: Float32Array, lda: number, B: Float32Array, ldb: number, tb: boolean,
                   bias: Float32Array | null, relu: boolean): { want: Float64Array; tol: Float64Array } {
  const want = new Float64Array(m * n), tol = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, mag = 0;
    for (let p = 0; p < k; p++) {
      const t = A[i * lda + p] * (tb ? B[j * ldb + p] : B[p * ldb + j]);
      s += t; mag += Math.abs(t);
    }
    if (bias) { s += bias[j]; mag += Math.abs(bias[j]); }
    if (relu) s = s > 0 || Number.isNaN(s) ? s : 0;
    want[i * n + j] = s; tol[i * n + j] = (k + 2) * U * mag;
  }
  return { want, tol };
}

function checkC(what: string, C: Float32Array, ldc: number, m: number, n: number, ref: { want: Float64Array; tol: Float64Array }): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < ldc; j++) {
    const got = C[i * ldc + j];
    if (j >= n) { assert.equal(got, Math.fround(GUARD), `${what}: wrote into the gap of row ${i} (col ${j})`); continue; }
    const want = ref.want[i * n + j], tol = ref.tol[i * n + j];
    if (!(Math.abs(got - want) <= tol)) assert.fail(`${what}: C[${i},${j}] = ${got}, expected ${want} ± ${tol.toExponential(2)}`);
  }
}

type Kernel = 'gemm_f32' | 'gemm_f32_trans_b' | 'packed' | 'packed_t' | 'batched' | 'batched_t';

function runKernel(rt: Runtime, kind: Kernel, m: number, n: number, k: number, r: () => number, withBias: boolean, relu: boolean): void {
  const x = rt.exports;
  const tb = kind === 'gemm_f32_trans_b' || kind === 'packed_t' || kind === 'batched_t';
  const batched = kind.startsWith('batched');
  if (batched) { withBias = false; relu = false; }
  const pad = Math.floor(r() * 4);
  const lda = k + pad, ldb = (tb ? k : n) + Math.floor(r() * 4), ldc = n + 1 + pad;
  const Ah = randn(r, m * lda), Bh = randn(r, (tb ? n : k) * ldb), biasH = withBias ? randn(r, n) : null;
  const a = new Guarded(rt, Ah.length, Ah), b = new Guarded(rt, Bh.length, Bh);
  const bias = biasH ? new Guarded(rt, n, biasH) : null;
  const c = new Guarded(rt, m * ldc);
  const act = relu ? 1 : 0, bp = bias ? bias.ptr : 0;
  const what = `${rt.variant} ${kind} m=${m} n=${n} k=${k}${bias ? ' bias' : ''}${relu ? ' relu' : ''}`;
  const s = new Guarded(rt, Math.max(1, x.gemm_scratch_size_f32(m, n, k)));
  if (kind === 'gemm_f32') x.gemm_f32(m, n, k, 0, m, 0, n, a.ptr, lda, b.ptr, ldb, c.ptr, ldc, bp, act, s.ptr);
  else if (kind === 'gemm_f32_trans_b') x.gemm_f32_trans_b(m, n, k, 0, m, 0, n, a.ptr, lda, b.ptr, ldb, c.ptr, ldc, bp, act, s.ptr);
  else if (batched) x.gemm_f32_batched(1, m, n, k, a.ptr, lda, m * lda, b.ptr, ldb, 0, c.ptr, ldc, 0, tb ? 1 : 0, s.ptr);
  else {
    const size = x.packed_b_size_f32(k, n);
    assert.equal(size, Math.ceil(n / 8) * 8 * k);
    const pk = new Guarded(rt, size);
    x.pack_b_f32(k, n, b.ptr, ldb, pk.ptr, tb ? 1 : 0);
    pk.checkGuards(`${what} pack_b_f32`);
    x.gemm_f32_packed_b(m, n, k, 0, m, 0, n, a.ptr, lda, pk.ptr, c.ptr, ldc, bp, act, s.ptr);
    pk.free();
  }
  s.checkGuards(`${what} scratch`);
  s.free();
  checkC(what, c.data, ldc, m, n, reference(m, n, k, Ah, lda, Bh, ldb, tb, biasH, relu));
  c.checkGuards(what);
  for (const g of [a, b, c]) g.free();
  bias?.free();
}

const KERNELS: Kernel[] = ['gemm_f32', 'gemm_f32_trans_b', 'packed', 'packed_t', 'batched', 'batched_t'];
const AWKWARD = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16, 17, 31, 67, 131];

for (const variant of VARIANTS) {
  test(`${variant}: GEMM kernels match at random awkward sizes, never write outside C`, async () => {
    const rt = await runtime(variant);
    const r = rng(variant === 'simd' ? 11 : 12);
    const pick = () => AWKWARD[Math.floor(r() * AWKWARD.length)];
    for (let t = 0; t < 60; t++) {
      const m = pick(), n = pick(), k = r() < 0.15 ? 500 + Math.floor(r() * 700) : pick();   // some K-blocked
      for (const kind of KERNELS) runKernel(rt, kind, m, n, k, r, r() < 0.5, r() < 0.3);
    }
    for (const [m, n, k] of [[1, 512, 512], [1, 13, 1100], [16, 64, 256], [61, 24, 1], [5, 1, 131], [128, 40, 768], [200, 24, 700], [37, 19, 1601],
                         [19, 201, 700], [129, 17, 900], [30, 20, 4400]]) {
      for (const kind of KERNELS) runKernel(rt, kind, m, n, k, r, true, false);
    }
    // degenerate shapes: k = 0 gives C = act(bias or 0); m = 0 or n = 0 writes nothing (guards)
    for (const [m, n, k] of [[3, 10, 0], [1, 9, 0], [0, 9, 5], [4, 0, 5]]) {
      for (const kind of KERNELS) for (const [bias, relu] of [[true, true], [false, false]]) runKernel(rt, kind, m, n, k, r, bias, relu);
    }
  });

  test(`${variant}: batched kernels step every operand by its stride`, async () => {
    const rt = await runtime(variant);
    const r = rng(5);
    const [batch, m, n, k] = [3, 7, 13, 9];
    for (const tb of [0, 1]) {
      const A = randn(r, batch * m * k), B = randn(r, batch * k * n);
      const a = rt.tensor(A, [batch, m, k]), b = rt.tensor(B, [batch, k * n]), c = new Guarded(rt, batch * m * n);
      const s = rt.alloc(4 * Math.max(1, rt.exports.gemm_scratch_size_f32(m, n, k)));
      rt.exports.gemm_f32_batched(batch, m, n, k, a.ptr, k, m * k, b.ptr, tb ? k : n, k * n, c.ptr, n, m * n, tb, s);
      rt.free(s);
      for (let i = 0; i < batch; i++) {
        const ref = reference(m, n, k, A.subarray(i * m * k), k, B.subarray(i * k * n), tb ? k : n, tb === 1, null, false);
        checkC(`batched ${i} tb=${tb}`, c.data.subarray(i * m * n, (i + 1) * m * n), n, m, n, ref);
      }
      c.checkGuards('batched');
      a.dispose(); b.dispose(); c.free();
    }
  });

  test(`${variant}: row and column sub-ranges give the whole product's bits; callers' scratch only`, async () => {
    const rt = await runtime(variant);
    const x = rt.exports;
    const r = rng(variant === 'simd' ? 21 : 22);
    // m = 1 (GEMV), few-rows order (packed, m <= 128), GotoBLAS order with K blocks, ragged n
    for (const [m, n, k] of [[1, 45, 37], [2, 19, 9], [7, 33, 64], [16, 72, 300], [61, 41, 13], [130, 26, 900], [23, 100, 1601]]) {
      const A = randn(r, m * k), B = randn(r, k * n), bias = randn(r, n);
      const Bt = new Float32Array(n * k);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) Bt[j * k + p] = B[p * n + j];
      const a = rt.tensor(A, [m, k]), b = rt.tensor(B, [k, n]), bt = rt.tensor(Bt, [n, k]), bs = rt.tensor(bias, [n]);
      const pk = rt.alloc(x.packed_b_size_f32(k, n) * 4);
      x.pack_b_f32(k, n, b.ptr, n, pk, 0);
      const size = x.gemm_scratch_size_f32(m, n, k);
      const s = new Guarded(rt, Math.max(1, size));
      const whole = rt.empty([m, n]), part = new Guarded(rt, m * n);
      const entries = [
        ['gemm_f32', (r0: number, r1: number, c0: number, c1: number, c: number) =>
          x.gemm_f32(m, n, k, r0, r1, c0, c1, a.ptr, k, b.ptr, n, c, n, bs.ptr, 1, s.ptr)],
        ['gemm_f32_trans_b', (r0: number, r1: number, c0: number, c1: number, c: number) =>
          x.gemm_f32_trans_b(m, n, k, r0, r1, c0, c1, a.ptr, k, bt.ptr, k, c, n, bs.ptr, 0, s.ptr)],
        ['gemm_f32_packed_b', (r0: number, r1: number, c0: number, c1: number, c: number) =>
          x.gemm_f32_packed_b(m, n, k, r0, r1, c0, c1, a.ptr, k, pk, c, n, bs.ptr, 1, s.ptr)],
      ] as const;
      const rowCuts = [...new Set([0, 1, Math.floor(m / 3), m - 1, m].filter((v) => v >= 0 && v <= m))].sort((u, v) => u - v);
      const colCuts = [...new Set([0, 8, 8 * Math.floor(n / 16), n].filter((v) => v <= n))].sort((u, v) => u - v);
      for (const [name, run] of entries) {
        run(0, m, 0, n, whole.ptr);
        part.data.fill(NaN);
        for (let i = 0; i + 1 < rowCuts.length; i++) {
          for (let j = 0; j + 1 < colCuts.length; j++) run(rowCuts[i], rowCuts[i + 1], colCuts[j], colCuts[j + 1], part.ptr);
        }
        const w = whole.data, g = part.data;
        for (let e = 0; e < m * n; e++) {
          if (!Object.is(w[e], g[e])) assert.fail(`${variant} ${name} ${m}x${n}x${k}: element ${e} is ${g[e]} in pieces, ${w[e]} whole`);
        }
        part.checkGuards(`${name} pieces`);
        s.checkGuards(`${name} scratch of gemm_scratch_size_f32 = ${size} floats`);
        if (variant === 'simd' && !(name === 'gemm_f32_trans_b' && m === 1)) {
          // every path but the one-row A·Bᵀ dot products sums in gemm_f32_ref's order: the simd build equals it
          const ref = rt.empty([m, n]);
          x.gemm_f32_ref(m, n, k, a.ptr, k, name === 'gemm_f32_trans_b' ? bt.ptr : b.ptr, name === 'gemm_f32_trans_b' ? k : n, ref.ptr, n,
                         bs.ptr, name === 'gemm_f32_trans_b' ? 1 : 0, name === 'gemm_f32_trans_b' ? 0 : 1);
          for (let e = 0; e < m * n; e++) {
            if (!Object.is(w[e], ref.data[e])) assert.fail(`simd ${name} ${m}x${n}x${k}: element ${e} is ${w[e]}, gemm_f32_ref ${ref.data[e]}`);
          }
          ref.dispose();
        }
      }
      for (const t of [a, b, bt, bs, whole]) t.dispose();
      part.free(); s.free(); rt.free(pk);
    }
  });

  test(`${variant}: NaN, ±Inf and -0 propagate like the scalar reference`, async () => {
    const rt = await runtime(variant);
    const x = rt.exports;
    const [m, n, k] = [6, 11, 9];
    const A = randn(rng(3), m * k), B = randn(rng(4), k * n);
    A[0] = NaN; A[k] = Infinity; A[2 * k + 3] = -Infinity; A[3 * k] = -0; B[1] = 0; B[n + 2] = Infinity;
    const a = rt.tensor(A, [m, k]), b = rt.tensor(B, [k, n]), want = rt.empty([m, n]), got = rt.empty([m, n]);
    x.gemm_f32_ref(m, n, k, a.ptr, k, b.ptr, n, want.ptr, n, 0, 0, 1);
    const pk = rt.alloc(x.packed_b_size_f32(k, n) * 4);
    x.pack_b_f32(k, n, b.ptr, n, pk, 0);
    const s = rt.alloc(x.gemm_scratch_size_f32(m, n, k) * 4);
    for (const run of [() => x.gemm_f32(m, n, k, 0, m, 0, n, a.ptr, k, b.ptr, n, got.ptr, n, 0, 1, s),
                       () => x.gemm_f32_packed_b(m, n, k, 0, m, 0, n, a.ptr, k, pk, got.ptr, n, 0, 1, s),
                       () => x.gemm_f32_packed_b(1, n, k, 0, 1, 0, n, a.ptr, k, pk, got.ptr, n, 0, 1, 0)]) {
      got.data.fill(5);
      run();
      const w = want.data, g = got.data;
      const rows = g[n] === 5 ? 1 : m;
      for (let i = 0; i < rows * n; i++) {
        if (Number.isNaN(w[i])) assert.ok(Number.isNaN(g[i]), `[${i}] expected NaN, got ${g[i]}`);
        else if (!Number.isFinite(w[i])) assert.equal(g[i], w[i]);
        else assert.ok(Math.abs(g[i] - w[i]) <= 1e-5, `[${i}] ${g[i]} vs ${w[i]}`);
      }
    }
    rt.free(pk); for (const t of [a, b, want, got]) t.dispose();
  });

  test(`${variant}: matmul op — Float32Array and Tensor operands, transposeB, bias, out`, async () => {
    const rt = await runtime(variant);
    const r = rng(21);
    for (const [m, k, n] of [[1, 512, 512], [3, 5, 7], [16, 64, 33], [67, 13, 131]]) {
      const A = randn(r, m * k), B = randn(r, k * n), bias = randn(r, n);
      const Bt = new Float32Array(n * k);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) Bt[j * k + p] = B[p * n + j];
      const ref = reference(m, n, k, A, k, B, n, false, bias, false);
      const refNoBias = reference(m, n, k, A, k, B, n, false, null, false);
      const close = (got: Float32Array, rr: typeof ref, what: string) => {
        assert.equal(got.length, m * n, what);
        for (let i = 0; i < m * n; i++) assert.ok(Math.abs(got[i] - rr.want[i]) <= rr.tol[i], `${what}[${i}]: ${got[i]} vs ${rr.want[i]}`);
      };
      const before = rt.memoryStats().bytesInUse;
      close(matmul(rt, A, B, { m, k, n }) as Float32Array, refNoBias, 'f32 arrays');
      close(matmul(rt, A, Bt, { m, k, n, transposeB: true, bias }) as Float32Array, ref, 'transposeB + bias');
      const out = new Float32Array(m * n);
      assert.equal(matmul(rt, A, B, { m, k, n, bias, out }), out);
      close(out, ref, 'out Float32Array');
      assert.equal(rt.memoryStats().bytesInUse, before, 'Float32Array operands leave nothing allocated');
      const ta = rt.tensor(A, [m, k]), tb = rt.tensor(Bt, [n, k]), tbias = rt.tensor(bias, [n]), tc = rt.empty([m, n]);
      assert.equal(matmul(rt, ta, tb, { m, k, n, transposeB: true, bias: tbias, out: tc }), tc);
      close(tc.data, ref, 'Tensor operands');
      for (const t of [ta, tb, tbias, tc]) t.dispose();
      close(rt.ops.matmul(A, B, { m, k, n, bias }) as Float32Array, ref, 'rt.ops.matmul');
    }
  });

  test(`${variant}: matmul op rejects bad arguments with clear messages`, async () => {
    const rt = await runtime(variant);
    const a = new Float32Array(6), b = new Float32Array(6);
    assert.throws(() => matmul(rt, a, new Float32Array(1000), { m: 2, k: 3, n: 2 }), /^RangeError: matmul: b must have k\*n = 3\*2 = 6 elements, got 1000$/);
    assert.throws(() => matmul(rt, a, new Float32Array(5), { m: 2, k: 3, n: 2, transposeB: true }), /matmul: b must have n\*k = 2\*3 = 6 elements, got 5/);
    assert.throws(() => matmul(rt, new Float32Array(5), b, { m: 2, k: 3, n: 2 }), /matmul: a must have m\*k = 2\*3 = 6 elements, got 5/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3, n: 2, bias: new Float32Array(3) }), /matmul: bias must have n = 2 elements, got 3/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3, n: 2, out: new Float32Array(3) }), /matmul: out must have m\*n = 2\*2 = 4 elements, got 3/);
    assert.throws(() => matmul(rt, a, b, { m: 2.5, k: 3, n: 2 }), /matmul: m must be a positive integer, got number 2.5/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 0, n: 2 }), /matmul: k must be a positive integer, got number 0/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3 } as never), /matmul: n must be a positive integer, got undefined/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3, n: 2, transpose: true } as never), /matmul: unknown option "transpose"/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3, n: 2, transposeB: 1 } as never), /matmul: transposeB must be a boolean, got number 1/);
    assert.throws(() => matmul(rt, a, b, undefined as never), /matmul: options \{ m, k, n \} are required/);
    assert.throws(() => matmul(rt, [1, 2, 3, 4, 5, 6] as never, b, { m: 2, k: 3, n: 2 }), /matmul: a must be a Float32Array or a Tensor, got an Array of length 6/);
    const t = rt.tensor(a, [2, 3]);
    assert.throws(() => matmul(rt, t, b, { m: 2, k: 3, n: 2, out: t as never }), /matmul: out must have m\*n = 2\*2 = 4 elements, got 6/);
    // an input that is the output gives the result of a copy of it (A·A written over A)
    const sqv = new Float32Array([1, 2, 3, 4]);
    const sq = rt.tensor(sqv, [2, 2]);
    const before = rt.memoryStats();
    matmul(rt, sq, sq, { m: 2, k: 2, n: 2, out: sq });
    assert.deepEqual(Array.from(sq.data), [7, 10, 15, 22]);
    assert.deepEqual(rt.memoryStats(), before);
    t.dispose();
    assert.throws(() => matmul(rt, t, b, { m: 2, k: 3, n: 2 }), /matmul: a is a Tensor that is no longer valid: used after dispose\(\)/);
    sq.dispose();
  });

  test(`${variant}: PackedLinear matches x·Wᵀ + b (relu fused) for 1..130 rows, dispose frees`, async () => {
    const rt = await runtime(variant);
    const r = rng(31);
    const before = rt.memoryStats().bytesInUse;
    for (const [outF, inF] of [[512, 512], [13, 67], [8, 1], [1, 9]]) {
      const W = randn(r, outF * inF), bias = randn(r, outF);
      for (const withBias of [true, false]) {
        const lin = new PackedLinear(rt, W, withBias ? bias : null, outF, inF);
        for (const rows of [1, 2, 5, 16, 37, 130]) {
          const X = randn(r, rows * inF);
          const x = rt.tensor(X, [rows, inF]);
          const y = new Guarded(rt, rows * outF);
          const scratch = rt.alloc(Math.max(1, lin.scratchFloats(rows)) * 4);
          for (const act of [0, 1]) {
            lin.forward(x.ptr, rows, y.ptr, scratch, act === 1 ? 'relu' : 'none');
            checkC(`PackedLinear ${outF}x${inF} rows=${rows} act=${act}`, y.data, outF, rows, outF,
                   reference(rows, outF, inF, X, inF, W, inF, true, withBias ? bias : null, act === 1));
            y.checkGuards('PackedLinear');
          }
          x.dispose(); y.free(); rt.free(scratch);
        }
        lin.dispose();
        lin.dispose();
        assert.throws(() => lin.forward(0, 1, 0, 0), /PackedLinear: forward\(\) after dispose\(\)/);
      }
    }
    assert.equal(rt.memoryStats().bytesInUse, before, 'PackedLinear.dispose frees the packed weight and bias');
    assert.throws(() => new PackedLinear(rt, new Float32Array(5), null, 2, 3), /PackedLinear: weight must have outF\*inF = 2\*3 = 6 elements, got 5/);
    assert.throws(() => new PackedLinear(rt, new Float32Array(6), new Float32Array(3), 2, 3), /PackedLinear: bias must have outF = 2 elements, got 3/);
  });
}
