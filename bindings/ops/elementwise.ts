// Elementwise kernels over n contiguous elements (exp_f32, tanh_f32, relu_f32, gelu_f32, gelu_tanh_f32, add_f32).
// The output may be an input (in place).
import type { Runtime } from '../runtime/runtime.ts';

export type Unary = 'relu' | 'gelu' | 'gelu_tanh' | 'exp' | 'tanh';

/** y = f(x) over n elements. */
export function unary(rt: Runtime, f: Unary, n: number, x: number, y: number): void {
  const k = rt.exports;
  switch (f) {
    case 'relu': k.relu_f32(n, x, y); break;
    case 'gelu': k.gelu_f32(n, x, y); break;
    case 'gelu_tanh': k.gelu_tanh_f32(n, x, y); break;
    case 'exp': k.exp_f32(n, x, y); break;
    case 'tanh': k.tanh_f32(n, x, y); break;
  }
}

/** y = a + b over n elements (residual connections). */
export function add(rt: Runtime, n: number, a: number, b: number, y: number): void {
  rt.exports.add_f32(n, a, b, y);
}
