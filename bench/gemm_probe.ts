// Quick GEMM tuning probe (not the published benchmark, that is bench/run.ts): our kernels in both builds
// (packed-B Linear path, plain row-major B, A·Bᵀ), the runtime's SIMD peak probes and, with --peers,
// onnxruntime-web (MatMul, B initializer, input tensor reused) and tfjs-backend-wasm (matMul + dataSync).
//   node --experimental-wasm-relaxed-simd --import tsx bench/gemm_probe.ts [--peers] [--rounds N] [MxKxN ...]
//   npx deno run -A bench/gemm_probe.ts [--peers] ...
// --alt DIR[,DIR...]: also time the builds DIR/simd.wasm and DIR/relaxed.wasm (say, the last commit's), for A/B
// comparisons in one run; --packed-only: only the packed-B path.
// Contestants run interleaved, several rounds; we print the best and the median call of each so that other
// load on the machine (shared cores) shows up as a gap between the two, and ratios come from the same run.
import type { Runtime } from '../bindings/index.ts';
import { probeBuilds } from './probe_builds.ts';
import { loadProbes } from './probes.ts';
import { GraphBuilder } from '../tests/support/onnx_model.ts';

declare const Deno: { args: string[] } | undefined;
const args: string[] = typeof Deno !== 'undefined' ? Deno.args : process.argv.slice(2);
const withPeers = args.includes('--peers');
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 5;
const alts = args.includes('--alt') ? args[args.indexOf('--alt') + 1].split(',') : [];
const packedOnly = args.includes('--packed-only');
const shapeArgs = args.filter((s) => /^\d+x\d+x\d+$/.test(s));
const SHAPES: [number, number, number][] = shapeArgs.length
  ? shapeArgs.map((s) => s.split('x').map(Number) as [number, number, number])
  : [[1, 512, 512], [16, 512, 512], [128, 512, 512], [512, 512, 512], [128, 768, 3072], [256, 64, 256]];

interface Runner { name: string; peer?: boolean; run(): unknown; }

function rand(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = s / 2 ** 31 - 1; }
  return x;
}

// calls per sample so one sample takes >= ~2 ms
function calibrate(fn: () => unknown): number {
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t > 2 || reps > 1 << 16) return reps;
    reps *= 2;
  }
}

async function ours(rt: Runtime, name: string, m: number, k: number, n: number, A: Float32Array, B: Float32Array): Promise<{ runners: Runner[]; free(): void }> {
  const x = rt.exports, v = name;
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
  const { ortPeer, tfPeer } = await import('../tests/support/peers.ts');
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

async function timeAll(runners: Runner[], flops: number): Promise<Map<string, { best: number; median: number }>> {
  const samples = new Map<string, number[]>();
  const reps = new Map<string, number>();
  for (const r of runners) { await r.run(); await r.run(); reps.set(r.name, calibrate(() => r.run())); samples.set(r.name, []); }
  for (let round = 0; round < rounds; round++) {
    for (const r of runners) {
      for (let s = 0; s < 5; s++) {
        const n = reps.get(r.name)!;
        const t = performance.now();
        for (let i = 0; i < n; i++) { const p = r.run(); if (r.peer && p instanceof Promise) await p; }
        samples.get(r.name)!.push((performance.now() - t) / n);
      }
    }
  }
  const res = new Map<string, { best: number; median: number }>();
  for (const [name, s] of samples) {
    s.sort((x, y) => x - y);
    res.set(name, { best: flops / s[0] / 1e6, median: flops / s[s.length >> 1] / 1e6 });
  }
  return res;
}

const builds = await probeBuilds(alts);

console.log('peak probes (GFLOP/s, best of 5):');
for (const build of builds) {
  if (build.name !== build.rt.variant) continue;   // the probe build of the packaged variant only
  const x = await loadProbes(build.rt.variant);
  for (const name of ['peak_mul_add_f32', 'peak_madd_f32'] as const) {
    const iters = 200_000;
    x[name](iters);
    let best = Infinity;
    for (let i = 0; i < 5; i++) { const t = performance.now(); x[name](iters); best = Math.min(best, performance.now() - t); }
    console.log(`  ${build.name} ${name}: ${(iters * 96 / best / 1e6).toFixed(1)}`);
  }
}

for (const [m, k, n] of SHAPES) {
  const A = rand(m * k, m + k), B = rand(k * n, k + n + 7);
  const made = await Promise.all(builds.map((b) => ours(b.rt, b.name, m, k, n, A, B)));
  const runners = [...made.flatMap((o) => o.runners), ...(await peers(m, k, n, A, B))];
  const res = await timeAll(runners, 2 * m * k * n);
  const peerBest = Math.max(0, ...runners.filter((r) => r.peer).map((r) => res.get(r.name)!.median));
  console.log(`${m}x${k}x${n} (GFLOP/s best / median${peerBest ? ', median vs best peer' : ''})`);
  for (const r of runners) {
    const { best, median } = res.get(r.name)!;
    const ratio = peerBest && !r.peer ? `  ${(median / peerBest).toFixed(2)}x` : '';
    console.log(`  ${r.name.padEnd(22)} ${best.toFixed(1).padStart(6)} / ${median.toFixed(1).padStart(6)}${ratio}`);
  }
  made.forEach((o) => o.free());
}
