// The packed tarball passes publint (strict: warnings fail) and arethetypeswrong (every entry point typed in node10,
// node16 from CJS, node16 from ESM and bundler resolution, CommonJS types for require), and TypeScript consumers of
// both module systems type-check against the installed package. Also: the LICENSE the "license" field promises, and
// no install-time lifecycle scripts (npm 11 warns when a tarball with `prepare` is installed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from './dist_build.ts';
import { installTarball, packPackage, type Packed } from './packed.ts';

let work = '';
let packed: Packed;
let consumer = '';

function run(bin: string, args: string[], cwd = work): { code: number; out: string } {
  try {
    const out = execFileSync(join(ROOT, 'node_modules/.bin', bin), args,
      { cwd, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-attention-lint-'));
  packed = packPackage(work);
  consumer = join(work, 'consumer');
  installTarball(consumer, packed.tarball);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('publint (strict): no errors, warnings or suggestions on the tarball', () => {
  const r = run('publint', ['run', packed.tarball, '--strict', '--level', 'suggestion']);
  assert.equal(r.code, 0, `publint failed:\n${r.out}`);
  assert.match(r.out, /All good!/, r.out);
});

test('arethetypeswrong: every entry point typed in node10, node16 (CJS and ESM) and bundler resolution', () => {
  // the two .wasm subpaths are assets (for `new URL(...)` / `?url` imports), not modules: nothing for attw to type
  const r = run('attw', [packed.tarball, '--format', 'ascii', '--no-emoji', '--exclude-entrypoints', './simd.wasm', './relaxed.wasm', './simd-threads.wasm', './relaxed-threads.wasm']);
  assert.equal(r.code, 0, `attw found problems:\n${r.out}`);
  assert.match(r.out, /No problems found/, r.out);
  for (const entry of ['"wasm-attention"', '"wasm-attention/inline"', '"wasm-attention/files"', '"wasm-attention/tfjs"']) {
    const block = r.out.slice(r.out.indexOf(entry)).split('***')[0];
    assert.match(block, /node16 \(from CJS\): .*\(CJS\)/, `${entry}: require() gets CommonJS types\n${block}`);
    assert.match(block, /node16 \(from ESM\): .*\(ESM\)/, `${entry}: import gets ESM types\n${block}`);
  }
});

test('the tarball: LICENSE (MIT), .d.cts types beside every .d.ts, the inline and IIFE builds, no lifecycle scripts', () => {
  const files = new Set(packed.files);
  assert.ok(files.has('LICENSE'), 'LICENSE is packed');
  const pkg = JSON.parse(readFileSync(join(consumer, 'node_modules/wasm-attention/package.json'), 'utf8'));
  assert.equal(pkg.license, 'MIT');
  assert.match(readFileSync(join(consumer, 'node_modules/wasm-attention/LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} /);
  for (const f of ['dist/inline.js', 'dist/inline.cjs', 'dist/adapters/tfjs.js', 'dist/adapters/tfjs.cjs', 'dist/adapters/tfjs.d.ts',
    'dist/adapters/tfjs.d.cts', 'dist/wasm-attention.inline.iife.js', 'dist/wasm-embedded.cjs']) {
    assert.ok(files.has(f), `${f} is packed`);
  }
  const dts = packed.files.filter((f) => f.endsWith('.d.ts'));
  assert.deepEqual(dts.filter((f) => !files.has(f.replace(/\.d\.ts$/, '.d.cts'))), [], 'a .d.cts for every .d.ts');
  const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'preprepare', 'postprepare'];
  assert.deepEqual(lifecycle.filter((s) => pkg.scripts?.[s]), [], 'no install-time scripts');
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), [], 'no runtime dependencies');
  assert.deepEqual(pkg.peerDependenciesMeta?.['@tensorflow/tfjs-core'], { optional: true }, 'tfjs-core is an optional peer');
});

test('TypeScript: CommonJS (.cts, require) and ESM (.mts) consumers type-check against the installed package', () => {
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true,
      lib: ['es2022', 'dom'], types: [], skipLibCheck: false },
    files: ['consumer.cts', 'consumer.mts'],
  }));
  const body = [
    'export async function main(): Promise<number> {',
    "  const rt: Runtime = await init({ variant: 'auto' });",
    '  const t: Tensor = rt.tensor(new Float32Array(4), [2, 2]);',
    '  const mha = new MultiHead(rt, { embedDim: 2, numHeads: 1 });',
    '  const { output } = mha.forward(t, t, t);',
    "  const rt2: Runtime = await inline.init({ variant: 'simd' });",
    '  const installed = await tfjs.installTfjsKernels({ getKernel: () => undefined, registerKernel() {}, unregisterKernel() {} }, { runtime: rt2, backends: [] });',
    '  return output.size + installed.backends.length;',
    '}',
  ];
  writeFileSync(join(consumer, 'consumer.cts'), [
    "import { init, MultiHead, Tensor, Runtime } from 'wasm-attention';",
    "import inline = require('wasm-attention/inline');",
    "import tfjs = require('wasm-attention/tfjs');",
    ...body,
  ].join('\n'));
  writeFileSync(join(consumer, 'consumer.mts'), [
    "import { init, MultiHead, Tensor, type Runtime } from 'wasm-attention';",
    "import * as inline from 'wasm-attention/inline';",
    "import * as tfjs from 'wasm-attention/tfjs';",
    ...body,
  ].join('\n'));
  const r = (() => {
    try {
      return { code: 0, out: execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: consumer, encoding: 'utf8' }) };
    } catch (e) {
      return { code: 1, out: `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}` };
    }
  })();
  assert.equal(r.code, 0, `tsc on CommonJS + ESM consumers of the installed package failed:\n${r.out}`);
});
