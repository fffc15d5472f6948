// rt.ops.matmul: C[m,n] = A[m,k]·B[k,n] (+bias[n]), or A·Bᵀ with B [n,k] when transposeB.
// Operands are Float32Array (copied in / out) or Tensor of this runtime (used in place, zero copy).
import { checkBoolean, checkOptions, checkPositiveInt, fail, failType } from '../errors.ts';
import { borrowInput, borrowOutput, type Borrowed, type Operand } from '../operand.ts';
import type { Runtime } from '../runtime.ts';
import { Tensor } from '../tensor.ts';

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
  if (out instanceof Tensor) {
    // the kernels read A and B while writing C: an output overlapping an input would corrupt the result
    for (const [name, x] of [['a', a], ['b', b], ['bias', options.bias]] as const) {
      if (x instanceof Tensor && !x.disposed && !out.disposed && x.host === out.host &&
          x.ptr < out.ptr + out.size * 4 && out.ptr < x.ptr + x.size * 4) {
        fail(W, `out must not overlap ${name}`);
      }
    }
  }
  const held: Borrowed[] = [];
  try {
    const A = borrowInput(rt, W, 'a', a, m * k, `m*k = ${m}*${k}`); held.push(A);
    const B = borrowInput(rt, W, 'b', b, k * n, tb ? `n*k = ${n}*${k}` : `k*n = ${k}*${n}`); held.push(B);
    let biasPtr = 0;
    if (options.bias !== undefined && options.bias !== null) {
      const bias = borrowInput(rt, W, 'bias', options.bias, n, 'n'); held.push(bias);
      biasPtr = bias.ptr;
    }
    const C = borrowOutput(rt, W, out, m * n, `m*n = ${m}*${n}`); held.push(C);
    // gemm_f32 / gemm_f32_trans_b copy each 8-column block of B into an L1 scratch panel as they go, which costs
    // the same as packing B up front, and take their GEMV path for m = 1 (no scratch then).
    const x = rt.exports;
    const floats = x.gemm_scratch_size_f32(m, n, k);
    const S = floats > 0 ? rt.alloc(floats * 4) : 0;
    if (S) held.push({ ptr: S, release: () => rt.free(S) });
    if (tb) x.gemm_f32_trans_b(m, n, k, 0, m, 0, n, A.ptr, k, B.ptr, k, C.ptr, n, biasPtr, 0, S);
    else x.gemm_f32(m, n, k, 0, m, 0, n, A.ptr, k, B.ptr, n, C.ptr, n, biasPtr, 0, S);
    return C.finish();
  } finally {
    for (const h of held) h.release();
  }
}
