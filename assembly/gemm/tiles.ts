// GEMM register tiles: C[0:mr, 0:8] (+)= A·B over one K block, bias/relu fused into the store.
//
// Why 5x8: 10 f32x4 accumulators + 2 B vectors + 1 A broadcast (+1 temp for mul+add) fit the 16 xmm registers
// of x64 in both V8 generations we target; wider tiles spill in one engine or the other. The 4x8 tile exists so
// that row counts that are not multiples of 5 need no mostly-empty tile. V8 11 is sensitive to loop shape:
// hot loops stay in small functions with pointer bumps and nothing after the loop that needs the loop's
// pointers. Every tile accumulates each C element in natural k order (acc = madd(a, b, acc)), the order of
// gemm_f32_ref, so a C element does not depend on which tile shape computed it (sub-range results are
// bit-identical to whole-matrix results). Measurements behind these choices: bench/TUNING.md.
import { madd } from '../simd/madd';
import { ACT_RELU } from '../abi';

// Columns of the register tile = width of a packed B panel.
export const NR: i32 = 8;

// Store 8 columns (v0 = cols 0..3, v1 = cols 4..7) of one C row, only the first nr (1..8).
@inline export function storeRow(c: usize, v0: v128, v1: v128, nr: i32): void {
  if (nr == 8) { v128.store(c, v0); v128.store(c, v1, 16); return; }
  if (nr >= 4) { v128.store(c, v0); v0 = v1; c += 16; nr -= 4; }
  if (nr > 0) store<f32>(c, f32x4.extract_lane(v0, 0));
  if (nr > 1) store<f32>(c, f32x4.extract_lane(v0, 1), 4);
  if (nr > 2) store<f32>(c, f32x4.extract_lane(v0, 2), 8);
}

// Bias (bv = bias[8] at the tile's columns, or zeros) then act (ACT_RELU: max keeps NaN like torch.relu).
@inline export function epilogue(v: v128, bv: v128, act: i32): v128 {
  v = f32x4.add(v, bv);
  return act == ACT_RELU ? f32x4.max(v, f32x4.splat(0)) : v;
}

// A is packed per M block (packA in packing.ts): each tile of R rows as [kc][R] floats. In a K step of the 5-row
// tile the last A_SHUF5 rows come from one v128 load and lane shuffles, the first 5 - A_SHUF5 from broadcast
// loads. Why: Deno (V8 15) bounds-checks every wasm memory access explicitly, so one vector load for several
// rows saves checks there; but shuffles share the FP pipes with the multiply-adds while broadcast loads do not.
// The relaxed build (V8 15 engines) shuffles 2 rows; the simd build (its users run V8 11, which has no explicit
// checks) splats all 5.
export const A_SHUF5: i32 = ASC_FEATURE_RELAXED_SIMD ? 2 : 0;

// Which tiles rows are planned with, chosen once per instance by the bindings at init (per engine): wide = 5-row
// and 4-row tiles (and the simd build's two-K-step 4-row loop), fastest in V8; narrow = 4-row tiles with one K step
// per pass only, because SpiderMonkey runs the tiles with more live vectors at half speed (bench/TUNING.md,
// "Firefox"). A per-instance global that kernels only read, so instances sharing one memory are unaffected.
let wide: bool = true;

// 1: wide tiles (default), 0: narrow (4-row) tiles only. Results differ from wide only in the last bits of rows
// that move between the tile loop and the one-row (GEMV) loop.
export function gemm_set_tiles(wideTiles: i32): void {
  wide = wideTiles != 0;
}

@inline export function wideTiles(): bool {
  return wide;
}

// Rows done by 5-row tiles (from row 0); the rest, m - rows5(m), by 4-row tiles, so that e.g. m = 16 runs
// 4 full 4-row tiles instead of 5+5+5+1. m in {1, 2, 3, 6, 7, 11} ends with one partial 4-row tile. 0 with
// narrow tiles.
export function rows5(m: i32): i32 {
  if (!wide) return 0;
  for (let t = m / 5; t >= 0; t--) if ((m - 5 * t) % 4 == 0) return 5 * t;
  return (m / 5) * 5;
}

@inline function lane(v: v128, l: i32): v128 {
  if (l == 0) return i32x4.shuffle(v, v, 0, 0, 0, 0);
  if (l == 1) return i32x4.shuffle(v, v, 1, 1, 1, 1);
  if (l == 2) return i32x4.shuffle(v, v, 2, 2, 2, 2);
  return i32x4.shuffle(v, v, 3, 3, 3, 3);
}

// The v128 holding rows first..first+3 of one packed K step (first = 5 - A_SHUF5, a constant after inlining).
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
// ap: the tile's packed A ([kc][5]); b: a [kc][8] panel (packed B, or the scratch panel the unpacked sources
// are copied into), zero padded past nr; ldc in BYTES. Rows past mr alias the last valid row (same packed values,
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

// The same with 4 rows (8 accumulators; packed A [kc][4]): row counts that are not multiples of 5 (see rows5 in
// driver.ts). Every row is a broadcast load: no lane shuffles in this tile (bench/TUNING.md).
export function tile4x8(mr: i32, nr: i32, kc: i32, ap: usize, b: usize,
                        c: usize, ldc: usize, accum: bool, bias: usize, act: i32): void {
  let x00 = f32x4.splat(0), x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00, x30 = x00, x31 = x00;
  const c1 = mr > 1 ? c + ldc : c, c2 = mr > 2 ? c1 + ldc : c1, c3 = mr > 3 ? c2 + ldc : c2;
  if (accum) {
    x00 = v128.load(c); x10 = v128.load(c1); x20 = v128.load(c2); x30 = v128.load(c3);
    if (nr > 4) { x01 = v128.load(c, 16); x11 = v128.load(c1, 16); x21 = v128.load(c2, 16); x31 = v128.load(c3, 16); }
  }
  // simd build: two K steps per pass, which V8 11 (Node 20, the simd build's users) runs faster; V8 15 prefers
  // the one-step loop, and V8 15 engines (Deno, Chrome, Node >= 22) load the relaxed build (bench/TUNING.md).
  let kc1 = kc;
  if (!ASC_FEATURE_RELAXED_SIMD && wide) {
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
  const bEnd = b + (<usize>kc1 << 5);
  while (b < bEnd) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(ap); x00 = madd(s, b0, x00); x01 = madd(s, b1, x01);
    s = v128.load32_splat(ap, 4); x10 = madd(s, b0, x10); x11 = madd(s, b1, x11);
    s = v128.load32_splat(ap, 8); x20 = madd(s, b0, x20); x21 = madd(s, b1, x21);
    s = v128.load32_splat(ap, 12); x30 = madd(s, b0, x30); x31 = madd(s, b1, x31);
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
