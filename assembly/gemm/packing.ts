// GEMM packing: B into 8-column panels (once per weight: pack_b_f32; or per K block into the driver's scratch
// panel: packPanelRows / packPanelTransposed) and A into register-tile order (packA, per M block).
//
// Packed B layout: ceil(n/8) column panels, panel q = columns 8q..8q+7 stored as [k][8] floats (row p of the
// panel = B[p, 8q..8q+7]), panels back to back, the last one zero padded. The tile then reads one contiguous
// 32-byte row per k step, and the m = 1 path streams the panels straight through. Panel q starts 8q·k floats
// in, so columns [j0, ...) with j0 a multiple of 8 start at packed + j0·k floats.
import { NR } from './tiles';

// Floats needed for a packed [k, n] operand.
export function packed_b_size_f32(k: i32, n: i32): i32 {
  return ((n + NR - 1) / NR) * NR * k;
}

// Packs B [k, n] (transB = 0, row stride ldb) or Bᵀ from a [n, k] matrix (transB = 1; nn.Linear weight
// [out, in]) into `packed` (packed_b_size_f32(k, n) floats).
export function pack_b_f32(k: i32, n: i32, b: usize, ldb: i32, packed: usize, transB: i32): void {
  const ldbB = <usize>ldb << 2;
  for (let j = 0; j < n; j += NR) {
    const nr = min(NR, n - j);
    const dst = packed + ((<usize>j * k) << 2);
    if (transB) packPanelTransposed(k, nr, b + <usize>j * ldbB, ldbB, dst);
    else packPanelRows(k, nr, b + (<usize>j << 2), ldbB, dst);
  }
}

// Packs rows [i0, iEnd) (whole tiles, see tilesEnd), columns 0..kc of A (row 0 at a, lda bytes) into dst:
// per tile of R rows (5 below m5, else 4) [kc][R] floats, rows past m repeating row m-1. Done once per M block
// and reused by every panel; for attention's short GEMMs (P·V: k = S, n = head dim) its cost shows, so 4 K steps
// at a time go through a 4x4 transpose in registers (the 5th row with lane stores).
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
