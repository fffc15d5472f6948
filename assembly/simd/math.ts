// Inline f32x4 math shared by the elementwise, softmax, additive and GELU kernels.
// Coefficients are our own fits, derived by tools/fit_simd_math.py (weighted least squares refined towards
// equal-ripple relative error); float64 fit errors are ~1e-8 or below, so the float32 evaluation dominates.
// Max errors are written beside each function, measured by dense sweeps (2^22 points per range, simd and
// relaxed builds) against float64 references in tests/tests/kernels/elementwise_f32.test.ts; "ulp" = |err| / ulp(exact value, in float32).
//
// Constants live in a table in linear memory (K below) and are read with v128.load32_splat, never written as
// v128.const: V8 15 (Deno 2.x) rematerialises every v128.const at each use inside a loop (a 64-bit immediate
// move plus inserts, per use), which made these polynomials several times slower there than in V8 11
// (bench/TUNING.md).
// A splat-load is one instruction and costs about as much as reloading a spilled register.
// Clamps use pmin/pmax (one minps/maxps in V8) with the operand order that keeps NaN: pmin(x, c) = c < x ? c : x
// and pmax(x, c) = x < c ? c : x both return x when x is NaN. f32x4.min/max are a ~8-instruction sequence in V8.
import { madd } from './madd';

// ln2 split for Cody-Waite range reduction: LN2_HI has 9 significant bits, so k * LN2_HI is exact for |k| <= 2^15.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const LOG2E: f32 = 1.44269504;
// Round-to-integer by magic addition: for |v| < 2^22, (v + 1.5·2^23) - 1.5·2^23 = round(v) and the low bits of
// (v + 1.5·2^23) as an integer hold round(v) + 0x400000 (+ 127 with MAGIC_B, the float exponent bias).
const MAGIC: f32 = 12582912.0;
const MAGIC_B: f32 = 12583039.0;
// Below ln(2^-126) exp is subnormal; exp_nonpos_f32x4 returns 0 there.
const EXP_CUTOFF: f32 = -87.33654475;
const TANH_SPLIT: f32 = 0.625;
const ERF_SPLIT: f32 = 0.875;
// Below x = -20 both GELU forms are -0 in float32; clamping there keeps gelu(-inf) = -0 instead of -inf·0 = NaN.
const GELU_LO: f32 = -20.0;

// Table indices (f32 slots of K).
const C_LOG2E = 0, C_MAGIC = 1, C_MAGIC_B = 2, C_NLN2_HI = 3, C_NLN2_LO = 4;
const C_EQ = 5;          // 5 slots: exp q(r) from the highest power down
const C_ONE = 10, C_EXP_HI = 11, C_EXP_LO = 12, C_EXP_CUT = 13;
const C_TP = 14;         // 5 slots: tanh P(u)
const C_M2 = 19, C_TSPLIT = 20;
const C_EP = 21;         // 6 slots: erf P(u)
const C_ER = 27;         // 10 slots: erfc R(t)
const C_HALF = 37, C_ESPLIT = 38, C_20 = 39, C_GELU_LO = 40, C_RSQRT2 = 41, C_GT_A = 42, C_GT_M2S = 43;
const C_M1 = 44, C_MHALF = 45, C_NEG0 = 46;
const C_I127 = 47, C_HI12 = 48;   // integer slots

const K: usize = memory.data<f32>([
  LOG2E, MAGIC, MAGIC_B, -LN2_HI, -LN2_LO,
  0.0013814592966809869, 0.008368708193302155, 0.04166838899254799, 0.1666652113199234, 0.4999999403953552,
  1.0, 89.0, -104.0, EXP_CUTOFF,
  -0.0057049887254834175, 0.02063908986747265, -0.05373971536755562, 0.13331441581249237, -0.3333328068256378,
  -2.0, TANH_SPLIT,
  -0.0006203253869898617, 0.005032181274145842, -0.026791462674736977, 0.11282455176115036, -0.3761255145072937,
  1.1283791065216064,
  -0.06816394627094269, 0.3284015953540802, -0.574901819229126, 0.37416431307792664, -0.0902281403541565,
  0.22902990877628326, 0.23628954589366913, 0.28343436121940613, 0.28199687600135803, 3.13155601361359e-06,
  0.5, ERF_SPLIT, 20.0, GELU_LO, 0.70710678118654752, 0.044715, -1.5957691216057308,
  -1.0, -0.5, -0.0,
  reinterpret<f32>(127), reinterpret<f32>(<i32>0xFFFFF000),
], 16);

// Constant i of the table, in all four lanes.
@inline function kc(i: i32): v128 {
  return v128.load32_splat(K + (<usize>i << 2));
}

// m ? a : b lane-wise, m all-ones or all-zeros per lane (a comparison result): one blend in the relaxed build.
@inline function sel(m: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, m);
  return v128.bitselect(a, b, m);
}

// e^r - 1 - r ≈ r²·q(r) for r in [-ln2/2, ln2/2] (fit rel. error of e^r 3.1e-9); returns r + r²·q(r).
@inline function expPoly(r: v128): v128 {
  let q = madd(kc(C_EQ), r, kc(C_EQ + 1));
  q = madd(q, r, kc(C_EQ + 2));
  q = madd(q, r, kc(C_EQ + 3));
  q = madd(q, r, kc(C_EQ + 4));
  return madd(f32x4.mul(r, r), q, r);
}

// exp(x) = 2^k · e^r, k = round(x·log2 e), r = x - k·ln2 in [-ln2/2, ln2/2];
// e^r = 1 + r + r²·q(r), q a degree-4 fit (fit rel. error 3.1e-9).
// 2^k is applied as two exact factors 2^(k>>1) · 2^(k-(k>>1)) so that k = 128 (x up to 88.72) and the
// subnormal range (x down to -103.9) work without special cases; x is clamped to [-104, 89] first, which
// makes exp(-inf) = 0 and exp(+inf) = inf by plain underflow/overflow. NaN passes through the clamps.
// Max error: 0.99 ulp over x in [-87.3, 88.7]
// (simd 0.98, relaxed 0.99); subnormal results (x in [-103.9, -87.3]) within 0.75 of the subnormal spacing.
@inline export function exp_f32x4(x: v128): v128 {
  return expCore(x, f32x4.splat(0), false);
}

// exp(hi + lo) with |lo| small: lo joins after the (exact) reduction hi - k·LN2_HI, so the rounding of
// hi + lo to one float, which would cost |hi|·2^-24 absolute in the argument, never happens.
@inline function exp_hl_f32x4(hi: v128, lo: v128): v128 {
  return expCore(hi, lo, true);
}

@inline function expCore(x: v128, lo: v128, hasLo: bool): v128 {
  const xc = f32x4.pmax(f32x4.pmin(x, kc(C_EXP_HI)), kc(C_EXP_LO));
  const magic = kc(C_MAGIC);
  const n = madd(xc, kc(C_LOG2E), magic);          // 1.5·2^23 + k
  const kf = f32x4.sub(n, magic);
  let r = madd(kf, kc(C_NLN2_HI), xc);
  r = madd(kf, kc(C_NLN2_LO), r);
  if (hasLo) r = f32x4.add(r, lo);
  const p = expPoly(r);
  const k = i32x4.sub(n, magic);                   // integer k from the float bits
  const k1 = i32x4.shr_s(k, 1);
  const bias = kc(C_I127);
  const s1 = i32x4.shl(i32x4.add(k1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(k, k1), bias), 23);
  return f32x4.mul(madd(p, s1, s1), s2);           // (1 + p)·2^k1·2^k2, both products exact for normal results
}

// exp(t) for t <= 0 (or NaN): one scale factor, and results below 2^-126 (t < -87.34, which includes
// t = -inf) flushed to +0 instead of going subnormal; NaN propagates. Same polynomial as exp_f32x4.
// Max error: 0.97 ulp (simd) / 0.99 ulp (relaxed) over t in [-87.3, 0] (2^22 points, float64 reference; not
// exported on its own, so measured with a scratch export). Used where the argument is known to be <= 0:
// softmax's s - max, tanh's -2|x|.
@inline export function exp_nonpos_f32x4(t: v128): v128 {
  return expNonposK(t, kc(C_LOG2E), kc(C_MAGIC_B), kc(C_NLN2_HI), kc(C_NLN2_LO),
                      kc(C_EQ), kc(C_EQ + 1), kc(C_EQ + 2), kc(C_EQ + 3), kc(C_EQ + 4), kc(C_EXP_CUT), true);
}

// exp_nonpos_f32x4 with its constants passed in (each the splat of table slot EXPNP_* below), for loops that load
// them once into locals: expNonposK(t, c(EXPNP_LOG2E), c(EXPNP_MAGIC), c(EXPNP_NLN2_HI), c(EXPNP_NLN2_LO),
// c(EXPNP_Q) .. c(EXPNP_Q + 4), c(EXPNP_CUT), flush) with c = expNonposConst. flush false (a constant) skips
// the flush to 0 below the cutoff: only for t known to be >= EXPNP_CUTOFF (or NaN), where it changes nothing.
@inline export function expNonposK(t: v128, log2e: v128, magic: v128, nln2hi: v128, nln2lo: v128,
                                     q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, cut: v128, flush: bool): v128 {
  const n = madd(t, log2e, magic);                 // 1.5·2^23 + 127 + k: low 9 bits = k + 127 in [1, 127]
  const s = i32x4.shl(n, 23);                      // 2^k
  const kf = f32x4.sub(n, magic);
  let r = madd(kf, nln2hi, t);
  r = madd(kf, nln2lo, r);
  let q = madd(q0, r, q1);
  q = madd(q, r, q2);
  q = madd(q, r, q3);
  q = madd(q, r, q4);
  const f = madd(madd(f32x4.mul(r, r), q, r), s, s);
  if (!flush) return f;
  return v128.andnot(f, f32x4.lt(t, cut));
}

// Loads one constant of the table (for callers that hoist constants: see softmax_rows_f32).
@inline export function expNonposConst(i: i32): v128 {
  return kc(i);
}
export const EXPNP_LOG2E = C_LOG2E, EXPNP_MAGIC = C_MAGIC_B, EXPNP_NLN2_HI = C_NLN2_HI, EXPNP_NLN2_LO = C_NLN2_LO,
             EXPNP_Q = C_EQ, EXPNP_CUT = C_EXP_CUT;
export const EXPNP_CUTOFF: f32 = EXP_CUTOFF;

// exp(-c·z²) for c = 1 (cIdx C_M1) or 1/2 (C_MHALF), without rounding z² first: z = zh + zl with zh the top
// 12 significand bits, so c·zh² is exact and the small rest c·zl·(z + zh) goes in as the low part.
// z is capped at 20 first (exp(-c·400) is 0 in float32 for c >= 1/2), which keeps z = inf from making inf - inf.
@inline function exp_neg_sq_f32x4(x: v128, cIdx: i32): v128 {
  const z = f32x4.pmin(x, kc(C_20));
  const zh = v128.and(z, kc(C_HI12));
  const zl = f32x4.sub(z, zh);
  const mc = kc(cIdx);
  const hi = f32x4.mul(f32x4.mul(zh, zh), mc);
  const lo = f32x4.mul(f32x4.mul(zl, f32x4.add(z, zh)), mc);
  return exp_hl_f32x4(hi, lo);
}

// tanh(x): |x| < 0.625: x + x³·P(x²), P a degree-4 fit (fit rel. error 4.4e-9), keeps tanh(-0) = -0;
// otherwise sign(x)·(1 - e)/(1 + e) with e = exp(-2|x|) (no cancellation: e <= 0.29 there).
// e is 0 for |x| > 43.6 (exp_nonpos_f32x4 flushes below 2^-126), so tanh(+-100) = tanh(+-inf) = +-1 exactly;
// NaN -> NaN.
// Max error: 1.50 ulp over x in [-10, 10] (both builds).
@inline export function tanh_f32x4(x: v128): v128 {
  const sign = kc(C_NEG0);
  const a = v128.andnot(x, sign);
  const u = f32x4.mul(x, x);
  let P = madd(kc(C_TP), u, kc(C_TP + 1));
  P = madd(P, u, kc(C_TP + 2));
  P = madd(P, u, kc(C_TP + 3));
  P = madd(P, u, kc(C_TP + 4));
  const small = madd(f32x4.mul(a, u), P, a);
  const e = exp_nonpos_f32x4(f32x4.mul(a, kc(C_M2)));
  const one = kc(C_ONE);
  const big = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  // |tanh x| from either branch, then x's sign bit (this also keeps tanh(-0) = -0)
  const mag = sel(f32x4.lt(a, kc(C_TSPLIT)), small, big);
  return v128.or(mag, v128.and(x, sign));
}

// erf(z) / z = P(z²) for |z| < 0.875, P degree 5 (fit rel. error 8.5e-9).
@inline function erfSmall(z: v128, u: v128): v128 {
  let P = madd(kc(C_EP), u, kc(C_EP + 1));
  P = madd(P, u, kc(C_EP + 2));
  P = madd(P, u, kc(C_EP + 3));
  P = madd(P, u, kc(C_EP + 4));
  P = madd(P, u, kc(C_EP + 5));
  return f32x4.mul(z, P);
}

// erfc(a) for a >= 0.875 (a >= 0 in general): exp(-a²)·R(t), t = 1/(1 + a/2), R degree 9 (fit rel. error 7.9e-10).
// The caller passes e = exp(-a²) (see exp_neg_sq_f32x4). a = +inf gives 0·R(0) = 0.
@inline function erfcLarge(a: v128, e: v128): v128 {
  const one = kc(C_ONE);
  const t = f32x4.div(one, madd(a, kc(C_HALF), one));
  let R = madd(kc(C_ER), t, kc(C_ER + 1));
  R = madd(R, t, kc(C_ER + 2));
  R = madd(R, t, kc(C_ER + 3));
  R = madd(R, t, kc(C_ER + 4));
  R = madd(R, t, kc(C_ER + 5));
  R = madd(R, t, kc(C_ER + 6));
  R = madd(R, t, kc(C_ER + 7));
  R = madd(R, t, kc(C_ER + 8));
  R = madd(R, t, kc(C_ER + 9));
  return f32x4.mul(e, R);
}

// erfc(a) for a >= 0 (or NaN), relatively accurate in the tail. e must be exp(-a²).
@inline function erfcPos(a: v128, e: v128): v128 {
  const small = f32x4.sub(kc(C_ONE), erfSmall(a, f32x4.mul(a, a)));
  return sel(f32x4.lt(a, kc(C_ESPLIT)), small, erfcLarge(a, e));
}

@inline export function erfc_pos_f32x4(a: v128): v128 {
  return erfcPos(a, exp_neg_sq_f32x4(a, C_M1));
}

// erf(x), odd; erf(+-inf) = +-1, NaN -> NaN (same pieces as GELU below).
@inline export function erf_f32x4(x: v128): v128 {
  const sign = kc(C_NEG0);
  const a = v128.andnot(x, sign);
  const small = erfSmall(a, f32x4.mul(a, a));
  const big = f32x4.sub(kc(C_ONE), erfcLarge(a, exp_neg_sq_f32x4(a, C_M1)));
  const mag = sel(f32x4.lt(a, kc(C_ESPLIT)), small, big);
  return v128.or(mag, v128.and(x, sign));
}

// GELU(x) = x·Φ(x), Φ(x) = erfc(-x/√2)/2: the tail is taken from erfc directly, so x < 0 keeps relative accuracy.
// Max error: 6.04 ulp over x in [-10, 10]
// (near x = -1.23, where Φ = (1 - erf)/2 cancels; relaxed 6.03), 6.74 ulp on [-13, -3] (relaxed 5.54);
// max abs error 4.8e-7 (1 ulp at x = 4).
@inline export function gelu_f32x4(x: v128): v128 {
  const xc = f32x4.pmax(x, kc(C_GELU_LO));
  const ax = v128.andnot(xc, kc(C_NEG0));
  // erfc(|x|/√2) with exp(-x²/2) taken from x itself, so the rounding of |x|/√2 only touches R(t)
  const ec = erfcPos(f32x4.mul(ax, kc(C_RSQRT2)), exp_neg_sq_f32x4(ax, C_MHALF));
  const half = f32x4.mul(ec, kc(C_HALF));
  const phi = sel(f32x4.lt(xc, f32x4.splat(0)), half, f32x4.sub(kc(C_ONE), half));
  return f32x4.mul(xc, phi);
}

// tanh-form GELU: 0.5x(1 + tanh(u)) = x·sigmoid(2u) = x / (1 + exp(-2u)), u = √(2/π)(x + 0.044715x³);
// the sigmoid form has no cancellation for x < 0.
// Max error: 2.09 ulp on [-0.5, 0.5], 15.4 ulp on [-3, 3] (relaxed 14.5); the float32
// argument 2u carries |2u|·2^-24 relative rounding (inherent to evaluating the cubic in float32), so for x < -3 up
// to ~160 ulp, i.e. abs error <= 3.5e-9.
@inline export function gelu_tanh_f32x4(x: v128): v128 {
  const xc = f32x4.pmax(x, kc(C_GELU_LO));
  const x3 = f32x4.mul(f32x4.mul(xc, xc), xc);
  const m2u = f32x4.mul(madd(x3, kc(C_GT_A), xc), kc(C_GT_M2S)); // -2·√(2/π)
  return f32x4.div(xc, f32x4.add(kc(C_ONE), exp_f32x4(m2u)));
}

// sigmoid(x) = 1 / (1 + e^-x), from e = exp(-|x|) <= 1 (no overflow, no cancellation): 1 / (1 + e) for x >= 0,
// e / (1 + e) for x < 0, one division either way (e · (1 / (1 + e)) measured 2.7 ulp). sigmoid(+inf) = 1,
// sigmoid(-inf) = 0, NaN -> NaN; below x = -87.3 the result (< 2^-126) is flushed to +0 (exp_nonpos_f32x4), an
// absolute error below 1.2e-38.
// Max error: 2.40 ulp over x in [-80, 80] and [-10, 10] (at x = -5.54: e's error carries over in full for x < 0;
// x >= 0 is within 1 ulp), max abs error 8.9e-8 (simd and relaxed builds; 2^22 points against float64,
// tests/kernels/rnn_f32.test.ts).
@inline export function sigmoid_f32x4(x: v128): v128 {
  const one = kc(C_ONE);
  const e = exp_nonpos_f32x4(v128.or(x, kc(C_NEG0)));   // exp(-|x|)
  return f32x4.div(sel(f32x4.lt(x, f32x4.splat(0)), e, one), f32x4.add(one, e));
}
