// y = tanh(x) over n elements (simd/math.ts tanh_f32x4); reference: float64 Math.tanh rounded to f32.
import { mapF32, mapF32Ref, OP_TANH } from './map';

export function tanh_f32(n: i32, x: usize, y: usize): void { mapF32(OP_TANH, n, x, y); }
export function tanh_f32_ref(n: i32, x: usize, y: usize): void { mapF32Ref(OP_TANH, n, x, y); }
