// y = exp(x) (assembly/simd/math.ts exp_f32x4); reference: float64 Math.exp rounded to f32.
// Over n elements; x and y may alias (in place).
import { exp_f32x4 } from '../simd/math';
import { storePartial } from '../simd/tail';

export function exp_f32(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, exp_f32x4(v128.load(x + o)));
  }
  if (i < n) storePartial(y + (<usize>i << 2), exp_f32x4(v128.load(x + (<usize>i << 2))), n - i);
}

export function exp_f32_ref(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), <f32>Math.exp(<f64>v));
  }
}
