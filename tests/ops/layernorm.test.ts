// rt.ops.layerNorm (bindings/api/layernorm.ts): results against the float64 LayerNorm of tests/reference and the
// vectors of ATTENTION_SEMANTICS.md §2.4, nothing left allocated; argument errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerNorm } from '../../bindings/api/layernorm.ts';
import { VARIANTS, runtime, rng, uniform, assertClose } from '../support/util.ts';
import { layerNorm as layerNormRef } from '../reference/index.ts';

for (const variant of VARIANTS) {
  test(`${variant}: layerNorm op gives reference results without leaking`, async () => {
    const rt = await runtime(variant);
    const r = rng(4);
    const before = rt.memoryStats().bytesInUse;
    const x = uniform(r, 4 * 8, -3, 3), g = uniform(r, 8, 0.5, 2), b = uniform(r, 8);
    assertClose(layerNorm(rt, x, { rows: 4, cols: 8, weight: g, bias: b }) as Float32Array, layerNormRef(x, 4, 8, g, b), 2e-6, 1e-6, 'layerNorm');
    assertClose(layerNorm(rt, Float32Array.of(1, 2, 3, 4), { rows: 1, cols: 4 }) as Float32Array,
                [-1.34163542, -0.44721181, 0.44721181, 1.34163542], 1e-7, 1e-7, 'layerNorm reference vector');
    assertClose(layerNorm(rt, Float32Array.of(1, 2, 3, 4), { rows: 1, cols: 4, eps: 1e-12 }) as Float32Array,
                [-1.34164079, -0.4472136, 0.4472136, 1.34164079], 1e-7, 1e-7, 'layerNorm eps 1e-12');
    assert.equal(rt.memoryStats().bytesInUse, before, 'layerNorm frees its scratch');
  });

  test(`${variant}: layerNorm op rejects bad arguments with messages naming argument, expected and received`, async () => {
    const rt = await runtime(variant);
    assert.throws(() => layerNorm(rt, new Float32Array(8), { rows: 2, cols: 4, weight: new Float32Array(3) }), /layerNorm: weight must have cols = 4 elements, got 3/);
    assert.throws(() => layerNorm(rt, new Float32Array(8), { rows: 2, cols: 4, eps: -1 }), /layerNorm: eps must be a finite number >= 0, got number -1/);
    assert.throws(() => layerNorm(rt, new Float32Array(8), { rows: 2, cols: 4, epsilon: 1 } as never), /layerNorm: unknown option "epsilon"/);
  });
}
