// Browsers: the same page checks in headless Chromium and Firefox (tests/support/browsers.ts). A page served with the
// package imports /dist/index.js, init() fetches ../build/*.wasm with no configuration (the relaxed build where the
// engine validates relaxed SIMD), and Attention / MultiHead / Transformer forwards match Node; then the demo page
// (dist/demo/) renders its heatmaps.
// Chromium: system /usr/bin/chromium, else the one in @sparticuz/chromium (WASM_ATTENTION_CHROMIUM=bundled forces it).
// Firefox: Debian's firefox-esr (CI's .ci/run installs it); its tests are skipped, saying why, when it is absent.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import * as source from '../../bindings/index.ts';
import { ensureDist, ROOT } from './dist_build.ts';
import { compareResults, runChecks, type Lib, type Results } from '../support/runtime_fixtures.ts';
import { firefoxSkip, launchChromium, launchFirefoxOrThrow, type BrowserName, type BrowserSession } from '../support/browsers.ts';
import { serveStatic, type StaticServer } from '../support/static_server.ts';

let work = '';
let server: StaticServer | null = null;
const expected: Partial<Record<'simd' | 'relaxed', Results>> = {};

before(async () => {
  ensureDist();
  work = mkdtempSync(join(tmpdir(), 'wasm-attention-browser-'));
  await build({
    entryPoints: [join(ROOT, 'tests/package/browser/page.ts')], outfile: join(work, 'page.js'),
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error',
  });
  server = await serveStatic(ROOT, { mounts: { '/__test__/': work } });
  expected.simd = await runChecks(source as unknown as Lib, { variant: 'simd' });
  if (source.relaxedSimdSupported()) expected.relaxed = await runChecks(source as unknown as Lib, { variant: 'relaxed' });
});

after(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

type PageResult = { ok: boolean; error?: string; variant: string; relaxedSupported: boolean; auto: Results; simd: Results };

function engineSuite(name: BrowserName, launch: () => Promise<BrowserSession>, skip: string | false): void {
  const Name = name[0].toUpperCase() + name.slice(1);
  describe(Name, { skip }, () => {
    let browser: BrowserSession | null = null;
    before(async () => { browser = await launch(); });
    after(async () => { await browser?.close(); });

    test(`${Name}: /dist/index.js finds the wasm, picks the best build, results match Node`, { timeout: 90_000 }, async () => {
      const from = server!.requests.length;
      const page = await browser!.open(`${server!.url}/tests/package/browser/page.html`);
      await page.waitFor(() => (globalThis as { __result?: unknown }).__result !== undefined, 60_000);
      const r = await page.evaluate(() => (globalThis as unknown as { __result: PageResult }).__result);
      const logs = page.errors();
      await page.close();
      assert.ok(r.ok, `page failed in ${browser!.version}: ${r.error}\n${logs.join('\n')}`);
      if (name === 'chromium') assert.equal(r.relaxedSupported, true, 'Chromium supports relaxed SIMD');
      const want = r.relaxedSupported ? 'relaxed' : 'simd';
      assert.equal(r.variant, want, `init() picks the ${want} build in ${browser!.version}`);
      assert.equal(r.auto.variant, want);
      assert.equal(r.simd.variant, 'simd');
      assert.ok(r.auto.attention && r.auto.multiHead && r.auto.transformer, 'Attention, MultiHead and Transformer ran');
      const requested = server!.requests.slice(from);
      assert.ok(requested.includes('/build/simd.wasm') && (!r.relaxedSupported || requested.includes('/build/relaxed.wasm')),
        `the page fetched the builds from the package's build/ folder: ${requested.join(', ')}`);
      assert.deepEqual(compareResults(r.simd, expected.simd!), [], `simd build in ${name} vs Node`);
      if (want === 'relaxed' && expected.relaxed) {
        assert.deepEqual(compareResults(r.auto, expected.relaxed), [], `relaxed build in ${name} vs Node`);
      }
      assert.deepEqual(logs.filter((l) => !/favicon/.test(l)), [], 'no console errors, page errors or failed requests');
    });

    test(`${Name}: the demo page renders its heatmaps (screenshot kept in the temp dir while the test runs)`, { timeout: 90_000 }, async () => {
      const page = await browser!.open(`${server!.url}/dist/demo/index.html`);
      await page.waitFor(() => document.body.dataset.status !== 'running', 60_000);
      const env = process.env.WASM_ATTENTION_SCREENSHOT;
      const shot = env ? env.replace(/(\.png)?$/, `-${name}.png`) : join(work, `demo-${name}.png`);
      await page.screenshot(shot, { fullPage: true });
      const info = await page.evaluate(() => ({
        status: document.body.dataset.status,
        demo: (globalThis as unknown as { __demo: { heatmaps: number; examples: string[]; variant?: string; error?: string } }).__demo,
        svgs: document.querySelectorAll('figure.heatmap svg').length,
        cells: document.querySelectorAll('figure.heatmap svg rect').length,
        error: document.getElementById('error')?.textContent ?? '',
        text: document.body.innerText,
      }));
      const logs = page.errors();
      await page.close();
      assert.equal(info.status, 'done', `demo failed: ${info.error || info.demo.error}\n${logs.join('\n')}`);
      assert.equal(info.error, '', 'no error text on the page');
      assert.doesNotMatch(info.text, /\bNaN\b|\bundefined\b|\bfailed\b/, 'no failure text or bad numbers in the page');
      if (name === 'chromium') assert.equal(info.demo.variant, 'relaxed');
      else assert.ok(info.demo.variant === 'relaxed' || info.demo.variant === 'simd', `variant ${info.demo.variant}`);
      assert.ok(info.demo.examples.length >= 2, `examples rendered: ${info.demo.examples.join(', ')}`);
      assert.ok(info.svgs >= 2, `heatmap SVGs in the DOM: ${info.svgs}`);
      assert.equal(info.svgs, info.demo.heatmaps, 'one SVG per heatmap the examples produced');
      assert.ok(info.cells > 20, `heatmap cells drawn: ${info.cells}`);
      assert.ok(statSync(shot).size > 10_000, 'screenshot written');
      assert.deepEqual(logs.filter((l) => !/favicon/.test(l)), [], 'no console errors, page errors or failed requests');
    });
  });
}

engineSuite('chromium', launchChromium, false);
engineSuite('firefox', launchFirefoxOrThrow, firefoxSkip());
