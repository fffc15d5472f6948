#!/usr/bin/env node
// Builds what is missing or stale, nothing else: build/*.wasm (asc, the six targets of `npm run build:wasm`) when a
// build is missing or older than assembly/ or asconfig.json, then dist/ (scripts/build-dist.mjs) when an output is
// missing or older than its sources. Runs before `npm test`, `npm run demo` and `npm run bench` ("pre" scripts), so
// a fresh clone needs only `npm install` (the package has no install-time scripts; `npm run build` forces a rebuild).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WASM = [['assembly/index.ts', 'simd'], ['assembly/index.ts', 'relaxed'],
  ['assembly/index.ts', 'simd-threads'], ['assembly/index.ts', 'relaxed-threads'],
  ['assembly/probes/index.ts', 'probes-simd'], ['assembly/probes/index.ts', 'probes-relaxed']];
const DIST_OUT = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/inline.js', 'dist/inline.cjs',
  'dist/adapters/tfjs.js', 'dist/wasm-attention.inline.iife.js'];
const DIST_IN = ['bindings', 'demo', 'build/simd.wasm', 'build/relaxed.wasm', 'build/simd-threads.wasm', 'build/relaxed-threads.wasm', 'scripts/build-dist.mjs', 'tsconfig.json', 'tsconfig.build.json'];

function newest(p) {
  const abs = join(root, p);
  if (!existsSync(abs)) return 0;
  const st = statSync(abs);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(abs)) t = Math.max(t, newest(join(p, e)));
  return t;
}
const stale = (outputs, inputs) => {
  const src = Math.max(...inputs.map(newest));
  return outputs.some((o) => !existsSync(join(root, o)) || statSync(join(root, o)).mtimeMs < src);
};
function run(args, what) {
  console.log(`ensure-build: ${what}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
for (const [entry, target] of WASM) {
  if (stale([`build/${target}.wasm`], ['assembly', 'asconfig.json'])) run([asc, entry, '--target', target], `asc ${entry} --target ${target}`);
}
if (stale(DIST_OUT, DIST_IN)) run([join(root, 'scripts/build-dist.mjs'), '--quiet'], 'node scripts/build-dist.mjs');
