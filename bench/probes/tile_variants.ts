// Builds A/B variants of the GEMM kernels into DIR/<variant>/{simd,relaxed}.wasm for bench/probes/gemm.ts --alt and
// bench/browsers.ts --probe --alt: the assembly/ tree copied to a temp dir, one source edit per variant, compiled
// with the asconfig targets simd and relaxed.
//   node --import tsx bench/probes/tile_variants.ts DIR [variant ...]      (default: every variant below)
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
type Edit = [file: string, from: string | RegExp, to: string];
const A_SHUF = 'export const A_SHUF5: i32 = ASC_FEATURE_RELAXED_SIMD ? 2 : 0;';

// The 5x8 tile with two K steps per pass (constant offsets, one pointer bump per two steps).
const TILE5_K2 = `
  let kc1 = kc;
  for (let p = kc >> 1; p > 0; p--) {
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
    let s = v128.load32_splat(ap); x00 = madd(s, b0, x00); x01 = madd(s, b1, x01);
    s = v128.load32_splat(ap, 4); x10 = madd(s, b0, x10); x11 = madd(s, b1, x11);
    s = v128.load32_splat(ap, 8); x20 = madd(s, b0, x20); x21 = madd(s, b1, x21);
    s = v128.load32_splat(ap, 12); x30 = madd(s, b0, x30); x31 = madd(s, b1, x31);
    s = v128.load32_splat(ap, 16); x40 = madd(s, b0, x40); x41 = madd(s, b1, x41);
    s = v128.load32_splat(ap, 20); x00 = madd(s, b2, x00); x01 = madd(s, b3, x01);
    s = v128.load32_splat(ap, 24); x10 = madd(s, b2, x10); x11 = madd(s, b3, x11);
    s = v128.load32_splat(ap, 28); x20 = madd(s, b2, x20); x21 = madd(s, b3, x21);
    s = v128.load32_splat(ap, 32); x30 = madd(s, b2, x30); x31 = madd(s, b3, x31);
    s = v128.load32_splat(ap, 36); x40 = madd(s, b2, x40); x41 = madd(s, b3, x41);
    ap += 40; b += 64;
  }
  kc1 = kc & 1;
  const first = 5 - A_SHUF5;
  const bEnd = b + (<usize>kc1 << 5);`;

export const VARIANTS: Record<string, Edit[]> = {
  // every A row of the 5-row tile a broadcast load, in both builds
  shuf0: [['gemm/tiles.ts', A_SHUF, 'export const A_SHUF5: i32 = 0;']],
  // 2 rows from a v128 load + lane shuffles, in both builds
  shuf2: [['gemm/tiles.ts', A_SHUF, 'export const A_SHUF5: i32 = 2;']],
  // 3 and 4 shuffled rows
  shuf3: [['gemm/tiles.ts', A_SHUF, 'export const A_SHUF5: i32 = 3;']],
  shuf4: [['gemm/tiles.ts', A_SHUF, 'export const A_SHUF5: i32 = 4;']],
  // only 4-row tiles (GotoBLAS order; the few-rows order still uses 5-row tiles)
  tile4: [['gemm/driver.ts', /function rows5\(m: i32\): i32 \{/, 'function rows5(m: i32): i32 {\n  if (m > 0) return 0;']],
  // only 4-row tiles in both loop orders (few-rows order: 4-row tiles, 3 left-over rows as a partial tile, 1-2 GEMV)
  tile4all: [
    ['gemm/driver.ts', /function rows5\(m: i32\): i32 \{/, 'function rows5(m: i32): i32 {\n  if (m > 0) return 0;'],
    ['gemm/driver.ts', /  let m5 = \(m \/ 5\) \* 5, tiled = m5;[^\n]*\n  const r = m - m5;\n  if \(r == 4\) tiled = m;\n  else if[^\n]*\n/,
      '  let m5 = 0, tiled = m & ~3;\n  if (m - tiled == 3) tiled = m;\n'],
  ],
  // tile4all, and the 4-row tile with one K step per pass in the simd build too (fewer live vectors)
  tile4allk1: [
    ['gemm/driver.ts', /function rows5\(m: i32\): i32 \{/, 'function rows5(m: i32): i32 {\n  if (m > 0) return 0;'],
    ['gemm/driver.ts', /  let m5 = \(m \/ 5\) \* 5, tiled = m5;[^\n]*\n  const r = m - m5;\n  if \(r == 4\) tiled = m;\n  else if[^\n]*\n/,
      '  let m5 = 0, tiled = m & ~3;\n  if (m - tiled == 3) tiled = m;\n'],
    ['gemm/tiles.ts', '  if (!ASC_FEATURE_RELAXED_SIMD) {\n    for (let p = kc >> 1', '  if (false) {\n    for (let p = kc >> 1'],
  ],
  // 5x8 with two K steps per pass, all rows broadcast
  k2: [['gemm/tiles.ts', /\n  const first = 5 - A_SHUF5;\n  const bEnd = b \+ \(<usize>kc << 5\);/, TILE5_K2]],
};

function buildVariant(out: string, name: string, edits: Edit[]): void {
  const tmp = mkdtempSync(join(tmpdir(), `wasm-attention-variant-${name}-`));
  try {
    cpSync(join(ROOT, 'assembly'), join(tmp, 'assembly'), { recursive: true });
    for (const [file, from, to] of edits) {
      const p = join(tmp, 'assembly', file);
      const src = readFileSync(p, 'utf8');
      const next = src.replace(from, to);
      if (next === src) throw new Error(`${name}: edit of ${file} did not apply`);
      writeFileSync(p, next);
    }
    const dir = join(out, name);
    mkdirSync(dir, { recursive: true });
    const conf = JSON.parse(readFileSync(join(ROOT, 'asconfig.json'), 'utf8'));
    for (const t of ['simd', 'relaxed']) conf.targets[t].outFile = join(dir, `${t}.wasm`);
    writeFileSync(join(tmp, 'asconfig.json'), JSON.stringify(conf));
    for (const t of ['simd', 'relaxed']) {
      const r = spawnSync(join(ROOT, 'node_modules/.bin/asc'), ['assembly/index.ts', '--config', 'asconfig.json', '--target', t],
        { cwd: tmp, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${name} ${t}: asc failed\n${r.stderr}`);
    }
    console.log(`built ${dir}/{simd,relaxed}.wasm`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, ...names] = process.argv.slice(2);
  if (!out) { console.error('usage: tile_variants.ts DIR [variant ...]'); process.exit(2); }
  for (const n of names.length ? names : Object.keys(VARIANTS)) {
    if (!VARIANTS[n]) { console.error(`unknown variant ${n}: ${Object.keys(VARIANTS).join(', ')}`); process.exit(2); }
    buildVariant(resolve(out), n, VARIANTS[n]);
  }
}
