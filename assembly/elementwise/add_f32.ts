// y = a + b over n elements (residual add); y may alias a or b.
import { storePartial } from '../simd/tail';

export function add_f32(n: i32, a: usize, b: usize, y: usize): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const s0 = f32x4.add(v128.load(a + o), v128.load(b + o));
    const s1 = f32x4.add(v128.load(a + o, 16), v128.load(b + o, 16));
    v128.store(y + o, s0);
    v128.store(y + o, s1, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  if (i < n) {
    const o = <usize>i << 2;
    storePartial(y + o, f32x4.add(v128.load(a + o), v128.load(b + o)), n - i);
  }
}

export function add_f32_ref(n: i32, a: usize, b: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) + load<f32>(b + o));
  }
}
