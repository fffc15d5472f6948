// Inline f32x4 math shared by the elementwise, softmax, additive and GELU kernels.
// Coefficients are our own fits, derived by tools/fit_simd_math.py (weighted least squares refined towards
// equal-ripple relative error); float64 fit errors are ~1e-8 or below, so the float32 evaluation dominates.
// Measured max errors are written beside each function: dense sweeps (2^22 points per range, simd and relaxed builds)
// against float64 references in tests/kernels_misc.test.ts; "ulp" = |err| / ulp(exact value, in float32).
import { madd } from './simd_madd';

// ln2 split for Cody-Waite range reduction: LN2_HI has 9 significant bits, so k * LN2_HI is exact for |k| <= 2^15.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const LOG2E: f32 = 1.44269504;

// exp(x) = 2^k · e^r, k = round(x·log2 e), r = x - k·ln2 in [-ln2/2, ln2/2];
// e^r = 1 + r + r²·q(r), q a degree-4 fit (fit rel. error 3.1e-9).
// 2^k is applied as two exact factors 2^(k>>1) · 2^(k-(k>>1)) so that k = 128 (x up to 88.72) and the
// subnormal range (x down to -103.9) work without special cases; x is clamped to [-104, 89] first, which
// makes exp(-inf) = 0 and exp(+inf) = inf by plain underflow/overflow. NaN passes through min/max.
// Measured: max 0.99 ulp over x in [-87.3, 88.7] (simd 0.98, relaxed 0.99); subnormal results (x in [-103, -87.3])
// within 0.75 of the subnormal spacing.
@inline export function exp_f32x4(x: v128): v128 {
  return exp_core(x, f32x4.splat(0), false);
}

// exp(hi + lo) with |lo| small: lo joins after the (exact) reduction hi - k·LN2_HI, so the rounding of
// hi + lo to one float, which would cost |hi|·2^-24 absolute in the argument, never happens.
@inline function exp_hl_f32x4(hi: v128, lo: v128): v128 {
  return exp_core(hi, lo, true);
}

@inline function exp_core(x: v128, lo: v128, hasLo: bool): v128 {
  const xc = f32x4.max(f32x4.min(x, f32x4.splat(89.0)), f32x4.splat(-104.0));
  const kf = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = madd(kf, f32x4.splat(-LN2_HI), xc);
  r = madd(kf, f32x4.splat(-LN2_LO), r);
  if (hasLo) r = f32x4.add(r, lo);
  let q = madd(f32x4.splat(0.0013814592966809869), r, f32x4.splat(0.008368708193302155));
  q = madd(q, r, f32x4.splat(0.04166838899254799));
  q = madd(q, r, f32x4.splat(0.1666652113199234));
  q = madd(q, r, f32x4.splat(0.4999999403953552));
  const p = f32x4.add(madd(f32x4.mul(r, r), q, r), f32x4.splat(1.0));
  const k = i32x4.trunc_sat_f32x4_s(kf);
  const k1 = i32x4.shr_s(k, 1);
  const k2 = i32x4.sub(k, k1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(k1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(k2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

// exp(-c·z²) for c a power of two, without rounding z² first: z = zh + zl with zh the top 12 significand bits,
// so c·zh² is exact and the small rest c·zl·(z + zh) goes in as the low part.
// z is capped at 20 first (exp(-c·400) is 0 in float32 for c >= 1/2), which keeps z = inf from making inf - inf.
@inline function exp_neg_sq_f32x4(x: v128, c: f32): v128 {
  const z = f32x4.min(x, f32x4.splat(20.0));
  const zh = v128.and(z, i32x4.splat(<i32>0xFFFFF000));
  const zl = f32x4.sub(z, zh);
  const hi = f32x4.mul(f32x4.mul(zh, zh), f32x4.splat(-c));
  const lo = f32x4.mul(f32x4.mul(zl, f32x4.add(z, zh)), f32x4.splat(-c));
  return exp_hl_f32x4(hi, lo);
}

const SIGN: i32 = <i32>0x80000000;
const TANH_SPLIT: f32 = 0.625;

// tanh(x): |x| < 0.625: x + x³·P(x²), P a degree-4 fit (fit rel. error 4.4e-9), keeps tanh(-0) = -0;
// otherwise sign(x)·(1 - e)/(1 + e) with e = exp(-2|x|) (no cancellation: e <= 0.29 there).
// exp(-2|x|) underflows to 0 for large |x|, so tanh(+-100) = tanh(+-inf) = +-1 exactly; NaN -> NaN.
// Measured: max 1.50 ulp over x in [-10, 10] (both builds).
@inline export function tanh_f32x4(x: v128): v128 {
  const a = f32x4.abs(x);
  const u = f32x4.mul(x, x);
  let P = madd(f32x4.splat(-0.0057049887254834175), u, f32x4.splat(0.02063908986747265));
  P = madd(P, u, f32x4.splat(-0.05373971536755562));
  P = madd(P, u, f32x4.splat(0.13331441581249237));
  P = madd(P, u, f32x4.splat(-0.3333328068256378));
  const small = madd(f32x4.mul(a, u), P, a);
  const e = exp_f32x4(f32x4.mul(a, f32x4.splat(-2.0)));
  const one = f32x4.splat(1.0);
  const big = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  // |tanh x| from either branch, then x's sign bit (this also keeps tanh(-0) = -0)
  const mag = v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(TANH_SPLIT)));
  return v128.or(mag, v128.and(x, i32x4.splat(SIGN)));
}

const ERF_SPLIT: f32 = 0.875;

// erf(z) / z = P(z²) for |z| < 0.875, P degree 5 (fit rel. error 8.5e-9).
@inline function erf_small(z: v128, u: v128): v128 {
  let P = madd(f32x4.splat(-0.0006203253869898617), u, f32x4.splat(0.005032181274145842));
  P = madd(P, u, f32x4.splat(-0.026791462674736977));
  P = madd(P, u, f32x4.splat(0.11282455176115036));
  P = madd(P, u, f32x4.splat(-0.3761255145072937));
  P = madd(P, u, f32x4.splat(1.1283791065216064));
  return f32x4.mul(z, P);
}

// erfc(a) for a >= 0.875 (a >= 0 in general): exp(-a²)·R(t), t = 1/(1 + a/2), R degree 9 (fit rel. error 7.9e-10).
// The caller passes e = exp(-a²) (see exp_neg_sq_f32x4). a = +inf gives 0·R(0) = 0.
@inline function erfc_large(a: v128, e: v128): v128 {
  const one = f32x4.splat(1.0);
  const t = f32x4.div(one, madd(a, f32x4.splat(0.5), one));
  let R = madd(f32x4.splat(-0.06816394627094269), t, f32x4.splat(0.3284015953540802));
  R = madd(R, t, f32x4.splat(-0.574901819229126));
  R = madd(R, t, f32x4.splat(0.37416431307792664));
  R = madd(R, t, f32x4.splat(-0.0902281403541565));
  R = madd(R, t, f32x4.splat(0.22902990877628326));
  R = madd(R, t, f32x4.splat(0.23628954589366913));
  R = madd(R, t, f32x4.splat(0.28343436121940613));
  R = madd(R, t, f32x4.splat(0.28199687600135803));
  R = madd(R, t, f32x4.splat(3.13155601361359e-06));
  return f32x4.mul(e, R);
}

// erfc(a) for a >= 0 (or NaN), relatively accurate in the tail. e must be exp(-a²).
@inline function erfc_pos(a: v128, e: v128): v128 {
  const small = f32x4.sub(f32x4.splat(1.0), erf_small(a, f32x4.mul(a, a)));
  return v128.bitselect(small, erfc_large(a, e), f32x4.lt(a, f32x4.splat(ERF_SPLIT)));
}

@inline export function erfc_pos_f32x4(a: v128): v128 {
  return erfc_pos(a, exp_neg_sq_f32x4(a, 1.0));
}

// erf(x), odd; erf(+-inf) = +-1, NaN -> NaN (same pieces as GELU below).
@inline export function erf_f32x4(x: v128): v128 {
  const a = f32x4.abs(x);
  const small = erf_small(a, f32x4.mul(a, a));
  const big = f32x4.sub(f32x4.splat(1.0), erfc_large(a, exp_neg_sq_f32x4(a, 1.0)));
  const mag = v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(ERF_SPLIT)));
  return v128.or(mag, v128.and(x, i32x4.splat(SIGN)));
}

// Below x = -20 both GELU forms are -0 in float32; clamping there keeps gelu(-inf) = -0 instead of -inf·0 = NaN.
const GELU_LO: f32 = -20.0;

// GELU(x) = x·Φ(x), Φ(x) = erfc(-x/√2)/2: the tail is taken from erfc directly, so x < 0 keeps relative accuracy.
// Measured: max 6.04 ulp over x in [-10, 10] (near x = -1.23, where Φ = (1 - erf)/2 cancels), 6.74 ulp on
// [-13, -3]; max abs error 4.8e-7 (1 ulp at x = 4).
@inline export function gelu_f32x4(x: v128): v128 {
  const xc = f32x4.max(x, f32x4.splat(GELU_LO));
  const ax = f32x4.abs(xc);
  // erfc(|x|/√2) with exp(-x²/2) taken from x itself, so the rounding of |x|/√2 only touches R(t)
  const ec = erfc_pos(f32x4.mul(ax, f32x4.splat(0.70710678118654752)), exp_neg_sq_f32x4(ax, 0.5));
  const half = f32x4.mul(ec, f32x4.splat(0.5));
  const phi = v128.bitselect(half, f32x4.sub(f32x4.splat(1.0), half), f32x4.lt(xc, f32x4.splat(0)));
  return f32x4.mul(xc, phi);
}

// tanh-form GELU: 0.5x(1 + tanh(u)) = x·sigmoid(2u) = x / (1 + exp(-2u)), u = √(2/π)(x + 0.044715x³);
// the sigmoid form has no cancellation for x < 0.
// Measured: max 2.09 ulp on [-0.5, 0.5], 15.4 ulp on [-3, 3]; the float32 argument 2u carries |2u|·2^-24 relative
// rounding (inherent to evaluating the cubic in float32), so for x < -3 up to ~160 ulp, i.e. abs error <= 3.5e-9.
@inline export function gelu_tanh_f32x4(x: v128): v128 {
  const xc = f32x4.max(x, f32x4.splat(GELU_LO));
  const x3 = f32x4.mul(f32x4.mul(xc, xc), xc);
  const m2u = f32x4.mul(madd(x3, f32x4.splat(0.044715), xc), f32x4.splat(-1.5957691216057308)); // -2·√(2/π)
  return f32x4.div(xc, f32x4.add(f32x4.splat(1.0), exp_f32x4(m2u)));
}
