// Float64 reference math, written straight from the formulas in shared/reference/ATTENTION_SEMANTICS.md.
// Deliberately naive loops (no kernels, nothing from bindings/) so the tests can catch the implementation.
// All matrices are row-major; a "matrix [r, c]" is a flat array of r*c numbers.

export type Num = ArrayLike<number>;

/** nn.Linear: y[rows, out] = x[rows, in] · Wᵀ + b, with W of shape [out, in] (§1.7). */
export function linear(x: Num, rows: number, inF: number, W: Num, b: Num | null | undefined): Float64Array {
  const outF = W.length / inF;
  if (!Number.isInteger(outF)) throw new Error(`reference linear: W has ${W.length} elements, not a multiple of in=${inF}`);
  if (x.length !== rows * inF) throw new Error(`reference linear: x has ${x.length} elements, expected ${rows}*${inF}`);
  if (b && b.length !== outF) throw new Error(`reference linear: bias has ${b.length} elements, expected ${outF}`);
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * W[o * inF + i];
      y[r * outF + o] = s;
    }
  }
  return y;
}

/** Plain matrix product a[m, k] · b[k, n]. */
export function matmul(a: Num, b: Num, m: number, k: number, n: number): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      y[i * n + j] = s;
    }
  }
  return y;
}

/**
 * a[m, k]·b[k, n] (b given as [n, k] with transB) + bias[n] in float64, with the worst-case error bound of ANY float32
 * evaluation of it, per element: (k + 2)·2^-23·(Σ_p |a_ip·b_pj| + |bias_j|) (a float32 sum of k + 1 terms in any
 * order, with or without FMA; a relu after it keeps the bound). Operands are dense (row strides k and n).
 */
export function matmulBound(a: Num, b: Num, m: number, k: number, n: number,
                            o: { bias?: Num | null; transB?: boolean } = {}): { want: Float64Array; tol: Float64Array } {
  const want = new Float64Array(m * n), tol = new Float64Array(m * n);
  const bias = o.bias ?? null;
  const [pStride, jStride] = o.transB ? [1, k] : [n, 1]; // B's element (p, j) is at p·pStride + j·jStride
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, mag = 0;
      for (let p = 0; p < k; p++) {
        const t = a[i * k + p] * b[p * pStride + j * jStride];
        s += t; mag += Math.abs(t);
      }
      if (bias) { s += bias[j]; mag += Math.abs(bias[j]); }
      want[i * n + j] = s;
      tol[i * n + j] = (k + 2) * 2 ** -23 * mag;
    }
  }
  return { want, tol };
}

/**
 * softmax over each row with the row max subtracted (§6.1). A row of all -Infinity gives NaN (0/0) like
 * torch.softmax; with `safe` it gives zeros like PyTorch's `_safe_softmax` (SDPA, §1.6). NaN propagates.
 */
export function softmaxRows(x: Num, rows: number, cols: number, safe = false): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    let allNegInf = true;
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c];
      m = Math.max(m, v); // Math.max(NaN, ...) is NaN: NaN propagates
      if (v !== -Infinity) allNegInf = false;
    }
    if (safe && allNegInf) continue; // row stays 0
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(x[r * cols + c] - m);
      y[r * cols + c] = e;
      sum += e;
    }
    for (let c = 0; c < cols; c++) y[r * cols + c] /= sum;
  }
  return y;
}

/** LayerNorm over the last dim (§2.4): biased variance, eps inside the sqrt, optional affine weight/bias. */
export function layerNorm(x: Num, rows: number, cols: number, weight: Num | null | undefined, bias: Num | null | undefined, eps = 1e-5): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let c = 0; c < cols; c++) mean += x[r * cols + c];
    mean /= cols;
    let v = 0;
    for (let c = 0; c < cols; c++) v += (x[r * cols + c] - mean) ** 2;
    v /= cols; // biased (correction=0)
    const inv = 1 / Math.sqrt(v + eps);
    for (let c = 0; c < cols; c++) {
      y[r * cols + c] = (x[r * cols + c] - mean) * inv * (weight ? weight[c] : 1) + (bias ? bias[c] : 0);
    }
  }
  return y;
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erfc(z) for large z by the Laplace continued fraction
 *   erfc(z) = exp(-z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...)))))
 * evaluated top-down (modified Lentz) until a step changes the value by less than 1e-16: full double precision at
 * z >= 3 in a few dozen steps, fewer as z grows.
 */
function erfcLarge(z: number): number {
  let f = z, C = z, D = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    D = 1 / (z + a * D);
    C = z + a / C;
    const d = C * D;
    f *= d;
    if (Math.abs(d - 1) < 1e-16) break;
  }
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}

/**
 * erf(x) for |x| < 3 by the everywhere-positive series
 *   erf(x) = 2/√π · exp(-x²) · Σ_{n≥0} 2ⁿ x^{2n+1} / (1·3·5···(2n+1))
 * (no cancellation between terms, so ~1e-15 relative error).
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** Error function, float64, |error| around 1e-15. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 3) return erfSeries(x);
  const r = 1 - erfcLarge(a);
  return x < 0 ? -r : r;
}

/** Complementary error function 1 - erf(x), accurate in the tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 3) return erfcLarge(x);
  if (x <= -3) return 2 - erfcLarge(-x);
  return 1 - erfSeries(x);
}

/** GELU, approximate='none': 0.5 x (1 + erf(x/√2)) = x Φ(x); Φ via erfc so the negative tail keeps precision. */
export function geluExact(x: number): number {
  return 0.5 * x * erfc(-x / Math.SQRT2);
}

/** GELU, approximate='tanh': 0.5 x (1 + tanh(u)), u = √(2/π) (x + 0.044715 x³), evaluated as x / (1 + e^(-2u)), the
 *  same value without the cancellation of 1 + tanh(u) for x << 0 (so it also serves the ulp sweeps of the kernel). */
export function geluTanh(x: number): number {
  const u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
  return x / (1 + Math.exp(-2 * u));
}

export function relu(x: number): number {
  return Number.isNaN(x) ? NaN : x > 0 ? x : 0;
}

export type Activation = 'relu' | 'gelu' | 'gelu_tanh';
export function activation(name: Activation): (x: number) => number {
  switch (name) {
    case 'relu': return relu;
    case 'gelu': return geluExact;
    case 'gelu_tanh': return geluTanh;
  }
}

/** Elementwise map into a new Float64Array. */
export function map(x: Num, f: (v: number) => number): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
  return y;
}

/** Elementwise sum into a new Float64Array. */
export function add(a: Num, b: Num): Float64Array {
  if (a.length !== b.length) throw new Error(`reference add: ${a.length} vs ${b.length}`);
  const y = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
  return y;
}

/** The spacing of float32 values at |v| (v rounded to float32 first; the subnormal spacing below 2^-126): the unit
 *  of the kernels' documented max errors (error in ulp = |got - exact| / ulp32(exact)). */
export function ulp32(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}
