#!/usr/bin/env node
// Builds the published JavaScript of wasm-attention (the wasm itself comes from `npm run build:wasm`).
//
// Two flavours of every entry (bindings/index.ts = "wasm-attention", bindings/adapters/tfjs.ts = "wasm-attention/tfjs"):
//   file    dist/index.{js,cjs}, dist/adapters/tfjs.{js,cjs}: the kernels are build/{simd,relaxed}.wasm, located with
//           new URL('../build/<variant>.wasm', import.meta.url) (read from disk in Node and Deno, fetched in browsers;
//           webpack, Vite and Parcel copy them into their output).
//   inline  dist/inline.{js,cjs}, dist/adapters/tfjs.inline.{js,cjs}: both builds embedded as base64 (bindings/wasm_url.ts
//           swapped for a module holding the bytes: bundled into the ESM chunk, dist/wasm-embedded.cjs for CommonJS);
//           no file to find. Plus dist/wasm-attention.inline.iife.js, a minified classic script defining the global
//           `WasmAttention` (plain <script> pages, importScripts in classic workers).
// ESM: one esbuild run per flavour with code splitting, so "wasm-attention" and "wasm-attention/tfjs" share one copy
// of the runtime (dist/shared-*.js, beside index.js so that ../build still holds). CommonJS: one bundle per entry,
// import.meta.url defined from __filename. package.json's exports pick the flavour for "wasm-attention" and
// "wasm-attention/tfjs": the "node" condition (Node, Deno, Bun, SSR) and "webpack" (which copies the .wasm files as
// assets) get "file"; everything else (Vite, esbuild, Rollup, unknown tools) gets "inline", which needs no
// configuration. "wasm-attention/inline" and "wasm-attention/files" name one flavour explicitly.
// Declarations: tsc (tsconfig.build.json) writes dist/**/*.d.ts for import; each is copied to a .d.cts (relative
// imports pointing at .cjs) for require, so CommonJS TypeScript consumers get CommonJS types.
// dist/demo/: the browser demo (demo/index.html + demo/page.ts bundled, importing ../index.js).
// Everything is written to a scratch folder first and swapped in at the end: a reader never sees a half-written dist/.
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

const src = (p) => join(root, 'bindings', p);
const WASM_URL = src('wasm_url.ts');
// output name (under dist/, no extension) -> source
const ENTRIES = { file: { index: src('index.ts'), 'adapters/tfjs': src('adapters/tfjs.ts') },
  inline: { inline: src('inline.ts'), 'adapters/tfjs.inline': src('adapters/tfjs.ts') } };

const common = {
  bundle: true,
  target: 'es2022',
  // node:* is never imported statically (the loader gets node:fs/promises from process.getBuiltinModule); tfjs is an
  // optional peer the caller passes in, never bundled.
  external: ['node:*', '@tensorflow/*'],
  legalComments: 'none',
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'error' },
};

// The inline flavour: bindings/wasm_url.ts replaced by the two builds as base64 and a decoder (atob: browsers,
// workers, Node >= 16, Deno, Bun). defaultWasmURL names them with a pseudo URL that the loader answers from here.
function embeddedModule() {
  const b64 = (v) => readFileSync(join(root, `build/${v}.wasm`)).toString('base64');
  return `// the builds of wasm-attention, embedded by scripts/build-dist.mjs
const BASE64 = { simd: ${JSON.stringify(b64('simd'))},
  relaxed: ${JSON.stringify(b64('relaxed'))} };
// (the threads builds are made from these by the loader: bindings/runtime/shared_build.ts)
export function defaultWasmURL(variant) {
  return new URL("wasm-attention:embedded/" + (/^(simd|relaxed)(-threads)?$/.test(variant) ? variant : "simd") + ".wasm");
}
export function embeddedWasm(variant) {
  const s = BASE64[variant];
  if (typeof s !== "string") return null;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
`;
}
// ESM and IIFE: the module is bundled in (ESM code splitting keeps one copy for inline.js and adapters/tfjs.inline.js).
// CommonJS: every bundle requires the one dist/wasm-embedded.cjs instead (`requireFrom`: its path from the bundle).
function inlineWasmPlugin(requireFrom) {
  return {
    name: 'inline-wasm',
    setup(b) {
      if (requireFrom) {
        b.onResolve({ filter: /wasm_url\.ts$/ }, (args) =>
          (resolve(args.resolveDir, args.path) === WASM_URL ? { path: requireFrom, external: true } : undefined));
      } else {
        b.onLoad({ filter: /[\\/]wasm_url\.ts$/ }, (args) => (resolve(args.path) === WASM_URL ? { contents: embeddedModule(), loader: 'js' } : undefined));
      }
    },
  };
}

// CommonJS has no import.meta: stand in a module-level constant holding the URL this file would have at `rel` from
// its own folder (adapters/ sit one level down, but ../build is relative to dist/).
const cjsBanner = (rel) =>
  '"use strict";\n' +
  'const __wasm_attention_import_meta_url = typeof __filename === "string" ? ' +
  `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${JSON.stringify(rel)})).href : ` +
  '(typeof document !== "undefined" && document.currentScript ? document.currentScript.src : "file:///");';

// tsc exits 2 when it found type errors but still wrote its output: those are reported (the type check proper is
// `npx tsc --noEmit -p .`) without failing the build; any other failure stops it.
function runTsc(args) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status === 2 && out) console.warn(`build-dist: declarations written, but tsc reported type errors:\n${out}`);
  else if (r.status !== 0) throw new Error(`tsc ${args.join(' ')} failed (exit ${r.status})\n${out}`);
}

async function buildFlavour(flavour) {
  const inline = flavour === 'inline';
  // ESM, platform neutral (Node, Deno, browsers, bundlers), shared code split into dist/shared[-inline]-<hash>.js
  await build({
    ...common, plugins: inline ? [inlineWasmPlugin()] : [], entryPoints: ENTRIES[flavour], outdir: tmp, format: 'esm',
    platform: 'neutral', splitting: true, chunkNames: inline ? 'shared-inline-[hash]' : 'shared-[hash]',
  });
  for (const [name, entry] of Object.entries(ENTRIES[flavour])) {
    const up = '../'.repeat(name.split('/').length - 1);
    await build({
      ...common, plugins: inline ? [inlineWasmPlugin(`${up || './'}wasm-embedded.cjs`)] : [], entryPoints: [entry],
      outfile: join(tmp, `${name}.cjs`), format: 'cjs', platform: 'node',
      banner: { js: cjsBanner(`${up}index.cjs`) },
      define: { 'import.meta.url': '__wasm_attention_import_meta_url' },
    });
  }
  if (inline) {
    await build({ stdin: { contents: embeddedModule(), loader: 'js', resolveDir: root }, outfile: join(tmp, 'wasm-embedded.cjs'),
      format: 'cjs', platform: 'node', target: 'es2022', logLevel: 'warning' });
  }
}

async function main() {
  const t0 = Date.now();
  for (const v of ['simd', 'relaxed', 'simd-threads', 'relaxed-threads']) {
    if (!existsSync(join(root, `build/${v}.wasm`))) throw new Error(`build/${v}.wasm missing: run \`npm run build:wasm\` first`);
  }
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await buildFlavour('file');
    await buildFlavour('inline');
    // <script src=".../wasm-attention.inline.iife.js"> defines the global WasmAttention (also importScripts in workers)
    await build({
      ...common, plugins: [inlineWasmPlugin()], entryPoints: [src('inline.ts')], format: 'iife', globalName: 'WasmAttention',
      platform: 'browser', minify: true, keepNames: true, outfile: join(tmp, 'wasm-attention.inline.iife.js'),
    });

    // Declarations (tsc writes only .d.ts files here; the type check of the sources is `tsc --noEmit -p .`), then a
    // CommonJS twin of each.
    runTsc(['-p', join(root, 'tsconfig.build.json'), '--outDir', tmp]);
    for (const f of ['index.d.ts', 'inline.d.ts', 'adapters/tfjs.d.ts']) {
      if (!existsSync(join(tmp, f))) throw new Error(`tsc did not write ${f}`);
    }
    rewriteDeclarations(tmp);

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
// (resolved to './x.d.ts' by every moduleResolution mode, no allowImportingTsExtensions needed downstream). Each
// x.d.ts then gets an x.d.cts twin whose relative imports name './y.cjs' (resolved to './y.d.cts'): TypeScript reads a
// .d.cts as CommonJS, so `require('wasm-attention')` is typed as what it is (no TS1471, no "masquerading as ESM").
function rewriteDeclarations(dir) {
  const spec = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.(?:ts|js)(['"])/g;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) { rewriteDeclarations(p); continue; }
    if (!ent.name.endsWith('.d.ts')) continue;
    const text = readFileSync(p, 'utf8');
    writeFileSync(p, text.replace(spec, '$1$2.js$3'));
    writeFileSync(p.replace(/\.d\.ts$/, '.d.cts'), text.replace(spec, '$1$2.cjs$3'));
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
