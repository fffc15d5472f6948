// The one blocked GEMM driver: C[row0:row1, col0:col1] = A·B (+bias) (act) for every GEMM entry. The entries
// differ only in where an 8-column B panel comes from (B_PACKED / B_ROWS / B_TRANS below); the loop orders,
// block sizes, tiles and the m = 1 paths are shared.
//
// Loop orders (chosen per call):
// - one row: the GEMV loop of the B source (gemv.ts), no tiles, no scratch (see Sub-ranges for when).
// - packed B, up to ROW_TILES_MAX_M rows whose packed A fits the scratch (every linear layer of a decoder step or
//   a short sequence), "few-rows order": A packed once over all of k; B in column blocks of NC_BYTES; per block,
//   every row tile runs over all of its panels with the full k (no K blocks, C written once). B comes from memory
//   once, in one forward stream, and each further row tile re-reads the block from L2. With weights not in cache
//   (a stack of layers) the GotoBLAS order below pulls each panel from memory in a burst in its first row tile and
//   the hardware prefetcher loses the stream at every panel; this order keeps one stream.
// - otherwise (GotoBLAS order): K in blocks of <= KC (a panel block stays in L1 for every row tile), M in blocks
//   that fit MC_BYTES (the A block stays in L2 while every panel streams past it). Unpacked B is copied panel by
//   panel into the scratch panel as it is used: rows of B at a large power-of-two stride would fight over a few
//   L1 sets, and the copy costs about 1/mc of the tile work.
// The sizes below were measured (bench/TUNING.md); they assume a core with >= 1 MB of L2.
//
// Sub-ranges: rows [row0, row1) and columns [col0, col1) (col0 a multiple of 8) of C are computed; everything
// outside is untouched. The tiles and gemvPacked accumulate each C element in natural k order with madd, so the
// result of a sub-range equals the same elements of the whole product bit for bit; gemvRowMajor (scalar tail
// columns) and gemvTrans (lane-wise partial sums) differ from that order and run only when the whole product has
// one row, where every range takes them too.
import { ACT_NONE } from '../abi';
import { NR, rows5, tile5x8, tile4x8, wideTiles } from './tiles';
import { packA, packPanelRows, packPanelTransposed } from './packing';
import { gemvPacked, gemvRowMajor, gemvTrans, finish1 } from './gemv';

// Where the driver gets the [kc][8] panel of B for columns j..j+7, rows p0..p0+kc.
export const B_PACKED: i32 = 0;   // packed panels (pack_b_f32): a pointer into them, nothing copied
export const B_ROWS: i32 = 1;     // B [k, n] row-major (ldb): copied into the scratch panel
export const B_TRANS: i32 = 2;    // B [n, k] (A·Bᵀ, ldb): transposed into the scratch panel

const KC: i32 = 768;                    // max K block: a panel block (KC x 8 f32 = 24 KB) stays in L1
const MC_BYTES: i32 = 512 * 1024;       // A block (rows x kc f32) budget: about half of a 1 MB L2
const NC_BYTES: i32 = 256 * 1024;       // B column block of the few-rows order: stays in L2
const ROW_TILES_MAX_M: i32 = 128;       // few-rows order up to this many rows (beyond, GotoBLAS order is as fast)

// Split k into blocks of at most KC, balanced, multiples of 4 (except the last): k = 1024 -> 512 + 512.
@inline function kBlock(k: i32): i32 {
  const nb = (k + KC - 1) / KC;
  return min(KC, (((k + nb - 1) / nb) + 3) & ~3);
}

// Rows per M block for a K block of kc: the A block fits MC_BYTES, blocks balanced (m = 128, kc = 768 -> one
// block of 128 rows, not 60 + 60 + 8, which would stream all of B three times for a third of the work).
function mBlock(m: i32, kc: i32): i32 {
  const cap = max(20, MC_BYTES / (kc * 4));
  const nb = (m + cap - 1) / cap;
  return (m + nb - 1) / nb;
}


// Row after the last tile that starts in [i0, i1) (5-row tiles from row 0 up to m5, then 4-row ones), at most m.
function tilesEnd(i0: i32, i1: i32, m: i32, m5: i32): i32 {
  let i = i0;
  while (i < i1) i += i < m5 ? 5 : 4;
  return min(i, m);
}

// Scratch layout: [scratch panel: min(kBlock(k), k) x 8 floats][packed A]. The panel is unused with packed B.
@inline function panelBytes(k: i32): usize {
  return <usize>min(kBlock(k), k) << 5;
}

// Floats of scratch a GEMM entry needs for a product of m rows (any sub-range of it included) and depth k:
// the scratch panel, packed A ((m + 4) rows of k, or of an M x K block, at most MC_BYTES + 4 rows of KC + k) and
// 16 floats for the vector over-read of packed A. 0 when m <= 1 (GEMV needs none).
export function gemm_scratch_size_f32(m: i32, n: i32, k: i32): i32 {
  if (m <= 1 || n <= 0 || k <= 0) return 0;
  const aRows = <i64>(m + 4) * <i64>k;
  const aCap = <i64>((MC_BYTES >> 2) + 4 * KC + k);
  return <i32>(panelBytes(k) >> 2) + <i32>min(aRows, aCap) + 16;
}

// C[row0:row1, col0:col1] of A[m,k]·B (+bias)(act); see the file comment. lda, ldb, ldc in elements.
export function gemmBlocked(src: i32, m: i32, n: i32, k: i32, row0: i32, row1: i32, col0: i32, col1: i32,
                            a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, bias: usize, act: i32,
                            scratch: usize): void {
  const ldaB = <usize>lda << 2, ldbB = <usize>ldb << 2, ldcB = <usize>ldc << 2;
  const mr = row1 - row0, nc = col1 - col0;
  // move every operand to the sub-range's first row / column; from here on it is a [mr, nc] product
  a += <usize>row0 * ldaB;
  c += <usize>row0 * ldcB + (<usize>col0 << 2);
  if (bias != 0) bias += <usize>col0 << 2;
  if (src == B_PACKED) b += (<usize>col0 * <usize>k) << 2;
  else if (src == B_ROWS) b += <usize>col0 << 2;
  else b += <usize>col0 * ldbB;
  if (mr <= 0 || nc <= 0) return;
  if (k <= 0) { emptySum(mr, nc, c, ldcB, bias, act); return; }
  // GEMV: packed B for any one-row range (gemvPacked keeps the tiles' order); the other two only when the whole
  // product has one row (their sums are ordered or fused differently from the tiles')
  if (mr == 1 && src == B_PACKED) { gemvPacked(nc, k, a, b, c, bias, act); return; }
  if (m == 1 && src == B_ROWS) { gemvRowMajor(nc, k, a, b, ldbB, c, bias, act); return; }
  if (m == 1 && src == B_TRANS) { gemvTrans(nc, k, a, b, ldbB, c, bias, act); return; }
  const ap = scratch + panelBytes(k);
  if (src == B_PACKED && mr <= ROW_TILES_MAX_M && k <= MC_BYTES / ((mr + 3) << 2)) {
    rowTiles(mr, nc, k, a, ldaB, b, c, ldcB, bias, act, ap);
    return;
  }
  const kcb = kBlock(k), m5 = rows5(mr);
  for (let p0 = 0; p0 < k; p0 += kcb) {
    const kc = min(kcb, k - p0);
    const last = p0 + kc >= k;
    const mc = mBlock(mr, kc);
    let i0 = 0;
    while (i0 < mr) {
      const iEnd = tilesEnd(i0, min(mr, i0 + mc), mr, m5);
      packA(i0, iEnd, mr, m5, kc, a + (<usize>p0 << 2), ldaB, ap);
      for (let j = 0; j < nc; j += NR) {
        const nr = min(NR, nc - j);
        const panel = bPanel(src, kc, nr, p0, j, k, b, ldbB, scratch);
        const bj: usize = last && bias != 0 ? bias + (<usize>j << 2) : 0;
        sweepRows(i0, iEnd, mr, m5, nr, kc, ap, panel, c + (<usize>j << 2), ldcB, p0 > 0, bj, last ? act : ACT_NONE);
      }
      i0 = iEnd;
    }
  }
}

// The [kc][8] panel of B for columns j..j+nr-1 (nr <= 8), rows p0..p0+kc-1: the only thing the sources change.
@inline function bPanel(src: i32, kc: i32, nr: i32, p0: i32, j: i32, k: i32, b: usize, ldbB: usize, dst: usize): usize {
  if (src == B_PACKED) return b + ((<usize>j * <usize>k + <usize>p0 * NR) << 2);
  if (src == B_ROWS) packPanelRows(kc, nr, b + <usize>p0 * ldbB + (<usize>j << 2), ldbB, dst);
  else packPanelTransposed(kc, nr, b + <usize>j * ldbB + (<usize>p0 << 2), ldbB, dst);
  return dst;
}

// Runs the tiles of rows [i0, iEnd) (packed by packA into ap) against one [kc][8] panel b. c: row 0 of C.
function sweepRows(i0: i32, iEnd: i32, m: i32, m5: i32, nr: i32, kc: i32, ap: usize, b: usize,
                   c: usize, ldc: usize, accum: bool, bias: usize, act: i32): void {
  let i = i0;
  while (i < iEnd) {
    const ci = c + <usize>i * ldc;
    if (i < m5) { tile5x8(5, nr, kc, ap, b, ci, ldc, accum, bias, act); ap += <usize>kc * 20; i += 5; }
    else { tile4x8(min(4, m - i), nr, kc, ap, b, ci, ldc, accum, bias, act); ap += <usize>kc << 4; i += 4; }
  }
}

// The few-rows order (packed B only). Rows: 5-row tiles, then the m % 5 rows left: 4 by one 4-row tile, 1 to 3
// each through the GEMV loop (its A row read in place), which beats a part-empty 4-row tile, so m = 16 runs
// 5+5+5+1, the 5-row tile being the faster one. The simd build runs 3 left-over rows as 4+4 with the last 5-row
// tile instead: there three GEMV rows cost more. A: the tiles' rows packed into ap, at most m rows of k floats.
function rowTiles(m: i32, n: i32, k: i32, a: usize, ldaB: usize, packed: usize,
                  c: usize, ldcB: usize, bias: usize, act: i32, ap: usize): void {
  let m5 = (m / 5) * 5, tiled = m5;     // rows [0, m5) 5-row tiles, [m5, tiled) 4-row tiles, the rest GEMV rows
  const r = m - m5;
  if (!wideTiles()) { m5 = 0; tiled = m & ~3; }   // 4-row tiles only (see gemm_set_tiles)
  else if (r == 4) tiled = m;
  else if (r == 3 && !ASC_FEATURE_RELAXED_SIMD && m5 > 0) { m5 -= 5; tiled = m; }
  packA(0, tiled, m, m5, k, a, ldaB, ap);
  const nc = max(1, (NC_BYTES >> 5) / k) * NR;   // columns per B block (panels of k x 8 f32)
  const gs = <usize>k << 5;
  for (let j0 = 0; j0 < n; j0 += nc) {
    const j1 = min(n, j0 + nc);
    let api = ap;
    for (let i = 0; i < tiled; ) {
      sweepPanels(i, m, m5, j0, j1, n, k, api, packed, c, ldcB, bias, act);
      if (i < m5) { api += <usize>k * 20; i += 5; } else { api += <usize>k << 4; i += 4; }
    }
    const cj = c + (<usize>j0 << 2), bj: usize = bias != 0 ? bias + (<usize>j0 << 2) : 0;
    for (let i = tiled; i < m; i++) gemvPacked(j1 - j0, k, a + <usize>i * ldaB, packed + <usize>(j0 >> 3) * gs, cj + <usize>i * ldcB, bj, act);
  }
}

// One tile of rows [i, i+R) (R = 5 below m5, else 4; packed A [k][R] at ap, full k) against the panels of
// columns [j0, j1) (each [k][8], k*32 bytes apart from packed): C[i:i+R, j0:j1] = A·B (+bias)(act).
function sweepPanels(i: i32, m: i32, m5: i32, j0: i32, j1: i32, n: i32, k: i32, ap: usize, packed: usize,
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

// k = 0: an empty sum is 0 (as gemm_f32_ref and torch), so each C element = act(bias or 0).
function emptySum(m: i32, n: i32, c: usize, ldcB: usize, bias: usize, act: i32): void {
  for (let i = 0; i < m; i++) {
    const ci = c + <usize>i * ldcB;
    for (let j = 0; j < n; j++) store<f32>(ci + (<usize>j << 2), finish1(0, bias, j, act));
  }
}
