// layernorm_f32 (assembly/norm/) through BOTH builds against its scalar reference layernorm_f32_ref (float64 mean,
// biased variance and normalisation, rounded once): awkward row lengths, every weight/bias combination, guards intact.
import { test } from 'node:test';
import { VARIANTS, runtime, rng, uniform, Guarded, assertClose } from '../support/util.ts';

const SIZES = [1, 3, 4, 5, 7, 13, 67, 131, 1024, 2048];

for (const variant of VARIANTS) {
  test(`${variant}: layernorm_f32 matches layernorm_f32_ref with and without weight and bias`, async () => {
    const rt = await runtime(variant);
    const r = rng(3);
    for (const cols of SIZES) {
      for (const affine of [0, 1, 2, 3]) {
        const rows = 3;
        const x = new Guarded(rt, rows * cols, uniform(r, rows * cols, -3, 3)), y = new Guarded(rt, rows * cols), want = new Guarded(rt, rows * cols);
        const G = new Guarded(rt, cols, uniform(r, cols, 0.5, 2)), B = new Guarded(rt, cols, uniform(r, cols, -1, 1));
        const [g, b] = [affine & 1 ? G.ptr : 0, affine & 2 ? B.ptr : 0];
        rt.exports.layernorm_f32_ref(rows, cols, x.ptr, cols, want.ptr, cols, g, b, 1e-5);
        rt.exports.layernorm_f32(rows, cols, x.ptr, cols, y.ptr, cols, g, b, 1e-5);
        assertClose(y.data, want.data, 2e-6, 1e-6, `${variant} layernorm cols=${cols} affine=${affine}`);
        y.checkGuards('layernorm'); x.free(); y.free(); want.free(); G.free(); B.free();
      }
    }
  });
}
