// One decode step of a 6-layer nn.TransformerDecoder (E = 512, 8 heads, F = 2048, post-norm, relu, batch first) with
// a KV cache, at cache lengths 128 and 512 (memory of 64 positions), against
//   - the same decoder recomputing the whole prefix (tgt [1, len, E], tgtIsCausal, no cache), our primary build: what
//     a decode step costs without a cache;
//   - the weight + KV read floor: the read-only probe of bench/probes/read_floor.ts over as many bytes as one step
//     must read (the decoder's packed weights that a step uses plus the cached keys/values it attends over).
// Every timed sample is one step on a cache holding exactly len - 1 positions: the cache is made with room for
// more, and before every sample (untimed, bench/timing.ts beforeSample) a cache that has moved on is reset() and
// refilled with the len - 1 earlier positions through the public API.
import { Transformer, type Runtime, type Tensor } from '../../bindings/index.ts';
import { join, oursFor, type Contestants } from '../contestants.ts';
import { weightReadFloor } from '../probes/read_floor.ts';
import { randomF32, randomStateDict } from '../rng.ts';
import type { MeasureOptions } from '../timing.ts';
import type { BenchContext, Case, Contestant, OurBuild, Suite } from '../suite.ts';
import { mhaWeightBytes } from './mha.ts';

export const N = 1, E = 512, H = 8, F = 2048, LAYERS = 6, S = 64;
const LENGTHS = [128, 512];
/** The issue's goals: cached step >= 20x faster than recomputing the prefix at 512; within 1.3x of the floor. */
const PREFIX_GOAL: Record<number, number> = { 512: 20 };
const FLOOR_GOAL = 1.3;
/** Positions of room after len: warm-up calls append; a full cache is refilled (only ever in warm-up). */
const HEADROOM = 64;

const OPTIONS = { dModel: E, nhead: H, dimFeedforward: F, batchFirst: true, numLayers: LAYERS, kind: 'decoder' } as const;

let stateDict: Record<string, Float32Array> | null = null;
/** Random weights of the decoder by PyTorch name (made once per process; names and shapes from the module). */
export function decoderStateDict(ctx: BenchContext): Record<string, Float32Array> {
  if (!stateDict) {
    const probe = new Transformer(ctx.builds[0].rt, OPTIONS);
    const shapes = Object.fromEntries(probe.parameterShapes().map((p) => [p.name, [...p.shape]]));
    probe.dispose();
    stateDict = randomStateDict(shapes, 41);
  }
  return stateDict;
}

/**
 * Bytes one cached step must read: per layer the self-attention's packed in-projection [E, 3E] and out-projection,
 * the cross-attention's query and out-projections (its keys/values come from the cache), both FF weights, all
 * biases and the three norms; plus the self-attention keys and values of the len positions attended over and the
 * cross-attention keys and values of the S memory positions.
 */
function stepBytes(b: OurBuild, len: number): number {
  const ps = (k: number, n: number) => b.rt.exports.packed_b_size_f32(k, n);
  const self = mhaWeightBytes(b, E);
  const cross = 4 * (2 * ps(E, E) + 2 * E);
  const ff = 4 * (ps(E, F) + ps(F, E) + F + E);
  const norms = 4 * 3 * 2 * E;
  const kv = 4 * 2 * (len + S) * E;
  return LAYERS * (self + cross + ff + norms + kv);
}

/** Sample-exact timing: one call per sample, fixed sample count, `beforeSample` rolls the caches back. */
const timing = (samples: number, rollbacks: (() => void)[]): MeasureOptions => ({
  warmupMs: 150, minWarmupCalls: 3, callsPerSample: 1, budgetMs: 0, minSamples: samples, maxSamples: samples,
  beforeSample: () => rollbacks.forEach((r) => r()),
});

/** Ours, one decode step per call on a cache at len - 1 positions; registers its roll-back in `rollbacks`. */
function oursCached(ctx: BenchContext, sd: Record<string, Float32Array>, tgt: Float32Array, mem: Float32Array, len: number,
                    rollbacks: (() => void)[]): Contestants {
  return oursFor(ctx, '', ['gemm_f32_packed_b', 'layernorm_f32'], ({ rt }) => cachedStep(rt, sd, tgt, mem, len, rollbacks));
}

/** One decode step per call of the decoder on `rt`, on a cache at len - 1 positions (tgt [len, E], memory [S, E]);
 *  registers its roll-back in `rollbacks`. Also used by the threads suite. */
export function cachedStep(rt: Runtime, sd: Record<string, Float32Array>, tgt: Float32Array, mem: Float32Array, len: number,
                           rollbacks: (() => void)[]): { run: () => void; output: () => Float32Array; dispose: () => void } {
  const dec = new Transformer(rt, OPTIONS).loadStateDict(sd);
  const memory = rt.tensor(mem, [N, S, E]);
  const prefix = rt.tensor(tgt.subarray(0, (len - 1) * E), [N, len - 1, E]);
  const step = rt.tensor(tgt.subarray((len - 1) * E), [N, 1, E]);
  const cache = dec.createCache({ batch: N, maxLength: len + HEADROOM });
  let out: Tensor | null = null;
  let kept: Float32Array | null = null;
  const refill = () => {
    if (out) { kept = out.toArray(); out = null; }   // the next forward ends the last output's life
    cache.reset();
    dec.forward(prefix, memory, { cache, tgtIsCausal: true });
  };
  refill();
  rollbacks.push(() => { if (cache.length !== len - 1) refill(); });
  return {
    run: () => {
      if (cache.length >= cache.maxLength) refill();   // only in warm-up: every timed sample starts at len - 1
      out = dec.forward(step, memory, { cache, tgtIsCausal: true });
    },
    output: () => (out ? out.toArray() : kept!),
    dispose: () => { cache.dispose(); step.dispose(); prefix.dispose(); memory.dispose(); dec.dispose(); },
  };
}

/** The primary build recomputing the whole prefix without a cache (a peer here: the baseline). Output: the last
 *  position, which the cached step must reproduce. */
function prefixRecompute(ctx: BenchContext, sd: Record<string, Float32Array>, tgt: Float32Array, mem: Float32Array,
                         len: number): Contestants {
  const b = ctx.builds.find((x) => x.primary) ?? ctx.builds[0];
  if (!b) return { contestants: [], dispose() {} };
  const { rt } = b;
  const dec = new Transformer(rt, OPTIONS).loadStateDict(sd);
  const memory = rt.tensor(mem, [N, S, E]);
  const full = rt.tensor(tgt, [N, len, E]);
  let out: Tensor | null = null;
  const c: Contestant = {
    name: `prefix recompute (ours ${b.variant})`, kind: 'peer',
    run: () => { out = dec.forward(full, memory, { tgtIsCausal: true }); },
    output: () => out!.toArray().subarray((len - 1) * E),
  };
  return { contestants: [c], dispose: () => { full.dispose(); memory.dispose(); dec.dispose(); } };
}

export const suite: Suite = {
  name: 'decode',
  title: `Decode step of a ${LAYERS}-layer TransformerDecoder with a KV cache (E = ${E}, ${H} heads, F = ${F}, memory ${S} positions, batch 1; case = cache length; goal = our target ratio in the speedup column)`,
  notes: [
    `ours: dec.forward(tgt [1, 1, E], memory, { cache, tgtIsCausal: true }) with a cache from dec.createCache({ batch: 1, maxLength: len + ${HEADROOM} }) holding len - 1 earlier positions (the cross-attention keys/values of memory projected when the cache was filled): one step attends over len positions. Inputs and memory are Tensors in our memory; output left there.`,
    'timing: one step per timed sample; before every sample (untimed) a cache that has moved on is reset() and refilled with the same len - 1 positions (forward of tgt [1, len - 1, E] with the cache), so every sample times the step at exactly len. Fixed sample counts (9 per contestant vs prefix, 11 vs the floor) after >= 3 warm-up calls / 150 ms.',
    '"vs prefix" cases: the peer is our primary build recomputing the whole sequence without a cache, dec.forward(tgt [1, len, E], memory, { tgtIsCausal: true }); its last position is the cross-check of the cached step. "vs best peer" = prefix time / step time (goal >= 20x at len 512).',
    '"floor" cases: the peer is the read-only probe of the encoder suite\'s weight-read floor over the bytes one step must read (size in the case label): per layer the packed self-attention in/out projections, the cross-attention query and out projections (its key/value projections are cached), both FF weights, biases, 3 norms, plus the len cached self-attention keys/values and the 64 cross-attention keys/values, x 6 layers. "vs best peer" = floor time / step time: goal within 1.3x of the floor, i.e. >= 0.77x.',
    'Milliseconds (flops = 0: the step and the prefix recompute do different work).',
  ],
  cases(ctx): Case[] {
    const cases: Case[] = [];
    const b0 = ctx.builds.find((x) => x.primary) ?? ctx.builds[0];
    for (const len of LENGTHS) {
      const data = () => ({ tgt: randomF32(N * len * E, 7 + len), mem: randomF32(N * S * E, 3 + S) });
      const vsPrefix: (() => void)[] = [];
      cases.push({
        label: `cache ${len} vs prefix${PREFIX_GOAL[len] ? ` >=${PREFIX_GOAL[len]}x` : ''}`,
        flops: 0,
        tolerance: 1e-4,
        timing: timing(9, vsPrefix),
        async setup() {
          vsPrefix.length = 0;
          const sd = decoderStateDict(ctx);
          const { tgt, mem } = data();
          return join(oursCached(ctx, sd, tgt, mem, len, vsPrefix), prefixRecompute(ctx, sd, tgt, mem, len));
        },
      });
      const vsFloor: (() => void)[] = [];
      const mib = b0 ? ` ${(stepBytes(b0, len) / 2 ** 20).toFixed(1)} MiB` : '';
      cases.push({
        label: `cache ${len} floor${mib} >=${(1 / FLOOR_GOAL).toFixed(2)}x`,
        flops: 0,
        tolerance: 1e-4,
        timing: timing(11, vsFloor),
        async setup() {
          vsFloor.length = 0;
          const sd = decoderStateDict(ctx);
          const { tgt, mem } = data();
          const floor = weightReadFloor(ctx, (b) => stepBytes(b, len));
          for (const c of floor.contestants) c.name = 'weight + KV read floor';
          return join(oursCached(ctx, sd, tgt, mem, len, vsFloor), floor);
        },
      });
    }
    return cases;
  },
};
