// Row softmax with the masks attention needs, in three passes per row (max, exp-and-sum, scale).
// x: [rows, cols] (row stride ldx), y: [rows, cols] (row stride ldy); x == y with ldx == ldy works in place.
// Per row r, s = x*scale, then in this order:
//   lens  (i32[rows], 0 = none): s[j] = -1e6 for j >= lens[r]   (d2l masked_softmax: replaced, len 0 -> uniform row)
//   mask  (f32, row r at mask + r*ldm elements, ldm 0 = one broadcast row, 0 = none): s += mask
//   bmask (u8, row r at bmask + r*ldbm bytes, 0 = none): s = -inf where bmask != 0 (PyTorch MHA: 1 = not allowed)
//   causal != 0: s = -inf for j > r + causalOffset
// y = exp(s - max s) / Σ exp(s - max s); a row whose every s is -inf gives zeros (PyTorch SDPA); NaN propagates.
import { exp_f32x4 } from './simd_math';

const LENS_FILL: f32 = -1e6;

// Columns >= the causal end are -inf, i.e. exactly 0 after softmax, so the passes stop there.
@inline function causal_end(r: i32, cols: i32, causal: i32, causalOffset: i32): i32 {
  if (!causal) return cols;
  const e = <i64>r + <i64>causalOffset + 1;
  return e < 0 ? 0 : e > <i64>cols ? cols : <i32>e;
}

@inline function valid_len(lens: usize, r: i32, cols: i32): i32 {
  if (!lens) return cols;
  const v = load<i32>(lens + (<usize>r << 2));
  return v < 0 ? 0 : v > cols ? cols : v;
}

// Pass 1 for one row: writes s[0 .. end) into yr and returns its max.
@inline function scores_row(xr: usize, yr: usize, end: i32, len: i32, scale: f32, mr: usize, br: usize): f32 {
  const vscale = f32x4.splat(scale);
  const fill = f32x4.splat(LENS_FILL);
  const ninf = f32x4.splat(-Infinity);
  const vlen = i32x4.splat(len);
  let vmax = ninf;
  let j = 0;
  for (; j + 4 <= end; j += 4) {
    const o = <usize>j << 2;
    let v = f32x4.mul(v128.load(xr + o), vscale);
    if (j + 4 > len) v = v128.bitselect(fill, v, i32x4.ge_s(i32x4.add(i32x4.splat(j), i32x4(0, 1, 2, 3)), vlen));
    if (mr) v = f32x4.add(v, v128.load(mr + o));
    if (br) {
      const b = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(br + <usize>j)));
      v = v128.bitselect(ninf, v, i32x4.ne(b, i32x4.splat(0)));
    }
    v128.store(yr + o, v);
    vmax = f32x4.max(vmax, v);
  }
  let m = max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
              max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
  for (; j < end; j++) {
    let v = load<f32>(xr + (<usize>j << 2)) * scale;
    if (j >= len) v = LENS_FILL;
    if (mr) v += load<f32>(mr + (<usize>j << 2));
    if (br && load<u8>(br + <usize>j) != 0) v = -Infinity;
    store<f32>(yr + (<usize>j << 2), v);
    m = max(m, v);
  }
  return m;
}

// Pass 2: yr[j] = exp(yr[j] - m) for j < end, returns the sum.
@inline function exp_row(yr: usize, end: i32, m: f32): f32 {
  const vm = f32x4.splat(m);
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= end; j += 8) {
    const o = <usize>j << 2;
    const e0 = exp_f32x4(f32x4.sub(v128.load(yr + o), vm));
    const e1 = exp_f32x4(f32x4.sub(v128.load(yr + o, 16), vm));
    v128.store(yr + o, e0);
    v128.store(yr + o, e1, 16);
    acc0 = f32x4.add(acc0, e0);
    acc1 = f32x4.add(acc1, e1);
  }
  for (; j + 4 <= end; j += 4) {
    const o = <usize>j << 2;
    const e0 = exp_f32x4(f32x4.sub(v128.load(yr + o), vm));
    v128.store(yr + o, e0);
    acc0 = f32x4.add(acc0, e0);
  }
  acc0 = f32x4.add(acc0, acc1);
  let sum = (f32x4.extract_lane(acc0, 0) + f32x4.extract_lane(acc0, 1)) +
            (f32x4.extract_lane(acc0, 2) + f32x4.extract_lane(acc0, 3));
  for (; j < end; j++) {
    const p = yr + (<usize>j << 2);
    const e = f32x4.extract_lane(exp_f32x4(f32x4.splat(load<f32>(p) - m)), 0);
    store<f32>(p, e);
    sum += e;
  }
  return sum;
}

// Pass 3: yr[j] *= inv for j < end, yr[j] = 0 for end <= j < cols.
@inline function scale_row(yr: usize, end: i32, cols: i32, inv: f32): void {
  const vinv = f32x4.splat(inv);
  let j = 0;
  for (; j + 4 <= end; j += 4) {
    const o = <usize>j << 2;
    v128.store(yr + o, f32x4.mul(v128.load(yr + o), vinv));
  }
  for (; j < end; j++) store<f32>(yr + (<usize>j << 2), load<f32>(yr + (<usize>j << 2)) * inv);
  for (; j < cols; j++) store<f32>(yr + (<usize>j << 2), 0);
}

export function softmax_rows_f32(rows: i32, cols: i32, x: usize, ldx: i32, y: usize, ldy: i32, scale: f32,
                                 mask: usize, ldm: i32, bmask: usize, ldbm: i32, causal: i32, causalOffset: i32,
                                 lens: usize): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>ldx) << 2);
    const yr = y + ((<usize>r * <usize>ldy) << 2);
    const mr = mask ? mask + ((<usize>r * <usize>ldm) << 2) : 0;
    const br = bmask ? bmask + <usize>r * <usize>ldbm : 0;
    const end = causal_end(r, cols, causal, causalOffset);
    const m = scores_row(xr, yr, end, valid_len(lens, r, cols), scale, mr, br);
    if (m == -Infinity) {
      scale_row(yr, 0, cols, 0); // every score -inf (or causal end 0): zeros, as PyTorch SDPA
      continue;
    }
    const sum = exp_row(yr, end, m);
    scale_row(yr, end, cols, <f32>(1.0 / <f64>sum));
  }
}

export function softmax_rows_f32_ref(rows: i32, cols: i32, x: usize, ldx: i32, y: usize, ldy: i32, scale: f32,
                                     mask: usize, ldm: i32, bmask: usize, ldbm: i32, causal: i32, causalOffset: i32,
                                     lens: usize): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>ldx) << 2);
    const yr = y + ((<usize>r * <usize>ldy) << 2);
    let m: f32 = -Infinity;
    for (let j = 0; j < cols; j++) {
      let s = load<f32>(xr + (<usize>j << 2)) * scale;
      if (lens && j >= load<i32>(lens + (<usize>r << 2))) s = -1e6;
      if (mask) s += load<f32>(mask + ((<usize>r * <usize>ldm + <usize>j) << 2));
      if (bmask && load<u8>(bmask + <usize>r * <usize>ldbm + <usize>j) != 0) s = -Infinity;
      if (causal && <i64>j > <i64>r + <i64>causalOffset) s = -Infinity;
      store<f32>(yr + (<usize>j << 2), s);
      m = max(m, s);
    }
    if (m == -Infinity) {
      for (let j = 0; j < cols; j++) store<f32>(yr + (<usize>j << 2), 0);
      continue;
    }
    let sum = 0.0;
    for (let j = 0; j < cols; j++) sum += Math.exp(<f64>load<f32>(yr + (<usize>j << 2)) - <f64>m);
    for (let j = 0; j < cols; j++) {
      const p = yr + (<usize>j << 2);
      store<f32>(p, <f32>(Math.exp(<f64>load<f32>(p) - <f64>m) / sum));
    }
  }
}
