// Small pointer-level building blocks of the seq2seq / survey attention modules (nn/seq2seq.ts, nn/multidim.ts,
// nn/hierarchical.ts) that have no kernel of their own: gathers, transposes, concatenation, per-feature pooling and
// the structured-attention penalty. Each touches O(rows·cols) elements once, next to GEMMs of O(rows·cols·k): plain
// loops over fresh views (views are taken here, after every allocation of the call, so they are never stale).
import type { Runtime } from '../runtime/runtime.ts';

/** dst[i, :] = table[ids[i], :] for i < ids.length (nn.Embedding); rows of `cols` floats, dst row stride ldd. */
export function gatherRows(rt: Runtime, table: number, cols: number, ids: ArrayLike<number>, dst: number, ldd = cols): void {
  const n = ids.length;
  if (n === 0) return;
  const out = rt.f32(dst, (n - 1) * ldd + cols);
  for (let i = 0; i < n; i++) out.set(rt.f32(table + ids[i] * cols * 4, cols), i * ldd);
}

/** Copies `rows` rows of `cols` floats from src (row stride lds) to dst (row stride ldd). */
export function copyRows(rt: Runtime, rows: number, cols: number, src: number, lds: number, dst: number, ldd: number): void {
  if (rows <= 0 || cols <= 0) return;
  const s = rt.f32(src, (rows - 1) * lds + cols), d = rt.f32(dst, (rows - 1) * ldd + cols);
  for (let r = 0; r < rows; r++) d.set(s.subarray(r * lds, r * lds + cols), r * ldd);
}

/** batch x transpose: src [batch, rows, cols] -> dst [batch, cols, rows] (dst must not overlap src). */
export function transposeBatched(rt: Runtime, batch: number, rows: number, cols: number, src: number, dst: number): void {
  const n = batch * rows * cols;
  const s = rt.f32(src, n), d = rt.f32(dst, n);
  for (let b = 0; b < batch; b++) {
    const o = b * rows * cols;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[o + c * rows + r] = s[o + r * cols + c];
  }
}

/** y[r, :] += v[r / every, :] for r < rows (a per-batch vector added to every row of its batch); y [rows, cols]. */
export function addRowVector(rt: Runtime, rows: number, cols: number, y: number, v: number, every: number): void {
  const yy = rt.f32(y, rows * cols), vv = rt.f32(v, Math.ceil(rows / every) * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols, p = Math.floor(r / every) * cols;
    for (let c = 0; c < cols; c++) yy[o + c] += vv[p + c];
  }
}

/** y = ELU(x) = x > 0 ? x : exp(x) - 1 over n elements (in place allowed). */
export function elu(rt: Runtime, n: number, x: number, y: number): void {
  const xx = rt.f32(x, n), yy = rt.f32(y, n);
  for (let i = 0; i < n; i++) { const v = xx[i]; yy[i] = v > 0 ? v : Math.expm1(v); }
}

/**
 * Feature-wise pooling: out[b, k] = Σ_t p[b, k, t]·x[b, t, k] with p [batch, d, n] (softmax over positions per feature)
 * and x [batch, n, d]; also writes p transposed to w [batch, n, d] (the weights per position, as returned).
 */
export function featurePool(rt: Runtime, batch: number, n: number, d: number, p: number, x: number, out: number, w: number): void {
  const pp = rt.f32(p, batch * d * n), xx = rt.f32(x, batch * n * d), oo = rt.f32(out, batch * d), ww = rt.f32(w, batch * n * d);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < d; k++) {
      let s = 0;
      const pr = (b * d + k) * n;
      for (let t = 0; t < n; t++) {
        const v = pp[pr + t];
        ww[(b * n + t) * d + k] = v;
        s += v * xx[(b * n + t) * d + k];
      }
      oo[b * d + k] = s;
    }
  }
}

/** penalty[b] = ‖G_b − I‖²_F for the Gram matrices g [batch, r, r] (G = A Aᵀ), accumulated in float64. */
export function gramPenalty(rt: Runtime, batch: number, r: number, g: number, penalty: number): void {
  const gg = rt.f32(g, batch * r * r), out = rt.f32(penalty, batch);
  for (let b = 0; b < batch; b++) {
    let s = 0;
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) { const v = gg[(b * r + i) * r + j] - (i === j ? 1 : 0); s += v * v; }
    out[b] = s;
  }
}

/** Index of the largest value of each row (first on ties; NaN never wins): x [rows, cols]. */
export function argmaxRows(rt: Runtime, rows: number, cols: number, x: number, out: Int32Array): void {
  const xx = rt.f32(x, rows * cols);
  for (let r = 0; r < rows; r++) {
    let best = 0, bv = xx[r * cols];
    for (let c = 1; c < cols; c++) { const v = xx[r * cols + c]; if (v > bv || (bv !== bv && v === v)) { bv = v; best = c; } }
    out[r] = best;
  }
}

/** Sets n floats at ptr to zero. */
export function zero(rt: Runtime, n: number, ptr: number): void {
  if (n > 0) rt.f32(ptr, n).fill(0);
}
