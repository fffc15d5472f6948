// PackedLinear (bindings/ops/linear.ts), the building block of every module's projections: x·Wᵀ + b with relu fused,
// for 1..130 rows, against the float64 product of tests/reference within the worst-case bound of a float32 sum
// (matmulBound); guard floats around the output; dispose() frees the packed weight, twice is harmless, and a forward
// after it throws; constructor argument errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PackedLinear } from '../../bindings/ops/linear.ts';
import { Guarded, VARIANTS, assertWithin, uniform, rng, runtime } from '../support/util.ts';
import { map, matmulBound, relu } from '../reference/index.ts';

for (const variant of VARIANTS) {
  test(`${variant}: PackedLinear matches x·Wᵀ + b (relu fused) for 1..130 rows, dispose frees`, async () => {
    const rt = await runtime(variant);
    const r = rng(31);
    const before = rt.memoryStats().bytesInUse;
    for (const [outF, inF] of [[512, 512], [13, 67], [8, 1], [1, 9]]) {
      const W = uniform(r, outF * inF), bias = uniform(r, outF);
      for (const withBias of [true, false]) {
        const lin = new PackedLinear(rt, W, withBias ? bias : null, outF, inF);
        for (const rows of [1, 2, 5, 16, 37, 130]) {
          const X = uniform(r, rows * inF);
          const x = rt.tensor(X, [rows, inF]);
          const y = new Guarded(rt, rows * outF);
          const scratch = rt.alloc(Math.max(1, lin.scratchFloats(rows)) * 4);
          const ref = matmulBound(X, W, rows, inF, outF, { bias: withBias ? bias : null, transB: true });
          for (const act of [0, 1]) {
            lin.forward(x.ptr, rows, y.ptr, scratch, act === 1 ? 'relu' : 'none');
            assertWithin(y.data, act === 1 ? { want: map(ref.want, relu), tol: ref.tol } : ref, `PackedLinear ${outF}x${inF} rows=${rows} act=${act}`);
            y.checkGuards('PackedLinear');
          }
          x.dispose(); y.free(); rt.free(scratch);
        }
        lin.dispose();
        lin.dispose();
        assert.throws(() => lin.forward(0, 1, 0, 0), /PackedLinear: forward\(\) after dispose\(\)/);
      }
    }
    assert.equal(rt.memoryStats().bytesInUse, before, 'PackedLinear.dispose frees the packed weight and bias');
    assert.throws(() => new PackedLinear(rt, new Float32Array(5), null, 2, 3), /PackedLinear: weight must have outF\*inF = 2\*3 = 6 elements, got 5/);
    assert.throws(() => new PackedLinear(rt, new Float32Array(6), new Float32Array(3), 2, 3), /PackedLinear: bias must have outF = 2 elements, got 3/);
  });
}
