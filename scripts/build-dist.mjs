#!/usr/bin/env node
// Builds the published JavaScript of wasm-attention (the wasm itself comes from `npm run build:wasm`):
//   dist/index.js     ESM bundle of bindings/index.ts, platform neutral (Node, Deno, browsers, bundlers)
//   dist/index.cjs    CommonJS bundle for require(); import.meta.url is defined from __filename
//   dist/*.d.ts       declarations from tsc (tsconfig.build.json)
//   dist/demo/        the browser demo (demo/index.html + demo/page.ts bundled, importing ../index.js)
// Both bundles locate the kernels with new URL('../build/<variant>.wasm', import.meta.url), i.e. the package's
// build/ folder next to dist/. Everything is written to a scratch folder first and swapped in at the end, so a
// reader never sees a half-written dist/.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tmp = join(root, `.dist-tmp-${process.pid}`);
const quiet = process.argv.includes('--quiet');
const log = (msg) => { if (!quiet) console.log(msg); };

const common = {
  entryPoints: [join(root, 'bindings/index.ts')],
  bundle: true,
  target: 'es2022',
  // Only used for file: URLs in Node, loaded lazily by the loader; never bundled.
  external: ['node:*'],
  legalComments: 'none',
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'error' },
};

// CommonJS has no import.meta: stand in a module-level constant holding this file's URL.
const CJS_BANNER =
  '"use strict";\n' +
  'const __wasm_attention_import_meta_url = typeof __filename === "string" ? require("node:url").pathToFileURL(__filename).href : ' +
  '(typeof document !== "undefined" && document.currentScript ? document.currentScript.src : "file:///");';

// tsc exits 2 when it found type errors but still wrote its output: those are reported (the type check proper is
// `npx tsc --noEmit -p .`) without failing the install; any other failure stops the build.
function runTsc(args) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status === 2 && out) console.warn(`build-dist: declarations written, but tsc reported type errors:\n${out}`);
  else if (r.status !== 0) throw new Error(`tsc ${args.join(' ')} failed (exit ${r.status})\n${out}`);
}

async function main() {
  const t0 = Date.now();
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await build({ ...common, outfile: join(tmp, 'index.js'), format: 'esm', platform: 'neutral' });
    await build({
      ...common,
      outfile: join(tmp, 'index.cjs'),
      format: 'cjs',
      platform: 'node',
      banner: { js: CJS_BANNER },
      define: { 'import.meta.url': '__wasm_attention_import_meta_url' },
    });

    // Declarations (tsc writes only .d.ts files here; the type check of the sources is `tsc --noEmit -p .`).
    runTsc(['-p', join(root, 'tsconfig.build.json'), '--outDir', tmp]);
    if (!existsSync(join(tmp, 'index.d.ts'))) throw new Error('tsc did not write index.d.ts');
    rewriteDeclarationImports(tmp);

    // Browser demo: a page under dist/demo/ importing the package entry ../index.js (served with the package root).
    if (existsSync(join(root, 'demo/page.ts'))) {
      mkdirSync(join(tmp, 'demo'));
      await build({
        entryPoints: [join(root, 'demo/page.ts')],
        outfile: join(tmp, 'demo/page.js'),
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        logLevel: 'warning',
        // The demo uses the package exactly as users do: one import of the built entry.
        plugins: [entryAsExternal('../index.js')],
      });
      copyFileSync(join(root, 'demo/index.html'), join(tmp, 'demo/index.html'));
    }

    const old = join(root, `.dist-old-${process.pid}`);
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(tmp, dist);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  log(`dist/ built in ${Date.now() - t0} ms`);
}

// tsc keeps the sources' './x.ts' specifiers in .d.ts files; published declarations point at './x.js' instead
// (resolved to './x.d.ts' by every moduleResolution mode, no allowImportingTsExtensions needed downstream).
function rewriteDeclarationImports(dir) {
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) { rewriteDeclarationImports(p); continue; }
    if (!ent.name.endsWith('.d.ts')) continue;
    const src = readFileSync(p, 'utf8');
    const out = src.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
    if (out !== src) writeFileSync(p, out);
  }
}

// Rewrites imports of the package sources (bindings/index.ts) to the built entry, kept external.
function entryAsExternal(target) {
  const entry = join(root, 'bindings/index.ts');
  return {
    name: 'entry-as-external',
    setup(b) {
      b.onResolve({ filter: /bindings\/index\.ts$/ }, (args) => {
        const p = resolve(args.resolveDir, args.path);
        return p === entry ? { path: target, external: true } : undefined;
      });
    },
  };
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
