// GEMM entries: C = A·B (+bias) (act) with B row-major, transposed or packed, and a batched form; all run the one
// blocked driver (driver.ts). Shapes: A [m, k] (lda), C [m, n] (ldc), bias 0 = none or [n], act ACT_NONE / ACT_RELU.
// Rows [row0, row1) and columns [col0, col1) of C are computed (col0 a multiple of 8; the whole product is
// 0, m, 0, n); a sub-range gives the same bits as the whole. scratch: gemm_scratch_size_f32(m, n, k) floats.
// C must not overlap A, B or bias.
import { gemmBlocked, B_PACKED, B_ROWS, B_TRANS } from './driver';
import { ACT_NONE, ACT_RELU } from '../abi';

// B [k, n] row-major (ldb).
export function gemm_f32(m: i32, n: i32, k: i32, row0: i32, row1: i32, col0: i32, col1: i32,
                         a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, bias: usize, act: i32,
                         scratch: usize): void {
  gemmBlocked(B_ROWS, m, n, k, row0, row1, col0, col1, a, lda, b, ldb, c, ldc, bias, act, scratch);
}

// C = A·Bᵀ with B given as [n, k] (ldb): Q·Kᵀ and x·Wᵀ without a separate pack.
export function gemm_f32_trans_b(m: i32, n: i32, k: i32, row0: i32, row1: i32, col0: i32, col1: i32,
                                 a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, bias: usize, act: i32,
                                 scratch: usize): void {
  gemmBlocked(B_TRANS, m, n, k, row0, row1, col0, col1, a, lda, b, ldb, c, ldc, bias, act, scratch);
}

// B packed by pack_b_f32 (the Linear-layer path: weights packed once).
export function gemm_f32_packed_b(m: i32, n: i32, k: i32, row0: i32, row1: i32, col0: i32, col1: i32,
                                  a: usize, lda: i32, packed: usize, c: usize, ldc: i32, bias: usize, act: i32,
                                  scratch: usize): void {
  gemmBlocked(B_PACKED, m, n, k, row0, row1, col0, col1, a, lda, packed, 0, c, ldc, bias, act, scratch);
}

// batch x C_i = A_i · B_i (transB = 0, B_i [k, n]) or A_i · B_iᵀ (transB = 1, B_i [n, k]); operand i at
// a + i·sa floats etc.: per-head attention products (Q·Kᵀ, P·V) straight out of [seq, heads·d] buffers.
// A sub-range is a range of batch items (offset a, b, c by i0·sa, i0·sb, i0·sc and pass the count).
export function gemm_f32_batched(batch: i32, m: i32, n: i32, k: i32, a: usize, lda: i32, sa: i32,
                                 b: usize, ldb: i32, sb: i32, c: usize, ldc: i32, sc: i32, transB: i32,
                                 scratch: usize): void {
  const src = transB ? B_TRANS : B_ROWS;
  for (let i = 0; i < batch; i++) {
    const ai = a + ((<usize>i * sa) << 2), bi = b + ((<usize>i * sb) << 2), ci = c + ((<usize>i * sc) << 2);
    gemmBlocked(src, m, n, k, 0, m, 0, n, ai, lda, bi, ldb, ci, ldc, 0, ACT_NONE, scratch);
  }
}

// Scalar reference for every GEMM entry: C[m,n] = A[m,k] · (transB ? Bᵀ : B) (+bias[n]) (act); b is [k, n] or,
// with transB, [n, k] (ldb). f32 accumulation in natural k order, the order every SIMD path keeps (bit-identical
// to them in the simd build; the relaxed build's fused multiply-add rounds once per step instead of twice).
export function gemm_f32_ref(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
                             bias: usize, transB: i32, act: i32): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) {
        const bv = transB ? load<f32>(b + ((<usize>j * ldb + p) << 2)) : load<f32>(b + ((<usize>p * ldb + j) << 2));
        s += load<f32>(a + ((<usize>i * lda + p) << 2)) * bv;
      }
      if (bias != 0) s += load<f32>(bias + (<usize>j << 2));
      if (act == ACT_RELU) s = s > 0 || s != s ? s : 0;
      store<f32>(c + ((<usize>i * ldc + j) << 2), s);
    }
  }
}
