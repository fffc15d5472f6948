// C[m,n] = A[m,k] · Bᵀ (+bias) (act) with B given as [n, k] (ldb): Q·Kᵀ and x·Wᵀ without a separate pack.
// For each K block and M block, each 8 rows of B are transposed (4x4 SIMD shuffles) into a [kc][8] scratch
// panel and swept by the register tiles over the block's rows of A. m = 1: plain dot products, 4 rows of B at a time.
import { NR, kBlock, mBlock, rows5, tilesEnd, packA, sweepRows, APACK_SCRATCH, packPanelTransposed, PANEL_SCRATCH, finish1, gemmDegenerate } from './gemm_microkernel';
import { madd } from './simd_madd';

export function gemm_f32_bt(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32,
                            c: usize, ldc: i32, bias: usize, act: i32): void {
  if (gemmDegenerate(m, n, k, c, ldc, bias, act)) return;
  const ldaB = <usize>lda << 2, ldbB = <usize>ldb << 2, ldcB = <usize>ldc << 2;
  if (m == 1) { dotRows(n, k, a, b, ldbB, c, bias, act); return; }
  const kcb = kBlock(k), m5 = rows5(m);
  for (let p0 = 0; p0 < k; p0 += kcb) {
    const kc = min(kcb, k - p0);
    const last = p0 + kc >= k;
    const mc = mBlock(m, kc);
    let i0 = 0;
    while (i0 < m) {
      const i1 = min(m, i0 + mc);
      const iEnd = tilesEnd(i0, i1, m, m5);
      packA(i0, iEnd, m, m5, kc, a + (<usize>p0 << 2), ldaB, APACK_SCRATCH);
      for (let j = 0; j < n; j += NR) {
        const nr = min(NR, n - j);
        packPanelTransposed(kc, nr, b + <usize>j * ldbB + (<usize>p0 << 2), ldbB, PANEL_SCRATCH);
        const bj: usize = last && bias != 0 ? bias + (<usize>j << 2) : 0;
        sweepRows(i0, iEnd, m, m5, nr, kc, APACK_SCRATCH, PANEL_SCRATCH, c + (<usize>j << 2), ldcB, p0 > 0, bj, last ? act : 0);
      }
      i0 = iEnd;
    }
  }
}

@inline function hsum(v: v128): f32 {
  v = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  v = f32x4.add(v, i32x4.shuffle(v, v, 1, 0, 3, 2));
  return f32x4.extract_lane(v, 0);
}

// c[j] = a[0:k] · B[j, 0:k] for j < n.
function dotRows(n: i32, k: i32, a: usize, b: usize, ldbB: usize, c: usize, bias: usize, act: i32): void {
  const k4 = <usize>(k & ~3) << 2, end = <usize>k << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const r0 = b + <usize>j * ldbB, r1 = r0 + ldbB, r2 = r1 + ldbB, r3 = r2 + ldbB;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (let p: usize = 0; p < k4; p += 16) {
      const x = v128.load(a + p);
      s0 = madd(x, v128.load(r0 + p), s0); s1 = madd(x, v128.load(r1 + p), s1);
      s2 = madd(x, v128.load(r2 + p), s2); s3 = madd(x, v128.load(r3 + p), s3);
    }
    let d0 = hsum(s0), d1 = hsum(s1), d2 = hsum(s2), d3 = hsum(s3);
    for (let p = k4; p < end; p += 4) {
      const x = load<f32>(a + p);
      d0 += x * load<f32>(r0 + p); d1 += x * load<f32>(r1 + p); d2 += x * load<f32>(r2 + p); d3 += x * load<f32>(r3 + p);
    }
    store<f32>(c + (<usize>j << 2), finish1(d0, bias, j, act));
    store<f32>(c + (<usize>j << 2), finish1(d1, bias, j + 1, act), 4);
    store<f32>(c + (<usize>j << 2), finish1(d2, bias, j + 2, act), 8);
    store<f32>(c + (<usize>j << 2), finish1(d3, bias, j + 3, act), 12);
  }
  for (; j < n; j++) {
    const r0 = b + <usize>j * ldbB;
    let s0 = f32x4.splat(0);
    for (let p: usize = 0; p < k4; p += 16) s0 = madd(v128.load(a + p), v128.load(r0 + p), s0);
    let d0 = hsum(s0);
    for (let p = k4; p < end; p += 4) d0 += load<f32>(a + p) * load<f32>(r0 + p);
    store<f32>(c + (<usize>j << 2), finish1(d0, bias, j, act));
  }
}
