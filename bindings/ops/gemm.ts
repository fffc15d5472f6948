// Matrix products (kernels gemm_f32, gemm_f32_trans_b, gemm_f32_batched). Pointer level: byte pointers, strides
// in elements, no checks. Each product needs caller scratch of gemmScratchFloats(m, n, k) floats (0 for one row):
// callers reserve it with their other buffers, so a product never allocates.
import { ACT_NONE, ACT_RELU } from '../runtime/kernels.ts';
import type { Runtime } from '../runtime/runtime.ts';

export type Act = 'none' | 'relu';
export const actCode = (a: Act | undefined): number => (a === 'relu' ? ACT_RELU : ACT_NONE);

/** Floats of scratch one product of m rows, n columns and depth k needs (any of its sub-ranges included). */
export function gemmScratchFloats(rt: Runtime, m: number, n: number, k: number): number {
  return rt.exports.gemm_scratch_size_f32(m, n, k);
}

export interface Gemm {
  m: number; n: number; k: number;
  a: number; lda: number;
  /** [k, n] row-major, or [n, k] when transposeB (C = A·Bᵀ). */
  b: number; ldb: number;
  transposeB?: boolean;
  c: number; ldc: number;
  /** 0 = none, else bias[n] added to every row. */
  bias?: number;
  act?: Act;
  scratch: number;
}

/** C[m, n] = A·B (+ bias) (act). C must not overlap A, B or bias. */
export function gemm(rt: Runtime, g: Gemm): void {
  const f = g.transposeB ? rt.exports.gemm_f32_trans_b : rt.exports.gemm_f32;
  f(g.m, g.n, g.k, 0, g.m, 0, g.n, g.a, g.lda, g.b, g.ldb, g.c, g.ldc, g.bias ?? 0, actCode(g.act), g.scratch);
}

export interface GemmBatched {
  batch: number; m: number; n: number; k: number;
  /** Operand i starts at a + 4·i·sa (strides in elements). */
  a: number; lda: number; sa: number;
  b: number; ldb: number; sb: number;
  transposeB?: boolean;
  c: number; ldc: number; sc: number;
  scratch: number;
}

/** batch x C_i = A_i·B_i (or A_i·B_iᵀ): per-head products straight out of strided activations. */
export function gemmBatched(rt: Runtime, g: GemmBatched): void {
  rt.exports.gemm_f32_batched(g.batch, g.m, g.n, g.k, g.a, g.lda, g.sa, g.b, g.ldb, g.sb, g.c, g.ldc, g.sc,
    g.transposeB ? 1 : 0, g.scratch);
}
