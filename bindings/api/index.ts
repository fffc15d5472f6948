// rt.ops: the low-level ops for other libraries, bound to one runtime.
import type { Operand } from './operand.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { gelu, relu, type GeluOptions, type ReluOptions } from './activation.ts';
import { additiveScores, type AdditiveScoresOptions } from './additive.ts';
import { layerNorm, type LayerNormOptions } from './layernorm.ts';
import { matmul, type MatmulOptions } from './matmul.ts';
import { scaledDotProductAttention, type SdpaMask, type SdpaOptions, type ShapedOperand } from './sdpa.ts';
import { softmax, type SoftmaxOptions } from './softmax.ts';

export type { GeluOptions, ReluOptions, AdditiveScoresOptions, LayerNormOptions, MatmulOptions, SoftmaxOptions, SdpaOptions, SdpaMask, ShapedOperand };

/** Every op returns `out` when given (a Tensor is written in place), else a new Float32Array. */
export interface Ops {
  /** C[m,n] = A[m,k]·B[k,n] (+ bias[n]); B is [n,k] when transposeB. */
  matmul(a: Operand, b: Operand, options: MatmulOptions): Float32Array | Tensor;
  /** Row softmax of x [rows, cols] with scale, additive/boolean mask, causal, d2l validLens. */
  softmax(x: Operand, options: SoftmaxOptions): Float32Array | Tensor;
  /** torch.nn.functional.scaled_dot_product_attention (eval): query [...B, H, L, E], key [...B, Hkv, S, E], value
   *  [...B, Hkv, S, Ev] -> [...B, H, L, Ev]; fused (O(L·E) memory). Boolean attnMask: 1 = TAKE PART (SDPA's meaning). */
  scaledDotProductAttention(query: ShapedOperand, key: ShapedOperand, value: ShapedOperand, options?: SdpaOptions): Float32Array | Tensor;
  /** torch.nn.LayerNorm over the last dim of x [rows, cols]. */
  layerNorm(x: Operand, options: LayerNormOptions): Float32Array | Tensor;
  /** Fused d2l additive scores w_vᵀ tanh(qp_i + kp_j): qp [batch, nq, hidden], kp [batch, nk, hidden], wv [hidden]. */
  additiveScores(qp: Operand, kp: Operand, wv: Operand, options: AdditiveScoresOptions): Float32Array | Tensor;
  /** GELU, exact erf form (default) or tanh approximation. */
  gelu(x: Operand, options?: GeluOptions): Float32Array | Tensor;
  relu(x: Operand, options?: ReluOptions): Float32Array | Tensor;
}

export function bindOps(rt: Runtime): Ops {
  return {
    matmul: (a, b, o) => matmul(rt, a, b, o),
    softmax: (x, o) => softmax(rt, x, o),
    scaledDotProductAttention: (q, k, v, o) => scaledDotProductAttention(rt, q, k, v, o),
    layerNorm: (x, o) => layerNorm(rt, x, o),
    additiveScores: (qp, kp, wv, o) => additiveScores(rt, qp, kp, wv, o),
    gelu: (x, o) => gelu(rt, x, o),
    relu: (x, o) => relu(rt, x, o),
  };
}
