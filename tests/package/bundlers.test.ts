// Zero-config bundling, as users do it: `npm pack`, install the tarball (offline) into a fresh app, build a tiny app
// with each bundler and no configuration beyond input and output, serve the output on localhost and run it in
// headless Chromium: `init()` + a MultiHead forward on the page, in a module worker and in a classic worker, each
// compared with the same computation done here in Node from the sources. One test per row:
//   Vite (build)            index.html + new Worker(new URL(...)) (embedded builds); the same app importing
//                           'wasm-attention/files' (the four .wasm files become assets)
//   Vite (dev server)       both apps from `vite` (dependency pre-bundling on)
//   webpack 5               src/index.js, `webpack --mode production` -> main.js + the .wasm assets
//   esbuild ESM / IIFE      `esbuild --bundle --platform=browser` (embedded builds: esbuild copies no assets)
//   Rollup                  rollup -c with @rollup/plugin-node-resolve only (embedded builds)
//   <script>                dist/wasm-attention.inline.iife.js (global WasmAttention), importScripts in a worker
// The bundlers are the repository's devDependencies, linked into the app's node_modules (nothing is downloaded).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { transformSync } from 'esbuild';
import * as source from '../../bindings/index.ts';
import { ROOT } from './dist_build.ts';
import { installTarball, packPackage } from './packed.ts';
import { launchChromium, type BrowserSession } from '../support/browsers.ts';
import { compareResults, runChecks, type Lib, type Results } from '../support/runtime_fixtures.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css', '.map': 'application/json',
};
const BUNDLERS = ['vite', 'webpack', 'webpack-cli', 'rollup', '@rollup/plugin-node-resolve', 'esbuild'];

let work = '';
let app = '';
let browser: BrowserSession | null = null;
const servers: Server[] = [];
const expected: Record<string, Results> = {};

// ---------------------------------------------------------------------------------------------------------------
// The app. src/app.js runs the checks with the package; page.js runs them on the page and in two workers made by
// the given functions, then leaves everything in window.__result.
const APP: Record<string, string> = {
  'src/app.js': `import { init, MultiHead } from 'wasm-attention';
import { runChecks } from './fixtures.js';
export const check = (variant) => runChecks({ init, MultiHead }, variant ? { variant } : {});
`,
  'src/worker.js': `import { check } from './app.js';
check().then((r) => postMessage({ ok: true, r }), (e) => postMessage({ ok: false, error: String(e && e.stack || e) }));
`,
  'src/page.js': `import { check } from './app.js';
function fromWorker(make) {
  return new Promise((resolve, reject) => {
    let w;
    try { w = make(); } catch (e) { reject(e); return; }
    const t = setTimeout(() => { w.terminate(); reject(new Error('no answer in 30 s')); }, 30000);
    w.onmessage = (e) => { clearTimeout(t); w.terminate(); e.data.ok ? resolve(e.data.r) : reject(new Error(e.data.error)); };
    w.onerror = (e) => { clearTimeout(t); w.terminate(); reject(new Error('worker error: ' + (e.message || 'could not load the worker script'))); };
  });
}
export async function run(workers) {
  const out = { errors: [] };
  const step = async (name, fn) => { try { out[name] = await fn(); } catch (e) { out.errors.push(name + ': ' + (e && e.stack || e)); } };
  await step('page', () => check());
  await step('pageSimd', () => check('simd'));
  for (const [name, make] of Object.entries(workers)) await step(name, () => fromWorker(make));
  out.wasmFetched = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\\.wasm(\\?|$)/.test(n));
  globalThis.__result = out;
}
`,
  // webpack and Vite: the worker syntax both of them bundle
  'src/index.js': `import { run } from './page.js';
run({
  moduleWorker: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
  classicWorker: () => new Worker(new URL('./worker.js', import.meta.url)),
});
`,
  // esbuild and Rollup do not bundle workers: the worker is its own entry, built as ESM and as an IIFE
  'src/plain.js': `import { run } from './page.js';
run({
  moduleWorker: () => new Worker('./worker.js', { type: 'module' }),
  classicWorker: () => new Worker('./worker.classic.js'),
});
`,
  'index.html': '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>app</title><script type="module" src="/src/index.js"></script>\n',
  'rollup.config.mjs': `import { nodeResolve } from '@rollup/plugin-node-resolve';
const plugins = [nodeResolve()];
export default [
  { input: 'src/plain.js', output: { file: 'out/rollup/plain.js', format: 'es' }, plugins },
  { input: 'src/worker.js', output: { file: 'out/rollup/worker.js', format: 'es' }, plugins },
  { input: 'src/worker.js', output: { file: 'out/rollup/worker.classic.js', format: 'iife' }, plugins },
];
`,
};
const moduleHtml = (script: string) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>app</title><script type="module" src="./${script}"></script>\n`;
const classicHtml = (script: string) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>app</title><script src="./${script}"></script>\n`;

// The <script> page: no bundler, no module, the global build copied next to the page.
const SCRIPT_PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>script</title>
<script src="./wasm-attention.inline.iife.js"></script>
<script src="./fixtures.iife.js"></script>
<script>
(async () => {
  const lib = { init: WasmAttention.init, MultiHead: WasmAttention.MultiHead };
  const out = { errors: [] };
  try { out.page = await Fixtures.runChecks(lib); out.pageSimd = await Fixtures.runChecks(lib, { variant: 'simd' }); }
  catch (e) { out.errors.push('page: ' + (e && e.stack || e)); }
  try {
    out.classicWorker = await new Promise((resolve, reject) => {
      const w = new Worker('./worker.classic.js');
      w.onmessage = (e) => { w.terminate(); e.data.ok ? resolve(e.data.r) : reject(new Error(e.data.error)); };
      w.onerror = (e) => reject(new Error('worker error: ' + e.message));
    });
  } catch (e) { out.errors.push('classicWorker: ' + (e && e.stack || e)); }
  out.wasmFetched = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\\.wasm/.test(n));
  window.__result = out;
})();
</script>
`;
const SCRIPT_WORKER = `importScripts('./wasm-attention.inline.iife.js', './fixtures.iife.js');
Fixtures.runChecks({ init: WasmAttention.init, MultiHead: WasmAttention.MultiHead })
  .then((r) => postMessage({ ok: true, r }), (e) => postMessage({ ok: false, error: String(e && e.stack || e) }));
`;

// ---------------------------------------------------------------------------------------------------------------
function write(files: Record<string, string>, dir = app): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** Runs a bundler's CLI from the app's node_modules/.bin; resolves with its output, rejects with it on failure. */
function cli(bin: string, args: string[], timeout = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(app, 'node_modules/.bin', bin), args,
      { cwd: app, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const t = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out); else reject(new Error(`${bin} ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

/** A static server of `dir` on 127.0.0.1 (any free port); returns its base URL. */
async function serve(dir: string): Promise<string> {
  const s = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(dir, path));
    if (file !== dir && !file.startsWith(dir + sep)) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}/`;
}

interface PageResult {
  errors: string[];
  page?: Results; pageSimd?: Results; moduleWorker?: Results; classicWorker?: Results;
  wasmFetched: string[];
}

/** Opens `url`, waits for window.__result, checks every part against Node; returns the result for more checks. */
async function check(url: string, parts: ('page' | 'moduleWorker' | 'classicWorker')[]): Promise<PageResult> {
  const page = await browser!.open(url);
  try {
    await page.waitFor('window.__result !== undefined', 60_000);
    const r = await page.evaluate<PageResult>('window.__result');
    assert.deepEqual(r.errors, [], `failures in the page:\n${r.errors.join('\n')}\n${page.errors().join('\n')}`);
    assert.deepEqual(page.errors(), [], 'no console errors, page errors or failed requests');
    const relaxed = source.relaxedSimdSupported() ? 'relaxed' : 'simd';
    for (const part of parts) {
      const got = r[part];
      assert.ok(got?.multiHead, `${part}: MultiHead ran`);
      assert.equal(got.variant, 'relaxed', `${part}: init() picks the relaxed build in Chromium`);
      assert.deepEqual(compareResults(got, expected[relaxed]), [], `${part} vs Node`);
    }
    if (parts.includes('page')) {
      assert.equal(r.pageSimd?.variant, 'simd');
      assert.deepEqual(compareResults(r.pageSimd!, expected.simd), [], 'page (simd build) vs Node');
    }
    return r;
  } finally {
    await page.close();
  }
}

const wasmFiles = (dir: string): string[] =>
  (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.wasm'));

// ---------------------------------------------------------------------------------------------------------------
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'wasm-attention-bundlers-'));
  const { tarball } = packPackage(work);
  app = join(work, 'app');
  installTarball(app, tarball);
  // the repository's bundlers, linked in (their own dependencies resolve from the repository by realpath)
  mkdirSync(join(app, 'node_modules/.bin'), { recursive: true });
  mkdirSync(join(app, 'node_modules/@rollup'), { recursive: true });
  for (const p of BUNDLERS) symlinkSync(join(ROOT, 'node_modules', p), join(app, 'node_modules', p), 'dir');
  for (const b of ['vite', 'webpack', 'rollup', 'esbuild']) {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', b === 'webpack' ? 'webpack-cli' : b, 'package.json'), 'utf8'));
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin[b === 'webpack' ? 'webpack-cli' : b];
    symlinkSync(join(ROOT, 'node_modules', b === 'webpack' ? 'webpack-cli' : b, bin), join(app, 'node_modules/.bin', b));
  }
  const fixtures = readFileSync(join(ROOT, 'tests/support/runtime_fixtures.ts'), 'utf8');
  const fixturesJs = transformSync(fixtures, { loader: 'ts', format: 'esm' }).code;
  write({ ...APP, 'src/fixtures.js': fixturesJs });
  // files/: the same app importing 'wasm-attention/files' (the build that fetches build/*.wasm), for Vite
  const twin: Record<string, string> = { 'files/index.html': APP['index.html'], 'files/src/fixtures.js': fixturesJs };
  for (const f of ['src/app.js', 'src/worker.js', 'src/page.js', 'src/index.js']) {
    twin[`files/${f}`] = APP[f].replace("from 'wasm-attention'", "from 'wasm-attention/files'");
  }
  write(twin);
  const lib = { init: source.init, MultiHead: source.MultiHead } as unknown as Lib;
  expected.simd = await runChecks(lib, { variant: 'simd' });
  if (source.relaxedSimdSupported()) expected.relaxed = await runChecks(lib, { variant: 'relaxed' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  // WASM_ATTENTION_KEEP=1 keeps the app and its builds for a look
  if (work && process.env.WASM_ATTENTION_KEEP) console.log(`# kept ${work}`);
  else if (work) rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
test('Vite 8 (vite build, no config): page, module worker, classic worker match Node; also with wasm-attention/files', { timeout: 90_000 }, async () => {
  const log = await cli('vite', ['build', '--outDir', 'out/vite', '--emptyOutDir', '--logLevel', 'warn'])
    + await cli('vite', ['build', 'files', '--outDir', '../out/vite-files', '--emptyOutDir', '--logLevel', 'warn']);
  assert.doesNotMatch(log, /warn|error/i, `vite build printed warnings:\n${log}`);
  const out = join(app, 'out/vite');
  const r = await check(await serve(out), ['page', 'moduleWorker', 'classicWorker']);
  assert.deepEqual([wasmFiles(out), r.wasmFetched], [[], []], 'wasm-attention: the builds are embedded, no .wasm emitted or fetched');
  const files = join(app, 'out/vite-files');
  // the two builds and their shared-memory twins (init({ threads }))
  assert.equal(wasmFiles(files).length, 4, `wasm-attention/files: all four builds emitted as assets: ${wasmFiles(files).join(', ')}`);
  const f = await check(await serve(files), ['page', 'moduleWorker', 'classicWorker']);
  assert.ok(f.wasmFetched.some((u) => /relaxed.*\.wasm/.test(u)), `wasm-attention/files: the relaxed asset was fetched: ${f.wasmFetched.join(', ')}`);
});

test('Vite 8 (dev server, dependency pre-bundling): page and module worker match Node; also with wasm-attention/files', { timeout: 90_000 }, async () => {
  // Vite serves workers unbundled in dev and a classic worker cannot `import`: module workers only (Vite's rule).
  // The pages exist before the server starts, as in any app, so the dependency scan finds both imports at once.
  const devPage = (dir: string) => ({
    [`${dir}dev.html`]: '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./src/dev.js"></script>\n',
    [`${dir}src/dev.js`]: `import { run } from './page.js';
run({ moduleWorker: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) });
` });
  write({ ...devPage(''), ...devPage('files/') });
  const { createServer: createVite } = await import('vite');
  const server = await createVite({ root: app, configFile: false, logLevel: 'silent', clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false }, cacheDir: join(app, 'node_modules/.vite') });
  try {
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    assert.ok(url, 'the dev server has a URL');
    const r = await check(`${url}dev.html`, ['page', 'moduleWorker']);
    assert.deepEqual(r.wasmFetched, [], 'wasm-attention: the builds are embedded, nothing fetched');
    const f = await check(`${url}files/dev.html`, ['page', 'moduleWorker']);
    assert.ok(f.wasmFetched.some((u) => /relaxed\.wasm/.test(u)), `wasm-attention/files: the relaxed build was fetched: ${f.wasmFetched.join(', ')}`);
  } finally {
    await server.close();
  }
});

test('webpack 5 (src/index.js, --mode production, no config): page, module worker, classic worker match Node', { timeout: 90_000 }, async () => {
  const out = join(app, 'out/webpack');
  const log = await cli('webpack', ['--mode', 'production', '--output-path', out, '--no-stats']);
  assert.doesNotMatch(log, /WARNING|ERROR/, `webpack printed warnings:\n${log}`);
  assert.equal(wasmFiles(out).length, 4, `webpack emitted the four builds (two variants, each also shared-memory): ${wasmFiles(out).join(', ')}`);
  writeFileSync(join(out, 'index.html'), classicHtml('main.js'));
  const r = await check(await serve(out), ['page', 'moduleWorker', 'classicWorker']);
  assert.ok(r.wasmFetched.length >= 1, 'the page fetched a .wasm asset');
});

test('esbuild (--bundle --platform=browser, ESM): page, module worker, classic worker match Node', { timeout: 60_000 }, async () => {
  const out = join(app, 'out/esbuild-esm');
  const log = await cli('esbuild', ['src/plain.js', 'src/worker.js', '--bundle', '--platform=browser', '--format=esm', `--outdir=${out}`, '--log-level=warning'])
    + await cli('esbuild', ['src/worker.js', '--bundle', '--platform=browser', '--format=iife', `--outfile=${join(out, 'worker.classic.js')}`, '--log-level=warning']);
  assert.doesNotMatch(log, /WARNING|ERROR/, `esbuild printed warnings:\n${log}`);
  writeFileSync(join(out, 'index.html'), moduleHtml('plain.js'));
  const r = await check(await serve(out), ['page', 'moduleWorker', 'classicWorker']);
  assert.deepEqual(r.wasmFetched, [], 'the builds are embedded: nothing fetched');
});

test('esbuild (--bundle --platform=browser --format=iife, a classic <script>): page, module worker, classic worker match Node', { timeout: 60_000 }, async () => {
  const out = join(app, 'out/esbuild-iife');
  const log = await cli('esbuild', ['src/plain.js', '--bundle', '--platform=browser', '--format=iife', `--outfile=${join(out, 'plain.js')}`, '--log-level=warning'])
    + await cli('esbuild', ['src/worker.js', '--bundle', '--platform=browser', '--format=esm', `--outfile=${join(out, 'worker.js')}`, '--log-level=warning'])
    + await cli('esbuild', ['src/worker.js', '--bundle', '--platform=browser', '--format=iife', `--outfile=${join(out, 'worker.classic.js')}`, '--log-level=warning']);
  assert.doesNotMatch(log, /WARNING|ERROR/, `esbuild printed warnings:\n${log}`);
  writeFileSync(join(out, 'index.html'), classicHtml('plain.js'));
  await check(await serve(out), ['page', 'moduleWorker', 'classicWorker']);
});

test('Rollup 4 (rollup -c, @rollup/plugin-node-resolve only; ESM + IIFE worker): page, module worker, classic worker match Node', { timeout: 60_000 }, async () => {
  const log = await cli('rollup', ['-c', '--silent']);
  assert.doesNotMatch(log, /\(!\)|warning|error/i, `rollup printed warnings:\n${log}`);
  const out = join(app, 'out/rollup');
  writeFileSync(join(out, 'index.html'), moduleHtml('plain.js'));
  await check(await serve(out), ['page', 'moduleWorker', 'classicWorker']);
});

test('<script src="wasm-attention.inline.iife.js"> (global WasmAttention, no bundler): page and classic worker (importScripts) match Node', { timeout: 60_000 }, async () => {
  const out = join(app, 'out/script');
  mkdirSync(out, { recursive: true });
  copyFileSync(join(app, 'node_modules/wasm-attention/dist/wasm-attention.inline.iife.js'), join(out, 'wasm-attention.inline.iife.js'));
  const fixtures = readFileSync(join(ROOT, 'tests/support/runtime_fixtures.ts'), 'utf8');
  write({
    'fixtures.iife.js': transformSync(fixtures, { loader: 'ts', format: 'iife', globalName: 'Fixtures' }).code,
    'index.html': SCRIPT_PAGE, 'worker.classic.js': SCRIPT_WORKER,
  }, out);
  const r = await check(await serve(out), ['page', 'classicWorker']);
  assert.deepEqual(r.wasmFetched, [], 'the builds are embedded: nothing fetched');
});
