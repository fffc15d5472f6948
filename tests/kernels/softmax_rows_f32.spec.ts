import { softmax_rows_f32, softmax_rows_f32_ref } from '../../assembly/softmax/softmax_rows_f32';
import { buf, fill, close, at, set, GUARD, SIZES } from './spec_util';

// Tolerance: 4e-7 absolute + 8 ulp relative. Probabilities are in [0, 1]; the kernel's exp is <= 1 ulp and its
// float32 row sum (8 partial sums) adds ~n/8·2^-24 relative in the worst case, the reference sums in float64.
const ATOL = 4e-7, RTOL = 9.6e-7;

class Opts {
  scale: f32 = 1;
  ld: i32 = 0;          // extra stride beyond cols (guard floats between rows)
  mask: bool = false;
  maskBroadcast: bool = false;
  bmask: bool = false;
  causal: bool = false;
  offset: i32 = 0;
  lens: bool = false;
  inPlace: bool = false;
}

// Runs kernel and reference on the same data, compares, and checks that padding between/after rows is untouched.
function run(rows: i32, cols: i32, o: Opts, seed: u32): void {
  const ld = cols + o.ld;
  const n = rows * ld;
  const x = buf(n), y = buf(n), r = buf(n);
  fill(x, n, seed, 6);
  const m = o.mask ? buf(o.maskBroadcast ? cols : n) : 0;
  if (m) fill(m, o.maskBroadcast ? cols : n, seed + 1, 3);
  const ldm = o.maskBroadcast ? 0 : ld;
  const b = o.bmask ? heap.alloc(<usize>(rows * ld + 16)) : 0;
  if (b) for (let i = 0; i < rows * ld; i++) store<u8>(b + <usize>i, <u8>((i * 7 + seed) % 3 == 0 ? 1 : 0));
  const l = o.lens ? heap.alloc(<usize>(rows * 4 + 16)) : 0;
  if (l) for (let i = 0; i < rows; i++) store<i32>(l + (<usize>i << 2), (i * 5 + seed) % (cols + 3) - 1); // -1 .. cols+1
  const out = o.inPlace ? x : y;
  softmax_rows_f32_ref(rows, cols, x, ld, r, ld, m, ldm, b, ld, l, o.scale, o.causal ? 1 : 0, o.offset);
  softmax_rows_f32(rows, cols, x, ld, out, ld, m, ldm, b, ld, l, o.scale, o.causal ? 1 : 0, o.offset);
  // one expect per run (as-pect expects are slow): count mismatches, report the first
  let bad = 0, first = '';
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const got = at(out, i * ld + j), want = at(r, i * ld + j);
      if (!close(got, want, ATOL, RTOL) && bad++ == 0) {
        first = rows.toString() + 'x' + cols.toString() + ' at ' + i.toString() + ',' + j.toString() +
                ' got ' + got.toString() + ' want ' + want.toString();
      }
    }
    if (!o.inPlace) for (let j = cols; j < ld; j++) if (at(out, i * ld + j) != GUARD && bad++ == 0) first = 'guard between rows';
  }
  if (!o.inPlace) for (let i = n; i < n + 8; i++) if (at(out, i) != GUARD && bad++ == 0) first = 'guard after output';
  expect(bad).toBe(0, first);
  heap.free(x); heap.free(y); heap.free(r);
  if (m) heap.free(m);
  if (b) heap.free(b);
  if (l) heap.free(l);
}

describe('softmax_rows_f32', () => {
  it('matches the reference at awkward sizes, plain and scaled, ld > cols', () => {
    for (let s = 0; s < SIZES.length; s++) {
      const o = new Opts(); run(3, SIZES[s], o, 1);
      o.scale = 0.125; o.ld = 5; run(2, SIZES[s], o, 2);
      o.scale = -2; o.ld = 3; run(1, SIZES[s], o, 3);
    }
  });
  it('handles each mask kind', () => {
    for (let s = 0; s < SIZES.length; s++) {
      const c = SIZES[s];
      let o = new Opts(); o.mask = true; o.ld = 2; run(4, c, o, 4);
      o = new Opts(); o.mask = true; o.maskBroadcast = true; run(3, c, o, 5);
      o = new Opts(); o.bmask = true; o.ld = 1; run(5, c, o, 6);
      o = new Opts(); o.lens = true; o.ld = 3; run(7, c, o, 7);
      o = new Opts(); o.mask = true; o.bmask = true; o.lens = true; o.causal = true; o.offset = 1; o.scale = 0.5; run(6, c, o, 8);
    }
  });
  it('handles causal masks with offsets (incl. rows fully masked -> zeros)', () => {
    const offs: i32[] = [0, 1, -1, -3, 5, 2000, -2000];
    for (let s = 0; s < SIZES.length; s++) {
      for (let k = 0; k < offs.length; k++) {
        const o = new Opts(); o.causal = true; o.offset = offs[k]; o.ld = 1; run(9, SIZES[s], o, 9);
      }
    }
  });
  it('works in place', () => {
    for (let s = 0; s < SIZES.length; s++) {
      const o = new Opts(); o.inPlace = true; o.mask = true; o.causal = true; o.ld = 4; run(3, SIZES[s], o, 10);
    }
  });
  it('d2l masked_softmax example: zeros(2,2,4), lens [2,3] (per batch, repeated per query)', () => {
    const x = buf(16), y = buf(16);
    for (let i = 0; i < 16; i++) set(x, i, 0);
    const l = heap.alloc(32);
    store<i32>(l, 2); store<i32>(l + 4, 2); store<i32>(l + 8, 3); store<i32>(l + 12, 3);
    softmax_rows_f32(4, 4, x, 4, y, 4, 0, 0, 0, 0, l, 1, 0, 0);
    const want: f32[] = [0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0];
    for (let i = 0; i < 16; i++) expect(close(at(y, i), want[i], 1e-7, 0)).toBe(true, 'd2l ' + i.toString());
    store<i32>(l, 0); store<i32>(l + 4, 9); // len 0 -> uniform (all -1e6), len > cols -> no mask
    fill(x, 16, 3, 2);
    softmax_rows_f32(2, 4, x, 4, y, 4, 0, 0, 0, 0, l, 1, 0, 0);
    for (let j = 0; j < 4; j++) expect(close(at(y, j), 0.25, 1e-7, 0)).toBe(true, 'len 0 uniform');
    let s: f32 = 0; for (let j = 4; j < 8; j++) { expect(at(y, j) > 0).toBe(true); s += at(y, j); }
    expect(close(s, 1, 1e-6, 0)).toBe(true);
    heap.free(x); heap.free(y); heap.free(l);
  });
  it('worked vector of ATTENTION_SEMANTICS 6.4 (P from S with scale 1)', () => {
    const S: f32[] = [1, 1, 1.5, 2, 0.5, 1, 0.5, 1, 1.5, 0.5, 1, 0.5, 1, 1.5, 1, 1.5];
    const P: f32[] = [0.15706, 0.15706, 0.258948, 0.426933, 0.18877, 0.31123, 0.18877, 0.31123,
                      0.426933, 0.15706, 0.258948, 0.15706, 0.18877, 0.31123, 0.18877, 0.31123];
    const x = buf(16), y = buf(16);
    for (let i = 0; i < 16; i++) set(x, i, S[i]);
    softmax_rows_f32(4, 4, x, 4, y, 4, 0, 0, 0, 0, 0, 1, 0, 0);
    for (let i = 0; i < 16; i++) expect(close(at(y, i), P[i], 1e-6, 0)).toBe(true, 'P ' + i.toString());
    heap.free(x); heap.free(y);
  });
  it('special values: -inf rows -> zeros, NaN propagates, +-inf, +-100, 0, -0', () => {
    const cols = 7;
    const x = buf(5 * cols), y = buf(5 * cols), r = buf(5 * cols);
    for (let j = 0; j < cols; j++) set(x, j, -Infinity);                          // row 0: all -inf
    for (let j = 0; j < cols; j++) set(x, cols + j, <f32>j); set(x, cols + 3, NaN);  // row 1: NaN
    for (let j = 0; j < cols; j++) set(x, 2 * cols + j, j % 2 ? -Infinity : <f32>j); // row 2: some -inf
    for (let j = 0; j < cols; j++) set(x, 3 * cols + j, j % 2 ? 100 : -100);       // row 3: +-100
    for (let j = 0; j < cols; j++) set(x, 4 * cols + j, j % 2 ? -0.0 : 0);          // row 4: +-0
    softmax_rows_f32(5, cols, x, cols, y, cols, 0, 0, 0, 0, 0, 1, 0, 0);
    softmax_rows_f32_ref(5, cols, x, cols, r, cols, 0, 0, 0, 0, 0, 1, 0, 0);
    for (let j = 0; j < cols; j++) {
      expect(at(y, j)).toBe(0, 'all -inf row gives zeros');
      expect(isNaN(at(y, cols + j))).toBe(true, 'NaN row');
      expect(close(at(y, 2 * cols + j), at(r, 2 * cols + j), ATOL, RTOL)).toBe(true, '-inf entries');
      expect(close(at(y, 3 * cols + j), j % 2 ? 1.0 / 3 : 0, 1e-7, 0)).toBe(true, '+-100');
      expect(close(at(y, 4 * cols + j), 1.0 / 7, 1e-7, 0)).toBe(true, '+-0');
    }
    for (let j = 0; j < cols; j++) set(x, j, j == 2 ? Infinity : 1);               // row 0: +inf -> NaN like torch
    softmax_rows_f32(1, cols, x, cols, y, cols, 0, 0, 0, 0, 0, 1, 0, 0);
    softmax_rows_f32_ref(1, cols, x, cols, r, cols, 0, 0, 0, 0, 0, 1, 0, 0);
    for (let j = 0; j < cols; j++) expect(close(at(y, j), at(r, j), 0, 0)).toBe(true, '+inf');
    heap.free(x); heap.free(y); heap.free(r);
  });
  it('computes a row range by pointer offsets (causalOffset + r0) with the bits of the whole call', () => {
    const rows = 9, cols = 37, ld = 40, r0 = 4;
    const x = buf(rows * ld), y = buf(rows * ld), z = buf(rows * ld);
    fill(x, rows * ld, 7, 6);
    const m = buf(rows * ld); fill(m, rows * ld, 8, 3);
    const b = heap.alloc(<usize>(rows * ld + 16));
    for (let i = 0; i < rows * ld; i++) store<u8>(b + <usize>i, <u8>(i % 5 == 0 ? 1 : 0));
    const l = heap.alloc(<usize>(rows * 4 + 16));
    for (let i = 0; i < rows; i++) store<i32>(l + (<usize>i << 2), 30 - i);
    for (let v = 0; v < 2; v++) {
      const mm = v ? m : 0, bb = v ? b : 0, ll = v ? l : 0;   // the fast path, then every mask kind
      softmax_rows_f32(rows, cols, x, ld, y, ld, mm, ld, bb, ld, ll, 0.5, 1, 2);
      const o = <usize>(r0 * ld) << 2;
      softmax_rows_f32(r0, cols, x, ld, z, ld, mm, ld, bb, ld, ll, 0.5, 1, 2);
      softmax_rows_f32(rows - r0, cols, x + o, ld, z + o, ld, mm ? mm + o : 0, ld, bb ? bb + <usize>(r0 * ld) : 0, ld,
                       ll ? ll + (<usize>r0 << 2) : 0, 0.5, 1, 2 + r0);
      let bad = 0;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        if (reinterpret<u32>(at(y, i * ld + j)) != reinterpret<u32>(at(z, i * ld + j))) bad++;
      }
      expect(bad).toBe(0, v ? 'masked rows in two ranges' : 'plain rows in two ranges');
    }
    heap.free(x); heap.free(y); heap.free(z); heap.free(m); heap.free(b); heap.free(l);
  });
});
