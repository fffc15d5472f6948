// batch x C_i = A_i · B_i (transB = 0, B_i [k, n]) or A_i · B_iᵀ (transB = 1, B_i [n, k]); operand i at
// a + i*sa floats etc. Per-head attention products (Q·Kᵀ, P·V) straight out of [seq, heads*d] buffers.
import { gemm_f32 } from './gemm_f32';
import { gemm_f32_bt } from './gemm_f32_bt';

export function gemm_f32_batched(batch: i32, m: i32, n: i32, k: i32, a: usize, lda: i32, sa: i32,
                                 b: usize, ldb: i32, sb: i32, c: usize, ldc: i32, sc: i32, transB: i32): void {
  for (let i = 0; i < batch; i++) {
    const ai = a + ((<usize>i * sa) << 2), bi = b + ((<usize>i * sb) << 2), ci = c + ((<usize>i * sc) << 2);
    if (transB) gemm_f32_bt(m, n, k, ai, lda, bi, ldb, ci, ldc, 0, 0);
    else gemm_f32(m, n, k, ai, lda, bi, ldb, ci, ldc, 0, 0);
  }
}
