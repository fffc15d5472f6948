// C[m,n] = A[m,k] · packed(B) (+bias) (act): the Linear-layer path (B packed once by pack_b_f32).
// a: [m, k] (lda), c: [m, n] (ldc), bias: 0 or [n], act: 0 none, 1 relu.
// m = 1 streams the panels through the GEMV loop, no tiles. Otherwise one of two loop orders:
// - up to ROW_TILES_MAX_M rows whose packed A fits the scratch (all linear layers of a decoder step or a short
//   sequence): A packed once over all of k; B in column blocks of NC_BYTES; per block, every row tile runs over
//   all of its panels with the full k (no K blocks, C written once). B comes from memory once, in one forward
//   stream, and each further row tile re-reads the block from L2.
// - else (GotoBLAS order): K in blocks of <= KC (the panel block stays in L1 for every row tile), M in blocks
//   that fit MC_BYTES (the A block stays in L2 while every panel streams past it).
// Why two: with weights not in cache (a stack of layers, other work between calls) the GotoBLAS order pulls each
// panel from memory in a burst in its first row tile and then runs the others from L1; the hardware prefetcher
// loses the stream at every panel. Measured on this Zen 5 with the weights evicted (bench/encoder_probe.ts):
// 16x2048x512 789 -> 650 us, 16x512x1536 515 -> 440 us, encoder layer L = 16 2.32 -> 1.96 ms; with the weights
// in cache both orders run at the same speed up to m = 128 (Node 20 and Deno 2.9, both builds).
import { NR, MC_BYTES, NC_BYTES, kBlock, mBlock, rows5, tilesEnd, packA, sweepRows, sweepPanels, APACK_SCRATCH, gemvPacked, gemmDegenerate } from './gemm_microkernel';

const ROW_TILES_MAX_M: i32 = 128;   // measured up to here (m = 48, 64: 3-8% faster than GotoBLAS order, 128: equal)

// The first order above. Rows: 5-row tiles, then the m % 5 rows left: 4 by one 4-row tile, 1 to 3 each through
// the GEMV loop (its A row read in place), which beats a part-empty 4-row tile. So m = 16 runs 5+5+5+1, not
// 4+4+4+4: the 5-row tile is the faster one (16x256x768: Deno 2.9 relaxed 55 -> 62 GFLOP/s, Node 20 61 -> 62;
// m = 6, 7: 40-48 -> 59-61). The simd build (Node 20) runs 3 left-over rows as 4+4 with the last 5-row tile:
// there three GEMV rows cost more (m = 8: 61 as 4+4, 58 as 5+3).
// A: the tiles' rows packed by packA into the scratch, at most m + 3 rows of k floats.
function gemmRowTiles(m: i32, n: i32, k: i32, a: usize, ldaB: usize, packed: usize,
                      c: usize, ldcB: usize, bias: usize, act: i32): void {
  let m5 = (m / 5) * 5, tiled = m5;     // rows [0, m5) 5-row tiles, [m5, tiled) 4-row tiles, the rest GEMV rows
  const r = m - m5;
  if (r == 4) tiled = m;
  else if (r == 3 && !ASC_FEATURE_RELAXED_SIMD && m5 > 0) { m5 -= 5; tiled = m; }
  packA(0, tiled, m, m5, k, a, ldaB, APACK_SCRATCH);
  const nc = max(1, (NC_BYTES >> 5) / k) * NR;   // columns per B block (panels of k x 8 f32)
  const gs = <usize>k << 5;
  for (let j0 = 0; j0 < n; j0 += nc) {
    const j1 = min(n, j0 + nc);
    let ap = APACK_SCRATCH;
    for (let i = 0; i < tiled; ) {
      sweepPanels(i, m, m5, j0, j1, n, k, ap, packed, c, ldcB, bias, act);
      if (i < m5) { ap += <usize>k * 20; i += 5; } else { ap += <usize>k << 4; i += 4; }
    }
    const cj = c + (<usize>j0 << 2), bj: usize = bias != 0 ? bias + (<usize>j0 << 2) : 0;
    for (let i = tiled; i < m; i++) gemvPacked(j1 - j0, k, a + <usize>i * ldaB, packed + <usize>(j0 >> 3) * gs, cj + <usize>i * ldcB, bj, act);
  }
}

export function gemm_f32_packed_b(m: i32, n: i32, k: i32, a: usize, lda: i32, packed: usize,
                                  c: usize, ldc: i32, bias: usize, act: i32): void {
  if (gemmDegenerate(m, n, k, c, ldc, bias, act)) return;
  if (m == 1) { gemvPacked(n, k, a, packed, c, bias, act); return; }
  const ldaB = <usize>lda << 2, ldcB = <usize>ldc << 2;
  if (m <= ROW_TILES_MAX_M && k <= MC_BYTES / ((m + 3) << 2)) { gemmRowTiles(m, n, k, a, ldaB, packed, c, ldcB, bias, act); return; }
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
