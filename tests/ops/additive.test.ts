// rt.ops.additiveScores (bindings/api/additive.ts): results against the float64 additive scores of tests/reference,
// nothing left allocated; argument errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { additiveScores } from '../../bindings/api/additive.ts';
import { VARIANTS, runtime, rng, uniform, assertClose } from '../support/util.ts';
import { additiveScores as additiveScoresRef } from '../reference/index.ts';

for (const variant of VARIANTS) {
  test(`${variant}: additiveScores op gives reference results without leaking`, async () => {
    const rt = await runtime(variant);
    const r = rng(4);
    const before = rt.memoryStats().bytesInUse;
    const q = uniform(r, 2 * 3 * 5), k = uniform(r, 2 * 4 * 5), w = uniform(r, 5);
    assertClose(additiveScores(rt, q, k, w, { batch: 2, nq: 3, nk: 4, hidden: 5 }) as Float32Array,
                additiveScoresRef(q, k, w, 2, 3, 4, 5), 2e-6, 0, 'additiveScores');
    assert.equal(rt.memoryStats().bytesInUse, before, 'additiveScores frees its scratch');
  });

  test(`${variant}: additiveScores op rejects bad arguments with messages naming argument, expected and received`, async () => {
    const rt = await runtime(variant);
    assert.throws(() => additiveScores(rt, new Float32Array(6), new Float32Array(8), new Float32Array(2), { batch: 1, nq: 2, nk: 4, hidden: 2 }),
                  /additiveScores: kp must have batch\*nk\*hidden = 1\*4\*2 = 8 elements, got 8|additiveScores: qp must have batch\*nq\*hidden = 1\*2\*2 = 4 elements, got 6/);
    assert.throws(() => additiveScores(rt, new Float32Array(4), new Float32Array(8), new Float32Array(3), { batch: 1, nq: 2, nk: 4, hidden: 2 }),
                  /additiveScores: wv must have hidden = 2 elements, got 3/);
  });
}
