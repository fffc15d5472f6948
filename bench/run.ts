// Side-by-side benchmarks: ours (both builds) vs onnxruntime-web vs tfjs-backend-wasm, single thread, same inputs,
// in one process. Runs under Node and Deno:
//   node --experimental-wasm-relaxed-simd --import tsx bench/run.ts [suite...] [--write] [--quick] [--and-deno]
//   deno run -A bench/run.ts [suite...] [--write] [--quick]
//   npm run bench [-- suite...]          (Node, then the same arguments under Deno)
// Arguments: suite names to run (default all: peak, gemm, softmax, mha, encoder; the peak probe always runs, quietly if not
// selected, for the "% of peak" column). A full run writes bench/results/<runtime>.json and .md; a filtered run
// writes nothing unless --write is given. --quick halves the time budget per case. --and-deno re-runs the same
// selection under Deno (node_modules/.bin/deno) when Node is done.
//
// The suites and what each contestant's time includes: bench/suite.ts, bench/contestants.ts, bench/suites/*.ts.
// Timing protocol: bench/timing.ts (warm-up, interleaved rounds, median per call).
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { init } from '../bindings/index.ts';
import { ortPeer, tfPeer, runtimeInfo } from '../tests/support/peers.ts';
import { measure, gflops, DEFAULT_TIMING } from './timing.ts';
import type { BenchContext, Contestant, OurBuild, Suite, Variant } from './suite.ts';
import { suite as peak } from './suites/peak.ts';
import { suite as gemm } from './suites/gemm.ts';
import { suite as softmax } from './suites/softmax.ts';
import { suite as mha } from './suites/mha.ts';
import { suite as encoder } from './suites/encoder.ts';

/** Every suite, in run order. Add new suites here (after peak, which the % of peak column needs first). */
const SUITES: Suite[] = [peak, gemm, softmax, mha, encoder];

/** The build our targets give users by default in each runtime. */
const PRIMARY: Record<'node' | 'deno', Variant> = { node: 'simd', deno: 'relaxed' };

export interface Row {
  suite: string;
  case: string;
  flops: number;
  contestant: string;
  kind: 'ours' | 'peer';
  variant: Variant | null;
  primary: boolean;
  /** null when the contestant could not run (see `na`). */
  medianMs: number | null;
  minMs: number | null;
  samples: number | null;
  gflops: number | null;
  /** Ours only: (median ms of the faster peer) / (our median ms); > 1 means we are faster. */
  speedupVsBestPeer: number | null;
  bestPeer: string | null;
  /** GFLOP/s as a fraction of the measured SIMD peak (see bench/suites/peak.ts), 0..1. */
  fractionOfPeak: number | null;
  /** max |out - reference| / max |reference|, the reference being the first peer that ran (else the first contestant). */
  maxRelErr: number | null;
  checkOk: boolean | null;
  na: string | null;
}

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

const rows: Row[] = [];
const peaks: Partial<Record<Variant, number>> = {};
let bestPeak = 0;

function fmt(x: number | null, digits: number): string {
  return x === null ? '' : x.toFixed(digits);
}

function tableLines(rs: Row[]): string[][] {
  const head = ['shape', 'contestant', 'ms', 'GFLOP/s', 'vs best peer', '% peak', 'check'];
  const body = rs.map((r) => [
    r.case,
    r.contestant + (r.primary ? ' *' : ''),
    r.na ? 'n/a' : fmt(r.medianMs, r.medianMs! < 1 ? 4 : 2),
    r.na ? '' : fmt(r.gflops, 2),
    r.speedupVsBestPeer === null ? '' : `${r.speedupVsBestPeer.toFixed(2)}x (${r.bestPeer})`,
    r.fractionOfPeak === null ? '' : `${(100 * r.fractionOfPeak).toFixed(0)}%`,
    r.na ? r.na : r.checkOk === null ? '' : r.checkOk ? `ok ${r.maxRelErr!.toExponential(1)}` : `MISMATCH ${r.maxRelErr!.toExponential(1)}`,
  ]);
  return [head, ...body].map((cells) => cells.map(String));
}

const WIDTHS = [18, 30, 9, 8, 27, 6, 0];

function printTable(lines: string[][], withHeader: boolean): void {
  const fmtLine = (l: string[]) => '  ' + l.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(WIDTHS[i]) : c.padEnd(WIDTHS[i]))).join('  ');
  if (withHeader) {
    console.log(fmtLine(lines[0]));
    console.log(fmtLine(WIDTHS.map((w, i) => '-'.repeat(w || lines[0][i].length))));
  }
  for (const l of lines.slice(1)) console.log(fmtLine(l));
}

function relErr(out: Float32Array, ref: Float32Array): number {
  if (out.length !== ref.length) return Infinity;
  let maxRef = 0, maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
    const d = Math.abs(out[i] - ref[i]);
    if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  return maxDiff / (maxRef || 1);
}

async function runSuite(suite: Suite, quiet: boolean): Promise<Row[]> {
  const out: Row[] = [];
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
      timings = await measure(runnable.map((x) => x.run), timingOptions);
    } catch (e) {
      failure = `error: ${asError(e).message}`;
    }
    // cross-check against the first peer that ran (else the first contestant with an output)
    const withOut = runnable.filter((x) => x.output);
    const ref = (withOut.find((x) => x.kind === 'peer') ?? withOut[0])?.output?.();
    const tol = c.tolerance ?? 1e-3;
    const caseRows: Row[] = contestants.map((x) => {
      const i = runnable.indexOf(x as never);
      const t = i >= 0 && !failure ? timings[i] : null;
      const err = t && ref && x.output ? relErr(x.output(), ref) : null;
      return {
        suite: suite.name, case: c.label, flops: c.flops, contestant: x.name, kind: x.kind,
        variant: x.variant ?? null, primary: !!x.primary,
        medianMs: t?.medianMs ?? null, minMs: t?.minMs ?? null, samples: t?.samples ?? null,
        gflops: t ? gflops(c.flops, t.medianMs) : null,
        speedupVsBestPeer: null, bestPeer: null, fractionOfPeak: null,
        maxRelErr: err, checkOk: err === null ? null : err <= tol,
        na: x.unavailable ?? (t ? null : failure ?? 'did not run'),
      };
    });
    const peersRun = caseRows.filter((r) => r.kind === 'peer' && r.medianMs !== null);
    const best = peersRun.reduce<Row | null>((b, r) => (b === null || r.medianMs! < b.medianMs! ? r : b), null);
    for (const r of caseRows) {
      if (r.kind === 'ours' && best && r.medianMs !== null) {
        r.speedupVsBestPeer = best.medianMs! / r.medianMs;
        r.bestPeer = best.contestant;
      }
      const pk = r.kind === 'ours' && r.variant ? peaks[r.variant] : bestPeak;
      if (r.gflops !== null && pk) r.fractionOfPeak = r.gflops / pk;
    }
    dispose?.();
    if (!quiet) printTable(tableLines(caseRows), ci === 0);
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

if (filters.length === 0 || flags.has('--write')) {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const base = `${dir}${info.runtime}${filters.length ? '-' + filters.join('-') : ''}`;
  const json = {
    runtime: info.runtime, version: info.version, v8: info.v8, date: new Date().toISOString(), cpu, cores: cpus().length,
    builds: builds.map((b) => ({ variant: b.variant, primary: b.primary })), buildNotes,
    peers: { ort: peerDesc(ctx.ort), tfjs: peerDesc(ctx.tf) },
    peaks: { ...peaks, best: bestPeak }, timing: { ...DEFAULT_TIMING, ...timingOptions },
    suites: SUITES.filter((s) => selected(s)).map((s) => ({ name: s.name, title: s.title, notes: s.notes })),
    rows,
  };
  writeFileSync(`${base}.json`, JSON.stringify(json, null, 1) + '\n');
  const md: string[] = [
    `# Benchmarks: ${info.runtime} ${info.version}`, '',
    ...header.map((h) => `- ${h}`),
    `- single thread, same inputs, median of interleaved samples (bench/timing.ts); * = primary build for ${info.runtime}`,
    `- "vs best peer" = median time of the faster peer / ours (> 1: ours faster); "% peak" against the measured SIMD peak (fastest sample of the peak probes: ${Object.entries(peaks).map(([v, g]) => `${v} ${g!.toFixed(1)}`).join(', ')} GFLOP/s)`,
    '',
  ];
  for (const s of SUITES.filter((x) => selected(x))) {
    md.push(`## ${s.name}: ${s.title}`, '', ...s.notes.map((n) => `- ${n}`), '');
    const lines = tableLines(rows.filter((r) => r.suite === s.name));
    md.push(`| ${lines[0].join(' | ')} |`, `|${lines[0].map((_, i) => (i >= 2 && i <= 5 ? '---:' : '---')).join('|')}|`);
    for (const l of lines.slice(1)) md.push(`| ${l.join(' | ')} |`);
    md.push('');
  }
  writeFileSync(`${base}.md`, md.join('\n'));
  console.log(`\nwrote ${base}.json and ${base}.md`);
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
