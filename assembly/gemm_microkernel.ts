// Shared GEMM building blocks (not exported from index.ts): the 5x8 and 4x8 register tiles with their
// fused bias/relu store, row planning, B panel copies, the m = 1 GEMV loops and the K/M blocking sizes.
//
// Tile choice, measured (bench/gemm_probe.ts and throwaway variants) on this x64 (16 xmm registers) in
// Node 20 (V8 11.3) and Deno 2.9 (V8 15): 5x8 = 10 f32x4 accumulators + 2 B vectors + 1 A splat (+1 temp
// for mul+add) fits the register file in both engines and was the fastest or tied; 4x8 is ~10% slower
// (8 chains hide less latency) and is used only so that row counts that are not multiples of 5 need no
// mostly-empty tile; 8x8, 3x16, 4x12 and 4x16 spill in one engine or the other and lose 20-60%.
// V8 11 is sensitive to loop shape: keep hot loops in small functions with pointer bumps, nothing after the
// loop that needs the loop's pointers (see gemvPanels4).
import { madd } from './simd_madd';

export const MR: i32 = 5;          // rows of the register tile
export const NR: i32 = 8;          // columns of the register tile = width of a packed B panel
export const KC: i32 = 768;        // max K block: a B panel block (KC x 8 f32 = 24 KB) stays in L1
export const MC_BYTES: i32 = 512 * 1024;   // A block (rows x kc f32) budget: about half of this core's 1 MB L2
export const NC_BYTES: i32 = 256 * 1024;   // B column block of the few-rows order (gemm_f32_packed_b): stays in L2

// Scratch for one B panel block [KC][8] (transposed or tail panels). Static, so kernels never allocate;
// wasm is single-threaded per instance.
export const PANEL_SCRATCH: usize = memory.data(KC * NR * 4, 64);

// Split k into blocks of at most KC, balanced, multiples of 4 (except the last): k = 1024 -> 512 + 512.
// KC = 768 measured best of 512 / 768 / 1024 (128x768x3072: +10-30% over 512 in Node and Deno).
@inline export function kBlock(k: i32): i32 {
  const nb = (k + KC - 1) / KC;
  return min(KC, (((k + nb - 1) / nb) + 3) & ~3);
}

// Store 8 columns (v0 = cols 0..3, v1 = cols 4..7) of one C row, only the first nr (1..8).
@inline export function storeRow(c: usize, v0: v128, v1: v128, nr: i32): void {
  if (nr == 8) { v128.store(c, v0); v128.store(c, v1, 16); return; }
  if (nr >= 4) { v128.store(c, v0); v0 = v1; c += 16; nr -= 4; }
  if (nr > 0) store<f32>(c, f32x4.extract_lane(v0, 0));
  if (nr > 1) store<f32>(c, f32x4.extract_lane(v0, 1), 4);
  if (nr > 2) store<f32>(c, f32x4.extract_lane(v0, 2), 8);
}

// Apply bias (0 = none, else bias[8] at this tile's columns) and act (1 = relu; max keeps NaN like torch.relu).
@inline export function epilogue(v: v128, bv: v128, act: i32): v128 {
  v = f32x4.add(v, bv);
  return act == 1 ? f32x4.max(v, f32x4.splat(0)) : v;
}

// A is packed per M block (packA): each tile of R rows (5 or 4) as [kc][R] floats, rows past m repeating
// row m-1. Deno 2.9 (V8 15) compiles wasm memory accesses with explicit bounds checks (cmp + jae + lea per
// access, seen in its machine code; Node 20 uses guard pages and has none), so there the unpacked tile paid
// for 7 checked accesses per K step (5 A splats from 5 row pointers + 2 B loads). Packed, the last A_SHUF rows
// of a step come from one v128 load and lane shuffles (pshufd) and the first R - A_SHUF by load32_splat from
// one pointer. Shuffles are not free: they share the FP pipes with the multiplies and adds, broadcast loads
// do not. One K step per pass: V8 15 unrolls this loop itself, and a hand-unrolled body made it hoist the
// second step's loads and spill accumulators.
// Measured on this AMD Zen 5 (2 FP mul/FMA + 2 FP add pipes), packed path, GFLOP/s with 0 / 1 / 2 / 3
// shuffled rows (an older x64 host preferred 3 in the relaxed build, 2 in the simd one):
//   5x8 (512^3):       simd Node 62 / 60 / 58 / 55, Deno 42 / 53 / 54 / -;
//                      relaxed Node 62 / 65 / 64 / 64, Deno 62 / 63 / 64 / 63
//   4x8 (16x512x512):  relaxed Node 60 / 57 / 57 / 56, Deno 58 / 55 / 55 / 55
// The simd build splats every row of the 5-row tile: its V8 users are Node <= 20 (V8 >= 11.4 validates relaxed
// SIMD, so the loader gives those the relaxed build), where 0 beats 1 by 4-6% (1024x256x768: 56 -> 59 GFLOP/s);
// V8 15 running the simd build anyway (variant: 'simd') loses 20% with it (48 -> 38). The relaxed build
// shuffles 2 rows. The 4-row tile splats every row from memory in both.
export const A_SHUF5: i32 = ASC_FEATURE_RELAXED_SIMD ? 2 : 0;
export const A_SHUF4: i32 = 0;

// Scratch for one packed A block: an M block is at most MC_BYTES of A (mBlock), plus the rows of the tile
// that crosses its end (at most 4 more rows of KC floats), plus the 16-byte over-read of the v128 A load.
export const APACK_SCRATCH: usize = memory.data(MC_BYTES + 4 * KC * 4 + 64, 64);

@inline function lane(v: v128, l: i32): v128 {
  if (l == 0) return i32x4.shuffle(v, v, 0, 0, 0, 0);
  if (l == 1) return i32x4.shuffle(v, v, 1, 1, 1, 1);
  if (l == 2) return i32x4.shuffle(v, v, 2, 2, 2, 2);
  return i32x4.shuffle(v, v, 3, 3, 3, 3);
}

// The v128 holding rows first..first+3 of one packed K step (first = R - A_SHUF5 or R - A_SHUF4; constant after inlining).
@inline function aVec(ap: usize, first: i32, rows: i32): v128 {
  if (first >= rows) return f32x4.splat(0);   // no shuffled rows: nothing to load
  if (first == 0) return v128.load(ap);
  if (first == 1) return v128.load(ap, 4);
  if (first == 2) return v128.load(ap, 8);
  if (first == 3) return v128.load(ap, 12);
  return v128.load(ap, 16);
}

// Row r of one packed K step, broadcast: from av (rows >= first) or from memory (r constant after inlining).
@inline function aSplat(ap: usize, av: v128, r: i32, first: i32): v128 {
  if (r >= first) return lane(av, r - first);
  if (r == 0) return v128.load32_splat(ap);
  if (r == 1) return v128.load32_splat(ap, 4);
  if (r == 2) return v128.load32_splat(ap, 8);
  if (r == 3) return v128.load32_splat(ap, 12);
  return v128.load32_splat(ap, 16);
}

// One MR x NR tile: C[0:mr, 0:nr] (+)= A[0:mr, 0:kc] · B[0:kc, 0:8].
// ap: the tile's packed A ([kc][5]); b: a [kc][8] panel (packed B, or the scratch panel the unpacked paths
// copy into), zero padded past nr; ldc in BYTES. Rows past mr alias the last valid row (same packed values,
// same C row): they store identical values, so partial tiles need no branches in the loop.
// accum: start from C instead of 0 (later K blocks). bias/act: last K block only. Reading C when accum
// reads at most 12 bytes past column nr.
export function tile5x8(mr: i32, nr: i32, kc: i32, ap: usize, b: usize,
                        c: usize, ldc: usize, accum: bool, bias: usize, act: i32): void {
  let x00 = f32x4.splat(0), x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00, x30 = x00, x31 = x00, x40 = x00, x41 = x00;
  const c1 = mr > 1 ? c + ldc : c, c2 = mr > 2 ? c1 + ldc : c1, c3 = mr > 3 ? c2 + ldc : c2, c4 = mr > 4 ? c3 + ldc : c3;
  if (accum) {
    x00 = v128.load(c); x10 = v128.load(c1); x20 = v128.load(c2); x30 = v128.load(c3); x40 = v128.load(c4);
    // second half only when it holds a valid column (keeps the over-read within 12 bytes)
    if (nr > 4) { x01 = v128.load(c, 16); x11 = v128.load(c1, 16); x21 = v128.load(c2, 16); x31 = v128.load(c3, 16); x41 = v128.load(c4, 16); }
  }
  const first = 5 - A_SHUF5;
  const bEnd = b + (<usize>kc << 5);
  while (b < bEnd) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const av = aVec(ap, first, 5);
    let s = aSplat(ap, av, 0, first); x00 = madd(s, b0, x00); x01 = madd(s, b1, x01);
    s = aSplat(ap, av, 1, first); x10 = madd(s, b0, x10); x11 = madd(s, b1, x11);
    s = aSplat(ap, av, 2, first); x20 = madd(s, b0, x20); x21 = madd(s, b1, x21);
    s = aSplat(ap, av, 3, first); x30 = madd(s, b0, x30); x31 = madd(s, b1, x31);
    s = aSplat(ap, av, 4, first); x40 = madd(s, b0, x40); x41 = madd(s, b1, x41);
    ap += 20; b += 32;
  }
  if (bias != 0 || act != 0) {
    let bv0 = f32x4.splat(0), bv1 = bv0;
    if (bias != 0) { bv0 = v128.load(bias); if (nr > 4) bv1 = v128.load(bias, 16); }
    x00 = epilogue(x00, bv0, act); x01 = epilogue(x01, bv1, act);
    x10 = epilogue(x10, bv0, act); x11 = epilogue(x11, bv1, act);
    x20 = epilogue(x20, bv0, act); x21 = epilogue(x21, bv1, act);
    x30 = epilogue(x30, bv0, act); x31 = epilogue(x31, bv1, act);
    x40 = epilogue(x40, bv0, act); x41 = epilogue(x41, bv1, act);
  }
  // highest row first: aliased rows then land on the same values the real row stores last
  storeRow(c4, x40, x41, nr);
  storeRow(c3, x30, x31, nr);
  storeRow(c2, x20, x21, nr);
  storeRow(c1, x10, x11, nr);
  storeRow(c, x00, x01, nr);
}

// The same with 4 rows (8 accumulators; packed A [kc][4]): row counts that are not multiples of 5 (see rows5).
export function tile4x8(mr: i32, nr: i32, kc: i32, ap: usize, b: usize,
                        c: usize, ldc: usize, accum: bool, bias: usize, act: i32): void {
  let x00 = f32x4.splat(0), x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00, x30 = x00, x31 = x00;
  const c1 = mr > 1 ? c + ldc : c, c2 = mr > 2 ? c1 + ldc : c1, c3 = mr > 3 ? c2 + ldc : c2;
  if (accum) {
    x00 = v128.load(c); x10 = v128.load(c1); x20 = v128.load(c2); x30 = v128.load(c3);
    if (nr > 4) { x01 = v128.load(c, 16); x11 = v128.load(c1, 16); x21 = v128.load(c2, 16); x31 = v128.load(c3, 16); }
  }
  // simd build: two K steps per pass (Node 20, 16x512x512: 52 -> 59 GFLOP/s). V8 15 runs that body ~30%
  // slower than the one-step loop, but V8 15 engines (Deno, Chrome, Node >= 22) load the relaxed build.
  let kc1 = kc;
  if (!ASC_FEATURE_RELAXED_SIMD) {
    for (let p = kc >> 1; p > 0; p--) {
      const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
      let s = v128.load32_splat(ap); x00 = madd(s, b0, x00); x01 = madd(s, b1, x01);
      s = v128.load32_splat(ap, 4); x10 = madd(s, b0, x10); x11 = madd(s, b1, x11);
      s = v128.load32_splat(ap, 8); x20 = madd(s, b0, x20); x21 = madd(s, b1, x21);
      s = v128.load32_splat(ap, 12); x30 = madd(s, b0, x30); x31 = madd(s, b1, x31);
      s = v128.load32_splat(ap, 16); x00 = madd(s, b2, x00); x01 = madd(s, b3, x01);
      s = v128.load32_splat(ap, 20); x10 = madd(s, b2, x10); x11 = madd(s, b3, x11);
      s = v128.load32_splat(ap, 24); x20 = madd(s, b2, x20); x21 = madd(s, b3, x21);
      s = v128.load32_splat(ap, 28); x30 = madd(s, b2, x30); x31 = madd(s, b3, x31);
      ap += 32; b += 64;
    }
    kc1 = kc & 1;
  }
  const first = 4 - A_SHUF4;
  const bEnd = b + (<usize>kc1 << 5);
  while (b < bEnd) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const av = aVec(ap, first, 4);
    let s = aSplat(ap, av, 0, first); x00 = madd(s, b0, x00); x01 = madd(s, b1, x01);
    s = aSplat(ap, av, 1, first); x10 = madd(s, b0, x10); x11 = madd(s, b1, x11);
    s = aSplat(ap, av, 2, first); x20 = madd(s, b0, x20); x21 = madd(s, b1, x21);
    s = aSplat(ap, av, 3, first); x30 = madd(s, b0, x30); x31 = madd(s, b1, x31);
    ap += 16; b += 32;
  }
  if (bias != 0 || act != 0) {
    let bv0 = f32x4.splat(0), bv1 = bv0;
    if (bias != 0) { bv0 = v128.load(bias); if (nr > 4) bv1 = v128.load(bias, 16); }
    x00 = epilogue(x00, bv0, act); x01 = epilogue(x01, bv1, act);
    x10 = epilogue(x10, bv0, act); x11 = epilogue(x11, bv1, act);
    x20 = epilogue(x20, bv0, act); x21 = epilogue(x21, bv1, act);
    x30 = epilogue(x30, bv0, act); x31 = epilogue(x31, bv1, act);
  }
  storeRow(c3, x30, x31, nr);
  storeRow(c2, x20, x21, nr);
  storeRow(c1, x10, x11, nr);
  storeRow(c, x00, x01, nr);
}

// Rows per M block for a K block of kc: the A block fits MC_BYTES, blocks balanced (m = 128, kc = 768 ->
// one block of 128 rows, not 60 + 60 + 8, which streamed all of B three times for a third of the work).
export function mBlock(m: i32, kc: i32): i32 {
  const cap = max(20, MC_BYTES / (kc * 4));
  const nb = (m + cap - 1) / cap;
  return (m + nb - 1) / nb;
}

// Rows done by 5-row tiles (from row 0); the rest, m - rows5(m), by 4-row tiles, so that e.g. m = 16 runs
// 4 full 4-row tiles instead of 5+5+5+1. m in {1, 2, 3, 6, 7, 11} ends with one partial 4-row tile.
// (The GotoBLAS-order paths; the few-rows order of gemm_f32_packed_b plans its rows itself.)
export function rows5(m: i32): i32 {
  for (let t = m / 5; t >= 0; t--) if ((m - 5 * t) % 4 == 0) return 5 * t;
  return (m / 5) * 5;
}

// Row after the last tile that starts in [i0, i1) (5-row tiles from row 0 up to m5, then 4-row ones), at most m.
export function tilesEnd(i0: i32, i1: i32, m: i32, m5: i32): i32 {
  let i = i0;
  while (i < i1) i += i < m5 ? 5 : 4;
  return min(i, m);
}

// Packs rows [i0, iEnd) (whole tiles, see tilesEnd), columns 0..kc of A (row 0 at a, lda bytes) into dst:
// per tile of R rows (5 below m5, else 4) [kc][R] floats, rows past m repeating row m-1. Done once per M block
// and reused by every panel; for attention's short GEMMs (P·V: k = S, n = head dim) that is not negligible, so
// 4 K steps at a time go through a 4x4 transpose in registers (the 5th row with lane stores).
export function packA(i0: i32, iEnd: i32, m: i32, m5: i32, kc: i32, a: usize, lda: usize, dst: usize): void {
  let i = i0;
  const kc4 = kc & ~3;
  while (i < iEnd) {
    const R = i < m5 ? 5 : 4;
    const rs = <usize>(R << 2);
    const s0 = a + <usize>min(i, m - 1) * lda, s1 = a + <usize>min(i + 1, m - 1) * lda;
    const s2 = a + <usize>min(i + 2, m - 1) * lda, s3 = a + <usize>min(i + 3, m - 1) * lda;
    const s4 = a + <usize>min(i + 4, m - 1) * lda;
    let d = dst;
    for (let p = 0; p < kc4; p += 4) {
      const o = <usize>p << 2;
      const r0 = v128.load(s0 + o), r1 = v128.load(s1 + o), r2 = v128.load(s2 + o), r3 = v128.load(s3 + o);
      const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
      v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
      v128.store(d + rs, i64x2.shuffle(t0, t1, 1, 3));
      v128.store(d + 2 * rs, i64x2.shuffle(t2, t3, 0, 2));
      v128.store(d + 3 * rs, i64x2.shuffle(t2, t3, 1, 3));
      if (R == 5) {
        const r4 = v128.load(s4 + o);
        store<f32>(d, f32x4.extract_lane(r4, 0), 16);
        store<f32>(d + rs, f32x4.extract_lane(r4, 1), 16);
        store<f32>(d + 2 * rs, f32x4.extract_lane(r4, 2), 16);
        store<f32>(d + 3 * rs, f32x4.extract_lane(r4, 3), 16);
      }
      d += rs << 2;
    }
    for (let p = kc4; p < kc; p++) {
      const o = <usize>p << 2;
      store<f32>(d, load<f32>(s0 + o)); store<f32>(d, load<f32>(s1 + o), 4);
      store<f32>(d, load<f32>(s2 + o), 8); store<f32>(d, load<f32>(s3 + o), 12);
      if (R == 5) store<f32>(d, load<f32>(s4 + o), 16);
      d += rs;
    }
    dst += rs * <usize>kc;
    i += R;
  }
}

// Runs the tiles of rows [i0, iEnd) (packed by packA into ap) against one [kc][8] panel b. c: row 0 of C.
export function sweepRows(i0: i32, iEnd: i32, m: i32, m5: i32, nr: i32, kc: i32, ap: usize, b: usize,
                          c: usize, ldc: usize, accum: bool, bias: usize, act: i32): void {
  let i = i0;
  while (i < iEnd) {
    const ci = c + <usize>i * ldc;
    if (i < m5) { tile5x8(5, nr, kc, ap, b, ci, ldc, accum, bias, act); ap += <usize>kc * 20; i += 5; }
    else { tile4x8(min(4, m - i), nr, kc, ap, b, ci, ldc, accum, bias, act); ap += <usize>kc << 4; i += 4; }
  }
}

// One tile of rows [i, i+R) (R = 5 below m5, else 4; packed A [k][R] at ap, full k) against the panels of
// columns [j0, j1) (each [k][8], k*32 bytes apart from packed): C[i:i+R, j0:j1] = A·B (+bias)(act).
export function sweepPanels(i: i32, m: i32, m5: i32, j0: i32, j1: i32, n: i32, k: i32, ap: usize, packed: usize,
                            c: usize, ldc: usize, bias: usize, act: i32): void {
  const gs = <usize>k << 5;
  const ci = c + <usize>i * ldc;
  for (let j = j0; j < j1; j += NR) {
    const b = packed + <usize>(j >> 3) * gs, cj = ci + (<usize>j << 2);
    const bj: usize = bias != 0 ? bias + (<usize>j << 2) : 0;
    if (i < m5) tile5x8(5, min(NR, n - j), k, ap, b, cj, ldc, false, bj, act);
    else tile4x8(min(4, m - i), min(NR, n - j), k, ap, b, cj, ldc, false, bj, act);
  }
}

// Copy rows p0..p0+kc of columns j..j+nr (nr <= 8) of a row-major B (ldb bytes) into dst [kc][8], zero padded.
export function packPanelRows(kc: i32, nr: i32, b: usize, ldb: usize, dst: usize): void {
  if (nr == 8) {
    for (let p = 0; p < kc; p++) {
      const d = dst + (<usize>p << 5);
      v128.store(d, v128.load(b)); v128.store(d, v128.load(b, 16), 16);
      b += ldb;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    const d = dst + (<usize>p << 5);
    v128.store(d, f32x4.splat(0)); v128.store(d, f32x4.splat(0), 16);
    for (let j = 0; j < nr; j++) store<f32>(d + (<usize>j << 2), load<f32>(b + (<usize>j << 2)));
    b += ldb;
  }
}

// Transpose rows j..j+nr (nr <= 8) of a [n, k] matrix (row stride ldb bytes), columns p0..p0+kc, into
// dst [kc][8] (zero padded): the B panel of A·Bᵀ. 4x4 blocks go through SIMD shuffles.
export function packPanelTransposed(kc: i32, nr: i32, b: usize, ldb: usize, dst: usize): void {
  if (nr < 8) {
    for (let p = 0; p < kc; p++) {
      const d = dst + (<usize>p << 5);
      v128.store(d, f32x4.splat(0)); v128.store(d, f32x4.splat(0), 16);
      for (let j = 0; j < nr; j++) store<f32>(d + (<usize>j << 2), load<f32>(b + <usize>j * ldb + (<usize>p << 2)));
    }
    return;
  }
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const off = <usize>p << 2;
    const d = dst + (<usize>p << 5);
    for (let h = 0; h < 2; h++) {
      const r = b + <usize>(h * 4) * ldb + off;
      const r0 = v128.load(r), r1 = v128.load(r + ldb), r2 = v128.load(r + 2 * ldb), r3 = v128.load(r + 3 * ldb);
      const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);   // r0[0] r1[0] r0[1] r1[1]
      const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);   // r2[0] r3[0] r2[1] r3[1]
      const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
      const o = d + (<usize>h << 4);
      v128.store(o, i64x2.shuffle(t0, t1, 0, 2));
      v128.store(o, i64x2.shuffle(t0, t1, 1, 3), 32);
      v128.store(o, i64x2.shuffle(t2, t3, 0, 2), 64);
      v128.store(o, i64x2.shuffle(t2, t3, 1, 3), 96);
    }
  }
  for (; p < kc; p++) {
    const d = dst + (<usize>p << 5);
    for (let j = 0; j < 8; j++) store<f32>(d + (<usize>j << 2), load<f32>(b + <usize>j * ldb + (<usize>p << 2)));
  }
}

// m = 1: c[0:n] = a[0:k] · B (+bias)(act) where the 8-column group g of B has row p at b + g*gs + p*rs (bytes).
// Packed panels: gs = k*32, rs = 32. Row-major B: gs = 32, rs = ldb*4. Columns are read 8 at a time, so a
// partial last group must be readable (packed: zero padded; row-major: callers handle n % 8 themselves).
// Four groups (8 accumulators) per pass: the B stream is the bottleneck, the splat is shared.
export function gemv8(n: i32, k: i32, a: usize, b: usize, gs: usize, rs: usize, c: usize, bias: usize, act: i32): void {
  const groups = (n + 7) >> 3;
  const end = <usize>k << 2;
  let g = 0;
  for (; g + 4 <= groups; g += 4) {
    let y0 = f32x4.splat(0), y1 = y0, y2 = y0, y3 = y0, y4 = y0, y5 = y0, y6 = y0, y7 = y0;
    let p0 = b + <usize>g * gs;
    let p1 = p0 + gs, p2 = p1 + gs, p3 = p2 + gs;
    for (let pa: usize = 0; pa < end; pa += 4) {
      const s = v128.load32_splat(a + pa);
      y0 = madd(s, v128.load(p0), y0); y1 = madd(s, v128.load(p0, 16), y1);
      y2 = madd(s, v128.load(p1), y2); y3 = madd(s, v128.load(p1, 16), y3);
      y4 = madd(s, v128.load(p2), y4); y5 = madd(s, v128.load(p2, 16), y5);
      y6 = madd(s, v128.load(p3), y6); y7 = madd(s, v128.load(p3, 16), y7);
      p0 += rs; p1 += rs; p2 += rs; p3 += rs;
    }
    const j = g << 3;
    gemvStore(c, j, n, y0, y1, bias, act);
    gemvStore(c, j + 8, n, y2, y3, bias, act);
    gemvStore(c, j + 16, n, y4, y5, bias, act);
    gemvStore(c, j + 24, n, y6, y7, bias, act);
  }
  for (; g < groups; g++) {
    let y0 = f32x4.splat(0), y1 = y0, z0 = y0, z1 = y0;
    let p0 = b + <usize>g * gs;
    let pa: usize = 0;
    // two K steps per pass: 4 independent chains
    for (; pa + 8 <= end; pa += 8) {
      const s = v128.load32_splat(a + pa), t = v128.load32_splat(a + pa, 4);
      y0 = madd(s, v128.load(p0), y0); y1 = madd(s, v128.load(p0, 16), y1);
      z0 = madd(t, v128.load(p0 + rs), z0); z1 = madd(t, v128.load(p0 + rs, 16), z1);
      p0 += rs << 1;
    }
    if (pa < end) {
      const s = v128.load32_splat(a + pa);
      y0 = madd(s, v128.load(p0), y0); y1 = madd(s, v128.load(p0, 16), y1);
    }
    gemvStore(c, g << 3, n, f32x4.add(y0, z0), f32x4.add(y1, z1), bias, act);
  }
}

// m = 1 over packed panels ([k][8] each, k*32 bytes apart): four panels at a time (8 accumulators), two
// K steps per pass with constant offsets. Unrolling K by 2 doubled Node 20's rate (16 -> 30 GFLOP/s at
// 1x512x512, B in cache) and is neutral in Deno; one panel at a time or two panels were slower in both.
export function gemvPacked(n: i32, k: i32, a: usize, packed: usize, c: usize, bias: usize, act: i32): void {
  const gs = <usize>k << 5;
  const n32 = n & ~31;
  const k2 = k & ~1;
  for (let j = 0; j < n32; j += 32) gemvPanels4(k2, a, packed + <usize>(j >> 3) * gs, gs, c + (<usize>j << 2));
  if (k2 < k) {   // last K step: row k-1 of each panel
    const s = v128.load32_splat(a + (<usize>k2 << 2));
    for (let j = 0; j < n32; j += 8) {
      const b = packed + <usize>(j >> 3) * gs + (<usize>k2 << 5), o = c + (<usize>j << 2);
      v128.store(o, madd(s, v128.load(b), v128.load(o)));
      v128.store(o, madd(s, v128.load(b, 16), v128.load(o, 16)), 16);
    }
  }
  // bias/act in a second pass: keeping them out of the loop function leaves V8 11 enough registers
  if (bias != 0 || act != 0) biasAct(n32, c, bias, act);
  // remaining 1..3 panels (the last may be zero padded): the general loop, one panel at a time
  if (n32 < n) gemv8(n - n32, k, a, packed + <usize>(n32 >> 3) * gs, gs, 32, c + (<usize>n32 << 2), bias != 0 ? bias + (<usize>n32 << 2) : 0, act);
}

// c[0:32] = a[0:k2] · four consecutive panels starting at b (gs bytes apart), k2 even. (An odd-k step in
// here, after the loop, cost Node 20 a quarter of the loop's speed; the caller adds it instead.)
function gemvPanels4(k2: i32, a: usize, b0: usize, gs: usize, c: usize): void {
  let y0 = f32x4.splat(0), y1 = y0, y2 = y0, y3 = y0, y4 = y0, y5 = y0, y6 = y0, y7 = y0;
  let b1 = b0 + gs, b2 = b1 + gs, b3 = b2 + gs;
  const aEnd2 = a + (<usize>k2 << 2);
  for (let pa = a; pa < aEnd2; pa += 8) {
    let s = v128.load32_splat(pa);
    y0 = madd(s, v128.load(b0), y0); y1 = madd(s, v128.load(b0, 16), y1);
    y2 = madd(s, v128.load(b1), y2); y3 = madd(s, v128.load(b1, 16), y3);
    y4 = madd(s, v128.load(b2), y4); y5 = madd(s, v128.load(b2, 16), y5);
    y6 = madd(s, v128.load(b3), y6); y7 = madd(s, v128.load(b3, 16), y7);
    s = v128.load32_splat(pa, 4);
    y0 = madd(s, v128.load(b0, 32), y0); y1 = madd(s, v128.load(b0, 48), y1);
    y2 = madd(s, v128.load(b1, 32), y2); y3 = madd(s, v128.load(b1, 48), y3);
    y4 = madd(s, v128.load(b2, 32), y4); y5 = madd(s, v128.load(b2, 48), y5);
    y6 = madd(s, v128.load(b3, 32), y6); y7 = madd(s, v128.load(b3, 48), y7);
    b0 += 64; b1 += 64; b2 += 64; b3 += 64;
  }
  v128.store(c, y0); v128.store(c, y1, 16); v128.store(c, y2, 32); v128.store(c, y3, 48);
  v128.store(c, y4, 64); v128.store(c, y5, 80); v128.store(c, y6, 96); v128.store(c, y7, 112);
}

// m = 1 over a row-major B (row stride rs bytes): c[0:n] = a · B. Four rows of B at a time are streamed
// front to back (four sequential streams, 4 splats held in registers) while c[0:n] (in L1) accumulates;
// sweeping 32-column strips down the rows instead hit one L1 set per strip at power-of-two strides.
// Columns past the last multiple of 4 are done in scalar, so nothing is read past column n.
export function gemvRowMajor(n: i32, k: i32, a: usize, b: usize, rs: usize, c: usize, bias: usize, act: i32): void {
  const n4 = n & ~3;
  let p = 0;
  for (; p + 4 <= k; p += 4) gemvRowsAcc4(n4, a + (<usize>p << 2), b + <usize>p * rs, rs, c, p > 0);
  for (; p < k; p++) {
    const s = v128.load32_splat(a + (<usize>p << 2));
    const br = b + <usize>p * rs;
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(c + o, madd(s, v128.load(br + o), p > 0 ? v128.load(c + o) : f32x4.splat(0)));
    }
  }
  if (bias != 0 || act != 0) biasAct(n4, c, bias, act);
  for (let j = n4; j < n; j++) {
    let t: f32 = 0;
    for (let q = 0; q < k; q++) t += load<f32>(a + (<usize>q << 2)) * load<f32>(b + <usize>q * rs + (<usize>j << 2));
    store<f32>(c + (<usize>j << 2), finish1(t, bias, j, act));
  }
}

// c[0:n4] (+)= a[0:4] · B[0:4, 0:n4] (rows rs bytes apart); accum = add to c instead of overwriting.
function gemvRowsAcc4(n4: i32, a: usize, b: usize, rs: usize, c: usize, accum: bool): void {
  const s0 = v128.load32_splat(a), s1 = v128.load32_splat(a, 4), s2 = v128.load32_splat(a, 8), s3 = v128.load32_splat(a, 12);
  const b1 = b + rs, b2 = b1 + rs, b3 = b2 + rs;
  const end = <usize>n4 << 2;
  if (accum) {
    for (let o: usize = 0; o < end; o += 16) {
      let v = madd(s0, v128.load(b + o), v128.load(c + o));
      v = madd(s1, v128.load(b1 + o), v);
      v = madd(s2, v128.load(b2 + o), v);
      v128.store(c + o, madd(s3, v128.load(b3 + o), v));
    }
  } else {
    for (let o: usize = 0; o < end; o += 16) {
      let v = f32x4.mul(s0, v128.load(b + o));
      v = madd(s1, v128.load(b1 + o), v);
      v = madd(s2, v128.load(b2 + o), v);
      v128.store(c + o, madd(s3, v128.load(b3 + o), v));
    }
  }
}

// c[0:n4] = act(c + bias), n4 a multiple of 4.
function biasAct(n4: i32, c: usize, bias: usize, act: i32): void {
  const zero = f32x4.splat(0);
  for (let j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    let v = v128.load(c + o);
    if (bias != 0) v = f32x4.add(v, v128.load(bias + o));
    if (act == 1) v = f32x4.max(v, zero);
    v128.store(c + o, v);
  }
}

@inline function gemvStore(c: usize, j: i32, n: i32, y0: v128, y1: v128, bias: usize, act: i32): void {
  const nr = min(8, n - j);
  if (bias != 0 || act != 0) {
    let bv0 = f32x4.splat(0), bv1 = bv0;
    if (bias != 0) { bv0 = v128.load(bias + (<usize>j << 2)); if (nr > 4) bv1 = v128.load(bias + (<usize>j << 2), 16); }
    y0 = epilogue(y0, bv0, act); y1 = epilogue(y1, bv1, act);
  }
  storeRow(c + (<usize>j << 2), y0, y1, nr);
}

// Shapes with nothing to multiply: m or n <= 0 writes nothing; k <= 0 (an empty sum, 0 as in the reference
// and torch) leaves each C element = act(bias or 0). Returns whether it handled the call.
export function gemmDegenerate(m: i32, n: i32, k: i32, c: usize, ldc: i32, bias: usize, act: i32): bool {
  if (m <= 0 || n <= 0) return true;
  if (k > 0) return false;
  for (let i = 0; i < m; i++) {
    const ci = c + ((<usize>i * <usize>ldc) << 2);
    for (let j = 0; j < n; j++) store<f32>(ci + (<usize>j << 2), finish1(0, bias, j, act));
  }
  return true;
}

// Scalar bias/act for one element (tails).
@inline export function finish1(v: f32, bias: usize, j: i32, act: i32): f32 {
  if (bias != 0) v += load<f32>(bias + (<usize>j << 2));
  if (act == 1) v = v > 0 || v != v ? v : 0;
  return v;
}
