import { add_f32, add_f32_ref } from '../../assembly/elementwise/add_f32';
import { buf, fill, at, set, isNegZero, GUARD, SIZES } from './spec_util';

// Exact: one IEEE add per element in both, so results must be bit-identical (NaN matches NaN).
function check(n: i32): void {
  const a = buf(n), b = buf(n), y = buf(n), r = buf(n);
  fill(a, n, n, 3); fill(b, n, n + 9, 3);
  if (n > 4) { set(a, 0, Infinity); set(b, 0, -Infinity); set(a, 1, NaN); set(a, 2, -0.0); set(b, 2, -0.0); }
  add_f32(n, a, b, y); add_f32_ref(n, a, b, r);
  for (let i = 0; i < n; i++) {
    const u = at(y, i), v = at(r, i);
    expect((u == v && isNegZero(u) == isNegZero(v)) || (u != u && v != v)).toBe(true, 'add n=' + n.toString() + ' i=' + i.toString());
  }
  for (let i = n; i < n + 8; i++) expect(at(y, i)).toBe(GUARD);
  add_f32(n, a, b, a); // in place
  for (let i = 0; i < n; i++) { const u = at(a, i), v = at(r, i); expect(u == v || (u != u && v != v)).toBe(true); }
  heap.free(a); heap.free(b); heap.free(y); heap.free(r);
}

describe('add_f32', () => {
  it('matches the reference exactly at awkward sizes, in place too', () => {
    for (let s = 0; s < SIZES.length; s++) check(SIZES[s]);
  });
});
