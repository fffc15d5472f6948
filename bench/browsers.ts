// Browser benchmarks: the bench suites' GEMM / MultiHead / encoder cases in headless Chromium and Firefox, and a GEMM
// A/B probe of alternative builds. Serves the repo over 127.0.0.1 (cross-origin isolated, so performance.now() is
// fine-grained), bundles bench/browser/page.ts with esbuild (bindings/index.ts -> the built /dist/index.js), opens
// it in each browser (tests/support/browsers.ts) and collects what the page measured.
//   npm run bench:browsers [-- options]
//   node --import tsx bench/browsers.ts [--browsers chromium,firefox] [--cases gemm:512x512x512,...] [--budget MS]
//        [--no-write] [--probe [--shapes 512x512x512,...] [--alt DIR,...] [--only simd|relaxed] [--rounds N]]
// Suites mode (default) writes bench/results/<browser>.json (schema bench/report/schema.ts, merged like a run of some
// suites) and its .md; bench/report.ts shows them beside Node and Deno. Probe mode prints GFLOP/s (best, median) of
// gemm_f32_packed_b for our builds and each DIR/{simd,relaxed}.wasm, timed interleaved in one page per browser.
// Single thread everywhere (ORT numThreads 1, tfjs 1 XNNPACK thread, ours without init({ threads })).
import { cpus } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchBrowser, type BrowserName } from '../tests/support/browsers.ts';
import { serveStatic } from '../tests/support/static_server.ts';
import { ensureDist } from '../tests/package/dist_build.ts';
import { mergeResults, readResults, serialize, type ResultRow, type ResultsFile } from './report/schema.ts';
import { buildModel } from './report/model.ts';
import { renderResultsDoc } from './report/render.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const browsers = (opt('--browsers') ?? 'chromium,firefox').split(',') as BrowserName[];
const probeMode = args.includes('--probe');
// --firefox-pref NAME=VALUE (repeatable): extra Firefox prefs, e.g. javascript.options.wasm_simd_avx=true (diagnosis)
const firefoxPrefs: Record<string, unknown> = { 'privacy.reduceTimerPrecision': false };
args.forEach((a, i) => {
  if (a !== '--firefox-pref') return;
  const [k, v] = args[i + 1].split('=');
  firefoxPrefs[k] = v === 'true' ? true : v === 'false' ? false : /^-?\d+$/.test(v) ? Number(v) : v;
});
export const DEFAULT_CASES = [
  'gemm:512x512x512', 'gemm:128x768x3072', 'gemm:128x512x512', 'gemm:1x512x512',
  'mha:1x128x512x8', 'encoder:1x128x512x8', 'encoder:1x1x512x8',
];
const SUITE_ORDER = ['peak', 'gemm', 'softmax', 'layernorm', 'gelu', 'additive', 'sdpa', 'mha', 'encoder', 'long', 'decode'];

ensureDist();
const work = mkdtempSync(join(tmpdir(), 'wasm-attention-bench-browser-'));
await build({
  entryPoints: [join(ROOT, 'bench/browser/page.ts')], outfile: join(work, 'page.js'),
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error', minify: false,
  plugins: [{
    name: 'dist-entry',
    setup(b) {
      // the suites import the package source; the page measures the built package, as users get it
      b.onResolve({ filter: /bindings\/index\.ts$/ }, () => ({ path: '/dist/index.js', external: true }));
    },
  }],
});
const altDirs = (opt('--alt') ?? '').split(',').filter(Boolean).map((d) => resolve(d));
const mounts: Record<string, string> = { '/__bench__/': work };
for (const d of altDirs) mounts[`/__alt__/${basename(d)}/`] = d;
const server = await serveStatic(ROOT, { mounts, isolate: true });

const query = new URLSearchParams();
if (probeMode) {
  query.set('mode', 'probe');
  query.set('shapes', opt('--shapes') ?? '512x512x512,128x768x3072,1x512x512');
  if (altDirs.length) query.set('alt', altDirs.map((d) => `/__alt__/${basename(d)}`).join(','));
  for (const k of ['only', 'rounds', 'budget']) if (opt(`--${k}`)) query.set(k, opt(`--${k}`)!);
} else {
  query.set('mode', 'suites');
  query.set('cases', opt('--cases') ?? DEFAULT_CASES.join(','));
  if (opt('--budget')) query.set('budget', opt('--budget')!);
}

type SuitesResult = {
  ok: boolean; error?: string; log: string[]; rows: ResultRow[]; builds: ResultsFile['builds']; buildNotes: string[];
  peers: Record<string, string>; timing: ResultsFile['timing']; suites: ResultsFile['suites']; userAgent: string; crossOriginIsolated: boolean;
};

try {
  for (const name of browsers) {
    const launched = await launchBrowser(name, { firefoxPrefs });
    if (!launched.browser) { console.log(`\n# ${name}: skipped (${launched.reason})`); continue; }
    const b = launched.browser;
    const prefs = name === 'firefox' ? ` prefs ${JSON.stringify(firefoxPrefs)}` : '';
    console.log(`\n# ${name} ${b.version} (${b.source}: ${b.executablePath})${prefs}`);
    try {
      const page = await b.open(`${server.url}/bench/browser/page.html?${query}`);
      let shown = 0;
      const progress = setInterval(() => {
        const lines = page.console().filter((l) => l.startsWith('log: ')).map((l) => l.slice(5));
        for (; shown < lines.length; shown++) console.log(lines[shown]);
      }, 1000);
      try {
        await page.waitFor(() => (globalThis as { __bench?: unknown }).__bench !== undefined, 30 * 60_000);
      } finally { clearInterval(progress); }
      const r = await page.evaluate(() => (globalThis as unknown as { __bench: unknown }).__bench) as SuitesResult;
      for (const l of r.log.slice(shown)) console.log(l);
      const errors = page.errors();
      await page.close();
      if (!r.ok) throw new Error(`${name}: the bench page failed: ${r.error}\n${errors.join('\n')}`);
      if (errors.length) console.log(`(${name} console: ${errors.join(' | ')})`);
      if (!probeMode && !args.includes('--no-write')) writeResults(name, b.version, r);
    } finally {
      await b.close();
    }
  }
} finally {
  await server.close();
  rmSync(work, { recursive: true, force: true });
}

function writeResults(name: BrowserName, version: string, r: SuitesResult): void {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  const ver = version.replace(/^firefox\//i, '');
  // Chromium M.m.b.p ships V8 (M/10).(M%10): Chromium 156 -> V8 15.6
  const major = Number(ver.split('.')[0]);
  const engine = name === 'chromium' ? `${Math.floor(major / 10)}.${major % 10}` : `SpiderMonkey ${ver}`;
  const run: ResultsFile = {
    file: `${name}.json`, runtime: name, version: ver, v8: engine, date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, builds: r.builds, buildNotes: r.buildNotes,
    peers: r.peers, peaks: {}, timing: r.timing, suites: r.suites, rows: r.rows,
  };
  const old = existsSync(path) ? readResults(path) : null;
  const merged = mergeResults(old, run, SUITE_ORDER);
  writeFileSync(path, serialize(merged));
  writeFileSync(path.replace(/\.json$/, '.md'), renderResultsDoc(buildModel([merged])));
  console.log(`wrote ${path} and its .md`);
}
