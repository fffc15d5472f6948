// The GEMM family (assembly/gemm/: gemm_f32, gemm_f32_trans_b, pack_b_f32 + gemm_f32_packed_b, gemm_f32_batched)
// through BOTH builds at random awkward sizes and strides, against the scalar reference gemm_f32_ref on the same
// operands, with guard cells around every buffer and in the gap between rows of C; sub-ranges give the whole
// product's bits; NaN/Inf propagate as in the reference.
// Tolerance per element: 2·(k + 2)·2^-23·(Σ_p |a_ip·b_pj| + |bias_j|). A float32 sum of the k + 1 terms in any order,
// with or without FMA, is within half of that of the exact value; kernel and reference are two such sums. The
// magnitudes come from gemm_f32_ref on |A|, |B|, |bias| (a sum of non-negative terms: no cancellation).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Runtime } from '../../bindings/index.ts';
import { GUARD, Guarded, VARIANTS, uniform, rng, runtime } from '../support/util.ts';

const U = 2 ** -23;

/** gemm_f32_ref on A [m, lda] and B [k, ldb] (or [n, ldb] with tb) in wasm memory, dense [m, n] result, and the
 *  per-element tolerance from the magnitudes |A|·|B| + |bias|. */
function reference(rt: Runtime, m: number, n: number, k: number, A: Float32Array, lda: number, B: Float32Array, ldb: number, tb: boolean,
                   bias: Float32Array | null, relu: boolean): { want: Float32Array; tol: Float64Array } {
  const put = (x: Float32Array) => (x.length ? rt.tensor(x, [x.length]) : rt.empty([1]));
  const run = (a: Float32Array, b: Float32Array, c: Float32Array | null, act: number): Float32Array => {
    const pa = put(a), pb = put(b), pc = c ? put(c) : null, out = rt.empty([Math.max(1, m * n)]);
    rt.exports.gemm_f32_ref(m, n, k, pa.ptr, lda, pb.ptr, ldb, out.ptr, n, pc ? pc.ptr : 0, tb ? 1 : 0, act);
    const res = out.toArray().slice(0, m * n);
    for (const t of [pa, pb, pc, out]) t?.dispose();
    return res;
  };
  const want = run(A, B, bias, relu ? 1 : 0);
  const mag = run(A.map(Math.abs), B.map(Math.abs), bias ? bias.map(Math.abs) : null, 0);
  return { want, tol: Float64Array.from(mag, (v) => 2 * (k + 2) * U * v) };
}

function checkC(what: string, C: Float32Array, ldc: number, m: number, n: number, ref: { want: Float32Array; tol: Float64Array }): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < ldc; j++) {
    const got = C[i * ldc + j];
    if (j >= n) { assert.equal(got, Math.fround(GUARD), `${what}: wrote into the gap of row ${i} (col ${j})`); continue; }
    const want = ref.want[i * n + j], tol = ref.tol[i * n + j];
    if (!(Math.abs(got - want) <= tol)) assert.fail(`${what}: C[${i},${j}] = ${got}, gemm_f32_ref ${want} ± ${tol.toExponential(2)}`);
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
  const Ah = uniform(r, m * lda), Bh = uniform(r, (tb ? n : k) * ldb), biasH = withBias ? uniform(r, n) : null;
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
  const ref = reference(rt, m, n, k, Ah, lda, Bh, ldb, tb, biasH, relu); // before c.data: it may grow the memory
  checkC(what, c.data, ldc, m, n, ref);
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

  test(`${variant}: narrow tiles (gemm_set_tiles(0), 4-row tiles only: SpiderMonkey) match at awkward sizes too`, async () => {
    const rt = await runtime(variant);
    const r = rng(variant === 'simd' ? 13 : 14);
    const pick = () => AWKWARD[Math.floor(r() * AWKWARD.length)];
    rt.exports.gemm_set_tiles(0);
    try {
      for (let t = 0; t < 25; t++) {
        const m = pick(), n = pick(), k = r() < 0.15 ? 500 + Math.floor(r() * 700) : pick();
        for (const kind of KERNELS) runKernel(rt, kind, m, n, k, r, r() < 0.5, r() < 0.3);
      }
      for (const [m, n, k] of [[16, 64, 256], [7, 40, 300], [128, 40, 768], [200, 24, 700]]) {
        for (const kind of KERNELS) runKernel(rt, kind, m, n, k, r, true, true);
      }
    } finally {
      rt.exports.gemm_set_tiles(rt.tiles === 'wide' ? 1 : 0);
    }
  });

  test(`${variant}: batched kernels step every operand by its stride`, async () => {
    const rt = await runtime(variant);
    const r = rng(5);
    const [batch, m, n, k] = [3, 7, 13, 9];
    for (const tb of [0, 1]) {
      const A = uniform(r, batch * m * k), B = uniform(r, batch * k * n);
      const a = rt.tensor(A, [batch, m, k]), b = rt.tensor(B, [batch, k * n]), c = new Guarded(rt, batch * m * n);
      const s = rt.alloc(4 * Math.max(1, rt.exports.gemm_scratch_size_f32(m, n, k)));
      rt.exports.gemm_f32_batched(batch, m, n, k, a.ptr, k, m * k, b.ptr, tb ? k : n, k * n, c.ptr, n, m * n, tb, s);
      rt.free(s);
      for (let i = 0; i < batch; i++) {
        const ref = reference(rt, m, n, k, A.subarray(i * m * k, (i + 1) * m * k), k, B.subarray(i * k * n, (i + 1) * k * n), tb ? k : n, tb === 1, null, false);
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
      const A = uniform(r, m * k), B = uniform(r, k * n), bias = uniform(r, n);
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
    const A = uniform(rng(3), m * k), B = uniform(rng(4), k * n);
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
}
