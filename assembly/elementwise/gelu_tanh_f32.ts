// y = 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) over n elements (torch approximate='tanh', HF gelu_new);
// reference: float64 (simd/ref_math.ts).
import { mapF32, mapF32Ref, OP_GELU_TANH } from './map';

export function gelu_tanh_f32(n: i32, x: usize, y: usize): void { mapF32(OP_GELU_TANH, n, x, y); }
export function gelu_tanh_f32_ref(n: i32, x: usize, y: usize): void { mapF32Ref(OP_GELU_TANH, n, x, y); }
