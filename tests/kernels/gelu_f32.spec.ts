import { gelu_f32, gelu_f32_ref } from '../../assembly/elementwise/gelu_f32';
import { gelu_tanh_f32, gelu_tanh_f32_ref } from '../../assembly/elementwise/gelu_tanh_f32';
import { buf, fill, close, at, set, isNegZero, GUARD, SIZES } from './spec_util';

// Tolerances, from the measured errors in assembly/simd/math.ts:
// exact GELU: 8 ulp relative (measured 6.7 where Φ = (1 - erf)/2 cancels) + 1e-37 absolute for
// the subnormal tail; tanh GELU: 4 ulp + 1e-8 absolute, because its float32 argument √(2/π)(x + 0.044715x³)
// carries |2u|·2^-24 relative error into exp, which dominates for x < -2 (value there < 5e-3).
const RTOL = 9.6e-7, ATOL = 1e-37, RTOL_T = 4.8e-7, ATOL_T = 1e-8;

function check(n: i32, amp: f32): void {
  const x = buf(n), y = buf(n), r = buf(n), yt = buf(n), rt = buf(n);
  fill(x, n, n + 2, amp);
  gelu_f32(n, x, y); gelu_f32_ref(n, x, r);
  gelu_tanh_f32(n, x, yt); gelu_tanh_f32_ref(n, x, rt);
  for (let i = 0; i < n; i++) {
    const s = ' n=' + n.toString() + ' x=' + at(x, i).toString();
    expect(close(at(y, i), at(r, i), ATOL, RTOL)).toBe(true, 'gelu' + s);
    expect(close(at(yt, i), at(rt, i), ATOL_T, RTOL_T)).toBe(true, 'gelu_tanh' + s);
  }
  for (let i = n; i < n + 8; i++) { expect(at(y, i)).toBe(GUARD); expect(at(yt, i)).toBe(GUARD); }
  heap.free(x); heap.free(y); heap.free(r); heap.free(yt); heap.free(rt);
}

describe('gelu_f32 / gelu_tanh_f32', () => {
  it('match the float64 references at awkward sizes', () => {
    for (let s = 0; s < SIZES.length; s++) { check(SIZES[s], 4); check(SIZES[s], 15); }
  });
  it('match the reference table (ATTENTION_SEMANTICS.md 2.5)', () => {
    const xs: f64[] = [-3, -1, -0.5, 0.5, 1, 2, 3];
    const exact: f64[] = [-0.00404969409489031, -0.15865525393145707, -0.15426876936299344, 0.34573123063700656,
                          0.8413447460685429, 1.9544997361036416, 2.99595030590511];
    const tanh: f64[] = [-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0.34571400982514394,
                         0.8411919906082768, 1.954597694087775, 2.996362607918227];
    const n = xs.length;
    const x = buf(n), y = buf(n), yt = buf(n), r = buf(n), rt = buf(n);
    for (let i = 0; i < n; i++) set(x, i, <f32>xs[i]);
    gelu_f32(n, x, y); gelu_tanh_f32(n, x, yt); gelu_f32_ref(n, x, r); gelu_tanh_f32_ref(n, x, rt);
    for (let i = 0; i < n; i++) {
      expect(close(at(y, i), <f32>exact[i], 0, RTOL)).toBe(true, 'gelu ' + xs[i].toString());
      expect(close(at(yt, i), <f32>tanh[i], ATOL_T, RTOL_T)).toBe(true, 'gelu_tanh ' + xs[i].toString());
      expect(at(r, i)).toBe(<f32>exact[i], 'gelu ref ' + xs[i].toString());
      expect(at(rt, i)).toBe(<f32>tanh[i], 'gelu_tanh ref ' + xs[i].toString());
    }
    heap.free(x); heap.free(y); heap.free(yt); heap.free(r); heap.free(rt);
  });
  it('get special values right', () => {
    const xs: f32[] = [0, -0.0, Infinity, -Infinity, NaN, 100, -100, -13, -30];
    const n = xs.length;
    const x = buf(n), y = buf(n), yt = buf(n);
    for (let i = 0; i < n; i++) set(x, i, xs[i]);
    gelu_f32(n, x, y); gelu_tanh_f32(n, x, yt);
    for (let k = 0; k < 2; k++) {
      const o = k == 0 ? y : yt;
      expect(at(o, 0)).toBe(0); expect(isNegZero(at(o, 1))).toBe(true, '-0');
      expect(at(o, 2)).toBe(Infinity); expect(at(o, 3)).toBe(0, 'gelu(-inf) = 0, not NaN');
      expect(isNaN(at(o, 4))).toBe(true);
      expect(at(o, 5)).toBe(100); expect(at(o, 6)).toBe(0);
      expect(at(o, 7) <= 0 && at(o, 7) > -1e-30).toBe(true, 'tiny tail');
      expect(at(o, 8)).toBe(0);
    }
    for (let i = n; i < n + 8; i++) { expect(at(y, i)).toBe(GUARD); expect(at(yt, i)).toBe(GUARD); }
    heap.free(x); heap.free(y); heap.free(yt);
  });
});
