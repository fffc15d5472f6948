// rt.ops: the low-level ops for other libraries, bound to one runtime.
import type { Runtime } from '../runtime.ts';
import type { Operand } from '../operand.ts';
import type { Tensor } from '../tensor.ts';
import { matmul, type MatmulOptions } from './matmul.ts';

export interface Ops {
  /** [m,k]·[k,n] (+ bias[n]); b is [n,k] when transposeB. Result: `out` if given, else a new Float32Array. */
  matmul(a: Operand, b: Operand, options: MatmulOptions): Float32Array | Tensor;
}

export function bindOps(rt: Runtime): Ops {
  return {
    matmul: (a, b, o) => matmul(rt, a, b, o),
  };
}
