import { tanh_f32, tanh_f32_ref } from '../../assembly/elementwise/tanh_f32';
import { buf, fill, close, at, set, isNegZero, GUARD, SIZES } from './spec_util';

// Tolerance: 3 ulp relative (measured max 1.5 ulp over [-10, 10], assembly/simd/math.ts); tanh keeps relative
// accuracy near 0 thanks to the polynomial branch, so no absolute floor is needed.
const RTOL = 3.6e-7;

function check(n: i32, amp: f32): void {
  const x = buf(n), y = buf(n), r = buf(n);
  fill(x, n, n + 1, amp);
  tanh_f32(n, x, y);
  tanh_f32_ref(n, x, r);
  for (let i = 0; i < n; i++) {
    expect(close(at(y, i), at(r, i), 0, RTOL)).toBe(true, 'tanh n=' + n.toString() + ' x=' + at(x, i).toString());
  }
  for (let i = n; i < n + 8; i++) expect(at(y, i)).toBe(GUARD, 'guard after output');
  heap.free(x); heap.free(y); heap.free(r);
}

describe('tanh_f32', () => {
  it('matches the float64 reference at awkward sizes', () => {
    for (let s = 0; s < SIZES.length; s++) { check(SIZES[s], 1); check(SIZES[s], 12); }
  });
  it('gets special values right', () => {
    const xs: f32[] = [0, -0.0, Infinity, -Infinity, NaN, 100, -100, 1e-20, -1e-20, 0.625, -0.625];
    const n = xs.length;
    const x = buf(n), y = buf(n);
    for (let i = 0; i < n; i++) set(x, i, xs[i]);
    tanh_f32(n, x, y);
    expect(at(y, 0)).toBe(0); expect(isNegZero(at(y, 1))).toBe(true, 'tanh(-0) = -0');
    expect(at(y, 2)).toBe(1); expect(at(y, 3)).toBe(-1);
    expect(isNaN(at(y, 4))).toBe(true, 'NaN');
    expect(at(y, 5)).toBe(1); expect(at(y, 6)).toBe(-1);
    expect(at(y, 7)).toBe(<f32>1e-20); expect(at(y, 8)).toBe(<f32>-1e-20);
    expect(close(at(y, 9), <f32>Math.tanh(0.625), 0, RTOL)).toBe(true, 'branch point');
    expect(at(y, 10)).toBe(-at(y, 9), 'odd');
    for (let i = n; i < n + 8; i++) expect(at(y, i)).toBe(GUARD);
    heap.free(x); heap.free(y);
  });
});
