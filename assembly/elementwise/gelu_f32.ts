// y = GELU(x) = 0.5x(1 + erf(x/√2)) over n elements (torch approximate='none'); reference: float64 (simd/ref_math.ts).
import { mapF32, mapF32Ref, OP_GELU } from './map';

export function gelu_f32(n: i32, x: usize, y: usize): void { mapF32(OP_GELU, n, x, y); }
export function gelu_f32_ref(n: i32, x: usize, y: usize): void { mapF32Ref(OP_GELU, n, x, y); }
