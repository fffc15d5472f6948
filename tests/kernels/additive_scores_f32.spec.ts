import { additive_scores_f32, additive_scores_f32_ref } from '../../assembly/attention/additive_scores_f32';
import { tanh_f32 } from '../../assembly/elementwise/tanh_f32';
import { buf, fill, close, at, GUARD } from './spec_util';

// Tolerance: 3e-7·Σ|wv| absolute: each tanh is within 2 ulp (<= 2.4e-7 absolute since |tanh| <= 1) and the
// float32 sum over h adds a few 2^-24 of Σ|wv·tanh|; the reference sums in float64.
function run(batch: i32, nq: i32, nk: i32, h: i32, seed: u32): void {
  const q = buf(batch * nq * h), k = buf(batch * nk * h), w = buf(h), o = buf(batch * nq * nk), r = buf(batch * nq * nk);
  fill(q, batch * nq * h, seed, 2); fill(k, batch * nk * h, seed + 1, 2); fill(w, h, seed + 2, 1);
  let wsum = 0.0;
  for (let t = 0; t < h; t++) wsum += Math.abs(<f64>at(w, t));
  additive_scores_f32(batch, nq, nk, h, q, k, w, o);
  additive_scores_f32_ref(batch, nq, nk, h, q, k, w, r);
  let bad = 0, first = '';
  const n = batch * nq * nk;
  for (let i = 0; i < n; i++) {
    if (!close(at(o, i), at(r, i), 3e-7 * wsum + 1e-30, 0) && bad++ == 0)
      first = batch.toString() + 'x' + nq.toString() + 'x' + nk.toString() + ' h=' + h.toString() + ' at ' + i.toString() +
              ' got ' + at(o, i).toString() + ' want ' + at(r, i).toString();
  }
  for (let i = n; i < n + 8; i++) if (at(o, i) != GUARD && bad++ == 0) first = 'guard after output';
  expect(bad).toBe(0, first);
  heap.free(q); heap.free(k); heap.free(w); heap.free(o); heap.free(r);
}

describe('additive_scores_f32', () => {
  it('matches the float64 reference for awkward nq, nk, h', () => {
    const hs: i32[] = [1, 3, 4, 5, 7, 13, 67, 131];
    const ks: i32[] = [1, 3, 4, 5, 7, 13];
    for (let a = 0; a < hs.length; a++) for (let b = 0; b < ks.length; b++) run(2, 3, ks[b], hs[a], a * 10 + b);
    run(1, 2, 67, 1024, 1);
    run(1, 1, 9, 2048, 2);
  });
  it('equals the composition of the simple kernels (tanh_f32, then a dot with wv)', () => {
    const h = 13, nk = 6;
    const q = buf(h), k = buf(nk * h), w = buf(h), o = buf(nk), t = buf(h);
    fill(q, h, 3, 2); fill(k, nk * h, 4, 2); fill(w, h, 5, 1);
    additive_scores_f32(1, 1, nk, h, q, k, w, o);
    for (let j = 0; j < nk; j++) {
      for (let i = 0; i < h; i++) store<f32>(t + (<usize>i << 2), at(q, i) + at(k, j * h + i));
      tanh_f32(h, t, t);
      let s: f64 = 0;
      for (let i = 0; i < h; i++) s += <f64>at(w, i) * <f64>at(t, i);
      expect(close(at(o, j), <f32>s, 1e-6, 0)).toBe(true, 'key ' + j.toString());
    }
    heap.free(q); heap.free(k); heap.free(w); heap.free(o); heap.free(t);
  });
});
