// Helpers that make the usual contestants of a case. What each one's timing includes:
//   ours  : the kernel call(s) only. Inputs were copied into our linear memory (and weights packed) during setup;
//           the output stays in our memory. Nothing is allocated per call.
//   ort   : `await session.run({ x: new ort.Tensor(...) })` per call: creating the input tensor wrapper over the same
//           JS Float32Array, ORT copying the input into its wasm heap, the kernel(s), ORT's per-run overhead, and
//           copying the output into a new JS Float32Array (what a user of onnxruntime-web pays on every call).
//           Constant operands (weights) are initializers of the graph, prepared once when the session is created.
//   ort (tensor reused): the same with one ort.Tensor made once in setup and fed every call.
//   tfjs  : `const y = op(...); y.dataSync(); y.dispose()` per call: inputs were made once with tf.tensor (they live
//           in tfjs's wasm memory), the op dispatch, the XNNPACK kernel, and copying the output out to JS.
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-web';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { BenchContext, Contestant, OurBuild } from './suite.ts';
import type { KernelExports } from '../bindings/kernels.ts';

/** True when this build exports every named kernel. */
export function hasExports(b: OurBuild, ...names: (keyof KernelExports)[]): boolean {
  const ex = b.rt.exports as unknown as Record<string, unknown>;
  return names.every((n) => typeof ex[n] === 'function');
}

/** One contestant per build of ours: `make` returns its run/output/dispose, or a string saying why not. */
export function oursFor(ctx: BenchContext, suffix: string, needs: (keyof KernelExports)[],
                        make: (b: OurBuild) => { run: () => unknown; output?: () => Float32Array; dispose?: () => void }):
    { contestants: Contestant[]; dispose: () => void } {
  const contestants: Contestant[] = [];
  const disposers: (() => void)[] = [];
  for (const b of ctx.builds) {
    const name = `ours ${b.variant}${suffix}`;
    const base = { name, kind: 'ours' as const, variant: b.variant, primary: b.primary };
    if (!hasExports(b, ...needs)) {
      const missing = needs.filter((n) => !hasExports(b, n));
      contestants.push({ ...base, unavailable: `${missing.join(', ')} not built yet` });
      continue;
    }
    const c = make(b);
    if (c.dispose) disposers.push(c.dispose);
    contestants.push({ ...base, run: c.run, output: c.output });
  }
  return { contestants, dispose: () => disposers.forEach((d) => d()) };
}

/** The two onnxruntime-web contestants for a model with one float input and one output. */
export async function ortContestants(ctx: BenchContext, model: Uint8Array, input: string, data: Float32Array,
                                     dims: number[], output: string):
    Promise<{ contestants: Contestant[]; dispose: () => void }> {
  if (ctx.ort instanceof Error) {
    const unavailable = `onnxruntime-web unavailable: ${ctx.ort.message}`;
    return { contestants: [{ name: 'ort', kind: 'peer', unavailable }, { name: 'ort (tensor reused)', kind: 'peer', unavailable }], dispose() {} };
  }
  const { ort } = ctx.ort;
  let session: InferenceSession;
  try {
    session = await ctx.ort.session(model);
  } catch (e) {
    const unavailable = `session failed: ${(e as Error).message}`;
    return { contestants: [{ name: 'ort', kind: 'peer', unavailable }, { name: 'ort (tensor reused)', kind: 'peer', unavailable }], dispose() {} };
  }
  let last: Float32Array | undefined;
  const reused: OrtTensor = new ort.Tensor('float32', data, dims);
  const keep = (r: InferenceSession.OnnxValueMapType) => { last = r[output].data as Float32Array; };
  return {
    contestants: [
      { name: 'ort', kind: 'peer', run: () => session.run({ [input]: new ort.Tensor('float32', data, dims) }).then(keep), output: () => last! },
      { name: 'ort (tensor reused)', kind: 'peer', run: () => session.run({ [input]: reused }).then(keep), output: () => last! },
    ],
    dispose: () => { void session.release(); },
  };
}

/** The tfjs contestant: `inputs` are made once (tf tensors), `op` runs per call and its output is read back. */
export function tfContestant(ctx: BenchContext, inputs: (tf: typeof import('@tensorflow/tfjs-core')) => TfTensor[],
                             op: (tf: typeof import('@tensorflow/tfjs-core'), xs: TfTensor[]) => TfTensor):
    { contestants: Contestant[]; dispose: () => void } {
  if (ctx.tf instanceof Error) {
    return { contestants: [{ name: 'tfjs', kind: 'peer', unavailable: `tfjs unavailable: ${ctx.tf.message}` }], dispose() {} };
  }
  const { tf } = ctx.tf;
  const xs = inputs(tf);
  let last: Float32Array | undefined;
  return {
    contestants: [{
      name: 'tfjs', kind: 'peer',
      run: () => { const y = op(tf, xs); last = y.dataSync() as Float32Array; y.dispose(); },
      output: () => last!,
    }],
    dispose: () => xs.forEach((x) => x.dispose()),
  };
}

/** Joins the contestants of several helpers into what Case.setup returns. */
export function join(...parts: { contestants: Contestant[]; dispose: () => void }[]):
    { contestants: Contestant[]; dispose: () => void } {
  return { contestants: parts.flatMap((p) => p.contestants), dispose: () => parts.forEach((p) => p.dispose()) };
}

/** Deterministic uniform values in [-1, 1) (mulberry32), the same inputs for every contestant. */
export function randomF32(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    x[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1;
  }
  return x;
}
