import { layernorm_f32, layernorm_f32_ref } from '../../assembly/norm/layernorm_f32';
import { buf, fill, fillValue, close, at, set, GUARD, SIZES } from './spec_util';

// Tolerance: 2e-6 absolute + 1e-6 relative on outputs of unit scale: the kernel keeps its statistics in float32
// (8 partial sums, refined mean), the reference in float64; n·2^-24 growth stays below this up to n = 2048.
const ATOL = 2e-6, RTOL = 1e-6;

function run(rows: i32, cols: i32, pad: i32, affine: i32, offset: f32, seed: u32, inPlace: bool): void {
  const ld = cols + pad, n = rows * ld;
  const x = buf(n), y = buf(n), r = buf(n), g = buf(cols), b = buf(cols);
  fill(x, n, seed, 3);
  for (let i = 0; i < n; i++) set(x, i, at(x, i) + offset);
  fill(g, cols, seed + 1, 2); fill(b, cols, seed + 2, 1);
  const gp = affine & 1 ? g : 0, bp = affine & 2 ? b : 0;
  const out = inPlace ? x : y;
  layernorm_f32_ref(rows, cols, x, ld, r, ld, gp, bp, 1e-5);
  layernorm_f32(rows, cols, x, ld, out, ld, gp, bp, 1e-5);
  let bad = 0, first = '';
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const got = at(out, i * ld + j), want = at(r, i * ld + j);
      if (!close(got, want, ATOL, RTOL) && bad++ == 0)
        first = rows.toString() + 'x' + cols.toString() + ' affine ' + affine.toString() + ' at ' + i.toString() + ',' +
                j.toString() + ' got ' + got.toString() + ' want ' + want.toString();
    }
    if (!inPlace) for (let j = cols; j < ld; j++) if (at(out, i * ld + j) != GUARD && bad++ == 0) first = 'guard between rows';
  }
  if (!inPlace) for (let i = n; i < n + 8; i++) if (at(out, i) != GUARD && bad++ == 0) first = 'guard after output';
  expect(bad).toBe(0, first);
  heap.free(x); heap.free(y); heap.free(r); heap.free(g); heap.free(b);
}

describe('layernorm_f32', () => {
  it('matches the float64 reference at awkward sizes, with and without weight/bias, ld > cols', () => {
    for (let s = 0; s < SIZES.length; s++) {
      for (let a = 0; a < 4; a++) run(3, SIZES[s], a, a, 0, a + 1, false);
      run(2, SIZES[s], 0, 3, 0, 9, true);
    }
  });
  it('stays accurate for a large common offset (two-pass statistics)', () => {
    for (let s = 1; s < SIZES.length; s++) run(2, SIZES[s], 1, 3, 1000, 5, false);
  });
  it('reference vector of ATTENTION_SEMANTICS 2.4', () => {
    const x = buf(4), y = buf(4);
    for (let i = 0; i < 4; i++) set(x, i, <f32>(i + 1));
    layernorm_f32(1, 4, x, 4, y, 4, 0, 0, 1e-5);
    const want: f32[] = [-1.34163542, -0.44721181, 0.44721181, 1.34163542];
    for (let i = 0; i < 4; i++) expect(close(at(y, i), want[i], 1e-7, 1e-7)).toBe(true, 'eps 1e-5 ' + i.toString());
    layernorm_f32(1, 4, x, 4, y, 4, 0, 0, 1e-12);
    const want2: f32[] = [-1.34164079, -0.4472136, 0.4472136, 1.34164079];
    for (let i = 0; i < 4; i++) expect(close(at(y, i), want2[i], 1e-7, 1e-7)).toBe(true, 'eps 1e-12 ' + i.toString());
    fillValue(x, 4, 7); // constant row: var 0 -> 0 / sqrt(eps) = 0 (+ beta)
    layernorm_f32(1, 4, x, 4, y, 4, 0, 0, 1e-5);
    for (let i = 0; i < 4; i++) expect(at(y, i)).toBe(0);
    heap.free(x); heap.free(y);
  });
});
