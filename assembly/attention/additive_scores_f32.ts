// Additive (Bahdanau / d2l AdditiveAttention) scores, fused: out[b,i,j] = Σ_h wv[h]·tanh(qp[b,i,h] + kp[b,j,h]).
// qp: [batch, nq, hidden], kp: [batch, nk, hidden], wv: [hidden], out: [batch, nq, nk], all contiguous.
// The [nq, nk, hidden] feature tensor is never materialised: SIMD runs over hidden, four keys at a time share each
// query/wv load, and the four accumulators are reduced with one 4x4 transpose-add into one store.
// The last hidden % 4 lanes are loaded whole (inputs may be read 16 bytes past their end) and zeroed by a lane mask.
import { madd } from '../simd/madd';
import { tanh_f32x4 } from '../simd/math';

// [Σa0, Σa1, Σa2, Σa3]
@inline function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const u0 = f32x4.add(f32x4.shuffle(a0, a1, 0, 1, 4, 5), f32x4.shuffle(a0, a1, 2, 3, 6, 7));
  const u1 = f32x4.add(f32x4.shuffle(a2, a3, 0, 1, 4, 5), f32x4.shuffle(a2, a3, 2, 3, 6, 7));
  return f32x4.add(f32x4.shuffle(u0, u1, 0, 2, 4, 6), f32x4.shuffle(u0, u1, 1, 3, 5, 7));
}

// Lane mask keeping lanes 0 .. (h % 4) - 1 of the last, partial h vector (all lanes when h % 4 == 0).
@inline function tailMask(hidden: i32): v128 {
  const t = hidden & 3;
  return t == 0 ? i32x4.splat(-1) : i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(t));
}

// Σ_h wv·tanh(q + k) for four keys k0..k3 (row pointers), h4 = h rounded up to a multiple of 4.
@inline function score4(q: usize, k0: usize, k1: usize, k2: usize, k3: usize, wv: usize, hfull: i32, h4: i32,
                        tmask: v128): v128 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let t = 0;
  for (; t < hfull; t += 4) {
    const o = <usize>t << 2;
    const qv = v128.load(q + o), w = v128.load(wv + o);
    a0 = madd(w, tanh_f32x4(f32x4.add(qv, v128.load(k0 + o))), a0);
    a1 = madd(w, tanh_f32x4(f32x4.add(qv, v128.load(k1 + o))), a1);
    a2 = madd(w, tanh_f32x4(f32x4.add(qv, v128.load(k2 + o))), a2);
    a3 = madd(w, tanh_f32x4(f32x4.add(qv, v128.load(k3 + o))), a3);
  }
  if (t < h4) {
    const o = <usize>t << 2;
    const qv = v128.load(q + o), w = v128.load(wv + o);
    a0 = f32x4.add(a0, v128.and(f32x4.mul(w, tanh_f32x4(f32x4.add(qv, v128.load(k0 + o)))), tmask));
    a1 = f32x4.add(a1, v128.and(f32x4.mul(w, tanh_f32x4(f32x4.add(qv, v128.load(k1 + o)))), tmask));
    a2 = f32x4.add(a2, v128.and(f32x4.mul(w, tanh_f32x4(f32x4.add(qv, v128.load(k2 + o)))), tmask));
    a3 = f32x4.add(a3, v128.and(f32x4.mul(w, tanh_f32x4(f32x4.add(qv, v128.load(k3 + o)))), tmask));
  }
  return hsum4(a0, a1, a2, a3);
}

// Σ_h wv·tanh(q + k) for one key (the nk % 4 leftover keys).
@inline function score1(q: usize, k: usize, wv: usize, hfull: i32, h4: i32, tmask: v128): f32 {
  let a = f32x4.splat(0);
  let t = 0;
  for (; t < hfull; t += 4) {
    const o = <usize>t << 2;
    a = madd(v128.load(wv + o), tanh_f32x4(f32x4.add(v128.load(q + o), v128.load(k + o))), a);
  }
  if (t < h4) {
    const o = <usize>t << 2;
    a = f32x4.add(a, v128.and(f32x4.mul(v128.load(wv + o), tanh_f32x4(f32x4.add(v128.load(q + o), v128.load(k + o)))), tmask));
  }
  return (f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1)) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
}

export function additive_scores_f32(batch: i32, nq: i32, nk: i32, hidden: i32, qp: usize, kp: usize, wv: usize,
                                    out: usize): void {
  const hfull = hidden & ~3, h4 = (hidden + 3) & ~3;
  const tmask = tailMask(hidden);
  const rowBytes = <usize>hidden << 2;
  for (let b = 0; b < batch; b++) {
    const qb = qp + <usize>b * <usize>nq * rowBytes;
    const kb = kp + <usize>b * <usize>nk * rowBytes;
    const ob = out + ((<usize>b * <usize>nq * <usize>nk) << 2);
    for (let i = 0; i < nq; i++) {
      const q = qb + <usize>i * rowBytes;
      const orow = ob + ((<usize>i * <usize>nk) << 2);
      let j = 0;
      for (; j + 4 <= nk; j += 4) {
        const k0 = kb + <usize>j * rowBytes;
        v128.store(orow + (<usize>j << 2),
          score4(q, k0, k0 + rowBytes, k0 + 2 * rowBytes, k0 + 3 * rowBytes, wv, hfull, h4, tmask));
      }
      for (; j < nk; j++) {
        store<f32>(orow + (<usize>j << 2), score1(q, kb + <usize>j * rowBytes, wv, hfull, h4, tmask));
      }
    }
  }
}

export function additive_scores_f32_ref(batch: i32, nq: i32, nk: i32, hidden: i32, qp: usize, kp: usize, wv: usize,
                                        out: usize): void {
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < nq; i++) {
      for (let j = 0; j < nk; j++) {
        let s = 0.0;
        for (let t = 0; t < hidden; t++) {
          const q = load<f32>(qp + ((<usize>(b * nq + i) * <usize>hidden + <usize>t) << 2));
          const k = load<f32>(kp + ((<usize>(b * nk + j) * <usize>hidden + <usize>t) << 2));
          s += <f64>load<f32>(wv + (<usize>t << 2)) * Math.tanh(<f64>q + <f64>k);
        }
        store<f32>(out + ((<usize>(b * nq + i) * <usize>nk + <usize>j) << 2), <f32>s);
      }
    }
  }
}
