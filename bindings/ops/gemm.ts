// Matrix products (kernels gemm_f32, gemm_f32_trans_b, gemm_f32_batched). Pointer level: byte pointers, strides
// in elements, no checks. Each product needs caller scratch of gemmScratchFloats(m, n, k) floats (0 for one row):
// callers reserve it with their other buffers, so a product never allocates.
import { ACT_NONE, ACT_RELU } from '../runtime/kernels.ts';
import { argBits, type KernelName } from '../runtime/pool.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { SPLIT_MIN, addRanges, parallel, slotFloats, slotted, threadSlots } from './parallel.ts';

export type Act = 'none' | 'relu';
export const actCode = (a: Act | undefined): number => (a === 'relu' ? ACT_RELU : ACT_NONE);

/** Floats of scratch one product of m rows, n columns and depth k needs (any of its sub-ranges included), one
 *  slot per thread (ops/parallel.ts). */
export function gemmScratchFloats(rt: Runtime, m: number, n: number, k: number): number {
  return slotted(rt, rt.exports.gemm_scratch_size_f32(m, n, k));
}

/** The argument list of a GEMM entry (kernels.ts GEMM_ARGS; packed B: b is the packed panels, no ldb). */
export type GemmEntryArgs = number[];

/**
 * Runs GEMM entry `fn` over C[m, n], split over the pool when there is one and the product is large enough:
 * column panels when there are enough of them for every thread (each thread then reads only its part of B: a
 * packed weight, a decode step's GEMV), else row blocks. `args(row0, row1, col0, col1)` gives the entry's
 * arguments for one range with the scratch of thread 0.
 */
export function gemmSplit(rt: Runtime, fn: KernelName, m: number, n: number, k: number,
                          args: (r0: number, r1: number, c0: number, c1: number) => GemmEntryArgs): void {
  const perThread = rt.exports.gemm_scratch_size_f32(m, n, k);
  const macs = m * n * k;
  const job = parallel(rt, macs, SPLIT_MIN.gemmMacs, slotFloats(perThread) * 4);
  if (job === null) {
    (rt.exports[fn] as (...a: number[]) => void)(...args(0, m, 0, n));
    return;
  }
  const P = threadSlots(rt);
  const local = perThread > 0 ? argBits(fn, 'scratch') : 0;
  if (Math.ceil(n / 8) >= 2 * P || m < 2 * P) addRanges(job, fn, n, P, 8, (c0, c1) => args(0, m, c0, c1), local).run();
  else addRanges(job, fn, m, P, 1, (r0, r1) => args(r0, r1, 0, n), local).run();
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
  const bias = g.bias ?? 0, act = actCode(g.act);
  gemmSplit(rt, g.transposeB ? 'gemm_f32_trans_b' : 'gemm_f32', g.m, g.n, g.k, (r0, r1, c0, c1) =>
    [g.m, g.n, g.k, r0, r1, c0, c1, g.a, g.lda, g.b, g.ldb, g.c, g.ldc, bias, act, g.scratch]);
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
  const perThread = rt.exports.gemm_scratch_size_f32(g.m, g.n, g.k);
  const job = g.batch > 1 ? parallel(rt, g.batch * g.m * g.n * g.k, SPLIT_MIN.gemmMacs, slotFloats(perThread) * 4) : null;
  const tb = g.transposeB ? 1 : 0;
  if (job === null) {
    rt.exports.gemm_f32_batched(g.batch, g.m, g.n, g.k, g.a, g.lda, g.sa, g.b, g.ldb, g.sb, g.c, g.ldc, g.sc, tb, g.scratch);
    return;
  }
  // items are independent products: split the batch
  addRanges(job, 'gemm_f32_batched', g.batch, threadSlots(rt), 1, (b0, b1) => [b1 - b0, g.m, g.n, g.k, g.a + 4 * b0 * g.sa,
    g.lda, g.sa, g.b + 4 * b0 * g.sb, g.ldb, g.sb, g.c + 4 * b0 * g.sc, g.ldc, g.sc, tb, g.scratch],
  perThread > 0 ? argBits('gemm_f32_batched', 'scratch') : 0).run();
}
