// Packed B layout: ceil(n/8) column panels, panel q = columns 8q..8q+7 stored as [k][8] floats (row p of the
// panel = B[p, 8q..8q+7]), panels back to back, the last one zero padded. The 5x8 tile then reads one
// contiguous 32-byte row per k step, and the m = 1 path streams the panels straight through.
import { NR, packPanelRows, packPanelTransposed } from './gemm_microkernel';

// Floats needed for a packed [k, n] operand.
export function packed_b_size_f32(k: i32, n: i32): i32 {
  return ((n + NR - 1) / NR) * NR * k;
}

// Packs B [k, n] (transB = 0, row stride ldb) or Bᵀ from a [n, k] matrix (transB = 1; nn.Linear weight
// [out, in]) into `packed` (packed_b_size_f32(k, n) floats, 16-byte aligned).
export function pack_b_f32(k: i32, n: i32, b: usize, ldb: i32, transB: i32, packed: usize): void {
  const ldbB = <usize>ldb << 2;
  for (let j = 0; j < n; j += NR) {
    const nr = min(NR, n - j);
    const dst = packed + ((<usize>j * k) << 2);
    if (transB) packPanelTransposed(k, nr, b + <usize>j * ldbB, ldbB, dst);
    else packPanelRows(k, nr, b + (<usize>j << 2), ldbB, dst);
  }
}
