// additive_scores_f32 (assembly/attention/) through BOTH builds against its scalar reference additive_scores_f32_ref
// (float64 tanh and sum, rounded once): awkward hidden sizes and key counts, guards intact. Tolerance 3e-7·Σ|w_v|
// absolute, as in tests/kernels/additive_scores_f32.spec.ts (each tanh within 2 ulp, plus the float32 sum).
import { test } from 'node:test';
import { VARIANTS, runtime, rng, uniform, Guarded, assertClose } from '../support/util.ts';

for (const variant of VARIANTS) {
  test(`${variant}: additive_scores_f32 matches additive_scores_f32_ref`, async () => {
    const rt = await runtime(variant);
    const r = rng(3);
    for (const h of [1, 3, 4, 5, 7, 13, 67, 131]) {
      for (const nk of [1, 3, 4, 5, 7, 13]) {
        const [bt, nq] = [2, 3];
        const w = uniform(r, h);
        const Q = new Guarded(rt, bt * nq * h, uniform(r, bt * nq * h, -2, 2)), K = new Guarded(rt, bt * nk * h, uniform(r, bt * nk * h, -2, 2));
        const Wv = new Guarded(rt, h, w), O = new Guarded(rt, bt * nq * nk), want = new Guarded(rt, bt * nq * nk);
        rt.exports.additive_scores_f32_ref(bt, nq, nk, h, Q.ptr, K.ptr, Wv.ptr, want.ptr);
        rt.exports.additive_scores_f32(bt, nq, nk, h, Q.ptr, K.ptr, Wv.ptr, O.ptr);
        const wsum = w.reduce((a, v) => a + Math.abs(v), 0);
        assertClose(O.data, want.data, 3e-7 * wsum, 0, `${variant} additive h=${h} nk=${nk}`);
        O.checkGuards('additive'); Q.free(); K.free(); Wv.free(); O.free(); want.free();
      }
    }
  });
}
