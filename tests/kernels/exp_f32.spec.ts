import { exp_f32, exp_f32_ref } from '../../assembly/elementwise/exp_f32';
import { buf, fill, close, at, set, GUARD, SIZES } from './spec_util';

// Tolerance: 2 ulp relative (the approximation measures <= 1 ulp, see assembly/simd/math.ts), and an absolute
// 2^-126 floor because results below the normal range are subnormal (fewer significant bits).
const RTOL = 2.4e-7, ATOL = 1.2e-38;

function check(n: i32, amp: f32): void {
  const x = buf(n), y = buf(n), r = buf(n);
  fill(x, n, n, amp);
  exp_f32(n, x, y);
  exp_f32_ref(n, x, r);
  for (let i = 0; i < n; i++) {
    expect(close(at(y, i), at(r, i), ATOL, RTOL)).toBe(true, 'exp n=' + n.toString() + ' x=' + at(x, i).toString());
  }
  for (let i = n; i < n + 8; i++) expect(at(y, i)).toBe(GUARD, 'guard after output');
  heap.free(x); heap.free(y); heap.free(r);
}

describe('exp_f32', () => {
  it('matches the float64 reference at awkward sizes', () => {
    for (let s = 0; s < SIZES.length; s++) { check(SIZES[s], 10); check(SIZES[s], 100); }
  });
  it('gets special values right', () => {
    const xs: f32[] = [0, -0.0, Infinity, -Infinity, NaN, 100, -100, 88.72, 88.73, -87.3, -103.9, -104.5, 1e-30];
    const n = xs.length;
    const x = buf(n), y = buf(n);
    for (let i = 0; i < n; i++) set(x, i, xs[i]);
    exp_f32(n, x, y);
    expect(at(y, 0)).toBe(1); expect(at(y, 1)).toBe(1);
    expect(at(y, 2)).toBe(Infinity); expect(at(y, 3)).toBe(0);
    expect(isNaN(at(y, 4))).toBe(true, 'NaN');
    expect(at(y, 5)).toBe(Infinity, 'exp(100) overflows f32');
    expect(at(y, 6) >= 0 && at(y, 6) < 1e-43).toBe(true, 'exp(-100) ~ 3.7e-44');
    expect(close(at(y, 7), <f32>Math.exp(<f64>at(x, 7)), 0, RTOL)).toBe(true, 'exp(88.72) finite');
    expect(at(y, 8)).toBe(Infinity, 'exp(88.73)');
    expect(close(at(y, 9), <f32>Math.exp(<f64>at(x, 9)), 0, RTOL)).toBe(true);
    expect(at(y, 10) < 1e-44).toBe(true);
    expect(at(y, 11)).toBe(0);
    expect(at(y, 12)).toBe(1);
    for (let i = n; i < n + 8; i++) expect(at(y, i)).toBe(GUARD);
    heap.free(x); heap.free(y);
  });
  it('works in place', () => {
    const n = 13;
    const x = buf(n), r = buf(n);
    fill(x, n, 7, 5);
    exp_f32_ref(n, x, r);
    exp_f32(n, x, x);
    for (let i = 0; i < n; i++) expect(close(at(x, i), at(r, i), 0, RTOL)).toBe(true);
    heap.free(x); heap.free(r);
  });
});
