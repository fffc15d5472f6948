// The loop of every unary elementwise kernel (exp, tanh, gelu, gelu_tanh) and of its scalar reference, written
// once. `op` is a compile-time constant at each (inlined) use, so each kernel compiles to its own straight loop.
// Body in f32x4; the last n % 4 elements go through the same f32x4 code (one vector load may read up to 16 bytes
// past the input, as the ABI allows) and are stored lane by lane, so every element gets the same rounding and
// nothing past element n is written. x and y may alias (in place).
import { exp_f32x4, gelu_f32x4, gelu_tanh_f32x4, tanh_f32x4 } from '../simd/math';
import { gelu_f64, gelu_tanh_f64 } from '../simd/ref_math';
import { storePartial } from '../simd/tail';

export const OP_EXP = 0, OP_TANH = 1, OP_GELU = 2, OP_GELU_TANH = 3;

@inline function apply(op: i32, v: v128): v128 {
  if (op == OP_EXP) return exp_f32x4(v);
  if (op == OP_TANH) return tanh_f32x4(v);
  if (op == OP_GELU) return gelu_f32x4(v);
  return gelu_tanh_f32x4(v);
}

// The references: float64 functions rounded once to f32.
@inline function applyRef(op: i32, v: f64): f64 {
  if (op == OP_EXP) return Math.exp(v);
  if (op == OP_TANH) return Math.tanh(v);
  if (op == OP_GELU) return gelu_f64(v);
  return gelu_tanh_f64(v);
}

@inline export function mapF32(op: i32, n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, apply(op, v128.load(x + o)));
  }
  if (i < n) storePartial(y + (<usize>i << 2), apply(op, v128.load(x + (<usize>i << 2))), n - i);
}

@inline export function mapF32Ref(op: i32, n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>applyRef(op, <f64>load<f32>(x + o)));
  }
}
