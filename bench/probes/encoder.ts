// Encoder-layer probe (not the published benchmark, that is bench/run.ts): one TransformerEncoderLayer forward
// and its four GEMMs (packed-B Linear path), warm (called back to back) and cold (a read of a 64 MB buffer
// before every call evicts the weights from L2 and L3, as a stack of layers or other work in between would).
//   node --experimental-wasm-relaxed-simd --import tsx bench/probes/encoder.ts [--rounds N] [--alt DIR] [NxLxExH ...]
//   node_modules/.bin/deno run -A bench/probes/encoder.ts ...
// --only simd|relaxed: one build. --alt DIR[,DIR...]: also run the builds DIR/simd.wasm and DIR/relaxed.wasm (say,
// the last commit's, built elsewhere), interleaved with the packaged ones call by call, for A/B comparisons in one
// process. --rounds N: timed calls per build and line (default 30).
// Timing is bench/timing.ts's with one call per sample (the eviction runs untimed before every sample), inputs and
// weights come from bench/rng.ts.
import { Transformer, type Runtime } from '../../bindings/index.ts';
import { encoderParamShapes } from '../peers/ort_graphs.ts';
import { randomF32, randomStateDict } from '../rng.ts';
import { measure, type MeasureOptions } from '../timing.ts';
import { probeBuilds } from './builds.ts';

declare const Deno: { args: string[] } | undefined;
const args: string[] = typeof Deno !== 'undefined' ? Deno.args : process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const rounds = Number(opt('--rounds')) || 30;
const alts = opt('--alt')?.split(',') ?? [];
const shapeArgs = args.filter((s) => /^\d+x\d+x\d+x\d+$/.test(s));
const SHAPES = shapeArgs.length ? shapeArgs.map((s) => s.split('x').map(Number)) : [[1, 16, 512, 8]];

// untouched pages all map the kernel's zero page, so fill the buffer before reading it
const sweep = new Float64Array(8 << 20).fill(1);
let sink = 0;
function evict(): void { let s = 0; for (let i = 0; i < sweep.length; i += 8) s += sweep[i]; sink += s; }

const builds = await probeBuilds(alts, opt('--only'));

function cases(rt: Runtime, N: number, L: number, E: number, H: number): [string, () => void][] {
  const F = 4 * E, x = rt.exports;
  const enc = new Transformer(rt, { dModel: E, nhead: H, dimFeedforward: F, batchFirst: true })
    .loadStateDict(randomStateDict(encoderParamShapes(E, F), 21 + E + H));
  const t = rt.tensor(randomF32(N * L * E, 5), [N, L, E]);
  const out: [string, () => void][] = [[`encoder ${N}x${L}x${E}x${H}`, () => { enc.forward(t); }]];
  const m = N * L;
  for (const [k, n] of [[E, 3 * E], [E, E], [E, F], [F, E]]) {
    const size = x.packed_b_size_f32(k, n);
    const a = rt.alloc(m * k * 4), c = rt.alloc(m * n * 4), pk = rt.alloc(size * 4), s = rt.alloc(x.gemm_scratch_size_f32(m, n, k) * 4);
    rt.f32(a, m * k).set(randomF32(m * k, 3));
    rt.f32(pk, size).set(randomF32(size, 4));
    out.push([`gemm ${m}x${k}x${n}`, () => x.gemm_f32_packed_b(m, n, k, 0, m, 0, n, a, k, pk, c, n, 0, 0, s)]);
  }
  return out;
}

// single timed calls, exactly `rounds` of them per build, the builds interleaved call by call
const perCall: MeasureOptions = { callsPerSample: 1, minSamples: rounds, maxSamples: rounds, budgetMs: 0, warmupMs: 100 };

for (const [N, L, E, H] of SHAPES) {
  const per = builds.map((b) => cases(b.rt, N, L, E, H));
  for (let f = 0; f < per[0].length; f++) {
    for (const cold of [false, true]) {
      const ts = await measure(per.map((fns) => fns[f][1]), { ...perCall, ...(cold ? { beforeSample: evict } : {}) });
      const line = builds.map((b, i) => `${b.name} ${(ts[i].medianMs * 1000).toFixed(0).padStart(6)}`).join('  ');
      console.log(`${per[0][f][0].padEnd(20)} ${cold ? 'cold' : 'warm'}  ${line}  (us)`);
    }
  }
}
if (sink === 0.5) console.log(sink);
