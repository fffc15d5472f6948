// rt.ops.matmul (bindings/api/matmul.ts): Float32Array and Tensor operands, transposeB, bias, out, against the float64
// product of tests/reference within the worst-case bound of a float32 sum (matmulBound), nothing left allocated;
// argument errors that name the argument, what was expected and what was received; an output that is an input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matmul } from '../../bindings/api/matmul.ts';
import { VARIANTS, assertWithin, uniform, rng, runtime } from '../support/util.ts';
import { matmulBound } from '../reference/index.ts';

for (const variant of VARIANTS) {
  test(`${variant}: matmul op — Float32Array and Tensor operands, transposeB, bias, out`, async () => {
    const rt = await runtime(variant);
    const r = rng(21);
    for (const [m, k, n] of [[1, 512, 512], [3, 5, 7], [16, 64, 33], [67, 13, 131]]) {
      const A = uniform(r, m * k), B = uniform(r, k * n), bias = uniform(r, n);
      const Bt = new Float32Array(n * k);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) Bt[j * k + p] = B[p * n + j];
      const ref = matmulBound(A, B, m, k, n, { bias }), refNoBias = matmulBound(A, B, m, k, n);
      const close = (got: Float32Array, rr: typeof ref, what: string) => assertWithin(got, rr, what);
      const before = rt.memoryStats().bytesInUse;
      close(matmul(rt, A, B, { m, k, n }) as Float32Array, refNoBias, 'f32 arrays');
      close(matmul(rt, A, Bt, { m, k, n, transposeB: true, bias }) as Float32Array, ref, 'transposeB + bias');
      const out = new Float32Array(m * n);
      assert.equal(matmul(rt, A, B, { m, k, n, bias, out }), out);
      close(out, ref, 'out Float32Array');
      assert.equal(rt.memoryStats().bytesInUse, before, 'Float32Array operands leave nothing allocated');
      const ta = rt.tensor(A, [m, k]), tb = rt.tensor(Bt, [n, k]), tbias = rt.tensor(bias, [n]), tc = rt.empty([m, n]);
      assert.equal(matmul(rt, ta, tb, { m, k, n, transposeB: true, bias: tbias, out: tc }), tc);
      close(tc.data, ref, 'Tensor operands');
      for (const t of [ta, tb, tbias, tc]) t.dispose();
      close(rt.ops.matmul(A, B, { m, k, n, bias }) as Float32Array, ref, 'rt.ops.matmul');
    }
  });

  test(`${variant}: matmul op rejects bad arguments with clear messages`, async () => {
    const rt = await runtime(variant);
    const a = new Float32Array(6), b = new Float32Array(6);
    assert.throws(() => matmul(rt, a, new Float32Array(1000), { m: 2, k: 3, n: 2 }), /^RangeError: matmul: b must have k\*n = 3\*2 = 6 elements, got 1000$/);
    assert.throws(() => matmul(rt, a, new Float32Array(5), { m: 2, k: 3, n: 2, transposeB: true }), /matmul: b must have n\*k = 2\*3 = 6 elements, got 5/);
    assert.throws(() => matmul(rt, new Float32Array(5), b, { m: 2, k: 3, n: 2 }), /matmul: a must have m\*k = 2\*3 = 6 elements, got 5/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3, n: 2, bias: new Float32Array(3) }), /matmul: bias must have n = 2 elements, got 3/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3, n: 2, out: new Float32Array(3) }), /matmul: out must have m\*n = 2\*2 = 4 elements, got 3/);
    assert.throws(() => matmul(rt, a, b, { m: 2.5, k: 3, n: 2 }), /matmul: m must be a positive integer, got number 2.5/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 0, n: 2 }), /matmul: k must be a positive integer, got number 0/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3 } as never), /matmul: n must be a positive integer, got undefined/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3, n: 2, transpose: true } as never), /matmul: unknown option "transpose"/);
    assert.throws(() => matmul(rt, a, b, { m: 2, k: 3, n: 2, transposeB: 1 } as never), /matmul: transposeB must be a boolean, got number 1/);
    assert.throws(() => matmul(rt, a, b, undefined as never), /matmul: options \{ m, k, n \} are required/);
    assert.throws(() => matmul(rt, [1, 2, 3, 4, 5, 6] as never, b, { m: 2, k: 3, n: 2 }), /matmul: a must be a Float32Array or a Tensor, got an Array of length 6/);
    const t = rt.tensor(a, [2, 3]);
    assert.throws(() => matmul(rt, t, b, { m: 2, k: 3, n: 2, out: t as never }), /matmul: out must have m\*n = 2\*2 = 4 elements, got 6/);
    // an input that is the output gives the result of a copy of it (A·A written over A)
    const sqv = new Float32Array([1, 2, 3, 4]);
    const sq = rt.tensor(sqv, [2, 2]);
    const before = rt.memoryStats();
    matmul(rt, sq, sq, { m: 2, k: 2, n: 2, out: sq });
    assert.deepEqual(Array.from(sq.data), [7, 10, 15, 22]);
    assert.deepEqual(rt.memoryStats(), before);
    t.dispose();
    assert.throws(() => matmul(rt, t, b, { m: 2, k: 3, n: 2 }), /matmul: a is a Tensor that is no longer valid: used after dispose\(\)/);
    sq.dispose();
  });
}
