// y = exp(x) over n elements (simd/math.ts exp_f32x4); reference: float64 Math.exp rounded to f32.
import { mapF32, mapF32Ref, OP_EXP } from './map';

export function exp_f32(n: i32, x: usize, y: usize): void { mapF32(OP_EXP, n, x, y); }
export function exp_f32_ref(n: i32, x: usize, y: usize): void { mapF32Ref(OP_EXP, n, x, y); }
