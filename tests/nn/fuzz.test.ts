// Seeded differential fuzzing (tests/support/fuzz_cases.ts) inside npm test: 1,000 cases with a fixed seed, 500 per
// build (simd: indices 0..499, relaxed: 500..999), every op and module against the float64 references in
// tests/reference, with a memory-leak check per case. A failure prints the case id, its options and the command
// that reruns it (`npm run fuzz -- --case <seed>:<index> --variant <build>`); `npm run fuzz -- --cases N --seed S`
// runs longer campaigns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VARIANTS, runtime } from '../support/util.ts';
import { FuzzFailure, TARGETS, makeCase, runCase, type Target } from '../support/fuzz_cases.ts';

const SEED = 20261201;
const PER_BUILD = 500;
const MAX_REPORTED = 5;

for (const [b, variant] of VARIANTS.entries()) {
  test(`${variant}: fuzz ${PER_BUILD} seeded cases (seed ${SEED}) of every op and module against the float64 references, no leaks`, async () => {
    const rt = await runtime(variant);
    const counts = new Map<Target, number>();
    const failures: FuzzFailure[] = [];
    for (let i = 0; i < PER_BUILD; i++) {
      const c = makeCase(SEED, b * PER_BUILD + i);
      counts.set(c.target, (counts.get(c.target) ?? 0) + 1);
      try {
        runCase(rt, c);
      } catch (e) {
        if (!(e instanceof FuzzFailure)) throw e;
        failures.push(e);
        if (failures.length >= MAX_REPORTED) break;
      }
    }
    assert.equal(failures.length, 0,
      `${failures.length}${failures.length >= MAX_REPORTED ? '+' : ''} fuzz case(s) failed on ${variant}:\n\n${failures.map((f) => f.message).join('\n\n')}`);
    for (const t of TARGETS) assert.ok((counts.get(t) ?? 0) >= 10, `${variant}: only ${counts.get(t) ?? 0} cases of ${t}`);
  });
}

test('fuzz cases depend on (seed, index) only', () => {
  for (const index of [0, 1, 17, 999, 123456]) {
    const a = makeCase(SEED, index), b = makeCase(SEED, index);
    assert.equal(a.id, `${SEED}:${index}`);
    assert.equal(a.target, b.target);
    assert.deepEqual(a.options, b.options);
  }
  assert.notDeepEqual(makeCase(SEED, 0).options, makeCase(SEED + 1, 0).options);
});
