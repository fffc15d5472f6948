// Quick GEMM tuning probe (not the published benchmark, that is bench/run.ts): our kernels in both builds
// (packed-B Linear path, plain row-major B, A·Bᵀ), the runtime's SIMD peak probes and, with --peers,
// onnxruntime-web (MatMul, B initializer, input tensor reused) and tfjs-backend-wasm (matMul + dataSync).
//   node --experimental-wasm-relaxed-simd --import tsx bench/probes/gemm.ts [--peers] [--budget MS] [--rounds N] [MxKxN ...]
//   npx deno run -A bench/probes/gemm.ts [--peers] ...
// --alt DIR[,DIR...]: also time the builds DIR/simd.wasm and DIR/relaxed.wasm (say, the last commit's), for A/B
// comparisons in one run; --packed-only: only the packed-B path. --budget: ms of samples per contestant (default
// 300); --rounds: at least N samples each (default 15).
// Timing is bench/timing.ts's (warm-up, interleaved samples), inputs come from bench/rng.ts. We print the best and
// the median sample of each contestant so that other load on the machine (shared cores) shows up as a gap between
// the two, and ratios come from the same run.
import type { Runtime } from '../../bindings/index.ts';
import { GraphBuilder } from '../peers/onnx_model.ts';
import { randomF32 } from '../rng.ts';
import { gflops, measure, type MeasureOptions } from '../timing.ts';
import { PEAK_FLOPS_PER_ITER } from '../suites/peak.ts';
import { probeBuilds } from './builds.ts';
import { loadProbes } from './peak_build.ts';

declare const Deno: { args: string[] } | undefined;
const args: string[] = typeof Deno !== 'undefined' ? Deno.args : process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const withPeers = args.includes('--peers');
const alts = opt('--alt')?.split(',') ?? [];
const packedOnly = args.includes('--packed-only');
const timing: MeasureOptions = { budgetMs: Number(opt('--budget')) || 300, minSamples: Number(opt('--rounds')) || 15 };
const shapeArgs = args.filter((s) => /^\d+x\d+x\d+$/.test(s));
const SHAPES: [number, number, number][] = shapeArgs.length
  ? shapeArgs.map((s) => s.split('x').map(Number) as [number, number, number])
  : [[1, 512, 512], [16, 512, 512], [128, 512, 512], [512, 512, 512], [128, 768, 3072], [256, 64, 256]];

interface Runner { name: string; peer?: boolean; run(): unknown; }

function ours(rt: Runtime, v: string, m: number, k: number, n: number, A: Float32Array, B: Float32Array): { runners: Runner[]; free(): void } {
  const x = rt.exports;
  const a = rt.alloc(m * k * 4), b = rt.alloc(k * n * 4), bt = rt.alloc(k * n * 4), c = rt.alloc(m * n * 4);
  const pk = rt.alloc(x.packed_b_size_f32(k, n) * 4);
  rt.f32(a, m * k).set(A);
  rt.f32(b, k * n).set(B);
  const T = rt.f32(bt, k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) T[j * k + p] = B[p * n + j];
  x.pack_b_f32(k, n, b, n, pk, 0);
  const s = rt.alloc(x.gemm_scratch_size_f32(m, n, k) * 4);
  return {
    runners: [
      { name: `${v} packed`, run: () => x.gemm_f32_packed_b(m, n, k, 0, m, 0, n, a, k, pk, c, n, 0, 0, s) },
      { name: `${v} plain`, run: () => x.gemm_f32(m, n, k, 0, m, 0, n, a, k, b, n, c, n, 0, 0, s) },
      { name: `${v} bt`, run: () => x.gemm_f32_trans_b(m, n, k, 0, m, 0, n, a, k, bt, k, c, n, 0, 0, s) },
    ].slice(0, packedOnly ? 1 : 3),
    free: () => [a, b, bt, c, pk, s].forEach((p) => rt.free(p)),
  };
}

async function peers(m: number, k: number, n: number, A: Float32Array, B: Float32Array): Promise<Runner[]> {
  if (!withPeers) return [];
  const { ortPeer, tfPeer } = await import('../peers/peers.ts');
  const out: Runner[] = [];
  try {
    const ort = await ortPeer();
    const g = new GraphBuilder('gemm');
    g.input('A', [m, k]); g.initializer('B', B, [k, n]); g.node('MatMul', ['A', 'B'], ['C']); g.output('C', [m, n]);
    const session = await ort.session(g.model({ opset: 17 }));
    const feed = { A: ort.tensor(A, [m, k]) };
    out.push({ name: 'ort', peer: true, run: () => session.run(feed) });
  } catch (e) { console.log(`  (ort unavailable: ${(e as Error).message})`); }
  try {
    const { tf } = await tfPeer();
    const ta = tf.tensor2d(A, [m, k]), tb = tf.tensor2d(B, [k, n]);
    out.push({ name: 'tfjs', peer: true, run: () => { const y = tf.matMul(ta, tb); y.dataSync(); y.dispose(); } });
  } catch (e) { console.log(`  (tfjs unavailable: ${(e as Error).message})`); }
  return out;
}

const builds = await probeBuilds(alts);

console.log('peak probes (GFLOP/s, best sample):');
const PEAK_ITERS = 200_000;
for (const build of builds) {
  if (build.name !== build.rt.variant) continue;   // the probe build of the packaged variant only
  const x = await loadProbes(build.rt.variant);
  const names = ['peak_mul_add_f32', 'peak_madd_f32'] as const;
  const ts = await measure(names.map((name) => () => x[name](PEAK_ITERS)), { budgetMs: 100, minSamples: 5 });
  names.forEach((name, i) => console.log(`  ${build.name} ${name}: ${gflops(PEAK_ITERS * PEAK_FLOPS_PER_ITER, ts[i].minMs).toFixed(1)}`));
}

for (const [m, k, n] of SHAPES) {
  const A = randomF32(m * k, m + k), B = randomF32(k * n, k + n + 7);
  const made = builds.map((b) => ours(b.rt, b.name, m, k, n, A, B));
  const runners = [...made.flatMap((o) => o.runners), ...(await peers(m, k, n, A, B))];
  const ts = await measure(runners.map((r) => r.run), timing);
  const flops = 2 * m * k * n;
  const peerBest = Math.max(0, ...runners.flatMap((r, i) => (r.peer ? [gflops(flops, ts[i].medianMs)] : [])));
  console.log(`${m}x${k}x${n} (GFLOP/s best / median${peerBest ? ', median vs best peer' : ''})`);
  runners.forEach((r, i) => {
    const best = gflops(flops, ts[i].minMs), median = gflops(flops, ts[i].medianMs);
    const ratio = peerBest && !r.peer ? `  ${(median / peerBest).toFixed(2)}x` : '';
    console.log(`  ${r.name.padEnd(22)} ${best.toFixed(1).padStart(6)} / ${median.toFixed(1).padStart(6)}${ratio}`);
  });
  made.forEach((o) => o.free());
}
