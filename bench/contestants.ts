// Helpers that make the usual contestants of a case. What each one's timing includes:
//   ours  : the kernel call(s) only. Inputs were copied into our linear memory (and weights packed) during setup;
//           the output stays in our memory. Nothing is allocated per call.
//   ort   : `await session.run({ x: new ort.Tensor(...) })` per call: creating the input tensor wrappers over the same
//           JS Float32Arrays, ORT copying the inputs into its wasm heap, the kernel(s), ORT's per-run overhead, and
//           copying the output into a new JS Float32Array (what a user of onnxruntime-web pays on every call).
//           Constant operands (weights) are initializers of the graph, prepared once when the session is created.
//   ort (tensor reused): the same with the input tensors made once in setup and fed every call.
//   tfjs  : `const y = op(...); y.dataSync(); y.dispose()` per call: inputs were made once with tf.tensor (they live
//           in tfjs's wasm memory), the op dispatch, the XNNPACK kernel, and copying the output out to JS. A composed
//           op (several tfjs ops for one of ours) wraps itself in tf.tidy so its intermediates are freed every call.
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-web';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { Runtime } from '../bindings/index.ts';
import type { BenchContext, Contestant, OurBuild } from './suite.ts';

export type KernelName = keyof Runtime['exports'];

/** What the helpers return and Case.setup wants: contestants plus one function that frees what they made. */
export interface Contestants {
  contestants: Contestant[];
  dispose: () => void;
}

/** True when this build exports every named kernel. */
export function hasExports(b: OurBuild, ...names: KernelName[]): boolean {
  const ex = b.rt.exports as unknown as Record<string, unknown>;
  return names.every((n) => typeof ex[n] === 'function');
}

/** One contestant per build of ours: `make` returns its run/output/dispose. */
export function oursFor(ctx: BenchContext, suffix: string, needs: KernelName[],
                        make: (b: OurBuild) => { run: () => unknown; output?: () => Float32Array; dispose?: () => void }):
    Contestants {
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

/** An ONNX graph for onnxruntime-web, built lazily (only when the peer loaded). */
export interface OrtGraph {
  /** Contestant name, e.g. 'ort', 'ort contrib'. */
  name: string;
  model: () => Uint8Array;
}

/** Float inputs of a graph by input name. */
export type Feeds = Record<string, { data: Float32Array; dims: number[] }>;

/**
 * One onnxruntime-web contestant per graph (see the header for what its time includes); with `reuse`, also
 * '<name> (tensor reused)', fed input tensors made once. Every graph has the inputs `feeds` and the output `output`.
 */
export async function ortGraphs(ctx: BenchContext, graphs: OrtGraph[], feeds: Feeds, output: string,
                                { reuse = false } = {}): Promise<Contestants> {
  const names = (g: OrtGraph) => (reuse ? [g.name, `${g.name} (tensor reused)`] : [g.name]);
  const na = (g: OrtGraph, unavailable: string): Contestant[] => names(g).map((name) => ({ name, kind: 'peer', unavailable }));
  const peer = ctx.ort;
  if (peer instanceof Error) {
    return { contestants: graphs.flatMap((g) => na(g, `onnxruntime-web unavailable: ${peer.message}`)), dispose() {} };
  }
  const fresh = (): Record<string, OrtTensor> =>
    Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new peer.ort.Tensor('float32', v.data, v.dims)]));
  const contestants: Contestant[] = [];
  const release: (() => void)[] = [];
  for (const g of graphs) {
    let session: InferenceSession;
    try {
      session = await peer.session(g.model());
    } catch (e) {
      contestants.push(...na(g, `session failed: ${(e as Error).message}`));
      continue;
    }
    release.push(() => { void session.release(); });
    let last: Float32Array | undefined;
    const keep = (r: InferenceSession.OnnxValueMapType) => { last = r[output].data as Float32Array; };
    contestants.push({ name: g.name, kind: 'peer', run: () => session.run(fresh()).then(keep), output: () => last! });
    if (reuse) {
      const reused = fresh();
      contestants.push({ name: `${g.name} (tensor reused)`, kind: 'peer', run: () => session.run(reused).then(keep), output: () => last! });
    }
  }
  return { contestants, dispose: () => release.forEach((r) => r()) };
}

/** The two usual onnxruntime-web contestants ('ort', 'ort (tensor reused)') of a graph with one float input. */
export function ortContestants(ctx: BenchContext, model: Uint8Array, input: string, data: Float32Array,
                               dims: number[], output: string): Promise<Contestants> {
  return ortGraphs(ctx, [{ name: 'ort', model: () => model }], { [input]: { data, dims } }, output, { reuse: true });
}

type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * A tfjs contestant: `inputs` are made once (tf tensors), `op` runs per call and its output is read back. One trial
 * call in setup: an op the backend lacks makes the contestant n/a instead of failing the case.
 */
export function tfContestant(ctx: BenchContext, inputs: (tf: Tf) => TfTensor[], op: (tf: Tf, xs: TfTensor[]) => TfTensor,
                             name = 'tfjs'): Contestants {
  if (ctx.tf instanceof Error) {
    return { contestants: [{ name, kind: 'peer', unavailable: `tfjs unavailable: ${ctx.tf.message}` }], dispose() {} };
  }
  const { tf } = ctx.tf;
  const xs = inputs(tf);
  const dispose = () => xs.forEach((x) => x.dispose());
  let last: Float32Array | undefined;
  const run = () => { const y = op(tf, xs); last = y.dataSync() as Float32Array; y.dispose(); };
  try {
    run();
  } catch (e) {
    return { contestants: [{ name, kind: 'peer', unavailable: `tfjs: ${(e as Error).message}` }], dispose };
  }
  return { contestants: [{ name, kind: 'peer', run, output: () => last! }], dispose };
}

/** Joins the contestants of several helpers into what Case.setup returns. */
export function join(...parts: Contestants[]): Contestants {
  return { contestants: parts.flatMap((p) => p.contestants), dispose: () => parts.forEach((p) => p.dispose()) };
}
