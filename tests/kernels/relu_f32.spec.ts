import { relu_f32, relu_f32_ref } from '../../assembly/elementwise/relu_f32';

// Buffers come from heap.alloc (16-byte aligned); a guard float after each output catches overruns.
function check(n: i32): void {
  const x = heap.alloc(<usize>(n + 8) << 2);
  const y = heap.alloc(<usize>(n + 8) << 2);
  const r = heap.alloc(<usize>(n + 8) << 2);
  for (let i = 0; i < n; i++) store<f32>(x + (<usize>i << 2), <f32>(((i * 7919) % 23) - 11) * 0.37);
  if (n > 3) { store<f32>(x, -0.0); store<f32>(x + 4, NaN); store<f32>(x + 8, Infinity); store<f32>(x + 12, -Infinity); }
  for (let i = 0; i < n + 8; i++) { store<f32>(y + (<usize>i << 2), 12345); }
  relu_f32(n, x, y);
  relu_f32_ref(n, x, r);
  for (let i = 0; i < n; i++) {
    const a = load<f32>(y + (<usize>i << 2)), b = load<f32>(r + (<usize>i << 2));
    expect(a == b || (a != a && b != b)).toBe(true, 'relu n=' + n.toString() + ' i=' + i.toString());
  }
  for (let i = n; i < n + 8; i++) expect(load<f32>(y + (<usize>i << 2))).toBe(12345, 'guard');
  heap.free(x); heap.free(y); heap.free(r);
}

describe('relu_f32', () => {
  it('matches the scalar reference at awkward sizes, keeps NaN, never writes past n', () => {
    const sizes: i32[] = [1, 3, 4, 5, 7, 13, 67, 131, 1024];
    for (let s = 0; s < sizes.length; s++) check(sizes[s]);
  });
});
