// Deno runs the BUILT package entry (dist/index.js) with no configuration: init() must find ../build/*.wasm,
// pick the relaxed build (Deno's V8 has relaxed SIMD on), and compute what Node computes from the sources.
// Run: `deno test -A tests/package/deno/` (after `node scripts/build-dist.mjs`). tests/package/deno.test.ts runs it
// from Node with WASM_ATTENTION_EXPECTED pointing at the Node results; without it the expected values are computed
// here from the TypeScript sources.
import * as dist from '../../../dist/index.js';
import { compareResults, runChecks, type Lib, type Results } from '../../support/runtime_fixtures.ts';

async function expected(variant: string): Promise<Results> {
  const path = Deno.env.get('WASM_ATTENTION_EXPECTED');
  const fromNode = path ? JSON.parse(await Deno.readTextFile(path))[variant] : undefined;
  if (fromNode) return fromNode;
  // a computed specifier: the sources are loaded at run time only, not type-checked as part of this test
  const entry = new URL('../../../bindings/index.ts', import.meta.url).href;
  const source = await import(entry);
  return runChecks(source as unknown as Lib, { variant: variant as 'simd' | 'relaxed' });
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

Deno.test('dist/index.js: init() picks the relaxed build and finds it without configuration', async () => {
  const rt = await (dist as unknown as Lib).init();
  check(rt.variant === 'relaxed', `Deno should run the relaxed build, got ${rt.variant}`);
  check(typeof dist.relaxedSimdSupported === 'function' && dist.relaxedSimdSupported(), 'relaxedSimdSupported() is false in Deno');
});

for (const variant of ['relaxed', 'simd'] as const) {
  Deno.test(`dist/index.js (${variant}): Attention, MultiHead and Transformer forwards match Node`, async () => {
    const res = await runChecks(dist as unknown as Lib, { variant });
    check(res.variant === variant, `asked for ${variant}, got ${res.variant}`);
    check(!!(res.attention && res.multiHead && res.transformer), 'Attention, MultiHead and Transformer are exported and ran');
    const out = Deno.env.get('WASM_ATTENTION_DENO_OUT');
    if (out) await Deno.writeTextFile(`${out}.${variant}.json`, JSON.stringify(res));
    const problems = compareResults(res, await expected(variant));
    check(problems.length === 0, `Deno results differ from Node's:\n${problems.join('\n')}`);
  });
}
