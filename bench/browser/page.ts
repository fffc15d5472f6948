// The browser side of bench/browsers.ts (npm run bench:browsers): runs in headless Chromium and Firefox, served with
// the repo. Imports the BUILT package (/dist/index.js, bench/browsers.ts maps bindings/index.ts to it), onnxruntime-web
// (wasm EP, 1 thread; its .wasm from /node_modules/onnxruntime-web/dist/) and tfjs-backend-wasm (1 thread, simd binary).
// Two modes, chosen by the query string; the result is left in window.__bench for the driver:
//   ?mode=suites&cases=gemm:512x512x512,mha:1x128x512x8,...   the bench suites' cases (bench/suites/*.ts, same
//        contestants and timing as bench/run.ts), as ResultRow[] (bench/report/schema.ts)
//   ?mode=probe&shapes=512x512x512,...&alt=/__alt__/a,/__alt__/b  gemm_f32_packed_b of our two builds and of
//        alternative builds (DIR/simd.wasm, DIR/relaxed.wasm), interleaved in one page: GFLOP/s best and median
import * as ortNs from 'onnxruntime-web/wasm';
import * as tfCore from '@tensorflow/tfjs-core';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import * as lib from '../../bindings/index.ts';
import { gflops, measure, DEFAULT_TIMING, type MeasureOptions } from '../timing.ts';
import { randomF32 } from '../rng.ts';
import type { ResultRow } from '../report/schema.ts';
import type { OrtPeer, TfPeer } from '../peers/peers.ts';
import { relErr, type BenchContext, type Contestant, type OurBuild, type Suite } from '../suite.ts';
import { suite as gemm } from '../suites/gemm.ts';
import { suite as mha } from '../suites/mha.ts';
import { suite as encoder } from '../suites/encoder.ts';

const SUITES: Suite[] = [gemm, mha, encoder];
const q = new URLSearchParams(location.search);
const logEl = document.getElementById('log')!;
const lines: string[] = [];
function log(s: string): void { lines.push(s); logEl.textContent = lines.join('\n'); console.log(s); }
const w = globalThis as unknown as { __bench?: unknown };

async function ortPeer(): Promise<OrtPeer> {
  const ort = ortNs as unknown as typeof import('onnxruntime-web');
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const tensor = (data: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', data, dims as number[]);
  const session = (model: Uint8Array) => ort.InferenceSession.create(model, {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
  });
  await (await session(tinyModel())).release();  // loads the wasm now, so a failure shows as "unavailable"
  return {
    ort, tensor, session,
    description: `onnxruntime-web ${ort.env.versions?.web ?? '?'} (wasm EP, ${ort.env.wasm.numThreads} thread, SIMD)`,
    async run(s, feeds) {
      const f: Record<string, import('onnxruntime-web').Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) f[k] = v instanceof ort.Tensor ? v : tensor((v as { data: Float32Array }).data, (v as { dims: readonly number[] }).dims);
      const out = await s.run(f);
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
    },
  };
}

// Identity graph (opset 17), to load ORT's wasm before the cases
function tinyModel(): Uint8Array {
  // built lazily with the same builder the suites use
  return tiny!;
}
let tiny: Uint8Array | null = null;

async function tfPeer(): Promise<TfPeer> {
  tfWasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tfWasm.setThreadsCount(1);
  tfCore.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const simd = await tfCore.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  if (!(await tfCore.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
  await tfCore.ready();
  return { tf: tfCore, description: `tfjs-backend-wasm ${tfWasm.version_wasm} (XNNPACK, ${tfWasm.getThreadsCount()} thread, ${simd ? 'simd' : 'no-simd'} binary)` };
}


const timingOptions: MeasureOptions = q.get('budget') ? { budgetMs: Number(q.get('budget')) } : {};

// bench/run.ts's runSuite, for the selected cases of one suite (no peak probe in the page: "% of peak" stays empty)
async function runCases(ctx: BenchContext, suite: Suite, want: string[]): Promise<ResultRow[]> {
  const out: ResultRow[] = [];
  for (const c of suite.cases(ctx)) {
    if (!want.some((s) => c.label === s || c.label.startsWith(`${s} `))) continue;
    log(`${suite.name} ${c.label}`);
    const { contestants, dispose } = await c.setup();
    const runnable = contestants.filter((x): x is Contestant & { run: () => unknown } => !!x.run && !x.unavailable);
    let timings: Awaited<ReturnType<typeof measure>> = [];
    let failure: string | null = null;
    try { timings = await measure(runnable.map((x) => x.run), { ...timingOptions, ...c.timing }); } catch (e) { failure = `error: ${(e as Error).message}`; }
    const withOut = runnable.filter((x) => x.output);
    const ref = (withOut.find((x) => x.kind === 'peer') ?? withOut[0])?.output?.();
    const tol = c.tolerance ?? 1e-3;
    const rows: ResultRow[] = contestants.map((x) => {
      const i = runnable.indexOf(x as never);
      const t = i >= 0 && !failure ? timings[i] : null;
      const err = t && ref && x.output ? relErr(x.output(), ref) : null;
      return {
        suite: suite.name, case: c.label, flops: c.flops, contestant: x.name, kind: x.kind,
        variant: x.variant ?? null, primary: !!x.primary,
        medianMs: t?.medianMs ?? null, minMs: t?.minMs ?? null, samples: t?.samples ?? null,
        gflops: t && c.flops > 0 ? gflops(c.flops, t.medianMs) : null,
        speedupVsBestPeer: null, bestPeer: null, fractionOfPeak: null,
        maxRelErr: err, checkOk: err === null ? null : err <= tol,
        na: x.unavailable ?? (t ? null : failure ?? 'did not run'),
      };
    });
    const best = rows.filter((r) => r.kind === 'peer' && r.medianMs !== null)
      .reduce<ResultRow | null>((b, r) => (b === null || r.medianMs! < b.medianMs! ? r : b), null);
    for (const r of rows) {
      if (r.kind === 'ours' && best && r.medianMs !== null) { r.speedupVsBestPeer = best.medianMs! / r.medianMs; r.bestPeer = best.contestant; }
      log(`  ${r.contestant.padEnd(28)} ${r.medianMs === null ? `n/a ${r.na}` : `${r.medianMs.toFixed(3)} ms ${r.gflops?.toFixed(1) ?? ''} GFLOP/s`}` +
        `${r.speedupVsBestPeer ? ` ${r.speedupVsBestPeer.toFixed(2)}x vs ${r.bestPeer}` : ''}${r.checkOk === false ? ` CHECK FAILED ${r.maxRelErr}` : ''}`);
    }
    dispose?.();
    out.push(...rows);
  }
  return out;
}

async function suites(): Promise<unknown> {
  const { GraphBuilder } = await import('../peers/onnx_model.ts');
  const g = new GraphBuilder('identity');
  g.input('x', [1]); g.node('Identity', ['x'], ['y']); g.output('y', [1]);
  tiny = g.model({ opset: 17 });
  const auto = await lib.init();
  const builds: OurBuild[] = [];
  const buildNotes: string[] = [];
  for (const variant of ['simd', 'relaxed'] as const) {
    try { builds.push({ variant, rt: await lib.init({ variant }), primary: variant === auto.variant }); }
    catch (e) { buildNotes.push(`${variant} build not run: ${(e as Error).message}`); }
  }
  const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
  const ctx = { runtime: 'browser', builds, ort: await ortPeer().catch(asError), tf: await tfPeer().catch(asError) } as unknown as BenchContext;
  const desc = (p: { description: string } | Error) => (p instanceof Error ? `unavailable: ${p.message}` : p.description);
  log(`ours: ${builds.map((b) => `${b.variant}${b.primary ? ' (primary)' : ''}`).join(', ')}; ort: ${desc(ctx.ort)}; tfjs: ${desc(ctx.tf)}`);
  const want = (q.get('cases') ?? '').split(',').filter(Boolean).map((s) => s.split(':') as [string, string]);
  const rows: ResultRow[] = [];
  for (const s of SUITES) {
    const mine = want.filter(([n]) => n === s.name).map(([, l]) => l);
    if (mine.length) rows.push(...(await runCases(ctx, s, mine)));
  }
  return {
    rows, buildNotes, builds: builds.map((b) => ({ variant: b.variant, primary: b.primary })),
    peers: { ort: desc(ctx.ort), tfjs: desc(ctx.tf) }, timing: { ...DEFAULT_TIMING, ...timingOptions },
    suites: SUITES.filter((s) => want.some(([n]) => n === s.name)).map((s) => ({ name: s.name, title: s.title, notes: s.notes })),
    userAgent: navigator.userAgent, crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ?? false,
  };
}

// GEMM A/B probe: gemm_f32_packed_b of every build on each shape, interleaved; rounds of (all builds) repeated.
async function probe(): Promise<unknown> {
  const shapes = (q.get('shapes') ?? '512x512x512').split(',').map((s) => s.split('x').map(Number) as [number, number, number]);
  const alts = (q.get('alt') ?? '').split(',').filter(Boolean);
  const only = q.get('only');   // 'simd' | 'relaxed'
  const builds: { name: string; rt: lib.Runtime }[] = [];
  for (const variant of ['simd', 'relaxed'] as const) {
    if (only && only !== variant) continue;
    for (const dir of ['', ...alts]) {
      const name = dir ? `${variant} ${dir.split('/').pop()}` : variant;
      try {
        const wasm = dir ? new URL(`${dir}/${variant}.wasm`, location.href) : undefined;
        builds.push({ name, rt: await lib.init({ variant, ...(wasm ? { wasm } : {}) }) });
      } catch (e) { log(`(${name} not run: ${(e as Error).message})`); }
    }
  }
  const results: { shape: string; build: string; best: number; median: number }[] = [];
  const timing: MeasureOptions = { budgetMs: Number(q.get('budget')) || 300, minSamples: Number(q.get('rounds')) || 15 };
  for (const [m, k, n] of shapes) {
    const A = randomF32(m * k, 1 + m + k), B = randomF32(k * n, 2 + k + n);
    const runs = builds.map(({ rt }) => {
      const x = rt.exports;
      const a = rt.alloc(m * k * 4), b = rt.alloc(k * n * 4), c = rt.alloc(m * n * 4);
      const pk = rt.alloc(x.packed_b_size_f32(k, n) * 4);
      rt.f32(a, m * k).set(A); rt.f32(b, k * n).set(B);
      x.pack_b_f32(k, n, b, n, pk, 0);
      const s = rt.alloc(Math.max(1, x.gemm_scratch_size_f32(m, n, k)) * 4);
      return { run: () => x.gemm_f32_packed_b(m, n, k, 0, m, 0, n, a, k, pk, c, n, 0, 0, s), out: () => rt.f32(c, m * n).slice(),
        free: () => [a, b, c, pk, s].forEach((p) => rt.free(p)) };
    });
    const t = await measure(runs.map((r) => r.run), timing);
    const ref = runs[0].out();
    builds.forEach((b, i) => {
      const err = relErr(runs[i].out(), ref);
      const flops = 2 * m * k * n;
      results.push({ shape: `${m}x${k}x${n}`, build: b.name, best: gflops(flops, t[i].minMs), median: gflops(flops, t[i].medianMs) });
      log(`${m}x${k}x${n} ${b.name.padEnd(24)} best ${gflops(flops, t[i].minMs).toFixed(1)} median ${gflops(flops, t[i].medianMs).toFixed(1)} GFLOP/s${err > 1e-4 * Math.sqrt(k) ? ` WRONG (rel err ${err})` : ''}`);
    });
    runs.forEach((r) => r.free());
  }
  return { results, userAgent: navigator.userAgent };
}

(async () => {
  try {
    const mode = q.get('mode') ?? 'suites';
    w.__bench = { ok: true, ...(await (mode === 'probe' ? probe() : suites()) as object), log: lines };
  } catch (e) {
    w.__bench = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e), log: lines };
  }
})();
