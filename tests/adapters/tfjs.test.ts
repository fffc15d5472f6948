// The tfjs adapter (bindings/adapters/tfjs.ts): installTfjsKernels replaces BatchMatMul and _FusedMatMul of the wasm
// and cpu backends. Against the original kernels (computed in the uninstalled state on the same tensors) at awkward
// shapes, batches, transposes and broadcasts, every result also within the float32 bound of a float64 reference;
// _FusedMatMul with transposeB and a bias on the wasm backend (which stock tfjs-backend-wasm 4.22.0 gets wrong) only
// against the float64 reference, never through the original; fallbacks; uninstall restores the very same kernels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { tfPeer } from '../../bench/peers/peers.ts';
import { installTfjsKernels, type TfjsInstallation } from '../../bindings/adapters/tfjs.ts';
import { rng, runtime, uniform } from '../support/util.ts';

type Tf = typeof import('@tensorflow/tfjs-core');
const BACKENDS = ['wasm', 'cpu'] as const;
const NAMES = ['BatchMatMul', '_FusedMatMul'];
const AWKWARD = [1, 7, 8, 9, 17, 65, 129];

async function tfOn(backend: 'wasm' | 'cpu'): Promise<Tf> {
  const { tf } = await tfPeer();   // registers and initialises the wasm backend (1 thread, simd binary)
  if (tf.getBackend() !== backend) assert.ok(await tf.setBackend(backend), `tfjs backend ${backend}`);
  return tf;
}

const size = (s: readonly number[]) => s.reduce((p, v) => p * v, 1);

interface Ref { want: Float64Array; tol: Float64Array }

/** float64 batched product with numpy batch broadcasting, bias broadcast to the output, and the float32 bound of
 *  each element ((k + 2)·2⁻²³·Σ|terms|), with an activation applied to both. */
function reference(a: Float32Array, sa: number[], b: Float32Array, sb: number[], ta: boolean, tb: boolean,
                   o: { bias?: { data: Float32Array; shape: number[] }; act?: (v: number) => number; lip?: number } = {}):
    { shape: number[]; ref: Ref } {
  const ra = sa.length, rb = sb.length;
  const m = ta ? sa[ra - 1] : sa[ra - 2], k = ta ? sa[ra - 2] : sa[ra - 1], n = tb ? sb[rb - 2] : sb[rb - 1];
  const ba = sa.slice(0, -2), bb = sb.slice(0, -2);
  const R = Math.max(ba.length, bb.length);
  const pad = (s: number[]) => [...new Array(R - s.length).fill(1), ...s];
  const pa = pad(ba), pb = pad(bb);
  const bs = pa.map((x, i) => Math.max(x, pb[i]));
  const shape = [...bs, m, n];
  const want = new Float64Array(size(shape)), tol = new Float64Array(size(shape));
  const item = (idx: number[], dims: number[]) => idx.reduce((acc, v, d) => acc * dims[d] + (dims[d] === 1 ? 0 : v), 0);
  const bias = o.bias, bshape = bias ? [...new Array(shape.length - bias.shape.length).fill(1), ...bias.shape] : [];
  for (let t = 0; t < size(bs); t++) {
    const idx: number[] = [];
    for (let d = R - 1, r = t; d >= 0; d--) { idx[d] = r % bs[d]; r = Math.floor(r / bs[d]); }
    const ia = item(idx, pa), ib = item(idx, pb);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0, mag = 0;
        for (let p = 0; p < k; p++) {
          const av = a[ia * m * k + (ta ? p * m + i : i * k + p)], bv = b[ib * k * n + (tb ? j * k + p : p * n + j)];
          s += av * bv; mag += Math.abs(av * bv);
        }
        if (bias) {
          const full = [...idx, i, j];
          const off = full.reduce((acc, v, d) => acc * bshape[d] + (bshape[d] === 1 ? 0 : v), 0);
          s += bias.data[off]; mag += Math.abs(bias.data[off]);
        }
        const e = t * m * n + i * n + j;
        want[e] = o.act ? o.act(s) : s;
        tol[e] = (k + 2) * 2 ** -23 * mag * (o.lip ?? 1) + 2 ** -23 * Math.abs(want[e]) + 1e-30;
      }
    }
  }
  return { shape, ref: { want, tol } };
}

function assertWithinRef(got: ArrayLike<number>, ref: Ref, what: string, slack = 1): void {
  assert.equal(got.length, ref.want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i] - ref.want[i]) <= slack * ref.tol[i])) {
      assert.fail(`${what}[${i}]: got ${got[i]}, expected ${ref.want[i]} ± ${(slack * ref.tol[i]).toExponential(2)}`);
    }
  }
}

/** Runs `f` with the original kernels, then installed, returning both results (the tensors made by `f` disposed). */
async function stockAndOurs(tf: Tf, backend: 'wasm' | 'cpu', f: () => TfTensor, variant: 'simd' | 'relaxed' = 'simd'):
    Promise<{ stock: Float32Array | Error; ours: Float32Array; shape: number[]; inst: TfjsInstallation }> {
  let stock: Float32Array | Error;
  try { stock = tf.tidy(f).dataSync() as Float32Array; } catch (e) { stock = e as Error; }
  const inst = await installTfjsKernels(tf as never, { backends: [backend], runtime: await runtime(variant) });
  try {
    const y = tf.tidy(f);
    const ours = y.dataSync() as Float32Array;
    const shape = y.shape;
    y.dispose();
    return { stock, ours, shape, inst };
  } finally {
    inst.uninstall();
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface MatmulCase { sa: number[]; sb: number[]; ta: boolean; tb: boolean }

/** Awkward m, k, n; batch 1 and 3 on either side; every transpose; broadcasts tfjs handles (one side's batch 1). */
function matmulCases(seed: number, count: number): MatmulCase[] {
  const r = rng(seed);
  const pick = () => AWKWARD[Math.floor(r() * AWKWARD.length)];
  const batches: [number[], number[]][] = [[[], []], [[3], [3]], [[3], []], [[], [3]], [[1], [3]], [[3], [1]], [[2, 3], [3]], [[1, 3], [2, 1, 3]]];
  const out: MatmulCase[] = [];
  for (let i = 0; i < count; i++) {
    const [m, k, n] = [pick(), pick(), pick()];
    const ta = (i & 1) === 1, tb = (i & 2) === 2;
    const [ba, bb] = batches[i % batches.length];
    out.push({ sa: [...ba, ...(ta ? [k, m] : [m, k])], sb: [...bb, ...(tb ? [n, k] : [k, n])], ta, tb });
  }
  // the corners: all ones, m = 1 (the GEMV path), the largest
  out.push({ sa: [1, 1], sb: [1, 1], ta: false, tb: false }, { sa: [3, 1, 129], sb: [3, 65, 129], ta: false, tb: true },
           { sa: [129, 129], sb: [129, 129], ta: true, tb: true }, { sa: [3, 65, 129], sb: [129, 8], ta: false, tb: false });
  return out;
}

for (const backend of BACKENDS) {
  test(`${backend}: BatchMatMul against the original kernel and a float64 reference (awkward shapes, batches, transposes, broadcasts)`, async () => {
    const tf = await tfOn(backend);
    const r = rng(backend === 'wasm' ? 1 : 2);
    for (const [ci, c] of matmulCases(backend === 'wasm' ? 11 : 12, 40).entries()) {
      const what = `${backend} a [${c.sa}]${c.ta ? 'ᵀ' : ''} · b [${c.sb}]${c.tb ? 'ᵀ' : ''}`;
      const a = uniform(r, size(c.sa)), b = uniform(r, size(c.sb));
      const ta = tf.tensor(a, c.sa), tb = tf.tensor(b, c.sb);
      const variant = ci % 2 ? 'relaxed' : 'simd';
      const { stock, ours, shape, inst } = await stockAndOurs(tf, backend, () => tf.matMul(ta, tb, c.ta, c.tb), variant);
      assert.equal(inst.stats.ours.BatchMatMul, 1, `${what}: ours ran`);
      assert.equal(inst.stats.fallback.BatchMatMul, 0, `${what}: no fallback`);
      const { shape: want, ref } = reference(a, c.sa, b, c.sb, c.ta, c.tb);
      assert.deepEqual(shape, want, `${what}: shape`);
      assertWithinRef(ours, ref, `${what} ours (${variant}) vs float64`);
      assert.ok(!(stock instanceof Error), `${what}: stock threw ${stock}`);
      assertWithinRef(stock as Float32Array, ref, `${what} stock vs float64`);
      assertWithinRef(ours, { want: Float64Array.from(stock as Float32Array), tol: ref.tol }, `${what} ours vs stock`, 2);
      ta.dispose(); tb.dispose();
    }
  });
}

test('BatchMatMul: batch broadcasts where both sides repeat ([2,1] with [3], [3,1] with [3,4]) follow numpy (stock tfjs flattens the batch dims: a wrong size or wrong values there)', async () => {
  for (const backend of BACKENDS) {
    const tf = await tfOn(backend);
    const r = rng(5);
    for (const [ba, bb] of [[[2, 1], [3]], [[3, 1], [3, 4]], [[1, 2], [3, 1]]]) {
      const sa = [...ba, 7, 9], sb = [...bb, 9, 17];
      const a = uniform(r, size(sa)), b = uniform(r, size(sb));
      const ta = tf.tensor(a, sa), tb = tf.tensor(b, sb);
      const inst = await installTfjsKernels(tf as never, { backends: [backend], runtime: await runtime('simd') });
      try {
        const y = tf.matMul(ta, tb);
        const { shape, ref } = reference(a, sa, b, sb, false, false);
        assert.deepEqual(y.shape, shape);
        assertWithinRef(y.dataSync(), ref, `${backend} [${sa}]·[${sb}]`);
        y.dispose();
      } finally {
        inst.uninstall();
        ta.dispose(); tb.dispose();
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// _FusedMatMul

const ACTS: { name: string; f: (v: number, alpha: number) => number; lip: number }[] = [
  { name: 'linear', f: (v) => v, lip: 1 },
  { name: 'relu', f: (v) => Math.max(v, 0), lip: 1 },
  { name: 'relu6', f: (v) => Math.min(Math.max(v, 0), 6), lip: 1 },
  { name: 'elu', f: (v) => (v >= 0 ? v : Math.expm1(v)), lip: 1 },
  { name: 'leakyrelu', f: (v, al) => (v < 0 ? al * v : v), lip: 1 },
  { name: 'sigmoid', f: (v) => 1 / (1 + Math.exp(-v)), lip: 1 },
  { name: 'prelu', f: (v) => v, lip: 1 },   // per-column weights: applied in the reference below
];

interface FusedCase { m: number; k: number; n: number; batchA: number; batchB: number; ta: boolean; tb: boolean; bias: 'none' | 'n' | '1xn' | 'scalar'; act: string }

function fusedCases(): FusedCase[] {
  const r = rng(31);
  const pick = () => AWKWARD[Math.floor(r() * AWKWARD.length)];
  const out: FusedCase[] = [];
  const biases = ['n', 'none', '1xn', 'scalar'] as const;
  let i = 0;
  for (const tb of [false, true]) {
    for (const ta of [false, true]) {
      for (const act of ACTS) {
        const [batchA, batchB] = [[1, 1], [3, 3], [3, 1], [1, 3]][i % 4];
        out.push({ m: pick(), k: pick(), n: pick(), batchA, batchB, ta, tb, bias: biases[i % biases.length], act: act.name });
        i++;
      }
    }
  }
  out.push({ m: 1, k: 129, n: 65, batchA: 1, batchB: 1, ta: false, tb: true, bias: 'n', act: 'relu' },
           { m: 129, k: 65, n: 129, batchA: 3, batchB: 1, ta: false, tb: true, bias: 'n', act: 'relu' });
  return out;
}

function runFused(tf: Tf, c: FusedCase, seed: number) {
  const r = rng(seed);
  const sa = [c.batchA, ...(c.ta ? [c.k, c.m] : [c.m, c.k])], sb = [c.batchB, ...(c.tb ? [c.n, c.k] : [c.k, c.n])];
  const a = uniform(r, size(sa)), b = uniform(r, size(sb));
  const biasShape = { none: null, n: [c.n], '1xn': [1, c.n], scalar: [1] }[c.bias];
  const bias = biasShape ? uniform(r, size(biasShape)) : null;
  const alpha = 0.1;
  const prelu = uniform(r, c.n);
  const act = ACTS.find((x) => x.name === c.act)!;
  const t = {
    a: tf.tensor(a, sa), b: tf.tensor(b, sb), bias: bias ? tf.tensor(bias, biasShape!) : undefined,
    prelu: c.act === 'prelu' ? tf.tensor(prelu, [c.n]) : undefined,
  };
  const op = () => tf.fused.matMul({ a: t.a, b: t.b, transposeA: c.ta, transposeB: c.tb, bias: t.bias,
    activation: c.act as 'relu', preluActivationWeights: t.prelu, leakyreluAlpha: alpha });
  const { shape, ref } = reference(a, sa, b, sb, c.ta, c.tb, { bias: bias ? { data: bias, shape: biasShape! } : undefined });
  for (let e = 0; e < ref.want.length; e++) {
    const v = ref.want[e];
    ref.want[e] = c.act === 'prelu' ? (v < 0 ? prelu[e % c.n] * v : v) : act.f(v, alpha);
    ref.tol[e] += 2 ** -23 * Math.abs(ref.want[e]);
  }
  return { op, shape, ref, dispose: () => Object.values(t).forEach((x) => x?.dispose()) };
}

for (const backend of BACKENDS) {
  test(`${backend}: _FusedMatMul (bias, every fused activation, transposes, batches) against the original kernel and a float64 reference`, async () => {
    const tf = await tfOn(backend);
    for (const [ci, c] of fusedCases().entries()) {
      const what = `${backend} fused ${JSON.stringify(c)}`;
      const { op, shape, ref, dispose } = runFused(tf, c, 100 + ci);
      const { stock, ours, shape: got, inst } = await stockAndOurs(tf, backend, op, ci % 2 ? 'relaxed' : 'simd');
      assert.equal(inst.stats.ours._FusedMatMul, 1, `${what}: ours ran`);
      assert.equal(inst.stats.fallback._FusedMatMul, 0, `${what}: no fallback`);
      assert.deepEqual(got, shape, `${what}: shape`);
      assertWithinRef(ours, ref, `${what}: ours vs float64`);
      // stock tfjs-backend-wasm: rank-1 bias only, and a wrong sum with a bias off its XNNPACK path or a
      // one-element bias (tested below)
      const fastPath = !c.ta && !c.tb && c.batchA === 1 && c.batchB === 1;
      const stockWrong = backend === 'wasm' && c.bias !== 'none' && !(fastPath && c.bias === 'n');
      if (backend === 'wasm' && c.bias === '1xn') {
        assert.ok(stock instanceof Error && /rank-1 bias/.test(stock.message), `${what}: stock rejects a rank-2 bias`);
      } else if (!stockWrong) {
        assert.ok(!(stock instanceof Error), `${what}: stock threw ${stock}`);
        assertWithinRef(stock as Float32Array, ref, `${what}: stock vs float64`);
        assertWithinRef(ours, { want: Float64Array.from(stock as Float32Array), tol: ref.tol }, `${what}: ours vs stock`, 2);
      }
      dispose();
    }
  });
}

test('wasm: _FusedMatMul with a bias off the XNNPACK path (transposes, batch > 1) or a one-element bias — which stock tfjs-backend-wasm 4.22.0 gets wrong — is right, and never reaches the original kernel', async () => {
  const tf = await tfOn('wasm');
  const original = tf.getKernel('_FusedMatMul', 'wasm')!;
  const cases: [number, number, number, number, boolean, boolean, FusedCase['bias']][] = [
    [2, 3, 4, 1, false, true, 'n'], [7, 9, 17, 1, false, true, 'n'], [128, 768, 512, 1, false, true, 'n'],
    [65, 129, 8, 3, false, true, 'n'], [9, 7, 5, 1, true, false, 'n'], [9, 7, 5, 3, false, false, 'n'], [9, 7, 5, 1, false, false, 'scalar'],
  ];
  for (const [ci, [m, k, n, batch, ta, tb, bias]] of cases.entries()) {
    for (const act of ['linear', 'relu', 'sigmoid']) {
      const c: FusedCase = { m, k, n, batchA: batch, batchB: 1, ta, tb, bias, act };
      const { op, ref, dispose } = runFused(tf, c, 200 + ci);
      const stock = tf.tidy(op).dataSync();
      let stockErr = 0;
      for (let i = 0; i < stock.length; i++) stockErr = Math.max(stockErr, Math.abs(stock[i] - ref.want[i]));
      if (act === 'linear') assert.ok(stockErr > 1e-3, `${JSON.stringify(c)}: stock is wrong here (max error ${stockErr}); if tfjs fixed it, update the adapter's notes`);
      let originalCalls = 0;
      const spy = { ...original, kernelFunc: (x: Parameters<typeof original.kernelFunc>[0]) => { originalCalls++; return original.kernelFunc(x); } };
      tf.unregisterKernel('_FusedMatMul', 'wasm');
      tf.registerKernel(spy);
      const inst = await installTfjsKernels(tf as never, { backends: ['wasm'], runtime: await runtime('simd') });
      try {
        const y = tf.tidy(op);
        assertWithinRef(y.dataSync(), ref, JSON.stringify(c));
        y.dispose();
        assert.equal(originalCalls, 0, 'the original kernel was not called');
      } finally {
        inst.uninstall();
        tf.unregisterKernel('_FusedMatMul', 'wasm');
        tf.registerKernel(original);
        dispose();
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// fallbacks, install / uninstall

test('fallbacks: non-float32 operands and unknown activations go to the original kernel, with its result or its error', async () => {
  const tf = await tfOn('cpu');
  const a = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), b = tf.tensor([1, 0, 2, 1, 0, 3], [3, 2], 'int32');
  const stock = tf.matMul(a, b).dataSync();
  const inst = await installTfjsKernels(tf as never, { backends: ['cpu'], runtime: await runtime('simd') });
  try {
    const y = tf.matMul(a, b);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(Array.from(y.dataSync()), Array.from(stock));
    assert.equal(inst.stats.fallback.BatchMatMul, 1);
    assert.equal(inst.stats.ours.BatchMatMul, 0);
    const fa = tf.tensor([[1, 2], [3, 4]]), fb = tf.tensor([[1, 0], [0, 1]]);
    assert.throws(() => tf.engine().runKernel('_FusedMatMul', { a: tf.reshape(fa, [1, 2, 2]), b: tf.reshape(fb, [1, 2, 2]) },
      { transposeA: false, transposeB: false, activation: 'gelu' } as never), /gelu/);
    assert.equal(inst.stats.fallback._FusedMatMul, 1);
    // mismatched inner dims: the original's error
    assert.throws(() => tf.matMul(fa, tf.ones([3, 2])), /inner shapes/);
    y.dispose(); fa.dispose(); fb.dispose();
  } finally {
    inst.uninstall();
    a.dispose(); b.dispose();
  }
});

test('wasm: a _FusedMatMul with a bias that we cannot run throws instead of reaching the original (which adds biases wrongly)', async () => {
  const tf = await tfOn('wasm');
  const inst = await installTfjsKernels(tf as never, { backends: ['wasm'], runtime: await runtime('simd') });
  try {
    const a = tf.ones([1, 2, 2]), b = tf.ones([1, 2, 2]), bias = tf.ones([2]);
    assert.throws(() => tf.engine().runKernel('_FusedMatMul', { a, b, bias }, { transposeA: false, transposeB: true, activation: 'gelu' } as never),
      /^Error: _FusedMatMul \(wasm-attention\): activation string gelu; not passed to tfjs-backend-wasm's kernel, which adds biases wrongly$/);
    assert.equal(inst.stats.fallback._FusedMatMul, 0);
    // without a bias the original is used (and gives its own error)
    assert.throws(() => tf.engine().runKernel('_FusedMatMul', { a, b }, { transposeA: false, transposeB: true, activation: 'gelu' } as never), /gelu activation not yet supported/);
    assert.equal(inst.stats.fallback._FusedMatMul, 1);
    [a, b, bias].forEach((t) => t.dispose());
  } finally {
    inst.uninstall();
  }
});

test('uninstall puts back the very same kernel objects; install checks its arguments; our memory is returned after each call', async () => {
  const tf = await tfOn('wasm');
  const originals = BACKENDS.flatMap((be) => NAMES.map((k) => tf.getKernel(k, be)!));
  const rt = await runtime('simd');
  const inst = await installTfjsKernels(tf as never, { runtime: rt });
  assert.deepEqual([...inst.backends], ['wasm', 'cpu'], 'default: every backend with the kernels registered');
  assert.equal(inst.runtime, rt);
  BACKENDS.flatMap((be) => NAMES.map((k) => tf.getKernel(k, be))).forEach((k, i) => {
    assert.notEqual(k, originals[i]);
    assert.equal(k!.setupFunc, originals[i].setupFunc, 'the original setup still runs at backend init');
  });
  await assert.rejects(installTfjsKernels(tf as never, { runtime: rt }), /already ours: uninstall\(\) the earlier installation first/);
  const before = rt.memoryStats().bytesInUse;
  const y = tf.matMul(tf.ones([3, 5, 7]), tf.ones([3, 9, 7]), false, true);
  assert.deepEqual(Array.from(y.dataSync().slice(0, 3)), [7, 7, 7]);
  assert.equal(rt.memoryStats().bytesInUse, before, 'nothing left allocated in our runtime');
  inst.uninstall();
  inst.uninstall();   // idempotent
  BACKENDS.flatMap((be) => NAMES.map((k) => tf.getKernel(k, be))).forEach((k, i) => assert.equal(k, originals[i]));

  await assert.rejects(installTfjsKernels(tf as never, { backends: ['webgl' as 'wasm'], runtime: rt }), /backend string webgl is not supported/);
  await assert.rejects(installTfjsKernels(tf as never, { backends: 'wasm' as never, runtime: rt }), /backends must be an array/);
  await assert.rejects(installTfjsKernels(tf as never, { runtime: rt, backend: ['wasm'] } as never), /unknown option "backend"/);
  await assert.rejects(installTfjsKernels({} as never), /tf must be the tfjs namespace/);
  await assert.rejects(installTfjsKernels(tf as never, { runtime: Promise.resolve(rt) as never }), /forget `await init\(\)`/);
  // a backend whose kernels are not registered: an error when asked for, skipped by default
  const fake = { getKernel: (k: string, b: string) => (b === 'cpu' ? tf.getKernel(k, b) : undefined), registerKernel() {}, unregisterKernel() {} };
  await assert.rejects(installTfjsKernels(fake, { backends: ['wasm'], runtime: rt }), /backend 'wasm' has no BatchMatMul \/ _FusedMatMul kernel registered/);
  const only = await installTfjsKernels(fake, { runtime: rt });
  assert.deepEqual([...only.backends], ['cpu']);
  only.uninstall();
});
