// What a benchmark suite is. A suite is a named list of cases (one per shape); a case sets up its contestants (ours
// and the peers) on the same inputs and says how many flops one call does. bench/run.ts times every contestant of a
// case side by side (bench/timing.ts), cross-checks their outputs, and reports GFLOP/s, ms, our speedup against the
// faster peer and the fraction of the measured SIMD peak.
//
// To add a suite:
//   1. create bench/suites/<name>.ts exporting `const suite: Suite` (see gemm.ts / softmax.ts for the pattern);
//   2. add it to the SUITES list in bench/run.ts.
// Helpers for the usual contestants are in bench/contestants.ts: oursFor(ctx, ...) makes one contestant per build of
// ours, ortGraphs(...) / ortContestants(...) the onnxruntime-web timings, tfContestant(...) the tfjs one; inputs come
// from bench/rng.ts. The peers themselves (onnxruntime-web, tfjs, ONNX graph builders) are in bench/peers/.
import type { Runtime } from '../bindings/index.ts';
import type { OrtPeer, TfPeer } from './peers/peers.ts';
import type { MeasureOptions } from './timing.ts';

export type Variant = 'simd' | 'relaxed';

/** One build of ours, loaded in its own runtime (own linear memory). */
export interface OurBuild {
  variant: Variant;
  rt: Runtime;
  /** The build that users of this runtime get by default in our targets (Node -> simd, Deno -> relaxed). */
  primary: boolean;
}

/** What a suite gets to build its cases. A peer is an Error when it could not be set up in this runtime. */
export interface BenchContext {
  runtime: 'node' | 'deno';
  builds: OurBuild[];
  ort: OrtPeer | Error;
  tf: TfPeer | Error;
}

/** One way of computing a case. */
export interface Contestant {
  /** Shown in the table, e.g. 'ours simd', 'ours relaxed unpacked', 'ort', 'tfjs'. */
  name: string;
  kind: 'ours' | 'peer';
  /** For ours: which build (selects the peak used for '% of peak'). */
  variant?: Variant;
  /** For ours: the primary build of this runtime. */
  primary?: boolean;
  /** One call. May return a promise, which is awaited inside the timed region. Absent when `unavailable`. */
  run?: () => unknown;
  /** The result of the last call (copied out), for the cross-check between contestants. */
  output?: () => Float32Array;
  /** Why this contestant cannot run here (e.g. 'gemm_f32 not built yet', or a peer's load error): shown as n/a. */
  unavailable?: string;
  /** Optional: the wasm memory this contestant used, read once after its timed calls (before dispose). */
  memory?: () => MemoryReading | null;
}

/** Peak memory of a contestant on one case (bench/report/schema.ts ResultRow.memoryBytes and friends). */
export interface MemoryReading {
  /** Size of the wasm linear memory after the case's calls: a memory only grows, so for a runtime made for the case
   *  this is the case's peak. */
  memoryBytes: number;
  /** Bytes handed out by the allocator after the calls (ours only). */
  bytesInUse?: number | null;
  /** What memoryBytes is compared with: the bytes the computation needs at least (e.g. weights + activations). */
  modelBytes?: number | null;
}

/** One shape of a suite. `setup` allocates inputs and returns the contestants; `dispose` frees what setup made. */
export interface Case {
  /** e.g. '128x512x512' */
  label: string;
  /** Floating-point operations of one call (the same for every contestant). */
  flops: number;
  setup(): Promise<{ contestants: Contestant[]; dispose?: () => void }>;
  /** Relative tolerance of the output cross-check (default 1e-3 of the largest |value|). */
  tolerance?: number;
  /** Timing options for this case over the run's (bench/timing.ts), e.g. fewer samples for calls of seconds. */
  timing?: MeasureOptions;
}

export interface Suite {
  /** Short id, used as the filter argument: `npm run bench -- gemm`. */
  name: string;
  /** One line for the report heading. */
  title: string;
  /** What the timings include and how flops are counted; printed under the heading and into the Markdown. */
  notes: string[];
  cases(ctx: BenchContext): Case[];
}

/** The cross-check between contestants: max |out - ref| relative to the largest |ref| (Infinity on a length
 *  mismatch or a NaN where ref has a number). */
export function relErr(out: Float32Array, ref: Float32Array): number {
  if (out.length !== ref.length) return Infinity;
  let maxRef = 0, maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
    const d = Math.abs(out[i] - ref[i]);
    if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  return maxDiff / (maxRef || 1);
}
