import { gemm_f32, gemm_f32_trans_b, gemm_f32_batched, gemm_f32_packed_b, gemm_f32_ref } from '../../assembly/gemm/gemm_f32';
import { gemm_scratch_size_f32 } from '../../assembly/gemm/driver';
import { pack_b_f32, packed_b_size_f32 } from '../../assembly/gemm/packing';

// Every GEMM kernel against gemm_f32_ref. Tolerance per element: k · 2^-23 · (Σ_p |a_ip·b_pj| + |bias_j|), the
// classic bound for summing k rounded terms in any order (the kernels reorder sums: 4-lane partials, FMA in
// the relaxed build); the simd build is in fact bit-exact except the one-row A·Bᵀ path. NaN must match NaN and ±Inf exactly (with
// entries within [-1, 1] no partial sum overflows, so specials do not depend on the summation order).
// C has ldc > n and guard floats between rows and after the buffer; they must stay untouched.
const G: f32 = 7777.25;
const TAIL: i32 = 8;

let seed: u32 = 1;
function rnd(): f32 {
  seed = seed * 1664525 + 1013904223;
  return <f32>(seed >>> 8) / <f32>16777216.0 * 2 - 1;
}
function fillRand(p: usize, n: i32, scale: f32): void {
  for (let i = 0; i < n; i++) store<f32>(p + (<usize>i << 2), rnd() * scale);
}
function fillG(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(p + (<usize>i << 2), G);
}
@inline function at(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }

class Case {
  m: i32; n: i32; k: i32; lda: i32; ldb: i32; ldc: i32;
  a: usize; b: usize; bt: usize; bias: usize; ref: usize; c: usize;
  constructor(m: i32, n: i32, k: i32, pad: i32, special: bool, scale: f32) {
    this.m = m; this.n = n; this.k = k;
    this.lda = k + pad; this.ldb = n + pad; this.ldc = n + pad + 1;
    this.a = heap.alloc(<usize>(m * this.lda + 4) << 2);
    this.b = heap.alloc(<usize>(k * this.ldb + 4) << 2);          // B [k, n]
    this.bt = heap.alloc(<usize>(n * (k + pad) + 4) << 2);        // the same values as [n, k]
    this.bias = heap.alloc(<usize>(n + 4) << 2);
    this.ref = heap.alloc(<usize>(m * this.ldc) << 2);
    this.c = heap.alloc(<usize>(m * this.ldc + TAIL) << 2);
    fillRand(this.a, m * this.lda, scale);
    fillRand(this.b, k * this.ldb, scale);
    fillRand(this.bias, n, 1);
    if (special) {
      store<f32>(this.a, NaN);
      if (m > 1) store<f32>(this.a + (<usize>this.lda << 2), Infinity);
      if (m > 2) store<f32>(this.a + (<usize>(2 * this.lda) << 2), -0.0);
      if (k > 1 && m > 3) store<f32>(this.a + (<usize>(3 * this.lda + 1) << 2), -Infinity);
      if (n > 1) store<f32>(this.b + 4, 0.0);
      if (n > 2) store<f32>(this.b + 8, Infinity);
    }
    const ldt = k + pad;
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++)
      store<f32>(this.bt + (<usize>(j * ldt + p) << 2), at(this.b, p * this.ldb + j));
  }
  free(): void {
    heap.free(this.a); heap.free(this.b); heap.free(this.bt); heap.free(this.bias); heap.free(this.ref); heap.free(this.c);
  }
  runRef(withBias: bool, act: i32): void {
    gemm_f32_ref(this.m, this.n, this.k, this.a, this.lda, this.b, this.ldb, this.ref, this.ldc, withBias ? this.bias : 0, 0, act);
  }
  // Compares C with the reference; guard cells (j >= n in each row, and after the buffer) must hold G.
  check(what: string, withBias: bool): void {
    const tag = what + ' m=' + this.m.toString() + ' n=' + this.n.toString() + ' k=' + this.k.toString();
    for (let i = 0; i < this.m; i++) {
      for (let j = 0; j < this.ldc; j++) {
        const got = at(this.c, i * this.ldc + j);
        if (j >= this.n) { expect(got).toBe(G, tag + ' guard between rows'); continue; }
        const want = at(this.ref, i * this.ldc + j);
        let mag: f64 = withBias ? Math.abs(<f64>at(this.bias, j)) : 0;
        for (let p = 0; p < this.k; p++) mag += Math.abs(<f64>at(this.a, i * this.lda + p) * <f64>at(this.b, p * this.ldb + j));
        const tol = <f64>(this.k + 1) * 1.1920929e-7 * mag;
        let ok: bool;
        if (want != want) ok = got != got;
        else if (want == Infinity || want == -Infinity) ok = got == want;
        else ok = Math.abs(<f64>got - <f64>want) <= tol;
        if (!ok) expect(got).toBe(want, tag + ' i=' + i.toString() + ' j=' + j.toString());
      }
    }
    for (let t = 0; t < TAIL; t++) expect(at(this.c, this.m * this.ldc + t)).toBe(G, tag + ' guard after C');
  }
}

// Caller scratch of exactly gemm_scratch_size_f32 floats followed by guard floats that must stay untouched.
function scratchFor(m: i32, n: i32, k: i32): usize {
  const floats = gemm_scratch_size_f32(m, n, k);
  const s = heap.alloc(<usize>(floats + TAIL) << 2);
  fillG(s + (<usize>floats << 2), TAIL);
  return s;
}
function checkScratch(s: usize, m: i32, n: i32, k: i32, what: string): void {
  const floats = gemm_scratch_size_f32(m, n, k);
  for (let t = 0; t < TAIL; t++) expect(at(s, floats + t)).toBe(G, what + ' wrote past gemm_scratch_size_f32');
}

function checkAll(m: i32, n: i32, k: i32, pad: i32, special: bool, scale: f32): void {
  const cs = new Case(m, n, k, pad, special, scale);
  const ldt = k + pad;
  const s = scratchFor(m, n, k);
  for (let v = 0; v < 3; v++) {
    const withBias = v != 0, act = v == 2 ? 1 : 0;
    const bias: usize = withBias ? cs.bias : 0;
    cs.runRef(withBias, act);
    fillG(cs.c, m * cs.ldc + TAIL);
    gemm_f32(m, n, k, 0, m, 0, n, cs.a, cs.lda, cs.b, cs.ldb, cs.c, cs.ldc, bias, act, s);
    cs.check('gemm_f32', withBias);
    fillG(cs.c, m * cs.ldc + TAIL);
    gemm_f32_trans_b(m, n, k, 0, m, 0, n, cs.a, cs.lda, cs.bt, ldt, cs.c, cs.ldc, bias, act, s);
    cs.check('gemm_f32_trans_b', withBias);
    for (let tb = 0; tb < 2; tb++) {
      const packed = heap.alloc(<usize>packed_b_size_f32(k, n) << 2);
      if (tb) pack_b_f32(k, n, cs.bt, ldt, packed, 1); else pack_b_f32(k, n, cs.b, cs.ldb, packed, 0);
      fillG(cs.c, m * cs.ldc + TAIL);
      gemm_f32_packed_b(m, n, k, 0, m, 0, n, cs.a, cs.lda, packed, cs.c, cs.ldc, bias, act, s);
      cs.check(tb ? 'gemm_f32_packed_b (pack transB)' : 'gemm_f32_packed_b', withBias);
      heap.free(packed);
    }
  }
  // batched: the same product twice from strided operands (batch stride 0 for A, 2 batches of C rows)
  cs.runRef(false, 0);
  const c2 = heap.alloc(<usize>(2 * m * cs.ldc + TAIL) << 2);
  for (let tb = 0; tb < 2; tb++) {
    fillG(c2, 2 * m * cs.ldc + TAIL);
    if (tb) gemm_f32_batched(2, m, n, k, cs.a, cs.lda, 0, cs.bt, ldt, 0, c2, cs.ldc, m * cs.ldc, 1, s);
    else gemm_f32_batched(2, m, n, k, cs.a, cs.lda, 0, cs.b, cs.ldb, 0, c2, cs.ldc, m * cs.ldc, 0, s);
    const save = cs.c;
    cs.c = c2 + (<usize>(m * cs.ldc) << 2);          // second batch, guards after it
    cs.check(tb ? 'gemm_f32_batched transB (batch 1)' : 'gemm_f32_batched (batch 1)', false);
    for (let i = 0; i < m * cs.ldc; i++) {
      const x = at(c2, i), y = at(c2, m * cs.ldc + i);
      if (!(x == y || (x != x && y != y))) expect(x).toBe(y, 'batched: batch 0 == batch 1');
    }
    cs.c = save;
  }
  heap.free(c2);
  checkScratch(s, m, n, k, 'gemm');
  heap.free(s);
  cs.free();
}

// Entry e (0 gemm_f32, 1 gemm_f32_trans_b, 2 gemm_f32_packed_b) on rows [r0, r1), cols [c0, c1) into c.
function runRange(e: i32, cs: Case, packed: usize, r0: i32, r1: i32, c0: i32, c1: i32, c: usize, s: usize): void {
  const m = cs.m, n = cs.n, k = cs.k;
  if (e == 0) gemm_f32(m, n, k, r0, r1, c0, c1, cs.a, cs.lda, cs.b, cs.ldb, c, cs.ldc, cs.bias, 1, s);
  else if (e == 1) gemm_f32_trans_b(m, n, k, r0, r1, c0, c1, cs.a, cs.lda, cs.bt, cs.lda, c, cs.ldc, cs.bias, 0, s);
  else gemm_f32_packed_b(m, n, k, r0, r1, c0, c1, cs.a, cs.lda, packed, c, cs.ldc, cs.bias, 1, s);
}

// The whole product once, then again in pieces (rows cut at r1, r2; columns at c1, a multiple of 8) into another
// C: every element must have the same bits, and the guards between rows and after C stay untouched.
function checkRanges(m: i32, n: i32, k: i32, r1: i32, r2: i32, c1: i32): void {
  const cs = new Case(m, n, k, 1, false, 1);
  const packed = heap.alloc(<usize>packed_b_size_f32(k, n) << 2);
  pack_b_f32(k, n, cs.b, cs.ldb, packed, 0);
  const s = scratchFor(m, n, k);
  const whole = heap.alloc(<usize>(m * cs.ldc + TAIL) << 2);
  const tag = ' m=' + m.toString() + ' n=' + n.toString() + ' k=' + k.toString();
  for (let e = 0; e < 3; e++) {
    runRange(e, cs, packed, 0, m, 0, n, whole, s);
    fillG(cs.c, m * cs.ldc + TAIL);
    const rows: i32[] = [0, r1, r2, m], cols: i32[] = [0, c1, n];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
      if (rows[i] < rows[i + 1] && cols[j] < cols[j + 1]) runRange(e, cs, packed, rows[i], rows[i + 1], cols[j], cols[j + 1], cs.c, s);
    }
    let bad = 0, first = '';
    for (let i = 0; i < m; i++) for (let j = 0; j < cs.ldc; j++) {
      const got = at(cs.c, i * cs.ldc + j);
      const want = j < n ? at(whole, i * cs.ldc + j) : G;
      if (reinterpret<u32>(got) != reinterpret<u32>(want) && bad++ == 0) {
        first = 'entry ' + e.toString() + tag + ' at ' + i.toString() + ',' + j.toString() + ': ' + got.toString() + ' vs ' + want.toString();
      }
    }
    for (let t = 0; t < TAIL; t++) if (at(cs.c, m * cs.ldc + t) != G && bad++ == 0) first = 'guard after C' + tag;
    expect(bad).toBe(0, first);
  }
  checkScratch(s, m, n, k, 'ranges' + tag);
  heap.free(whole); heap.free(s); heap.free(packed);
  cs.free();
}

describe('gemm_f32 kernels', () => {
  it('match gemm_f32_ref at awkward small sizes (tails in m, n, k; lda/ldc > width)', () => {
    const S: i32[] = [1, 2, 3, 4, 5, 7, 8, 9, 11, 13, 16, 17];
    const K: i32[] = [1, 4, 7, 8, 9, 13, 67];
    let t = 0;
    for (let i = 0; i < S.length; i++) for (let j = 0; j < S.length; j++) {
      checkAll(S[i], S[j], K[t % K.length], t % 3, false, 1); t++;
    }
  });
  it('match at primes, multiples and K-blocked sizes', () => {
    checkAll(67, 131, 131, 1, false, 1);
    checkAll(37, 29, 900, 3, false, 1);      // two K blocks
    checkAll(200, 9, 700, 1, false, 1);      // three M blocks in the packed path
    checkAll(19, 201, 700, 2, false, 1);     // few-rows order: three B column blocks, tails in m and n
    checkAll(128, 12, 300, 1, false, 1);     // largest m of the few-rows order
    checkAll(129, 17, 900, 0, false, 1);     // one row more: GotoBLAS order, two K blocks
    checkAll(30, 20, 4400, 3, false, 1);     // A too long for the scratch: GotoBLAS order, six K blocks
    checkAll(24, 256, 256, 0, false, 1);
    checkAll(1, 256, 256, 0, false, 1);      // GEMV paths
    checkAll(1, 67, 1100, 2, false, 1);      // GEMV with tails, long k
    checkAll(61, 13, 1, 0, false, 1);        // k = 1
    checkAll(7, 1, 131, 5, false, 1);        // n = 1
    checkAll(3, 10, 0, 1, false, 1);         // k = 0: C = act(bias or 0)
    checkAll(1, 9, 0, 0, false, 1);
    checkAll(0, 9, 5, 1, false, 1);          // m = 0, n = 0: nothing written (guards)
    checkAll(4, 0, 5, 1, false, 1);
  });
  it('compute row and column sub-ranges with the bits of the whole product', () => {
    checkRanges(2, 19, 9, 1, 1, 8);          // m = 2: each row alone takes the GEMV path
    checkRanges(13, 45, 37, 1, 6, 16);       // few-rows order, a one-row piece, ragged last column block
    checkRanges(16, 72, 300, 5, 11, 64);     // 5 + 6 + 5 rows: tiles regrouped, GEMV rows in a piece
    checkRanges(61, 41, 13, 30, 60, 8);      // one-row last piece
    checkRanges(130, 26, 900, 64, 129, 24);  // GotoBLAS order with K blocks; pieces in the few-rows order
    checkRanges(23, 100, 1601, 7, 22, 96);   // A too long for the few-rows order: K blocks everywhere
  });
  it('use only the caller\'s scratch: two scratch buffers, same bits, nothing written past the size', () => {
    const m = 37, n = 29, k = 900;
    const cs = new Case(m, n, k, 2, false, 1);
    const s1 = scratchFor(m, n, k), s2 = scratchFor(m, n, k);
    const c1 = heap.alloc(<usize>(m * cs.ldc) << 2);
    for (let e = 0; e < 2; e++) {
      runRange(e, cs, 0, 0, m, 0, n, c1, s1);
      fillG(s1, gemm_scratch_size_f32(m, n, k));      // s1 garbage now: a kernel reading it back would differ
      runRange(e, cs, 0, 0, m, 0, n, cs.c, s2);
      let bad = 0;
      for (let i = 0; i < m * cs.ldc; i++) if (i % cs.ldc < n && reinterpret<u32>(at(c1, i)) != reinterpret<u32>(at(cs.c, i))) bad++;
      expect(bad).toBe(0, 'same result from another scratch buffer, entry ' + e.toString());
    }
    checkScratch(s1, m, n, k, 's1'); checkScratch(s2, m, n, k, 's2');
    expect(gemm_scratch_size_f32(1, 512, 512)).toBe(0, 'GEMV needs no scratch');
    expect(gemm_scratch_size_f32(2, 8, 8) >= 8 * 8 + 6 * 8).toBe(true, 'panel + packed A');
    heap.free(s1); heap.free(s2); heap.free(c1);
    cs.free();
  });
  it('propagate NaN and ±Inf like the reference, keep -0 / 0 sums, handle large magnitudes', () => {
    checkAll(9, 13, 7, 1, true, 1);
    checkAll(1, 13, 9, 1, true, 1);
    checkAll(16, 17, 67, 0, true, 1);
    checkAll(13, 9, 67, 2, false, 1e15);     // products ~1e30, sums stay finite
  });
});
