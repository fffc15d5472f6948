// y = GELU(x) = 0.5x(1 + erf(x/√2)) (torch approximate='none'); reference: float64 erf/erfc below.
// Over n elements; x and y may alias (in place).
import { gelu_f32x4 } from '../simd/math';
import { gelu_f64 } from '../simd/ref_math';
import { storePartial } from '../simd/tail';

export function gelu_f32(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, gelu_f32x4(v128.load(x + o)));
  }
  if (i < n) storePartial(y + (<usize>i << 2), gelu_f32x4(v128.load(x + (<usize>i << 2))), n - i);
}

export function gelu_f32_ref(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), <f32>gelu_f64(<f64>v));
  }
}
