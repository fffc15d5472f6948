// Long sequences: one nn.TransformerEncoderLayer (E = 512, 8 heads, F = 2048, post-norm, relu, batch first) at
// L = 1024, 4096, 16384 and MultiHead self-attention (E = 512, 8 heads, needWeights: false) at L = 32768, against
// onnxruntime-web's two graphs (as in the encoder and mha suites) where ORT can run them, with the PEAK WASM MEMORY
// of every contestant: ours in a runtime made for the case (so the size of its memory after the calls is the case's
// peak), compared with the bytes the computation needs (weights + activations, see weightsAndActivations below).
//
// Calls take from a fraction of a second (L = 1024) to a minute (L = 32768, single thread), so each case sets its
// own few timed samples (Case.timing) and the largest cases run our primary build only.
import { init, MultiHead, Transformer, type Runtime, type Tensor } from '../../bindings/index.ts';
import { compileWasm, defaultWasmURL } from '../../bindings/runtime/loader.ts';
import { encoderLayerGraph, encoderParamShapes, mhaGraph, mhaParamShapes, type StateDict } from '../peers/ort_graphs.ts';
import { join, ortGraphs, type Contestants } from '../contestants.ts';
import { randomF32, randomStateDict } from '../rng.ts';
import type { MeasureOptions } from '../timing.ts';
import type { BenchContext, Case, Contestant, OurBuild, Suite, Variant } from '../suite.ts';
import { bothBuilds, mhaFlops, mhaWeightBytes } from './mha.ts';

// ---------------------------------------------------------------------------------------------------------------
// onnxruntime-web's heap. Its threaded build creates its linear memory in JavaScript (new WebAssembly.Memory({ ...,
// shared: true })); this module is imported by bench/run.ts before ORT loads, so wrapping the constructor here sees
// it. The wrapper returns the real Memory (instanceof and everything else unchanged) and only keeps a weak reference to
// shared memories. tfjs and our single-thread builds export their memories from the module (not constructed in JS):
// not seen here. Our threads builds' shared memory is made in JS by init({ threads }) and is seen: weak references
// keep the threads suite's disposed runtimes collectable, and only memories still alive count.
const sharedMemories: WeakRef<WebAssembly.Memory>[] = [];
{
  const wa = globalThis.WebAssembly as unknown as { Memory: typeof WebAssembly.Memory };
  const Original = wa.Memory;
  wa.Memory = new Proxy(Original, {
    construct(target, args: unknown[]) {
      const m = Reflect.construct(target, args) as WebAssembly.Memory;
      if ((args[0] as { shared?: boolean } | undefined)?.shared) sharedMemories.push(new WeakRef(m));
      return m;
    },
  });
}

/** Bytes of ORT's wasm heap now, or null when there is not exactly one live shared memory to read. */
function ortHeapBytes(): number | null {
  const live = sharedMemories.map((r) => r.deref()).filter((m): m is WebAssembly.Memory => m !== undefined);
  return live.length === 1 ? live[0].buffer.byteLength : null;
}

// ---------------------------------------------------------------------------------------------------------------

const N = 1, E = 512, H = 8, F = 2048;

interface Shape {
  module: 'enc' | 'mha';
  L: number;
  /** Our speedup goal over the faster ORT graph (case label), if any. */
  goal?: number;
  /** Only our primary build (one call is tens of seconds). */
  primaryOnly?: boolean;
  timing: MeasureOptions;
}

// Samples: exact counts (budgetMs 0, minSamples = maxSamples), one call per sample, warm-up by call count.
const few = (warmupCalls: number, samples: number): MeasureOptions =>
  ({ warmupMs: 0, minWarmupCalls: warmupCalls, callsPerSample: 1, budgetMs: 0, minSamples: samples, maxSamples: samples });

const SHAPES: Shape[] = [
  { module: 'enc', L: 1024, timing: few(2, 5) },
  { module: 'enc', L: 4096, goal: 2.5, timing: few(1, 3) },
  { module: 'enc', L: 16384, primaryOnly: true, timing: few(1, 1) },
  { module: 'mha', L: 32768, primaryOnly: true, timing: few(1, 1) },
];

const encFlops = (L: number) => mhaFlops(N, L, E, H) + 2 * 2 * N * L * E * F;

/** Packed weights (+ biases, norms) of the module as our build holds them (as the encoder / mha suites count). */
function weightBytes(rt: Runtime, module: Shape['module']): number {
  const b = { rt } as OurBuild;
  if (module === 'mha') return mhaWeightBytes(b, E);
  const ps = (k: number, n: number) => rt.exports.packed_b_size_f32(k, n);
  return mhaWeightBytes(b, E) + 4 * (ps(E, F) + ps(F, E) + F + E + 4 * E);
}

/**
 * What the peak memory is compared with: the weights plus one buffer per tensor of the module's dataflow except the
 * L x S scores (which a fused attention never stores):
 *   mha: x [L, E], q/k/v [L, 3E], attention output [L, E], out-projection [L, E]              = 6·L·E floats
 *   enc: the mha's 6·L·E, norm1 output [L, E], FF hidden [L, F], FF output [L, E], output [L, E] = 9·L·E + L·F
 */
function weightsAndActivations(rt: Runtime, module: Shape['module'], L: number): number {
  return weightBytes(rt, module) + activationBytes(module, L);
}

const activationBytes = (module: Shape['module'], L: number): number =>
  4 * (module === 'mha' ? 6 * N * L * E : 9 * N * L * E + N * L * F);

/** The same for ORT: its weights are the graph's unpacked f32 initializers. */
function ortWeightsAndActivations(module: Shape['module'], L: number): number {
  const mha = 4 * E * E + 4 * E;
  const w = module === 'mha' ? mha : mha + 2 * E * F + F + E + 4 * E;
  return 4 * w + activationBytes(module, L);
}

// One compiled Module per build, shared by the per-case runtimes: their code is the same and tiers up once.
const modules = new Map<Variant, Promise<WebAssembly.Module>>();
const moduleOf = (v: Variant): Promise<WebAssembly.Module> => {
  let m = modules.get(v);
  if (!m) modules.set(v, m = compileWasm(defaultWasmURL(v)));
  return m;
};

// Warm-up once per build: a few small forwards in a throwaway runtime of the same Module, so the per-case runtime
// starts on optimised code (V8 never swaps the tier of a running call, and one call here runs for seconds) and its
// memory holds only the case.
const warmed = new Map<Variant, Promise<void>>();
function warm(v: Variant, sd: { enc: StateDict; mha: StateDict }): Promise<void> {
  let w = warmed.get(v);
  if (!w) {
    warmed.set(v, w = (async () => {
      const rt = await init({ variant: v, wasm: await moduleOf(v) });
      const enc = new Transformer(rt, { dModel: E, nhead: H, dimFeedforward: F, batchFirst: true }).loadStateDict(sd.enc);
      const mha = new MultiHead(rt, { embedDim: E, numHeads: H, batchFirst: true }).loadStateDict(sd.mha);
      const x = rt.tensor(randomF32(N * 512 * E, 1), [N, 512, E]);
      for (let i = 0; i < 4; i++) { enc.forward(x); mha.forward(x, x, x, { needWeights: false }); }
      enc.dispose(); mha.dispose(); x.dispose();
    })());
  }
  return w;
}

/** Ours in a runtime made for this case: its memory after the calls is the case's peak. */
async function oursFresh(ctx: BenchContext, s: Shape, sd: StateDict, warmSd: { enc: StateDict; mha: StateDict },
                         x: Float32Array, crossCheck: boolean): Promise<Contestants> {
  const contestants: Contestant[] = [];
  const disposers: (() => void)[] = [];
  for (const b of ctx.builds) {
    const base = { name: `ours ${b.variant}`, kind: 'ours' as const, variant: b.variant, primary: b.primary };
    if (s.primaryOnly && !b.primary) {
      contestants.push({ ...base, unavailable: 'not run at this size: primary build only (one call takes tens of seconds)' });
      continue;
    }
    await warm(b.variant, warmSd);
    let rt: Runtime | null = await init({ variant: b.variant, wasm: await moduleOf(b.variant) });
    const t = rt.tensor(x, [N, s.L, E]);
    let out: Tensor | null = null;
    let run: () => void, free: () => void;
    if (s.module === 'enc') {
      const enc = new Transformer(rt, { dModel: E, nhead: H, dimFeedforward: F, batchFirst: true }).loadStateDict(sd);
      run = () => { out = enc.forward(t); };
      free = () => enc.dispose();
    } else {
      const mha = new MultiHead(rt, { embedDim: E, numHeads: H, batchFirst: true }).loadStateDict(sd);
      run = () => { out = mha.forward(t, t, t, { needWeights: false }).output; };
      free = () => mha.dispose();
    }
    const modelBytes = weightsAndActivations(rt, s.module, s.L);
    contestants.push({
      ...base, run,
      output: crossCheck ? () => out!.toArray() : undefined,
      memory: () => {
        const m = rt!.memoryStats();
        return { memoryBytes: m.memoryBytes, bytesInUse: m.bytesInUse, modelBytes };
      },
    });
    disposers.push(() => { t.dispose(); free(); rt = null; });
  }
  return { contestants, dispose: () => disposers.forEach((d) => d()) };
}

/** ORT's error without the build machine's source paths, shortened. */
export function ortReason(e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
  const m = /ERROR_MESSAGE: (.*)$/.exec(msg);
  const core = (m ? m[1] : msg)
    .replace(/\S*\/onnxruntime\/(\S+)/g, '$1')                              // build machine's path
    .replace(/ (?:static |virtual )\S+ \*?\S*::(\w+)\([^)]*\)/g, ' $1()');          // C++ signatures
  return core.length > 200 ? `${core.slice(0, 200)}…` : core;
}

/**
 * Runs every ORT contestant once (warm-up, and the test whether ORT can run this size at all): one that throws
 * becomes n/a with ORT's reason; one that runs reports ORT's heap size right after that first run.
 */
async function tryOrt(part: Contestants, module: Shape['module'], L: number): Promise<void> {
  const scores = 4 * N * H * L * L;
  for (const c of part.contestants) {
    if (!c.run || c.unavailable) continue;
    try {
      await c.run();
      const heap = ortHeapBytes();
      if (heap !== null) c.memory = () => ({ memoryBytes: heap, modelBytes: ortWeightsAndActivations(module, L) });
    } catch (e) {
      c.run = undefined;
      c.output = undefined;
      c.unavailable = `session.run failed at L = ${L} (one [${N}, ${H}, ${L}, ${L}] f32 score tensor = ${(scores / 2 ** 30).toFixed(2)} GiB): ${ortReason(e)}`;
    }
  }
}

export const suite: Suite = {
  name: 'long',
  title: `Long sequences: TransformerEncoderLayer (enc) and MultiHead self-attention (mha), E = ${E}, ${H} heads, F = ${F} (module N x L x E x heads; goal = our target speedup over the faster ORT graph), with peak wasm memory`,
  notes: [
    'enc: as in the encoder suite (post-norm, relu, batch first; ort standard / ort contrib graphs); mha: as in the mha suite (needWeights: false). flops as in those suites (attention 4·N·L²·E: no mask, no causal skipping).',
    'ours: a runtime made for the case (init() with the build\'s compiled Module; a throwaway runtime of the same Module ran small forwards first so the code is optimised), weights loaded and x copied in during setup. Our attention is fused: nothing of size L x S is stored.',
    'peak memory, ours = the runtime\'s memoryBytes after the timed calls: wasm memory only grows, so it is the peak of the whole case (loading included); "in use" = bytesInUse then (weights, input, the module\'s buffers). "x w+a" = peak / (weights + activations), weights = packed weights, biases, norms as held; activations = one buffer per tensor of the dataflow except the L x S scores: mha x, q/k/v, attention, out-projection = 6·L·E floats; enc those + norm1, FF hidden (L·F), FF out, output = 9·L·E + L·F floats.',
    'peak memory, ORT = the size of onnxruntime-web\'s wasm heap right after that graph\'s first run in the case (its one heap, shared by every session in the process, only grows: an upper bound of the graph\'s own peak, at least as large as anything before it; it also holds ORT\'s own allocations, e.g. its arena and the live sessions\' initializers); its "x w+a" uses the same activations and its unpacked f32 weights. ORT stores the [N, heads, L, L] scores; where it cannot run (wasm32 limits) the row is n/a with its error.',
    'timing: few samples per case (bench/timing.ts options per case, one call per sample, medians of 5 / 3 / 1 / 1 samples after 2 / 1 / 1 / 1 warm-up calls for L = 1024 / 4096 / 16384 / 32768); L >= 16384 runs our primary build only. Output cross-check against the faster ORT graph where one ran, none otherwise.',
    'goal (issue): at L = 4096 at most 0.4x of onnxruntime-web\'s time (speedup >= 2.5x); peak memory of every case at most 1.25x weights + activations; L = 16384 and 32768 run.',
  ],
  cases(ctx): Case[] {
    return SHAPES.map((s): Case => ({
      label: `${s.module} ${N}x${s.L}x${E}x${H}${s.goal ? ` >=${s.goal}x` : ''}`,
      flops: s.module === 'enc' ? encFlops(s.L) : mhaFlops(N, s.L, E, H),
      timing: s.timing,
      tolerance: 1e-4,
      async setup() {
        const warmSd = { enc: randomStateDict(encoderParamShapes(E, F), 21 + E + H), mha: randomStateDict(mhaParamShapes(E), 11 + E + H) };
        const sd = warmSd[s.module];
        const x = randomF32(N * s.L * E, 5 + N + s.L + E);
        const ort = await ortGraphs(ctx, bothBuilds((build) => (s.module === 'enc'
          ? encoderLayerGraph(sd, { E, H, F, build })
          : mhaGraph(sd, { E, H, build }))), { x: { data: x, dims: [N, s.L, E] } }, 'y');
        await tryOrt(ort, s.module, s.L);
        const peerRan = ort.contestants.some((c) => !!c.run && !c.unavailable);
        const ours = await oursFresh(ctx, s, sd, warmSd, x, peerRan);
        return join(ours, ort);
      },
    }));
  },
};
