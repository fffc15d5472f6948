// Side-by-side benchmarks: ours (both builds) vs onnxruntime-web vs tfjs-backend-wasm, single thread (except the threads
// suite: 2 threads against 1, bench/suites/threads.ts), same inputs, in one process. Runs under Node and Deno:
//   node --experimental-wasm-relaxed-simd --import tsx bench/run.ts [suite...] [--quick] [--no-write] [--and-deno]
//   deno run -A bench/run.ts [suite...] [--quick] [--no-write]
//   npm run bench [-- suite...]          (Node, then the same arguments under Deno, then bench/report.ts)
// Arguments: suite names to run (default all, see SUITES; the peak probe always runs, quietly if not selected, for
// the "% of peak" column). Results go to bench/results/<runtime>.json (schema: bench/report/schema.ts): a full run
// replaces the file, a run of some suites merges them into it (those suites replaced, the others kept); then
// bench/results/<runtime>.md is rendered from the file. --no-write writes nothing (--write is accepted and ignored:
// writing is the default). --quick halves the time budget per case. --and-deno re-runs the same selection under Deno
// (node_modules/.bin/deno) when Node is done, then regenerates the README section and speedup.svg (bench/report.ts).
//
// The suites and what each contestant's time includes: bench/suite.ts, bench/contestants.ts, bench/suites/*.ts.
// Timing protocol: bench/timing.ts (warm-up, interleaved rounds, median per call).
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { init } from '../bindings/index.ts';
import { ortPeer, tfPeer, runtimeInfo } from './peers/peers.ts';
import { measure, gflops, DEFAULT_TIMING } from './timing.ts';
import { mergeResults, readResults, serialize, type ResultRow, type ResultsFile } from './report/schema.ts';
import { buildModel } from './report/model.ts';
import { detailTable, renderResultsDoc, textTable } from './report/render.ts';
import { relErr, type BenchContext, type Contestant, type OurBuild, type Suite, type Variant } from './suite.ts';
import { suite as peak } from './suites/peak.ts';
import { suite as gemm } from './suites/gemm.ts';
import { suite as softmax } from './suites/softmax.ts';
import { suite as layernorm } from './suites/layernorm.ts';
import { suite as gelu } from './suites/gelu.ts';
import { suite as additive } from './suites/additive.ts';
import { suite as sdpa } from './suites/sdpa.ts';
import { suite as mha } from './suites/mha.ts';
import { suite as encoder } from './suites/encoder.ts';
import { suite as long } from './suites/long.ts';
import { suite as decode } from './suites/decode.ts';
import { suite as rnn } from './suites/rnn.ts';
import { suite as useLite } from './suites/use_lite.ts';
import { suite as tfjsAdapter } from './suites/tfjs_adapter.ts';
import { suite as seq2seq } from './suites/seq2seq.ts';
import { suite as threads } from './suites/threads.ts';

/** Every suite, in run order: kernel families, then modules, then threads (the one suite on 2 threads). Add new
 *  suites here (after peak, which the % of peak column needs first). */
const SUITES: Suite[] = [peak, gemm, softmax, layernorm, gelu, additive, sdpa, mha, encoder, long, decode, tfjsAdapter, useLite, rnn, seq2seq, threads];

/** The build our targets give users by default in each runtime. */
const PRIMARY: Record<'node' | 'deno', Variant> = { node: 'simd', deno: 'relaxed' };

const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
const argv = deno ? deno.args : process.argv.slice(2);
const flags = new Set(argv.filter((a) => a.startsWith('--')));
const filters = argv.filter((a) => !a.startsWith('--'));
for (const f of filters) {
  if (!SUITES.some((s) => s.name === f)) {
    console.error(`bench: unknown suite "${f}"; suites: ${SUITES.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
}
const selected = (s: Suite) => filters.length === 0 || filters.includes(s.name);
const timingOptions = flags.has('--quick') ? { budgetMs: DEFAULT_TIMING.budgetMs / 2, warmupMs: 100 } : {};

const info = runtimeInfo();
const cpu = cpus()[0]?.model ?? 'unknown';

// ours: both builds, each in its own runtime
const builds: OurBuild[] = [];
const buildNotes: string[] = [];
for (const variant of ['simd', 'relaxed'] as const) {
  try {
    builds.push({ variant, rt: await init({ variant }), primary: variant === PRIMARY[info.runtime] });
  } catch (e) {
    buildNotes.push(`${variant} build not run: ${(e as Error).message}`);
  }
}
const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
const ctx: BenchContext = {
  runtime: info.runtime,
  builds,
  ort: await ortPeer().catch(asError),
  tf: await tfPeer().catch(asError),
};
const peerDesc = (p: { description: string } | Error) => (p instanceof Error ? `unavailable: ${p.message}` : p.description);

const header = [
  `runtime: ${info.runtime} ${info.version} (V8 ${info.v8}), ${cpu}, ${new Date().toISOString()}`,
  `ours: ${builds.map((b) => `${b.variant}${b.primary ? ' (primary)' : ''}`).join(', ')}${buildNotes.length ? ` — ${buildNotes.join('; ')}` : ''}`,
  `ort: ${peerDesc(ctx.ort)}`,
  `tfjs: ${peerDesc(ctx.tf)}`,
];
console.log(header.join('\n'));

// ---------------------------------------------------------------------------------------------------------------

const rows: ResultRow[] = [];
const peaks: Record<string, number> = {};
let bestPeak = 0;


async function runSuite(suite: Suite, quiet: boolean): Promise<ResultRow[]> {
  const out: ResultRow[] = [];
  if (!quiet) {
    console.log(`\n## ${suite.name}: ${suite.title}`);
    for (const n of suite.notes) console.log(`  - ${n}`);
  }
  for (const [ci, c] of suite.cases(ctx).entries()) {
    const { contestants, dispose } = await c.setup();
    const runnable = contestants.filter((x): x is Contestant & { run: () => unknown } => !!x.run && !x.unavailable);
    let timings: Awaited<ReturnType<typeof measure>> = [];
    let failure: string | null = null;
    try {
      timings = await measure(runnable.map((x) => x.run), { ...timingOptions, ...c.timing });
    } catch (e) {
      failure = `error: ${asError(e).message}`;
    }
    // cross-check against the first peer that ran (else the first contestant with an output)
    const withOut = runnable.filter((x) => x.output);
    const ref = (withOut.find((x) => x.kind === 'peer') ?? withOut[0])?.output?.();
    const tol = c.tolerance ?? 1e-3;
    const caseRows: ResultRow[] = contestants.map((x) => {
      const i = runnable.indexOf(x as never);
      const t = i >= 0 && !failure ? timings[i] : null;
      const err = t && ref && x.output ? relErr(x.output(), ref) : null;
      const mem = x.run && !x.unavailable ? x.memory?.() : null;   // optional: read once after the calls
      return {
        suite: suite.name, case: c.label, flops: c.flops, contestant: x.name, kind: x.kind,
        variant: x.variant ?? null, primary: !!x.primary,
        medianMs: t?.medianMs ?? null, minMs: t?.minMs ?? null, samples: t?.samples ?? null,
        gflops: t && c.flops > 0 ? gflops(c.flops, t.medianMs) : null,
        speedupVsBestPeer: null, bestPeer: null, fractionOfPeak: null,
        maxRelErr: err, checkOk: err === null ? null : err <= tol,
        na: x.unavailable ?? (t ? null : failure ?? 'did not run'),
        ...(mem ? { memoryBytes: mem.memoryBytes, bytesInUse: mem.bytesInUse ?? null, modelBytes: mem.modelBytes ?? null } : {}),
      };
    });
    const peersRun = caseRows.filter((r) => r.kind === 'peer' && r.medianMs !== null);
    const best = peersRun.reduce<ResultRow | null>((b, r) => (b === null || r.medianMs! < b.medianMs! ? r : b), null);
    for (const r of caseRows) {
      if (r.kind === 'ours' && best && r.medianMs !== null) {
        r.speedupVsBestPeer = best.medianMs! / r.medianMs;
        r.bestPeer = best.contestant;
      }
      const pk = r.kind === 'ours' && r.variant ? peaks[r.variant] : bestPeak;
      if (r.gflops !== null && pk) r.fractionOfPeak = r.gflops / pk;
    }
    dispose?.();
    if (!quiet) console.log(textTable(detailTable(caseRows), ci === 0).join('\n'));
    out.push(...caseRows);
  }
  return out;
}

// the peak probe first: quietly when not selected, it sets the % of peak reference
const peakRows = await runSuite(peak, !selected(peak));
// The reference is the fastest sample of the probe (an upper bound: on a loaded machine the median undershoots).
for (const r of peakRows) {
  if (r.minMs === null || !r.variant) continue;
  const best = gflops(r.flops, r.minMs);
  peaks[r.variant] = Math.max(peaks[r.variant] ?? 0, best);
  bestPeak = Math.max(bestPeak, best);
}
for (const r of peakRows) if (r.gflops !== null && r.variant) r.fractionOfPeak = r.gflops / peaks[r.variant]!;
if (selected(peak)) rows.push(...peakRows);
for (const s of SUITES) if (s !== peak && selected(s)) rows.push(...(await runSuite(s, false)));

// ---------------------------------------------------------------------------------------------------------------
// results

if (!flags.has('--no-write')) {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${info.runtime}.json`;
  const run: ResultsFile = {
    file: `${info.runtime}.json`,
    runtime: info.runtime, version: info.version, v8: info.v8, date: new Date().toISOString(), cpu, cores: cpus().length,
    builds: builds.map((b) => ({ variant: b.variant, primary: b.primary })), buildNotes,
    peers: { ort: peerDesc(ctx.ort), tfjs: peerDesc(ctx.tf) },
    peaks: { ...peaks, best: bestPeak }, timing: { ...DEFAULT_TIMING, ...timingOptions },
    suites: SUITES.filter((s) => selected(s)).map((s) => ({ name: s.name, title: s.title, notes: s.notes })),
    rows,
  };
  const old = filters.length && existsSync(path) ? readResults(path) : null;
  const merged = mergeResults(old, run, SUITES.map((s) => s.name));
  writeFileSync(path, serialize(merged));
  writeFileSync(path.replace(/\.json$/, '.md'), renderResultsDoc(buildModel([merged])));
  console.log(`\n${old ? `merged ${filters.join(', ')} into` : 'wrote'} ${path} and its .md`);
}

// npm run bench: Node first, then the same selection under Deno
if (flags.has('--and-deno') && !deno) {
  const { spawnSync } = await import('node:child_process');
  const local = fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url));
  const bin = existsSync(local) ? local : 'deno';
  const args = ['run', '-A', fileURLToPath(new URL('./run.ts', import.meta.url)), ...argv.filter((a) => a !== '--and-deno')];
  console.log(`\n$ deno ${args.join(' ')}\n`);
  const r = spawnSync(bin, args, { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
  // both runtimes done: README benchmark section and bench/results/speedup.svg from bench/results/*.json
  if (r.status === 0) await (await import('./report.ts')).main();
}
