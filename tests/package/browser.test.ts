// Chromium: a page served with the package imports /dist/index.js, init() fetches ../build/*.wasm with no
// configuration, and Attention / MultiHead / Transformer forwards match Node. Then the demo page (dist/demo/)
// renders its heatmaps. Needs /usr/bin/chromium (CI's .ci/run installs it) and playwright-core.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as source from '../../bindings/index.ts';
import { ensureDist, ROOT } from './dist_build.ts';
import { compareResults, runChecks, type Lib, type Results } from '../support/runtime_fixtures.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.css': 'text/css', '.map': 'application/json',
};

let work = '';
let server: Server | null = null;
let base = '';
let browser: Browser | null = null;
const requests: string[] = [];

// Static files: /__test__/* from the scratch folder (the bundled test page script), everything else from the
// package root, as any static server of the package would.
function serve(root: string, scratch: string): Promise<Server> {
  const s = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const [dir, rel] = path.startsWith('/__test__/') ? [scratch, path.slice('/__test__/'.length)] : [root, path.slice(1)];
    let file = normalize(join(dir, rel));
    if (file !== dir && !file.startsWith(dir + sep)) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

// Waits for `fn` to hold in the page; fails at once on an uncaught page error (e.g. a missing export), with the logs.
async function settle(page: Page, logs: string[], fn: () => boolean, what: string): Promise<void> {
  let onError: (e: Error) => void = () => {};
  const crashed = new Promise<never>((_, reject) => { onError = reject; page.on('pageerror', onError); });
  try {
    await Promise.race([page.waitForFunction(fn, null, { timeout: 30_000 }), crashed]);
  } catch (e) {
    assert.fail(`${what} did not finish: ${(e as Error).message}\n${logs.join('\n')}`);
  } finally {
    page.off('pageerror', onError);
  }
}

async function open(url: string): Promise<{ page: Page; logs: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
  const logs: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') logs.push(`console.${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => logs.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(url);
  return { page, logs };
}

before(async () => {
  ensureDist();
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install -y chromium (CI's .ci/run does this)`);
  work = mkdtempSync(join(tmpdir(), 'wasm-attention-browser-'));
  await build({
    entryPoints: [join(ROOT, 'tests/package/browser/page.ts')], outfile: join(work, 'page.js'),
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error',
  });
  server = await serve(ROOT, work);
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  if (work) rmSync(work, { recursive: true, force: true });
});

test('Chromium: /dist/index.js finds the wasm, picks relaxed, results match Node', { timeout: 60_000 }, async () => {
  const { page, logs } = await open(`${base}/tests/package/browser/page.html`);
  await settle(page, logs, () => (globalThis as { __result?: unknown }).__result !== undefined, 'the test page');
  const r = await page.evaluate(() => (globalThis as unknown as { __result: unknown }).__result) as
    { ok: boolean; error?: string; variant: string; relaxedSupported: boolean; auto: Results; simd: Results };
  await page.close();
  assert.ok(r.ok, `page failed: ${r.error}\n${logs.join('\n')}`);
  assert.equal(r.relaxedSupported, true, 'Chromium supports relaxed SIMD');
  assert.equal(r.variant, 'relaxed', 'init() picks the relaxed build in Chromium');
  assert.equal(r.auto.variant, 'relaxed');
  assert.equal(r.simd.variant, 'simd');
  assert.ok(r.auto.attention && r.auto.multiHead && r.auto.transformer, 'Attention, MultiHead and Transformer ran');
  assert.ok(requests.includes('/build/relaxed.wasm') && requests.includes('/build/simd.wasm'),
    `the page fetched the builds from the package's build/ folder: ${requests.join(', ')}`);
  assert.deepEqual(compareResults(r.simd, await runChecks(source as unknown as Lib, { variant: 'simd' })), [], 'simd build vs Node');
  if (source.relaxedSimdSupported()) {
    assert.deepEqual(compareResults(r.auto, await runChecks(source as unknown as Lib, { variant: 'relaxed' })), [], 'relaxed build vs Node');
  }
});

test('Chromium: the demo page renders its heatmaps (screenshot kept in the temp dir while the test runs)', { timeout: 60_000 }, async () => {
  const { page, logs } = await open(`${base}/dist/demo/index.html`);
  await settle(page, logs, () => document.body.dataset.status !== 'running', 'the demo page');
  const shot = process.env.WASM_ATTENTION_SCREENSHOT ?? join(work, 'demo.png');
  await page.screenshot({ path: shot, fullPage: true });
  const info = await page.evaluate(() => ({
    status: document.body.dataset.status,
    demo: (globalThis as unknown as { __demo: { heatmaps: number; examples: string[]; variant?: string; error?: string } }).__demo,
    svgs: document.querySelectorAll('figure.heatmap svg').length,
    cells: document.querySelectorAll('figure.heatmap svg rect').length,
    error: document.getElementById('error')?.textContent ?? '',
    text: document.body.innerText,
  }));
  await page.close();
  assert.equal(info.status, 'done', `demo failed: ${info.error || info.demo.error}\n${logs.join('\n')}`);
  assert.equal(info.error, '', 'no error text on the page');
  assert.doesNotMatch(info.text, /\bNaN\b|\bundefined\b|\bfailed\b/, 'no failure text or bad numbers in the page');
  assert.equal(info.demo.variant, 'relaxed');
  assert.ok(info.demo.examples.length >= 2, `examples rendered: ${info.demo.examples.join(', ')}`);
  assert.ok(info.svgs >= 2, `heatmap SVGs in the DOM: ${info.svgs}`);
  assert.equal(info.svgs, info.demo.heatmaps, 'one SVG per heatmap the examples produced');
  assert.ok(info.cells > 20, `heatmap cells drawn: ${info.cells}`);
  assert.ok(statSync(shot).size > 10_000, 'screenshot written');
  assert.deepEqual(logs.filter((l) => !/favicon/.test(l)), [], 'no console errors, page errors or failed requests');
});
