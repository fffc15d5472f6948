// C[m,n] = A[m,k] · packed(B) (+bias) (act): the Linear-layer path (B packed once by pack_b_f32).
// a: [m, k] (lda), c: [m, n] (ldc), bias: 0 or [n], act: 0 none, 1 relu.
// Blocking: K in blocks of <= KC (the panel block stays in L1), M in blocks that fit MC_BYTES (the A block
// stays in L2 while every panel streams past it); m = 1 streams the panels through the GEMV loop, no tiles.
import { NR, kBlock, mBlock, rows5, tilesEnd, packA, sweepRows, APACK_SCRATCH, gemvPacked } from './gemm_microkernel';

export function gemm_f32_packed_b(m: i32, n: i32, k: i32, a: usize, lda: i32, packed: usize,
                                  c: usize, ldc: i32, bias: usize, act: i32): void {
  if (m == 1) { gemvPacked(n, k, a, packed, c, bias, act); return; }
  const ldaB = <usize>lda << 2, ldcB = <usize>ldc << 2;
  const kcb = kBlock(k), m5 = rows5(m);
  for (let p0 = 0; p0 < k; p0 += kcb) {
    const kc = min(kcb, k - p0);
    const last = p0 + kc >= k;
    const a0 = a + (<usize>p0 << 2);
    const mc = mBlock(m, kc);
    let i0 = 0;
    while (i0 < m) {
      const i1 = min(m, i0 + mc);
      const iEnd = tilesEnd(i0, i1, m, m5);
      packA(i0, iEnd, m, m5, kc, a0, ldaB, APACK_SCRATCH);
      for (let j = 0; j < n; j += NR) {
        const panel = packed + ((<usize>j * k + <usize>p0 * NR) << 2);
        const bj: usize = last && bias != 0 ? bias + (<usize>j << 2) : 0;
        sweepRows(i0, iEnd, m, m5, min(NR, n - j), kc, APACK_SCRATCH, panel, c + (<usize>j << 2), ldcB, p0 > 0, bj, last ? act : 0);
      }
      i0 = iEnd;
    }
  }
}
