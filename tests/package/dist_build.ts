// Test helper: makes sure dist/ is built and newer than its sources (node --test runs test files in parallel
// processes, so the build is serialised with a lock directory and re-checked once the lock is held).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUTPUTS = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/inline.js', 'dist/inline.cjs',
  'dist/adapters/tfjs.js', 'dist/wasm-attention.inline.iife.js', 'dist/demo/page.js', 'dist/demo/index.html'];
// build/*.wasm too: the inline builds embed them
const INPUTS = ['bindings', 'demo', 'build/simd.wasm', 'build/relaxed.wasm', 'build/simd-threads.wasm', 'build/relaxed-threads.wasm', 'scripts/build-dist.mjs', 'tsconfig.json', 'tsconfig.build.json'];

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(p)) t = Math.max(t, newest(join(p, e)));
  return t;
}

/** True when some output is missing or older than the newest source. */
export function distIsStale(): boolean {
  const src = Math.max(...INPUTS.map((p) => newest(join(ROOT, p))));
  return OUTPUTS.some((o) => !existsSync(join(ROOT, o)) || statSync(join(ROOT, o)).mtimeMs < src);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds dist/ (node scripts/build-dist.mjs) when it is missing or stale. */
export function ensureDist(): void {
  if (!existsSync(join(ROOT, 'build/simd.wasm')) || !existsSync(join(ROOT, 'build/relaxed.wasm'))) {
    throw new Error('build/*.wasm missing: run `npm run build:wasm` (`npm test` does it first: scripts/ensure-build.mjs)');
  }
  if (!distIsStale()) return;
  const lock = join(ROOT, 'node_modules', '.dist-build.lock');
  const t0 = Date.now();
  for (;;) {
    try { mkdirSync(lock); break; } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // a lock older than 2 minutes belongs to a build that died
      try { if (Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock); } catch { /* gone meanwhile */ }
      if (Date.now() - t0 > 180_000) throw new Error(`waited 3 minutes for ${lock}`);
      sleep(200);
    }
  }
  try {
    if (!distIsStale()) return;
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build-dist.mjs'), '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`scripts/build-dist.mjs failed:\n${r.stdout}${r.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}
