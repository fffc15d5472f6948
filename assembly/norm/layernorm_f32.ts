// LayerNorm over the last dim (torch.nn.LayerNorm): y = (x - mean) / sqrt(var + eps) * weight + bias,
// biased variance, eps inside the sqrt; weight / bias are [cols] or 0 = none (ones / zeros).
// x: [rows, cols] (row stride ldx), y: [rows, cols] (row stride ldy); x == y with ldx == ldy works in place.
// Two passes for the statistics (mean, then deviations from it) avoid the cancellation of E[x²] - E[x]².

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function rowMean(xr: usize, cols: i32): f32 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= cols; j += 8) {
    a0 = f32x4.add(a0, v128.load(xr + (<usize>j << 2)));
    a1 = f32x4.add(a1, v128.load(xr + (<usize>j << 2), 16));
  }
  for (; j + 4 <= cols; j += 4) a0 = f32x4.add(a0, v128.load(xr + (<usize>j << 2)));
  let s = hsum(f32x4.add(a0, a1));
  for (; j < cols; j++) s += load<f32>(xr + (<usize>j << 2));
  return s / <f32>cols;
}

// Corrected two-pass: with d = x - mean, returns [Σd, Σd²] so the caller can refine the f32 mean by Σd/n
// and take var = (Σd² - (Σd)²/n) / n (Chan, Golub & LeVeque's corrected two-pass algorithm).
@inline function rowDev(xr: usize, cols: i32, mean: f32): v128 {
  const vm = f32x4.splat(mean);
  let s0 = f32x4.splat(0), q0 = f32x4.splat(0), q1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= cols; j += 8) {
    const d0 = f32x4.sub(v128.load(xr + (<usize>j << 2)), vm);
    const d1 = f32x4.sub(v128.load(xr + (<usize>j << 2), 16), vm);
    s0 = f32x4.add(s0, f32x4.add(d0, d1));
    q0 = f32x4.add(q0, f32x4.mul(d0, d0));
    q1 = f32x4.add(q1, f32x4.mul(d1, d1));
  }
  for (; j + 4 <= cols; j += 4) {
    const d = f32x4.sub(v128.load(xr + (<usize>j << 2)), vm);
    s0 = f32x4.add(s0, d);
    q0 = f32x4.add(q0, f32x4.mul(d, d));
  }
  let s = hsum(s0), q = hsum(f32x4.add(q0, q1));
  for (; j < cols; j++) {
    const d = load<f32>(xr + (<usize>j << 2)) - mean;
    s += d;
    q += d * d;
  }
  return f32x4(s, q, 0, 0);
}

// y = ((x - m0) - corr) * rstd (* weight) (+ bias), mean = m0 + corr kept as two floats: x - m0 is exact for x near
// m0, so a large common offset does not cost the mean's float32 rounding. The flags are constants at each call site.
@inline function normalizeRow(xr: usize, yr: usize, cols: i32, m0: f32, corr: f32, rstd: f32, weight: usize, bias: usize,
                               hasWeight: bool, hasBias: bool): void {
  const vm = f32x4.splat(m0), vc = f32x4.splat(corr), vr = f32x4.splat(rstd);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const o = <usize>j << 2;
    let v = f32x4.mul(f32x4.sub(f32x4.sub(v128.load(xr + o), vm), vc), vr);
    if (hasWeight) v = f32x4.mul(v, v128.load(weight + o));
    if (hasBias) v = f32x4.add(v, v128.load(bias + o));
    v128.store(yr + o, v);
  }
  for (; j < cols; j++) {
    const o = <usize>j << 2;
    let v = ((load<f32>(xr + o) - m0) - corr) * rstd;
    if (hasWeight) v *= load<f32>(weight + o);
    if (hasBias) v += load<f32>(bias + o);
    store<f32>(yr + o, v);
  }
}

export function layernorm_f32(rows: i32, cols: i32, x: usize, ldx: i32, y: usize, ldy: i32,
                              weight: usize, bias: usize, eps: f32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>ldx) << 2);
    const yr = y + ((<usize>r * <usize>ldy) << 2);
    const m0 = rowMean(xr, cols);
    const dev = rowDev(xr, cols, m0);
    const n = <f64>cols, sd = <f64>f32x4.extract_lane(dev, 0), sq = <f64>f32x4.extract_lane(dev, 1);
    const corr = <f32>(sd / n);
    const rstd = <f32>(1.0 / Math.sqrt(max(sq - sd * sd / n, 0.0) / n + <f64>eps));
    if (weight && bias) normalizeRow(xr, yr, cols, m0, corr, rstd, weight, bias, true, true);
    else if (weight) normalizeRow(xr, yr, cols, m0, corr, rstd, weight, bias, true, false);
    else if (bias) normalizeRow(xr, yr, cols, m0, corr, rstd, weight, bias, false, true);
    else normalizeRow(xr, yr, cols, m0, corr, rstd, weight, bias, false, false);
  }
}

export function layernorm_f32_ref(rows: i32, cols: i32, x: usize, ldx: i32, y: usize, ldy: i32,
                                  weight: usize, bias: usize, eps: f32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>ldx) << 2);
    const yr = y + ((<usize>r * <usize>ldy) << 2);
    let mean = 0.0;
    for (let j = 0; j < cols; j++) mean += <f64>load<f32>(xr + (<usize>j << 2));
    mean /= <f64>cols;
    let v = 0.0;
    for (let j = 0; j < cols; j++) {
      const d = <f64>load<f32>(xr + (<usize>j << 2)) - mean;
      v += d * d;
    }
    const rstd = 1.0 / Math.sqrt(v / <f64>cols + <f64>eps);
    for (let j = 0; j < cols; j++) {
      let o = (<f64>load<f32>(xr + (<usize>j << 2)) - mean) * rstd;
      if (weight) o *= <f64>load<f32>(weight + (<usize>j << 2));
      if (bias) o += <f64>load<f32>(bias + (<usize>j << 2));
      store<f32>(yr + (<usize>j << 2), <f32>o);
    }
  }
}
