// Where splitting a call over 2 threads starts to pay (the SPLIT_MIN sizes of bindings/ops/parallel.ts): each op at
// growing sizes on init({ threads: 1 }) against init({ threads: 2 }) with every threshold at 0 (every call split),
// interleaved, best of 3 medians of 10-call batches. Run on a quiet machine:
//   node --experimental-wasm-relaxed-simd --import tsx bench/probes/threads.ts
import { init, type Runtime } from '../../bindings/index.ts';
import { SPLIT_MIN } from '../../bindings/ops/parallel.ts';
import { randomF32 } from '../rng.ts';

const one = await init({ threads: 1 }), two = await init({ threads: 2 });
const saved = { ...SPLIT_MIN };
Object.assign(SPLIT_MIN, { gemmMacs: 0, rowElements: 0, mathElements: 0, cheapElements: 0 });

function median(f: () => void): number {
  for (let i = 0; i < 20; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    for (let j = 0; j < 10; j++) f();
    ts.push((performance.now() - t0) / 10);
  }
  return ts.sort((a, b) => a - b)[15];
}

function compare(name: string, make: (rt: Runtime) => () => void): void {
  const f1 = make(one), f2 = make(two);
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < 3; r++) { a.push(median(f1)); b.push(median(f2)); }
  const t1 = Math.min(...a), t2 = Math.min(...b);
  console.log(`${name.padEnd(30)} 1 thread ${(t1 * 1e3).toFixed(1).padStart(7)} µs  2 threads ${(t2 * 1e3).toFixed(1).padStart(7)} µs  x${(t1 / t2).toFixed(2)}`);
}

const t = (rt: Runtime, n: number, shape: number[]) => rt.tensor(randomF32(n, 1), shape);
for (const [m, k, n] of [[16, 64, 64], [32, 64, 64], [64, 64, 64], [32, 128, 128], [64, 128, 128]]) {
  compare(`matmul ${m}x${k}x${n} (${m * k * n})`, (rt) => {
    const a = t(rt, m * k, [m, k]), b = t(rt, k * n, [k, n]), out = rt.empty([m, n]);
    return () => rt.ops.matmul(a, b, { m, k, n, out });
  });
}
for (const [k, n] of [[128, 256], [256, 256], [256, 512], [512, 512]]) {
  compare(`matmul 1x${k}x${n} (${k * n})`, (rt) => {
    const a = t(rt, k, [1, k]), b = t(rt, k * n, [k, n]), out = rt.empty([1, n]);
    return () => rt.ops.matmul(a, b, { m: 1, k, n, out });
  });
}
for (const [rows, cols] of [[16, 256], [32, 256], [64, 256], [64, 512], [128, 512]]) {
  const e = rows * cols;
  compare(`softmax ${rows}x${cols} (${e})`, (rt) => { const x = t(rt, e, [rows, cols]), out = rt.empty([rows, cols]); return () => rt.ops.softmax(x, { rows, cols, out }); });
  compare(`layerNorm ${rows}x${cols} (${e})`, (rt) => { const x = t(rt, e, [rows, cols]), out = rt.empty([rows, cols]); return () => rt.ops.layerNorm(x, { rows, cols, out }); });
  compare(`gelu ${e}`, (rt) => { const x = t(rt, e, [e]), out = rt.empty([e]); return () => rt.ops.gelu(x, { out }); });
  compare(`relu ${e}`, (rt) => { const x = t(rt, e, [e]), out = rt.empty([e]); return () => rt.ops.relu(x, { out }); });
}
Object.assign(SPLIT_MIN, saved);
one.dispose();
two.dispose();
