// The published package works where users import it: `npm pack`, install the tarball into a fresh project
// (offline: the package has no runtime dependencies), then import it (ESM) and require it (CJS) from there and
// compare the numbers with the same computation done here from the sources.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { transformSync } from 'esbuild';
import * as source from '../../bindings/index.ts';
import { ensureDist, ROOT } from './dist_build.ts';
import { npm } from './packed.ts';
import { compareResults, runChecks, type Lib, type Results } from '../support/runtime_fixtures.ts';

let work = '';
let proj = '';
let packed: { filename: string; files: { path: string }[] } | null = null;

function expected(variant: string): Promise<Results> {
  return runChecks(source as unknown as Lib, { variant: variant as 'simd' | 'relaxed' });
}

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: proj, encoding: 'utf8', timeout: 30_000 });
}

before(() => {
  ensureDist();
  work = mkdtempSync(join(tmpdir(), 'wasm-attention-pack-'));
  // --ignore-scripts: dist/ and build/ are fresh already (ensureDist, npm install), no need to rebuild in `prepare`
  const out = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT, 30_000);
  packed = JSON.parse(out)[0];
  proj = join(work, 'consumer');
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  npm(['install', join(work, packed!.filename), '--offline', '--no-audit', '--no-fund', '--loglevel=error'], proj, 45_000);
  // the shared checks, as plain JavaScript for both module systems
  const fixtures = readFileSync(join(ROOT, 'tests/support/runtime_fixtures.ts'), 'utf8');
  writeFileSync(join(proj, 'fixtures.mjs'), transformSync(fixtures, { loader: 'ts', format: 'esm' }).code);
  writeFileSync(join(proj, 'fixtures.cjs'), transformSync(fixtures, { loader: 'ts', format: 'cjs' }).code);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds dist/, the four wasm builds and package metadata only', () => {
  const files = packed!.files.map((f) => f.path).sort();
  const allowed = /^(dist\/.+|build\/(simd|relaxed)(-threads)?\.wasm|package\.json|README\.md|LICENSE)$/;
  assert.deepEqual(files.filter((f) => !allowed.test(f)), [], 'unexpected files in the package');
  for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'build/simd.wasm', 'build/relaxed.wasm',
    'build/simd-threads.wasm', 'build/relaxed-threads.wasm', 'package.json']) {
    assert.ok(files.includes(f), `${f} missing from the package`);
  }
  const pkg = JSON.parse(readFileSync(join(proj, 'node_modules/wasm-attention/package.json'), 'utf8'));
  assert.deepEqual(pkg.dependencies ?? {}, {}, 'no runtime dependencies');
});

test('ESM: import from the installed package, init() finds the wasm, results match the sources', async () => {
  writeFileSync(join(proj, 'esm.mjs'), [
    "import * as lib from 'wasm-attention';",
    "import { init, MultiHead, Transformer } from 'wasm-attention';",
    "import { runChecks } from './fixtures.mjs';",
    "const res = await runChecks({ init, MultiHead, Transformer, Attention: lib.Attention });",
    "res.exports = Object.keys(lib).sort();",
    "res.wasm = [import.meta.resolve('wasm-attention/simd.wasm'), import.meta.resolve('wasm-attention/relaxed.wasm')];",
    'console.log(JSON.stringify(res));',
  ].join('\n'));
  const flags = process.execArgv.filter((a) => a.startsWith('--experimental-wasm'));
  const res = JSON.parse(node([...flags, 'esm.mjs']));
  assert.deepEqual(res.exports, Object.keys(source).sort(), 'the ESM bundle exports what bindings/index.ts exports');
  for (const u of res.wasm) assert.ok(existsSync(new URL(u)), `${u} (package subpath export) does not exist`);
  if (source.relaxedSimdSupported()) assert.equal(res.variant, 'relaxed', 'same flags as this process: relaxed SIMD');
  assert.ok(res.attention && res.multiHead && res.transformer, 'Attention, MultiHead and Transformer ran');
  assert.deepEqual(compareResults(res, await expected(res.variant)), []);
});

test('CJS: require the installed package, init() finds the wasm, results match the sources', async () => {
  writeFileSync(join(proj, 'cjs.cjs'), [
    "const lib = require('wasm-attention');",
    "const { runChecks } = require('./fixtures.cjs');",
    "const pkg = require('wasm-attention/package.json');",
    "const wasm = require.resolve('wasm-attention/simd.wasm');",
    'runChecks(lib).then((res) => {',
    '  res.exports = Object.keys(lib).sort(); res.version = pkg.version; res.wasm = wasm;',
    '  console.log(JSON.stringify(res));',
    '}, (e) => { console.error(e); process.exit(1); });',
  ].join('\n'));
  // no flags: a plain `node` picks whatever this Node supports (simd on Node 20, relaxed on Node >= 21)
  const res = JSON.parse(node(['cjs.cjs']));
  assert.deepEqual(res.exports, Object.keys(source).sort(), 'the CJS bundle exports what bindings/index.ts exports');
  assert.ok(existsSync(res.wasm));
  assert.match(res.version, /^\d+\.\d+\.\d+/);
  if (Number(process.versions.node.split('.')[0]) >= 21) assert.equal(res.variant, 'relaxed');
  assert.ok(res.attention && res.multiHead && res.transformer, 'Attention, MultiHead and Transformer ran');
  assert.deepEqual(compareResults(res, await expected(res.variant)), []);
});

// threads from the installed package: the worker source and the threads builds survive bundling (file build for
// import and require, inline build), and the results equal the sources' single-thread ones bit for bit
for (const [entry, kind] of [['wasm-attention', 'mjs'], ['wasm-attention/inline', 'mjs'], ['wasm-attention', 'cjs']] as const) {
  test(`threads from the installed package (${kind === 'cjs' ? 'require' : 'import'} '${entry}'): 2 threads, same bits`, async () => {
    const load = kind === 'cjs' ? `const lib = require('${entry}');` : `import * as lib from '${entry}';`;
    writeFileSync(join(proj, `threads.${kind}`), [
      load,
      '(async () => {',
      '  const rt = await lib.init({ threads: 2, variant: "simd" });',
      '  const a = new Float32Array(200 * 300).map((_, i) => Math.sin(i)), b = new Float32Array(300 * 260).map((_, i) => Math.cos(i));',
      // repeated: the caller takes every task a worker has not claimed yet, so one call may run without the worker
      '  let c; for (let i = 0; i < 20; i++) c = rt.ops.matmul(a, b, { m: 200, k: 300, n: 260 });',
      '  console.log(JSON.stringify({ threads: rt.threads, shared: rt.memory.buffer instanceof SharedArrayBuffer,',
      '    workerTasks: rt.pool.stats().workerTasks, bits: Array.from(new Uint32Array(c.buffer, 0, c.length)) }));',
      '})().catch((e) => { console.error(e); process.exit(1); });',
    ].join('\n'));
    const res = JSON.parse(node([`threads.${kind}`]));
    assert.deepEqual(res.threads, { count: 2, requested: 2, reason: null });
    assert.ok(res.shared && res.workerTasks > 0, 'the workers of the installed package ran tasks');
    const one = await source.init({ variant: 'simd' });
    const a = new Float32Array(200 * 300).map((_, i) => Math.sin(i)), b = new Float32Array(300 * 260).map((_, i) => Math.cos(i));
    const c = one.ops.matmul(a, b, { m: 200, k: 300, n: 260 }) as Float32Array;
    assert.deepEqual(res.bits, Array.from(new Uint32Array(c.buffer, 0, c.length)));
  });
}

test('TypeScript: the installed package type-checks for an ESM consumer (types resolved through exports)', () => {
  writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true,
      lib: ['es2022', 'dom'], types: [], skipLibCheck: false },
    files: ['consumer.mts'],
  }));
  writeFileSync(join(proj, 'consumer.mts'), [
    "import { init, MultiHead, Transformer, attentionHeatmapSVG, Tensor, type Variant, type MultiHeadOptions, type ThreadsInfo } from 'wasm-attention';",
    'const rt = await init({ variant: \'auto\', threads: \'auto\' });',
    'const th: ThreadsInfo = rt.threads;',
    'const why: string | null = th.reason;',
    'const v: Variant = rt.variant;',
    'const t: Tensor = rt.tensor(new Float32Array(4), [2, 2]);',
    'const opts: MultiHeadOptions = { embedDim: 2, numHeads: 1 };',
    'const mha = new MultiHead(rt, opts);',
    'const { output, weights } = mha.forward(t, t, t, { needWeights: true });',
    'const svg: string = attentionHeatmapSVG(weights!);',
    'const enc = new Transformer(rt, { dModel: 2, nhead: 1, dimFeedforward: 4 });',
    'const y: Tensor = enc.forward({ data: new Float32Array(4), shape: [2, 1, 2] });',
    'export const n: number = t.size + v.length + output.size + svg.length + y.size + th.count + th.requested + (why ?? \'\').length;',
  ].join('\n'));
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  try {
    node([tsc, '-p', 'tsconfig.json']);
  } catch (e) {
    assert.fail(`tsc on a consumer of the installed package failed:\n${(e as { stdout?: string }).stdout ?? e}`);
  }
});
