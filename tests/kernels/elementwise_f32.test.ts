// The elementwise family (assembly/elementwise/: exp, tanh, relu, gelu, gelu_tanh, add) through BOTH builds: each
// kernel against its scalar reference (<name>_ref: float64 rounded once to float32) at awkward sizes and special
// values, in place, guard floats intact; and dense sweeps that measure the SIMD approximations' max error in ulp
// against the float64 functions of tests/reference/math.ts (the bounds documented in assembly/simd/math.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VARIANTS, runtime, rng, uniform, Guarded, assertClose } from '../support/util.ts';
import { geluExact, geluTanh, ulp32 } from '../reference/math.ts';

const SIZES = [1, 3, 4, 5, 7, 13, 67, 131, 1024, 2048];
const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 100, -100, 1e-30, -1e-30, 88.8, -88.8, 0.625, -0.625];

type Unary = 'exp_f32' | 'tanh_f32' | 'gelu_f32' | 'gelu_tanh_f32' | 'relu_f32';
const UNARY: [Unary, `${Unary}_ref`, number, number][] = [
  // kernel, its reference, rtol, atol (see tests/kernels/*.spec.ts for why)
  ['exp_f32', 'exp_f32_ref', 2.4e-7, 1.2e-38],
  ['tanh_f32', 'tanh_f32_ref', 3.6e-7, 0],
  ['gelu_f32', 'gelu_f32_ref', 9.6e-7, 1e-37],
  ['gelu_tanh_f32', 'gelu_tanh_f32_ref', 4.8e-7, 1e-8],
  ['relu_f32', 'relu_f32_ref', 0, 0],
];

for (const variant of VARIANTS) {
  const rtP = runtime(variant);

  test(`${variant}: elementwise kernels match their scalar references at awkward sizes and special values, guards intact`, async () => {
    const rt = await rtP;
    const r = rng(1);
    for (const [name, ref, rtol, atol] of UNARY) {
      for (const n of [...SIZES, SPECIAL.length]) {
        const data = n === SPECIAL.length ? Float32Array.from(SPECIAL) : uniform(r, n, -12, 12);
        const x = new Guarded(rt, n, data), y = new Guarded(rt, n), want = new Guarded(rt, n);
        rt.exports[ref](n, x.ptr, want.ptr);
        rt.exports[name](n, x.ptr, y.ptr);
        assertClose(y.data, want.data, atol, rtol, `${variant} ${name} n=${n}`);
        y.checkGuards(`${name} n=${n}`);
        rt.exports[name](n, x.ptr, x.ptr); // in place
        assertClose(x.data, want.data, atol, rtol, `${variant} ${name} in place n=${n}`);
        x.free(); y.free(); want.free();
      }
    }
    for (const n of SIZES) {
      const A = new Guarded(rt, n, uniform(r, n, -5, 5)), B = new Guarded(rt, n, uniform(r, n, -5, 5));
      const Y = new Guarded(rt, n), want = new Guarded(rt, n);
      rt.exports.add_f32_ref(n, A.ptr, B.ptr, want.ptr);
      rt.exports.add_f32(n, A.ptr, B.ptr, Y.ptr);
      assertClose(Y.data, want.data, 0, 0, `add n=${n}`);
      Y.checkGuards('add'); A.free(); B.free(); Y.free(); want.free();
    }
  });

  test(`${variant}: exp/tanh/GELU approximations stay within their documented max errors (dense sweeps)`, async (t) => {
    const rt = await rtP;
    const N = 1 << 20;
    const x = new Guarded(rt, N), y = new Guarded(rt, N);
    // name, float64 function, lo, hi, max ulp documented in assembly/simd/math.ts
    const sweeps: [Unary, (v: number) => number, number, number, number][] = [
      ['exp_f32', Math.exp, -87.3, 88.7, 1.05],
      ['tanh_f32', Math.tanh, -10, 10, 1.6],
      ['gelu_f32', geluExact, -10, 10, 6.5],
      ['gelu_f32', geluExact, -13, -3, 7],
      ['gelu_tanh_f32', geluTanh, -0.5, 0.5, 2.2],
      ['gelu_tanh_f32', geluTanh, -3, 3, 16],
    ];
    for (const [name, exact, lo, hi, bound] of sweeps) {
      let worst = 0, at = 0;
      for (let s = 0; s < 4; s++) {
        const xd = x.data;
        for (let i = 0; i < N; i++) xd[i] = lo + (hi - lo) * ((s * N + i) / (4 * N));
        rt.exports[name](N, x.ptr, y.ptr);
        const xv = x.data, yv = y.data;
        for (let i = 0; i < N; i++) {
          const want = exact(xv[i]);
          const e = Math.abs(yv[i] - want) / ulp32(want);
          if (e > worst) { worst = e; at = xv[i]; }
        }
      }
      t.diagnostic(`${name} [${lo}, ${hi}]: max ${worst.toFixed(2)} ulp at x = ${at}`);
      assert.ok(worst <= bound, `${variant} ${name} on [${lo}, ${hi}]: ${worst.toFixed(2)} ulp at x = ${at} > ${bound}`);
    }
    x.free(); y.free();
  });
}
