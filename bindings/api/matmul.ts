// rt.ops.matmul: C[m,n] = A[m,k]·B[k,n] (+bias[n]), or A·Bᵀ with B [n,k] when transposeB.
// Operands are Float32Array (copied in / out) or Tensor of this runtime (used in place, zero copy).
import { checkBoolean, checkOptions, checkPositiveInt, fail, failType } from '../errors.ts';
import { gemm, gemmScratchFloats } from '../ops/gemm.ts';
import { borrowInput, borrowOutput, checkInput, checkOutput, type Borrowed, type Operand } from './operand.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { Tensor } from '../runtime/tensor.ts';

export interface MatmulOptions {
  m: number;
  k: number;
  n: number;
  /** b is [n, k] (e.g. an nn.Linear weight, or K in Q·Kᵀ) instead of [k, n]. */
  transposeB?: boolean;
  /** [n], added to every row. */
  bias?: Operand;
  /** Where to write C [m, n]; default a new Float32Array. */
  out?: Operand;
}

const OPTIONS = ['m', 'k', 'n', 'transposeB', 'bias', 'out'] as const;

/** C = A·B (+bias). Returns `out` when given (Tensor: written in place), else a new Float32Array. */
export function matmul(rt: Runtime, a: Operand, b: Operand, options: MatmulOptions): Float32Array | Tensor {
  const W = 'matmul';
  if (options === undefined || options === null) failType(W, 'options { m, k, n } are required');
  checkOptions(W, options, OPTIONS);
  const m = checkPositiveInt(W, 'm', options.m);
  const k = checkPositiveInt(W, 'k', options.k);
  const n = checkPositiveInt(W, 'n', options.n);
  const tb = options.transposeB === undefined ? false : checkBoolean(W, 'transposeB', options.transposeB);
  const out = options.out;
  const aExpr = `m*k = ${m}*${k}`, bExpr = tb ? `n*k = ${n}*${k}` : `k*n = ${k}*${n}`, cExpr = `m*n = ${m}*${n}`;
  const hasBias = options.bias !== undefined && options.bias !== null;
  checkInput(rt, W, 'a', a, m * k, aExpr);
  checkInput(rt, W, 'b', b, k * n, bExpr);
  if (hasBias) checkInput(rt, W, 'bias', options.bias, n, 'n');
  checkOutput(rt, W, out, m * n, cExpr);
  // the kernels read A and B while writing C: an input sharing memory with `out` is copied first (borrowInput)
  const held: Borrowed[] = [];
  try {
    const A = borrowInput(rt, W, 'a', a, m * k, aExpr, out); held.push(A);
    const B = borrowInput(rt, W, 'b', b, k * n, bExpr, out); held.push(B);
    let biasPtr = 0;
    if (hasBias) {
      const bias = borrowInput(rt, W, 'bias', options.bias, n, 'n', out); held.push(bias);
      biasPtr = bias.ptr;
    }
    const C = borrowOutput(rt, W, out, m * n, cExpr); held.push(C);
    // gemm_f32 / gemm_f32_trans_b copy each 8-column block of B into an L1 scratch panel as they go, which costs
    // the same as packing B up front, and take their GEMV path for m = 1 (no scratch then).
    const floats = gemmScratchFloats(rt, m, n, k);
    const scratch = floats > 0 ? rt.alloc(floats * 4, W) : 0;
    if (scratch) held.push({ ptr: scratch, release: () => rt.free(scratch) });
    gemm(rt, { m, n, k, a: A.ptr, lda: k, b: B.ptr, ldb: tb ? k : n, transposeB: tb, c: C.ptr, ldc: n, bias: biasPtr, scratch });
    return C.finish();
  } finally {
    for (const h of held) h.release();
  }
}
