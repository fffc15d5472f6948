// Row softmax with the masks attention needs, in three passes per row (max, exp-and-sum, scale).
// x: [rows, cols] (row stride ldx), y: [rows, cols] (row stride ldy); x == y with ldx == ldy works in place.
// Per row r, s = x*scale, then in this order:
//   lens  (i32[rows], 0 = none): s[j] = -1e6 for j >= lens[r]   (d2l masked_softmax: replaced, len 0 -> uniform row)
//   mask  (f32, row r at mask + r*ldm elements, ldm 0 = one broadcast row, 0 = none): s += mask
//   bmask (u8, row r at bmask + r*ldbm bytes, 0 = none): s = -inf where bmask != 0 (PyTorch MHA: 1 = not allowed)
//   causal != 0: s = -inf for j > r + causalOffset
// y = exp(s - max s) / Σ exp(s - max s); a row whose every s is -inf gives zeros (PyTorch SDPA); NaN propagates.
// exp(s - max) is exp_nonpos_f32x4 (<= 1 ulp; terms below 2^-126, i.e. probabilities below ~1e-38, become 0).
// Rows are independent: rows [r0, r1) alone are the same call with x, y, mask (unless broadcast), bmask and lens
// moved to row r0, rows = r1 - r0 and causalOffset + r0.
//
// Fast path (no float/bool mask or lens, scale > 0 finite, causal or not: the attention-weights case): the max
// is taken over x itself (rounding is monotonic, so max(x)·scale = max(x·scale) exactly) and s is never stored,
// so each row is read twice and written twice. Masked rows store s into y first and then run the same
// exp-and-sum loop in place.
// The exp-and-sum loop loads the exp constants once per row into locals (expNonposK: V8 15 would otherwise
// rematerialise them at every use) and runs four vectors per iteration into four partial sums; 1/sum is one
// float32 division (correctly rounded, as 1/sum in float64 rounded to float32 would be, up to double rounding). The fast path also takes the row's min: when its exp
// argument is above the flush cutoff (no -inf and a range below ~87), exp skips its flush-to-zero compare.
import { exp_nonpos_f32x4, expNonposK, expNonposConst, EXPNP_LOG2E, EXPNP_MAGIC, EXPNP_NLN2_HI, EXPNP_NLN2_LO,
         EXPNP_Q, EXPNP_CUT, EXPNP_CUTOFF } from '../simd/math';

const LENS_FILL: f32 = -1e6;

// Columns >= the causal end are -inf, i.e. exactly 0 after softmax, so the passes stop there.
@inline function causalEnd(r: i32, cols: i32, causal: i32, causalOffset: i32): i32 {
  if (!causal) return cols;
  const e = <i64>r + <i64>causalOffset + 1;
  return e < 0 ? 0 : e > <i64>cols ? cols : <i32>e;
}

@inline function validLen(lens: usize, r: i32, cols: i32): i32 {
  if (!lens) return cols;
  const v = load<i32>(lens + (<usize>r << 2));
  return v < 0 ? 0 : v > cols ? cols : v;
}

// Horizontal max / sum kept in SIMD registers (shuffles), shorter than four extracts and scalar max/add in V8.
@inline function hpmax(v: v128): f32 {
  const a = f32x4.pmax(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.pmax(a, v128.shuffle<f32>(a, a, 1, 0, 3, 2)), 0);
}

@inline function hpmin(v: v128): f32 {
  const a = f32x4.pmin(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.pmin(a, v128.shuffle<f32>(a, a, 1, 0, 3, 2)), 0);
}

@inline function hsum(v: v128): f32 {
  const a = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(a, v128.shuffle<f32>(a, a, 1, 0, 3, 2)), 0);
}

// Fast-path pass 1: [max, min] of xr[0 .. cols) in lanes 0 and 1 (returned together, so the kernel keeps no
// state outside its arguments). pmax/pmin (one maxps/minps) may drop a NaN, which is harmless: a NaN element
// still makes its exp, the sum and so the whole row NaN in pass 2. Only a row of NaN and -inf alone would be
// taken for all -inf; the caller checks that case.
@inline function rowMaxMin(xr: usize, cols: i32): v128 {
  let m0 = f32x4.splat(-Infinity);
  let m1 = m0, m2 = m0, m3 = m0;
  let n0 = f32x4.splat(Infinity);
  let n1 = n0, n2 = n0, n3 = n0;
  let j = 0;
  for (; j + 16 <= cols; j += 16) {
    const p = xr + (<usize>j << 2);
    const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
    m0 = f32x4.pmax(m0, v0); m1 = f32x4.pmax(m1, v1); m2 = f32x4.pmax(m2, v2); m3 = f32x4.pmax(m3, v3);
    n0 = f32x4.pmin(n0, v0); n1 = f32x4.pmin(n1, v1); n2 = f32x4.pmin(n2, v2); n3 = f32x4.pmin(n3, v3);
  }
  for (; j + 4 <= cols; j += 4) {
    const v = v128.load(xr + (<usize>j << 2));
    m0 = f32x4.pmax(m0, v);
    n0 = f32x4.pmin(n0, v);
  }
  let m = hpmax(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
  let mn = hpmin(f32x4.pmin(f32x4.pmin(n0, n1), f32x4.pmin(n2, n3)));
  for (; j < cols; j++) {
    const v = load<f32>(xr + (<usize>j << 2));
    m = max(m, v);
    mn = min(mn, v);
  }
  return f32x4(m, mn, 0, 0);
}

// true if xr[0 .. cols) holds a NaN (only asked for rows whose max came out -inf).
function rowHasNaN(xr: usize, cols: i32): bool {
  for (let j = 0; j < cols; j++) {
    const v = load<f32>(xr + (<usize>j << 2));
    if (v != v) return true;
  }
  return false;
}

// Pass 2: yr[j] = exp(sr[j]·scale - m) for j < end (scale applied only if hasScale), returns the sum.
// sr may be yr (in place).
@inline function expSumRow(sr: usize, yr: usize, end: i32, scale: f32, m: f32, hasScale: bool, flush: bool): f32 {
  const vm = f32x4.splat(m);
  const vs = f32x4.splat(scale);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const kl = expNonposConst(EXPNP_LOG2E), km = expNonposConst(EXPNP_MAGIC);
  const kh = expNonposConst(EXPNP_NLN2_HI), kL = expNonposConst(EXPNP_NLN2_LO);
  const q0 = expNonposConst(EXPNP_Q), q1 = expNonposConst(EXPNP_Q + 1), q2 = expNonposConst(EXPNP_Q + 2);
  const q3 = expNonposConst(EXPNP_Q + 3), q4 = expNonposConst(EXPNP_Q + 4), kc = expNonposConst(EXPNP_CUT);
  let j = 0;
  for (; j + 16 <= end; j += 16) {
    const o = <usize>j << 2;
    let v0 = v128.load(sr + o), v1 = v128.load(sr + o, 16), v2 = v128.load(sr + o, 32), v3 = v128.load(sr + o, 48);
    if (hasScale) { v0 = f32x4.mul(v0, vs); v1 = f32x4.mul(v1, vs); v2 = f32x4.mul(v2, vs); v3 = f32x4.mul(v3, vs); }
    const e0 = expNonposK(f32x4.sub(v0, vm), kl, km, kh, kL, q0, q1, q2, q3, q4, kc, flush);
    const e1 = expNonposK(f32x4.sub(v1, vm), kl, km, kh, kL, q0, q1, q2, q3, q4, kc, flush);
    const e2 = expNonposK(f32x4.sub(v2, vm), kl, km, kh, kL, q0, q1, q2, q3, q4, kc, flush);
    const e3 = expNonposK(f32x4.sub(v3, vm), kl, km, kh, kL, q0, q1, q2, q3, q4, kc, flush);
    v128.store(yr + o, e0);
    v128.store(yr + o, e1, 16);
    v128.store(yr + o, e2, 32);
    v128.store(yr + o, e3, 48);
    a0 = f32x4.add(a0, e0);
    a1 = f32x4.add(a1, e1);
    a2 = f32x4.add(a2, e2);
    a3 = f32x4.add(a3, e3);
  }
  for (; j + 4 <= end; j += 4) {
    const o = <usize>j << 2;
    let v = v128.load(sr + o);
    if (hasScale) v = f32x4.mul(v, vs);
    const e = expNonposK(f32x4.sub(v, vm), kl, km, kh, kL, q0, q1, q2, q3, q4, kc, flush);
    v128.store(yr + o, e);
    a0 = f32x4.add(a0, e);
  }
  let sum = hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  for (; j < end; j++) {
    let v = load<f32>(sr + (<usize>j << 2));
    if (hasScale) v *= scale;
    const e = f32x4.extract_lane(exp_nonpos_f32x4(f32x4.splat(v - m)), 0);
    store<f32>(yr + (<usize>j << 2), e);
    sum += e;
  }
  return sum;
}

// Pass 3: yr[j] *= inv for j < end, yr[j] = 0 for end <= j < cols.
@inline function scaleRow(yr: usize, end: i32, cols: i32, inv: f32): void {
  const vinv = f32x4.splat(inv);
  let j = 0;
  for (; j + 16 <= end; j += 16) {
    const p = yr + (<usize>j << 2);
    v128.store(p, f32x4.mul(v128.load(p), vinv));
    v128.store(p, f32x4.mul(v128.load(p, 16), vinv), 16);
    v128.store(p, f32x4.mul(v128.load(p, 32), vinv), 32);
    v128.store(p, f32x4.mul(v128.load(p, 48), vinv), 48);
  }
  for (; j + 4 <= end; j += 4) {
    const p = yr + (<usize>j << 2);
    v128.store(p, f32x4.mul(v128.load(p), vinv));
  }
  for (; j < end; j++) store<f32>(yr + (<usize>j << 2), load<f32>(yr + (<usize>j << 2)) * inv);
  for (; j < cols; j++) store<f32>(yr + (<usize>j << 2), 0);
}

// Rows without float/bool masks or lens, scale > 0 and finite; hasScale false means scale == 1. A causal mask
// only shortens the row to [0, end): the rest is written as zeros by pass 3.
@inline function softmaxPlain(rows: i32, cols: i32, x: usize, ldx: i32, y: usize, ldy: i32, scale: f32,
                               hasScale: bool, causal: i32, causalOffset: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>ldx) << 2);
    const yr = y + ((<usize>r * <usize>ldy) << 2);
    const end = causalEnd(r, cols, causal, causalOffset);
    const mm = rowMaxMin(xr, end);
    let m = f32x4.extract_lane(mm, 0);
    const rowMin = f32x4.extract_lane(mm, 1);
    if (m == -Infinity) {
      // every x is -inf (or end is 0): zeros (PyTorch SDPA); unless pmax dropped a NaN, then NaN like the rest
      // of the kernel (x may be y: look for the NaN before writing)
      const fillv: f32 = rowHasNaN(xr, end) ? NaN : 0;
      for (let j = 0; j < end; j++) store<f32>(yr + (<usize>j << 2), fillv);
      for (let j = end; j < cols; j++) store<f32>(yr + (<usize>j << 2), 0);
      continue;
    }
    if (hasScale) m *= scale;
    // smallest exp argument of the row (x·scale - m is monotonic in x): no flush needed if it is >= the cutoff
    const tmin = (hasScale ? rowMin * scale : rowMin) - m;
    const sum = tmin >= EXPNP_CUTOFF ? expSumRow(xr, yr, end, scale, m, hasScale, false)
                                     : expSumRow(xr, yr, end, scale, m, hasScale, true);
    scaleRow(yr, end, cols, <f32>1 / sum);
  }
}

// Masked pass 1 for one row: writes s[0 .. end) into yr and returns its max (pmax: a NaN may be dropped, as in
// rowMaxMin).
@inline function scoresRow(xr: usize, yr: usize, end: i32, len: i32, scale: f32, mr: usize, br: usize): f32 {
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
    vmax = f32x4.pmax(vmax, v);
  }
  let m = hpmax(vmax);
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

export function softmax_rows_f32(rows: i32, cols: i32, x: usize, ldx: i32, y: usize, ldy: i32,
                                 mask: usize, ldm: i32, bmask: usize, ldbm: i32, lens: usize,
                                 scale: f32, causal: i32, causalOffset: i32): void {
  if (!mask && !bmask && !lens && scale > 0 && scale < Infinity) {
    if (scale == 1) softmaxPlain(rows, cols, x, ldx, y, ldy, 1, false, causal, causalOffset);
    else softmaxPlain(rows, cols, x, ldx, y, ldy, scale, true, causal, causalOffset);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>ldx) << 2);
    const yr = y + ((<usize>r * <usize>ldy) << 2);
    const mr = mask ? mask + ((<usize>r * <usize>ldm) << 2) : 0;
    const br = bmask ? bmask + <usize>r * <usize>ldbm : 0;
    const end = causalEnd(r, cols, causal, causalOffset);
    const m = scoresRow(xr, yr, end, validLen(lens, r, cols), scale, mr, br);
    if (m == -Infinity) {
      // every score -inf (or causal end 0): zeros, as PyTorch SDPA; NaN if pmax dropped one (see rowMaxMin)
      const fillv: f32 = rowHasNaN(yr, end) ? NaN : 0;
      for (let j = 0; j < end; j++) store<f32>(yr + (<usize>j << 2), fillv);
      for (let j = end; j < cols; j++) store<f32>(yr + (<usize>j << 2), 0);
      continue;
    }
    const sum = expSumRow(yr, yr, end, 1, m, false, true);
    scaleRow(yr, end, cols, <f32>1 / sum);
  }
}

export function softmax_rows_f32_ref(rows: i32, cols: i32, x: usize, ldx: i32, y: usize, ldy: i32,
                                     mask: usize, ldm: i32, bmask: usize, ldbm: i32, lens: usize,
                                     scale: f32, causal: i32, causalOffset: i32): void {
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
