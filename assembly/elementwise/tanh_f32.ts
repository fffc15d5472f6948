// y = tanh(x) (assembly/simd/math.ts tanh_f32x4); reference: float64 Math.tanh rounded to f32.
// Over n elements; x and y may alias (in place).
import { tanh_f32x4 } from '../simd/math';
import { storePartial } from '../simd/tail';

export function tanh_f32(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, tanh_f32x4(v128.load(x + o)));
  }
  if (i < n) storePartial(y + (<usize>i << 2), tanh_f32x4(v128.load(x + (<usize>i << 2))), n - i);
}

export function tanh_f32_ref(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), <f32>Math.tanh(<f64>v));
  }
}
