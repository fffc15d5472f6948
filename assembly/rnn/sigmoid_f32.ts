// y = sigmoid(x) = 1 / (1 + e^-x) over n elements (simd/math.ts sigmoid_f32x4, max error written there); x and y may
// alias. Same loop shape as the elementwise family (elementwise/map.ts): the last n % 4 elements go through the same
// f32x4 code (one vector load may read up to 16 bytes past x) and are stored lane by lane.
// Reference: float64 1 / (1 + exp(-x)) rounded once to f32.
import { sigmoid_f32x4 } from '../simd/math';
import { storePartial } from '../simd/tail';

export function sigmoid_f32(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, sigmoid_f32x4(v128.load(x + o)));
  }
  if (i < n) storePartial(y + (<usize>i << 2), sigmoid_f32x4(v128.load(x + (<usize>i << 2))), n - i);
}

// float64 sigmoid without overflow: e^x / (1 + e^x) for x < 0.
@inline export function sigmoid_f64(x: f64): f64 {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function sigmoid_f32_ref(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>sigmoid_f64(<f64>load<f32>(x + o)));
  }
}
