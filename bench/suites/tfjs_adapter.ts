// The tfjs adapter (bindings/adapters/tfjs.ts): tfjs-backend-wasm's own BatchMatMul / _FusedMatMul against the same
// tfjs calls with our kernels installed, per kernel at the shapes that leave XNNPACK's fast path (transposed operands,
// batch > 1), at two that stay on it, and end to end on an attention encoder block written in tfjs ops.
import { installTfjsKernels } from '../../bindings/adapters/tfjs.ts';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { randomF32 } from '../rng.ts';
import type { BenchContext, Case, Contestant, Suite } from '../suite.ts';

type Tf = typeof import('@tensorflow/tfjs-core');
type KernelConfig = NonNullable<ReturnType<Tf['getKernel']>>;
const NAMES = ['BatchMatMul', '_FusedMatMul'];

/** Registers `configs` as the wasm backend's matmul kernels (swapping is two Map writes per kernel). */
function activate(tf: Tf, configs: KernelConfig[]): void {
  for (const c of configs) {
    if (tf.getKernel(c.kernelName, c.backendName) === c) continue;
    tf.unregisterKernel(c.kernelName, c.backendName);
    tf.registerKernel(c);
  }
}

/**
 * Contestants of one tfjs computation: 'tfjs stock' (the backend's kernels) and 'ours <variant> (tfjs adapter)' per
 * build of ours (the same tfjs calls with our kernels registered). Each call: make the output, dataSync(), dispose
 * (intermediates freed by tf.tidy).
 */
async function adapterCase(ctx: BenchContext, inputs: (tf: Tf) => TfTensor[], op: (tf: Tf, xs: TfTensor[]) => TfTensor,
                           stock: { name: string; op: (tf: Tf, xs: TfTensor[]) => TfTensor }[] = [{ name: 'tfjs stock', op }]):
    Promise<{ contestants: Contestant[]; dispose: () => void }> {
  if (ctx.tf instanceof Error) {
    const unavailable = `tfjs unavailable: ${ctx.tf.message}`;
    return { contestants: [{ name: 'tfjs stock', kind: 'peer', unavailable }], dispose() {} };
  }
  const { tf } = ctx.tf;
  const originals = NAMES.map((k) => tf.getKernel(k, 'wasm')!);
  const xs = inputs(tf);
  const contestant = (name: string, kind: 'ours' | 'peer', configs: KernelConfig[], f: (tf: Tf, xs: TfTensor[]) => TfTensor,
                      extra: Partial<Contestant> = {}): Contestant => {
    let last: Float32Array | undefined;
    const run = () => {
      activate(tf, configs);
      const y = tf.tidy(() => f(tf, xs));
      last = y.dataSync() as Float32Array;
      y.dispose();
    };
    return { name, kind, run, output: () => last!, ...extra };
  };
  const contestants: Contestant[] = stock.map((s) => contestant(s.name, 'peer', originals, s.op));
  for (const b of ctx.builds) {
    const inst = await installTfjsKernels(tf as never, { backends: ['wasm'], runtime: b.rt });
    const ours = NAMES.map((k) => tf.getKernel(k, 'wasm')!);
    inst.uninstall();
    contestants.push(contestant(`ours ${b.variant} (tfjs adapter)`, 'ours', ours, op, { variant: b.variant, primary: b.primary }));
  }
  return {
    contestants,
    dispose: () => { activate(tf, originals); xs.forEach((x) => x.dispose()); },
  };
}

interface MatmulShape { label: string; a: number[]; b: number[]; ta: boolean; tb: boolean }
const size = (s: number[]) => s.reduce((p, v) => p * v, 1);

/** BatchMatMul cases: [label, a shape, b shape, transposeA, transposeB]. */
const MATMULS: MatmulShape[] = [
  { label: 'Q·Kᵀ [16,128,64]·[16,128,64]ᵀ', a: [16, 128, 64], b: [16, 128, 64], ta: false, tb: true },
  { label: 'P·V [16,128,128]·[16,128,64]', a: [16, 128, 128], b: [16, 128, 64], ta: false, tb: false },
  { label: 'Linear x·Wᵀ [256,768]·[512,768]ᵀ', a: [256, 768], b: [512, 768], ta: false, tb: true },
  { label: 'Aᵀ·B [768,128]ᵀ·[768,512]', a: [768, 128], b: [768, 512], ta: true, tb: false },
  { label: 'batch x W [8,128,512]·[512,512]', a: [8, 128, 512], b: [512, 512], ta: false, tb: false },
  { label: 'fast path [256,512]·[512,512]', a: [256, 512], b: [512, 512], ta: false, tb: false },
];

function matmulFlops(s: MatmulShape): number {
  const ra = s.a.length;
  const m = s.ta ? s.a[ra - 1] : s.a[ra - 2], k = s.ta ? s.a[ra - 2] : s.a[ra - 1];
  const n = s.tb ? s.b[s.b.length - 2] : s.b[s.b.length - 1];
  const batch = Math.max(size(s.a.slice(0, -2)), size(s.b.slice(0, -2)));
  return 2 * batch * m * k * n;
}

/** An encoder block as a converted model runs it in tfjs ops: x [N, L, D]; q/k/v/out projections with PyTorch-layout
 *  weights (matMul transposeB + add), per-head Q·Kᵀ and P·V (batched matMul), softmax, residual + layer norm, and a
 *  feed-forward of fused matMul + bias + relu with TF-layout weights [in, out] (correct in stock tfjs). */
const E2E = { N: 2, L: 128, D: 512, H: 8, F: 2048 };

function encoderBlock(tf: Tf, [x, wq, bq, wk, bk, wv, bv, wo, bo, w1, b1, w2, b2]: TfTensor[]): TfTensor {
  const { N, L, D, H } = E2E;
  const E = D / H;
  const x2 = tf.reshape(x, [N * L, D]);
  const proj = (w: TfTensor, b: TfTensor) => tf.add(tf.matMul(x2, w, false, true), b);
  const heads = (t: TfTensor) => tf.transpose(tf.reshape(t, [N, L, H, E]), [0, 2, 1, 3]);   // [N, H, L, E]
  const q = heads(proj(wq, bq)), k = heads(proj(wk, bk)), v = heads(proj(wv, bv));
  const p = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(E)));
  const o = tf.reshape(tf.transpose(tf.matMul(p, v), [0, 2, 1, 3]), [N * L, D]);
  const norm = (t: TfTensor) => {
    const { mean, variance } = tf.moments(t, -1, true);
    return tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5)));
  };
  const h1 = norm(tf.add(x2, tf.add(tf.matMul(o, wo, false, true), bo)));
  const f = tf.fused.matMul({ a: h1, b: w1, bias: b1, activation: 'relu' });
  const f2 = tf.fused.matMul({ a: f, b: w2, bias: b2 });
  return norm(tf.add(h1, f2));
}

function e2eFlops(): number {
  const { N, L, D, F } = E2E;
  return 2 * N * L * D * D * 4 + 2 * 2 * N * L * L * D + 2 * 2 * N * L * D * F;
}

export const suite: Suite = {
  name: 'tfjs_adapter',
  title: 'tfjs-backend-wasm BatchMatMul / _FusedMatMul: stock kernels vs ours installed by installTfjsKernels',
  notes: [
    'flops = 2·batch·m·k·n per product (end to end: the products only).',
    'every contestant makes the same tfjs calls on tensors made once (in tfjs-backend-wasm memory); per call: the op(s) in tf.tidy, dataSync() of the result, dispose. "tfjs stock" runs the wasm backend\'s own kernels (XNNPACK for batch 1 without transposes, else its scalar loop); "ours (tfjs adapter)" the same calls with installTfjsKernels(tf, { backends: [\'wasm\'] }), whose time includes copying the operands into our memory and the result back.',
    'FusedMatMul with transposeB and a bias: stock tfjs-backend-wasm 4.22.0 adds the bias wrongly off its XNNPACK path (any transpose or batch > 1, more than one row), so the peer there is the correct stock composite matMul(transposeB) + add + relu.',
    `end to end: an encoder block in tfjs ops, x [${E2E.N},${E2E.L},${E2E.D}], ${E2E.H} heads, feed-forward ${E2E.F}: projections x·Wᵀ + b (PyTorch-layout weights), batched Q·Kᵀ and P·V, softmax, residual + layer norm (tf.moments), fused matMul + bias (+ relu) feed-forward with [in, out] weights.`,
  ],
  cases(ctx): Case[] {
    const cases: Case[] = MATMULS.map((s, i) => ({
      label: `BatchMatMul ${s.label}`,
      flops: matmulFlops(s),
      setup: () => adapterCase(ctx,
        (tf) => [tf.tensor(randomF32(size(s.a), 11 + i), s.a), tf.tensor(randomF32(size(s.b), 21 + i), s.b)],
        (tf, [a, b]) => tf.matMul(a, b, s.ta, s.tb)),
      tolerance: 1e-4 * Math.sqrt(s.ta ? s.a[s.a.length - 2] : s.a[s.a.length - 1]),
    }));
    const [m, k, n] = [256, 768, 512];
    cases.push({
      label: `FusedMatMul x·W + b, relu [${m},${k}]·[${k},${n}]`,
      flops: 2 * m * k * n,
      setup: () => adapterCase(ctx,
        (tf) => [tf.tensor(randomF32(m * k, 31), [m, k]), tf.tensor(randomF32(k * n, 32), [k, n]), tf.tensor(randomF32(n, 33), [n])],
        (tf, [a, b, bias]) => tf.fused.matMul({ a, b, bias, activation: 'relu' })),
      tolerance: 1e-4 * Math.sqrt(k),
    });
    cases.push({
      label: `FusedMatMul x·Wᵀ + b, relu [${m},${k}]·[${n},${k}]ᵀ`,
      flops: 2 * m * k * n,
      setup: () => adapterCase(ctx,
        (tf) => [tf.tensor(randomF32(m * k, 41), [m, k]), tf.tensor(randomF32(k * n, 42), [n, k]), tf.tensor(randomF32(n, 43), [n])],
        (tf, [a, b, bias]) => tf.fused.matMul({ a, b, bias, transposeB: true, activation: 'relu' }),
        [{ name: 'tfjs stock matMul+add+relu', op: (tf, [a, b, bias]) => tf.relu(tf.add(tf.matMul(a, b, false, true), bias)) }]),
      tolerance: 1e-4 * Math.sqrt(k),
    });
    const { N, L, D, F } = E2E;
    cases.push({
      label: `end to end: encoder block [${N},${L},${D}] in tfjs ops`,
      flops: e2eFlops(),
      setup: () => adapterCase(ctx, (tf) => {
        const mat = (r: number, c: number, seed: number) => tf.tensor(randomF32(r * c, seed).map((v) => v * Math.sqrt(3 / c)), [r, c]);
        const vec = (len: number, seed: number) => tf.tensor(randomF32(len, seed).map((v) => 0.3 * v), [len]);
        return [tf.tensor(randomF32(N * L * D, 51), [N, L, D]),
          mat(D, D, 52), vec(D, 53), mat(D, D, 54), vec(D, 55), mat(D, D, 56), vec(D, 57), mat(D, D, 58), vec(D, 59),
          tf.tensor(randomF32(D * F, 60).map((v) => v * Math.sqrt(3 / D)), [D, F]), vec(F, 61),
          tf.tensor(randomF32(F * D, 62).map((v) => v * Math.sqrt(3 / F)), [F, D]), vec(D, 63)];
      }, encoderBlock),
      tolerance: 1e-3,
    });
    return cases;
  },
};
