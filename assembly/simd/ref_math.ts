// Float64 special functions for the scalar reference kernels (AssemblyScript has no Math.erf).
// Accurate to ~1e-14 relative, far below float32 resolution, so the references are exact for f32 tests.

// erf(x) = 2/√π · exp(-x²) · Σ_n 2^n x^(2n+1) / (1·3·…·(2n+1)): all terms positive, no cancellation.
function erf_series(x: f64): f64 {
  const x2 = x * x;
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= 2 * x2 / <f64>(2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return 1.1283791670955126 * Math.exp(-x2) * sum;
}

// erfc(x) for x >= 2 by its continued fraction (modified Lentz):
// erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))).
function erfc_cf(x: f64): f64 {
  const tiny = 1e-300;
  let f = x, C = x, D = 0.0;
  for (let n = 1; n < 500; n++) {
    const a = <f64>n * 0.5;
    D = x + a * D; if (D == 0) D = tiny; D = 1 / D;
    C = x + a / C; if (C == 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * 1.7724538509055160);
}

// erfc(x) for x >= 0 (NaN passes through).
export function erfc_pos_f64(x: f64): f64 {
  if (x != x) return x;
  if (x >= 27) return 0;
  return x < 2 ? 1 - erf_series(x) : erfc_cf(x);
}

export function erf_f64(x: f64): f64 {
  if (x != x) return x;
  const a = Math.abs(x);
  const v = a < 2 ? erf_series(a) : 1 - erfc_pos_f64(a);
  return x < 0 ? -v : v;
}

// x·Φ(x) with Φ(x) = erfc(-x/√2)/2, so x < 0 stays relatively accurate; gelu(-inf) = -0, gelu(+inf) = +inf.
export function gelu_f64(x: f64): f64 {
  if (x == -Infinity) return -0.0;
  const h = 0.5 * erfc_pos_f64(Math.abs(x) * 0.7071067811865476);
  return x * (x < 0 ? h : 1 - h);
}

export function gelu_tanh_f64(x: f64): f64 {
  if (x == -Infinity) return -0.0;
  if (x == Infinity) return x;
  // 0.5x(1 + tanh(u)) = x / (1 + exp(-2u)): the same value without the cancellation of 1 + tanh(u) for x << 0
  return x / (1 + Math.exp(-1.5957691216057308 * (x + 0.044715 * x * x * x)));
}
