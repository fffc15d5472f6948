// C[m,n] = A[m,k] · B[k,n] (+bias) (act), B row-major and unpacked (ldb).
// For each K block and M block (as in gemm_f32_packed_b), each 8 columns of B are copied into a contiguous
// [kc][8] scratch panel first: rows of B at a large power-of-two stride would fight over a few L1 sets;
// the copy costs about 1/mc of the tile work. The M block of A is packed into tiles once (packA).
// m = 1 reads B rows directly (GEMV).
import { NR, kBlock, mBlock, rows5, tilesEnd, packA, sweepRows, APACK_SCRATCH, gemvRowMajor, packPanelRows, PANEL_SCRATCH, gemmDegenerate } from './gemm_microkernel';

export function gemm_f32(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32,
                         c: usize, ldc: i32, bias: usize, act: i32): void {
  if (gemmDegenerate(m, n, k, c, ldc, bias, act)) return;
  const ldaB = <usize>lda << 2, ldbB = <usize>ldb << 2, ldcB = <usize>ldc << 2;
  if (m == 1) { gemvRowMajor(n, k, a, b, ldbB, c, bias, act); return; }
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
        packPanelRows(kc, nr, b + <usize>p0 * ldbB + (<usize>j << 2), ldbB, PANEL_SCRATCH);
        const bj: usize = last && bias != 0 ? bias + (<usize>j << 2) : 0;
        sweepRows(i0, iEnd, m, m5, nr, kc, APACK_SCRATCH, PANEL_SCRATCH, c + (<usize>j << 2), ldcB, p0 > 0, bj, last ? act : 0);
      }
      i0 = iEnd;
    }
  }
}
