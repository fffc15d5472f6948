// y[i] = max(x[i], 0) over n elements; NaN propagates (as torch.relu). In place is fine (y == x).
export function relu_f32(n: i32, x: usize, y: usize): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    // keep NaN lanes: select v where v > 0 or v != v
    const keep = v128.or(f32x4.gt(v, zero), f32x4.ne(v, v));
    v128.store(y + (<usize>i << 2), v128.and(v, keep));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), v > 0 || v != v ? v : 0);
  }
}

export function relu_f32_ref(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), v > 0 || v != v ? v : 0);
  }
}
