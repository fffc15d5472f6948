// Runs in Chromium: imports the BUILT package entry /dist/index.js exactly as a page served with the package
// would, and leaves what it computed in window.__result for tests/package/browser.test.ts.
import { runChecks, type Lib, type Results } from '../../support/runtime_fixtures.ts';

interface PageResult {
  ok: boolean;
  error?: string;
  variant?: string;            // what init() picked with no options
  relaxedSupported?: boolean;
  auto?: Results;
  simd?: Results;
}

const w = globalThis as unknown as { __result?: PageResult };
const ENTRY = '/dist/index.js'; // a plain string, so the bundler leaves the import to the browser

(async () => {
  try {
    const lib = (await import(ENTRY)) as Lib & { relaxedSimdSupported(): boolean };
    const rt = await lib.init();
    const auto = await runChecks(lib);
    const simd = await runChecks(lib, { variant: 'simd' });
    w.__result = { ok: true, variant: rt.variant, relaxedSupported: lib.relaxedSimdSupported(), auto, simd };
  } catch (e) {
    w.__result = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
  }
  document.getElementById('status')!.textContent = w.__result.ok ? 'done' : `failed: ${w.__result.error}`;
})();
