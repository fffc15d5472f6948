// rt.ops.gelu and rt.ops.relu (bindings/api/activation.ts): the float64 GELU table of ATTENTION_SEMANTICS.md §2.5
// (exact and tanh forms), relu with NaN and in place on a Tensor, nothing left allocated; argument errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gelu, relu } from '../../bindings/api/activation.ts';
import { VARIANTS, runtime, assertClose } from '../support/util.ts';

for (const variant of VARIANTS) {
  test(`${variant}: gelu / relu ops give reference results without leaking`, async () => {
    const rt = await runtime(variant);
    const before = rt.memoryStats().bytesInUse;
    const gx = Float32Array.of(-3, -1, -0.5, 0.5, 1, 2, 3);
    assertClose(gelu(rt, gx) as Float32Array, [-0.00404969409489031, -0.15865525393145707, -0.15426876936299344, 0.34573123063700656,
      0.8413447460685429, 1.9544997361036416, 2.99595030590511], 0, 1e-6, 'gelu table');
    assertClose(gelu(rt, gx, { approximate: 'tanh' }) as Float32Array, [-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606,
      0.34571400982514394, 0.8411919906082768, 1.954597694087775, 2.996362607918227], 0, 1e-6, 'gelu tanh table');
    assert.deepEqual(Array.from(relu(rt, Float32Array.of(-1, 0, 2, NaN)) as Float32Array), [0, 0, 2, NaN]);
    const t = rt.tensor(Float32Array.of(-2, 3), [2]);
    relu(rt, t, { out: t });
    assert.deepEqual(Array.from(t.data), [0, 3]);
    t.dispose();
    assert.equal(rt.memoryStats().bytesInUse, before, 'gelu and relu free their scratch');
  });

  test(`${variant}: gelu / relu ops reject bad arguments with messages naming argument, expected and received`, async () => {
    const rt = await runtime(variant);
    assert.throws(() => gelu(rt, new Float32Array(3), { approximate: 'erf' as never }), /gelu: approximate must be one of 'none', 'tanh', got string erf/);
    assert.throws(() => gelu(rt, new Float32Array(3), { out: new Float32Array(2) }), /gelu: out must have x.length = 3 elements, got 2/);
    assert.throws(() => relu(rt, new Float32Array(3), { inplace: true } as never), /relu: unknown option "inplace"/);
  });
}
